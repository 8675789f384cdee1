//! The three languages of the desk and text given in each of them.

use serde::{Deserialize, Serialize};

/// A language of the UI and of notifications to applicants.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Az,
    En,
    Ru,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Az, Lang::En, Lang::Ru];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Az => "az",
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }
}

/// A text in Azerbaijani, English and Russian.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub az: String,
    pub en: String,
    pub ru: String,
}

impl Localized {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Az => &self.az,
            Lang::En => &self.en,
            Lang::Ru => &self.ru,
        }
    }

    /// The languages whose text is empty.
    pub fn missing(&self) -> Vec<Lang> {
        Lang::ALL
            .into_iter()
            .filter(|l| self.get(*l).trim().is_empty())
            .collect()
    }
}

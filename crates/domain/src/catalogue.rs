//! The e-service catalogue: services, the documents each requires, and fee tiers with their
//! decision deadlines in working days. Loaded from TOML (`data/catalogue.toml`) and validated.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::lang::Localized;

/// The repository's catalogue, built in as the default.
pub const DEFAULT_CATALOGUE: &str = include_str!("../../../data/catalogue.toml");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentType {
    pub code: String,
    pub name: Localized,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeTier {
    pub code: String,
    /// The state fee in manat, as written in the file (e.g. "120.00").
    pub fee_azn: String,
    pub deadline_working_days: u32,
    /// The deadline is a working assumption, not a published figure.
    #[serde(default)]
    pub assumed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub code: String,
    pub name: Localized,
    pub required_documents: Vec<String>,
    pub tiers: Vec<FeeTier>,
}

impl Service {
    pub fn tier(&self, code: &str) -> Option<&FeeTier> {
        self.tiers.iter().find(|t| t.code == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub version: u32,
    pub document_types: Vec<DocumentType>,
    pub services: Vec<Service>,
}

/// Why a catalogue file was refused, naming the entry at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogueError {
    #[error("the catalogue is not valid TOML or has unexpected fields: {0}")]
    Syntax(String),
    #[error("the catalogue has version {0}; this program reads version 1")]
    Version(u32),
    #[error("the catalogue has no services")]
    Empty,
    #[error("{what} code {code:?} appears more than once")]
    Duplicate { what: &'static str, code: String },
    #[error("{what} code {code:?} is not a lower-case-and-dashes code")]
    BadCode { what: &'static str, code: String },
    #[error("{what} {code:?} has no name in {langs}")]
    MissingName {
        what: &'static str,
        code: String,
        langs: String,
    },
    #[error(
        "service {service:?} requires document type {document:?}, which the catalogue does not define"
    )]
    UnknownDocument { service: String, document: String },
    #[error("service {0:?} requires no documents")]
    NoDocuments(String),
    #[error("service {0:?} has no fee tier")]
    NoTiers(String),
    #[error("service {service:?}, tier {tier:?}: {problem}")]
    BadTier {
        service: String,
        tier: String,
        problem: String,
    },
}

fn is_code(code: &str) -> bool {
    !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !code.starts_with('-')
        && !code.ends_with('-')
}

fn is_fee(fee: &str) -> bool {
    match fee.split_once('.') {
        Some((whole, cents)) => {
            !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && cents.len() == 2
                && cents.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

impl Catalogue {
    /// Parses and validates a catalogue file.
    pub fn from_toml(text: &str) -> Result<Self, CatalogueError> {
        let catalogue: Catalogue =
            toml::from_str(text).map_err(|e| CatalogueError::Syntax(e.to_string()))?;
        catalogue.validate()?;
        Ok(catalogue)
    }

    /// The catalogue built into this program.
    pub fn builtin() -> Self {
        Self::from_toml(DEFAULT_CATALOGUE)
            .expect("the built-in catalogue is valid (checked by tests)")
    }

    pub fn service(&self, code: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.code == code)
    }

    pub fn document_type(&self, code: &str) -> Option<&DocumentType> {
        self.document_types.iter().find(|d| d.code == code)
    }

    fn validate(&self) -> Result<(), CatalogueError> {
        if self.version != 1 {
            return Err(CatalogueError::Version(self.version));
        }
        if self.services.is_empty() {
            return Err(CatalogueError::Empty);
        }
        let mut doc_codes = HashSet::new();
        for d in &self.document_types {
            check_entry("document type", &d.code, &d.name, &mut doc_codes)?;
        }
        let mut service_codes = HashSet::new();
        for s in &self.services {
            check_entry("service", &s.code, &s.name, &mut service_codes)?;
            if s.required_documents.is_empty() {
                return Err(CatalogueError::NoDocuments(s.code.clone()));
            }
            for d in &s.required_documents {
                if !doc_codes.contains(d.as_str()) {
                    return Err(CatalogueError::UnknownDocument {
                        service: s.code.clone(),
                        document: d.clone(),
                    });
                }
            }
            if s.tiers.is_empty() {
                return Err(CatalogueError::NoTiers(s.code.clone()));
            }
            let mut tier_codes = HashSet::new();
            for t in &s.tiers {
                let bad = |problem: &str| CatalogueError::BadTier {
                    service: s.code.clone(),
                    tier: t.code.clone(),
                    problem: problem.to_owned(),
                };
                if !is_code(&t.code) {
                    return Err(bad("the code is not a lower-case-and-dashes code"));
                }
                if !tier_codes.insert(t.code.as_str()) {
                    return Err(bad("the tier appears more than once"));
                }
                if !is_fee(&t.fee_azn) {
                    return Err(bad(
                        "fee_azn must be manat with two decimals, e.g. \"120.00\"",
                    ));
                }
                if t.deadline_working_days == 0 {
                    return Err(bad("deadline_working_days must be at least 1"));
                }
            }
        }
        Ok(())
    }
}

fn check_entry<'a>(
    what: &'static str,
    code: &'a str,
    name: &Localized,
    seen: &mut HashSet<&'a str>,
) -> Result<(), CatalogueError> {
    if !is_code(code) {
        return Err(CatalogueError::BadCode {
            what,
            code: code.to_owned(),
        });
    }
    if !seen.insert(code) {
        return Err(CatalogueError::Duplicate {
            what,
            code: code.to_owned(),
        });
    }
    let missing = name.missing();
    if !missing.is_empty() {
        let langs: Vec<&str> = missing.iter().map(|l| l.code()).collect();
        return Err(CatalogueError::MissingName {
            what,
            code: code.to_owned(),
            langs: langs.join(", "),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    #[test]
    fn the_builtin_catalogue_is_valid_and_complete() {
        let c = Catalogue::builtin();
        for code in [
            "stay-registration",
            "stay-extension",
            "trp-issue",
            "trp-extend",
            "prp-issue",
            "prp-extend",
            "work-permit-issue",
            "work-permit-extend",
            "citizenship-acquire",
            "citizenship-restore",
            "citizenship-renounce",
            "citizenship-establish",
            "refugee-status",
            "migration-service-job",
        ] {
            assert!(c.service(code).is_some(), "{code} missing");
        }
        let prp = c.service("prp-issue").unwrap();
        let days: Vec<u32> = prp.tiers.iter().map(|t| t.deadline_working_days).collect();
        assert_eq!(days, vec![60, 50, 40, 35]);
        assert_eq!(
            c.document_type("passport-copy").unwrap().name.get(Lang::Az),
            "Pasportun surəti"
        );
    }

    fn with(replace: &str, by: &str) -> Result<Catalogue, CatalogueError> {
        assert!(
            DEFAULT_CATALOGUE.contains(replace),
            "fixture text not found: {replace}"
        );
        Catalogue::from_toml(&DEFAULT_CATALOGUE.replacen(replace, by, 1))
    }

    #[test]
    fn an_unknown_document_is_named() {
        let err = with(
            r#"required_documents = ["application-form", "passport-copy", "visa-entry-stamp"]"#,
            r#"required_documents = ["application-form", "pasport-copy"]"#,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "service \"stay-registration\" requires document type \"pasport-copy\", which the catalogue does not define"
        );
    }

    #[test]
    fn a_missing_translation_is_named() {
        let err = with(r#"en = "Passport copy", "#, r#"en = "", "#).unwrap_err();
        assert_eq!(
            err,
            CatalogueError::MissingName {
                what: "document type",
                code: "passport-copy".into(),
                langs: "en".into()
            }
        );
    }

    #[test]
    fn bad_fee_and_zero_deadline_are_refused() {
        let err = with(r#"fee_azn = "15.00""#, r#"fee_azn = "15""#).unwrap_err();
        assert!(err.to_string().contains("two decimals"), "{err}");
        let err = with("deadline_working_days = 3 }", "deadline_working_days = 0 }").unwrap_err();
        assert!(err.to_string().contains("at least 1"), "{err}");
    }

    #[test]
    fn duplicates_and_unknown_fields_are_refused() {
        let err = with(r#"code = "trp-extend""#, r#"code = "trp-issue""#).unwrap_err();
        assert!(matches!(err, CatalogueError::Duplicate { .. }), "{err}");
        let err = with("version = 1", "version = 1\ncolour = \"red\"").unwrap_err();
        assert!(matches!(err, CatalogueError::Syntax(_)), "{err}");
        assert!(Catalogue::from_toml("not toml [").is_err());
    }
}

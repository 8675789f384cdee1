//! How the department's new applications reach its officers, as its supervisor sees and sets
//! it: the rule (the fewest open cases, or each in turn), and each officer's services and the
//! days they are away. The centre keeps it and applies it to every application that arrives, so
//! this, like the rest of [`Supervision`], needs the network.

use migdesk_api::{Absence, Distribution, DistributionRule, DistributionSettings, OfficerIntake};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::DeskResult;
use crate::supervision::Supervision;
use crate::sync::central::path_id;

/// An officer as the distribution sees them today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OfficerIntakeView {
    pub officer_id: String,
    pub full_name: String,
    /// Service codes they handle; empty: every service.
    pub services: Vec<String>,
    pub absences: Vec<Absence>,
    /// Away today: nothing new reaches them.
    pub away_today: bool,
    #[ts(type = "number")]
    pub open_cases: i64,
}

/// The department's distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DistributionView {
    pub rule: DistributionRule,
    pub officers: Vec<OfficerIntakeView>,
}

/// What an officer receives, as the supervisor sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OfficerIntakeChange {
    pub officer_id: String,
    pub services: Vec<String>,
    pub absences: Vec<Absence>,
}

/// A change to the distribution: the rule, and the officers whose services and absences change
/// (the others keep theirs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DistributionChange {
    pub rule: DistributionRule,
    pub officers: Vec<OfficerIntakeChange>,
}

impl From<Distribution> for DistributionView {
    fn from(d: Distribution) -> Self {
        Self {
            rule: d.rule,
            officers: d
                .officers
                .into_iter()
                .map(|o| OfficerIntakeView {
                    officer_id: o.officer.id,
                    full_name: o.officer.full_name,
                    services: o.services,
                    absences: o.absences,
                    away_today: o.away_today,
                    open_cases: o.open_cases,
                })
                .collect(),
        }
    }
}

impl Supervision {
    fn distribution_path(&self) -> DeskResult<String> {
        Ok(format!(
            "/departments/{}/distribution",
            path_id(&self.department)?
        ))
    }

    /// The department's distribution, from the centre.
    pub async fn distribution(&self) -> DeskResult<DistributionView> {
        let d: Distribution = self
            .central
            .get(&self.token, &self.distribution_path()?)
            .await?;
        Ok(d.into())
    }

    /// Sets the distribution at the centre; answers it as kept. Each absence is checked here
    /// first, so a range that ends before it starts is refused without a call.
    pub async fn set_distribution(
        &self,
        change: DistributionChange,
    ) -> DeskResult<DistributionView> {
        for officer in &change.officers {
            for absence in &officer.absences {
                absence.checked().map_err(|e| {
                    crate::error::DeskError::new(crate::error::ErrorKind::Invalid, e)
                })?;
            }
        }
        let body = DistributionSettings {
            rule: change.rule,
            officers: change
                .officers
                .into_iter()
                .map(|o| OfficerIntake {
                    officer_id: o.officer_id,
                    services: o.services,
                    absences: o.absences,
                })
                .collect(),
        };
        let kept: Distribution = self
            .central
            .send(
                reqwest::Method::PUT,
                &self.token,
                &self.distribution_path()?,
                &body,
            )
            .await?;
        Ok(kept.into())
    }
}

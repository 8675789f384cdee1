//! New applications and how a department shares them out. The applicant portal submits an
//! application with its form and documents (`POST /intake/applications`, with the portal's
//! credential); the centre checks it against the catalogue, numbers it, starts its deadline and
//! gives it to an officer by the department's rule, which its supervisor sets with the services
//! each officer handles and the days each is away (`GET/PUT /departments/{id}/distribution`).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::applicant::SentDocument;
use crate::cases::{Applicant, FormGroup, Status};
use crate::session::OfficerRef;

/// A new application as the applicant portal submits it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IntakeRequest {
    /// Made by the portal when the applicant submits: the application's id at the centre, so
    /// submitting again (a lost answer) is harmless.
    pub id: Uuid,
    /// The department responsible for the applicant's address.
    pub department_id: String,
    /// A service code from the catalogue.
    pub service: String,
    /// One of the service's fee tiers.
    pub tier: String,
    pub applicant: Applicant,
    /// The form as the applicant filled it; [`REQUIRED_FIELDS`] must be there and not blank.
    pub form: Vec<FormGroup>,
    /// 1 to [`crate::MAX_DOCUMENTS`] files, each a PDF or an image.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 20))]
    pub documents: Vec<SentDocument>,
}

/// The form fields every application must carry, as (group, field).
pub const REQUIRED_FIELDS: [(&str, &str); 6] = [
    ("personal", "surname"),
    ("personal", "given_names"),
    ("personal", "date_of_birth"),
    ("personal", "nationality"),
    ("personal", "passport_number"),
    ("contact", "email"),
];

/// What the portal tells the applicant: the number to follow the application by, and its
/// deadline. It never names the officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeReceipt {
    pub application_id: String,
    pub number: String,
    /// RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub submitted_at: String,
    /// YYYY-MM-DD: the service's working days from the submission, by the calendar.
    pub due_date: String,
    pub status: Status,
}

/// One thing wrong with a request, for a 422 that names each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// Where: a field of the request (`service`, `form.personal.surname`, `documents[2].type`).
    pub field: String,
    pub message: String,
}

/// How a department's new applications reach its officers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DistributionRule {
    /// To the officer with the fewest open cases among those who handle the service.
    LeastOpenWork,
    /// To each officer who handles the service in turn.
    RoundRobin,
    /// To the department's pool, from which its officers claim cases themselves.
    Pool,
}

impl DistributionRule {
    pub const ALL: [DistributionRule; 3] = [Self::LeastOpenWork, Self::RoundRobin, Self::Pool];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LeastOpenWork => "least_open_work",
            Self::RoundRobin => "round_robin",
            Self::Pool => "pool",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Days an officer is away (both included, YYYY-MM-DD): nothing new reaches them then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Absence {
    pub from: String,
    pub to: String,
}

/// What an officer receives: the services they handle (none listed: every service) and when
/// they are away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OfficerIntake {
    pub officer_id: String,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub absences: Vec<Absence>,
}

/// `PUT /departments/{id}/distribution`: the rule, and each officer's services and absences
/// (an officer not listed handles every service and is never away).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DistributionSettings {
    pub rule: DistributionRule,
    #[serde(default)]
    pub officers: Vec<OfficerIntake>,
}

/// An officer as the distribution sees them today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficerDistribution {
    pub officer: OfficerRef,
    /// The services they handle; empty: every service.
    pub services: Vec<String>,
    pub absences: Vec<Absence>,
    /// Away today: nothing new reaches them.
    pub away_today: bool,
    /// Their cases waiting for a decision.
    pub open_cases: i64,
}

/// `GET /departments/{id}/distribution`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Distribution {
    pub department_id: String,
    pub rule: DistributionRule,
    pub officers: Vec<OfficerDistribution>,
}

/// Whether `date` is a real YYYY-MM-DD day.
pub fn is_date(date: &str) -> bool {
    date.len() == 10 && chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok()
}

impl Absence {
    /// `Err` says what is wrong: not dates, or ending before it starts.
    pub fn checked(&self) -> Result<(), String> {
        if !is_date(&self.from) || !is_date(&self.to) {
            return Err(format!(
                "an absence runs between two YYYY-MM-DD dates, not {:?} to {:?}",
                self.from, self.to
            ));
        }
        if self.to < self.from {
            return Err(format!(
                "an absence cannot end ({}) before it starts ({})",
                self.to, self.from
            ));
        }
        Ok(())
    }

    /// Whether the officer is away on `date` (YYYY-MM-DD).
    pub fn covers(&self, date: &str) -> bool {
        self.from.as_str() <= date && date <= self.to.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_back_their_names() {
        for rule in DistributionRule::ALL {
            assert_eq!(DistributionRule::parse(rule.as_str()), Some(rule));
            assert_eq!(
                serde_json::to_value(rule).unwrap(),
                serde_json::Value::from(rule.as_str())
            );
        }
        assert_eq!(DistributionRule::parse("to_pool"), None);
    }

    #[test]
    fn absences_are_date_ranges() {
        let away = Absence {
            from: "2026-12-01".into(),
            to: "2026-12-04".into(),
        };
        assert!(away.checked().is_ok());
        assert!(away.covers("2026-12-01") && away.covers("2026-12-04"));
        assert!(!away.covers("2026-11-30") && !away.covers("2026-12-05"));
        let backwards = Absence {
            from: "2026-12-04".into(),
            to: "2026-12-01".into(),
        };
        assert!(
            backwards
                .checked()
                .unwrap_err()
                .contains("before it starts")
        );
        let not_dates = Absence {
            from: "1.12.2026".into(),
            to: "2026-02-30".into(),
        };
        assert!(not_dates.checked().is_err());
    }
}

/// One case waiting in the department's pool for an officer to claim it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PoolCase {
    pub application_id: String,
    pub number: String,
    pub service: String,
    pub applicant_name: String,
    /// RFC 3339.
    pub submitted_at: String,
    /// YYYY-MM-DD.
    pub due_date: String,
    /// Working days to the due date; negative when overdue.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub working_days_left: i64,
}

/// `GET /departments/{id}/pool`: the pending cases no officer has, the soonest due first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pool {
    pub department_id: String,
    pub cases: Vec<PoolCase>,
}

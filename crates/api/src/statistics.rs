//! A department's statistics for its supervisor: the decisions of a period by week, outcome,
//! officer and service; how many working days they took and how many were in time; the open
//! cases by age; the refusal reasons and missing documents most often named.
//!
//! A *decision* is one applied to a case (a refusal under four eyes counts once approved), dated
//! by when the officer decided, in the service's time zone. A case decided twice (missing
//! documents, then accepted) counts twice.

use serde::{Deserialize, Serialize};

use crate::decisions::ReasonCode;
use crate::session::OfficerRef;

/// The longest period one request may cover, in days.
pub const MAX_STATISTICS_DAYS: i64 = 732;

/// The period a request covers when it names none: the last 13 weeks, today included.
pub const DEFAULT_STATISTICS_DAYS: i64 = 91;

/// How many of the most often named reasons, fields and documents are listed.
pub const TOP_NAMED: usize = 10;

/// The query of `GET /departments/{id}/statistics`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct StatisticsQuery {
    /// The period's first day (YYYY-MM-DD); [`DEFAULT_STATISTICS_DAYS`] before `to` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(format = Date))]
    pub from: Option<String>,
    /// The period's last day (YYYY-MM-DD), included; today when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(format = Date))]
    pub to: Option<String>,
    /// Only this service's cases; every service when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

/// Decisions by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OutcomeCounts {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub accepted: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub missing_documents: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub refused: i64,
}

impl OutcomeCounts {
    pub fn total(&self) -> i64 {
        self.accepted + self.missing_documents + self.refused
    }
}

/// One week's decisions (weeks start on Monday; the first and last may be cut by the period).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WeekFigures {
    /// The week's Monday (YYYY-MM-DD).
    pub week_start: String,
    pub decided: OutcomeCounts,
}

/// One officer's decisions in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OfficerFigures {
    /// Absent for decisions whose officer the centre did not record (imported history).
    pub officer: Option<OfficerRef>,
    pub decided: OutcomeCounts,
}

/// One service's decisions in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ServiceFigures {
    pub service: String,
    pub decided: OutcomeCounts,
}

/// Working days from submission to decision (the day after submission to the day of decision,
/// as deadlines count them), by nearest rank.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WorkingDays {
    /// How many decisions the figures cover: those whose days the working-day calendar holds.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub decisions: i64,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub median: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub p90: Option<i64>,
}

/// Open cases by working days since submission (today's backlog, whatever the period).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BacklogBucket {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub min_working_days: i64,
    /// Absent for the last bucket, which has no upper bound.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub max_working_days: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub cases: i64,
}

/// The bounds of the backlog's buckets: 0–5, 6–10, 11–15, 16–20, 21 and more working days.
pub const BACKLOG_BOUNDS: [i64; 4] = [5, 10, 15, 20];

/// How often a refusal reason was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReasonCount {
    pub code: ReasonCode,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: i64,
}

/// How often a form field or a document type was named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NamedCount {
    /// A form field's key, or a document type's code.
    pub code: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub count: i64,
}

/// `GET /departments/{id}/statistics`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Statistics {
    pub department_id: String,
    /// The period covered, both days included (YYYY-MM-DD).
    pub from: String,
    pub to: String,
    pub service: Option<String>,
    /// The day the figures were computed, in the service's time zone.
    pub today: String,
    pub decided: OutcomeCounts,
    /// Every week of the period, oldest first, weeks without decisions included.
    pub weeks: Vec<WeekFigures>,
    /// Most decisions first.
    pub by_officer: Vec<OfficerFigures>,
    /// Most decisions first.
    pub by_service: Vec<ServiceFigures>,
    pub working_days: WorkingDays,
    /// Decisions made on or before the case's due date.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub on_time: i64,
    pub backlog: Vec<BacklogBucket>,
    /// Most often first, at most [`TOP_NAMED`] of each.
    pub refusal_reasons: Vec<ReasonCount>,
    pub refused_fields: Vec<NamedCount>,
    pub missing_documents: Vec<NamedCount>,
}

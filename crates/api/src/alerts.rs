//! Deadline alerts for a department's supervisor: cases due within the department's number of
//! working days that nobody has opened or that have no officer, and cases overdue.

use serde::{Deserialize, Serialize};

use crate::session::OfficerRef;

/// The most working days ahead a department may ask to be alerted about.
pub const MAX_ALERT_WORKING_DAYS: i64 = 20;

/// Why a case is raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Past its due date and still waiting for a decision.
    Overdue,
    /// Due soon and no officer has it.
    Unassigned,
    /// Due soon and its officer has not opened it on their desk.
    Unopened,
}

/// One case raised to the supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    pub application_id: String,
    pub number: String,
    pub service: String,
    pub applicant_name: String,
    /// The officer who has it; absent when nobody does.
    pub officer: Option<OfficerRef>,
    /// YYYY-MM-DD.
    pub due_date: String,
    /// Working days from today to the due date; negative when overdue.
    pub working_days_left: i64,
    pub kind: AlertKind,
}

/// `GET /departments/{id}/alerts`: overdue first, then by due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alerts {
    pub department_id: String,
    /// YYYY-MM-DD, in the service's time zone.
    pub today: String,
    /// The department's setting: cases due within this many working days are raised.
    pub within_working_days: i64,
    pub alerts: Vec<Alert>,
}

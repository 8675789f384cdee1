//! What supervisors see and do: the department's workload, moving cases, and conflicts.

use migdesk_domain::decision::DecisionKind;
use serde::{Deserialize, Serialize};

use crate::cases::Status;
use crate::error::ConflictCause;
use crate::session::OfficerRef;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficerLoad {
    pub officer: OfficerRef,
    pub open: i64,
    pub overdue: i64,
    pub due_this_week: i64,
    pub last_sync_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Workload {
    pub department_id: String,
    /// The day the figures were computed for (YYYY-MM-DD).
    pub today: String,
    pub officers: Vec<OfficerLoad>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssignmentItem {
    pub application_id: String,
    pub based_on_version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssignmentRequest {
    /// 1 to [`MAX_BULK`] cases, each named once.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub applications: Vec<AssignmentItem>,
    pub officer_id: String,
    /// Why; not blank, at most [`MAX_REASON`] characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 1000, pattern = r"\S"))]
    pub reason: String,
}

/// The most cases one reassignment may move.
pub const MAX_BULK: usize = 500;
/// The longest reason a supervisor may give, in characters.
pub const MAX_REASON: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Moved {
    pub application_id: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentResponse {
    pub moved: Vec<Moved>,
}

/// A case of one officer, as the supervisor sees it before moving it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupervisedCase {
    pub application_id: String,
    pub number: String,
    pub service: String,
    pub applicant_name: String,
    pub status: Status,
    pub due_date: String,
    pub version: i64,
    /// When the case last changed here (RFC 3339).
    pub changed_at: String,
    /// The officer's desk has not synced since the case changed (or never did), or has been
    /// quiet for longer than the centre's quiet period, so it may hold a decision on it that
    /// has not reached the centre: moving the case now would turn that decision into a
    /// conflict.
    pub may_hold_unsent_work: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficerCases {
    pub officer: OfficerRef,
    pub last_sync_at: Option<String>,
    /// The officer's open cases (pending or missing documents), due first.
    pub cases: Vec<SupervisedCase>,
}

/// What a supervisor does with a decision kept as a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ResolutionAction {
    /// Apply the decision to the case as its officer made it (the applicant is told).
    Apply,
    /// Hand it to the officer who has the case now, who decides the case themselves.
    HandOver,
    /// Discard it; a reason is required.
    Discard,
}

impl ResolutionAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ResolutionAction::Apply => "apply",
            ResolutionAction::HandOver => "hand_over",
            ResolutionAction::Discard => "discard",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "apply" => Some(ResolutionAction::Apply),
            "hand_over" => Some(ResolutionAction::HandOver),
            "discard" => Some(ResolutionAction::Discard),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResolutionRequest {
    pub action: ResolutionAction,
    /// Why; required to discard. At most [`MAX_REASON`] characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConflictResolution {
    pub action: ResolutionAction,
    pub reason: Option<String>,
    pub by: OfficerRef,
    pub at: String,
}

/// A decision the centre kept but could not apply (a conflict, or refused for good), with the
/// whole story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConflictRecord {
    pub decision_id: String,
    pub application_id: String,
    pub number: String,
    pub service: String,
    pub applicant_name: String,
    pub kind: DecisionKind,
    /// Why it could not be applied.
    pub cause: ConflictCause,
    /// The centre's words when it refused the decision for good (`cause` = `rejected`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When the officer decided (on their desk) and when the decision reached the centre.
    pub decided_at: String,
    pub received_at: String,
    pub decided_by: OfficerRef,
    /// Who has the case now.
    pub now_with: Option<OfficerRef>,
    pub status: Status,
    /// When the case last changed.
    pub changed_at: String,
    /// The supervisor's answer, once given.
    pub resolution: Option<ConflictResolution>,
}

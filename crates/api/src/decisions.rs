//! An officer's decision on a case, as the desk sends it, and the centre's answer.

use migdesk_domain::decision::Decision;
pub use migdesk_domain::decision::{DecisionKind, ReasonCode, RefusalReason};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cases::Status;

/// The status a decision gives a case.
pub fn decided_status(kind: DecisionKind) -> Status {
    match kind {
        DecisionKind::Accept => Status::Accepted,
        DecisionKind::MissingDocuments => Status::MissingDocuments,
        DecisionKind::Refuse => Status::Refused,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// Made by the desk when the officer decides; repeating a request with the same id is
    /// answered from the first one.
    pub id: Uuid,
    pub based_on_version: i64,
    pub kind: DecisionKind,
    /// Document type codes from the service's required documents.
    #[serde(default)]
    pub missing_documents: Vec<String>,
    /// Free text for a missing document the catalogue does not list.
    #[serde(default)]
    pub missing_other: Option<String>,
    #[serde(default)]
    pub reasons: Vec<RefusalReason>,
    #[serde(default)]
    pub note: String,
    /// When the officer decided (RFC 3339), which may be long before the desk could send it.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub decided_at: String,
}

impl DecisionRequest {
    /// The request that carries `decision`, made on the case's `based_on_version`.
    pub fn new(id: Uuid, based_on_version: i64, decision: Decision, decided_at: String) -> Self {
        Self {
            id,
            based_on_version,
            kind: decision.kind,
            missing_documents: decision.missing_documents,
            missing_other: decision.missing_other,
            reasons: decision.reasons,
            note: decision.note,
            decided_at,
        }
    }

    /// The officer's choice, without the envelope.
    pub fn decision(&self) -> Decision {
        Decision {
            kind: self.kind,
            missing_documents: self.missing_documents.clone(),
            missing_other: self.missing_other.clone(),
            reasons: self.reasons.clone(),
            note: self.note.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionResponse {
    pub id: Uuid,
    pub application_id: String,
    pub status: Status,
    pub version: i64,
    /// The applicant's e-mail, queued; absent while the decision waits for approval.
    #[serde(default)]
    pub notification_id: Option<i64>,
    /// The department wants four eyes on refusals: this one is a proposal until a supervisor
    /// approves it, and the case still waits.
    #[serde(default)]
    pub awaiting_approval: bool,
}

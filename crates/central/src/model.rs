//! The JSON shapes of the API. Requests refuse unknown fields.

use migdesk_domain::Lang;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Officer,
    Supervisor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "officer" => Some(Role::Officer),
            "supervisor" => Some(Role::Supervisor),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for the officer's decision.
    Pending,
    /// Documents received; processing has started.
    Accepted,
    /// Waiting for the applicant to send the named documents.
    MissingDocuments,
    /// Refused to accept; the applicant may apply again.
    Refused,
    /// Withdrawn by the applicant.
    Withdrawn,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Accepted => "accepted",
            Status::MissingDocuments => "missing_documents",
            Status::Refused => "refused",
            Status::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Status::Pending,
            Status::Accepted,
            Status::MissingDocuments,
            Status::Refused,
            Status::Withdrawn,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LocalizedName {
    pub az: String,
    pub en: String,
    pub ru: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Department {
    pub id: String,
    pub name: LocalizedName,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OfficerRef {
    pub id: String,
    pub full_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserProfile {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub department: Department,
}

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionRequest {
    pub username: String,
    pub password: String,
}

// Debug output (logs, panics) leaves the password out.
impl std::fmt::Debug for SessionRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRequest")
            .field("username", &self.username)
            .field("password", &"…")
            .finish()
    }
}

#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionResponse {
    /// Bearer token for the `Authorization` header.
    pub token: String,
    pub expires_at: String,
    pub user: UserProfile,
}

// Debug output (logs, panics) leaves the token out.
impl std::fmt::Debug for SessionResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionResponse")
            .field("token", &"…")
            .field("expires_at", &self.expires_at)
            .field("user", &self.user)
            .finish()
    }
}

#[cfg(test)]
mod secret_tests {
    use super::*;

    #[test]
    fn passwords_and_tokens_stay_out_of_debug_output() {
        let request = SessionRequest {
            username: "aysel".into(),
            password: "novruz-seki-71".into(),
        };
        let shown = format!("{request:?}");
        assert!(
            shown.contains("aysel") && !shown.contains("novruz-seki-71"),
            "{shown}"
        );
        let response = SessionResponse {
            token: "tok-3f9a".into(),
            expires_at: "2026-11-30T12:00:00Z".into(),
            user: UserProfile {
                id: "u1".into(),
                username: "aysel".into(),
                full_name: "Aysel Məmmədova".into(),
                role: Role::Officer,
                department: Department {
                    id: "baku".into(),
                    name: LocalizedName {
                        az: "Bakı".into(),
                        en: "Baku".into(),
                        ru: "Баку".into(),
                    },
                },
            },
        };
        let shown = format!("{response:?}");
        assert!(!shown.contains("tok-3f9a"), "{shown}");
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Applicant {
    /// The name in Latin script, as in the passport.
    pub name_latin: String,
    /// The name as the applicant writes it (any script).
    pub name_native: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passport_number: Option<String>,
    /// YYYY-MM-DD.
    pub date_of_birth: String,
    /// ISO 3166-1 alpha-3.
    pub nationality: String,
    pub email: String,
    #[schema(value_type = String, example = "az")]
    pub language: Lang,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FormField {
    pub key: String,
    pub value: String,
}

/// A group of form fields, in the order the applicant filled them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FormGroup {
    pub key: String,
    pub fields: Vec<FormField>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DocumentMeta {
    pub id: String,
    /// A document type code from the catalogue.
    #[serde(rename = "type")]
    pub doc_type: String,
    pub file_name: String,
    pub mime_type: String,
    pub size: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Assignment {
    pub officer: Option<OfficerRef>,
    /// Grows with every change to the case; decisions and reassignments name the version
    /// they were based on.
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HistoryEvent {
    pub at: String,
    /// received, assigned, reassigned, decided, documents_added, withdrawn, decision_conflict.
    pub kind: String,
    pub actor: Option<OfficerRef>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApplicationDetail {
    pub id: String,
    pub number: String,
    pub service: String,
    pub tier: String,
    pub submitted_at: String,
    /// YYYY-MM-DD: the decision deadline in working days from submission.
    pub due_date: String,
    pub department_id: String,
    pub status: Status,
    pub assignment: Assignment,
    pub applicant: Applicant,
    pub form: Vec<FormGroup>,
    pub documents: Vec<DocumentMeta>,
    pub history: Vec<HistoryEvent>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Created,
    Changed,
    Reassigned,
    Withdrawn,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Created => "created",
            ChangeKind::Changed => "changed",
            ChangeKind::Reassigned => "reassigned",
            ChangeKind::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            ChangeKind::Created,
            ChangeKind::Changed,
            ChangeKind::Reassigned,
            ChangeKind::Withdrawn,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Change {
    pub kind: ChangeKind,
    pub at: String,
    pub application_id: String,
    /// The case as it is now; absent when the case has left the caller's concern (moved to
    /// another officer): `assignment` then says where it went.
    pub application: Option<ApplicationDetail>,
    pub assignment: Assignment,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChangesPage {
    pub changes: Vec<Change>,
    /// Pass this back as `cursor` to continue. Opaque.
    pub next_cursor: String,
    pub has_more: bool,
}

pub use migdesk_domain::decision::{DecisionKind, ReasonCode, RefusalReason};

/// The status a decision gives a case.
pub fn decided_status(kind: DecisionKind) -> Status {
    match kind {
        DecisionKind::Accept => Status::Accepted,
        DecisionKind::MissingDocuments => Status::MissingDocuments,
        DecisionKind::Refuse => Status::Refused,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
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
    pub decided_at: String,
}

impl DecisionRequest {
    /// The officer's choice, without the envelope.
    pub fn decision(&self) -> migdesk_domain::decision::Decision {
        migdesk_domain::decision::Decision {
            kind: self.kind,
            missing_documents: self.missing_documents.clone(),
            missing_other: self.missing_other.clone(),
            reasons: self.reasons.clone(),
            note: self.note.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DecisionResponse {
    pub id: Uuid,
    pub application_id: String,
    pub status: Status,
    pub version: i64,
    pub notification_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OfficerLoad {
    pub officer: OfficerRef,
    pub open: i64,
    pub overdue: i64,
    pub due_this_week: i64,
    pub last_sync_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Workload {
    pub department_id: String,
    /// The day the figures were computed for (YYYY-MM-DD).
    pub today: String,
    pub officers: Vec<OfficerLoad>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentItem {
    pub application_id: String,
    pub based_on_version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentRequest {
    pub applications: Vec<AssignmentItem>,
    pub officer_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Moved {
    pub application_id: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AssignmentResponse {
    pub moved: Vec<Moved>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    pub application_id: String,
    pub decision_id: String,
    pub to: String,
    pub language: String,
    pub subject: String,
    pub body: String,
    /// queued, sent or failed.
    pub state: String,
    pub created_at: String,
    pub sent_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Tracking {
    pub number: String,
    pub status: Status,
    /// The official responsible for the application, when one is assigned.
    pub responsible: Option<String>,
    pub updated_at: String,
}

/// A case of one officer, as the supervisor sees it before moving it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OfficerCases {
    pub officer: OfficerRef,
    pub last_sync_at: Option<String>,
    /// The officer's open cases (pending or missing documents), due first.
    pub cases: Vec<SupervisedCase>,
}

/// What a supervisor does with a decision kept as a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolutionRequest {
    pub action: ResolutionAction,
    /// Why; required to discard.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConflictResolution {
    pub action: ResolutionAction,
    pub reason: Option<String>,
    pub by: OfficerRef,
    pub at: String,
}

/// A decision the centre kept but could not apply, with the whole story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConflictRecord {
    pub decision_id: String,
    pub application_id: String,
    pub number: String,
    pub service: String,
    pub applicant_name: String,
    pub kind: DecisionKind,
    /// Why it could not be applied: reassigned, already_decided, stale_version, withdrawn.
    pub cause: String,
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

//! A case as the centre holds it, and the change feed that brings cases to a desk.

use migdesk_domain::Lang;
use serde::{Deserialize, Serialize};

use crate::history::HistoryEvent;
use crate::session::OfficerRef;

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    pub const ALL: [Status; 5] = [
        Status::Pending,
        Status::Accepted,
        Status::MissingDocuments,
        Status::Refused,
        Status::Withdrawn,
    ];

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
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
    /// Still waiting for someone (the officer or the applicant).
    pub fn is_open(self) -> bool {
        matches!(self, Status::Pending | Status::MissingDocuments)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "az"))]
    pub language: Lang,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormField {
    pub key: String,
    pub value: String,
}

/// A group of form fields, in the order the applicant filled them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormGroup {
    pub key: String,
    pub fields: Vec<FormField>,
}

/// The value of `field` in the form's group `group`, trimmed; `None` when absent or blank.
pub fn form_value<'a>(form: &'a [FormGroup], group: &str, field: &str) -> Option<&'a str> {
    form.iter()
        .filter(|g| g.key == group)
        .flat_map(|g| &g.fields)
        .find(|f| f.key == field)
        .map(|f| f.value.trim())
        .filter(|v| !v.is_empty())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentMeta {
    pub id: String,
    /// A document type code from the catalogue.
    #[serde(rename = "type")]
    pub doc_type: String,
    pub file_name: String,
    pub mime_type: String,
    pub size: i64,
    pub sha256: String,
    /// The officer who added it at the counter; absent for what the applicant sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_by: Option<OfficerRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignment {
    pub officer: Option<OfficerRef>,
    /// Grows with every change to the case; decisions and reassignments name the version
    /// they were based on.
    pub version: i64,
}

/// The decision deadline, stopped while the applicant owes documents: the catalogue's deadlines
/// run from a complete application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PausedDeadline {
    /// YYYY-MM-DD (Baku): the day the missing-documents decision reached the centre.
    pub since: String,
    /// The working days that were left then; the deadline runs again, with these, from the day
    /// the documents arrive.
    pub working_days_left: i64,
}

/// The decision a related application received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RelatedDecision {
    pub kind: crate::DecisionKind,
    /// When the officer decided (RFC 3339).
    pub decided_at: String,
    /// A refusal's reasons.
    #[serde(default)]
    pub reasons: Vec<crate::RefusalReason>,
    /// The documents a missing-documents decision named.
    #[serde(default)]
    pub missing_documents: Vec<String>,
}

/// Another application of the same applicant, linked by FIN or by passport number
/// (normalised: upper case, no spaces or dashes), earlier or running at the same time, in any
/// department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RelatedApplication {
    pub application_id: String,
    pub number: String,
    pub service: String,
    pub submitted_at: String,
    pub status: Status,
    pub department_id: String,
    /// Linked by the same FIN.
    pub same_fin: bool,
    /// Linked by the same passport number.
    pub same_passport: bool,
    /// The last decision applied to it, if any.
    pub decision: Option<RelatedDecision>,
    /// Open at the same time as this one, for the same service: possibly the same request
    /// twice.
    pub possible_duplicate: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplicationDetail {
    pub id: String,
    pub number: String,
    pub service: String,
    pub tier: String,
    pub submitted_at: String,
    /// YYYY-MM-DD: the decision deadline in working days from submission (moved on by the
    /// days it was paused).
    pub due_date: String,
    /// Set while the applicant owes documents: the deadline is stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused: Option<PausedDeadline>,
    pub department_id: String,
    pub status: Status,
    pub assignment: Assignment,
    pub applicant: Applicant,
    pub form: Vec<FormGroup>,
    pub documents: Vec<DocumentMeta>,
    pub history: Vec<HistoryEvent>,
    /// The applicant's other applications, newest first, as the centre linked them when it
    /// described this case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applicant_history: Vec<RelatedApplication>,
    /// Set once the permit or document of an accepted case was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<crate::Execution>,
    /// Set while an officer's refusal waits for a supervisor's approval (four eyes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<crate::Proposal>,
}

impl ApplicationDetail {
    /// The officer the case is with, if any.
    pub fn officer_id(&self) -> Option<&str> {
        self.assignment.officer.as_ref().map(|o| o.id.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Created,
    Changed,
    Reassigned,
    Withdrawn,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 4] = [
        ChangeKind::Created,
        ChangeKind::Changed,
        ChangeKind::Reassigned,
        ChangeKind::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Created => "created",
            ChangeKind::Changed => "changed",
            ChangeKind::Reassigned => "reassigned",
            ChangeKind::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub kind: ChangeKind,
    pub at: String,
    pub application_id: String,
    /// The case as it is now; absent when the case has left the caller's concern (moved to
    /// another officer): `assignment` then says where it went.
    pub application: Option<ApplicationDetail>,
    pub assignment: Assignment,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangesPage {
    pub changes: Vec<Change>,
    /// Pass this back as `cursor` to continue. Opaque.
    pub next_cursor: String,
    pub has_more: bool,
}

/// The query of `GET /changes`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    /// Where the previous page ended, as the last page's `next_cursor` gave it; absent or empty
    /// for the first sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        param(pattern = r"^(c1:[0-9]{1,18}|c2:[0-9a-f]{16}:[0-9]{1,18})?$")
    )]
    pub cursor: Option<String>,
    /// At most this many changes (default 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000))]
    pub limit: Option<u32>,
}

/// An e-mail to the applicant, as the centre queued it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: i64,
    pub application_id: String,
    pub decision_id: String,
    pub to: String,
    pub language: String,
    pub subject: String,
    pub body: String,
    /// `queued`; `sending` (taken by a delivery; if it stays so, its outcome is unknown and a
    /// supervisor decides); `sent`; or `failed` (after every attempt, with the last error).
    pub state: String,
    pub created_at: String,
    pub sent_at: Option<String>,
}

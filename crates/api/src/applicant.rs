//! What the applicant portal uses: tracking an application, sending documents, withdrawing.
//! The portal calls with its own credential (a bearer token issued by `migdesk-central
//! portal-token`) on behalf of an applicant it has authenticated.

use serde::{Deserialize, Serialize};

use crate::cases::{DocumentMeta, Status};
use crate::session::Department;

/// The most documents one submission may carry.
pub const MAX_DOCUMENTS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tracking {
    pub number: String,
    pub status: Status,
    /// The department responsible for the application. Officers are not named to the public.
    pub department: Department,
    pub updated_at: String,
    /// What happened to the application, oldest first, as the applicant may see it.
    #[serde(default)]
    pub steps: Vec<TrackingStep>,
}

/// One step of an application as the applicant follows it (officers are not named).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackingStep {
    pub at: String,
    pub step: TrackingStepKind,
    /// For a decision: the verification code printed on its letter, so that whoever holds the
    /// letter can check it is the service's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub letter_code: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TrackingStepKind {
    Received,
    /// Accepted: processing has started.
    Accepted,
    /// Documents are missing: the applicant was told which.
    MissingDocuments,
    Refused,
    /// Further documents from the applicant arrived.
    DocumentsReceived,
    Withdrawn,
    /// Opened again after a complaint or a court order; a new decision will follow.
    Reopened,
    /// The permit or document was issued.
    Executed,
}

impl TrackingStepKind {
    /// The step an event of the case's history is to the applicant, if it is one.
    pub fn of(event: &crate::Event) -> Option<Self> {
        use crate::Event;
        use migdesk_domain::decision::DecisionKind;
        Some(match event {
            Event::Received { .. } => Self::Received,
            Event::Decided { kind, .. } => match kind {
                DecisionKind::Accept => Self::Accepted,
                DecisionKind::MissingDocuments => Self::MissingDocuments,
                DecisionKind::Refuse => Self::Refused,
            },
            Event::DocumentsAdded { .. } => Self::DocumentsReceived,
            Event::Withdrawn {} => Self::Withdrawn,
            Event::Reopened { .. } => Self::Reopened,
            Event::Executed { .. } => Self::Executed,
            _ => return None,
        })
    }
}

/// The query of `GET /tracking`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct TrackingQuery {
    pub number: String,
    /// YYYY-MM-DD
    pub date_of_birth: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SentDocument {
    /// A document type code from the catalogue.
    #[serde(rename = "type")]
    pub doc_type: String,
    pub file_name: String,
    /// The file, base64-encoded (the portal's upload format; the desk never sees this).
    pub content_base64: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SendDocumentsRequest {
    pub date_of_birth: String,
    /// 1 to [`MAX_DOCUMENTS`] files.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 20))]
    pub documents: Vec<SentDocument>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SendDocumentsResponse {
    pub added: Vec<DocumentMeta>,
    pub status: Status,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WithdrawRequest {
    pub date_of_birth: String,
}

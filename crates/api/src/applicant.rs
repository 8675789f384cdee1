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

//! The one error shape of the API: `{ "kind": ..., "message": ... }`, plus a machine-readable
//! `cause` and the case as it is now on conflicts.

use serde::{Deserialize, Serialize};

use crate::cases::{Assignment, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    /// The request is well formed but does not fit: its `problems` say each thing wrong.
    UnprocessableEntity,
    UnsupportedMediaType,
    RangeNotSatisfiable,
    TooManyRequests,
    /// The cursor belongs to another history of the change feed (a restore from a backup).
    Gone,
    Internal,
    /// Never sent by this centre: what a client reads for a kind newer than itself.
    #[serde(other)]
    Unknown,
}

/// Why a decision could not be applied: a 409's `cause`, and the cause of each kept decision in
/// the conflicts list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ConflictCause {
    /// The case is no longer assigned to the caller (a supervisor moved it).
    Reassigned,
    /// The case already has a decision.
    AlreadyDecided,
    /// The case changed since the version the caller worked on (documents added, for example).
    StaleVersion,
    /// The applicant withdrew the application.
    Withdrawn,
    /// The request id was already used for a different request.
    IdReused,
    /// Refused for good (400, 403 or 422: the decision does not fit the case, or the caller may
    /// not decide it); no retry changes that answer. Never a 409's cause: it appears in the
    /// conflicts list, with the centre's words as the record's `message`.
    Rejected,
    /// Never sent by this centre: what a client reads for a cause newer than itself.
    #[serde(other)]
    Unknown,
}

impl ConflictCause {
    pub const ALL: [ConflictCause; 7] = [
        ConflictCause::Reassigned,
        ConflictCause::AlreadyDecided,
        ConflictCause::StaleVersion,
        ConflictCause::Withdrawn,
        ConflictCause::IdReused,
        ConflictCause::Rejected,
        ConflictCause::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConflictCause::Reassigned => "reassigned",
            ConflictCause::AlreadyDecided => "already_decided",
            ConflictCause::StaleVersion => "stale_version",
            ConflictCause::Withdrawn => "withdrawn",
            ConflictCause::IdReused => "id_reused",
            ConflictCause::Rejected => "rejected",
            ConflictCause::Unknown => "unknown",
        }
    }
    /// The cause named `s`; [`ConflictCause::Unknown`] for a name this version does not know.
    pub fn parse(s: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .unwrap_or(ConflictCause::Unknown)
    }
}

/// On a conflict: the case as the centre has it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrentCase {
    /// Present when the request named several cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    pub status: Status,
    pub assignment: Assignment,
    /// When the case last changed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_at: Option<String>,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<ConflictCause>,
    /// On conflicts: the case as the centre has it now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<CurrentCase>,
    /// On a 422: each thing wrong with the request, naming its field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<crate::Problem>,
}

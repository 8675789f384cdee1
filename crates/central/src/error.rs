//! The one error shape of the API: `{ "kind": ..., "message": ... }`, plus a machine-readable
//! `cause` on conflicts. Every handler returns [`ApiError`]; nothing panics on bad input.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub use migdesk_api::{ConflictCause, CurrentCase, ErrorBody, ErrorKind};

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// Boxed: errors travel through every `Result` of the service and should stay small.
    pub body: Box<ErrorBody>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Box::new(ErrorBody {
                kind,
                message: message.into(),
                cause: None,
                current: None,
                problems: Vec::new(),
            }),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorKind::BadRequest, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorKind::Unauthorized, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorKind::Forbidden, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorKind::NotFound, message)
    }
    /// 410: what the caller holds belongs to a history the centre no longer has.
    pub fn gone(message: impl Into<String>) -> Self {
        Self::new(StatusCode::GONE, ErrorKind::Gone, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorKind::Internal,
            message,
        )
    }
    /// 409: the case is not in a state that allows this (no machine-readable cause).
    pub fn wrong_state(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, ErrorKind::Conflict, message)
    }
    pub fn conflict(
        cause: ConflictCause,
        message: impl Into<String>,
        current: Option<CurrentCase>,
    ) -> Self {
        let mut e = Self::new(StatusCode::CONFLICT, ErrorKind::Conflict, message);
        e.body.cause = Some(cause);
        e.body.current = current;
        e
    }
    /// 422: the request does not fit (the catalogue, the calendar); each problem named.
    pub fn unprocessable(problems: Vec<migdesk_api::Problem>) -> Self {
        let message = problems
            .iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect::<Vec<_>>()
            .join("; ");
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::UnprocessableEntity,
            message,
        );
        e.body.problems = problems;
        e
    }
    pub fn too_many_requests(message: impl Into<String>, retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::TooManyRequests,
            message,
        );
        e.retry_after = Some(retry_after);
        e
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        crate::sql::Error::from(e).into()
    }
}

impl From<crate::sql::Error> for ApiError {
    fn from(e: crate::sql::Error) -> Self {
        if e.is_lost_race() {
            // Run again by `Db`; said only if it keeps losing.
            tracing::debug!(error = %e, "a transaction lost a race with a concurrent one");
        } else {
            tracing::error!(error = %e, "database error");
        }
        Self::internal("the central database could not complete the request")
    }
}

impl From<migdesk_domain::password::PasswordError> for ApiError {
    fn from(e: migdesk_domain::password::PasswordError) -> Self {
        Self::internal(e.to_string())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let kind = match status {
            StatusCode::PAYLOAD_TOO_LARGE => ErrorKind::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorKind::UnsupportedMediaType,
            _ => ErrorKind::BadRequest,
        };
        // 422 from axum (wrong types, unknown fields) is a bad request in this API.
        let status = if status == StatusCode::UNPROCESSABLE_ENTITY {
            StatusCode::BAD_REQUEST
        } else {
            status
        };
        Self::new(status, kind, rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::bad_request(rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::bad_request(rejection.body_text())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.body.message)
    }
}

impl std::error::Error for ApiError {}

/// The one error type of this crate: what a route answers, and what opening the database,
/// seeding, or setting up mail fails with (as `internal`, the message saying what).
pub type ApiResult<T> = Result<T, ApiError>;

//! A signed-in desk asks for a newer desk and downloads its package (see `crate::releases`).

use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::NeedsSession;
use crate::AppState;
use crate::audit_log::{self, Action, Desk, DeskHeader, Entry};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::releases;
use migdesk_api::{DeskUpdate, DeskUpdateQuery, DeskVersion};

fn version_of(text: &str, what: &str) -> ApiResult<DeskVersion> {
    DeskVersion::parse(text)
        .ok_or_else(|| ApiError::bad_request(format!("{what} `{text}` is not MAJOR.MINOR.PATCH")))
}

/// The newest desk IT published, when it is newer than the asking desk; 204 when there is none.
#[utoipa::path(get, path = "/api/v1/desk/update", tag = "desk", security(("bearer" = [])),
    params(DeskUpdateQuery),
    responses(
        (status = 200, body = DeskUpdate, description = "A newer desk"),
        (status = 204, description = "This desk is the newest"),
        (status = 400, body = ErrorBody, description = "current_version missing or not MAJOR.MINOR.PATCH"),
        NeedsSession))]
pub async fn update(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(query): ApiQuery<DeskUpdateQuery>,
) -> ApiResult<Response> {
    let current = version_of(&query.current_version, "current_version")?;
    let newer = state
        .db
        .read(move |conn| releases::newer_than(conn, current))
        .await?;
    Ok(match newer {
        Some(update) => axum::Json(update).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// A published desk's package (a .deb), to be checked against its signature by the desk.
#[utoipa::path(get, path = "/api/v1/desk/releases/{version}/package", tag = "desk", security(("bearer" = [])),
    params(("version" = String, Path, description = "MAJOR.MINOR.PATCH", pattern = r"^[0-9]{1,9}\.[0-9]{1,9}\.[0-9]{1,9}$"), DeskHeader),
    responses(
        (status = 200, description = "The package", content((Vec<u8> = "application/vnd.debian.binary-package"))),
        (status = 400, body = ErrorBody, description = "Not MAJOR.MINOR.PATCH"),
        NeedsSession,
        (status = 404, body = ErrorBody, description = "No such release")))]
pub async fn package(
    State(state): State<AppState>,
    caller: Caller,
    desk: Desk,
    ApiPath(version): ApiPath<String>,
) -> ApiResult<Response> {
    let version = version_of(&version, "the version")?;
    let (bytes, sha256) = state
        .db
        .read(move |conn| releases::package(conn, version))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no desk {version} was published")))?;
    let read =
        Entry::by(&caller, &desk, Action::DeskReleaseDownloaded).subject(version.to_string());
    audit_log::record(&state.db, read).await?;
    Response::builder()
        .header(
            header::CONTENT_TYPE,
            "application/vnd.debian.binary-package",
        )
        .header(header::CONTENT_LENGTH, bytes.len())
        .header(header::ETAG, format!("\"{sha256}\""))
        .header(header::CACHE_CONTROL, "private, no-transform")
        .body(Body::from(bytes))
        .map_err(|e| ApiError::internal(e.to_string()))
}

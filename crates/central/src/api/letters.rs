//! `GET /applications/{id}/decisions/{decision_id}/letter.pdf`: a decision's letter to the
//! applicant (`crate::letter`), for whoever may read the case; each read is in the centre's audit
//! trail.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::NeedsSession;
use crate::AppState;
use crate::audit_log::{self, Action, Desk, DeskHeader, Entry};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiPath;
use crate::{letter, store};

/// The letter of a decision applied to the case, in the applicant's language.
#[utoipa::path(get, path = "/api/v1/applications/{id}/decisions/{decision_id}/letter.pdf", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Application id"),
        ("decision_id" = String, Path, description = "The decision's id"), DeskHeader),
    responses(
        (status = 200, description = "The letter", content_type = "application/pdf", body = Vec<u8>),
        NeedsSession,
        (status = 404, body = ErrorBody, description = "No such case for the caller, or no such decision applied to it"),
    ))]
pub async fn letter(
    State(state): State<AppState>,
    caller: Caller,
    desk: Desk,
    ApiPath((id, decision_id)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let read = Entry::by(&caller, &desk, Action::LetterRead)
        .on_case(&id)
        .subject(&decision_id);
    let catalogue = state.catalogue.clone();
    let tracking = state.config.tracking_address.clone();
    let (bytes, name) = state
        .db
        .read(move |conn| {
            store::visible_case(conn, &caller, &id)?;
            let bytes = letter::render(conn, &catalogue, &id, &decision_id, &tracking)?
                .ok_or_else(|| {
                    ApiError::not_found(format!("no decision {decision_id} applied to {id}"))
                })?;
            Ok((bytes, letter::file_name(conn, &id)))
        })
        .await?;
    audit_log::record(&state.db, read).await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(disposition) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}

//! `GET /applications/{id}` (the case as the desk caches it) and the e-mails queued for it;
//! each read is recorded in the centre's audit trail (`audit_log`) before it is answered.

use axum::Json;
use axum::extract::State;
use rusqlite::params;

use super::NeedsSession;
use crate::AppState;
use crate::audit_log::{self, Action, Desk, DeskHeader, Entry};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiPath;
use crate::store;
use migdesk_api::{ApplicationDetail, Notification, RelatedApplication};

/// A case with its form, documents, assignment and history.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Application id"), DeskHeader),
    responses((status = 200, body = ApplicationDetail), NeedsSession,
        (status = 404, body = ErrorBody, description = "No such application in the caller's department")))]
pub async fn detail(
    State(state): State<AppState>,
    caller: Caller,
    desk: Desk,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<ApplicationDetail>> {
    let read = Entry::by(&caller, &desk, Action::CaseRead).on_case(&id);
    let detail = state
        .db
        .read(move |conn| {
            store::visible_case(conn, &caller, &id)?;
            store::application_detail(conn, &id)?
                .map(Json)
                .ok_or_else(|| ApiError::not_found(format!("no application {id}")))
        })
        .await?;
    audit_log::record(&state.db, read).await?;
    Ok(detail)
}

/// The e-mails sent (or queued) to the applicant about this case: exactly what they were told.
#[utoipa::path(get, path = "/api/v1/applications/{id}/notifications", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Application id"), DeskHeader),
    responses((status = 200, body = Vec<Notification>), NeedsSession, (status = 404, body = ErrorBody)))]
pub async fn notifications(
    State(state): State<AppState>,
    caller: Caller,
    desk: Desk,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Vec<Notification>>> {
    let read = Entry::by(&caller, &desk, Action::NotificationsRead).on_case(&id);
    let notifications = state
        .db
        .read(move |conn| {
            store::visible_case(conn, &caller, &id)?;
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {} FROM notifications WHERE application_id = ?1 ORDER BY id",
                store::NOTIFICATION_COLUMNS
            ))?;
            let rows = stmt.query_map(params![id], store::notification)?;
            Ok(Json(rows.collect::<Result<_, _>>()?))
        })
        .await?;
    audit_log::record(&state.db, read).await?;
    Ok(notifications)
}

/// The applicant's other applications, earlier and running at the same time, in any department,
/// linked by FIN or by passport number (normalised), newest first: service, date, status and
/// the decision with its reasons; an open one for the same service is flagged as a possible
/// duplicate. The same list comes with the case in its detail and the change feed.
#[utoipa::path(get, path = "/api/v1/applications/{id}/applicant-history", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Application id"), DeskHeader),
    responses((status = 200, body = Vec<RelatedApplication>), NeedsSession, (status = 404, body = ErrorBody)))]
pub async fn applicant_history(
    State(state): State<AppState>,
    caller: Caller,
    desk: Desk,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Vec<RelatedApplication>>> {
    let read = Entry::by(&caller, &desk, Action::ApplicantHistoryRead).on_case(&id);
    let related = state
        .db
        .read(move |conn| {
            store::visible_case(conn, &caller, &id)?;
            Ok(Json(store::applicant_history(conn, &id)?))
        })
        .await?;
    audit_log::record(&state.db, read).await?;
    Ok(related)
}

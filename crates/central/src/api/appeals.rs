//! After the decision. `POST /applications/{id}/reopen`: a supervisor of the case's department
//! opens a decided case again — an upheld complaint or a court order, with its reference — and
//! it goes back to its officer, waiting for a decision, with the catalogue's deadline running
//! again from today. `POST /applications/{id}/execution`: the case's officer (or a supervisor)
//! records that the permit or document of an accepted case was issued. Each is an event in the
//! history, moves the case's version and reaches the desks through the change feed.

use crate::sql::Conn;
use axum::Json;
use axum::extract::State;
use rusqlite::params;

use super::NeedsSession;
use crate::AppState;
use crate::auth::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult, ConflictCause, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::store::{self, CaseRow};
use migdesk_api::{
    ApplicationDetail, ChangeKind, Event, ExecutionRequest, MAX_REASON, MAX_REFERENCE,
    ReopenRequest, Role, Status,
};

/// Moves the case's version on and records the change for its officer and department.
pub(crate) fn changed(tx: &Conn<'_>, case: &CaseRow, now: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE applications SET version = version + 1, updated_at = ?1 WHERE id = ?2",
        params![now, case.id],
    )?;
    store::case_changed(tx, case, ChangeKind::Changed, now)
}

pub(crate) fn detail_now(tx: &Conn<'_>, id: &str) -> ApiResult<Json<ApplicationDetail>> {
    store::application_detail(tx, id)?
        .map(Json)
        .ok_or_else(|| ApiError::internal("the case just changed is gone"))
}

/// Opens a decided case (accepted or refused) again, by a supervisor of its department, when a
/// complaint is upheld or a court orders it. The case goes back to its officer waiting for a
/// decision, its deadline the catalogue's from today; an execution already recorded means the
/// permit was issued, and it is not reopened here.
#[utoipa::path(post, path = "/api/v1/applications/{id}/reopen", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = ReopenRequest,
    responses(
        (status = 200, body = ApplicationDetail, description = "Reopened: the case as it is now"),
        (status = 400, body = ErrorBody, description = "No reference or reason, or one too long"),
        NeedsSession,
        (status = 403, body = ErrorBody, description = "Not a supervisor"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The case changed since (`stale_version`), is not decided, or its permit was issued"),
    ))]
pub async fn reopen(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ReopenRequest>,
) -> ApiResult<Json<ApplicationDetail>> {
    caller.require_supervisor()?;
    let reference = migdesk_api::bounded_text("the reference", &req.reference, MAX_REFERENCE)
        .map_err(ApiError::bad_request)?;
    let reason = migdesk_api::bounded_text("the reason", &req.reason, MAX_REASON)
        .map_err(ApiError::bad_request)?;
    state
        .db
        .write(move |tx| {
            let case = store::visible_case(tx, &caller, &id)?;
            if case.version != req.based_on_version {
                return Err(ApiError::conflict(
                    ConflictCause::StaleVersion,
                    format!("{} changed since you looked at it", case.number),
                    Some(store::current_case(tx, &case, Some(case.id.clone()), None)?),
                ));
            }
            if !matches!(case.status, Status::Accepted | Status::Refused) {
                return Err(ApiError::wrong_state(format!(
                    "{} has no final decision to reopen",
                    case.number
                )));
            }
            let (tier, executed): (String, bool) = tx.query_row(
                "SELECT tier, executed_on IS NOT NULL FROM applications WHERE id = ?1",
                [&case.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if executed {
                return Err(ApiError::wrong_state(format!(
                    "the permit of {} was issued: annul it before the case is decided again",
                    case.number
                )));
            }
            let days = state
                .catalogue
                .service(&case.service)
                .and_then(|s| s.tier(&tier))
                .map(|t| t.deadline_working_days)
                .ok_or_else(|| {
                    ApiError::internal(format!("{} {tier} is not in the catalogue", case.service))
                })?;
            let now_at = clock::now();
            let due_date = state
                .calendar
                .add_working_days(clock::local_date(now_at), days)
                .map_err(|e| ApiError::internal(format!("the working-day calendar: {e}")))?
                .format("%Y-%m-%d")
                .to_string();
            let now = clock::format(now_at);
            tx.execute(
                "UPDATE applications SET status = 'pending', due_date = ?1, paused_on = NULL, paused_days_left = NULL WHERE id = ?2",
                params![due_date, case.id],
            )?;
            store::add_event(
                tx,
                &case.id,
                &now,
                Some(&caller.user_id),
                &Event::Reopened {
                    ground: req.ground,
                    reference: reference.clone(),
                    reason: reason.clone(),
                    previous_status: case.status,
                    due_date,
                },
            )?;
            changed(tx, &case, &now)?;
            detail_now(tx, &case.id)
        })
        .await
}

/// Records that the permit or document of an accepted case was issued, by the case's officer
/// or a supervisor of its department. Recording the same number again answers the case as it
/// is; another number once one is kept is 409.
#[utoipa::path(post, path = "/api/v1/applications/{id}/execution", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = ExecutionRequest,
    responses(
        (status = 200, body = ApplicationDetail, description = "Recorded: the case as it is now"),
        (status = 400, body = ErrorBody, description = "No number, a character a number does not have, or a day that is not a date, is in the future or before the application"),
        NeedsSession,
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The case is not accepted, is another officer's, or has another document recorded"),
    ))]
pub async fn execute(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ExecutionRequest>,
) -> ApiResult<Json<ApplicationDetail>> {
    let number =
        migdesk_api::document_number(&req.document_number).map_err(ApiError::bad_request)?;
    let issued = chrono::NaiveDate::parse_from_str(req.issued_on.trim(), "%Y-%m-%d")
        .map_err(|_| ApiError::bad_request("issued_on must be a date, YYYY-MM-DD"))?;
    let now_at = clock::now();
    if issued > clock::local_date(now_at) {
        return Err(ApiError::bad_request("issued_on is in the future"));
    }
    state
        .db
        .write(move |tx| {
            let case = store::visible_case(tx, &caller, &id)?;
            if caller.role == Role::Officer
                && case.officer_id.as_deref() != Some(caller.user_id.as_str())
            {
                return Err(ApiError::wrong_state(format!(
                    "{} is with another officer now",
                    case.number
                )));
            }
            if case.status != Status::Accepted {
                return Err(ApiError::wrong_state(format!(
                    "{} is not accepted: only an accepted application is executed",
                    case.number
                )));
            }
            let (submitted_at, kept): (String, Option<String>) = tx.query_row(
                "SELECT submitted_at, executed_document FROM applications WHERE id = ?1",
                [&case.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if let Some(kept) = kept {
                if kept == number {
                    return detail_now(tx, &case.id);
                }
                return Err(ApiError::wrong_state(format!(
                    "{} was executed with document {kept}",
                    case.number
                )));
            }
            if clock::parse(&submitted_at).is_some_and(|s| issued < clock::local_date(s)) {
                return Err(ApiError::bad_request(
                    "issued_on is before the application was submitted",
                ));
            }
            let issued_on = issued.format("%Y-%m-%d").to_string();
            let now = clock::format(now_at);
            tx.execute(
                "UPDATE applications SET executed_document = ?1, executed_on = ?2, executed_at = ?3, executed_by = ?4 WHERE id = ?5",
                params![number, issued_on, now, caller.user_id, case.id],
            )?;
            store::add_event(
                tx,
                &case.id,
                &now,
                Some(&caller.user_id),
                &Event::Executed {
                    document_number: number.clone(),
                    issued_on,
                },
            )?;
            changed(tx, &case, &now)?;
            detail_now(tx, &case.id)
        })
        .await
}

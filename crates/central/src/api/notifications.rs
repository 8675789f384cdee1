//! The applicants' e-mails that did not reach them, for the department's supervisors: the list
//! (failed after every attempt, or of unknown outcome — see `mail`) and queueing one again,
//! which goes into the case's history.

use crate::sql::OptionalExtension;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Duration;
use migdesk_api::Event;
use rusqlite::params;

use super::NeedsSupervisor;
use super::supervision::require_department_supervisor;
use crate::AppState;
use crate::audit_log::{self, Action, Desk, DeskHeader, Entry};
use crate::auth::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::extract::{ApiPath, ApiQuery};
use crate::mail::SENDING_UNKNOWN_AFTER_SECONDS;
use crate::store;
use migdesk_api::{Notification, UndeliveredEmail, UndeliveredQuery, UndeliveredState};

/// The kind of the history event a requeue leaves (`Event::NotificationRequeued`), as the
/// history export names it.
pub const REQUEUED: &str = "notification_requeued";

/// Where an e-mail stands, as a requeue finds it.
struct Attempt {
    application_id: String,
    state: String,
    claimed_at: Option<String>,
    attempts: i64,
    error: Option<String>,
    message_id: Option<String>,
}

/// Claims older than this have an unknown outcome.
fn unknown_before() -> String {
    clock::format(clock::now() - Duration::seconds(SENDING_UNKNOWN_AFTER_SECONDS))
}

/// The department's e-mails that failed after every attempt, and those whose sending was cut
/// off (claimed more than five minutes ago, never confirmed: nobody knows whether the applicant
/// has them; they are never sent again without a supervisor). Oldest first.
#[utoipa::path(get, path = "/api/v1/departments/{id}/notifications", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path, description = "Department id"), UndeliveredQuery, DeskHeader),
    responses((status = 200, body = Vec<UndeliveredEmail>), (status = 400, body = ErrorBody), NeedsSupervisor))]
pub async fn undelivered(
    State(state): State<AppState>,
    caller: Caller,
    desk: Desk,
    ApiPath(department_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<UndeliveredQuery>,
) -> ApiResult<Json<Vec<UndeliveredEmail>>> {
    require_department_supervisor(&caller, &department_id)?;
    let read = Entry::by(&caller, &desk, Action::UndeliveredRead).subject(&department_id);
    let (failed, sending) = match query.state {
        None => (true, true),
        Some(UndeliveredState::Failed) => (true, false),
        Some(UndeliveredState::Sending) => (false, true),
    };
    let before = unknown_before();
    let list = state
        .db
        .read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT n.id, n.application_id, a.number, n.decision_id, n.to_address, n.subject,
                        n.state, n.attempts, n.error, n.created_at, n.claimed_at, n.message_id
                 FROM notifications n JOIN applications a ON a.id = n.application_id
                 WHERE a.department_id = ?1
                   AND ((?2 AND n.state = 'failed') OR (?3 AND n.state = 'sending' AND n.claimed_at <= ?4))
                 ORDER BY n.id",
            )?;
            let rows = stmt.query_map(params![department_id, failed, sending, before], |r| {
                Ok(UndeliveredEmail {
                    id: r.get(0)?,
                    application_id: r.get(1)?,
                    application_number: r.get(2)?,
                    decision_id: r.get(3)?,
                    to: r.get(4)?,
                    subject: r.get(5)?,
                    state: if r.get::<_, String>(6)? == "failed" {
                        UndeliveredState::Failed
                    } else {
                        UndeliveredState::Sending
                    },
                    attempts: r.get(7)?,
                    last_error: r.get(8)?,
                    created_at: r.get(9)?,
                    claimed_at: r.get(10)?,
                    message_id: r.get(11)?,
                })
            })?;
            Ok(Json(rows.collect::<Result<_, _>>()?))
        })
        .await?;
    audit_log::record(&state.db, read).await?;
    Ok(list)
}

/// Queues an e-mail that failed, or whose sending was cut off, again with its attempts reset:
/// the supervisor decides the applicant should have it (for one of unknown outcome, after
/// looking for its Message-ID in the relay's log, since it may have been sent). Recorded in the
/// case's history.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/requeue", tag = "supervision", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The e-mail's id"), DeskHeader),
    responses(
        (status = 200, body = Notification, description = "Queued again"),
        (status = 400, body = ErrorBody),
        NeedsSupervisor,
        (status = 404, body = ErrorBody, description = "No such e-mail in the caller's department"),
        (status = 409, body = ErrorBody, description = "The e-mail is queued, sent, or being sent right now"),
    ))]
pub async fn requeue(
    State(state): State<AppState>,
    caller: Caller,
    desk: Desk,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Notification>> {
    caller.require_supervisor()?;
    let before = unknown_before();
    state
        .db
        .write_chained(move |tx| {
            let missing = || ApiError::not_found(format!("no e-mail {id} in your department"));
            let row = tx
                .query_row(
                    "SELECT application_id, state, claimed_at, attempts, error, message_id
                     FROM notifications WHERE id = ?1",
                    [id],
                    |r| {
                        Ok(Attempt {
                            application_id: r.get(0)?,
                            state: r.get(1)?,
                            claimed_at: r.get(2)?,
                            attempts: r.get(3)?,
                            error: r.get(4)?,
                            message_id: r.get(5)?,
                        })
                    },
                )
                .optional()?;
            let Attempt { application_id, state: current, claimed_at, attempts, error, message_id } =
                row.ok_or_else(missing)?;
            let case = store::visible_case(tx, &caller, &application_id).map_err(|_| missing())?;
            let cut_off = current == "sending" && claimed_at.as_deref().is_some_and(|at| *at <= *before);
            if current != "failed" && !cut_off {
                let why = match current.as_str() {
                    "sending" => "is being sent right now",
                    "sent" => "was sent",
                    _ => "is queued already",
                };
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    ErrorKind::Conflict,
                    format!("e-mail {id} {why}: only a failed one, or one whose sending was cut off, is queued again"),
                ));
            }
            tx.execute(
                "UPDATE notifications SET state = 'queued', attempts = 0, next_attempt_at = NULL,
                     error = NULL, claimed_at = NULL, message_id = NULL
                 WHERE id = ?1",
                [id],
            )?;
            let now = clock::format(clock::now());
            store::add_event(
                tx,
                &case.id,
                &now,
                Some(&caller.user_id),
                &Event::NotificationRequeued {
                    notification_id: id,
                    previous_state: current.clone(),
                    attempts,
                    last_error: error.clone(),
                    message_id: message_id.clone(),
                },
            )?;
            let requeued = Entry::by(&caller, &desk, Action::NotificationRequeued)
                .on_case(&case.id)
                .subject(id.to_string());
            audit_log::append(tx, &requeued, &now)?;
            Ok(Json(tx.query_row(
                &format!("SELECT {} FROM notifications WHERE id = ?1", store::NOTIFICATION_COLUMNS),
                [id],
                store::notification,
            )?))
        })
        .await
}

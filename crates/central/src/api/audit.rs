//! The desks' audit trail: every case an officer opened and every decision recorded, reported
//! by the desk when it syncs (possibly long after, possibly twice: kept once). Each new event
//! also enters the centre's hash-chained audit trail (`audit_log`), with the desk's time beside
//! the centre's: a time more than five minutes ahead of the centre's clock, or older than the
//! offline window, is flagged (`future`, `stale`), never refused.

use axum::Json;
use axum::extract::State;
use rusqlite::params;

use super::NeedsSession;
use crate::AppState;
use crate::audit_log::{self, Action, Desk, DeskHeader, Entry, Flag};
use crate::auth::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::store;

pub use migdesk_api::MAX_AUDIT_EVENTS as MAX_EVENTS;
use migdesk_api::{AuditReceipt, AuditReport, DeskEventKind};

/// The desk reports what its officer did. Events name cases of the caller's department.
#[utoipa::path(post, path = "/api/v1/audit", tag = "cases", security(("bearer" = [])),
    params(DeskHeader),
    request_body = AuditReport,
    responses((status = 200, body = AuditReceipt), (status = 400, body = ErrorBody), NeedsSession,
        (status = 404, body = ErrorBody, description = "An event names a case outside the caller's department")))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
    desk: Desk,
    ApiJson(req): ApiJson<AuditReport>,
) -> ApiResult<Json<AuditReceipt>> {
    if req.events.len() > MAX_EVENTS {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_EVENTS} events at a time"
        )));
    }
    for e in &req.events {
        if e.id.trim().is_empty() || e.id.chars().count() > 100 {
            return Err(ApiError::bad_request(
                "each event needs an id of at most 100 characters",
            ));
        }
        if clock::parse(&e.at).is_none() {
            return Err(ApiError::bad_request(format!(
                "{:?} is not an RFC 3339 time",
                e.at
            )));
        }
    }
    state
        .db
        .write_chained(move |tx| {
            let clock_now = clock::now();
            let now = clock::format(clock_now);
            let (mut recorded, mut repeated) = (0, 0);
            for e in &req.events {
                store::visible_case(tx, &caller, &e.application_id)?;
                let n = tx.execute(
                    "INSERT INTO desk_audit (user_id, desk_event_id, application_id, kind, at, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
                    params![caller.user_id, e.id, e.application_id, e.kind.as_str(), e.at, now],
                )?;
                if n == 0 {
                    repeated += 1;
                    continue;
                }
                recorded += 1;
                let action = match e.kind {
                    DeskEventKind::Opened => Action::DeskOpened,
                    DeskEventKind::Decided => Action::DeskDecided,
                };
                let entry = Entry {
                    reported_at: Some(e.at.clone()),
                    flag: clock::parse(&e.at).and_then(|at| Flag::for_reported(at, clock_now)),
                    ..Entry::by(&caller, &desk, action)
                        .on_case(&e.application_id)
                        .subject(&e.id)
                };
                audit_log::append(tx, &entry, &now)?;
            }
            Ok(Json(AuditReceipt { recorded, repeated }))
        })
        .await
}

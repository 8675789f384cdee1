//! The desks' audit trail: every case an officer opened and every decision recorded, reported
//! by the desk when it syncs (possibly long after, possibly twice: kept once).

use axum::Json;
use axum::extract::State;
use rusqlite::params;

use super::NeedsSession;
use crate::AppState;
use crate::auth::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::store;

pub use migdesk_api::MAX_AUDIT_EVENTS as MAX_EVENTS;
use migdesk_api::{AuditReceipt, AuditReport};

/// The desk reports what its officer did. Events name cases of the caller's department.
#[utoipa::path(post, path = "/api/v1/audit", tag = "cases", security(("bearer" = [])),
    request_body = AuditReport,
    responses((status = 200, body = AuditReceipt), (status = 400, body = ErrorBody), NeedsSession,
        (status = 404, body = ErrorBody, description = "An event names a case outside the caller's department")))]
pub async fn report(
    State(state): State<AppState>,
    caller: Caller,
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
        .write(move |tx| {
            let now = clock::format(clock::now());
            let (mut recorded, mut repeated) = (0, 0);
            for e in &req.events {
                store::visible_case(tx, &caller, &e.application_id)?;
                let n = tx.execute(
                    "INSERT OR IGNORE INTO desk_audit (user_id, desk_event_id, application_id, kind, at, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![caller.user_id, e.id, e.application_id, e.kind.as_str(), e.at, now],
                )?;
                if n == 1 { recorded += 1 } else { repeated += 1 }
            }
            Ok(Json(AuditReceipt { recorded, repeated }))
        })
        .await
}

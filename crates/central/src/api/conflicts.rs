//! Decisions kept as conflicts, and the supervisor's answer to each. A decision that reached
//! the centre after its case moved on is never applied silently and never dropped: it is listed
//! to the supervisor of the department, to the officer who made it and to the officer who has
//! the case now, until a supervisor applies it, hands it to the officer who has the case, or
//! discards it with a reason — and after that, with the answer. A decision the centre refused
//! for good (it did not fit the case, or was not the caller's to make) is listed the same way,
//! with the centre's words; it can be handed over or set aside, never applied.

use crate::sql::{Conn, OptionalExtension, Row};
use axum::Json;
use axum::extract::State;
use rusqlite::params;

use super::{NeedsSession, NeedsSupervisor};
use crate::AppState;
use crate::auth::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult, ConflictCause, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::store;
use migdesk_api::{
    ChangeKind, ConflictRecord, ConflictResolution, DecisionRequest, Event, OfficerRef,
    ResolutionAction, ResolutionRequest, Role, Status,
};

/// The conflicts' query, to which a filter is added (`AND …`).
fn select(conn: &Conn<'_>) -> String {
    format!(
        "SELECT d.id, d.application_id, a.number, a.service, {name},
        d.request, d.outcome, d.decided_at, d.received_at, d.officer_id, du.full_name,
        a.officer_id, cu.full_name, a.status, a.updated_at,
        r.action, r.reason, r.supervisor_id, su.full_name, r.at,
        CASE WHEN d.outcome = 'rejected' THEN {message} END
    FROM decisions d
    JOIN applications a ON a.id = d.application_id
    JOIN users du ON du.id = d.officer_id
    LEFT JOIN users cu ON cu.id = a.officer_id
    LEFT JOIN conflict_resolutions r ON r.decision_id = d.id
    LEFT JOIN users su ON su.id = r.supervisor_id
    WHERE d.outcome <> 'applied'",
        name = conn.json_text("a.applicant", "name_latin"),
        message = conn.json_text("d.response", "message"),
    )
}

fn record(r: &Row<'_>) -> crate::sql::Result<ConflictRecord> {
    let bad = |i: usize, e: serde_json::Error| crate::sql::Error::column(i, e);
    let request: DecisionRequest =
        serde_json::from_str(&r.get::<_, String>(5)?).map_err(|e| bad(5, e))?;
    let officer = |id: Option<String>, name: Option<String>| {
        id.zip(name)
            .map(|(id, full_name)| OfficerRef { id, full_name })
    };
    let resolution = match r.get::<_, Option<String>>(15)? {
        Some(action) => Some(ConflictResolution {
            action: ResolutionAction::parse(&action).unwrap_or(ResolutionAction::Discard),
            reason: r.get(16)?,
            by: OfficerRef {
                id: r.get(17)?,
                full_name: r.get(18)?,
            },
            at: r.get(19)?,
        }),
        None => None,
    };
    Ok(ConflictRecord {
        decision_id: r.get(0)?,
        application_id: r.get(1)?,
        number: r.get(2)?,
        service: r.get(3)?,
        applicant_name: r.get(4)?,
        kind: request.kind,
        cause: ConflictCause::parse(&r.get::<_, String>(6)?),
        message: r.get(20)?,
        decided_at: r.get(7)?,
        received_at: r.get(8)?,
        decided_by: OfficerRef {
            id: r.get(9)?,
            full_name: r.get(10)?,
        },
        now_with: officer(r.get(11)?, r.get(12)?),
        status: Status::parse(&r.get::<_, String>(13)?).unwrap_or(Status::Pending),
        changed_at: r.get(14)?,
        resolution,
    })
}

fn one(conn: &Conn<'_>, decision_id: &str) -> ApiResult<Option<ConflictRecord>> {
    Ok(conn
        .query_row(
            &format!("{} AND d.id = ?1", select(conn)),
            [decision_id],
            record,
        )
        .optional()?)
}

/// The conflicts the caller should know of: for a supervisor, the department's; for an
/// officer, the ones they caused and the ones on cases they have now. Unresolved first, newest
/// first.
#[utoipa::path(get, path = "/api/v1/conflicts", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Vec<ConflictRecord>), NeedsSession))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<ConflictRecord>>> {
    state
        .db
        .read(move |conn| {
            let filter = match caller.role {
                Role::Supervisor => "a.department_id = ?1 AND CAST(?2 AS TEXT) = ?2",
                Role::Officer => {
                    "a.department_id = ?1 AND (d.officer_id = ?2 OR a.officer_id = ?2)"
                }
            };
            let mut stmt = conn.prepare_cached(&format!(
                "{} AND d.outcome <> 'id_reused' AND {filter}
                 ORDER BY r.decision_id IS NOT NULL, d.received_at DESC, d.id",
                select(conn)
            ))?;
            let rows = stmt
                .query_map(params![caller.department_id, caller.user_id], record)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Json(rows))
        })
        .await
}

/// A supervisor's answer to a conflict. `apply` applies the decision as its officer made it
/// (409 `already_decided` if the case has a final decision or was withdrawn meanwhile);
/// `hand_over` leaves the case with the officer who has it, who decides it themselves;
/// `discard` needs a reason. Each answer goes into the case's history; a conflict is answered
/// once (409 on a second answer).
#[utoipa::path(post, path = "/api/v1/conflicts/{id}/resolution", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path, description = "The decision's id")),
    request_body = ResolutionRequest,
    responses(
        (status = 200, body = ConflictRecord),
        (status = 400, body = ErrorBody),
        NeedsSupervisor,
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Already answered, or the case can no longer take the decision"),
    ))]
pub async fn resolve(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(decision_id): ApiPath<String>,
    ApiJson(req): ApiJson<ResolutionRequest>,
) -> ApiResult<Json<ConflictRecord>> {
    caller.require_supervisor()?;
    let reason = super::supervision::reason(&req.reason)?;
    if req.action == ResolutionAction::Discard && reason.is_empty() {
        return Err(ApiError::bad_request(
            "discarding a decision needs a reason",
        ));
    }
    let catalogue = state.catalogue.clone();
    let calendar = state.calendar.clone();
    state
        .db
        .write(move |tx| {
            let conflict = one(tx, &decision_id)?
                .filter(|c| c.cause != ConflictCause::IdReused)
                .ok_or_else(|| ApiError::not_found(format!("no conflict {decision_id}")))?;
            let case = store::visible_case(tx, &caller, &conflict.application_id)
                .map_err(|_| ApiError::not_found(format!("no conflict {decision_id}")))?;
            if conflict.resolution.is_some() {
                return Err(ApiError::conflict(
                    ConflictCause::AlreadyDecided,
                    "this conflict was already resolved",
                    Some(store::current_case(tx, &case, None, Some(conflict.changed_at.clone()))?),
                ));
            }
            if req.action == ResolutionAction::Apply && conflict.cause == ConflictCause::Rejected {
                return Err(ApiError::bad_request(
                    "the centre refused this decision as it was made: hand the case over or set the decision aside",
                ));
            }
            let now = clock::format(clock::now());
            if req.action == ResolutionAction::Apply {
                if !matches!(case.status, Status::Pending | Status::MissingDocuments) {
                    return Err(ApiError::conflict(
                        ConflictCause::AlreadyDecided,
                        format!("{} already has a final decision or was withdrawn", case.number),
                        Some(store::current_case(tx, &case, None, Some(conflict.changed_at.clone()))?),
                    ));
                }
                let request: DecisionRequest = tx.query_row(
                    "SELECT request FROM decisions WHERE id = ?1",
                    [&decision_id],
                    |r| r.get::<_, String>(0),
                ).map(|text| serde_json::from_str(&text))?
                    .map_err(|e| ApiError::internal(e.to_string()))?;
                super::decisions::apply(
                    tx,
                    &catalogue,
                    &calendar,
                    &case,
                    &request,
                    &conflict.decided_by,
                    &now,
                )?;
            } else {
                // The case itself does not change, but its history does.
                store::case_changed(tx, &case, ChangeKind::Changed, &now)?;
            }
            let reason = (!reason.is_empty()).then_some(reason.as_str());
            tx.execute(
                "INSERT INTO conflict_resolutions (decision_id, action, reason, supervisor_id, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![decision_id, req.action.as_str(), reason, caller.user_id, now],
            )?;
            store::add_event(
                tx,
                &case.id,
                &now,
                Some(&caller.user_id),
                &Event::ConflictResolved {
                    decision_id: decision_id.clone(),
                    action: req.action,
                    reason: reason.map(str::to_owned),
                    decided_by: conflict.decided_by.id.clone(),
                    decided_by_name: conflict.decided_by.full_name.clone(),
                    to: case.officer_id.clone(),
                },
            )?;
            let answer = one(tx, &decision_id)?
                .ok_or_else(|| ApiError::internal("the conflict vanished"))?;
            Ok(Json(answer))
        })
        .await
}

//! The supervisor's routes: the department's workload, an officer's open cases, and moving
//! cases between officers (all or none, with a reason, in the history).

use std::collections::HashSet;

use crate::sql::{Conn, OptionalExtension};
use axum::Json;
use axum::extract::State;
use chrono::{Datelike, Days};
use rusqlite::params;

use super::NeedsSupervisor;
use crate::AppState;
use crate::auth::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult, ConflictCause, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::store;
use migdesk_api::{
    AssignmentRequest, AssignmentResponse, ChangeKind, Event, Moved, NoteOrigin, NoteRequest,
    OfficerCases, OfficerLoad, OfficerRef, Status, SupervisedCase, Workload,
};

pub use migdesk_api::MAX_BULK;

/// The most characters a supervisor's reason may have.
pub use migdesk_api::MAX_REASON;

/// A supervisor's reason, trimmed; refused when longer than [`MAX_REASON`].
pub(crate) fn reason(text: &str) -> ApiResult<String> {
    let reason = text.trim();
    if reason.chars().count() > MAX_REASON {
        return Err(ApiError::bad_request(format!(
            "the reason is longer than {MAX_REASON} characters"
        )));
    }
    Ok(reason.to_owned())
}

pub(crate) fn require_department_supervisor(caller: &Caller, department_id: &str) -> ApiResult<()> {
    caller.require_supervisor()?;
    if caller.department_id != department_id {
        return Err(ApiError::forbidden("you supervise another department"));
    }
    Ok(())
}

/// Each officer's load: open cases, overdue, due by Sunday, and when their desk last synced.
#[utoipa::path(get, path = "/api/v1/departments/{id}/workload", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path, description = "Department id")),
    responses((status = 200, body = Workload), NeedsSupervisor))]
pub async fn workload(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(department_id): ApiPath<String>,
) -> ApiResult<Json<Workload>> {
    require_department_supervisor(&caller, &department_id)?;
    let today = clock::local_date(clock::now());
    let sunday = today
        .checked_add_days(Days::new(u64::from(
            6 - today.weekday().num_days_from_monday(),
        )))
        .unwrap_or(today);
    state
        .db
        .read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT u.id, u.full_name, u.last_sync_at,
                        COUNT(a.id),
                        COUNT(CASE WHEN a.due_date < ?2 THEN 1 END),
                        COUNT(CASE WHEN a.due_date >= ?2 AND a.due_date <= ?3 THEN 1 END)
                 FROM users u LEFT JOIN applications a ON a.officer_id = u.id AND a.status = 'pending'
                 WHERE u.department_id = ?1 AND u.role = 'officer'
                 GROUP BY u.id ORDER BY u.full_name",
            )?;
            let rows = stmt.query_map(
                params![department_id, today.to_string(), sunday.to_string()],
                |r| {
                    Ok(OfficerLoad {
                        officer: OfficerRef {
                            id: r.get(0)?,
                            full_name: r.get(1)?,
                        },
                        last_sync_at: r.get(2)?,
                        open: r.get(3)?,
                        overdue: r.get(4)?,
                        due_this_week: r.get(5)?,
                    })
                },
            )?;
            Ok(Json(Workload {
                department_id,
                today: today.to_string(),
                officers: rows.collect::<Result<_, _>>()?,
            }))
        })
        .await
}

/// One officer's open cases, due first, each with whether the officer's desk may hold unsent
/// work on it — it has not synced since the case changed, or it has been quiet longer than
/// `Config::quiet_desk_seconds` (offline or unused: any decision made there is not here yet) —
/// for the supervisor to weigh before moving cases.
#[utoipa::path(get, path = "/api/v1/departments/{id}/officers/{officer_id}/cases", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path, description = "Department id"), ("officer_id" = String, Path, description = "Officer id")),
    responses((status = 200, body = OfficerCases), NeedsSupervisor,
        (status = 404, body = ErrorBody, description = "No such officer in this department")))]
pub async fn officer_cases(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((department_id, officer_id)): ApiPath<(String, String)>,
) -> ApiResult<Json<OfficerCases>> {
    require_department_supervisor(&caller, &department_id)?;
    let quiet = chrono::Duration::seconds(state.config.quiet_desk_seconds);
    state
        .db
        .read(move |conn| {
            let officer: Option<(String, Option<String>)> = conn
                .query_row(
                    "SELECT full_name, last_sync_at FROM users WHERE id = ?1 AND department_id = ?2 AND role = 'officer'",
                    params![officer_id, department_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (full_name, last_sync_at) = officer.ok_or_else(|| {
                ApiError::not_found(format!("no officer {officer_id} in this department"))
            })?;
            // A desk quiet for too long may hold decisions on any of its cases.
            let synced = last_sync_at
                .as_deref()
                .and_then(clock::parse)
                .filter(|at| *at + quiet > clock::now());
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT id, number, service, {name}, status, due_date, version, updated_at
                 FROM applications WHERE officer_id = ?1 AND status IN ('pending', 'missing_documents')
                 ORDER BY due_date, number",
                name = conn.json_text("applicant", "name_latin")
            ))?;
            let cases = stmt
                .query_map([&officer_id], |r| {
                    let changed_at: String = r.get(7)?;
                    Ok(SupervisedCase {
                        application_id: r.get(0)?,
                        number: r.get(1)?,
                        service: r.get(2)?,
                        applicant_name: r.get(3)?,
                        status: Status::parse(&r.get::<_, String>(4)?).unwrap_or(Status::Pending),
                        due_date: r.get(5)?,
                        version: r.get(6)?,
                        may_hold_unsent_work: match (synced, clock::parse(&changed_at)) {
                            (Some(synced), Some(changed)) => synced < changed,
                            _ => true,
                        },
                        changed_at,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(Json(OfficerCases {
                officer: OfficerRef {
                    id: officer_id,
                    full_name,
                },
                last_sync_at,
                cases,
            }))
        })
        .await
}

/// Moves one or many cases to another officer of the department, with a reason. All or
/// nothing: if any case changed since `based_on_version` (409 `stale_version`) or is already
/// decided (409 `already_decided`), none moves.
#[utoipa::path(post, path = "/api/v1/departments/{id}/assignments", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path, description = "Department id")),
    request_body = AssignmentRequest,
    responses(
        (status = 200, body = AssignmentResponse),
        (status = 400, body = ErrorBody),
        NeedsSupervisor,
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
    ))]
pub async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(department_id): ApiPath<String>,
    ApiJson(req): ApiJson<AssignmentRequest>,
) -> ApiResult<Json<AssignmentResponse>> {
    require_department_supervisor(&caller, &department_id)?;
    let reason = reason(&req.reason)?;
    if reason.is_empty() {
        return Err(ApiError::bad_request("a reassignment needs a reason"));
    }
    if req.applications.is_empty() || req.applications.len() > MAX_BULK {
        return Err(ApiError::bad_request(format!(
            "name between 1 and {MAX_BULK} applications"
        )));
    }
    let mut seen = HashSet::new();
    if let Some(dup) = req
        .applications
        .iter()
        .find(|a| !seen.insert(a.application_id.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "{} is named twice",
            dup.application_id
        )));
    }
    state
        .db
        .write(move |tx| {
            let target: Option<(String, String)> = tx
                .query_row(
                    "SELECT department_id, full_name FROM users WHERE id = ?1 AND role = 'officer'",
                    [&req.officer_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((_, target_name)) =
                target.filter(|(department, _)| *department == department_id)
            else {
                return Err(ApiError::bad_request(format!(
                    "{} is not an officer of this department",
                    req.officer_id
                )));
            };
            let now = clock::format(clock::now());
            let mut moved = Vec::with_capacity(req.applications.len());
            for item in &req.applications {
                let case = store::visible_case(tx, &caller, &item.application_id)?;
                let current = || store::current_case(tx, &case, Some(case.id.clone()), None);
                if !matches!(case.status, Status::Pending | Status::MissingDocuments) {
                    return Err(ApiError::conflict(
                        ConflictCause::AlreadyDecided,
                        format!("{} already has a final decision", case.number),
                        Some(current()?),
                    ));
                }
                if case.version != item.based_on_version {
                    return Err(ApiError::conflict(
                        ConflictCause::StaleVersion,
                        format!("{} changed since you looked at it", case.number),
                        Some(current()?),
                    ));
                }
                if case.officer_id.as_deref() == Some(req.officer_id.as_str()) {
                    return Err(ApiError::bad_request(format!(
                        "{} is already assigned to that officer",
                        case.number
                    )));
                }
                let event = Event::Reassigned {
                    from: case.officer_id.clone(),
                    to: req.officer_id.clone(),
                    to_name: target_name.clone(),
                    reason: reason.to_owned(),
                };
                give_case(tx, &case, &req.officer_id, &caller.user_id, &event, &now)?;
                // The reason is also a note on the case, by the supervisor.
                super::notes::keep(
                    tx,
                    &case.id,
                    &caller.user_id,
                    &NoteRequest {
                        id: uuid::Uuid::new_v4(),
                        text: reason.to_owned(),
                        written_at: now.clone(),
                    },
                    NoteOrigin::Reassignment,
                    &now,
                )?;
                moved.push(Moved {
                    application_id: case.id.clone(),
                    version: case.version + 1,
                });
            }
            Ok(Json(AssignmentResponse { moved }))
        })
        .await
}

/// Gives `case` to the officer `to`: its version moves on, its history says how (`event`, by
/// `actor`), and the change feed brings it to the department, to `to` and away from the officer
/// who had it.
pub(crate) fn give_case(
    tx: &Conn<'_>,
    case: &store::CaseRow,
    to: &str,
    actor: &str,
    event: &Event,
    now: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE applications SET officer_id = ?1, version = version + 1, updated_at = ?2 WHERE id = ?3",
        params![to, now, case.id],
    )?;
    store::add_event(tx, &case.id, now, Some(actor), event)?;
    let had = case.officer_id.as_deref();
    store::record_change(
        tx,
        &case.id,
        &case.department_id,
        Some(to),
        had,
        ChangeKind::Reassigned,
        now,
    )
}

//! The department's pool: where new applications wait when its rule is `pool`, and from which
//! its officers claim cases themselves. A claim is first come, first served: the case goes to
//! the officer who claimed it (in the history, `assigned` by `pool`), and the change feed takes
//! it to their desk; a case someone else took first is a 409.

use axum::Json;
use axum::extract::State;
use rusqlite::params;

use super::NeedsSession;
use crate::AppState;
use crate::audit_log::{self, Action, Desk, DeskHeader, Entry};
use crate::auth::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiPath;
use crate::store;
use migdesk_api::{ApplicationDetail, Event, Pool, PoolCase, Role, Status};

/// The caller works in the department.
fn require_member(caller: &Caller, department_id: &str) -> ApiResult<()> {
    if caller.department_id != department_id {
        return Err(ApiError::forbidden("you work in another department"));
    }
    Ok(())
}

/// The department's pending cases that no officer has, the soonest due first.
#[utoipa::path(get, path = "/api/v1/departments/{id}/pool", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Department id"), DeskHeader),
    responses((status = 200, body = Pool),
        (status = 403, body = ErrorBody, description = "The caller works in another department"),
        NeedsSession))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    desk: Desk,
    ApiPath(department_id): ApiPath<String>,
) -> ApiResult<Json<Pool>> {
    require_member(&caller, &department_id)?;
    let read = Entry::by(&caller, &desk, Action::PoolRead).subject(&department_id);
    let calendar = state.calendar.clone();
    let today = clock::local_date(clock::now());
    let pool = state
        .db
        .read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT id, number, service, {name}, submitted_at, due_date
                 FROM applications
                 WHERE department_id = ?1 AND officer_id IS NULL AND status = 'pending'
                 ORDER BY due_date, number",
                name = conn.json_text("applicant", "name_latin")
            ))?;
            let rows = stmt
                .query_map([&department_id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut cases = Vec::with_capacity(rows.len());
            for (application_id, number, service, applicant_name, submitted_at, due_date) in rows {
                cases.push(PoolCase {
                    working_days_left: store::days_left_on(&calendar, today, &due_date)?,
                    application_id,
                    number,
                    service,
                    applicant_name,
                    submitted_at,
                    due_date,
                });
            }
            Ok(Pool {
                department_id,
                cases,
            })
        })
        .await?;
    audit_log::record(&state.db, read).await?;
    Ok(Json(pool))
}

/// An officer of the department claims a case from its pool; the case, now theirs.
#[utoipa::path(post, path = "/api/v1/departments/{id}/pool/{application_id}/claim", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Department id"),
        ("application_id" = String, Path, description = "The case to claim"), DeskHeader),
    responses((status = 200, body = ApplicationDetail, description = "Claimed: the case is the caller's"),
        (status = 403, body = ErrorBody, description = "Not an officer of the department, or an officer who does not handle the case's service"),
        (status = 404, body = ErrorBody, description = "No such case in the department"),
        (status = 409, body = ErrorBody, description = "The case is no longer in the pool: another officer claimed it, or it was decided or withdrawn"),
        NeedsSession))]
pub async fn claim(
    State(state): State<AppState>,
    caller: Caller,
    desk: Desk,
    ApiPath((department_id, application_id)): ApiPath<(String, String)>,
) -> ApiResult<Json<ApplicationDetail>> {
    require_member(&caller, &department_id)?;
    if caller.role != Role::Officer {
        return Err(ApiError::forbidden("only an officer claims cases"));
    }
    let read = Entry::by(&caller, &desk, Action::CaseRead).on_case(&application_id);
    let detail = state
        .db
        .write(move |tx| {
            let case = store::case_row(tx, &application_id)?
                .filter(|c| c.department_id == department_id)
                .ok_or_else(|| {
                    ApiError::not_found(format!("no application {application_id} in {department_id}"))
                })?;
            if case.status != Status::Pending || case.officer_id.is_some() {
                return Err(ApiError::wrong_state(
                    "the case is no longer in the pool: another officer claimed it, or it was decided or withdrawn",
                ));
            }
            let handles: bool = tx.query_row(
                "SELECT NOT EXISTS (SELECT 1 FROM officer_services WHERE officer_id = ?1)
                     OR EXISTS (SELECT 1 FROM officer_services WHERE officer_id = ?1 AND service = ?2)",
                params![caller.user_id, case.service],
                |r| r.get(0),
            )?;
            if !handles {
                return Err(ApiError::forbidden(
                    "your supervisor has not given you this service",
                ));
            }
            let now = clock::format(clock::now());
            let event = Event::Assigned {
                to: caller.user_id.clone(),
                to_name: caller.full_name.clone(),
                by: "pool".into(),
            };
            let me = &caller.user_id;
            super::supervision::give_case(tx, &case, me, me, &event, &now)?;
            store::application_detail(tx, &case.id)?
                .ok_or_else(|| ApiError::internal("the claimed case vanished"))
        })
        .await?;
    audit_log::record(&state.db, read).await?;
    Ok(Json(detail))
}

//! A department's own settings (four eyes on refusals, how far ahead deadlines are raised) and
//! its supervisor's deadline alerts: pending cases due within that many working days that
//! nobody has opened or that have no officer, and every overdue one.

use crate::sql::{Conn, OptionalExtension};
use axum::Json;
use axum::extract::State;
use rusqlite::params;

use super::NeedsSupervisor;
use super::supervision::require_department_supervisor;
use crate::AppState;
use crate::auth::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::store;
use migdesk_api::{
    Alert, AlertKind, Alerts, DepartmentSettings, MAX_ALERT_WORKING_DAYS, OfficerRef,
};

/// The department's settings as kept (the defaults for a department unknown here).
pub(crate) fn settings_of(conn: &Conn<'_>, department_id: &str) -> ApiResult<DepartmentSettings> {
    Ok(conn
        .query_row(
            "SELECT four_eyes_refusals, alert_working_days FROM departments WHERE id = ?1",
            [department_id],
            |r| {
                Ok(DepartmentSettings {
                    four_eyes_refusals: r.get(0)?,
                    alert_working_days: r.get(1)?,
                })
            },
        )
        .optional()?
        .unwrap_or(DepartmentSettings {
            four_eyes_refusals: true,
            alert_working_days: 2,
        }))
}

/// The department's settings.
#[utoipa::path(get, path = "/api/v1/departments/{id}/settings", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path, description = "Department id")),
    responses((status = 200, body = DepartmentSettings), NeedsSupervisor))]
pub async fn settings(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(department_id): ApiPath<String>,
) -> ApiResult<Json<DepartmentSettings>> {
    require_department_supervisor(&caller, &department_id)?;
    state
        .db
        .read(move |conn| Ok(Json(settings_of(conn, &department_id)?)))
        .await
}

/// A supervisor sets the department's settings; refusals already proposed stay proposals.
#[utoipa::path(put, path = "/api/v1/departments/{id}/settings", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path, description = "Department id")),
    request_body = DepartmentSettings,
    responses((status = 200, body = DepartmentSettings),
        (status = 400, body = ErrorBody, description = "Not the settings' shape, or a number of working days outside 0 to 20"),
        NeedsSupervisor))]
pub async fn set_settings(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(department_id): ApiPath<String>,
    ApiJson(req): ApiJson<DepartmentSettings>,
) -> ApiResult<Json<DepartmentSettings>> {
    require_department_supervisor(&caller, &department_id)?;
    if !(0..=MAX_ALERT_WORKING_DAYS).contains(&req.alert_working_days) {
        return Err(ApiError::bad_request(format!(
            "alert_working_days must be from 0 to {MAX_ALERT_WORKING_DAYS}"
        )));
    }
    state
        .db
        .write(move |tx| {
            tx.execute(
                "UPDATE departments SET four_eyes_refusals = ?1, alert_working_days = ?2 WHERE id = ?3",
                params![req.four_eyes_refusals, req.alert_working_days, department_id],
            )?;
            Ok(Json(req.clone()))
        })
        .await
}

/// The department's deadline alerts: every overdue pending case, and the pending cases due
/// within the department's number of working days that have no officer or that their officer
/// has not opened on a desk (as the desks' audit reports say); overdue first, then by due date.
#[utoipa::path(get, path = "/api/v1/departments/{id}/alerts", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path, description = "Department id")),
    responses((status = 200, body = Alerts), NeedsSupervisor))]
pub async fn alerts(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(department_id): ApiPath<String>,
) -> ApiResult<Json<Alerts>> {
    require_department_supervisor(&caller, &department_id)?;
    let calendar = state.calendar.clone();
    let today = clock::local_date(clock::now());
    state
        .db
        .read(move |conn| {
            let within = settings_of(conn, &department_id)?.alert_working_days;
            let horizon = calendar
                .add_working_days(today, u32::try_from(within).unwrap_or(0))
                .map_err(|e| ApiError::internal(format!("the working-day calendar: {e}")))?
                .format("%Y-%m-%d")
                .to_string();
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT a.id, a.number, a.service, {name}, a.officer_id, u.full_name, a.due_date,
                        EXISTS (SELECT 1 FROM audit_log l WHERE l.application_id = a.id AND l.action = 'desk_opened' AND l.actor_id = a.officer_id)
                 FROM applications a LEFT JOIN users u ON u.id = a.officer_id
                 WHERE a.department_id = ?1 AND a.status = 'pending' AND a.due_date <= ?2
                 ORDER BY a.due_date, a.number",
                name = conn.json_text("a.applicant", "name_latin")
            ))?;
            let rows = stmt
                .query_map(params![department_id, horizon], |r| {
                    let officer = match (r.get::<_, Option<String>>(4)?, r.get::<_, Option<String>>(5)?) {
                        (Some(id), Some(full_name)) => Some(OfficerRef { id, full_name }),
                        _ => None,
                    };
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                        officer,
                        r.get::<_, String>(6)?,
                        r.get::<_, bool>(7)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let today_s = today.format("%Y-%m-%d").to_string();
            let mut alerts = Vec::new();
            for (application_id, number, service, applicant_name, officer, due_date, opened) in rows {
                let kind = if due_date < today_s {
                    AlertKind::Overdue
                } else if officer.is_none() {
                    AlertKind::Unassigned
                } else if !opened {
                    AlertKind::Unopened
                } else {
                    continue;
                };
                alerts.push(Alert {
                    working_days_left: store::days_left_on(&calendar, today, &due_date)?,
                    application_id,
                    number,
                    service,
                    applicant_name,
                    officer,
                    due_date,
                    kind,
                });
            }
            Ok(Json(Alerts {
                department_id,
                today: today_s,
                within_working_days: within,
                alerts,
            }))
        })
        .await
}

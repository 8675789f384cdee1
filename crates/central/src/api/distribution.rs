//! A department's distribution: the rule by which its new applications reach its officers (the
//! fewest open cases, or each in turn), the services each officer handles and the days each is
//! away — set by its supervisor, every change in the audit trail — and [`distribute`], which
//! applies it to a new application.

use crate::sql::{Conn, OptionalExtension};
use axum::Json;
use axum::extract::State;
use rusqlite::params;

use super::NeedsSupervisor;
use super::supervision::require_department_supervisor;
use crate::AppState;
use crate::audit_log::{self, Action, Desk, DeskHeader, Entry};
use crate::auth::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use migdesk_api::{
    Absence, Distribution, DistributionRule, DistributionSettings, OfficerDistribution, OfficerRef,
    Problem,
};

/// The most absences one officer may have on record at once.
const MAX_ABSENCES: usize = 50;

fn rule_of(conn: &Conn<'_>, department_id: &str) -> ApiResult<DistributionRule> {
    let rule: Option<String> = conn
        .query_row(
            "SELECT distribution_rule FROM departments WHERE id = ?1",
            [department_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(rule
        .as_deref()
        .and_then(DistributionRule::parse)
        .unwrap_or(DistributionRule::LeastOpenWork))
}

/// The officer a new application for `service` in `department_id` goes to on `today`
/// (YYYY-MM-DD), by the department's rule, and that rule. Only officers who handle the service
/// and are not away today are considered; `None` when there is none — the case then waits
/// without an officer, and the supervisor's alerts raise it.
pub(crate) fn distribute(
    tx: &Conn<'_>,
    department_id: &str,
    service: &str,
    today: &str,
) -> ApiResult<(Option<OfficerRef>, DistributionRule)> {
    let rule = rule_of(tx, department_id)?;
    if rule == DistributionRule::Pool {
        // It waits in the pool until one of the department's officers claims it.
        return Ok((None, rule));
    }
    let mut stmt = tx.prepare_cached(
        "SELECT u.id, u.full_name,
                (SELECT COUNT(*) FROM applications a WHERE a.officer_id = u.id AND a.status = 'pending')
         FROM users u
         WHERE u.department_id = ?1 AND u.role = 'officer'
           AND NOT EXISTS (SELECT 1 FROM officer_absences x
                           WHERE x.officer_id = u.id AND x.from_date <= ?3 AND ?3 <= x.to_date)
           AND (NOT EXISTS (SELECT 1 FROM officer_services s WHERE s.officer_id = u.id)
                OR EXISTS (SELECT 1 FROM officer_services s WHERE s.officer_id = u.id AND s.service = ?2))
         ORDER BY u.id",
    )?;
    let eligible = stmt
        .query_map(params![department_id, service, today], |r| {
            Ok((
                OfficerRef {
                    id: r.get(0)?,
                    full_name: r.get(1)?,
                },
                r.get::<_, i64>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let chosen = match rule {
        DistributionRule::LeastOpenWork => eligible
            .into_iter()
            .min_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.id.cmp(&b.0.id)))
            .map(|(officer, _)| officer),
        DistributionRule::Pool => None,
        DistributionRule::RoundRobin => {
            let last: Option<String> = tx.query_row(
                "SELECT last_in_turn FROM departments WHERE id = ?1",
                [department_id],
                |r| r.get(0),
            )?;
            // The next in id order after the last one served, around to the first.
            let next = last
                .and_then(|last| eligible.iter().position(|(o, _)| o.id > last))
                .unwrap_or(0);
            let chosen = eligible.into_iter().nth(next).map(|(officer, _)| officer);
            if let Some(officer) = &chosen {
                tx.execute(
                    "UPDATE departments SET last_in_turn = ?1 WHERE id = ?2",
                    params![officer.id, department_id],
                )?;
            }
            chosen
        }
    };
    Ok((chosen, rule))
}

fn distribution_of(conn: &Conn<'_>, department_id: &str, today: &str) -> ApiResult<Distribution> {
    let rule = rule_of(conn, department_id)?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT u.id, u.full_name,
                (SELECT COUNT(*) FROM applications a WHERE a.officer_id = u.id AND a.status = 'pending'),
                (SELECT {services} FROM (SELECT service FROM officer_services s WHERE s.officer_id = u.id ORDER BY service) AS services),
                (SELECT {absences} FROM (SELECT from_date, to_date FROM officer_absences x WHERE x.officer_id = u.id ORDER BY from_date, to_date) AS absences)
         FROM users u WHERE u.department_id = ?1 AND u.role = 'officer'
         ORDER BY u.full_name, u.id",
        services = conn.json_group_array("service"),
        absences = conn.json_group_array(&conn.json_array("from_date, to_date")),
    ))?;
    let officers = stmt
        .query_map([department_id], |r| {
            let services: Vec<String> = crate::store::json_col(3, r.get(3)?)?;
            let absences: Vec<(String, String)> = crate::store::json_col(4, r.get(4)?)?;
            let absences: Vec<Absence> = absences
                .into_iter()
                .map(|(from, to)| Absence { from, to })
                .collect();
            Ok(OfficerDistribution {
                officer: OfficerRef {
                    id: r.get(0)?,
                    full_name: r.get(1)?,
                },
                open_cases: r.get(2)?,
                away_today: absences.iter().any(|a| a.covers(today)),
                services,
                absences,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Distribution {
        department_id: department_id.to_owned(),
        rule,
        officers,
    })
}

/// The department's rule, and each officer's services, absences and open cases.
#[utoipa::path(get, path = "/api/v1/departments/{id}/distribution", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path, description = "Department id")),
    responses((status = 200, body = Distribution), NeedsSupervisor))]
pub async fn distribution(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(department_id): ApiPath<String>,
) -> ApiResult<Json<Distribution>> {
    require_department_supervisor(&caller, &department_id)?;
    let today = clock::local_date(clock::now()).to_string();
    state
        .db
        .read(move |conn| Ok(Json(distribution_of(conn, &department_id, &today)?)))
        .await
}

/// A supervisor sets the rule and, for the officers listed, their services and absences (each
/// listed officer's replace what was kept; officers not listed keep theirs). Cases already
/// given out stay where they are. Recorded in the audit trail.
#[utoipa::path(put, path = "/api/v1/departments/{id}/distribution", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path, description = "Department id"), DeskHeader),
    request_body = DistributionSettings,
    responses((status = 200, body = Distribution),
        (status = 400, body = ErrorBody, description = "Not the settings' shape"),
        NeedsSupervisor,
        (status = 422, body = ErrorBody, description = "An officer not of this department, a service not in the catalogue, or an absence that is not a range of dates; each named in `problems`")))]
pub async fn set_distribution(
    State(state): State<AppState>,
    caller: Caller,
    desk: Desk,
    ApiPath(department_id): ApiPath<String>,
    ApiJson(req): ApiJson<DistributionSettings>,
) -> ApiResult<Json<Distribution>> {
    require_department_supervisor(&caller, &department_id)?;
    let mut problems = Vec::new();
    for (i, o) in req.officers.iter().enumerate() {
        for (j, s) in o.services.iter().enumerate() {
            if state.catalogue.service(s).is_none() {
                problems.push(Problem {
                    field: format!("officers[{i}].services[{j}]"),
                    message: format!("{s:?} is not a service of the catalogue"),
                });
            }
        }
        if o.absences.len() > MAX_ABSENCES {
            problems.push(Problem {
                field: format!("officers[{i}].absences"),
                message: format!("at most {MAX_ABSENCES} absences an officer"),
            });
        }
        for (j, a) in o.absences.iter().enumerate() {
            if let Err(message) = a.checked() {
                problems.push(Problem {
                    field: format!("officers[{i}].absences[{j}]"),
                    message,
                });
            }
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::unprocessable(problems));
    }
    let today = clock::local_date(clock::now()).to_string();
    let entry = Entry::by(&caller, &desk, Action::DistributionSet).subject(format!(
        "{department_id}: {}; officers {}",
        req.rule.as_str(),
        req.officers
            .iter()
            .map(|o| o.officer_id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    state
        .db
        .write_chained(move |tx| {
            let mut problems = Vec::new();
            for (i, o) in req.officers.iter().enumerate() {
                let ours: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1 AND department_id = ?2 AND role = 'officer')",
                    params![o.officer_id, department_id],
                    |r| r.get(0),
                )?;
                if !ours {
                    problems.push(Problem {
                        field: format!("officers[{i}].officer_id"),
                        message: format!("{:?} is not an officer of this department", o.officer_id),
                    });
                }
            }
            if !problems.is_empty() {
                return Err(ApiError::unprocessable(problems));
            }
            tx.execute(
                "UPDATE departments SET distribution_rule = ?1 WHERE id = ?2",
                params![req.rule.as_str(), department_id],
            )?;
            for o in &req.officers {
                tx.execute("DELETE FROM officer_services WHERE officer_id = ?1", [&o.officer_id])?;
                tx.execute("DELETE FROM officer_absences WHERE officer_id = ?1", [&o.officer_id])?;
                for s in &o.services {
                    tx.execute(
                        "INSERT INTO officer_services (officer_id, service) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                        params![o.officer_id, s],
                    )?;
                }
                for a in &o.absences {
                    tx.execute(
                        "INSERT INTO officer_absences (officer_id, from_date, to_date) VALUES (?1, ?2, ?3)",
                        params![o.officer_id, a.from, a.to],
                    )?;
                }
            }
            audit_log::append(tx, &entry, &clock::format(clock::now()))?;
            Ok(Json(distribution_of(tx, &department_id, &today)?))
        })
        .await
}

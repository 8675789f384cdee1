//! Reading and writing cases: the queries the handlers share.

use std::collections::HashMap;

use crate::sql::{Conn, Engine, OptionalExtension, Row};
use rusqlite::params;
use serde_json::Value;

use crate::error::ApiResult;
mod files;
pub use files::{add_document, document_meta, insert_document, sniff_mime, store_blob};

use migdesk_api::{
    Applicant, ApplicationDetail, Assignment, ChangeKind, CurrentCase, DocumentMeta, Event,
    Execution, FormGroup, HistoryEvent, OfficerRef, PausedDeadline, RelatedApplication,
    RelatedDecision, Status,
};

/// The columns of `applications` every summary needs.
#[derive(Debug, Clone)]
pub struct CaseRow {
    pub id: String,
    pub number: String,
    pub service: String,
    pub department_id: String,
    pub status: Status,
    pub officer_id: Option<String>,
    pub version: i64,
    pub applicant: Applicant,
}

pub fn case_row(conn: &Conn<'_>, id: &str) -> ApiResult<Option<CaseRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, number, service, department_id, status, officer_id, version, applicant FROM applications WHERE id = ?1",
        )?
        .query_row(
            [id],
            |r| {
                Ok(CaseRow {
                    id: r.get(0)?,
                    number: r.get(1)?,
                    service: r.get(2)?,
                    department_id: r.get(3)?,
                    status: Status::parse(&r.get::<_, String>(4)?).unwrap_or(Status::Pending),
                    officer_id: r.get(5)?,
                    version: r.get(6)?,
                    applicant: serde_json::from_str(&r.get::<_, String>(7)?).map_err(|e| {
                        crate::sql::Error::column(7, e)
                    })?,
                })
            },
        )
        .optional()?)
}

pub fn officer_ref(conn: &Conn<'_>, id: Option<&str>) -> ApiResult<Option<OfficerRef>> {
    let Some(id) = id else { return Ok(None) };
    Ok(conn
        .prepare_cached("SELECT id, full_name FROM users WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(OfficerRef {
                id: r.get(0)?,
                full_name: r.get(1)?,
            })
        })
        .optional()?)
}

pub fn assignment(
    conn: &Conn<'_>,
    officer_id: Option<&str>,
    version: i64,
) -> ApiResult<Assignment> {
    Ok(Assignment {
        officer: officer_ref(conn, officer_id)?,
        version,
    })
}

pub(crate) fn json_col<T: serde::de::DeserializeOwned>(
    idx: usize,
    text: String,
) -> crate::sql::Result<T> {
    serde_json::from_str(&text).map_err(|e| crate::sql::Error::column(idx, e))
}

/// The columns [`notification`] reads, in its order, for `SELECT … FROM notifications`.
pub const NOTIFICATION_COLUMNS: &str = "id, application_id, decision_id, to_address, language, subject, body, state, created_at, sent_at";

/// An applicant's e-mail, from a row of [`NOTIFICATION_COLUMNS`].
pub fn notification(r: &Row<'_>) -> crate::sql::Result<migdesk_api::Notification> {
    Ok(migdesk_api::Notification {
        id: r.get(0)?,
        application_id: r.get(1)?,
        decision_id: r.get(2)?,
        to: r.get(3)?,
        language: r.get(4)?,
        subject: r.get(5)?,
        body: r.get(6)?,
        state: r.get(7)?,
        created_at: r.get(8)?,
        sent_at: r.get(9)?,
    })
}

/// Ids as one SQL parameter, for `… IN (SELECT value FROM {})` with [`Conn::json_values`]: a page of cases is
/// read with one query a table, not one a case.
pub(crate) fn id_list(ids: &[&str]) -> String {
    Value::from(ids.iter().map(|id| Value::from(*id)).collect::<Vec<_>>()).to_string()
}

/// The documents of each of the applications, in the order they were added.
pub fn documents_of(
    conn: &Conn<'_>,
    ids: &[&str],
) -> ApiResult<HashMap<String, Vec<DocumentMeta>>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT d.application_id, d.id, d.type, d.file_name, d.mime_type, d.size, d.sha256, d.added_by, u.full_name
         FROM documents d LEFT JOIN users u ON u.id = d.added_by
         WHERE d.application_id IN (SELECT value FROM {ids}) ORDER BY d.application_id, d.added_at, d.id",
        ids = conn.json_values("?1")
    ))?;
    let mut rows = stmt.query([id_list(ids)])?;
    let mut of: HashMap<String, Vec<DocumentMeta>> = HashMap::new();
    while let Some(r) = rows.next()? {
        of.entry(r.get(0)?).or_default().push(DocumentMeta {
            id: r.get(1)?,
            doc_type: r.get(2)?,
            file_name: r.get(3)?,
            mime_type: r.get(4)?,
            size: r.get(5)?,
            sha256: r.get(6)?,
            added_by: match (
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
            ) {
                (Some(id), Some(full_name)) => Some(OfficerRef { id, full_name }),
                _ => None,
            },
        });
    }
    Ok(of)
}

pub fn documents(conn: &Conn<'_>, application_id: &str) -> ApiResult<Vec<DocumentMeta>> {
    Ok(documents_of(conn, &[application_id])?
        .remove(application_id)
        .unwrap_or_default())
}

/// The history of each of the applications, oldest first.
pub fn histories_of(
    conn: &Conn<'_>,
    ids: &[&str],
) -> ApiResult<HashMap<String, Vec<HistoryEvent>>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT e.application_id, e.at, e.kind, e.actor_id, u.full_name, e.detail FROM events e LEFT JOIN users u ON u.id = e.actor_id
         WHERE e.application_id IN (SELECT value FROM {ids}) ORDER BY e.application_id, e.id",
        ids = conn.json_values("?1")
    ))?;
    let mut rows = stmt.query([id_list(ids)])?;
    let mut of: HashMap<String, Vec<HistoryEvent>> = HashMap::new();
    while let Some(r) = rows.next()? {
        let actor_id: Option<String> = r.get(3)?;
        let actor_name: Option<String> = r.get(4)?;
        let kind: String = r.get(2)?;
        let detail = json_col::<Value>(5, r.get(5)?)?;
        let event =
            Event::from_parts(&kind, detail).map_err(|e| crate::sql::Error::column(5, e))?;
        of.entry(r.get(0)?).or_default().push(HistoryEvent {
            at: r.get(1)?,
            actor: actor_id
                .zip(actor_name)
                .map(|(id, full_name)| OfficerRef { id, full_name }),
            event,
        });
    }
    Ok(of)
}

pub fn history(conn: &Conn<'_>, application_id: &str) -> ApiResult<Vec<HistoryEvent>> {
    Ok(histories_of(conn, &[application_id])?
        .remove(application_id)
        .unwrap_or_default())
}

/// The other applications of each application's applicant, linked by FIN or by passport number
/// (the generated keys of migration 012), newest first, each with the last decision applied to
/// it; one query for all of them.
pub fn applicant_histories_of(
    conn: &Conn<'_>,
    ids: &[&str],
) -> ApiResult<HashMap<String, Vec<RelatedApplication>>> {
    const RELATED: &str = "o.id, o.number, o.service, o.submitted_at, o.status, o.department_id,
        o.fin_key IS NOT DISTINCT FROM a.fin_key AND a.fin_key IS NOT NULL, o.passport_key IS NOT DISTINCT FROM a.passport_key AND a.passport_key IS NOT NULL,
        (SELECT e.detail FROM events e WHERE e.application_id = o.id AND e.kind = 'decided' ORDER BY e.id DESC LIMIT 1),
        o.service = a.service AND o.status IN ('pending', 'missing_documents') AND a.status IN ('pending', 'missing_documents')";
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT a.id, {RELATED} FROM applications a JOIN applications o ON o.fin_key = a.fin_key AND o.id <> a.id
           WHERE a.id IN (SELECT value FROM {ids}) AND a.fin_key IS NOT NULL
         UNION
         SELECT a.id, {RELATED} FROM applications a JOIN applications o ON o.passport_key = a.passport_key AND o.id <> a.id
           WHERE a.id IN (SELECT value FROM {ids}) AND a.passport_key IS NOT NULL
         ORDER BY 1, 5 DESC, 3",
        ids = conn.json_values("?1")
    ))?;
    let mut rows = stmt.query([id_list(ids)])?;
    let mut of: HashMap<String, Vec<RelatedApplication>> = HashMap::new();
    while let Some(r) = rows.next()? {
        let decision = match r.get::<_, Option<String>>(9)? {
            Some(detail) => match Event::from_parts("decided", json_col::<Value>(9, detail)?) {
                Ok(Event::Decided {
                    kind,
                    decided_at,
                    reasons,
                    missing_documents,
                    ..
                }) => Some(RelatedDecision {
                    kind,
                    decided_at,
                    reasons,
                    missing_documents,
                }),
                _ => None,
            },
            None => None,
        };
        of.entry(r.get(0)?).or_default().push(RelatedApplication {
            application_id: r.get(1)?,
            number: r.get(2)?,
            service: r.get(3)?,
            submitted_at: r.get(4)?,
            status: Status::parse(&r.get::<_, String>(5)?).unwrap_or(Status::Pending),
            department_id: r.get(6)?,
            same_fin: r.get(7)?,
            same_passport: r.get(8)?,
            decision,
            possible_duplicate: r.get(10)?,
        });
    }
    Ok(of)
}

/// The other applications of one application's applicant.
pub fn applicant_history(
    conn: &Conn<'_>,
    application_id: &str,
) -> ApiResult<Vec<RelatedApplication>> {
    Ok(applicant_histories_of(conn, &[application_id])?
        .remove(application_id)
        .unwrap_or_default())
}

/// The applications as they are now, with their documents, history and officer: one query a
/// table for all of them.
pub fn application_details(
    conn: &Conn<'_>,
    ids: &[&str],
) -> ApiResult<HashMap<String, ApplicationDetail>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, number, service, tier, submitted_at, due_date, department_id, status, officer_id, version, applicant, form,
                paused_on, paused_days_left,
                executed_document, executed_on, executed_at, executed_by,
                (SELECT full_name FROM users WHERE users.id = executed_by)
         FROM applications WHERE id IN (SELECT value FROM {ids})",
        ids = conn.json_values("?1")
    ))?;
    let rows = stmt
        .query_map([id_list(ids)], |r| {
            // Documents, history and the officer's name are read below.
            let detail = ApplicationDetail {
                id: r.get(0)?,
                number: r.get(1)?,
                service: r.get(2)?,
                tier: r.get(3)?,
                submitted_at: r.get(4)?,
                due_date: r.get(5)?,
                paused: match (
                    r.get::<_, Option<String>>(12)?,
                    r.get::<_, Option<i64>>(13)?,
                ) {
                    (Some(since), Some(working_days_left)) => Some(PausedDeadline {
                        since,
                        working_days_left,
                    }),
                    _ => None,
                },
                department_id: r.get(6)?,
                status: Status::parse(&r.get::<_, String>(7)?).unwrap_or(Status::Pending),
                assignment: Assignment {
                    officer: None,
                    version: r.get(9)?,
                },
                applicant: json_col::<Applicant>(10, r.get(10)?)?,
                form: json_col::<Vec<FormGroup>>(11, r.get(11)?)?,
                documents: Vec::new(),
                history: Vec::new(),
                applicant_history: Vec::new(),
                execution: match (
                    r.get::<_, Option<String>>(14)?,
                    r.get::<_, Option<String>>(15)?,
                    r.get::<_, Option<String>>(16)?,
                    r.get::<_, Option<String>>(17)?,
                ) {
                    (Some(document_number), Some(issued_on), Some(recorded_at), Some(by)) => {
                        Some(Execution {
                            document_number,
                            issued_on,
                            by: OfficerRef {
                                id: by,
                                full_name: r.get::<_, Option<String>>(18)?.unwrap_or_default(),
                            },
                            recorded_at,
                        })
                    }
                    _ => None,
                },
                proposal: None,
            };
            Ok((detail, r.get::<_, Option<String>>(8)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut documents = documents_of(conn, ids)?;
    let mut histories = histories_of(conn, ids)?;
    let mut related = applicant_histories_of(conn, ids)?;
    let mut proposals = crate::api::approvals::proposals_of(conn, ids)?;
    let mut officers: HashMap<String, Option<OfficerRef>> = HashMap::new();
    let mut details = HashMap::with_capacity(rows.len());
    for (mut detail, officer_id) in rows {
        if let Some(id) = officer_id {
            if !officers.contains_key(&id) {
                let officer = officer_ref(conn, Some(&id))?;
                officers.insert(id.clone(), officer);
            }
            detail.assignment.officer = officers[&id].clone();
        }
        detail.documents = documents.remove(&detail.id).unwrap_or_default();
        detail.history = histories.remove(&detail.id).unwrap_or_default();
        detail.applicant_history = related.remove(&detail.id).unwrap_or_default();
        detail.proposal = proposals.remove(&detail.id);
        details.insert(detail.id.clone(), detail);
    }
    Ok(details)
}

pub fn application_detail(conn: &Conn<'_>, id: &str) -> ApiResult<Option<ApplicationDetail>> {
    Ok(application_details(conn, &[id])?.remove(id))
}

/// The case as it is now, for a conflict's answer.
pub fn current_case(
    conn: &Conn<'_>,
    case: &CaseRow,
    application_id: Option<String>,
    changed_at: Option<String>,
) -> ApiResult<CurrentCase> {
    Ok(CurrentCase {
        application_id,
        status: case.status,
        assignment: assignment(conn, case.officer_id.as_deref(), case.version)?,
        changed_at,
    })
}

pub fn add_event(
    conn: &Conn<'_>,
    application_id: &str,
    at: &str,
    actor: Option<&str>,
    event: &Event,
) -> ApiResult<()> {
    let id: i64 = conn.query_row(
        "INSERT INTO events (application_id, at, kind, actor_id, detail) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        params![application_id, at, event.kind(), actor, event.detail().to_string()],
        |r| r.get(0),
    )?;
    crate::api::statistics::record_fact(conn, id, application_id, actor, event)?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub fn record_change(
    conn: &Conn<'_>,
    application_id: &str,
    department_id: &str,
    officer_id: Option<&str>,
    previous_officer_id: Option<&str>,
    kind: ChangeKind,
    at: &str,
) -> ApiResult<()> {
    // SQLite's writes commit in order: the change takes its feed position now. PostgreSQL's
    // waits for it (`db::postgres::sequence_changes`).
    let table = match conn.engine() {
        Engine::Sqlite => "changes",
        Engine::Postgres => "changes_pending",
    };
    conn.execute(
        &format!("INSERT INTO {table} (application_id, department_id, officer_id, previous_officer_id, kind, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        params![
            application_id,
            department_id,
            officer_id,
            previous_officer_id,
            kind.as_str(),
            at
        ],
    )?;
    Ok(())
}

/// Records in the change feed that `case` changed (`kind`) where it is: for its department and
/// the officer who has it, whose desks fetch it again.
pub fn case_changed(conn: &Conn<'_>, case: &CaseRow, kind: ChangeKind, at: &str) -> ApiResult<()> {
    let officer = case.officer_id.as_deref();
    record_change(conn, &case.id, &case.department_id, officer, None, kind, at)
}

/// The case, if the caller may read it: a supervisor, any case of their department; an officer,
/// the cases assigned to them now or before. Any other case answers exactly like one that does
/// not exist, so nothing leaks across departments or between colleagues.
pub fn visible_case(conn: &Conn<'_>, caller: &crate::auth::Caller, id: &str) -> ApiResult<CaseRow> {
    let missing =
        || crate::error::ApiError::not_found(format!("no application {id} in your department"));
    let case = case_row(conn, id)?.ok_or_else(missing)?;
    if !may_read(
        conn,
        caller,
        id,
        &case.department_id,
        case.officer_id.as_deref(),
    )? {
        return Err(missing());
    }
    Ok(case)
}

/// Whether `caller` may read case `id` of `department_id`, assigned now to `officer_id`: a
/// supervisor reads their department's cases; an officer those of their department assigned to
/// them now or before (a case moved away stays readable to whoever handled it). A colleague's
/// case should answer like a missing one.
pub fn may_read(
    conn: &Conn<'_>,
    caller: &crate::auth::Caller,
    id: &str,
    department_id: &str,
    officer_id: Option<&str>,
) -> ApiResult<bool> {
    if department_id != caller.department_id {
        return Ok(false);
    }
    if caller.role == migdesk_api::Role::Supervisor || officer_id == Some(caller.user_id.as_str()) {
        return Ok(true);
    }
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM every_change WHERE application_id = ?1 AND (officer_id = ?2 OR previous_officer_id = ?2))",
        [id, caller.user_id.as_str()],
        |r| r.get(0),
    )?)
}

/// The working days left on a case's deadline on `today` (negative: overdue by that many), by
/// the calendar table. A stopped clock keeps them as they are: time already lost stays lost.
pub fn days_left_on(
    calendar: &migdesk_domain::Calendar,
    today: chrono::NaiveDate,
    due_date: &str,
) -> ApiResult<i64> {
    let due = chrono::NaiveDate::parse_from_str(due_date, "%Y-%m-%d")
        .map_err(|e| crate::error::ApiError::internal(format!("due date {due_date:?}: {e}")))?;
    let left = calendar
        .working_days_left(today, due)
        .map_err(|e| crate::error::ApiError::internal(format!("the working-day calendar: {e}")))?;
    Ok(left)
}

/// The day a deadline stopped with `left` working days falls on when it runs again from `today`
/// (YYYY-MM-DD), by the calendar table.
pub fn resumed_due(
    calendar: &migdesk_domain::Calendar,
    today: chrono::NaiveDate,
    left: i64,
) -> ApiResult<String> {
    let days = u32::try_from(left.unsigned_abs()).unwrap_or(u32::MAX);
    let due = if left >= 0 {
        calendar.add_working_days(today, days)
    } else {
        calendar.working_days_before(today, days)
    };
    Ok(due
        .map_err(|e| crate::error::ApiError::internal(format!("the working-day calendar: {e}")))?
        .format("%Y-%m-%d")
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_paused_deadline_keeps_its_working_days_across_holidays() {
        let calendar = migdesk_domain::Calendar::builtin();
        // Stopped on Wednesday 18 March 2026, due Thursday 2 April: 19 March, then 20–30 March
        // are all non-working (Novruz, Ramazan and their transfers), then 31 March, 1 and 2
        // April: four working days are kept.
        assert_eq!(
            days_left_on(&calendar, day("2026-03-18"), "2026-04-02").unwrap(),
            4
        );
        // The documents arrive on Tuesday 26 May: 27–29 May are off (Gurban, Independence
        // Day's transfer), 30–31 May a weekend; the four days are 1–4 June.
        assert_eq!(
            resumed_due(&calendar, day("2026-05-26"), 4).unwrap(),
            "2026-06-04"
        );
        // Stopped when already overdue (Friday 10 April, due 2 April: 3 and 6–10 April late):
        // it is still six working days overdue when the documents arrive.
        assert_eq!(
            days_left_on(&calendar, day("2026-04-10"), "2026-04-02").unwrap(),
            -6
        );
        let late = resumed_due(&calendar, day("2026-05-26"), -6).unwrap();
        assert_eq!(
            days_left_on(&calendar, day("2026-05-26"), &late).unwrap(),
            -6
        );
        assert_eq!(
            resumed_due(&calendar, day("2026-05-26"), 0).unwrap(),
            "2026-05-26"
        );
        // A year the table does not have is an error, never a guess.
        assert!(resumed_due(&calendar, day("2027-12-28"), 10).is_err());
    }
}

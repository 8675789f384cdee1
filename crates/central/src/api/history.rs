//! A case's whole history as CSV, for an administrative review or a court: every event the
//! centre recorded (received, assigned, moved and why, documents added, decided and with which
//! reasons, conflicts and their resolution, internal notes, withdrawn) and every time a desk reported the case
//! opened or a decision recorded, with times and names. Supervisors only.

use std::collections::HashMap;

use crate::sql::Conn;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::NeedsSupervisor;
use crate::AppState;
use crate::audit_log::{self, Action, Desk, DeskHeader, Entry};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiPath;
use crate::store;

/// One line of the export.
struct Line {
    at: String,
    who: String,
    role: String,
    what: String,
    details: String,
    reason: String,
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

/// The event's facts in words, names for ids.
fn details(kind: &str, d: &Value, names: &HashMap<String, String>) -> String {
    let name = |v: &Value| {
        v.as_str()
            .map(|id| names.get(id).cloned().unwrap_or_else(|| id.to_owned()))
            .unwrap_or_default()
    };
    match kind {
        "assigned" => format!("to {} ({})", name(&d["to"]), text(&d["by"])),
        "reassigned" => format!("from {} to {}", name(&d["from"]), name(&d["to"])),
        "decided" => {
            let mut parts = vec![format!("decision {}", text(&d["kind"]))];
            for (key, label) in [
                ("missing_documents", "missing documents"),
                ("missing_other", "also missing"),
                ("note", "note"),
            ] {
                let value = text(&d[key]);
                if !value.is_empty() {
                    parts.push(format!("{label}: {value}"));
                }
            }
            if let Some(reasons) = d["reasons"].as_array().filter(|r| !r.is_empty()) {
                let reasons: Vec<String> = reasons
                    .iter()
                    .map(|r| {
                        let fields = text(&r["fields"]);
                        let detail = text(&r["detail"]);
                        [text(&r["code"]), fields, detail]
                            .into_iter()
                            .filter(|s| !s.is_empty())
                            .collect::<Vec<_>>()
                            .join(" — ")
                    })
                    .collect();
                parts.push(format!("reasons: {}", reasons.join("; ")));
            }
            parts.push(format!("decided at {}", text(&d["decided_at"])));
            parts.push(format!("decision id {}", text(&d["decision_id"])));
            parts.join("; ")
        }
        "decision_conflict" => format!(
            "decision {} made at {} kept as a conflict: {}; decision id {}",
            text(&d["kind"]),
            text(&d["decided_at"]),
            text(&d["cause"]),
            text(&d["decision_id"])
        ),
        "conflict_resolved" => format!(
            "{} the decision of {}; decision id {}",
            text(&d["action"]),
            name(&d["decided_by"]),
            text(&d["decision_id"])
        ),
        "documents_added" => format!("types: {}", text(&d["types"])),
        "deadline_paused" => format!(
            "the deadline stopped while the applicant owes documents, {} working days left",
            text(&d["working_days_left"])
        ),
        "deadline_resumed" => format!(
            "the documents arrived: the deadline runs again, {} working days, due {}",
            text(&d["working_days_left"]),
            text(&d["due_date"])
        ),
        "note_added" => format!(
            "internal note: {}; written at {}; note id {}",
            text(&d["text"]),
            text(&d["written_at"]),
            text(&d["note_id"])
        ),
        "reopened" => format!(
            "reopened ({}, reference {}) from {}; due {}",
            text(&d["ground"]),
            text(&d["reference"]),
            text(&d["previous_status"]),
            text(&d["due_date"])
        ),
        "executed" => format!(
            "executed: document {} issued on {}",
            text(&d["document_number"]),
            text(&d["issued_on"])
        ),
        "refusal_proposed" => format!(
            "refusal proposed, waiting for a supervisor's approval; decided at {}; decision id {}",
            text(&d["decided_at"]),
            text(&d["decision_id"])
        ),
        "refusal_approved" | "refusal_returned" => format!(
            "the proposed refusal {}: {}; decision id {}",
            if kind == "refusal_approved" {
                "was approved"
            } else {
                "was returned to its officer"
            },
            text(&d["note"]),
            text(&d["decision_id"])
        ),
        super::notifications::REQUEUED => {
            let mut parts = vec![format!(
                "the applicant's e-mail {} queued again: it was {} after {} attempts",
                text(&d["notification_id"]),
                text(&d["previous_state"]),
                text(&d["attempts"])
            )];
            if !d["last_error"].is_null() {
                parts.push(format!("last error: {}", text(&d["last_error"])));
            }
            if !d["message_id"].is_null() {
                parts.push(format!("Message-ID {}", text(&d["message_id"])));
            }
            parts.join("; ")
        }
        "opened" => "opened the case on their desk".to_owned(),
        "desk_decided" => "recorded a decision on their desk".to_owned(),
        _ => {
            let mut d = d.clone();
            if let Some(map) = d.as_object_mut() {
                map.remove("reason");
            }
            if d.as_object().is_some_and(serde_json::Map::is_empty) {
                String::new()
            } else {
                d.to_string()
            }
        }
    }
}

fn lines(conn: &Conn<'_>, application_id: &str) -> ApiResult<Vec<Line>> {
    let mut names = HashMap::new();
    let mut roles = HashMap::new();
    {
        let mut stmt = conn.prepare_cached("SELECT id, full_name, role FROM users")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (id, name, role) = row?;
            names.insert(id.clone(), name);
            roles.insert(id, role);
        }
    }
    let who = |actor: &Option<String>| match actor {
        Some(id) => (
            names.get(id).cloned().unwrap_or_else(|| id.clone()),
            roles.get(id).cloned().unwrap_or_default(),
        ),
        None => ("applicant or system".to_owned(), String::new()),
    };
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT at, kind, actor_id, detail FROM events WHERE application_id = ?1 ORDER BY id",
    )?;
    let events = stmt.query_map([application_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    for event in events {
        let (at, kind, actor, detail) = event?;
        let detail: Value = serde_json::from_str(&detail).unwrap_or_default();
        let (who, role) = who(&actor);
        let who = if kind == "assigned" && actor.is_none() {
            "routing".to_owned()
        } else {
            who
        };
        out.push(Line {
            details: details(&kind, &detail, &names),
            reason: text(&detail["reason"]),
            at,
            who,
            role,
            what: kind,
        });
    }
    // The desk's time as it reported it, with the centre's doubt about it when it has one.
    let mut stmt = conn.prepare_cached(
        "SELECT d.at, d.kind, d.user_id, l.flag FROM desk_audit d
         LEFT JOIN audit_log l ON l.actor_id = d.user_id AND l.subject = d.desk_event_id
             AND l.application_id = d.application_id AND l.action IN ('desk_opened', 'desk_decided')
         WHERE d.application_id = ?1 ORDER BY d.at, d.id",
    )?;
    let audit = stmt.query_map([application_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
        ))
    })?;
    for event in audit {
        let (at, kind, user, flag) = event?;
        let (who, role) = who(&Some(user));
        let what = if kind == "opened" {
            "opened".to_owned()
        } else {
            "desk_decided".to_owned()
        };
        let mut details = details(&what, &Value::Null, &names);
        match flag.as_deref() {
            Some("future") => details.push_str(" (the desk's clock was ahead of the centre's)"),
            Some("stale") => details.push_str(" (reported after more than the offline window)"),
            _ => {}
        }
        out.push(Line {
            details,
            reason: String::new(),
            at,
            who,
            role,
            what,
        });
    }
    // A stable sort: events of the same second keep the order they were recorded in.
    out.sort_by(|a, b| a.at.cmp(&b.at));
    Ok(out)
}

/// The case's history as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the
/// Azerbaijani and Russian names right): time, who, role, event, details, reason.
#[utoipa::path(get, path = "/api/v1/applications/{id}/history.csv", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path, description = "Application id"), DeskHeader),
    responses(
        (status = 200, content_type = "text/csv", body = String),
        NeedsSupervisor,
        (status = 404, body = ErrorBody),
    ))]
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    desk: Desk,
    ApiPath(application_id): ApiPath<String>,
) -> ApiResult<Response> {
    caller.require_supervisor()?;
    let export = Entry::by(&caller, &desk, Action::HistoryExported).on_case(&application_id);
    let response = state
        .db
        .read(move |conn| {
            let case = store::visible_case(conn, &caller, &application_id)?;
            let lines = lines(conn, &case.id)?;
            let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
            let internal = |e: csv::Error| ApiError::internal(e.to_string());
            out.write_record(["time", "who", "role", "event", "details", "reason"])
                .map_err(internal)?;
            for l in lines {
                let cells = [&l.at, &l.who, &l.role, &l.what, &l.details, &l.reason];
                out.write_record(cells.map(|c| spreadsheet_safe(c).into_owned()))
                    .map_err(internal)?;
            }
            let bytes = out
                .into_inner()
                .map_err(|e| ApiError::internal(e.to_string()))?;
            let file_name = format!("attachment; filename=\"{}-history.csv\"", case.number);
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (header::CONTENT_DISPOSITION, file_name),
                ],
                bytes,
            )
                .into_response())
        })
        .await?;
    audit_log::record(&state.db, export).await?;
    Ok(response)
}

/// A cell a spreadsheet will not run: text that starts like a formula (`=`, `+`, `-`, `@`, a
/// tab or a carriage return) gets a leading apostrophe, as OWASP's CSV injection rule says. A
/// supervisor's reason or an applicant's name reaches this file unchecked.
fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn formulas_are_neutralised_and_text_is_kept() {
        assert_eq!(
            spreadsheet_safe("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        for c in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(spreadsheet_safe(c).starts_with('\''), "{c:?}");
        }
        assert_eq!(
            spreadsheet_safe("Sick leave until Friday"),
            "Sick leave until Friday"
        );
        assert_eq!(spreadsheet_safe(""), "");
    }
}

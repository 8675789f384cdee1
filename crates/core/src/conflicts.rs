//! The officer's conflicts: decisions the centre kept but could not apply because the case
//! moved on (a supervisor moved it, it was decided elsewhere, it changed, the applicant
//! withdrew). Each stays in the outbox and at the centre; here it is told in facts the UI puts
//! into words, and the officer can mark it as seen. Nothing is ever deleted from here.

use migdesk_domain::decision::DecisionKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::cache::{Store, sql};
use crate::error::{DeskError, DeskResult, ErrorKind};

/// Why the centre could not apply a decision (its `cause`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConflictCause {
    /// A supervisor moved the case to another officer.
    Reassigned,
    /// The case already had a decision.
    AlreadyDecided,
    /// The case changed (documents added, for example) after the officer decided.
    StaleVersion,
    /// The applicant withdrew the application.
    Withdrawn,
    /// The centre gave no cause the desk knows.
    Other,
}

/// One conflict, with what the UI needs to explain it in the officer's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConflictView {
    /// The decision's id (the outbox entry).
    pub id: String,
    pub case_id: String,
    pub number: String,
    pub applicant: String,
    pub service: String,
    pub kind: DecisionKind,
    /// When the officer recorded the decision on this desk (RFC 3339).
    pub decided_at: String,
    pub cause: ConflictCause,
    /// The officer the case is with now, as the centre said.
    pub now_with: Option<String>,
    /// When the case last changed at the centre (RFC 3339), as the centre said.
    pub changed_at: Option<String>,
    /// The case's status at the centre now.
    pub status_now: Option<String>,
    /// The centre's own words (English), for support staff.
    pub message: String,
    /// The officer has marked it as seen.
    pub seen: bool,
}

/// All conflicts, unseen first, newest first.
pub fn list(store: &Store) -> DeskResult<Vec<ConflictView>> {
    let mut stmt = store
        .conn
        .prepare(
            "SELECT o.id, o.case_id, o.request, o.recorded_at, o.response, o.last_error, o.seen_at IS NOT NULL,
                    c.number, c.service, c.applicant
             FROM outbox o LEFT JOIN cases c ON c.id = o.case_id
             WHERE o.state = 'conflict'
             ORDER BY o.seen_at IS NOT NULL, o.recorded_at DESC, o.rowid DESC",
        )
        .map_err(sql)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Row {
                id: r.get(0)?,
                case_id: r.get(1)?,
                request: r.get(2)?,
                recorded_at: r.get(3)?,
                response: r.get(4)?,
                last_error: r.get(5)?,
                seen: r.get(6)?,
                number: r.get(7)?,
                service: r.get(8)?,
                applicant: r.get(9)?,
            })
        })
        .map_err(sql)?;
    rows.map(|row| row.map_err(sql).and_then(Row::view))
        .collect()
}

/// Marks a conflict as seen; it stays listed (and kept at the centre).
pub fn mark_seen(store: &Store, id: &str) -> DeskResult<()> {
    let changed = store
        .conn
        .execute(
            "UPDATE outbox SET seen_at = COALESCE(seen_at, ?2) WHERE id = ?1 AND state = 'conflict'",
            rusqlite::params![id, crate::cache::now()],
        )
        .map_err(sql)?;
    if changed == 0 {
        return Err(DeskError::new(
            ErrorKind::Invalid,
            format!("no conflict {id} on this desk"),
        ));
    }
    Ok(())
}

struct Row {
    id: String,
    case_id: String,
    request: String,
    recorded_at: String,
    response: Option<String>,
    last_error: Option<String>,
    seen: bool,
    number: Option<String>,
    service: Option<String>,
    applicant: Option<String>,
}

impl Row {
    fn view(self) -> DeskResult<ConflictView> {
        let request: Value = serde_json::from_str(&self.request).unwrap_or_default();
        let kind = serde_json::from_value(request["kind"].clone())
            .map_err(|e| DeskError::internal(format!("decision {}: {e}", self.id)))?;
        // The centre's 409 body: {kind, message, cause, current: {status, assignment, changed_at}}.
        let answer: Value = self
            .response
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok())
            .unwrap_or_default();
        let cause = match answer["cause"].as_str() {
            Some("reassigned") => ConflictCause::Reassigned,
            Some("already_decided") => ConflictCause::AlreadyDecided,
            Some("stale_version") => ConflictCause::StaleVersion,
            Some("withdrawn") => ConflictCause::Withdrawn,
            _ => ConflictCause::Other,
        };
        let current = &answer["current"];
        let text = |v: &Value| v.as_str().map(str::to_owned);
        Ok(ConflictView {
            number: self.number.unwrap_or_else(|| self.case_id.clone()),
            id: self.id,
            case_id: self.case_id,
            applicant: self.applicant.unwrap_or_default(),
            service: self.service.unwrap_or_default(),
            kind,
            decided_at: text(&request["decided_at"]).unwrap_or(self.recorded_at),
            cause,
            now_with: text(&current["assignment"]["officer"]["full_name"]),
            changed_at: text(&current["changed_at"]),
            status_now: text(&current["status"]),
            message: text(&answer["message"])
                .or(self.last_error)
                .unwrap_or_default(),
            seen: self.seen,
        })
    }
}

//! Conflicts: decisions the centre kept but could not apply because the case moved on (a
//! supervisor moved it, it was decided elsewhere, it changed, the applicant withdrew). This
//! desk's own stay in the outbox; the centre's list (kept by each sync in `centre_conflicts`)
//! adds a supervisor's answer to them and the conflicts of others that concern this user — for
//! a supervisor the department's, for an officer those on the cases they have now. Each is told
//! in facts the UI puts into words and can be marked as seen. Nothing is ever deleted from the
//! outbox; the centre's list is replaced whole by each sync.

use migdesk_domain::decision::DecisionKind;
use rusqlite::OptionalExtension;
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

/// What a supervisor did with a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ResolutionAction {
    /// The decision was applied to the case as its officer made it.
    Apply,
    /// Handed to the officer who has the case now, who decides it.
    HandOver,
    /// Discarded, with a reason.
    Discard,
}

/// A supervisor's answer to a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConflictResolution {
    pub action: ResolutionAction,
    pub reason: Option<String>,
    /// The supervisor's name.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
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
    /// Who recorded the decision: null when it was recorded on this desk.
    pub decided_by: Option<String>,
    /// The decision was recorded on this desk (the officer's own).
    pub on_this_desk: bool,
    /// What a supervisor decided about it, once resolved.
    pub resolution: Option<ConflictResolution>,
}

/// All conflicts, unseen first, newest first: this desk's own, with the centre's news of them,
/// and the others the centre listed.
pub fn list(store: &Store) -> DeskResult<Vec<ConflictView>> {
    // The centre's records by decision id, with whether this desk has marked each seen.
    let mut centre: std::collections::HashMap<String, (Value, bool)> = {
        let mut stmt = store
            .conn
            .prepare("SELECT id, detail, seen_at IS NOT NULL FROM centre_conflicts")
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                let detail: String = r.get(1)?;
                Ok((
                    r.get::<_, String>(0)?,
                    (
                        serde_json::from_str(&detail).unwrap_or_default(),
                        r.get::<_, bool>(2)?,
                    ),
                ))
            })
            .map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)?
    };
    let mut views = own(store)?;
    for view in &mut views {
        if let Some((record, _)) = centre.remove(&view.id) {
            view.resolution = resolution(&record);
            if let Some(name) = record["now_with"]["full_name"].as_str() {
                view.now_with = Some(name.to_owned());
            }
        }
    }
    for (id, (record, seen)) in centre {
        views.push(from_centre(store, id, &record, seen)?);
    }
    views.sort_by(|a, b| {
        (a.seen, std::cmp::Reverse(&a.decided_at), &a.id).cmp(&(
            b.seen,
            std::cmp::Reverse(&b.decided_at),
            &b.id,
        ))
    });
    Ok(views)
}

fn resolution(record: &Value) -> Option<ConflictResolution> {
    let r = &record["resolution"];
    Some(ConflictResolution {
        action: serde_json::from_value(r["action"].clone()).ok()?,
        reason: r["reason"].as_str().map(str::to_owned),
        by: r["by"]["full_name"].as_str().unwrap_or_default().to_owned(),
        at: r["at"].as_str().unwrap_or_default().to_owned(),
    })
}

fn cause_of(text: Option<&str>) -> ConflictCause {
    match text {
        Some("reassigned") => ConflictCause::Reassigned,
        Some("already_decided") => ConflictCause::AlreadyDecided,
        Some("stale_version") => ConflictCause::StaleVersion,
        Some("withdrawn") => ConflictCause::Withdrawn,
        _ => ConflictCause::Other,
    }
}

/// A conflict this desk knows only from the centre's list (another officer's decision).
fn from_centre(store: &Store, id: String, record: &Value, seen: bool) -> DeskResult<ConflictView> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let case_id = text(&record["application_id"]).unwrap_or_default();
    let cached: Option<(String, String, String)> = store
        .conn
        .query_row(
            "SELECT number, service, applicant FROM cases WHERE id = ?1",
            [&case_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(sql)?;
    let (number, service, applicant) = cached.unwrap_or_else(|| {
        (
            text(&record["number"]).unwrap_or_default(),
            text(&record["service"]).unwrap_or_default(),
            text(&record["applicant_name"]).unwrap_or_default(),
        )
    });
    let kind = serde_json::from_value(record["kind"].clone())
        .map_err(|e| DeskError::internal(format!("conflict {id}: {e}")))?;
    let cause = cause_of(record["cause"].as_str());
    Ok(ConflictView {
        message: format!(
            "the decision was kept as a conflict: {}",
            record["cause"].as_str().unwrap_or("unknown cause")
        ),
        resolution: resolution(record),
        decided_by: text(&record["decided_by"]["full_name"]),
        on_this_desk: false,
        id,
        case_id,
        number,
        applicant,
        service,
        kind,
        decided_at: text(&record["decided_at"]).unwrap_or_default(),
        cause,
        now_with: text(&record["now_with"]["full_name"]),
        changed_at: text(&record["changed_at"]),
        status_now: text(&record["status"]),
        seen,
    })
}

/// Keeps the centre's list of conflicts: replaced whole, each one's `seen` kept.
pub fn keep_centre(store: &mut Store, records: &[Value]) -> DeskResult<()> {
    let tx = store.conn.transaction().map_err(sql)?;
    let mut listed = Vec::new();
    for record in records {
        let Some(id) = record["decision_id"].as_str() else {
            continue;
        };
        let case_id = record["application_id"].as_str().unwrap_or_default();
        tx.execute(
            "INSERT INTO centre_conflicts (id, case_id, detail) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET case_id = excluded.case_id, detail = excluded.detail",
            rusqlite::params![id, case_id, record.to_string()],
        )
        .map_err(sql)?;
        listed.push(id);
    }
    tx.execute(
        "DELETE FROM centre_conflicts WHERE id NOT IN (SELECT value FROM json_each(?1))",
        [serde_json::to_string(&listed).map_err(|e| DeskError::internal(e.to_string()))?],
    )
    .map_err(sql)?;
    tx.commit().map_err(sql)
}

/// This desk's own conflicts, from the outbox.
fn own(store: &Store) -> DeskResult<Vec<ConflictView>> {
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
    let changed = changed
        + store
            .conn
            .execute(
                "UPDATE centre_conflicts SET seen_at = COALESCE(seen_at, ?2) WHERE id = ?1",
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
        let cause = cause_of(answer["cause"].as_str());
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
            decided_by: None,
            on_this_desk: true,
            resolution: None,
        })
    }
}

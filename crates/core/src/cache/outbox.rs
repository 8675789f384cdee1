//! Table `outbox`: every decision the officer records, from the moment it is made until the
//! centre has answered it. Rows are never deleted; a row's state is an [`OutboxState`].

use migdesk_api::DecisionRequest;
use migdesk_domain::decision::Decision;
use rusqlite::{OptionalExtension, params};

use super::{Meta, Store, audit::insert_audit, map_sql, now, of_session};
use crate::error::{DeskError, DeskResult, ErrorKind};

/// Where a recorded decision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting to be sent (or sent without an answer, to be tried again).
    Pending,
    /// The centre recorded it.
    Sent,
    /// The centre kept it as a conflict (the case moved on).
    Conflict,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sent => "sent",
            OutboxState::Conflict => "conflict",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            OutboxState::Pending,
            OutboxState::Sent,
            OutboxState::Conflict,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// A decision waiting to be sent.
#[derive(Debug)]
pub(crate) struct Due {
    pub id: String,
    pub case_id: String,
    pub request: DecisionRequest,
    pub attempts: i64,
}

/// The centre's answer to one attempt, as the row keeps it.
#[derive(Debug)]
pub(crate) struct Attempt<'a> {
    pub state: OutboxState,
    pub response: Option<&'a str>,
    pub error: Option<&'a str>,
    pub attempts: i64,
    /// When a pending decision may be tried again (RFC 3339).
    pub next_attempt_at: Option<String>,
}

/// The newest decision recorded on a case.
#[derive(Debug)]
pub(crate) struct Latest {
    pub id: String,
    pub request: DecisionRequest,
    pub state: OutboxState,
    pub recorded_at: String,
    pub last_error: Option<String>,
}

/// A decision the centre kept as a conflict, with its case as cached (if it still is).
#[derive(Debug)]
pub(crate) struct OutboxConflict {
    pub id: String,
    pub case_id: String,
    pub request: DecisionRequest,
    pub recorded_at: String,
    /// The centre's answer (its error body), as received.
    pub response: Option<String>,
    pub last_error: Option<String>,
    pub seen: bool,
    pub number: Option<String>,
    pub service: Option<String>,
    pub applicant: Option<String>,
}

/// The officer's work not sent yet: decisions, notes, counter documents and a supervisor's
/// answers to proposed refusals, with whose they are
/// and for which centre.
const UNSENT: &str = "SELECT owner, instance FROM outbox WHERE state = 'pending'
     UNION ALL SELECT owner, instance FROM notes_outbox WHERE state = 'pending'
     UNION ALL SELECT owner, instance FROM counter_outbox WHERE state = 'pending'
     UNION ALL SELECT owner, instance FROM approvals_outbox WHERE state = 'pending'";

/// A stored request, read back through the contract.
fn request_at(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<DecisionRequest> {
    serde_json::from_str(&r.get::<_, String>(idx)?).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// A state this version does not know is shown as a conflict: it needs a person.
fn state_at(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<OutboxState> {
    Ok(OutboxState::parse(&r.get::<_, String>(idx)?).unwrap_or(OutboxState::Conflict))
}

impl Store {
    /// Records the officer's decision on a case of their queue, with its audit event, in one
    /// transaction. Returns the decision's id.
    pub(crate) fn record_decision(
        &mut self,
        case_id: &str,
        decision: &Decision,
    ) -> DeskResult<String> {
        let tx = self.transaction()?;
        let version: Option<i64> = tx
            .query_row(
                "SELECT version FROM cases WHERE id = ?1 AND mine = 1",
                [case_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(map_sql)?;
        let version = version.ok_or_else(|| {
            DeskError::new(
                ErrorKind::Central,
                format!("{case_id} is not in this desk's queue"),
            )
        })?;
        let id = uuid::Uuid::new_v4();
        let request = DecisionRequest::new(id, version, decision.clone(), now());
        let text =
            serde_json::to_string(&request).map_err(|e| DeskError::internal(e.to_string()))?;
        tx.execute(
            "INSERT INTO outbox (id, case_id, request, recorded_at, state, owner, instance) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                id.to_string(),
                case_id,
                text,
                now(),
                OutboxState::Pending.as_str(),
                Meta::UserId.get(&tx)?,
                Meta::CentralInstance.get(&tx)?,
            ],
        )
        .map_err(map_sql)?;
        insert_audit(
            &tx,
            "decided",
            Some(case_id),
            &serde_json::json!({ "decision_id": id.to_string(), "kind": request.kind }),
        )?;
        tx.commit().map_err(map_sql)?;
        Ok(id.to_string())
    }

    /// Lets every pending decision, note and counter document be tried at the next sync,
    /// whatever its back-off. Returns the number of decisions.
    pub fn retry_now(&self) -> DeskResult<usize> {
        self.conn
            .execute_batch(
                "UPDATE notes_outbox SET next_attempt_at = NULL WHERE state = 'pending' AND next_attempt_at IS NOT NULL;
                 UPDATE counter_outbox SET next_attempt_at = NULL WHERE state = 'pending' AND next_attempt_at IS NOT NULL;
                 UPDATE approvals_outbox SET next_attempt_at = NULL WHERE state = 'pending' AND next_attempt_at IS NOT NULL;",
            )
            .map_err(map_sql)?;
        self.conn
            .execute(
                "UPDATE outbox SET next_attempt_at = NULL WHERE state = 'pending' AND next_attempt_at IS NOT NULL",
                [],
            )
            .map_err(map_sql)
    }

    /// The signed-in officer's pending decisions whose back-off has passed, oldest first.
    pub(crate) fn due_decisions(&self) -> DeskResult<Vec<Due>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT id, case_id, request, attempts FROM outbox WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?1)
                 AND {} ORDER BY recorded_at",
                of_session("outbox")
            ))
            .map_err(map_sql)?;
        stmt.query_map([now()], |r| {
            Ok(Due {
                id: r.get(0)?,
                case_id: r.get(1)?,
                request: request_at(r, 2)?,
                attempts: r.get(3)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(map_sql)
    }

    /// Keeps what one attempt to send a decision brought.
    pub(crate) fn record_attempt(&self, id: &str, attempt: &Attempt<'_>) -> DeskResult<()> {
        self.conn
            .execute(
                "UPDATE outbox SET state = ?2, response = ?3, last_error = ?4, attempts = ?5, next_attempt_at = ?6,
                   acknowledged_at = CASE WHEN ?2 = 'sent' THEN ?7 ELSE acknowledged_at END WHERE id = ?1",
                params![
                    id,
                    attempt.state.as_str(),
                    attempt.response,
                    attempt.error,
                    attempt.attempts,
                    attempt.next_attempt_at,
                    now()
                ],
            )
            .map(|_| ())
            .map_err(map_sql)
    }

    /// The signed-in officer's newest decision on a case, if any.
    pub(crate) fn latest_decision(&self, case_id: &str) -> DeskResult<Option<Latest>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT id, request, state, recorded_at, last_error FROM outbox WHERE case_id = ?1 AND {}
                     ORDER BY recorded_at DESC, rowid DESC LIMIT 1",
                    of_session("outbox")
                ),
                [case_id],
                |r| {
                    Ok(Latest {
                        id: r.get(0)?,
                        request: request_at(r, 1)?,
                        state: state_at(r, 2)?,
                        recorded_at: r.get(3)?,
                        last_error: r.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(map_sql)
    }

    /// The signed-in officer's decisions kept as conflicts, unseen first, newest first (another
    /// officer's stay with their owner).
    pub(crate) fn outbox_conflicts(&self) -> DeskResult<Vec<OutboxConflict>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT o.id, o.case_id, o.request, o.recorded_at, o.response, o.last_error, o.seen_at IS NOT NULL,
                        c.number, c.service, c.applicant
                 FROM outbox o LEFT JOIN cases c ON c.id = o.case_id
                 WHERE o.state = 'conflict' AND {}
                 ORDER BY o.seen_at IS NOT NULL, o.recorded_at DESC, o.rowid DESC",
                of_session("o")
            ))
            .map_err(map_sql)?;
        stmt.query_map([], |r| {
            Ok(OutboxConflict {
                id: r.get(0)?,
                case_id: r.get(1)?,
                request: request_at(r, 2)?,
                recorded_at: r.get(3)?,
                response: r.get(4)?,
                last_error: r.get(5)?,
                seen: r.get(6)?,
                number: r.get(7)?,
                service: r.get(8)?,
                applicant: r.get(9)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(map_sql)
    }

    /// Decisions and notes not sent yet that are not `owner`'s at centre `instance` (another
    /// officer's, or made for another centre): they would be stranded if the desk changed hands.
    pub(crate) fn pending_of_others(&self, owner: &str, instance: &str) -> DeskResult<i64> {
        self.conn
            .query_row(
                &format!(
                    "SELECT COUNT(*) FROM ({UNSENT}) WHERE NOT (owner IS ?1 AND (instance IS NULL OR instance = ?2))"
                ),
                params![owner, instance],
                |r| r.get(0),
            )
            .map_err(map_sql)
    }

    /// Decisions and notes not sent yet, whoever's.
    pub(crate) fn pending_decisions(&self) -> DeskResult<i64> {
        self.conn
            .query_row(&format!("SELECT COUNT(*) FROM ({UNSENT})"), [], |r| {
                r.get(0)
            })
            .map_err(map_sql)
    }

    /// `owner`'s decisions and notes not sent yet.
    pub(crate) fn pending_of(&self, owner: &str) -> DeskResult<i64> {
        self.conn
            .query_row(
                &format!("SELECT COUNT(*) FROM ({UNSENT}) WHERE owner IS ?1"),
                [owner],
                |r| r.get(0),
            )
            .map_err(map_sql)
    }

    /// Marks a conflict (this desk's or the centre's) as seen; false when there is none by
    /// that id.
    pub(crate) fn mark_conflict_seen(&self, id: &str) -> DeskResult<bool> {
        let mut changed = 0;
        for sql in [
            "UPDATE outbox SET seen_at = COALESCE(seen_at, ?2) WHERE id = ?1 AND state = 'conflict'",
            "UPDATE central_conflicts SET seen_at = COALESCE(seen_at, ?2) WHERE id = ?1",
            "UPDATE approvals_outbox SET seen_at = COALESCE(seen_at, ?2) WHERE decision_id = ?1 AND state = 'refused'",
        ] {
            changed += self
                .conn
                .execute(sql, params![id, now()])
                .map_err(map_sql)?;
        }
        Ok(changed > 0)
    }
}

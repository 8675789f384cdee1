//! Table `approvals_outbox`: a supervisor's answers to proposed refusals (four eyes), from the
//! moment they are given until the centre has applied them or refused them for good; and the
//! cached cases with a refusal waiting for approval (`cases.proposal`, generated from the
//! centre's description).

use migdesk_api::{ApprovalAction, ConflictCause};
use rusqlite::{OptionalExtension, params};

use super::{Meta, NoteState, Store, map_sql, now, of_session};
use crate::error::{DeskError, DeskResult};

/// An answer waiting to be sent.
#[derive(Debug)]
pub(crate) struct DueApproval {
    pub decision_id: String,
    pub action: ApprovalAction,
    pub note: String,
    pub based_on_version: i64,
    pub answered_at: String,
    pub attempts: i64,
}

/// An answer given on this desk, as the approvals list and the inbox show it.
#[derive(Debug)]
pub(crate) struct LocalApproval {
    pub decision_id: String,
    pub case_id: String,
    pub action: ApprovalAction,
    pub note: String,
    pub answered_at: String,
    pub state: NoteState,
    pub last_error: Option<String>,
    pub cause: Option<ConflictCause>,
    pub seen: bool,
    pub number: Option<String>,
    pub service: Option<String>,
    pub applicant: Option<String>,
}

fn action_at(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<ApprovalAction> {
    // The table's CHECK allows nothing else.
    Ok(ApprovalAction::parse(&r.get::<_, String>(idx)?).unwrap_or(ApprovalAction::Return))
}

const LOCAL: &str =
    "SELECT a.decision_id, a.case_id, a.action, a.note, a.answered_at, a.state, a.last_error,
        a.cause, a.seen_at IS NOT NULL, c.number, c.service, c.applicant
     FROM approvals_outbox a LEFT JOIN cases c ON c.id = a.case_id";

fn local(r: &rusqlite::Row<'_>) -> rusqlite::Result<LocalApproval> {
    Ok(LocalApproval {
        decision_id: r.get(0)?,
        case_id: r.get(1)?,
        action: action_at(r, 2)?,
        note: r.get(3)?,
        answered_at: r.get(4)?,
        state: NoteState::parse(&r.get::<_, String>(5)?),
        last_error: r.get(6)?,
        cause: r
            .get::<_, Option<String>>(7)?
            .map(|c| ConflictCause::parse(&c)),
        seen: r.get(8)?,
        number: r.get(9)?,
        service: r.get(10)?,
        applicant: r.get(11)?,
    })
}

impl Store {
    /// Keeps the supervisor's answer to the refusal proposed on a cached case, at the case's
    /// version as cached, durable at once. One answer a proposal: a second is refused, unless the
    /// centre refused the first.
    pub(crate) fn record_approval(
        &mut self,
        case_id: &str,
        decision_id: &str,
        action: ApprovalAction,
        note: &str,
    ) -> DeskResult<()> {
        let tx = self.transaction()?;
        let version: Option<i64> = tx
            .query_row(
                "SELECT version FROM cases WHERE id = ?1 AND proposal = ?2",
                [case_id, decision_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(map_sql)?;
        let version = version.ok_or_else(|| {
            DeskError::invalid(format!(
                "no refusal {decision_id} waits for approval on case {case_id} here"
            ))
        })?;
        let answered: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM approvals_outbox WHERE decision_id = ?1 AND state <> 'refused')",
                [decision_id],
                |r| r.get(0),
            )
            .map_err(map_sql)?;
        if answered {
            return Err(DeskError::invalid("this refusal already has your answer"));
        }
        // An answer the centre refused gives way to the new one (the inbox has said why).
        tx.execute(
            "INSERT OR REPLACE INTO approvals_outbox (decision_id, case_id, action, note, based_on_version, answered_at, state, owner, instance)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8)",
            params![
                decision_id,
                case_id,
                action.as_str(),
                note,
                version,
                now(),
                Meta::UserId.get(&tx)?,
                Meta::CentralInstance.get(&tx)?,
            ],
        )
        .map_err(map_sql)?;
        tx.commit().map_err(map_sql)
    }

    /// The signed-in supervisor's pending answers whose back-off has passed, oldest first.
    pub(crate) fn due_approvals(&self) -> DeskResult<Vec<DueApproval>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT decision_id, action, note, based_on_version, answered_at, attempts FROM approvals_outbox
                 WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?1) AND {}
                 ORDER BY answered_at, rowid",
                of_session("approvals_outbox")
            ))
            .map_err(map_sql)?;
        stmt.query_map([now()], |r| {
            Ok(DueApproval {
                decision_id: r.get(0)?,
                action: action_at(r, 1)?,
                note: r.get(2)?,
                based_on_version: r.get(3)?,
                answered_at: r.get(4)?,
                attempts: r.get(5)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(map_sql)
    }

    /// Keeps what one attempt to send an answer brought (a refusal's conflict cause with it).
    pub(crate) fn record_approval_attempt(
        &self,
        decision_id: &str,
        state: NoteState,
        error: Option<&str>,
        cause: Option<ConflictCause>,
        attempts: i64,
        next_attempt_at: Option<&str>,
    ) -> DeskResult<()> {
        self.conn
            .execute(
                "UPDATE approvals_outbox SET state = ?2, last_error = ?3, cause = ?4, attempts = ?5, next_attempt_at = ?6 WHERE decision_id = ?1",
                params![
                    decision_id,
                    state.as_str(),
                    error,
                    cause.map(ConflictCause::as_str),
                    attempts,
                    next_attempt_at
                ],
            )
            .map(|_| ())
            .map_err(map_sql)
    }

    /// The signed-in supervisor's answers given here, newest first.
    pub(crate) fn local_approvals(&self) -> DeskResult<Vec<LocalApproval>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "{LOCAL} WHERE {} ORDER BY a.answered_at DESC, a.rowid DESC",
                of_session("a")
            ))
            .map_err(map_sql)?;
        stmt.query_map([], local)
            .and_then(Iterator::collect)
            .map_err(map_sql)
    }

    /// The cached cases' descriptions with a refusal waiting for approval, oldest proposal
    /// first: what a supervisor's approvals list is made of.
    pub(crate) fn proposed_cases(&self) -> DeskResult<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT detail FROM cases WHERE proposal IS NOT NULL AND status = 'pending'
                 ORDER BY json_extract(detail, '$.proposal.proposed_at'), number",
            )
            .map_err(map_sql)?;
        stmt.query_map([], |r| r.get(0))
            .and_then(Iterator::collect)
            .map_err(map_sql)
    }
}

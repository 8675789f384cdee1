//! Table `notes_outbox`: every internal note written on this desk, from the moment it is
//! written until the centre has kept it (or refused it for good). Like the decisions' outbox,
//! each row belongs to one officer at one centre and is sent only under that session.

use rusqlite::params;

use super::{Meta, Store, map_sql, now, of_session};
use crate::error::{DeskError, DeskResult};

/// Where a note (or a counter document) added here stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoteState {
    /// Waiting to be sent (or sent without an answer, to be tried again).
    Pending,
    /// The centre kept it.
    Sent,
    /// The centre refused it for good (the case is no longer the officer's to read, or the
    /// note does not fit); the reason is kept with it.
    Refused,
}

impl NoteState {
    pub fn as_str(self) -> &'static str {
        match self {
            NoteState::Pending => "pending",
            NoteState::Sent => "sent",
            NoteState::Refused => "refused",
        }
    }
    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "pending" => NoteState::Pending,
            "sent" => NoteState::Sent,
            // A state this version does not know needs a person: shown as refused.
            _ => NoteState::Refused,
        }
    }
}

/// The outboxes of the officer's work sent on its own, apart from the decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SideOutbox {
    /// Internal notes (`notes_outbox`).
    Notes,
    /// Documents added at the counter (`counter_outbox`).
    Counter,
}

/// A note waiting to be sent.
#[derive(Debug)]
pub(crate) struct DueNote {
    pub id: String,
    pub case_id: String,
    pub text: String,
    pub written_at: String,
    pub attempts: i64,
}

/// A note written on this desk, as the case screen shows it.
#[derive(Debug)]
pub(crate) struct LocalNote {
    pub id: String,
    pub text: String,
    pub written_at: String,
    pub state: NoteState,
    pub last_error: Option<String>,
}

impl Store {
    /// Keeps a note on a cached case, durable at once. Returns its id.
    pub(crate) fn record_note(&mut self, case_id: &str, text: &str) -> DeskResult<String> {
        let tx = self.transaction()?;
        let cached: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM cases WHERE id = ?1)",
                [case_id],
                |r| r.get(0),
            )
            .map_err(map_sql)?;
        if !cached {
            return Err(DeskError::invalid(format!(
                "case {case_id} is not on this desk"
            )));
        }
        let id = uuid::Uuid::new_v4().to_string();
        tx.execute(
            "INSERT INTO notes_outbox (id, case_id, text, written_at, state, owner, instance) VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6)",
            params![
                id,
                case_id,
                text,
                now(),
                Meta::UserId.get(&tx)?,
                Meta::CentralInstance.get(&tx)?,
            ],
        )
        .map_err(map_sql)?;
        tx.commit().map_err(map_sql)?;
        Ok(id)
    }

    /// The signed-in officer's pending notes whose back-off has passed, oldest first.
    pub(crate) fn due_notes(&self) -> DeskResult<Vec<DueNote>> {
        self.due_in(
            SideOutbox::Notes,
            "id, case_id, text, written_at, attempts",
            |r| {
                Ok(DueNote {
                    id: r.get(0)?,
                    case_id: r.get(1)?,
                    text: r.get(2)?,
                    written_at: r.get(3)?,
                    attempts: r.get(4)?,
                })
            },
        )
    }

    /// The signed-in officer's rows of `outbox` due to be sent (pending, their back-off
    /// passed), oldest first: `columns` of each, read by `row`.
    pub(super) fn due_in<T>(
        &self,
        outbox: SideOutbox,
        columns: &str,
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> DeskResult<Vec<T>> {
        let (table, also, written) = match outbox {
            SideOutbox::Notes => ("notes_outbox", "", "written_at"),
            // A sent document's bytes have left the outbox.
            SideOutbox::Counter => ("counter_outbox", "AND bytes IS NOT NULL", "added_at"),
        };
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {columns} FROM {table}
                 WHERE state = 'pending' {also}
                   AND (next_attempt_at IS NULL OR next_attempt_at <= ?1) AND {}
                 ORDER BY {written}, rowid",
                of_session(table)
            ))
            .map_err(map_sql)?;
        stmt.query_map([now()], row)
            .and_then(Iterator::collect)
            .map_err(map_sql)
    }

    /// Keeps what one attempt to send a note or a counter document brought; once the centre
    /// has a counter document, the outbox lets go of its bytes.
    pub(crate) fn record_side_attempt(
        &self,
        outbox: SideOutbox,
        id: &str,
        state: NoteState,
        error: Option<&str>,
        attempts: i64,
        next_attempt_at: Option<&str>,
    ) -> DeskResult<()> {
        let sql = match outbox {
            SideOutbox::Notes => {
                "UPDATE notes_outbox SET state = ?2, last_error = ?3, attempts = ?4, next_attempt_at = ?5 WHERE id = ?1"
            }
            SideOutbox::Counter => {
                "UPDATE counter_outbox SET state = ?2, last_error = ?3, attempts = ?4, next_attempt_at = ?5,
                     bytes = CASE WHEN ?2 = 'sent' THEN NULL ELSE bytes END
                 WHERE id = ?1"
            }
        };
        self.conn
            .execute(
                sql,
                params![id, state.as_str(), error, attempts, next_attempt_at],
            )
            .map(|_| ())
            .map_err(map_sql)
    }

    /// The signed-in officer's notes on a case written here, oldest first.
    pub(crate) fn local_notes(&self, case_id: &str) -> DeskResult<Vec<LocalNote>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT id, text, written_at, state, last_error FROM notes_outbox
                 WHERE case_id = ?1 AND {} ORDER BY written_at, rowid",
                of_session("notes_outbox")
            ))
            .map_err(map_sql)?;
        stmt.query_map([case_id], |r| {
            Ok(LocalNote {
                id: r.get(0)?,
                text: r.get(1)?,
                written_at: r.get(2)?,
                state: NoteState::parse(&r.get::<_, String>(3)?),
                last_error: r.get(4)?,
            })
        })
        .and_then(Iterator::collect)
        .map_err(map_sql)
    }
}

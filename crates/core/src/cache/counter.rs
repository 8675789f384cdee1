//! Table `counter_outbox`: each document added to a case at the counter on this desk, from the
//! moment it is added until the centre has it (or refused it for good). The file is sealed into
//! the cache's `files` and named with a `documents` row for its case in one transaction, so the viewer shows it
//! and the checklist counts it at once; its bytes also stay in the outbox row until the centre
//! has them (a repaired cache can still send it), then leave it.

use rusqlite::{OptionalExtension, params};

use super::{Meta, NoteState, SideOutbox, Store, map_sql, now};
use crate::error::{DeskError, DeskResult};

/// A counter document waiting to be sent.
#[derive(Debug)]
pub(crate) struct DueCounterDocument {
    pub id: String,
    pub case_id: String,
    pub doc_type: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub added_at: String,
    pub attempts: i64,
}

/// A counter document added here: (id, type, state, why refused).
pub(crate) type CounterState = (String, String, NoteState, Option<String>);

/// A file, checked, to add to a case.
#[derive(Debug)]
pub(crate) struct NewCounterDocument<'a> {
    pub doc_type: &'a str,
    pub file_name: &'a str,
    pub mime_type: &'a str,
    pub bytes: &'a [u8],
}

impl Store {
    /// Adds a file to a cached case of the signed-in officer, durable at once. Returns its id.
    pub(crate) fn record_counter_document(
        &mut self,
        case_id: &str,
        file: &NewCounterDocument<'_>,
    ) -> DeskResult<String> {
        use sha2::{Digest, Sha256};
        let sha = hex::encode(Sha256::digest(file.bytes));
        let sealed = self.files.write(&sha, file.bytes)?;
        self.files.sync_folder()?;
        let name = sealed.name.clone();
        let recorded = self.record_counter_file(case_id, file, &sealed);
        if !matches!(recorded, Ok((_, true))) {
            // Not named: a refusal, or the cache holds the same content already.
            self.files.remove(&[name])?;
        }
        recorded.map(|(id, _)| id)
    }

    /// [`Store::record_counter_document`]'s transaction, once the file is sealed; says whether
    /// the sealed file is the one the cache names.
    fn record_counter_file(
        &mut self,
        case_id: &str,
        file: &NewCounterDocument<'_>,
        sealed: &super::files::FileRef,
    ) -> DeskResult<(String, bool)> {
        let sha = &sealed.sha256;
        let tx = self.transaction()?;
        let case: Option<(bool, String)> = tx
            .query_row(
                "SELECT mine, status FROM cases WHERE id = ?1",
                [case_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(map_sql)?;
        match case {
            None => {
                return Err(DeskError::invalid(format!(
                    "case {case_id} is not on this desk"
                )));
            }
            Some((false, _)) => {
                return Err(DeskError::invalid("this case is not assigned to you"));
            }
            Some((true, status)) if !matches!(status.as_str(), "pending" | "missing_documents") => {
                return Err(DeskError::invalid("this case no longer takes documents"));
            }
            Some(_) => {}
        }
        let id = uuid::Uuid::new_v4().to_string();
        let named = tx
            .execute(
                "INSERT OR IGNORE INTO files (sha256, size, name) VALUES (?1, ?2, ?3)",
                params![sha, sealed.size as i64, sealed.name],
            )
            .map_err(map_sql)?
            == 1;
        tx.execute(
            "INSERT INTO documents (id, case_id, type, file_name, mime_type, size, sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, case_id, file.doc_type, file.file_name, file.mime_type, file.bytes.len() as i64, sha],
        )
        .map_err(map_sql)?;
        tx.execute(
            "INSERT INTO counter_outbox (id, case_id, type, file_name, bytes, added_at, state, owner, instance)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?8)",
            params![
                id,
                case_id,
                file.doc_type,
                file.file_name,
                file.bytes,
                now(),
                Meta::UserId.get(&tx)?,
                Meta::CentralInstance.get(&tx)?,
            ],
        )
        .map_err(map_sql)?;
        tx.commit().map_err(map_sql)?;
        Ok((id, named))
    }

    /// The signed-in officer's counter documents due to be sent, oldest first.
    pub(crate) fn due_counter_documents(&self) -> DeskResult<Vec<DueCounterDocument>> {
        self.due_in(
            SideOutbox::Counter,
            "id, case_id, type, file_name, bytes, added_at, attempts",
            |r| {
                Ok(DueCounterDocument {
                    id: r.get(0)?,
                    case_id: r.get(1)?,
                    doc_type: r.get(2)?,
                    file_name: r.get(3)?,
                    bytes: r.get(4)?,
                    added_at: r.get(5)?,
                    attempts: r.get(6)?,
                })
            },
        )
    }

    /// Where each counter document added here on a case stands: (id, type, state, why
    /// refused).
    pub(crate) fn counter_states(&self, case_id: &str) -> DeskResult<Vec<CounterState>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, type, state, last_error FROM counter_outbox WHERE case_id = ?1")
            .map_err(map_sql)?;
        stmt.query_map([case_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                NoteState::parse(&r.get::<_, String>(2)?),
                r.get(3)?,
            ))
        })
        .and_then(Iterator::collect)
        .map_err(map_sql)
    }
}

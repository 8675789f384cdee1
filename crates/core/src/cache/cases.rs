//! Table `cases`: each case the change feed brought, as the centre described it, with the rows
//! of its documents and its search entry written in the same transaction; and what leaves: a
//! case that moved away, every case when another officer signs in, decided cases after the
//! purge period.

use migdesk_api::{ApplicationDetail, Change};
use rusqlite::{OptionalExtension, params};

use super::{Meta, Store, blobs::forget_unreferenced_files, map_sql, now, of_session};
use crate::error::{DeskError, DeskResult};

/// What the desk holds, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    /// The officer's cases waiting for a decision.
    pub queue: i64,
    /// Of those, the ones past their due date.
    pub overdue: i64,
    pub unsent_decisions: i64,
    pub conflicts: i64,
    pub documents_missing: i64,
}

impl Store {
    /// Applies one page of the change feed and moves the feed's position past it, as one
    /// transaction: a crash leaves the page either wholly applied or not at all.
    pub fn apply_feed_page(
        &mut self,
        changes: &[Change],
        cursor: &str,
        me: &str,
    ) -> DeskResult<()> {
        let tx = self.transaction()?;
        for change in changes {
            apply_change(&tx, change, me)?;
        }
        // Files of cases that left with this page go once, not once per case.
        let gone = if changes.iter().any(|c| c.application.is_none()) {
            forget_unreferenced_files(&tx)?
        } else {
            Vec::new()
        };
        Meta::Cursor.set(&tx, cursor)?;
        Meta::LastSync.set(&tx, &now())?;
        tx.commit().map_err(map_sql)?;
        self.remove_files(&gone)
    }

    /// Keeps a case as the centre answered a call about it (a reopening, an execution), before
    /// the feed brings the same change; the feed's position does not move.
    pub(crate) fn keep_case(&mut self, app: &ApplicationDetail, me: &str) -> DeskResult<()> {
        let tx = self.transaction()?;
        store_case(&tx, app, me)?;
        tx.commit().map_err(map_sql)
    }

    /// A case's description as the centre last sent it (JSON of the contract's
    /// `ApplicationDetail`) and whether it is the signed-in officer's.
    pub(crate) fn case_detail(&self, id: &str) -> DeskResult<Option<(String, bool)>> {
        self.conn
            .query_row("SELECT detail, mine FROM cases WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(map_sql)
    }

    /// A cached case's number, service and applicant, if it is on this desk.
    pub(crate) fn case_label(&self, id: &str) -> DeskResult<Option<(String, String, String)>> {
        self.conn
            .query_row(
                "SELECT number, service, applicant FROM cases WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(map_sql)
    }

    /// The centre's feed has another history (a restore from a backup): every cached case and
    /// the feed's position go, to come again from the start; the decisions the centre had
    /// acknowledged become pending again (and the notes it had kept), so that each reaches the centre again (a repeat it
    /// still holds is answered from its record). Conflicts stay as they are, and so do the
    /// documents' bytes (by SHA-256, fetched again only if no case names them any more).
    pub(crate) fn restart_feed(&mut self) -> DeskResult<()> {
        let tx = self.transaction()?;
        tx.execute_batch(
            "DELETE FROM documents; DELETE FROM cases_fts; DELETE FROM cases; DELETE FROM central_conflicts;
             UPDATE outbox SET state = 'pending', next_attempt_at = NULL WHERE state = 'sent';
             UPDATE notes_outbox SET state = 'pending', next_attempt_at = NULL WHERE state = 'sent';",
        )
        .map_err(map_sql)?;
        for key in Meta::FEED {
            key.delete(&tx)?;
        }
        tx.commit().map_err(map_sql)
    }

    /// The figures of `status`.
    pub(crate) fn counts(&self, today: &str) -> DeskResult<Counts> {
        let one = |sql: &str, args: &[&dyn rusqlite::ToSql]| -> DeskResult<i64> {
            self.conn
                .query_row(sql, args, |r| r.get(0))
                .map_err(map_sql)
        };
        Ok(Counts {
            queue: one(
                "SELECT COUNT(*) FROM cases WHERE mine = 1 AND status = 'pending'",
                &[],
            )?,
            overdue: one(
                "SELECT COUNT(*) FROM cases WHERE mine = 1 AND status = 'pending' AND due_date < ?1",
                &[&today],
            )?,
            unsent_decisions: one(
                &format!(
                    "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND {}",
                    of_session("outbox")
                ),
                &[],
            )?,
            conflicts: one(
                &format!(
                    "SELECT COUNT(*) FROM outbox WHERE state = 'conflict' AND {}",
                    of_session("outbox")
                ),
                &[],
            )?,
            documents_missing: self.documents_missing()?,
        })
    }

    /// Drops every cached case, document, the department's statistics and the feed's position
    /// (another officer signs in on this desk). Decisions and the audit trail are not touched.
    pub fn forget_cases(&mut self) -> DeskResult<()> {
        let tx = self.conn.transaction().map_err(map_sql)?;
        tx.execute_batch(
            "DELETE FROM documents; DELETE FROM partials; DELETE FROM document_text; DELETE FROM cases_fts;
             DELETE FROM cases; DELETE FROM central_conflicts; DELETE FROM statistics;
             DELETE FROM meta WHERE key IN ('cursor', 'last_sync');",
        )
        .map_err(map_sql)?;
        let gone = forget_unreferenced_files(&tx)?;
        tx.commit().map_err(map_sql)?;
        self.remove_files(&gone)
    }

    /// Data minimisation: removes the cases (form, personal data, documents, search text) whose
    /// decisions the centre acknowledged more than `older_than` ago and which hold nothing
    /// unsent and which do not wait for a decision again (a supervisor reopened them). The
    /// outbox rows stay as this desk's record of what it sent. Returns the number of cases
    /// purged.
    pub fn purge_acknowledged(&mut self, older_than: chrono::Duration) -> DeskResult<usize> {
        let cutoff =
            (chrono::Utc::now() - older_than).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let tx = self.transaction()?;
        let ids: Vec<String> = tx
            .prepare(
                "SELECT DISTINCT o.case_id FROM outbox o WHERE o.state = 'sent' AND o.acknowledged_at <= ?1
                 AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.case_id = o.case_id AND p.state IN ('pending', 'conflict'))
                 AND NOT EXISTS (SELECT 1 FROM notes_outbox n WHERE n.case_id = o.case_id AND n.state = 'pending')
                 AND NOT EXISTS (SELECT 1 FROM counter_outbox d WHERE d.case_id = o.case_id AND d.state = 'pending')
                 AND NOT EXISTS (SELECT 1 FROM approvals_outbox a WHERE a.case_id = o.case_id AND a.state = 'pending')
                 AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = o.case_id AND c.status IN ('pending', 'missing_documents'))",
            )
            .and_then(|mut stmt| stmt.query_map([&cutoff], |r| r.get(0))?.collect())
            .map_err(map_sql)?;
        for id in &ids {
            forget_case(&tx, id)?;
        }
        let gone = forget_unreferenced_files(&tx)?;
        tx.commit().map_err(map_sql)?;
        self.remove_files(&gone)?;
        Ok(ids.len())
    }
}

/// Removes a case from the cache: its form and personal data, its documents' records and its
/// search entry, and the notes the centre has kept. The files go with
/// [`forget_unreferenced_files`]; the outbox keeps its record.
fn forget_case(tx: &rusqlite::Transaction<'_>, id: &str) -> DeskResult<()> {
    tx.execute("DELETE FROM documents WHERE case_id = ?1", [id])
        .map_err(map_sql)?;
    tx.execute(
        "DELETE FROM cases_fts WHERE rowid = (SELECT rowid FROM cases WHERE id = ?1)",
        [id],
    )
    .map_err(map_sql)?;
    tx.execute("DELETE FROM cases WHERE id = ?1", [id])
        .map_err(map_sql)?;
    // Notes the centre has kept go with the case (it holds them); one not settled stays.
    tx.execute(
        "DELETE FROM notes_outbox WHERE case_id = ?1 AND state = 'sent'",
        [id],
    )
    .map_err(map_sql)?;
    // So do counter documents the centre has (their bytes are gone already) or refused (a
    // refused file is personal data the centre never took).
    tx.execute(
        "DELETE FROM counter_outbox WHERE case_id = ?1 AND state <> 'pending'",
        [id],
    )
    .map_err(map_sql)?;
    Ok(())
}

fn apply_change(tx: &rusqlite::Transaction<'_>, change: &Change, me: &str) -> DeskResult<()> {
    let id = &change.application_id;
    let Some(app) = &change.application else {
        // The case left this desk: it leaves the queue, and the cache too (personal data is
        // kept only while needed) unless a decision or a note on it has not been settled with the
        // centre.
        let unsettled: i64 = tx
            .query_row(
                "SELECT (SELECT COUNT(*) FROM outbox WHERE case_id = ?1 AND state IN ('pending', 'conflict'))
                      + (SELECT COUNT(*) FROM notes_outbox WHERE case_id = ?1 AND state = 'pending')
                      + (SELECT COUNT(*) FROM counter_outbox WHERE case_id = ?1 AND state = 'pending')
                      + (SELECT COUNT(*) FROM approvals_outbox WHERE case_id = ?1 AND state = 'pending')",
                [id],
                |r| r.get(0),
            )
            .map_err(map_sql)?;
        if unsettled == 0 {
            forget_case(tx, id)?;
            return Ok(());
        }
        tx.execute(
            "UPDATE cases SET mine = 0, officer_id = ?2, version = ?3 WHERE id = ?1",
            params![
                id,
                change.assignment.officer.as_ref().map(|o| &o.id),
                change.assignment.version
            ],
        )
        .map_err(map_sql)?;
        // Unsent decisions on it stay pending: the next push delivers them and the centre keeps
        // each as a conflict it can show the supervisor. Nothing is settled on the desk alone.
        return Ok(());
    };
    store_case(tx, app, me)
}

/// Keeps a case as the centre sent it: its queue columns, its documents, its search entry.
fn store_case(tx: &rusqlite::Transaction<'_>, app: &ApplicationDetail, me: &str) -> DeskResult<()> {
    let officer = app.officer_id();
    let detail = serde_json::to_string(app).map_err(|e| DeskError::internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO cases (id, number, service, status, due_date, submitted_at, officer_id, version, mine, detail, synced_at, applicant, applicant_key, paused_days_left)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT(id) DO UPDATE SET number = excluded.number, service = excluded.service, status = excluded.status,
           due_date = excluded.due_date, submitted_at = excluded.submitted_at, officer_id = excluded.officer_id,
           version = excluded.version, mine = excluded.mine, detail = excluded.detail, synced_at = excluded.synced_at,
           applicant = excluded.applicant, applicant_key = excluded.applicant_key, paused_days_left = excluded.paused_days_left",
        params![
            app.id,
            app.number,
            app.service,
            app.status.as_str(),
            app.due_date,
            app.submitted_at,
            officer,
            app.assignment.version,
            i64::from(officer == Some(me)),
            detail,
            now(),
            app.applicant.name_latin,
            migdesk_domain::fold::sort_bytes(&app.applicant.name_latin),
            app.paused.as_ref().map(|p| p.working_days_left),
        ],
    )
    .map_err(map_sql)?;
    for d in &app.documents {
        tx.execute(
            "INSERT OR IGNORE INTO documents (id, case_id, type, file_name, mime_type, size, sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![d.id, app.id, d.doc_type, d.file_name, d.mime_type, d.size, d.sha256],
        )
        .map_err(map_sql)?;
    }
    super::queue::index(tx, &app.id, app)
}

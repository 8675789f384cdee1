//! The change feed: every change to the cases that concern this desk, page by page, each page
//! committed with the cursor after it.

use migdesk_api::{ApplicationDetail, Change};
use rusqlite::params;

use super::central::Central;
use crate::cache::{Meta, Store, now, sql};
use crate::error::{DeskError, DeskResult};

/// Pulls every change since the stored cursor; each page commits with its cursor.
pub async fn pull_changes(
    store: &mut Store,
    central: &Central,
    token: &str,
    me: &str,
    mut progress: impl FnMut(u64),
) -> DeskResult<u64> {
    let mut total = 0;
    loop {
        let cursor = store.meta(Meta::Cursor)?.filter(|c| !c.is_empty());
        let page = central.changes(token, cursor).await?;
        apply_changes(store, &page.changes, &page.next_cursor, me)?;
        total += page.changes.len() as u64;
        progress(total);
        if !page.has_more {
            return Ok(total);
        }
    }
}

/// Applies one page of the change feed and stores the cursor after it, in one transaction.
pub fn apply_changes(
    store: &mut Store,
    changes: &[Change],
    cursor: &str,
    me: &str,
) -> DeskResult<()> {
    let tx = store.transaction()?;
    for change in changes {
        apply_change(&tx, change, me)?;
    }
    // Files of cases that left with this page go once, not once per case.
    if changes.iter().any(|c| c.application.is_none()) {
        crate::cache::forget_unreferenced_files(&tx)?;
    }
    Meta::Cursor.set(&tx, cursor)?;
    Meta::LastSync.set(&tx, &now())?;
    tx.commit().map_err(sql)
}

fn apply_change(tx: &rusqlite::Transaction<'_>, change: &Change, me: &str) -> DeskResult<()> {
    let id = &change.application_id;
    let Some(app) = &change.application else {
        // The case left this desk: it leaves the queue, and the cache too (personal data is
        // kept only while needed) unless a decision on it has not been settled with the centre.
        let unsettled: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM outbox WHERE case_id = ?1 AND state IN ('pending', 'conflict')",
                [id],
                |r| r.get(0),
            )
            .map_err(sql)?;
        if unsettled == 0 {
            crate::cache::forget_case(tx, id)?;
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
        .map_err(sql)?;
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
        "INSERT INTO cases (id, number, service, status, due_date, submitted_at, officer_id, version, mine, detail, synced_at, applicant)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT(id) DO UPDATE SET number = excluded.number, service = excluded.service, status = excluded.status,
           due_date = excluded.due_date, submitted_at = excluded.submitted_at, officer_id = excluded.officer_id,
           version = excluded.version, mine = excluded.mine, detail = excluded.detail, synced_at = excluded.synced_at,
           applicant = excluded.applicant",
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
        ],
    )
    .map_err(sql)?;
    for d in &app.documents {
        tx.execute(
            "INSERT OR IGNORE INTO documents (id, case_id, type, file_name, mime_type, size, sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![d.id, app.id, d.doc_type, d.file_name, d.mime_type, d.size, d.sha256],
        )
        .map_err(sql)?;
    }
    crate::queue::index(tx, &app.id, app)
}

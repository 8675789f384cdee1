//! The way back from `cache_damaged`: salvage what only this desk has (the outboxes of
//! decisions and notes, the audit trail, the session's settings), set the damaged file aside for support, and start a fresh
//! cache that the next sync fills again.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{CacheKey, Meta, Store, audit::insert_audit, map_sql, unlock};
use crate::error::{DeskError, DeskResult};

/// What [`repair`] kept from a damaged cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repair {
    /// Decisions carried over (unsent ones are sent at the next sync).
    pub decisions_kept: u64,
    /// Notes carried over (unsent ones are sent at the next sync).
    pub notes_kept: u64,
    /// Documents added at the counter not yet sent, carried over with their files.
    pub counter_documents_kept: u64,
    pub audit_events_kept: u64,
    /// Tables that could be read only in part: rows on damaged pages are lost.
    pub partly_unreadable: Vec<String>,
    /// Where the damaged file was set aside for support (still encrypted).
    pub damaged_copy: PathBuf,
}

/// A table's readable rows: ascending by rowid until a damaged page, then descending until
/// one, so rows on both sides of the damage survive. Returns (columns, rows, complete).
type Rows = (Vec<String>, Vec<Vec<rusqlite::types::Value>>, bool);

fn salvage(conn: &Connection, table: &str) -> Rows {
    let columns: Vec<String> = match conn.prepare(&format!("SELECT * FROM {table} LIMIT 0")) {
        Ok(stmt) => stmt
            .column_names()
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
        Err(_) => return (Vec::new(), Vec::new(), false),
    };
    let mut rows = std::collections::BTreeMap::new();
    let mut complete = true;
    for order in ["ASC", "DESC"] {
        let sql = format!("SELECT rowid, * FROM {table} ORDER BY rowid {order}");
        let Ok(mut stmt) = conn.prepare(&sql) else {
            complete = false;
            continue;
        };
        let Ok(mut cursor) = stmt.query([]) else {
            complete = false;
            continue;
        };
        loop {
            match cursor.next() {
                Ok(Some(row)) => {
                    let Ok(rowid) = row.get::<_, i64>(0) else {
                        complete = false;
                        break;
                    };
                    let values: Result<Vec<_>, _> =
                        (1..=columns.len()).map(|i| row.get(i)).collect();
                    match values {
                        Ok(v) => {
                            rows.insert(rowid, v);
                        }
                        Err(_) => complete = false,
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    complete = false;
                    break;
                }
            }
        }
        if complete {
            break;
        }
    }
    (columns, rows.into_values().collect(), complete)
}

/// Recovers from a failed integrity check: keeps what only this desk has — decisions (sent or
/// not, with conflicts), notes, the audit trail and the session's settings — sets the damaged file
/// aside and starts a fresh cache whose next sync fetches everything else from the centre.
pub fn repair(path: &Path, key: &CacheKey) -> DeskResult<(Store, Repair)> {
    let old = unlock(path, key)?;
    let kept: Vec<(&str, Rows)> = [
        "meta",
        "outbox",
        "notes_outbox",
        "counter_outbox",
        "approvals_outbox",
        "audit",
    ]
    .into_iter()
    .map(|t| (t, salvage(&old, t)))
    .collect();
    drop(old);

    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let copy = path.with_file_name(format!("cache.damaged-{stamp}.db"));
    let mut aside: Vec<(PathBuf, PathBuf)> = ["", "-wal", "-shm"]
        .into_iter()
        .map(|suffix| {
            (
                PathBuf::from(format!("{}{suffix}", path.display())),
                PathBuf::from(format!("{}{suffix}", copy.display())),
            )
        })
        .collect();
    // The documents' files go with it: the fresh cache fetches its own.
    aside.push((
        super::files::folder_of(path),
        super::files::folder_of(&copy),
    ));
    for (from, to) in aside {
        match std::fs::rename(&from, &to) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(DeskError::storage(format!(
                    "cannot set aside {}: {e}",
                    from.display()
                )));
            }
        }
    }

    let mut store = Store::open(path, key)?;
    let mut report = Repair {
        decisions_kept: 0,
        notes_kept: 0,
        counter_documents_kept: 0,
        audit_events_kept: 0,
        partly_unreadable: Vec::new(),
        damaged_copy: copy,
    };
    let tx = store.conn.transaction().map_err(map_sql)?;
    for (table, (columns, rows, complete)) in &kept {
        if !complete {
            report.partly_unreadable.push((*table).to_owned());
        }
        if columns.is_empty() {
            continue;
        }
        let marks = vec!["?"; columns.len()].join(", ");
        let insert = format!(
            "INSERT OR IGNORE INTO {table} ({}) VALUES ({marks})",
            columns.join(", ")
        );
        for row in rows {
            // The feed's position goes with the cases: a fresh cache follows it from the start.
            if *table == "meta"
                && matches!(row.first(), Some(rusqlite::types::Value::Text(k)) if Meta::FEED.iter().any(|m| m.key() == k))
            {
                continue;
            }
            let n = tx
                .execute(&insert, rusqlite::params_from_iter(row.iter()))
                .map_err(map_sql)? as u64;
            match *table {
                "outbox" => report.decisions_kept += n,
                "notes_outbox" => report.notes_kept += n,
                "counter_outbox" => report.counter_documents_kept += n,
                "audit" => report.audit_events_kept += n,
                _ => {}
            }
        }
    }
    insert_audit(
        &tx,
        "cache_repaired",
        None,
        &serde_json::json!({ "decisions_kept": report.decisions_kept, "notes_kept": report.notes_kept, "partly_unreadable": report.partly_unreadable }),
    )?;
    tx.commit().map_err(map_sql)?;
    Ok((store, report))
}

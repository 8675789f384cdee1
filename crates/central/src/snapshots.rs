//! The change feed's application snapshots: a case's [`ApplicationDetail`] read and serialised
//! once for each state it passes through, then reused by every feed page that carries it (a
//! department's supervisor and officers, every desk that syncs from the start).
//!
//! A snapshot is current while its **stamp** is: the case's `applications.feed_stamp`, raised in
//! the same transaction by every change and event recorded for the case or for another case of
//! its applicant (linked by FIN or passport number, as the detail's `applicant_history`; the
//! triggers of SQLite's migration 025 and PostgreSQL's 004). What the detail reads changes only
//! with one of them: every write to a case records a change or an event for it (decisions,
//! reassignments, documents, notes, appeals, e-mails, proposals; a new application its first),
//! and officers' names are never rewritten. The stamp only grows, each raise made under the
//! case's row lock. The stamp and the detail are read in the feed page's one snapshot of the
//! database (SQLite's writer, PostgreSQL's repeatable read), so a page asks for its cases'
//! stamps in one indexed query. A restore from a backup starts a new feed epoch, and snapshots
//! of another epoch are not used.
//!
//! The snapshots live in the instance's memory, bounded by bytes; each instance of a centre
//! keeps its own.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use migdesk_api::{ApplicationDetail, Assignment};
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use serde_json::value::RawValue;

use crate::error::{ApiError, ApiResult};
use crate::sql::Conn;
use crate::store;

/// The bytes of snapshots an instance keeps (~40,000 cases of the seeded size).
pub const BUDGET: u64 = 64 * 1024 * 1024;

/// A case as the change feed sends it, serialised, with what the feed decides by.
#[derive(Debug)]
pub struct Snapshot {
    /// The [`ApplicationDetail`]'s JSON.
    pub json: Box<RawValue>,
    pub department_id: String,
    pub officer_id: Option<String>,
    pub assignment: Assignment,
}

impl Snapshot {
    pub fn of(detail: &ApplicationDetail) -> ApiResult<Self> {
        Ok(Self {
            json: serde_json::value::to_raw_value(detail)
                .map_err(|e| ApiError::internal(format!("cannot serialise a case: {e}")))?,
            department_id: detail.department_id.clone(),
            officer_id: detail.officer_id().map(str::to_owned),
            assignment: detail.assignment.clone(),
        })
    }
}

#[derive(Debug, Clone)]
struct Kept {
    epoch: Arc<str>,
    /// The case's `feed_stamp` when the snapshot was read.
    stamp: i64,
    snapshot: Arc<Snapshot>,
}

#[derive(Debug, Clone)]
struct ByBytes;

impl Weighter<String, Kept> for ByBytes {
    fn weight(&self, key: &String, kept: &Kept) -> u64 {
        (key.len() + kept.snapshot.json.get().len() + 256) as u64
    }
}

/// An instance's snapshots, by case id.
pub struct Snapshots {
    kept: Cache<String, Kept, ByBytes>,
}

impl std::fmt::Debug for Snapshots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshots")
            .field("cases", &self.kept.len())
            .field("bytes", &self.kept.weight())
            .finish()
    }
}

impl Snapshots {
    pub fn new(budget: u64) -> Self {
        Self {
            kept: Cache::with_weighter(4096, budget, ByBytes),
        }
    }

    /// The snapshots of `ids` as they are in `conn`'s transaction of the feed's `epoch` (one
    /// snapshot of the database: SQLite's writer, PostgreSQL's repeatable read): kept ones whose
    /// stamp still holds, the others read and serialised now, and kept. A case that does not
    /// exist has none.
    pub fn current(
        &self,
        conn: &Conn<'_>,
        epoch: &str,
        ids: &[&str],
    ) -> ApiResult<HashMap<String, Arc<Snapshot>>> {
        let mut unique = HashSet::with_capacity(ids.len());
        let ids: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| unique.insert(*id))
            .collect();
        let mut stamps = stamps(conn, &ids)?;
        let mut current = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        for id in ids {
            match (self.kept.get(id), stamps.get(id)) {
                (Some(k), Some(&stamp)) if *k.epoch == *epoch && k.stamp == stamp => {
                    current.insert(id.to_owned(), k.snapshot);
                }
                _ => missing.push(id),
            }
        }
        if missing.is_empty() {
            return Ok(current);
        }
        let epoch: Arc<str> = epoch.into();
        for (id, detail) in store::application_details(conn, &missing)? {
            let snapshot = Arc::new(Snapshot::of(&detail)?);
            if let Some(stamp) = stamps.remove(&id) {
                let kept = Kept {
                    epoch: epoch.clone(),
                    stamp,
                    snapshot: snapshot.clone(),
                };
                self.kept.insert(id.clone(), kept);
            }
            current.insert(id, snapshot);
        }
        Ok(current)
    }
}

/// The `feed_stamp` of each of `ids` that exists, in one query.
fn stamps(conn: &Conn<'_>, ids: &[&str]) -> ApiResult<HashMap<String, i64>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, feed_stamp FROM applications WHERE id IN (SELECT value FROM {ids})",
        ids = conn.json_values("?1")
    ))?;
    let rows = stmt.query_map([store::id_list(ids)], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

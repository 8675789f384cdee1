//! The change feed's application snapshots: a case's [`ApplicationDetail`] read and serialised
//! once for each state it passes through, then reused by every feed page that carries it (a
//! department's supervisor and officers, every desk that syncs from the start).
//!
//! A snapshot is current while its **stamp** is: the case's latest change-feed position and how
//! many history events it has, over the case and its applicant's other cases (linked by FIN or
//! passport number, as the detail's `applicant_history`). What the detail reads changes only with
//! one of them: every write to a case records a change or an event for it (decisions,
//! reassignments, documents, notes, appeals, e-mails, proposals), officers' names are never
//! rewritten, and events are only ever added (never changed or removed), so their count grows
//! with each one whatever order they commit in (event ids on PostgreSQL do not follow commit
//! order, so the highest id would not do). The stamp and the
//! detail are read in the feed page's one snapshot of the database (SQLite's writer, PostgreSQL's
//! repeatable read). A restore from a backup starts a new feed epoch, and snapshots of another
//! epoch are not used.
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

/// What a snapshot was built at (see the module's documentation): the latest change-feed
/// position and the number of history events, over the case and its applicant's other cases.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Stamp {
    change: i64,
    events: i64,
}

/// The keys that linked a case to its applicant's other cases when its snapshot was built
/// (`applications.fin_key` and `passport_key`): the kept snapshot is restamped through them
/// without computing them again from every case's applicant.
#[derive(Debug, Clone, Default, serde::Serialize)]
struct Keys {
    id: String,
    fin: Option<String>,
    passport: Option<String>,
}

#[derive(Debug, Clone)]
struct Kept {
    epoch: Arc<str>,
    stamp: Stamp,
    keys: Arc<Keys>,
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
        let mut current = HashMap::with_capacity(ids.len());
        let mut seen = HashSet::with_capacity(ids.len());
        let mut kept = Vec::new();
        let mut missing = Vec::new();
        for id in ids.iter().copied() {
            if !seen.insert(id) {
                continue;
            }
            match self.kept.get(id) {
                Some(k) if *k.epoch == *epoch => kept.push((id, k)),
                _ => missing.push(id),
            }
        }
        if !kept.is_empty() {
            let keys: Vec<&Keys> = kept.iter().map(|(_, k)| &*k.keys).collect();
            let now = stamps(conn, &keys)?;
            for (id, k) in kept {
                if now.get(id) == Some(&k.stamp) {
                    current.insert(id.to_owned(), k.snapshot);
                } else {
                    missing.push(id);
                }
            }
        }
        if missing.is_empty() {
            return Ok(current);
        }
        let keys: HashMap<String, Arc<Keys>> = keys_of(conn, &missing)?
            .into_iter()
            .map(|k| (k.id.clone(), Arc::new(k)))
            .collect();
        let mut stamped = stamps(conn, &keys.values().map(|k| &**k).collect::<Vec<_>>())?;
        let epoch: Arc<str> = epoch.into();
        for (id, detail) in store::application_details(conn, &missing)? {
            let snapshot = Arc::new(Snapshot::of(&detail)?);
            if let (Some(stamp), Some(keys)) = (stamped.remove(&id), keys.get(&id)) {
                let kept = Kept {
                    epoch: epoch.clone(),
                    stamp,
                    keys: keys.clone(),
                    snapshot: snapshot.clone(),
                };
                self.kept.insert(id.clone(), kept);
            }
            current.insert(id, snapshot);
        }
        Ok(current)
    }
}

/// The linking keys of each of `ids` that exists.
fn keys_of(conn: &Conn<'_>, ids: &[&str]) -> ApiResult<Vec<Keys>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, fin_key, passport_key FROM applications WHERE id IN (SELECT value FROM {ids})",
        ids = conn.json_values("?1")
    ))?;
    let rows = stmt.query_map([store::id_list(ids)], |r| {
        Ok(Keys {
            id: r.get(0)?,
            fin: r.get(1)?,
            passport: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The stamp of each case of `keys`, found through the keys given: the case itself and the
/// cases that have its FIN or passport key now. One query; the highest taken here (SQLite
/// grouped the rows several times slower than this loop).
fn stamps(conn: &Conn<'_>, keys: &[&Keys]) -> ApiResult<HashMap<String, Stamp>> {
    let list = serde_json::to_string(keys)
        .map_err(|e| ApiError::internal(format!("cannot list the cases: {e}")))?;
    let mut stmt = conn.prepare_cached(&format!(
        "WITH page(id, fin, passport) AS MATERIALIZED (SELECT {id}, {fin}, {passport} FROM {list}),
         linked(id, other) AS (
             SELECT id, id FROM page
             UNION ALL SELECT p.id, o.id FROM page p JOIN applications o ON o.fin_key = p.fin
                 WHERE p.fin IS NOT NULL AND o.id <> p.id
             UNION ALL SELECT p.id, o.id FROM page p JOIN applications o ON o.passport_key = p.passport
                 WHERE p.passport IS NOT NULL AND o.id <> p.id)
         SELECT l.id,
             (SELECT MAX(c.seq) FROM changes c WHERE c.application_id = l.other),
             (SELECT COUNT(*) FROM events e WHERE e.application_id = l.other)
         FROM linked l",
        id = conn.json_text("value", "id"),
        fin = conn.json_text("value", "fin"),
        passport = conn.json_text("value", "passport"),
        list = conn.json_values("?1")
    ))?;
    let mut rows = stmt.query([list])?;
    let mut stamps: HashMap<String, Stamp> = HashMap::with_capacity(keys.len());
    while let Some(r) = rows.next()? {
        let change = r.get::<_, Option<i64>>(1)?.unwrap_or(0);
        let events: i64 = r.get(2)?;
        let stamp = stamps.entry(r.get(0)?).or_default();
        stamp.change = stamp.change.max(change);
        stamp.events += events;
    }
    Ok(stamps)
}

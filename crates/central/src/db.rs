//! The central service's SQLite database: one file, WAL, versioned migrations.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use crate::error::{ApiError, ApiResult};

const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../migrations/001_initial.sql")),
    M::up(include_str!("../migrations/002_delivery_attempts.sql")),
    M::up(include_str!("../migrations/003_desk_audit.sql")),
    M::up(include_str!("../migrations/004_conflict_resolutions.sql")),
    M::up(include_str!("../migrations/005_login_throttle_decay.sql")),
    M::up(include_str!("../migrations/006_portal_tokens.sql")),
    M::up(include_str!("../migrations/007_instance.sql")),
];

/// Opens (creating if needed) and migrates the database.
pub fn open(path: &Path) -> ApiResult<Connection> {
    let mut conn = Connection::open(path)
        .map_err(|e| ApiError::internal(format!("cannot open {}: {e}", path.display())))?;
    configure(&mut conn)?;
    Ok(conn)
}

/// An in-memory database, for unit tests.
pub fn open_in_memory() -> ApiResult<Connection> {
    let mut conn = Connection::open_in_memory().map_err(setup)?;
    configure(&mut conn)?;
    Ok(conn)
}

/// A failure while opening the database, with its words.
fn setup(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("cannot open the database: {e}"))
}

fn configure(conn: &mut Connection) -> ApiResult<()> {
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(setup)?;
    // FULL, not NORMAL: with WAL, NORMAL may lose the last commits on a power cut, and a
    // decision the centre answered 201 to is never sent again by the desk.
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(setup)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(setup)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(setup)?;
    Migrations::from_slice(MIGRATIONS)
        .to_latest(conn)
        .map_err(|e| ApiError::internal(format!("cannot migrate the database: {e}")))
}

/// The database shared by request handlers. Work runs on the blocking pool; the lock is never
/// held across an `.await`.
#[derive(Debug, Clone)]
pub struct Db(Arc<Mutex<Connection>>);

impl Db {
    pub fn new(conn: Connection) -> Self {
        Self(Arc::new(Mutex::new(conn)))
    }

    pub async fn run<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> ApiResult<T> + Send + 'static,
    {
        let inner = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = inner
                .lock()
                .map_err(|_| ApiError::internal("the database lock was poisoned"))?;
            work(&mut conn)
        })
        .await
        .map_err(|e| ApiError::internal(format!("a database task failed: {e}")))?
    }

    /// Runs `work` in one immediate (write-locked) transaction, committed when it succeeds
    /// and rolled back when it fails.
    pub async fn write<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>) -> ApiResult<T> + Send + 'static,
    {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let answer = work(&tx)?;
            tx.commit()?;
            Ok(answer)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(Migrations::from_slice(MIGRATIONS).validate().is_ok());
    }

    #[test]
    fn opening_twice_is_harmless() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("central.db");
        drop(open(&path).unwrap());
        let conn = open(&path).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn every_commit_is_durable_before_it_is_answered() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("central.db")).unwrap();
        let synchronous: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(synchronous, 2, "synchronous=FULL");
    }
}

//! The workstation cache: one SQLite file encrypted with SQLCipher, versioned migrations, WAL.
//!
//! Document bytes live inside the same encrypted file (table `blobs`, by SHA-256): one key,
//! one file to protect and to wipe, and SQLite's transactions make a half-written document
//! impossible — a crash leaves either the whole verified file or the resumable partial.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};

use crate::error::{DeskError, DeskResult};

const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../../migrations/001_cache.sql")),
    M::up(include_str!("../../migrations/002_queue_search.sql")),
    M::up(include_str!("../../migrations/003_acknowledged.sql")),
    M::up(include_str!("../../migrations/004_audit_push.sql")),
];

/// A 256-bit cache key.
#[derive(Clone, PartialEq, Eq)]
pub struct CacheKey([u8; 32]);

impl std::fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CacheKey(…)")
    }
}

impl CacheKey {
    pub fn random() -> Self {
        let mut k = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut k);
        Self(k)
    }
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }
}

/// The open cache.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

fn map_sql(e: rusqlite::Error) -> DeskError {
    DeskError::storage(format!("cache: {e}"))
}

impl Store {
    /// Opens (creating if needed) the encrypted cache. A wrong key is a `cache_key` error, a
    /// failed integrity check a `cache_damaged` one; neither changes the file.
    pub fn open(path: &Path, key: &CacheKey) -> DeskResult<Self> {
        let mut conn = Connection::open(path)
            .map_err(|e| DeskError::storage(format!("cannot open {}: {e}", path.display())))?;
        conn.pragma_update(None, "key", format!("x'{}'", key.to_hex()))
            .map_err(map_sql)?;
        // The first read decrypts page 1: a wrong key fails here.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|_| {
            DeskError::new(
                crate::ErrorKind::CacheKey,
                format!(
                    "{} cannot be opened with this workstation's key",
                    path.display()
                ),
            )
        })?;
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(map_sql)?;
        if check != "ok" {
            return Err(DeskError::new(
                crate::ErrorKind::CacheDamaged,
                format!(
                    "{} failed its integrity check ({check}); re-sync from the centre",
                    path.display()
                ),
            ));
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(map_sql)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(map_sql)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(map_sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(map_sql)?;
        // Names sort in Azerbaijani alphabetical order: `ORDER BY applicant COLLATE az`.
        conn.create_collation("az", |a, b| {
            migdesk_domain::fold::sort_key(a).cmp(&migdesk_domain::fold::sort_key(b))
        })
        .map_err(map_sql)?;
        Migrations::from_slice(MIGRATIONS)
            .to_latest(&mut conn)
            .map_err(|e| DeskError::storage(format!("cannot migrate the cache: {e}")))?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Direct access for tests and support tooling.
    #[doc(hidden)]
    pub fn conn_for_tests(&self) -> &Connection {
        &self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn meta(&self, key: &str) -> DeskResult<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(map_sql)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> DeskResult<()> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(|_| ())
            .map_err(map_sql)
    }

    pub fn count(&self, sql: &str) -> DeskResult<i64> {
        self.conn.query_row(sql, [], |r| r.get(0)).map_err(map_sql)
    }

    /// Records an event of the officer's (a case opened, a decision recorded) for the audit
    /// trail; `sync` reports it to the centre.
    pub fn audit(
        &self,
        kind: &str,
        case_id: Option<&str>,
        detail: &serde_json::Value,
    ) -> DeskResult<()> {
        insert_audit(&self.conn, kind, case_id, detail)
    }
}

impl Store {
    /// Data minimisation: removes the cases (form, personal data, documents, search text) whose
    /// decisions the centre acknowledged more than `older_than` ago and which hold nothing
    /// unsent. The outbox rows stay as this desk's record of what it sent. Returns the number
    /// of cases purged.
    pub fn purge_acknowledged(&mut self, older_than: chrono::Duration) -> DeskResult<usize> {
        let cutoff =
            (chrono::Utc::now() - older_than).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let tx = self.conn.transaction().map_err(map_sql)?;
        let ids: Vec<String> = {
            let mut stmt = tx
                .prepare(
                    "SELECT DISTINCT o.case_id FROM outbox o WHERE o.state = 'sent' AND o.acknowledged_at <= ?1
                     AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.case_id = o.case_id AND p.state IN ('pending', 'conflict'))",
                )
                .map_err(map_sql)?;
            let rows = stmt.query_map([&cutoff], |r| r.get(0)).map_err(map_sql)?;
            rows.collect::<Result<_, _>>().map_err(map_sql)?
        };
        for id in &ids {
            tx.execute("DELETE FROM documents WHERE case_id = ?1", [id])
                .map_err(map_sql)?;
            tx.execute("DELETE FROM cases_fts WHERE case_id = ?1", [id])
                .map_err(map_sql)?;
            tx.execute("DELETE FROM cases WHERE id = ?1", [id])
                .map_err(map_sql)?;
        }
        tx.execute(
            "DELETE FROM blobs WHERE sha256 NOT IN (SELECT sha256 FROM documents)",
            [],
        )
        .map_err(map_sql)?;
        tx.execute(
            "DELETE FROM partials WHERE sha256 NOT IN (SELECT sha256 FROM documents)",
            [],
        )
        .map_err(map_sql)?;
        tx.commit().map_err(map_sql)?;
        Ok(ids.len())
    }
}

pub(crate) fn insert_audit(
    conn: &Connection,
    kind: &str,
    case_id: Option<&str>,
    detail: &serde_json::Value,
) -> DeskResult<()> {
    conn.execute(
        "INSERT INTO audit (at, kind, case_id, detail, event_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            now(),
            kind,
            case_id,
            detail.to_string(),
            uuid::Uuid::new_v4().to_string()
        ],
    )
    .map(|_| ())
    .map_err(map_sql)
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(crate) fn sql(e: rusqlite::Error) -> DeskError {
    map_sql(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_key_is_a_clear_error_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        let key = CacheKey::random();
        let store = Store::open(&path, &key).unwrap();
        store.set_meta("server", "http://127.0.0.1:1").unwrap();
        drop(store);
        let before = std::fs::read(&path).unwrap();

        let err = Store::open(&path, &CacheKey::random()).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::CacheKey);
        assert_eq!(std::fs::read(&path).unwrap(), before);

        let again = Store::open(&path, &key).unwrap();
        assert_eq!(
            again.meta("server").unwrap().as_deref(),
            Some("http://127.0.0.1:1")
        );
    }

    #[test]
    fn the_file_is_encrypted_at_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        let store = Store::open(&path, &CacheKey::random()).unwrap();
        store
            .set_meta("applicant", "İSMAYILLI Çingiz C01234567")
            .unwrap();
        store
            .conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        drop(store);
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.starts_with(b"SQLite format 3"),
            "plain SQLite header"
        );
        let needle = b"C01234567";
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "plaintext found in the cache file"
        );
    }

    #[test]
    fn keys_round_trip_through_hex_and_never_print() {
        let k = CacheKey::random();
        assert_eq!(CacheKey::from_hex(&k.to_hex()), Some(k.clone()));
        assert_eq!(CacheKey::from_hex("abcd"), None);
        assert_eq!(format!("{k:?}"), "CacheKey(…)");
    }

    #[test]
    fn a_file_that_is_not_a_cache_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        std::fs::write(&path, b"this is not a database, just text").unwrap();
        let err = Store::open(&path, &CacheKey::random()).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::CacheKey);
    }
}

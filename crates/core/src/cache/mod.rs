//! The workstation cache: one SQLite file encrypted with SQLCipher, versioned migrations, WAL.
//!
//! Document bytes live inside the same encrypted file (table `blobs`, by SHA-256): one key,
//! one file to protect and to wipe, and SQLite's transactions make a half-written document
//! impossible — a crash leaves either the whole verified file or the resumable partial.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use rusqlite_migration::{M, Migrations};

use crate::error::{DeskError, DeskResult};

mod approvals;
mod audit;
mod blobs;
mod cases;
mod central_conflicts;
mod checkpoint;
mod counter;
mod integrity;
mod meta;
mod notes;
mod outbox;
mod queue;
mod repair;
mod statistics;
pub(crate) use approvals::LocalApproval;
pub(crate) use blobs::{StoredDocument, TextRead, TextRow};
pub(crate) use checkpoint::Checkpoints;
pub(crate) use counter::NewCounterDocument;
pub use integrity::{IntegrityCheck, Outcome as CheckOutcome, settled as check_settled};
pub use meta::Meta;
pub(crate) use notes::{NoteState, SideOutbox};
pub use outbox::OutboxState;
pub(crate) use outbox::{Attempt, OutboxConflict};
pub use queue::{Statements, statements};
pub use repair::{Repair, repair};

/// The schema's migrations in order, each `migrations/NAME.sql` kept in the binary.
macro_rules! migrations {
    ($($name:literal),* $(,)?) => {
        &[$(M::up(include_str!(concat!("../../migrations/", $name, ".sql")))),*]
    };
}

const MIGRATIONS: &[M<'static>] = migrations![
    "001_cache",
    "002_queue_search",
    "003_acknowledged",
    "004_audit_push",
    "005_search_by_rowid",
    "006_queue_indexes",
    "007_document_text",
    "008_conflicts_seen_audit_refused",
    "009_document_viewable",
    "010_centre_conflicts",
    "011_fetch_failures",
    "012_central_conflicts",
    "013_owners",
    "014_queue_orders",
    "015_notes",
    "016_paused_deadline",
    "017_counter_documents",
    "018_approvals",
    "019_statistics",
    "020_recognised_text",
    "021_search_across_scripts",
    "022_recognition_failures",
    "023_scans_without_text",
];

/// The SQL functions the migrations use. `az_sort_key(name)`: the Azerbaijani sort key stored
/// beside each applicant's name, so the queue sorts by an index instead of a collation called
/// for every row; the migration that added the key computed it for the cases already cached.
/// `az_name_key(text)` and `az_search_keys(text)`: a name's key across scripts and the keys of a
/// text's words in other scripts (`migdesk_domain::translit`), added to the search index.
fn add_functions(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("az_sort_key", 1, flags, |ctx| {
        Ok(migdesk_domain::fold::sort_bytes(&ctx.get::<String>(0)?))
    })?;
    conn.create_scalar_function("az_name_key", 1, flags, |ctx| {
        Ok(migdesk_domain::translit::name_key(&ctx.get::<String>(0)?))
    })?;
    conn.create_scalar_function("az_search_keys", 1, flags, |ctx| {
        Ok(migdesk_domain::translit::search_keys(
            &ctx.get::<String>(0)?,
        ))
    })
}

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
    conn: Connection,
    path: PathBuf,
    /// What opened it, for the connections of its own threads (see `checkpoint`).
    key: CacheKey,
}

fn map_sql(e: rusqlite::Error) -> DeskError {
    // A page that fails SQLCipher's authentication, read after the cache was opened.
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
            DeskError::new(
                crate::ErrorKind::CacheDamaged,
                format!("the cache is damaged ({e}); {}", integrity::REPAIR),
            )
        }
        _ => DeskError::storage(format!("cache: {e}")),
    }
}

/// SQLCipher's page size, which the cache keeps.
const CACHE_PAGE_BYTES: u64 = 4096;

/// Opens the file with the key, without checking or migrating it.
fn unlock(path: &Path, key: &CacheKey) -> DeskResult<Connection> {
    let refused = || {
        DeskError::new(
            crate::ErrorKind::CacheKey,
            format!(
                "{} cannot be opened with this workstation's key",
                path.display()
            ),
        )
    };
    // An encrypted cache is whole pages: a file shorter than one page but not empty holds no
    // cache, whatever SQLCipher makes of its short first page (once in a CI run it read such a
    // file as an empty database and failed later, as a storage error).
    if let Ok(meta) = std::fs::metadata(path)
        && meta.is_file()
        && (1..CACHE_PAGE_BYTES).contains(&meta.len())
    {
        return Err(refused());
    }
    let conn = Connection::open(path)
        .map_err(|e| DeskError::storage(format!("cannot open {}: {e}", path.display())))?;
    // A wrong key is reported once, as a `cache_key` error, not also on stderr.
    conn.pragma_update(None, "cipher_log_level", "NONE")
        .map_err(map_sql)?;
    conn.pragma_update(None, "key", format!("x'{}'", key.to_hex()))
        .map_err(map_sql)?;
    // The first read decrypts page 1: a wrong key fails here.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|_| refused())?;
    Ok(conn)
}

/// The cache file in a desk's data folder.
pub fn file_in(data_dir: &Path) -> PathBuf {
    data_dir.join("cache.db")
}

/// "Wipe this workstation", the files' part: the cache, its journal files and any damaged
/// copies set aside by [`repair`]. Returns how many files were removed.
pub fn remove_files(data_dir: &Path) -> DeskResult<usize> {
    let entries = match std::fs::read_dir(data_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => {
            return Err(DeskError::storage(format!(
                "cannot read {}: {e}",
                data_dir.display()
            )));
        }
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("cache.") && name.contains(".db") {
            std::fs::remove_file(entry.path()).map_err(|e| {
                DeskError::storage(format!("cannot remove {}: {e}", entry.path().display()))
            })?;
            removed += 1;
        }
    }
    Ok(removed)
}

impl Store {
    /// Opens (creating if needed) the encrypted cache. A wrong key is a `cache_key` error, a
    /// failed integrity check a `cache_damaged` one; neither changes the file.
    pub fn open(path: &Path, key: &CacheKey) -> DeskResult<Self> {
        let conn = unlock(path, key)?;
        integrity::check(&conn, path)?;
        Self::ready(conn, path, key)
    }

    /// Opens the cache as [`Store::open`] does, but checks its integrity on a connection and
    /// thread of its own (see [`IntegrityCheck`]): the desk's first screens do not wait for a
    /// check that reads the whole file.
    pub fn open_checking_aside(path: &Path, key: &CacheKey) -> DeskResult<(Self, IntegrityCheck)> {
        let store = Self::ready(unlock(path, key)?, path, key)?;
        Ok((store, IntegrityCheck::start(path, key)))
    }

    /// Another connection to a cache this process opened (and checks) already: a sync's.
    pub(crate) fn open_again(path: &Path, key: &CacheKey) -> DeskResult<Self> {
        Self::ready(unlock(path, key)?, path, key)
    }

    /// Settings, SQL functions and migrations on an unlocked connection.
    fn ready(mut conn: Connection, path: &Path, key: &CacheKey) -> DeskResult<Self> {
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(map_sql)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(map_sql)?;
        // Decrypted pages stay in memory (16 MiB): the queue is read over and over, and every
        // page read from disk costs a decryption and an authentication check. The queue's
        // indexes over 100,000 cases fit; documents read for the viewer would fill any more.
        conn.pragma_update(None, "cache_size", -16_384)
            .map_err(map_sql)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(map_sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(map_sql)?;
        add_functions(&conn).map_err(map_sql)?;
        Migrations::from_slice(MIGRATIONS)
            .to_latest(&mut conn)
            .map_err(|e| DeskError::storage(format!("cannot migrate the cache: {e}")))?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            key: key.clone(),
        })
    }

    /// Direct access for tests.
    #[cfg(any(test, feature = "testing"))]
    pub fn conn_for_tests(&self) -> &Connection {
        &self.conn
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A transaction on the cache, for writers that commit several tables as one.
    fn transaction(&mut self) -> DeskResult<rusqlite::Transaction<'_>> {
        self.conn.transaction().map_err(map_sql)
    }

    /// One number from a query, for tests.
    #[cfg(any(test, feature = "testing"))]
    pub fn count(&self, sql: &str) -> DeskResult<i64> {
        self.conn.query_row(sql, [], |r| r.get(0)).map_err(map_sql)
    }
}

/// The SQL condition "this row (of `outbox` or `audit`, aliased `table`) belongs to the officer
/// signed in, at the centre this cache is pinned to": rows are sent and shown only then.
fn of_session(table: &str) -> String {
    format!(
        "({table}.owner IS (SELECT value FROM meta WHERE key = '{user}')
          AND ({table}.instance IS NULL OR {table}.instance IS (SELECT value FROM meta WHERE key = '{instance}')))",
        user = Meta::UserId.key(),
        instance = Meta::CentralInstance.key(),
    )
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::params;

    #[test]
    fn a_wrong_key_is_a_clear_error_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        let key = CacheKey::random();
        let store = Store::open(&path, &key).unwrap();
        store.set_meta(Meta::Server, "http://127.0.0.1:1").unwrap();
        drop(store);
        let before = std::fs::read(&path).unwrap();

        let err = Store::open(&path, &CacheKey::random()).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::CacheKey);
        assert_eq!(std::fs::read(&path).unwrap(), before);

        let again = Store::open(&path, &key).unwrap();
        assert_eq!(
            again.meta(Meta::Server).unwrap().as_deref(),
            Some("http://127.0.0.1:1")
        );
    }

    #[test]
    fn the_file_is_encrypted_at_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        let store = Store::open(&path, &CacheKey::random()).unwrap();
        store
            .set_meta(Meta::UserName, "İSMAYILLI Çingiz C01234567")
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

    /// Flips bytes in the middle of the file, where the large blobs' pages are.
    fn damage(path: &Path) {
        let mut bytes = std::fs::read(path).unwrap();
        let mid = bytes.len() / 2;
        for b in &mut bytes[mid..mid + 64] {
            *b ^= 0x5a;
        }
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn an_unsent_note_counts_as_unsent_work_wherever_decisions_do() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&file_in(dir.path()), &CacheKey::random()).unwrap();
        store
            .conn
            .execute(
                "INSERT INTO notes_outbox (id, case_id, text, written_at, state, owner, instance) VALUES ('n1', 'c1', 'x', '2026-12-01T10:00:00Z', 'pending', 'aysel', 'centre-1')",
                [],
            )
            .unwrap();
        // Wipe refuses, another officer's sign-in is refused, the held work is counted.
        assert_eq!(store.pending_decisions().unwrap(), 1);
        assert_eq!(store.pending_of_others("murad", "centre-1").unwrap(), 1);
        assert_eq!(store.pending_of_others("aysel", "centre-1").unwrap(), 0);
        assert_eq!(store.pending_of("aysel").unwrap(), 1);
        store
            .conn
            .execute("UPDATE notes_outbox SET state = 'sent'", [])
            .unwrap();
        assert_eq!(store.pending_decisions().unwrap(), 0);
    }

    #[test]
    fn a_damaged_cache_is_repaired_keeping_decisions_notes_and_the_audit_trail() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_in(dir.path());
        let key = CacheKey::random();
        let store = Store::open(&path, &key).unwrap();
        store.set_meta(Meta::Server, "http://127.0.0.1:1").unwrap();
        store.set_meta(Meta::Cursor, "42").unwrap();
        store
            .conn
            .execute(
                "INSERT INTO outbox (id, case_id, request, recorded_at, state) VALUES ('d1', 'c1', '{}', '2026-11-20T10:00:00Z', 'pending')",
                [],
            )
            .unwrap();
        store
            .conn
            .execute(
                "INSERT INTO notes_outbox (id, case_id, text, written_at, state) VALUES ('n1', 'c1', 'zəng etdim', '2026-11-20T10:01:00Z', 'pending')",
                [],
            )
            .unwrap();
        store
            .audit("opened", Some("c1"), &serde_json::json!({}))
            .unwrap();
        for i in 0..8u8 {
            let noise: Vec<u8> = (0..1_000_000u32)
                .map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8 ^ i)
                .collect();
            store
                .conn
                .execute(
                    "INSERT INTO blobs (sha256, bytes) VALUES (?1, ?2)",
                    params![format!("b{i}"), noise],
                )
                .unwrap();
        }
        store
            .conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        drop(store);
        damage(&path);

        // Opened beside its check, as the desk opens it: the check finds the damage, and a
        // damaged page read meanwhile is refused as damage, not as a storage error.
        let (aside, mut check) = Store::open_checking_aside(&path, &key).unwrap();
        let err = check.wait().unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::CacheDamaged, "{err:?}");
        let err = aside
            .conn
            .query_row(
                "SELECT max(instr(bytes, x'00010203040506')) FROM blobs",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map_err(map_sql)
            .unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::CacheDamaged, "{err:?}");
        drop(aside);

        let err = Store::open(&path, &key).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::CacheDamaged, "{err:?}");
        assert!(err.message.contains("repair"), "{}", err.message);

        let (store, report) = repair(&path, &key).unwrap();
        assert_eq!(report.decisions_kept, 1);
        assert_eq!(report.notes_kept, 1);
        assert_eq!(report.audit_events_kept, 1);
        assert!(report.damaged_copy.exists());
        assert_eq!(
            store.meta(Meta::Server).unwrap().as_deref(),
            Some("http://127.0.0.1:1")
        );
        assert_eq!(
            store.meta(Meta::Cursor).unwrap(),
            None,
            "the feed starts over"
        );
        assert_eq!(
            store
                .count("SELECT COUNT(*) FROM outbox WHERE id = 'd1' AND state = 'pending'")
                .unwrap(),
            1
        );
        assert_eq!(store.count("SELECT COUNT(*) FROM blobs").unwrap(), 0);
        assert_eq!(
            store
                .count("SELECT COUNT(*) FROM audit WHERE kind = 'cache_repaired'")
                .unwrap(),
            1
        );
        drop(store);
        // The repaired cache opens cleanly; wiping removes it and the damaged copy.
        Store::open(&path, &key).unwrap();
        assert!(remove_files(dir.path()).unwrap() >= 2);
        assert!(!path.exists() && !report.damaged_copy.exists());
    }

    #[test]
    fn migrations_are_valid_and_an_older_search_index_and_sort_key_are_carried_over() {
        let mut fresh = Connection::open_in_memory().unwrap();
        add_functions(&fresh).unwrap();
        Migrations::from_slice(MIGRATIONS)
            .to_latest(&mut fresh)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let key = CacheKey::random();
        {
            let mut conn = unlock(&path, &key).unwrap();
            Migrations::from_slice(&MIGRATIONS[..4])
                .to_latest(&mut conn)
                .unwrap();
            conn.execute_batch(
                "INSERT INTO cases (id, number, service, status, due_date, submitted_at, version, mine, detail, synced_at, applicant)
                 VALUES ('a', 'MX-1', 's', 'pending', '2026-11-30', '2026-11-01', 1, 1,
                         '{\"applicant\": {\"name_latin\": \"Elvin Hüseynov\", \"name_native\": \"Elvin Hüseynov\"}}', '', 'X'),
                        ('b', 'MX-2', 's', 'pending', '2026-11-30', '2026-11-01', 1, 1, '{}', '', 'Y');
                 INSERT INTO cases_fts (rowid, case_id, text) VALUES (7, 'b', 'ismayilli гасанов'), (9, 'a', 'quliyev');",
            )
            .unwrap();
        }
        let store = Store::open(&path, &key).unwrap();
        let found: Vec<(String, i64, i64)> = store
            .conn
            .prepare("SELECT f.case_id, f.rowid, c.rowid FROM cases_fts f JOIN cases c ON c.id = f.case_id WHERE cases_fts MATCH 'ismayilli'")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "b");
        assert_eq!(found[0].1, found[0].2, "the entry shares its case's rowid");
        // The cases cached before the sort key existed got theirs.
        let key: Vec<u8> = store
            .conn
            .query_row("SELECT applicant_key FROM cases WHERE id = 'b'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(key, migdesk_domain::fold::sort_bytes("Y"));
        // The entries cached before search across scripts got the names' and words' keys.
        for (word, case) in [("guseinov", "a"), ("gasanov", "b")] {
            let found: String = store
                .conn
                .query_row(
                    "SELECT case_id FROM cases_fts WHERE cases_fts MATCH ?1",
                    [word],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(found, case, "{word}");
        }
    }

    #[test]
    fn a_file_that_is_not_a_cache_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        std::fs::write(&path, b"this is not a database, just text").unwrap();
        let err = Store::open(&path, &CacheKey::random()).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::CacheKey, "{err}");
        // A page's worth of something else is refused by the key check itself.
        std::fs::write(&path, [b'x'; 8192]).unwrap();
        let err = Store::open(&path, &CacheKey::random()).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::CacheKey, "{err}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            [b'x'; 8192],
            "left as it was"
        );
    }
}

//! The workstation cache: one SQLite file encrypted with SQLCipher, versioned migrations, WAL.
//!
//! Document bytes live beside it, each verified file sealed in a file of its own under a key
//! derived from the cache's (`files`, folder `cache.files/`): the cache names a file only once
//! it is flushed, so a crash leaves either the whole verified file or the resumable partial
//! (kept in the cache, table `partials`).

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
mod files;
mod integrity;
mod meta;
mod notes;
mod outbox;
mod queue;
mod repair;
mod statistics;
pub(crate) use approvals::LocalApproval;
pub(crate) use blobs::{Keep, StoredDocument, TextRead, TextRow};
pub(crate) use checkpoint::Checkpoints;
pub(crate) use counter::NewCounterDocument;
pub(crate) use files::{Files, Sealed};
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
    "024_document_files",
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
    /// The documents' sealed files.
    files: files::Files,
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

/// "Wipe this workstation", the files' part: the cache, its journal files, its documents' files
/// and any damaged copies set aside by [`repair`]. Returns how many files were removed.
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
        if name.starts_with("cache.") && name.ends_with(".files") && entry.path().is_dir() {
            removed += std::fs::read_dir(entry.path()).map_or(0, Iterator::count);
            std::fs::remove_dir_all(entry.path()).map_err(|e| {
                DeskError::storage(format!("cannot remove {}: {e}", entry.path().display()))
            })?;
        } else if name.starts_with("cache.") && name.contains(".db") {
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
        let store = Self::ready(conn, path, key)?;
        store.remove_orphan_files()?;
        Ok(store)
    }

    /// Opens the cache as [`Store::open`] does, but checks its integrity on a connection and
    /// thread of its own (see [`IntegrityCheck`]): the desk's first screens do not wait for a
    /// check that reads the whole file.
    pub fn open_checking_aside(path: &Path, key: &CacheKey) -> DeskResult<(Self, IntegrityCheck)> {
        let store = Self::ready(unlock(path, key)?, path, key)?;
        store.remove_orphan_files()?;
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
        let files = files::Files::open(path, key)?;
        blobs::move_blobs_out(&mut conn, &files)?;
        Ok(Self {
            conn,
            path: path.to_path_buf(),
            key: key.clone(),
            files,
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

    /// A stored document file's bytes, for tests.
    #[cfg(any(test, feature = "testing"))]
    pub fn file_for_tests(&self, sha: &str) -> DeskResult<Vec<u8>> {
        self.file(sha)
    }

    /// Stores a file as a verified download would be, for tests and benchmarks.
    #[cfg(any(test, feature = "testing"))]
    pub fn keep_file_for_tests(&mut self, sha: &str, bytes: Vec<u8>) -> DeskResult<()> {
        self.keep_documents(&[(sha.to_owned(), bytes)]).map(|_| ())
    }

    /// The folder of the documents' sealed files.
    pub fn files_folder(&self) -> PathBuf {
        files::folder_of(&self.path)
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
mod tests;

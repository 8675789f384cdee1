//! The central service's database: SQLite's file (WAL, versioned migrations) or PostgreSQL,
//! behind [`Db`] — on SQLite one writer connection and a small pool of readers of its own, on
//! PostgreSQL a pool of connections.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};
use tokio::sync::Semaphore;

use crate::database::Database;
use crate::error::{ApiError, ApiResult};
use crate::sql::{Conn, OptionalExtension};

use postgres::{PgMode, Pool};

/// The schema's migrations in order, each `migrations/NAME.sql` kept in the binary.
macro_rules! migrations {
    ($($name:literal),* $(,)?) => {
        &[$(M::up(include_str!(concat!("../../migrations/", $name, ".sql")))),*]
    };
}

pub(crate) const MIGRATIONS: &[M<'static>] = migrations![
    "001_initial",
    "002_delivery_attempts",
    "003_desk_audit",
    "004_conflict_resolutions",
    "005_login_throttle_decay",
    "006_portal_tokens",
    "007_instance",
    "008_notification_claims",
    "009_audit_log",
    "010_notes",
    "011_paused_deadline",
    "012_applicant_links",
    "013_execution",
    "014_counter_documents",
    "015_four_eyes",
    "016_alert_days",
    "017_distribution",
    "018_decided_events",
    "019_pool",
    "020_decided_facts",
    "021_disabled_users",
    "022_desk_releases",
    "023_every_change",
    "024_changes_by_application",
    "025_feed_stamp",
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
    conn.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
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

/// How many prepared statements each connection keeps (every statement goes through the
/// cache): the routes run a few hundred different ones, and rusqlite's default of 16 had a
/// connection prepare most of them again under mixed traffic.
const STATEMENTS_KEPT: usize = 256;

/// How many connections answer reads beside the writer. WAL lets each read its own snapshot
/// while the writer commits; a few are enough on the centre's small machines.
pub const READERS: usize = 4;

/// How many connections one instance of the centre keeps to PostgreSQL.
pub const POSTGRES_CONNECTIONS: usize = 8;

/// The database shared by request handlers, on either engine. Work runs on the blocking pool
/// with a [`Conn`]; no lock is held across an `.await`.
///
/// - **SQLite**: one writer connection behind a mutex, and a few reader connections (for a
///   database file) handed out one per read.
/// - **PostgreSQL**: a pool of [`POSTGRES_CONNECTIONS`] connections, no lock between them:
///   writes are serializable transactions, run again when a concurrent one wins (so their work
///   is `Fn`: it must not act outside the database); reads run in a read-only snapshot. The
///   change feed numbers its changes in commit order ([`sequence_changes`]).
///
/// A panic inside the work of one request does not stop the others: the writer's mutex is
/// taken back from a panicked holder (the open transaction was rolled back as it was dropped
/// during unwinding, and any transaction still open is rolled back before the next use), a
/// reader goes back to its pool when its work ends, however it ends, and a PostgreSQL
/// connection whose work did not finish is closed (the server rolls its transaction back).
#[derive(Debug, Clone)]
pub struct Db(Arc<Engine>);

#[derive(Debug)]
enum Engine {
    Sqlite(Shared),
    Postgres(Pool),
}

struct Shared {
    writer: Mutex<Connection>,
    /// `None` for an in-memory database, which other connections cannot see: reads then run
    /// on the writer.
    readers: Option<Readers>,
    /// Small writes waiting to be committed together (see [`Db::write_grouped`]).
    grouped: Waiting,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("writer", &self.writer)
            .field("readers", &self.readers)
            .finish_non_exhaustive()
    }
}

/// A small write, run inside a transaction someone else may own (on PostgreSQL, again when
/// that transaction loses a race).
type SmallWrite = Box<dyn Fn(&Conn<'_>) -> ApiResult<()> + Send>;

/// One write waiting for a group commit, and whoever waits for its outcome.
struct Grouped {
    work: SmallWrite,
    done: tokio::sync::oneshot::Sender<ApiResult<()>>,
}

/// Small writes waiting to be committed together (see [`Db::write_grouped`]), on either engine.
#[derive(Default)]
struct Waiting(Mutex<Vec<Grouped>>);

impl Waiting {
    /// Adds `work`; the outcome of the group it is written with arrives on the receiver.
    fn push(&self, work: SmallWrite) -> tokio::sync::oneshot::Receiver<ApiResult<()>> {
        let (done, outcome) = tokio::sync::oneshot::channel();
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Grouped { work, done });
        outcome
    }

    /// Every write waiting, and their waiters; `None` when an earlier leader took them to
    /// write with its own.
    fn take(&self) -> Option<(Vec<SmallWrite>, Waiters)> {
        let group = std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner));
        if group.is_empty() {
            return None;
        }
        let (works, waiting) = group.into_iter().map(|g| (g.work, g.done)).unzip();
        Some((works, Waiters(waiting)))
    }
}

/// Whoever waits for the outcome of a group of small writes.
struct Waiters(Vec<tokio::sync::oneshot::Sender<ApiResult<()>>>);

impl Waiters {
    fn tell(self, written: &ApiResult<()>) {
        for done in self.0 {
            let _ = done.send(written.clone());
        }
    }
}

#[derive(Debug)]
struct Readers {
    idle: Mutex<Vec<Connection>>,
    /// One permit per idle connection: a read waits here (asynchronously) for its turn.
    free: Arc<Semaphore>,
}

/// Ends a transaction a panic or a forgetful closure left open on `conn`.
fn settle(conn: &Connection) {
    if !conn.is_autocommit()
        && let Err(e) = conn.execute_batch("ROLLBACK")
    {
        tracing::error!(error = %e, "cannot roll back a transaction left open");
    }
}

/// A connection that only reads (`query_only`): a write sent to it by mistake fails loudly.
fn open_reader(path: &str) -> ApiResult<Connection> {
    let conn = Connection::open(path).map_err(setup)?;
    conn.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(setup)?;
    conn.pragma_update(None, "query_only", "ON")
        .map_err(setup)?;
    // Reads straight from the file's pages mapped in memory instead of a system call and a copy
    // for each 4 KiB page: a document's bytes are read through ~40 pages each.
    conn.pragma_update(None, "mmap_size", READER_MMAP_BYTES)
        .map_err(setup)?;
    Ok(conn)
}

/// How much of the database file a reader maps (SQLite's own ceiling is just under 2 GiB); the
/// rest is read with system calls as before.
const READER_MMAP_BYTES: i64 = 1 << 30;

/// A reader taken from the pool; it goes back when dropped, even while a panic unwinds.
struct Lease {
    shared: Arc<Engine>,
    conn: Option<Connection>,
}

impl Lease {
    /// An idle reader of `shared`; the caller holds one of the readers' permits.
    fn take(shared: Arc<Engine>) -> Self {
        let conn = match &*shared {
            Engine::Sqlite(Shared {
                readers: Some(r), ..
            }) => r.idle.lock().unwrap_or_else(PoisonError::into_inner).pop(),
            _ => None,
        };
        Self { shared, conn }
    }

    /// Runs read-only `work` in one snapshot of the database on an idle reader of `shared`; the
    /// caller holds one of the readers' permits.
    fn read<T>(shared: Arc<Engine>, work: impl FnOnce(&Conn<'_>) -> ApiResult<T>) -> ApiResult<T> {
        let lease = Self::take(shared);
        let snapshot = lease.conn()?.unchecked_transaction()?;
        work(&Conn::sqlite(&snapshot))
    }

    fn conn(&self) -> ApiResult<&Connection> {
        self.conn
            .as_ref()
            .ok_or_else(|| ApiError::internal("no reader connection was free"))
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let (
            Some(conn),
            Engine::Sqlite(Shared {
                readers: Some(readers),
                ..
            }),
        ) = (self.conn.take(), &*self.shared)
        {
            settle(&conn);
            readers
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(conn);
        }
    }
}

impl Db {
    /// The database behind `conn`. For a database file, [`READERS`] more connections are
    /// opened on it for reads; for an in-memory one (or if they cannot be opened, which is
    /// logged) reads share the writer.
    pub fn new(conn: Connection) -> Self {
        let path = conn.path().filter(|p| !p.is_empty()).map(str::to_owned);
        let readers =
            path.and_then(
                |path| match (0..READERS).map(|_| open_reader(&path)).collect() {
                    Ok(idle) => Some(Readers {
                        idle: Mutex::new(idle),
                        free: Arc::new(Semaphore::new(READERS)),
                    }),
                    Err(e) => {
                        tracing::warn!(error = %e, "reads will share the writer's connection");
                        None
                    }
                },
            );
        Self(Arc::new(Engine::Sqlite(Shared {
            writer: Mutex::new(conn),
            readers,
            grouped: Waiting::default(),
        })))
    }

    /// The database `database` names, its schema brought up to date first (PostgreSQL's
    /// migrations run under their own lock, so instances started together migrate once).
    pub async fn open(database: &Database) -> ApiResult<Self> {
        match database {
            Database::Sqlite(path) => {
                let path = path.clone();
                let conn = tokio::task::spawn_blocking(move || open(&path))
                    .await
                    .map_err(|e| ApiError::internal(format!("opening stopped: {e}")))??;
                Ok(Self::new(conn))
            }
            Database::Postgres(_) => {
                crate::database::migrate(database).await?;
                Self::postgres_as_is(database).await
            }
        }
    }

    /// Which engine keeps the data.
    pub fn engine(&self) -> crate::sql::Engine {
        match &*self.0 {
            Engine::Sqlite(_) => crate::sql::Engine::Sqlite,
            Engine::Postgres(_) => crate::sql::Engine::Postgres,
        }
    }

    /// Runs `work` on the writer connection (reads that must see their own writes, and writes
    /// of one statement), without a transaction. A write of several statements belongs in
    /// [`Db::write`].
    pub async fn run<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Conn<'_>) -> ApiResult<T> + Send + 'static,
    {
        match &*self.0 {
            Engine::Sqlite(_) => {
                self.sqlite_writer(move |conn| work(&Conn::sqlite(conn)))
                    .await
            }
            Engine::Postgres(pool) => self.postgres_once(pool, PgMode::Autocommit, work).await,
        }
    }

    /// Runs `work` on SQLite's writer connection.
    async fn sqlite_writer<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> ApiResult<T> + Send + 'static,
    {
        let engine = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let Engine::Sqlite(shared) = &*engine else {
                return Err(ApiError::internal("not a SQLite database"));
            };
            let mut conn = shared.writer.lock().unwrap_or_else(|poisoned| {
                // An earlier request panicked while holding the writer; its transaction was
                // rolled back as it unwound. The connection itself is sound.
                shared.writer.clear_poison();
                poisoned.into_inner()
            });
            settle(&conn);
            work(&mut conn)
        })
        .await
        .map_err(|e| ApiError::internal(format!("a database task failed: {e}")))?
    }

    /// Runs `work` on SQLite's writer in one transaction begun with `behavior`, committed when
    /// it succeeds and rolled back when it fails.
    async fn sqlite_transaction<T, F>(
        &self,
        behavior: rusqlite::TransactionBehavior,
        work: F,
    ) -> ApiResult<T>
    where
        T: Send + 'static,
        F: Fn(&Conn<'_>) -> ApiResult<T> + Send + 'static,
    {
        self.sqlite_writer(move |conn| {
            let tx = conn.transaction_with_behavior(behavior)?;
            let answer = work(&Conn::sqlite(&tx))?;
            tx.commit()?;
            Ok(answer)
        })
        .await
    }

    /// Runs `work` in one write transaction (SQLite: immediate, write-locked; PostgreSQL:
    /// serializable), committed when it succeeds and rolled back when it fails. On PostgreSQL a
    /// transaction that lost a race with a concurrent one is run again: `work` must do nothing
    /// but its statements.
    pub async fn write<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: Fn(&Conn<'_>) -> ApiResult<T> + Send + 'static,
    {
        match &*self.0 {
            Engine::Sqlite(_) => {
                self.sqlite_transaction(rusqlite::TransactionBehavior::Immediate, work)
                    .await
            }
            Engine::Postgres(pool) => self.postgres(pool, PgMode::Write, work).await,
        }
    }

    /// Runs `work`, which changes the case `application_id` (and what hangs on it: its events,
    /// decisions, e-mails, changes), in one write transaction. On SQLite as [`Db::write`]. On
    /// PostgreSQL the case's row is locked first (`FOR UPDATE`) in a `READ COMMITTED`
    /// transaction: writes to one case go one after another, writes to different cases run
    /// together — as a serializable transaction would, without the false conflicts its
    /// page-wide read locks raise between unrelated cases under load (the load run's decisions
    /// lost most of their races so). `work` must read nothing it relies on but that case and
    /// what no concurrent write changes (the catalogue, the department's settings).
    pub async fn write_case<T, F>(&self, application_id: String, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: Fn(&Conn<'_>) -> ApiResult<T> + Send + 'static,
    {
        match &*self.0 {
            Engine::Sqlite(_) => self.write(work).await,
            Engine::Postgres(pool) => {
                self.postgres(pool, PgMode::Case, move |conn| {
                    conn.query_row(
                        "SELECT 1 FROM applications WHERE id = ?1 FOR UPDATE",
                        [&application_id],
                        |_| Ok(()),
                    )
                    .optional()?;
                    work(conn)
                })
                .await
            }
        }
    }

    /// Runs `work`, which appends to the audit chain, in one write transaction, as
    /// [`Db::write`]; on PostgreSQL holding the audit chain's lock, so that appenders of every
    /// instance go one after another instead of racing for the chain's tip and running again.
    pub async fn write_chained<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: Fn(&Conn<'_>) -> ApiResult<T> + Send + 'static,
    {
        match &*self.0 {
            Engine::Sqlite(_) => self.write(work).await,
            Engine::Postgres(pool) => self.postgres(pool, PgMode::Chained, work).await,
        }
    }

    /// Runs `work` — a page of the change feed — in one transaction that sees the changes
    /// numbered in commit order: a position it hands out is never passed by a write still to
    /// commit. It may write what no change records (the desk's last sync). On SQLite it runs on
    /// the writer, whose commits are in order; on PostgreSQL after [`sequence_changes`], and
    /// again when it loses a race (`Fn`, as [`Db::write`]).
    pub async fn feed<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: Fn(&Conn<'_>) -> ApiResult<T> + Send + 'static,
    {
        match &*self.0 {
            Engine::Sqlite(_) => {
                self.sqlite_transaction(rusqlite::TransactionBehavior::Deferred, work)
                    .await
            }
            Engine::Postgres(pool) => self.postgres(pool, PgMode::Feed, work).await,
        }
    }

    /// Runs a small write (an audit row) in a transaction shared with the other small writes
    /// waiting at the same moment: whichever of them takes the writer first writes them all and
    /// commits once, and each returns only when its own write is durable. Under many parallel
    /// requests this is one disk flush for many rows instead of one each. A failure fails every
    /// write of the group. On PostgreSQL the same, an instance's group at a time, the group
    /// holding the audit chain's lock (`db::postgres`), so that audit rows are appended one
    /// group after another rather than racing for the chain's tip.
    pub async fn write_grouped<F>(&self, work: F) -> ApiResult<()>
    where
        F: Fn(&Conn<'_>) -> ApiResult<()> + Send + 'static,
    {
        let outcome = match &*self.0 {
            Engine::Sqlite(shared) => shared.grouped.push(Box::new(work)),
            Engine::Postgres(pool) => pool.grouped.push(Box::new(work)),
        };
        match &*self.0 {
            Engine::Sqlite(_) => {
                let engine = self.0.clone();
                self.sqlite_writer(move |conn| {
                    if let Engine::Sqlite(shared) = &*engine
                        && let Some((works, waiters)) = shared.grouped.take()
                    {
                        let written = (|| {
                            let tx = conn.transaction_with_behavior(
                                rusqlite::TransactionBehavior::Immediate,
                            )?;
                            for work in works {
                                work(&Conn::sqlite(&tx))?;
                            }
                            tx.commit()?;
                            Ok(())
                        })();
                        waiters.tell(&written);
                    }
                    Ok(())
                })
                .await?;
            }
            Engine::Postgres(pool) => self.postgres_group(pool).await,
        }
        outcome
            .await
            .map_err(|_| ApiError::internal("a grouped write was lost"))?
    }

    /// Runs read-only `work` in one snapshot of the database (a read transaction), in parallel
    /// with other reads and with the writer. On SQLite the connection refuses writes, and
    /// without readers (an in-memory database) it runs on the writer.
    pub async fn read<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Conn<'_>) -> ApiResult<T> + Send + 'static,
    {
        let readers = match &*self.0 {
            Engine::Sqlite(Shared {
                readers: Some(readers),
                ..
            }) => readers,
            Engine::Sqlite(_) => return self.run(work).await,
            Engine::Postgres(pool) => return self.postgres_once(pool, PgMode::Read, work).await,
        };
        let permit = readers
            .free
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| ApiError::internal(format!("the readers are closed: {e}")))?;
        let engine = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            Lease::read(engine, work)
        })
        .await
        .map_err(|e| ApiError::internal(format!("a database task failed: {e}")))?
    }

    /// Runs a short read-only `work` like [`Db::read`], but on SQLite on the calling task's own
    /// thread: without the hop to the blocking pool and back, two thread wake-ups that cost a
    /// small read (a document of a few hundred KiB) as much as the read itself. Only for work
    /// bounded to tens of microseconds; `work` answers `None` when it finds more to do than
    /// that (a large document), and is then run again as [`Db::read`] runs it.
    pub async fn read_short<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: Fn(&Conn<'_>, Short) -> ApiResult<Option<T>> + Send + 'static,
    {
        if let Engine::Sqlite(Shared {
            readers: Some(readers),
            ..
        }) = &*self.0
        {
            let permit = readers
                .free
                .acquire()
                .await
                .map_err(|e| ApiError::internal(format!("the readers are closed: {e}")))?;
            let answer = Lease::read(self.0.clone(), |conn| work(conn, Short::Here))?;
            drop(permit);
            if let Some(answer) = answer {
                return Ok(answer);
            }
        }
        self.read(move |conn| {
            work(conn, Short::Aside)?
                .ok_or_else(|| ApiError::internal("a read aside did not answer"))
        })
        .await
    }
}

/// Where a [`Db::read_short`] runs: on the request's own thread, where it must stay short
/// (answer `None` to be run again aside), or aside on the blocking pool, where it must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Short {
    Here,
    Aside,
}

mod postgres;
#[cfg(test)]
mod tests;

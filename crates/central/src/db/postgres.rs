//! The PostgreSQL side of [`Db`]: the pool of one instance, its transactions (serializable
//! writes run again when a concurrent one wins) and the numbering of the change feed.

use std::sync::Mutex;
use std::sync::{Arc, PoisonError};

use tokio::sync::Semaphore;

use super::{Db, Engine, POSTGRES_CONNECTIONS, Waiting};
use crate::database::Database;
use crate::error::{ApiError, ApiResult};
use crate::sql::{Conn, PgConn};

/// How many times a PostgreSQL transaction that lost a race with a concurrent one (a
/// serialization failure or a deadlock) is run again before its error is answered.
const RETRIES: u32 = 40;

/// The advisory lock held while changes are numbered (`sequence_changes`): only the feed's
/// numbering takes it, never a write.
const SEQUENCER: i64 = 0x006d_6967_7365_7121;

/// The advisory lock (session-level) held by a transaction that appends to the audit chain
/// ([`PgMode::Chained`]): the chain has one tip, so its appenders go one after another instead
/// of racing for it and running again.
const AUDIT_CHAIN: i64 = 0x006d_6967_6175_6474;

/// PostgreSQL connections of one instance.
pub(super) struct Pool {
    database: Database,
    url: String,
    idle: Mutex<Vec<PgConn>>,
    /// One permit per connection, idle or not yet opened.
    free: Arc<Semaphore>,
    rt: tokio::runtime::Handle,
    /// Small writes waiting to be committed together (see [`Db::write_grouped`]).
    pub(super) grouped: Waiting,
    /// Held by whoever writes the waiting small writes: one group at a time an instance.
    pub(super) leader: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("database", &self.database)
            .finish_non_exhaustive()
    }
}

/// A PostgreSQL connection taken from the pool: back to it when its work finished, closed when
/// the work panicked or the connection broke.
struct PgLease {
    engine: Arc<Engine>,
    conn: Option<PgConn>,
    finished: bool,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl PgLease {
    /// The work ended (well or with an error): the connection may serve again.
    fn finish(&mut self) {
        self.finished = true;
    }
}

impl Drop for PgLease {
    fn drop(&mut self) {
        if let (true, Some(conn), Engine::Postgres(pool)) =
            (self.finished, self.conn.take(), &*self.engine)
            && !conn.client.is_closed()
        {
            pool.idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(conn);
        }
    }
}

/// How a PostgreSQL connection runs one piece of work.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum PgMode {
    /// Each statement commits on its own.
    Autocommit,
    /// One serializable transaction, run again when a concurrent one wins.
    Write,
    /// As `Write`, holding the [`AUDIT_CHAIN`] lock: it appends to the audit chain.
    Chained,
    /// One `READ COMMITTED` transaction whose work locks the one case it changes first
    /// ([`Db::write_case`]), run again after a deadlock.
    Case,
    /// One read-only snapshot.
    Read,
    /// The changes committed so far numbered, then one snapshot (which may write what no
    /// change records), run again when a concurrent transaction wins.
    Feed,
}

impl PgMode {
    fn begin(self) -> Option<&'static str> {
        match self {
            PgMode::Autocommit => None,
            PgMode::Write | PgMode::Chained => Some("BEGIN ISOLATION LEVEL SERIALIZABLE"),
            PgMode::Case => Some("BEGIN ISOLATION LEVEL READ COMMITTED"),
            PgMode::Read => Some("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
            PgMode::Feed => Some("BEGIN ISOLATION LEVEL REPEATABLE READ"),
        }
    }

    fn retries(self) -> u32 {
        match self {
            PgMode::Write | PgMode::Chained | PgMode::Case | PgMode::Feed => RETRIES,
            PgMode::Autocommit | PgMode::Read => 0,
        }
    }
}

/// Gives the changes waiting in `changes_pending` their feed positions: every change committed
/// by now, numbered from above the highest position handed out, in the order they were
/// written. Only committed changes can be seen, and only one numbering runs at a time (the
/// [`SEQUENCER`] lock), so a position is only ever handed out above every position a reader
/// may have seen: a change still to commit is numbered after it commits, never behind a
/// cursor. A change committed before the call is numbered by it.
fn sequence_changes(conn: &Conn<'_>) -> ApiResult<()> {
    let waiting: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM changes_pending)", [], |r| {
            r.get(0)
        })?;
    if !waiting {
        return Ok(());
    }
    conn.execute_batch("BEGIN")?;
    // The lock first: the next statement's snapshot then sees the numbering before it.
    let moved = conn
        .execute_batch(&format!("SELECT pg_advisory_xact_lock({SEQUENCER})"))
        .and_then(|()| {
            conn.execute_batch(
                "WITH moved AS (
                     DELETE FROM changes_pending
                     RETURNING id, application_id, department_id, officer_id,
                               previous_officer_id, kind, at)
                 INSERT INTO changes (seq, application_id, department_id, officer_id,
                                      previous_officer_id, kind, at)
                 SELECT (SELECT COALESCE(MAX(seq), 0) FROM changes)
                            + row_number() OVER (ORDER BY id),
                        application_id, department_id, officer_id, previous_officer_id,
                        kind, at
                 FROM moved",
            )
        });
    conn.execute_batch(if moved.is_ok() { "COMMIT" } else { "ROLLBACK" })?;
    Ok(moved?)
}

/// A pause before running again a transaction that lost a race: random, growing with the
/// attempts, so the transactions that collided do not collide again.
fn backoff(attempt: u32) -> std::time::Duration {
    use rand::Rng;
    let ceiling = 1u64 << attempt.min(7);
    std::time::Duration::from_millis(rand::rng().random_range(1..=ceiling))
}

/// One run of `work` on `conn` in `mode`. The second value is whether the transaction ended
/// (committed or rolled back, as a lost race also does): the connection may serve again.
fn attempt<T>(
    conn: &Conn<'_>,
    pg: &PgConn,
    mode: PgMode,
    work: &mut impl FnMut(&Conn<'_>) -> ApiResult<T>,
) -> (ApiResult<T>, bool) {
    if mode != PgMode::Chained {
        return transaction(conn, pg, mode, work);
    }
    // Taken before the transaction begins, so that its snapshot sees the chain's tip as the
    // appender before left it.
    if let Err(e) = conn.execute_batch(&format!("SELECT pg_advisory_lock({AUDIT_CHAIN})")) {
        return (Err(e.into()), false);
    }
    let (answer, ended) = transaction(conn, pg, mode, work);
    match conn.execute_batch(&format!("SELECT pg_advisory_unlock({AUDIT_CHAIN})")) {
        Ok(()) => (answer, ended),
        Err(e) => (answer.and(Err(e.into())), false),
    }
}

/// `work` in the transaction `mode` begins (none for autocommit).
fn transaction<T>(
    conn: &Conn<'_>,
    pg: &PgConn,
    mode: PgMode,
    work: &mut impl FnMut(&Conn<'_>) -> ApiResult<T>,
) -> (ApiResult<T>, bool) {
    let Some(begin) = mode.begin() else {
        return (work(conn), true);
    };
    if mode == PgMode::Feed
        && let Err(e) = sequence_changes(conn)
    {
        return (Err(e), false);
    }
    if let Err(e) = conn.execute_batch(begin) {
        return (Err(e.into()), false);
    }
    conn.opened();
    let answer = work(conn);
    match conn.execute_batch(if answer.is_ok() { "COMMIT" } else { "ROLLBACK" }) {
        Ok(()) => (answer, true),
        // A commit refused for a lost race ends the transaction.
        Err(e) => (Err(e.into()), pg.lost_race()),
    }
}

impl Db {
    /// The PostgreSQL database `database` as it is, its schema not migrated (to read it only:
    /// `audit verify`). A SQLite database is refused: it is opened by its file.
    pub async fn postgres_as_is(database: &Database) -> ApiResult<Self> {
        match database {
            Database::Sqlite(_) => Err(ApiError::internal("not a PostgreSQL database")),
            Database::Postgres(url) => {
                let db = Self(Arc::new(Engine::Postgres(Pool {
                    database: database.clone(),
                    url: url.clone(),
                    idle: Mutex::new(Vec::new()),
                    free: Arc::new(Semaphore::new(POSTGRES_CONNECTIONS)),
                    rt: tokio::runtime::Handle::current(),
                    grouped: Waiting::default(),
                    leader: tokio::sync::Mutex::new(()),
                })));
                // One connection now, so that a wrong address or password is told at once.
                db.run(|conn| Ok(conn.execute_batch("SELECT 1")?)).await?;
                Ok(db)
            }
        }
    }

    /// Runs `work` on a PostgreSQL connection of the pool, in `mode`; again, on the same
    /// connection, while it loses races with concurrent transactions (up to the mode's retries).
    pub(super) async fn postgres<T, F>(
        &self,
        pool: &Pool,
        mode: PgMode,
        mut work: F,
    ) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnMut(&Conn<'_>) -> ApiResult<T> + Send + 'static,
    {
        let permit = pool
            .free
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| ApiError::internal(format!("the connections are closed: {e}")))?;
        let idle = pool
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                PgConn::new(crate::database::connect_postgres(&pool.database, &pool.url).await?)
            }
        };
        let mut lease = PgLease {
            engine: self.0.clone(),
            conn: Some(conn),
            finished: false,
            _permit: permit,
        };
        let rt = pool.rt.clone();
        tokio::task::spawn_blocking(move || {
            let pg = lease
                .conn
                .as_ref()
                .ok_or_else(|| ApiError::internal("no PostgreSQL connection was free"))?;
            let mut tries = 0;
            loop {
                pg.take_lost_race();
                let (answer, ended) = attempt(&Conn::postgres(pg, &rt), pg, mode, &mut work);
                let lost = pg.take_lost_race();
                if answer.is_err() && lost && ended && tries < mode.retries() {
                    tries += 1;
                    std::thread::sleep(backoff(tries));
                    continue;
                }
                if lost && answer.is_err() {
                    tracing::warn!(
                        tries,
                        "a transaction kept losing races with concurrent ones"
                    );
                }
                if ended {
                    lease.finish();
                }
                return answer;
            }
        })
        .await
        .map_err(|e| ApiError::internal(format!("a database task failed: {e}")))?
    }

    /// Runs `work`, which runs once, on a PostgreSQL connection in `mode`.
    pub(super) async fn postgres_once<T, F>(
        &self,
        pool: &Pool,
        mode: PgMode,
        work: F,
    ) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Conn<'_>) -> ApiResult<T> + Send + 'static,
    {
        let mut work = Some(work);
        self.postgres(pool, mode, move |conn| match work.take() {
            Some(work) => work(conn),
            None => Err(ApiError::internal("a piece of work was run twice")),
        })
        .await
    }

    /// The small writes waiting on this instance, written together in one transaction that
    /// appends to the audit chain, once no other group of this instance is being written: each
    /// waiter is told the outcome. Nothing when an earlier leader took them.
    pub(super) async fn postgres_group(&self, pool: &Pool) {
        let _leader = pool.leader.lock().await;
        let Some((works, waiters)) = pool.grouped.take() else {
            return;
        };
        let written = self
            .postgres(pool, PgMode::Chained, move |conn| {
                works.iter().try_for_each(|work| work(conn))
            })
            .await;
        waiters.tell(&written);
    }
}

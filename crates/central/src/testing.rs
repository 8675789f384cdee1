//! Test support for every crate that needs a real central service (the `testing` feature):
//! seed a database file, run the service on a loopback port in this process, sign in. The
//! central service's own tests, the desk engine's tests and both benchmarks use it.

use std::net::SocketAddr;
use std::path::Path;

use migdesk_domain::{Calendar, Catalogue};
use tokio::sync::oneshot;

use crate::database::Database;
use crate::seed::{self, Account, SeedOptions, SeedReport};
use crate::sql::{Conn, Engine, PgConn};
use crate::{AppState, Config, db};

/// The engine this test run keeps the centre's data in: PostgreSQL when `MIGDESK_TEST_ENGINE`
/// is `postgres` (with the throwaway cluster `scripts/test.sh` starts, named by
/// `MIGDESK_TEST_POSTGRES`), else SQLite.
///
/// # Panics
/// When PostgreSQL is asked for without a cluster to use.
pub fn engine() -> Engine {
    match std::env::var("MIGDESK_TEST_ENGINE").as_deref() {
        Ok("postgres") => {
            assert!(
                std::env::var_os("MIGDESK_TEST_POSTGRES").is_some(),
                "MIGDESK_TEST_ENGINE=postgres needs MIGDESK_TEST_POSTGRES: run scripts/test.sh, which starts PostgreSQL"
            );
            Engine::Postgres
        }
        _ => Engine::Sqlite,
    }
}

/// Runs `work` on a runtime of its own, on a thread of its own (so that it may be called from
/// synchronous code and from inside another runtime alike).
fn on_own_runtime<T: Send>(work: impl FnOnce(&tokio::runtime::Runtime) -> T + Send) -> T {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .unwrap_or_else(|e| panic!("a runtime: {e}"));
                work(&rt)
            })
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

/// A new database in the test cluster, empty or a copy of `template` (a database no one is
/// connected to).
///
/// # Panics
/// Without a cluster (`MIGDESK_TEST_POSTGRES`), or when it refuses.
pub fn postgres_database(template: Option<&Database>) -> Database {
    let server = std::env::var("MIGDESK_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!("MIGDESK_TEST_POSTGRES is not set: run scripts/test.sh, which starts PostgreSQL")
    });
    let name = format!("migdesk_{}", hex::encode(rand::random::<[u8; 6]>()));
    let from = match template {
        Some(Database::Postgres(url)) => {
            let (_, template) = url.rsplit_once('/').unwrap_or_default();
            format!(" TEMPLATE {template}")
        }
        _ => String::new(),
    };
    let admin: Database = server
        .parse()
        .unwrap_or_else(|e| panic!("MIGDESK_TEST_POSTGRES: {e}"));
    on_own_runtime(|rt| {
        rt.block_on(async {
            let client = crate::database::connect_postgres(&admin, &server)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            client
                .batch_execute(&format!("CREATE DATABASE {name}{from}"))
                .await
                .unwrap_or_else(|e| panic!("CREATE DATABASE {name}{from}: {e}"));
        });
    });
    let (base, _) = server.rsplit_once('/').unwrap_or_default();
    Database::Postgres(format!("{base}/{name}"))
}

/// A new, empty database of this run's [`engine`]: a file in `dir`, or a database in the test
/// cluster.
pub fn new_database(dir: &Path, name: &str) -> Database {
    match engine() {
        Engine::Sqlite => Database::Sqlite(dir.join(name)),
        Engine::Postgres => postgres_database(None),
    }
}

/// A copy of the database `template` (which no one uses meanwhile), beside it in `dir` for
/// SQLite.
///
/// # Panics
/// When it cannot be copied.
pub fn copy_database(template: &Database, dir: &Path, name: &str) -> Database {
    match template {
        Database::Sqlite(path) => {
            let copy = dir.join(name);
            std::fs::copy(path, &copy).unwrap_or_else(|e| panic!("copy {}: {e}", path.display()));
            Database::Sqlite(copy)
        }
        Database::Postgres(_) => postgres_database(Some(template)),
    }
}

/// Runs `work` on a connection to `database` (a statement or a few, for a test to look at or
/// change the centre's data behind its back).
///
/// # Panics
/// When the database cannot be opened.
pub fn with_sql<T: Send>(database: &Database, work: impl FnOnce(&Conn<'_>) -> T + Send) -> T {
    match database {
        Database::Sqlite(path) => {
            let conn = rusqlite::Connection::open(path)
                .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
            work(&Conn::sqlite(&conn))
        }
        Database::Postgres(url) => on_own_runtime(|rt| {
            let client = rt
                .block_on(crate::database::connect_postgres(database, url))
                .unwrap_or_else(|e| panic!("{e}"));
            let conn = PgConn::new(client);
            work(&Conn::postgres(&conn, rt.handle()))
        }),
    }
}

/// Seeds `database` (migrated first) with the built-in catalogue and calendar, now, and
/// closes every connection to it.
///
/// # Panics
/// When it cannot be opened or seeded.
pub fn seed_database(database: &Database, options: &SeedOptions) -> SeedReport {
    on_own_runtime(|rt| {
        rt.block_on(async {
            let db = db::Db::open(database)
                .await
                .unwrap_or_else(|e| panic!("open {database}: {e}"));
            let options = options.clone();
            db.write(move |conn| {
                seed::seed(
                    conn,
                    &Catalogue::builtin(),
                    &Calendar::builtin(),
                    &options,
                    crate::clock::now(),
                )
            })
            .await
            .unwrap_or_else(|e| panic!("seed {database}: {e}"))
        })
    })
}

/// Seeds the database at `path` (created) with the built-in catalogue and calendar, now.
///
/// # Panics
/// When the file cannot be created or seeded: a test cannot go on without it.
pub fn seed_file(path: &Path, options: &SeedOptions) -> SeedReport {
    let conn = db::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    seed::seed(
        &Conn::sqlite(&conn),
        &Catalogue::builtin(),
        &Calendar::builtin(),
        options,
        crate::clock::now(),
    )
    .unwrap_or_else(|e| panic!("seed {}: {e}", path.display()))
}

/// A new applicant portal credential on the database at `path`, for the applicant routes.
///
/// # Panics
/// When the database cannot be opened or the name is taken.
pub fn portal_token(path: &Path, name: &str) -> String {
    let conn = db::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    crate::portal::issue(&Conn::sqlite(&conn), name)
        .unwrap_or_else(|e| panic!("portal credential: {e}"))
}

/// The central service running in this process over a database file, on a loopback port of
/// its own. Stopped by [`Running::stop`] (waiting for it) or when dropped.
#[derive(Debug)]
pub struct Running {
    /// `http://127.0.0.1:PORT` (`https://localhost:PORT` over HTTPS).
    pub base: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Running {
    /// Serves the database at `path` with the default configuration.
    pub async fn start(path: &Path) -> Self {
        Self::start_with(path, Config::default()).await
    }

    /// Serves the database at `path` with `config`.
    ///
    /// # Panics
    /// When the database cannot be opened or no loopback port is free.
    pub async fn start_with(path: &Path, config: Config) -> Self {
        Self::start_at(path, config, "127.0.0.1:0").await
    }

    /// Serves the database at `path` with `config` on `addr` (a stopped centre coming back at
    /// the address its desks know).
    ///
    /// # Panics
    /// When the database cannot be opened or the address cannot be bound.
    pub async fn start_at(path: &Path, config: Config, addr: &str) -> Self {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .unwrap_or_else(|e| panic!("bind {addr}: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("the port bound: {e}"));
        Self::serving(path, config, listener, format!("http://{addr}"))
    }

    /// Serves the database at `path` over HTTPS with the certificate `cert` and its private key
    /// `key` (PEM), as `https://localhost:PORT`.
    ///
    /// # Panics
    /// When the database or the certificate cannot be opened, or no loopback port is free.
    pub async fn start_tls(path: &Path, cert: &Path, key: &Path) -> Self {
        let acceptor = crate::tls::acceptor(cert, key).unwrap_or_else(|e| panic!("{e}"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("the port bound: {e}"))
            .port();
        let listener = crate::tls::TlsListener::new(listener, acceptor)
            .unwrap_or_else(|e| panic!("TLS listener: {e}"));
        Self::serving(
            path,
            Config::default(),
            listener,
            format!("https://localhost:{port}"),
        )
    }

    /// Serves `database` (of either engine) with `config`, on a loopback port of its own.
    ///
    /// # Panics
    /// When the database cannot be opened or no loopback port is free.
    pub async fn start_database(database: &Database, config: Config) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("the port bound: {e}"));
        let db = db::Db::open(database)
            .await
            .unwrap_or_else(|e| panic!("open {database}: {e}"));
        Self::serving_db(db, config, listener, format!("http://{addr}"))
    }

    fn serving(
        path: &Path,
        config: Config,
        listener: impl axum::serve::Listener<Addr = SocketAddr>,
        base: String,
    ) -> Self {
        let conn = db::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        Self::serving_db(db::Db::new(conn), config, listener, base)
    }

    fn serving_db(
        db: db::Db,
        config: Config,
        listener: impl axum::serve::Listener<Addr = SocketAddr>,
        base: String,
    ) -> Self {
        let state = AppState::new(db, Catalogue::builtin(), Calendar::builtin(), config)
            .unwrap_or_else(|e| panic!("state: {e}"));
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(crate::serve(listener, state, async {
            let _ = rx.await;
        }));
        Self {
            base,
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// The address, for a proxy in front of it.
    pub fn addr(&self) -> SocketAddr {
        self.base
            .trim_start_matches("http://")
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e}", self.base))
    }

    /// Stops the service and waits until it has.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Signs `account` in at `base`; the bearer token.
///
/// # Panics
/// When the service refuses or cannot be reached.
pub async fn token(client: &reqwest::Client, base: &str, account: &Account) -> String {
    let answer: migdesk_api::SessionResponse = client
        .post(format!("{base}/api/v1/session"))
        .json(&migdesk_api::SessionRequest {
            username: account.username.clone(),
            password: account.password.clone(),
        })
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .unwrap_or_else(|e| panic!("sign in {}: {e}", account.username))
        .json()
        .await
        .unwrap_or_else(|e| panic!("the session answer: {e}"));
    answer.token
}

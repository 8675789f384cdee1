//! Test support for every crate that needs a real central service (the `testing` feature):
//! seed a database file, run the service on a loopback port in this process, sign in. The
//! central service's own tests, the desk engine's tests and both benchmarks use it.

use std::net::SocketAddr;
use std::path::Path;

use migdesk_domain::{Calendar, Catalogue};
use tokio::sync::oneshot;

use crate::seed::{self, Account, SeedOptions, SeedReport};
use crate::sql::Conn;
use crate::{AppState, Config, db};

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

    fn serving(
        path: &Path,
        config: Config,
        listener: impl axum::serve::Listener<Addr = SocketAddr>,
        base: String,
    ) -> Self {
        let conn = db::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        let state = AppState::new(
            db::Db::new(conn),
            Catalogue::builtin(),
            Calendar::builtin(),
            config,
        )
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

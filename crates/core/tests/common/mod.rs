#![allow(clippy::unwrap_used, dead_code)] // Shared by several test binaries, each using part.

//! A real central service in-process, on a loopback port, over a seeded SQLite file.

use std::path::{Path, PathBuf};

use migdesk_central::seed::{self, Account, SeedOptions};
use migdesk_central::{AppState, Config, db};
use migdesk_domain::{Calendar, Catalogue};
use tokio::sync::oneshot;

pub struct Centre {
    pub base: String,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Centre {
    /// The address, for a proxy in front of it.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.base.trim_start_matches("http://").parse().unwrap()
    }

    pub async fn start(db_path: &Path) -> Self {
        let state = AppState::new(
            db::open(db_path).unwrap(),
            Catalogue::builtin(),
            Calendar::builtin(),
            Config::default(),
        )
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(migdesk_central::serve(listener, state, async {
            let _ = rx.await;
        }));
        Self {
            base,
            stop: Some(tx),
            task,
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = self.task.await;
    }
}

/// Seeds `dir/central.db` with `options` (which name a department); returns its path and the
/// staff of that department.
pub fn seeded(dir: &Path, options: &SeedOptions) -> (PathBuf, Vec<Account>) {
    let path = dir.join("central.db");
    let report = seed::seed(
        &mut db::open(&path).unwrap(),
        &Catalogue::builtin(),
        &Calendar::builtin(),
        options,
        migdesk_central::clock::now(),
    )
    .unwrap();
    let staff = report
        .accounts
        .into_iter()
        .filter(|a| options.department.as_deref() == Some(a.department))
        .collect();
    (path, staff)
}

/// Options for `cases` applications (from `seed`) all routed to `department`.
pub fn options(cases: usize, seed: u64, department: &str) -> SeedOptions {
    let mut options = SeedOptions::new(cases, seed);
    options.department = Some(department.into());
    options
}

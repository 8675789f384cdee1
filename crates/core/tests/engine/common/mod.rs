#![allow(clippy::unwrap_used, dead_code)] // Shared by the test modules, each using part.

//! A real central service in-process, on a loopback port, over a seeded SQLite file (or, with
//! [`seeded_database`], a database of the run's engine).

use std::path::{Path, PathBuf};
use std::time::Duration;

use migdesk_central::database::Database;
use migdesk_central::seed::{Account, SeedOptions};
use migdesk_core::desk::Desk;
use migdesk_core::ipc::SignInRequest;
use migdesk_core::secrets::MemorySecrets;

/// The central service on a loopback port of its own, over a seeded file or database.
pub use migdesk_central::testing::Running as Centre;

/// Seeds `dir/central.db` with `options` (which name a department); returns its path and the
/// staff of that department.
pub fn seeded(dir: &Path, options: &SeedOptions) -> (PathBuf, Vec<Account>) {
    let path = dir.join("central.db");
    let report = migdesk_central::testing::seed_file(&path, options);
    let staff = report
        .accounts
        .into_iter()
        .filter(|a| options.department.as_deref() == Some(a.department))
        .collect();
    (path, staff)
}

/// Seeds a new database of the run's engine (`dir/central.db` on SQLite, a database of the
/// test cluster on PostgreSQL) with `options` (which name a department); returns it and the
/// staff of that department.
pub fn seeded_database(dir: &Path, options: &SeedOptions) -> (Database, Vec<Account>) {
    let database = migdesk_central::testing::new_database(dir, "central.db");
    let report = migdesk_central::testing::seed_database(&database, options);
    let staff = report
        .accounts
        .into_iter()
        .filter(|a| options.department.as_deref() == Some(a.department))
        .collect();
    (database, staff)
}

/// Options for `cases` applications (from `seed`) all routed to `department`.
pub fn options(cases: usize, seed: u64, department: &str) -> SeedOptions {
    let mut options = SeedOptions::new(cases, seed);
    options.department = Some(department.into());
    options
}

/// A desk in `folder` (secrets in memory), signed in as `account` at `centre` and synced.
pub async fn synced_desk_of(folder: &Path, centre: &Centre, account: &Account) -> Desk {
    let mut desk = Desk::new(
        folder,
        Box::new(MemorySecrets::default()),
        Duration::from_secs(600),
    );
    desk.sign_in(SignInRequest {
        server: centre.base.clone(),
        username: account.username.clone(),
        password: account.password.clone(),
    })
    .await
    .unwrap();
    desk.sync_job().unwrap().run(|_| {}).await.unwrap();
    desk
}

/// The ids of the cases the queue lists for `query`, in its order.
pub fn queue_ids(desk: &mut Desk, query: &migdesk_core::queue::QueueQuery) -> Vec<String> {
    desk.queue(query)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r.id)
        .collect()
}

/// The ids of the signed-in officer's cases waiting for a decision, in the queue's order.
pub fn pending_cases(desk: &mut Desk) -> Vec<String> {
    queue_ids(
        desk,
        &migdesk_core::queue::QueueQuery {
            mine: true,
            status: Some(migdesk_api::Status::Pending),
            ..Default::default()
        },
    )
}

/// One whole sync, which must succeed, then the reading of the documents' text the app does
/// after it; what the sync did.
pub async fn sync(desk: &mut Desk) -> migdesk_core::sync::SyncReport {
    let report = desk.sync_job().unwrap().run(|_| {}).await.unwrap();
    desk.text_job().unwrap().run(|_| {}).await.unwrap();
    report
}

#![allow(clippy::unwrap_used, dead_code)] // Shared by several test binaries, each using part.

//! A real central service in-process, on a loopback port, over a seeded SQLite file.

use std::path::{Path, PathBuf};

use migdesk_central::seed::{Account, SeedOptions};

/// The central service on a loopback port of its own, over a seeded file.
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

/// Options for `cases` applications (from `seed`) all routed to `department`.
pub fn options(cases: usize, seed: u64, department: &str) -> SeedOptions {
    let mut options = SeedOptions::new(cases, seed);
    options.department = Some(department.into());
    options
}

//! The cache's integrity check (`PRAGMA quick_check`), which reads and authenticates every page
//! of the file: about a second over 100,000 cached cases. The CLI and repair run it before
//! anything else; the desk runs it on a connection of its own beside the officer's first
//! screens, and refuses to go on with a damaged cache as soon as it knows (a damaged page read
//! meanwhile is refused by SQLCipher's page authentication all the same).

use std::path::Path;
use std::thread::JoinHandle;

use rusqlite::Connection;

use super::{CacheKey, unlock};
use crate::error::{DeskError, DeskResult, ErrorKind};

/// Checks the open connection's file; a damaged page either shows in the report or fails the
/// check outright (SQLCipher refuses a page whose authentication code does not match).
pub(super) fn check(conn: &Connection, path: &Path) -> DeskResult<()> {
    let report = conn
        .query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0))
        .unwrap_or_else(|e| e.to_string());
    if report == "ok" {
        Ok(())
    } else {
        Err(damaged(path, &report))
    }
}

/// What a damaged cache's message tells the officer to do.
pub(super) const REPAIR: &str =
    "repair it: the unsent decisions are kept and the rest is fetched again from the centre";

/// The cache at `path` is damaged; `what` says how it showed.
pub(super) fn damaged(path: &Path, what: &str) -> DeskError {
    DeskError::new(
        ErrorKind::CacheDamaged,
        format!(
            "{} failed its integrity check ({what}); {REPAIR}",
            path.display()
        ),
    )
}

/// What a check found: nothing yet, or its answer.
pub type Outcome = tokio::sync::watch::Receiver<Option<DeskResult<()>>>;

/// An integrity check running on its own connection and thread.
#[derive(Debug)]
pub struct IntegrityCheck {
    outcome: Outcome,
    thread: Option<JoinHandle<()>>,
}

impl IntegrityCheck {
    /// Starts checking the cache at `path` (already opened and migrated by this process).
    pub fn start(path: &Path, key: &CacheKey) -> Self {
        let (tell, outcome) = tokio::sync::watch::channel(None);
        let run = {
            let (path, key, tell) = (path.to_path_buf(), key.clone(), tell.clone());
            move || {
                let found = unlock(&path, &key).and_then(|conn| check(&conn, &path));
                tell.send_replace(Some(found));
            }
        };
        let thread = std::thread::Builder::new()
            .name("cache-check".into())
            .spawn({
                let run = run.clone();
                move || {
                    // The check reads the whole file, about a second of a core, and must not
                    // slow the unlock, the first rows and the window's drawing it runs beside.
                    migdesk_docs::yield_to_the_officer();
                    run();
                }
            })
            .ok();
        // No thread to spare: the check is not skipped, it runs here.
        if thread.is_none() {
            run();
        }
        Self { outcome, thread }
    }

    /// What the check found, if it has finished: `Some(Err)` for a damaged cache.
    pub fn finished(&self) -> Option<DeskResult<()>> {
        self.outcome.borrow().clone()
    }

    /// The check's answer, for work that must not start on a damaged cache (a sync).
    pub fn outcome(&self) -> Outcome {
        self.outcome.clone()
    }

    /// Waits for the check and answers what it found.
    pub fn wait(&mut self) -> DeskResult<()> {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.finished()
            .unwrap_or_else(|| Err(DeskError::internal("the cache check stopped")))
    }
}

/// Waits for a check's answer.
pub async fn settled(mut outcome: Outcome) -> DeskResult<()> {
    match outcome.wait_for(Option::is_some).await {
        Ok(found) => found.clone().unwrap_or(Ok(())),
        Err(_) => Err(DeskError::internal("the cache check stopped")),
    }
}

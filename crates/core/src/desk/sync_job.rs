//! A sync taken out of the desk, and the reading of the documents' text after it: the queue
//! stays usable while they run, each on a connection of its own.

use std::path::PathBuf;

use super::{CENTRAL_TIMEOUT, CONCURRENCY, Desk};
use crate::cache::{self, Meta, Store};
use crate::error::{DeskError, DeskResult, ErrorKind};
use crate::secrets;
use crate::sync::{self, Central, Progress, SyncReport};

/// What a sync needs, taken out of the desk so that the queue stays usable while it runs. Its
/// `Debug` leaves the token out.
pub struct SyncJob {
    path: PathBuf,
    key: cache::CacheKey,
    token: String,
    me: String,
    central: Central,
    purge_after: chrono::Duration,
    sign_outs: tokio::sync::watch::Receiver<u64>,
    /// The cache's integrity check: a sync writes only to a cache that passed it.
    checked: Option<cache::CheckOutcome>,
}

impl std::fmt::Debug for SyncJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncJob")
            .field("path", &self.path)
            .field("me", &self.me)
            .field("central", &self.central)
            .finish_non_exhaustive()
    }
}

impl Desk {
    /// Prepares a sync; run it with [`SyncJob::run`] without holding the desk, then hand its
    /// outcome to [`Desk::after_sync`].
    pub fn sync_job(&mut self) -> DeskResult<SyncJob> {
        let (token, server) = self.central_session()?;
        let store = self.open_store()?;
        let me = store.meta(Meta::UserId)?.unwrap_or_default();
        Ok(SyncJob {
            path: cache::file_in(&self.data_dir),
            key: secrets::cache_key(self.keyring.as_ref(), false)?,
            token,
            me,
            central: self.central(&server, CENTRAL_TIMEOUT)?,
            purge_after: self.purge_after,
            sign_outs: self.sign_outs.subscribe(),
            checked: self.integrity.as_ref().map(cache::IntegrityCheck::outcome),
        })
    }

    /// Prepares the reading of the documents' text after a sync; run it with [`TextJob::run`]
    /// without holding the desk.
    pub fn text_job(&mut self) -> DeskResult<TextJob> {
        self.active()?;
        Ok(TextJob {
            path: cache::file_in(&self.data_dir),
            key: secrets::cache_key(self.keyring.as_ref(), false)?,
            sign_outs: self.sign_outs.subscribe(),
            checked: self.integrity.as_ref().map(cache::IntegrityCheck::outcome),
        })
    }
}

impl SyncJob {
    /// Runs the sync on a connection of its own (SQLite's WAL lets the queue read meanwhile).
    /// The officer asked for it, so decisions waiting out a backoff are tried now.
    /// A sign-out meanwhile stops it at its next wait for the network: every write is a
    /// transaction between two waits, so what it wrote stays whole and nothing more is written.
    pub async fn run(self, progress: impl FnMut(Progress)) -> DeskResult<SyncReport> {
        // Subscribed when the job was made: a sign-out since then counts, even one that came
        // before this future first ran.
        let mut sign_outs = self.sign_outs.clone();
        tokio::select! {
            report = self.sync(progress) => report,
            Ok(()) = sign_outs.changed() => Err(DeskError::new(
                ErrorKind::NotSignedIn,
                "the officer signed out: the sync stopped",
            )),
        }
    }

    async fn sync(&self, progress: impl FnMut(Progress)) -> DeskResult<SyncReport> {
        if let Some(checked) = self.checked.clone() {
            cache::check_settled(checked).await?;
        }
        let mut store = Store::open_again(&self.path, &self.key)?;
        store.retry_now()?;
        let mut report = sync::run(
            &mut store,
            &self.central,
            &self.token,
            &self.me,
            CONCURRENCY,
            progress,
        )
        .await?;
        // Personal data is kept only while needed: cases decided and acknowledged longer ago
        // than the workstation's period leave the cache after each sync.
        report.cases_purged = store.purge_acknowledged(self.purge_after)? as u64;
        Ok(report)
    }
}

/// The reading of the stored documents' text layer for search, taken out of the desk
/// ([`sync::read_texts`]). Its `Debug` leaves the key out.
pub struct TextJob {
    path: PathBuf,
    key: cache::CacheKey,
    sign_outs: tokio::sync::watch::Receiver<u64>,
    /// The cache's integrity check: the job writes only to a cache that passed it.
    checked: Option<cache::CheckOutcome>,
}

impl std::fmt::Debug for TextJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextJob")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl TextJob {
    /// Reads every stored document's text not read yet, on a connection of its own, until none
    /// is left (a sync that ended meanwhile may have brought more); returns how many it read. A
    /// sign-out stops it between two files: what it kept stays, the rest is read next time.
    /// `progress` hears the files read of each round, and last, however the reading ended, a
    /// message with nothing left to read (an indicator listening can go away).
    pub async fn run(self, mut progress: impl FnMut(Progress)) -> DeskResult<u64> {
        let mut sign_outs = self.sign_outs.clone();
        let reading = async {
            if let Some(checked) = self.checked.clone() {
                cache::check_settled(checked).await?;
            }
            let mut store = Store::open_again(&self.path, &self.key)?;
            let mut read = 0;
            loop {
                match sync::read_texts(&mut store, &mut progress).await? {
                    0 => return Ok(read),
                    n => read += n,
                }
            }
        };
        let outcome = tokio::select! {
            read = reading => read,
            Ok(()) = sign_outs.changed() => Err(DeskError::new(
                ErrorKind::NotSignedIn,
                "the officer signed out: reading the documents' text stopped",
            )),
        };
        progress(Progress::new(sync::Phase::Reading));
        outcome
    }
}

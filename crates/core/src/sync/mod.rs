//! Sync with the central service: pull the change feed and documents into the cache, push
//! recorded decisions from the outbox, report the audit trail. Every step commits before the
//! next, so a process killed at any moment resumes where it stopped and never loses a
//! recorded decision.
//!
//! - [`central`]: the client, every call typed by the contract;
//! - [`feed`]: the change feed into the cache;
//! - [`documents`]: document bytes;
//! - [`read_texts`]: their text, for search, after the sync;
//! - [`outbox`]: recorded decisions until the centre has answered them;
//! - [`notes`]: internal notes written here until the centre has kept them;
//! - [`approvals`]: a supervisor's answers to proposed refusals;
//! - [`audit`]: the desk's audit trail.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::cache::{Meta, Store};
use crate::error::DeskResult;

pub mod approvals;
pub mod audit;
pub mod central;
pub mod counter;
pub mod documents;
pub mod feed;
pub mod notes;
pub mod observe;
pub mod outbox;
mod roots;
mod texts;

pub use crate::cache::OutboxState;
pub use approvals::push_approvals;
pub use audit::push_audit;
pub use central::Central;
pub use counter::push_counter_documents;
pub use documents::Fetched;
pub(crate) use documents::pull_documents;
pub use feed::{Pulled, pull_changes};
pub use notes::{push_notes, record_note};
pub use outbox::{push, record_decision, retry_now};
pub(crate) use texts::read_one;
pub use texts::read_texts;

/// What a sync did, for the UI and the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SyncReport {
    #[ts(type = "number")]
    pub changes: u64,
    #[ts(type = "number")]
    pub documents_downloaded: u64,
    #[ts(type = "number")]
    pub bytes_downloaded: u64,
    #[ts(type = "number")]
    pub decisions_sent: u64,
    #[ts(type = "number")]
    pub conflicts: u64,
    #[ts(type = "number")]
    pub audit_events_sent: u64,
    /// Internal notes the centre kept.
    #[ts(type = "number")]
    pub notes_sent: u64,
    /// Internal notes the centre refused for good (shown on their case with its words).
    #[ts(type = "number")]
    pub notes_refused: u64,
    /// Documents added at the counter that the centre now has.
    #[ts(type = "number")]
    pub counter_documents_sent: u64,
    /// Documents added at the counter the centre refused for good (shown on their case).
    #[ts(type = "number")]
    pub counter_documents_refused: u64,
    /// A supervisor's answers to proposed refusals the centre applied.
    #[ts(type = "number")]
    pub approvals_sent: u64,
    /// A supervisor's answers the centre refused (the case moved meanwhile): in the inbox.
    #[ts(type = "number")]
    pub approvals_refused: u64,
    /// Documents the centre could not give (missing, refused, corrupted on the way): recorded
    /// on each and tried again at the next sync.
    #[ts(type = "number")]
    pub documents_failed: u64,
    /// Cases removed from this desk after their decision was acknowledged long enough ago.
    #[ts(type = "number")]
    pub cases_purged: u64,
    /// The centre was restored from a backup: this desk followed its feed again from the start
    /// and sent again the decisions it had delivered.
    pub feed_restarted: bool,
    /// Where the time went (for the benchmark; not sent to the UI).
    #[serde(skip)]
    #[ts(skip)]
    pub timings: Timings,
}

/// Where one sync's time went, phase by phase. The phases run one after another except the
/// downloads, which overlap with writing the files that already arrived.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Sending decisions and the audit trail, and fetching the list of conflicts.
    pub exchanges: Duration,
    /// The change feed: waiting for each page and decoding it into the contract's types.
    pub feed_pages: Duration,
    /// The change feed: writing the cases, their documents' rows and search entries, and the
    /// cursor, one transaction a page.
    pub feed_writes: Duration,
    /// Documents: time the sync waited for bytes (the network, with each file hashed as it
    /// streams in and sealed into its file once whole, off this path).
    pub download: Duration,
    /// Documents: flushing the sealed files to disk and naming them, commits included.
    pub store: Duration,
    /// Documents: the durable commits alone, and how many there were.
    pub commit: Duration,
    pub commits: u64,
}

/// What a sync is doing, for the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Sending recorded decisions.
    Sending,
    /// Following the change feed.
    Changes,
    /// Downloading documents.
    Documents,
    /// Reading the text layer of documents that arrived, for search (after a sync).
    Reading,
    /// Recognising the scans not read yet (OCR), for the checklist and search (after a sync,
    /// once their text is read).
    Recognising,
    /// Reporting the audit trail.
    Audit,
}

/// Progress while syncing: counts, bytes, the download rate and the time it still needs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ts_rs::TS)]
pub struct Progress {
    pub phase: Phase,
    /// Changes applied from the feed so far.
    #[ts(type = "number")]
    pub changes: u64,
    #[ts(type = "number")]
    pub documents_done: u64,
    #[ts(type = "number")]
    pub documents_total: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub bytes_total: u64,
    /// Bytes per second since the downloads began.
    pub bytes_per_second: f64,
    /// Seconds until the downloads finish at the current rate; `None` until there is a rate.
    pub seconds_remaining: Option<f64>,
}

impl Progress {
    /// `done` of `total` documents in `phase`, and nothing else; `(0, 0)` says nothing is left.
    pub fn counting(phase: Phase, done: u64, total: u64) -> Self {
        Self {
            documents_done: done,
            documents_total: total,
            ..Self::new(phase)
        }
    }

    pub(crate) fn new(phase: Phase) -> Self {
        Self {
            phase,
            changes: 0,
            documents_done: 0,
            documents_total: 0,
            bytes: 0,
            bytes_total: 0,
            bytes_per_second: 0.0,
            seconds_remaining: None,
        }
    }

    /// Updates the rate and the estimate from the bytes received in `elapsed`.
    pub(crate) fn measure(&mut self, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        if secs <= 0.0 || self.bytes == 0 {
            return;
        }
        self.bytes_per_second = self.bytes as f64 / secs;
        let left = self.bytes_total.saturating_sub(self.bytes) as f64;
        self.seconds_remaining = Some(left / self.bytes_per_second);
    }
}

/// One whole sync, in the order that protects the officer's work: decisions and notes first
/// (they are the officer's work; everything else can be fetched again), then the change feed,
/// the documents, decisions and notes recorded meanwhile, the audit trail, and the centre's
/// list of the conflicts that concern this user. The documents' text is read afterwards
/// ([`read_texts`]).
pub async fn run(
    store: &mut Store,
    central: &Central,
    token: &str,
    me: &str,
    concurrency: usize,
    mut progress: impl FnMut(Progress),
) -> DeskResult<SyncReport> {
    let mut report = SyncReport::default();
    let mut timings = Timings::default();
    let mut since = Instant::now();
    progress(Progress::new(Phase::Sending));
    // Counter documents first: a decision may cite one.
    (
        report.counter_documents_sent,
        report.counter_documents_refused,
    ) = push_counter_documents(store, central, token).await?;
    let (sent, conflicts) = push(store, central, token).await?;
    report.decisions_sent = sent;
    report.conflicts = conflicts;
    (report.notes_sent, report.notes_refused) = push_notes(store, central, token).await?;
    (report.approvals_sent, report.approvals_refused) =
        push_approvals(store, central, token).await?;
    timings.exchanges += lap(&mut since);
    let pulled = pull_changes(store, central, token, me, |changes| {
        progress(Progress {
            changes,
            ..Progress::new(Phase::Changes)
        });
    })
    .await?;
    report.changes = pulled.changes;
    report.feed_restarted = pulled.restarted;
    timings.feed_pages = pulled.pages_time;
    timings.feed_writes = pulled.writes_time;
    let changes = report.changes;
    lap(&mut since);
    let fetched = pull_documents(store, central, token, concurrency, &mut timings, |p| {
        progress(Progress { changes, ..p });
    })
    .await?;
    report.documents_downloaded = fetched.documents;
    report.bytes_downloaded = fetched.bytes;
    report.documents_failed = fetched.failed;
    lap(&mut since);
    progress(Progress::new(Phase::Sending));
    let (sent, refused) = push_counter_documents(store, central, token).await?;
    report.counter_documents_sent += sent;
    report.counter_documents_refused += refused;
    let (sent, conflicts) = push(store, central, token).await?;
    report.decisions_sent += sent;
    report.conflicts += conflicts;
    let (sent, refused) = push_notes(store, central, token).await?;
    report.notes_sent += sent;
    report.notes_refused += refused;
    let (sent, refused) = push_approvals(store, central, token).await?;
    report.approvals_sent += sent;
    report.approvals_refused += refused;
    progress(Progress::new(Phase::Audit));
    report.audit_events_sent = push_audit(store, central, token).await?;
    let conflicts = central.conflicts(token).await?;
    store.keep_central_conflicts(&conflicts)?;
    timings.exchanges += lap(&mut since);
    report.timings = timings;
    Ok(report)
}

/// The time since `since`, which moves on to now.
fn lap(since: &mut Instant) -> Duration {
    let now = Instant::now();
    let elapsed = now - *since;
    *since = now;
    elapsed
}

/// What the desk holds, for `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub queue: i64,
    pub overdue: i64,
    pub unsent_decisions: i64,
    pub conflicts: i64,
    pub documents_missing: i64,
    pub last_sync: Option<String>,
}

pub fn status(store: &Store, today: &str) -> DeskResult<Status> {
    let c = store.counts(today)?;
    Ok(Status {
        queue: c.queue,
        overdue: c.overdue,
        unsent_decisions: c.unsent_decisions,
        conflicts: c.conflicts,
        documents_missing: c.documents_missing,
        last_sync: store.meta(Meta::LastSync)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_follows_the_measured_rate() {
        let mut p = Progress::new(Phase::Documents);
        p.bytes_total = 10_000_000;
        p.measure(Duration::from_secs(2));
        assert_eq!(p.seconds_remaining, None, "no bytes yet, no estimate");
        p.bytes = 2_000_000;
        p.measure(Duration::from_secs(2));
        assert_eq!(p.bytes_per_second, 1_000_000.0);
        assert_eq!(p.seconds_remaining, Some(8.0));
        p.bytes = 10_000_000;
        p.measure(Duration::from_secs(5));
        assert_eq!(p.seconds_remaining, Some(0.0));
    }

    #[test]
    fn no_time_elapsed_gives_no_rate() {
        let mut p = Progress::new(Phase::Documents);
        p.bytes = 5;
        p.bytes_total = 10;
        p.measure(Duration::ZERO);
        assert_eq!(p.bytes_per_second, 0.0);
        assert_eq!(p.seconds_remaining, None);
    }
}

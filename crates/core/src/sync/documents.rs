//! Documents: the bytes of every document the cached cases name, downloaded several at a
//! time, verified against their SHA-256 as they stream, sealed into their files on arrival and
//! made durable in batches, and resumed with `Range` after a break. Their text is read after
//! the sync ([`super::texts`]), so that nothing competes with the downloads.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::central::{Central, offline};
use super::{Phase, Progress, Timings};
use crate::cache::{Checkpoints, Files, Sealed, Store};
use crate::error::{DeskError, DeskResult};

/// Why one download did not bring a verified document.
#[derive(Debug)]
enum Failed {
    /// The network or the session failed: the sync stops, keeping what arrived for a `Range`
    /// resume.
    Sync(Vec<u8>, DeskError),
    /// This document alone (missing at the centre, refused, corrupted on the way): recorded on
    /// it and tried again at the next sync; the others go on.
    Document(String),
}

/// A whole file as it arrived, and the SHA-256 of its bytes (hashed as they streamed in);
/// sealed into its file already when the hash is the one expected.
struct Arrived {
    body: Vec<u8>,
    sha256: String,
    sealed: Option<Sealed>,
}

/// How many downloaded bytes may wait to be written (in KiB, the unit of [`Room`]'s
/// permits): two batches, so the downloads go on while a batch is written and made durable
/// instead of stopping a few files after it began.
const WAITING_KIB: usize = 2 * BATCH_BYTES / 1024;

/// The room a download holds in the bytes waiting to be written, from before it starts until
/// its file is durable (or dropped).
type Room = tokio::sync::OwnedSemaphorePermit;

/// The room a file of `size` bytes (as the feed announced it) takes, within the whole.
fn room_for(size: i64) -> u32 {
    let kib = usize::try_from(size.max(0))
        .unwrap_or(usize::MAX)
        .div_ceil(1024);
    u32::try_from(kib.clamp(1, WAITING_KIB)).unwrap_or(u32::MAX)
}

/// Verified files are written together, one durable commit for each batch of this many bytes
/// (or [`BATCH_FILES`] files, or when nothing else is on its way): a commit costs a disk flush,
/// and one per file made the disk, not the network, set the pace.
const BATCH_BYTES: usize = 16 << 20;
const BATCH_FILES: usize = 128;

/// What downloading did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fetched {
    pub documents: u64,
    pub bytes: u64,
    /// Documents that could not be fetched (recorded on each, tried again at the next sync).
    pub failed: u64,
}

/// Verified files, sealed, not yet durable, and the progress they will count for once they are.
/// Their bytes are let go once sealed: the files hold them.
#[derive(Default)]
struct Batch {
    sealed: Vec<Sealed>,
    /// The room its files hold; given back once they are durable.
    rooms: Vec<Room>,
    bytes: usize,
    /// When its first file arrived; `None` while it is empty.
    since: Option<Instant>,
}

impl Batch {
    fn add(&mut self, len: usize, sealed: Sealed, room: Room) {
        self.bytes += len;
        self.sealed.push(sealed);
        self.rooms.push(room);
        self.since.get_or_insert_with(Instant::now);
    }

    fn full(&self) -> bool {
        self.bytes >= BATCH_BYTES || self.sealed.len() >= BATCH_FILES
    }

    /// Makes the batch durable: its files flushed, then named in one transaction; only then do
    /// its files count as downloaded.
    fn write(&mut self, to: &mut Writing<'_>, p: &mut Progress) -> DeskResult<()> {
        if self.sealed.is_empty() {
            return Ok(());
        }
        let Writing {
            store,
            checkpoints,
            timings,
        } = to;
        let files = self.sealed.len() as u64;
        let writing = Instant::now();
        timings.commit += store.keep_sealed(std::mem::take(&mut self.sealed))?;
        checkpoints.nudge();
        timings.commits += 1;
        timings.store += writing.elapsed();
        p.documents_done += files;
        p.bytes += self.bytes as u64;
        self.rooms.clear();
        self.bytes = 0;
        self.since = None;
        Ok(())
    }
}

/// Where a batch goes: the cache (its log copied aside), the timings.
struct Writing<'a> {
    store: &'a mut Store,
    checkpoints: &'a Checkpoints,
    timings: &'a mut Timings,
}

/// A batch waits at most this long for more files before it is written, so progress and
/// durability keep up on a slow link.
const BATCH_WAIT: Duration = Duration::from_millis(250);

/// One document to download: its id, its SHA-256, its size as the feed announced it and what
/// arrived of it before.
type Wanted = (String, String, i64, Vec<u8>);

/// A download's outcome as the writer receives it: the document's SHA-256, the file or why
/// not, and the room it holds.
type Outcome = (String, Result<Arrived, Failed>, Option<Room>);

/// Downloads missing documents, `concurrency` at a time, each hashed as it streams in and kept
/// only when it matches its SHA-256; resumes partial downloads with `Range`. The downloads go on
/// while verified files are written, in batches, each batch durable in one commit before its
/// files count. A document that fails on its own is recorded in `fetch_failures` and the rest
/// go on; a network or session failure stops the sync, after writing the files already
/// verified.
pub(crate) async fn pull_documents(
    store: &mut Store,
    central: &Central,
    token: &str,
    concurrency: usize,
    timings: &mut Timings,
    mut progress: impl FnMut(Progress),
) -> DeskResult<Fetched> {
    let todo = store.missing_documents()?;
    let started = Instant::now();
    let mut p = Progress::new(Phase::Documents);
    p.documents_total = todo.len() as u64;
    p.bytes_total = todo.iter().map(|(_, _, size)| (*size).max(0) as u64).sum();
    progress(p);
    let mut wanted: Vec<Wanted> = Vec::with_capacity(todo.len());
    for (id, sha, size) in todo {
        let partial = store.partial(&sha)?.unwrap_or_default();
        wanted.push((id, sha, size, partial));
    }
    // The downloads run on their own, while what arrived is written; the bytes waiting to be
    // written are bounded by the room they hold, not by a number of files.
    let (arrivals, mut arrived) = tokio::sync::mpsc::channel(BATCH_FILES * 2);
    let downloads = AbortOnDrop(tokio::spawn(download_all(
        central.clone(),
        token.to_owned(),
        store.sealer(),
        wanted,
        concurrency.max(1),
        arrivals,
    )));
    let checkpoints = store.checkpoint_aside()?;
    let mut to = Writing {
        store,
        checkpoints: &checkpoints,
        timings,
    };
    let outcome =
        write_as_they_arrive(&mut to, &mut arrived, downloads, p, started, progress).await;
    store.checkpoints_back(checkpoints)?;
    outcome
}

/// Writes the files `arrived` brings, in batches, until the downloads end or fail.
async fn write_as_they_arrive(
    to: &mut Writing<'_>,
    arrived: &mut tokio::sync::mpsc::Receiver<Outcome>,
    downloads: AbortOnDrop<()>,
    mut p: Progress,
    started: Instant,
    mut progress: impl FnMut(Progress),
) -> DeskResult<Fetched> {
    let mut failed = 0;
    let mut batch = Batch::default();
    loop {
        let waited = Instant::now();
        let next = match batch.since {
            // Files wait to be written: no longer than BATCH_WAIT for more.
            Some(since) => {
                let deadline = tokio::time::Instant::from_std(since + BATCH_WAIT);
                tokio::time::timeout_at(deadline, arrived.recv()).await.ok()
            }
            None => Some(arrived.recv().await),
        };
        to.timings.download += waited.elapsed();
        let Some(next) = next else {
            batch.write(to, &mut p)?;
            p.measure(started.elapsed());
            progress(p);
            continue;
        };
        let Some((sha, result, room)) = next else {
            drop(downloads);
            batch.write(to, &mut p)?;
            p.measure(started.elapsed());
            progress(p);
            return Ok(Fetched {
                documents: p.documents_done,
                bytes: p.bytes,
                failed,
            });
        };
        let arrived_file = match result {
            Ok(file) => file,
            Err(Failed::Sync(received, e)) => {
                // What was verified stays; what arrived of this file waits for a resume.
                batch.write(to, &mut p)?;
                if !received.is_empty() {
                    to.store.keep_partial(&sha, &received)?;
                }
                return Err(e);
            }
            Err(Failed::Document(reason)) => {
                to.store.record_fetch_failure(&sha, &reason)?;
                failed += 1;
                continue;
            }
        };
        let Some(sealed) = arrived_file.sealed.filter(|_| arrived_file.sha256 == sha) else {
            to.store.drop_partial(&sha)?;
            to.store.record_fetch_failure(
                &sha,
                &format!(
                    "the document arrived corrupted (checksum {})",
                    arrived_file.sha256
                ),
            )?;
            failed += 1;
            continue;
        };
        let Some(room) = room else {
            return Err(DeskError::internal(
                "a downloaded file came without its room",
            ));
        };
        batch.add(arrived_file.body.len(), sealed, room);
        if batch.full() {
            batch.write(to, &mut p)?;
            p.measure(started.elapsed());
            progress(p);
        }
    }
}

/// Stops a spawned task when dropped (a sync that ends early, or is cancelled, stops its
/// downloads).
pub(super) struct AbortOnDrop<T>(pub(super) tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Downloads every wanted document, `concurrency` at a time, each once it has room among the
/// bytes waiting to be written, seals each whose hash is the one expected into its file (on a
/// blocking thread: the downloads seal in parallel what one writer would seal in turn), and
/// hands each outcome on; stops after the first failure of the network or the session (the
/// rest would fail alike).
async fn download_all(
    central: Central,
    token: String,
    sealer: Files,
    wanted: Vec<Wanted>,
    concurrency: usize,
    arrivals: tokio::sync::mpsc::Sender<Outcome>,
) {
    let room = Arc::new(tokio::sync::Semaphore::new(WAITING_KIB));
    let ids: Vec<String> = wanted.iter().map(|(id, ..)| id.clone()).collect();
    let mut announced = 0;
    let mut waiting = wanted.into_iter().enumerate();
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        while tasks.len() < concurrency {
            let Some((n, (id, sha, size, partial))) = waiting.next() else {
                break;
            };
            // The next documents are named to the centre before the first of them is asked
            // for, so their reads are recorded in one write. Should that fail (an older centre,
            // the network), each download is recorded on its own, as before.
            if n == announced {
                let next = &ids[n..ids.len().min(n + migdesk_api::MAX_DOCUMENT_READS)];
                let _ = central.announce_reads(&token, next).await;
                announced += next.len();
            }
            let (central, token, room) = (central.clone(), token.clone(), room.clone());
            let sealer = sealer.clone();
            tasks.spawn(async move {
                // The semaphore is never closed: a permit always comes.
                let room = room.acquire_many_owned(room_for(size)).await.ok();
                let result = match fetch(&central, &token, &id, partial).await {
                    Ok(arrived) if arrived.sha256 == sha => seal(sealer, arrived).await,
                    other => other,
                };
                (sha, result, room)
            });
        }
        let Some(joined) = tasks.join_next().await else {
            return;
        };
        let outcome = match joined {
            Ok(outcome) => outcome,
            // A download that failed in itself (a bug) stops the sync with an internal error.
            Err(e) => (
                String::new(),
                Err(Failed::Sync(Vec::new(), DeskError::internal(e.to_string()))),
                None,
            ),
        };
        let stop = matches!(outcome.1, Err(Failed::Sync(..)));
        if arrivals.send(outcome).await.is_err() || stop {
            return;
        }
    }
}

/// Seals a verified file into its file, off the async threads; a file that cannot be written
/// (a full disk) stops the sync.
async fn seal(sealer: Files, arrived: Arrived) -> Result<Arrived, Failed> {
    let sealing = tokio::task::spawn_blocking(move || {
        let sealed = sealer.seal(&arrived.sha256, &arrived.body);
        (arrived, sealed)
    });
    match sealing.await {
        Ok((arrived, Ok(sealed))) => Ok(Arrived {
            sealed: Some(sealed),
            ..arrived
        }),
        Ok((_, Err(e))) => Err(Failed::Sync(Vec::new(), e)),
        Err(e) => Err(Failed::Sync(Vec::new(), DeskError::internal(e.to_string()))),
    }
}

/// Downloads one document, continuing from `have`, hashing the bytes as they arrive; a stale
/// partial (416) is dropped and the whole file fetched again.
async fn fetch(
    central: &Central,
    token: &str,
    id: &str,
    mut have: Vec<u8>,
) -> Result<Arrived, Failed> {
    let mut resp = match central.document(token, id, have.len()).await {
        Ok(r) => r,
        Err(e) => return Err(Failed::Sync(have, e)),
    };
    if resp.status() == StatusCode::RANGE_NOT_SATISFIABLE && !have.is_empty() {
        have.clear();
        resp = match central.document(token, id, 0).await {
            Ok(r) => r,
            Err(e) => return Err(Failed::Sync(have, e)),
        };
    }
    match resp.status() {
        StatusCode::OK => have.clear(),
        StatusCode::PARTIAL_CONTENT => {}
        // The session or the centre's patience ran out: everything else would fail alike.
        StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS => {
            return Err(Failed::Sync(Vec::new(), Central::error_of(resp).await));
        }
        _ => return Err(Failed::Document(Central::error_of(resp).await.message)),
    }
    // Room for what the centre announces, within reason (the announcement is not trusted).
    if let Some(size) = resp.content_length() {
        have.reserve(usize::try_from(size).unwrap_or(0).min(64 << 20));
    }
    // OpenSSL's SHA-256 (already linked for TLS and the files' cipher): 2.0 GB/s here where
    // the `sha2` crate hashed 1.25, and every downloaded byte passes through it.
    let mut hasher = openssl::sha::Sha256::new();
    hasher.update(&have);
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                hasher.update(&c);
                have.extend_from_slice(&c);
            }
            Ok(None) => {
                return Ok(Arrived {
                    body: have,
                    sha256: hex::encode(hasher.finish()),
                    sealed: None,
                });
            }
            Err(e) => return Err(Failed::Sync(have, offline(e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_finds_room_however_large_it_is_announced() {
        assert_eq!(room_for(0), 1, "an empty file still holds a little");
        assert_eq!(room_for(-7), 1, "a negative size is not trusted");
        assert_eq!(room_for(1024), 1);
        assert_eq!(room_for(1025), 2);
        // Larger than all the room there is: it takes the whole, and is not left waiting.
        assert_eq!(room_for(i64::MAX) as usize, WAITING_KIB);
        assert_eq!(room_for(3 * BATCH_BYTES as i64) as usize, WAITING_KIB);
    }
}

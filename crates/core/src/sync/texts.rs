//! The text layer of the documents, read for search: off the async threads while the downloads
//! go on ([`Reading`], from the bytes already in memory), and after them for what was left
//! ([`read_texts`], from the cache), then indexed in the cases that hold each file.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use super::documents::AbortOnDrop;
use super::{Phase, Progress, Timings};
use crate::cache::{Store, TextRead};
use crate::error::{DeskError, DeskResult};

/// Texts read are written together, one commit (and one search entry a case) for this many
/// files.
const TEXT_BATCH: usize = 64;

/// At most this many bytes of durable files wait in memory for their text to be read while
/// the downloads go on; a file past it is read after the downloads, from the cache.
const READING_BYTES: usize = 64 << 20;

/// How many files have their text read at once: the reader is CPU-bound.
fn readers() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
        .clamp(1, 2)
}

/// The text layer of files read as they become durable, beside the downloads, from the bytes
/// already in memory (not read back from the cache). What it read is kept by [`read_texts`]
/// after the downloads; a sync that stops meanwhile leaves those files unread in the cache, and
/// the next sync reads them.
pub(crate) struct Reading {
    files: Option<tokio::sync::mpsc::UnboundedSender<(String, Vec<u8>)>>,
    /// Bytes offered and not read yet.
    queued: Arc<AtomicUsize>,
    task: AbortOnDrop<Vec<TextRead>>,
}

impl Reading {
    /// Starts the readers (on the async runtime; the reading itself on blocking threads).
    pub(crate) fn start(documents: &migdesk_docs::Documents) -> Self {
        let (files, offered) = tokio::sync::mpsc::unbounded_channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn(read_as_offered(documents.clone(), offered, queued.clone()));
        Self {
            files: Some(files),
            queued,
            task: AbortOnDrop(task),
        }
    }

    /// Offers a durable file for reading; one that would take the waiting bytes past
    /// [`READING_BYTES`] is left for later.
    pub(super) fn offer(&self, sha: String, body: Vec<u8>) {
        let Some(files) = &self.files else { return };
        let len = body.len();
        let before = self.queued.fetch_add(len, Ordering::SeqCst);
        if before + len > READING_BYTES || files.send((sha, body)).is_err() {
            self.queued.fetch_sub(len, Ordering::SeqCst);
        }
    }

    /// Waits until every file offered is read (or left: a saturated reader).
    async fn finish(mut self) -> DeskResult<Vec<TextRead>> {
        self.files = None;
        (&mut self.task.0)
            .await
            .map_err(|e| DeskError::internal(e.to_string()))
    }
}

async fn read_as_offered(
    documents: migdesk_docs::Documents,
    mut offered: tokio::sync::mpsc::UnboundedReceiver<(String, Vec<u8>)>,
    queued: Arc<AtomicUsize>,
) -> Vec<TextRead> {
    let readers = readers();
    let mut reading = tokio::task::JoinSet::new();
    let mut read = Vec::new();
    let (mut open, mut saturated) = (true, false);
    loop {
        tokio::select! {
            file = offered.recv(), if open && !saturated && reading.len() < readers => match file {
                Some((sha, body)) => {
                    let (reader, queued) = (documents.clone(), queued.clone());
                    reading.spawn_blocking(move || {
                        let len = body.len();
                        let text = read_text(&reader, sha, body);
                        queued.fetch_sub(len, Ordering::SeqCst);
                        text
                    });
                }
                None => open = false,
            },
            Some(joined) = reading.join_next(), if !reading.is_empty() => match joined {
                Ok(Some(text)) => read.push(text),
                // The reader is saturated: what is not started waits for the next sync.
                Ok(None) => saturated = true,
                // A reader that failed in itself: its file stays unread, read after the
                // downloads.
                Err(_) => {}
            },
            else => break,
        }
    }
    read
}

/// Keeps the texts `reading` read beside the downloads, then reads the text layer of each
/// stored document still not read — off the async threads, a few files at once, under the
/// document limits — and adds it to the search index of the cases that hold it, in batches. A
/// file that cannot be read keeps its reason and is not tried again; when the reader is
/// saturated (stuck jobs from hostile files), the rest waits for the next sync.
pub(crate) async fn read_texts(
    store: &mut Store,
    documents: &migdesk_docs::Documents,
    reading: Reading,
    timings: &mut Timings,
    mut progress: impl FnMut(Progress),
) -> DeskResult<u64> {
    let mut p = Progress::new(Phase::Reading);
    progress(p);
    let mut beside = reading.finish().await?;
    p.documents_total = beside.len() as u64;
    while !beside.is_empty() {
        let mut chunk: Vec<TextRead> = beside.drain(..beside.len().min(TEXT_BATCH)).collect();
        keep_texts(store, &mut chunk, timings, &mut p, &mut progress)?;
    }
    let todo = store.unread_files()?;
    p.documents_total += todo.len() as u64;
    let mut read = Vec::new();
    let readers = readers();
    let mut waiting = todo.into_iter();
    let mut reading = tokio::task::JoinSet::new();
    let mut saturated = false;
    loop {
        while !saturated && reading.len() < readers {
            let Some(sha) = waiting.next() else {
                break;
            };
            let bytes = store.file(&sha)?;
            let reader = documents.clone();
            reading.spawn_blocking(move || read_text(&reader, sha, bytes));
        }
        let Some(joined) = reading.join_next().await else {
            break;
        };
        match joined.map_err(|e| DeskError::internal(e.to_string()))? {
            Some(text) => read.push(text),
            // The reader is saturated: what is not started waits for the next sync.
            None => saturated = true,
        }
        if read.len() >= TEXT_BATCH {
            keep_texts(store, &mut read, timings, &mut p, &mut progress)?;
        }
    }
    keep_texts(store, &mut read, timings, &mut p, &mut progress)?;
    Ok(p.documents_done)
}

/// Reads one file's text; `None` when the reader is saturated or cancelled. When the text reader
/// fails on a file, whether the file itself opens (the viewer may still draw it) decides if the
/// case calls it unreadable. Other failures (too large, unsupported, too slow) are the file's
/// own.
fn read_text(reader: &migdesk_docs::Documents, sha256: String, bytes: Vec<u8>) -> Option<TextRead> {
    let bytes: Arc<[u8]> = bytes.into();
    let (layer, problem, viewable) = match reader.read_text(bytes.clone()) {
        Err(migdesk_docs::DocError::Busy | migdesk_docs::DocError::Cancelled) => return None,
        Err(e @ migdesk_docs::DocError::Malformed { .. }) => (
            Default::default(),
            Some(e.to_string()),
            reader.inspect(bytes).is_ok(),
        ),
        Err(e) => (Default::default(), Some(e.to_string()), false),
        Ok(layer) => (layer, None, true),
    };
    let migdesk_docs::TextLayer {
        text,
        scans_without_text,
    } = layer;
    Some(TextRead {
        sha256,
        text,
        problem,
        viewable,
        recognised: None,
        scans_without_text: u32::try_from(scans_without_text.len()).unwrap_or(u32::MAX),
    })
}

fn keep_texts(
    store: &mut Store,
    read: &mut Vec<TextRead>,
    timings: &mut Timings,
    p: &mut Progress,
    progress: &mut impl FnMut(Progress),
) -> DeskResult<()> {
    if read.is_empty() {
        return Ok(());
    }
    let writing = Instant::now();
    store.keep_texts(read)?;
    timings.indexing += writing.elapsed();
    p.documents_done += read.len() as u64;
    read.clear();
    progress(*p);
    Ok(())
}

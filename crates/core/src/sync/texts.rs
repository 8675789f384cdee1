//! The text layer of the documents, read for search after a sync has made them durable (the
//! app does it in the background, so the sync's downloads have the processor to themselves and
//! the officer opens the cases meanwhile), then indexed in the cases that hold each file.

use std::sync::Arc;

use super::{Phase, Progress};
use crate::cache::{Store, TextRead};
use crate::error::{DeskError, DeskResult};

/// Texts read are written together, one commit (and one search entry a case) for this many
/// files.
const TEXT_BATCH: usize = 64;

/// How many files have their text read at once: the reader is CPU-bound.
fn readers() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
        .clamp(1, 2)
}

/// Reads the text layer of each stored document not read yet — off the async threads, a few
/// files at once, under the document limits — and adds it to the search index of the cases that
/// hold it, in batches; returns how many files it read. A file that cannot be read keeps its
/// reason and is not tried again; a file read meanwhile by another (the case screen reading the
/// one it shows, a recognition) keeps what that one kept. When the reader is saturated (stuck
/// jobs from hostile files), the rest waits for the next run.
pub async fn read_texts(store: &mut Store, mut progress: impl FnMut(Progress)) -> DeskResult<u64> {
    let documents = migdesk_docs::Documents::default();
    let mut p = Progress::new(Phase::Reading);
    let todo = store.unread_files()?;
    p.documents_total = todo.len() as u64;
    progress(p);
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
            // The reader is saturated: what is not started waits for the next run.
            None => saturated = true,
        }
        if read.len() >= TEXT_BATCH {
            keep_texts(store, &mut read, &mut p, &mut progress)?;
        }
    }
    keep_texts(store, &mut read, &mut p, &mut progress)?;
    Ok(p.documents_done)
}

/// Reads the text layer of one stored file now and keeps it (unless something was kept for it
/// meanwhile): for the case screen, when the officer looks at a document before the reading
/// after the sync reached it.
pub(crate) fn read_one(
    store: &mut Store,
    reader: &migdesk_docs::Documents,
    sha256: &str,
) -> DeskResult<()> {
    let bytes = store.file(sha256)?;
    if let Some(text) = read_text(reader, sha256.to_owned(), bytes) {
        store.keep_texts(&[text], crate::cache::Keep::IfUnread)?;
    }
    Ok(())
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
    p: &mut Progress,
    progress: &mut impl FnMut(Progress),
) -> DeskResult<()> {
    if read.is_empty() {
        return Ok(());
    }
    store.keep_texts(read, crate::cache::Keep::IfUnread)?;
    p.documents_done += read.len() as u64;
    read.clear();
    progress(*p);
    Ok(())
}

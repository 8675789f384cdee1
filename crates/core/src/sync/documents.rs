//! Documents: the bytes of every document the cached cases name, downloaded several at a
//! time, verified against their SHA-256 and resumed with `Range` after a break; then their
//! text layer, read for search off the async threads.

use reqwest::StatusCode;

use super::central::{Central, offline};
use super::{Phase, Progress};
use crate::cache::Store;
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

/// Downloads missing documents, `concurrency` at a time; verifies SHA-256; resumes partial
/// downloads with `Range`. A document that fails on its own is recorded in `fetch_failures` and
/// the rest go on; a network or session failure stops the sync. Returns (documents, bytes,
/// documents that could not be fetched).
pub async fn pull_documents(
    store: &mut Store,
    central: &Central,
    token: &str,
    concurrency: usize,
    mut progress: impl FnMut(Progress),
) -> DeskResult<(u64, u64, u64)> {
    let todo = store.missing_documents()?;
    let started = std::time::Instant::now();
    let mut p = Progress::new(Phase::Documents);
    p.documents_total = todo.len() as u64;
    p.bytes_total = todo.iter().map(|(_, _, size)| (*size).max(0) as u64).sum();
    progress(p);
    let mut failed = 0;
    let mut waiting = todo.into_iter();
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        while tasks.len() < concurrency.max(1) {
            let Some((id, sha, _)) = waiting.next() else {
                break;
            };
            let partial = store.partial(&sha)?;
            let (central, token) = (central.clone(), token.to_owned());
            tasks.spawn(async move {
                let result = fetch(&central, &token, &id, partial.unwrap_or_default()).await;
                (sha, result)
            });
        }
        let Some(joined) = tasks.join_next().await else {
            return Ok((p.documents_done, p.bytes, failed));
        };
        let (sha, result) = joined.map_err(|e| DeskError::internal(e.to_string()))?;
        let body = match result {
            Ok(body) => body,
            Err(Failed::Sync(received, e)) => {
                if !received.is_empty() {
                    store.keep_partial(&sha, &received)?;
                }
                return Err(e);
            }
            Err(Failed::Document(reason)) => {
                store.record_fetch_failure(&sha, &reason)?;
                failed += 1;
                continue;
            }
        };
        if let Some(actual) = store.keep_document(&sha, &body)? {
            store.record_fetch_failure(
                &sha,
                &format!("the document arrived corrupted (checksum {actual})"),
            )?;
            failed += 1;
            continue;
        }
        p.documents_done += 1;
        p.bytes += body.len() as u64;
        p.measure(started.elapsed());
        progress(p);
    }
}

/// Downloads one document, continuing from `have`; a stale partial (416) is dropped and the
/// whole file fetched again.
async fn fetch(
    central: &Central,
    token: &str,
    id: &str,
    mut have: Vec<u8>,
) -> Result<Vec<u8>, Failed> {
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
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => have.extend_from_slice(&c),
            Ok(None) => return Ok(have),
            Err(e) => return Err(Failed::Sync(have, offline(e))),
        }
    }
}

/// Reads the text layer of each stored document not read yet — off the async threads, under
/// the document limits — and adds it to the search index of the cases that hold it. A file
/// that cannot be read keeps its reason and is not tried again; when the reader is saturated
/// (stuck jobs from hostile files), the rest waits for the next sync.
pub async fn read_texts(
    store: &mut Store,
    documents: &migdesk_docs::Documents,
    mut progress: impl FnMut(Progress),
) -> DeskResult<u64> {
    let todo = store.unread_files()?;
    let mut p = Progress::new(Phase::Reading);
    p.documents_total = todo.len() as u64;
    for sha in todo {
        let bytes = store.file(&sha)?;
        let reader = documents.clone();
        // When the text reader fails on a file, whether the file itself opens (the viewer may
        // still draw it) decides if the case calls it unreadable. Other failures (too large,
        // unsupported, too slow) are the file's own.
        let result =
            tokio::task::spawn_blocking(move || match reader.extract_text(bytes.clone()) {
                Err(e @ (migdesk_docs::DocError::Busy | migdesk_docs::DocError::Cancelled)) => {
                    Err(e)
                }
                Err(e @ migdesk_docs::DocError::Malformed { .. }) => {
                    Ok((None, Some(e.to_string()), reader.inspect(bytes).is_ok()))
                }
                Err(e) => Ok((None, Some(e.to_string()), false)),
                Ok(text) => Ok((text, None, true)),
            })
            .await
            .map_err(|e| DeskError::internal(e.to_string()))?;
        let Ok((text, problem, viewable)) = result else {
            break;
        };
        store.keep_text(&sha, text.as_deref(), problem.as_deref(), viewable)?;
        p.documents_done += 1;
        progress(p);
    }
    Ok(p.documents_done)
}

//! Work the desk does on its own after a sync: first the text layer of the documents that
//! arrived is read for the queue's search (a sync only downloads, so that the documents are
//! there as fast as the network brings them; the case screen reads a document it shows if this
//! has not reached it yet); then the scans nobody has opened yet are recognised (OCR), one at a
//! time, identity documents first, so the checklist's zone verdict and the queue's search are
//! ready before the officer opens the case. The desk is held only to prepare each job and to
//! keep what was recognised, never while a reader runs; the run stops when everything is read
//! or tried, or when the desk is locked or signed out.

use std::sync::atomic::Ordering;

use migdesk_core::sync::Progress;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime};

use crate::DeskState;

/// Starts reading the documents' text and recognising the scans not read yet, unless a run is
/// already going (it reads, between two scans, what a sync brought meanwhile). The reading
/// reports how far it got on `heard_by`, the channel of the sync that asked for it (from then
/// on, in place of an earlier sync's).
pub fn after_sync<R: Runtime>(app: &AppHandle<R>, heard_by: Option<Channel<Progress>>) {
    let state = app.state::<DeskState>();
    if heard_by.is_some() {
        *state.reading_heard_by.get() = heard_by;
    }
    if state.after_sync.swap(true, Ordering::SeqCst) {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        // Each turn reads the text of the files not read yet (a sync that ended meanwhile
        // brought more), then recognises one scan.
        while read_texts(&app).await && recognise_one(&app).await {}
        app.state::<DeskState>()
            .after_sync
            .store(false, Ordering::SeqCst);
        // The sync's and the recogniser's buffers are freed: the process gives them back.
        crate::arenas::give_back();
    });
}

/// Reads the text of every stored document not read yet; whether the work may go on (not
/// locked, not signed out, the cache whole). A file that cannot be read keeps its reason.
async fn read_texts<R: Runtime>(app: &AppHandle<R>) -> bool {
    let state = app.state::<DeskState>();
    let job = match state.desk(|| app.path().app_data_dir().ok()).await {
        Ok(mut desk) => desk.text_job(),
        Err(e) => Err(e),
    };
    let tell = |progress: Progress| {
        // A window that went away stops listening; the reading goes on.
        if let Some(channel) = &*state.reading_heard_by.get() {
            let _ = channel.send(progress);
        }
    };
    match job {
        Ok(job) => job.run(tell).await.is_ok(),
        Err(_) => false,
    }
}

/// Recognises the next scan not read yet; whether one was (locked, signed out, nothing left:
/// the next sync starts again).
async fn recognise_one<R: Runtime>(app: &AppHandle<R>) -> bool {
    let state = app.state::<DeskState>();
    let data_dir = || app.path().app_data_dir().ok();
    let job = match state.desk(data_dir).await {
        Ok(mut desk) => desk.background_recognition_job(),
        Err(e) => Err(e),
    };
    let Ok(Some(job)) = job else { return false };
    let Ok(recognition) = job.run().await else {
        return false;
    };
    // What was read is there for the next look at the case (the case screen reads the cache
    // when it opens a case or its text panel).
    match state.desk(data_dir).await {
        Ok(mut desk) => desk.after_background_recognition(recognition).is_ok(),
        Err(_) => false,
    }
}

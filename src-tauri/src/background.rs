//! Work the desk does on its own after a sync: first the text layer of the documents that
//! arrived is read for the queue's search (a sync only downloads, so that the documents are
//! there as fast as the network brings them; the case screen reads a document it shows if this
//! has not reached it yet); then the scans nobody has opened yet are recognised (OCR), one at a
//! time, identity documents first, so the checklist's zone verdict and the queue's search are
//! ready before the officer opens the case. The desk is held only to prepare each job and to
//! keep what was recognised, never while a reader runs; the run stops when everything is read
//! or tried, or when the desk is locked or signed out.

use std::sync::atomic::Ordering;

use tauri::{AppHandle, Manager, Runtime};

use crate::DeskState;

/// Starts reading the documents' text and recognising the scans not read yet, unless a run is
/// already going (its reading takes in what a sync brings while it reads).
pub fn after_sync<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<DeskState>();
    if state.after_sync.swap(true, Ordering::SeqCst) {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<DeskState>();
        let data_dir = || app.path().app_data_dir().ok();
        let texts = match state.desk(data_dir).await {
            Ok(mut desk) => desk.text_job(),
            Err(e) => Err(e),
        };
        // Locked or signed out: the next sync starts again. A file that cannot be read keeps
        // its reason; a failure of the cache ends this run, and the recognition waits too.
        let read = match texts {
            Ok(job) => job.run(|_| {}).await.is_ok(),
            Err(_) => false,
        };
        if read {
            recognise_scans(&app).await;
        }
        state.after_sync.store(false, Ordering::SeqCst);
        // The sync's and the recogniser's buffers are freed: the process gives them back.
        crate::arenas::give_back();
    });
}

/// Recognises the scans not read yet, one at a time, until none is left or the desk is locked
/// or signed out.
async fn recognise_scans<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<DeskState>();
    let data_dir = || app.path().app_data_dir().ok();
    loop {
        let job = match state.desk(data_dir).await {
            Ok(mut desk) => desk.background_recognition_job(),
            Err(e) => Err(e),
        };
        // Locked, signed out, nothing left: the next sync starts again.
        let Ok(Some(job)) = job else { break };
        let Ok(recognition) = job.run().await else {
            break;
        };
        // What was read is there for the next look at the case (the case screen reads the cache
        // when it opens a case or its text panel).
        let kept = match state.desk(data_dir).await {
            Ok(mut desk) => desk.after_background_recognition(recognition),
            Err(e) => Err(e),
        };
        if kept.is_err() {
            break;
        }
    }
}

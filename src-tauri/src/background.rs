//! Work the desk does on its own after a sync: the scans nobody has opened yet are recognised
//! (OCR), one at a time, identity documents first, so the checklist's zone verdict and the
//! queue's search are ready before the officer opens the case. The desk is held only to pick
//! each scan and to keep what was read, never while the recogniser runs; the run stops when
//! every scan is read or tried, or when the desk is locked or signed out.

use std::sync::atomic::Ordering;

use tauri::{AppHandle, Manager, Runtime};

use crate::DeskState;

/// Starts recognising the scans not read yet, unless a run is already going.
pub fn recognise_scans<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<DeskState>();
    if state.recognising.swap(true, Ordering::SeqCst) {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
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
            // What was read is there for the next look at the case (the case screen reads
            // the cache when it opens a case or its text panel).
            let kept = match state.desk(data_dir).await {
                Ok(mut desk) => desk.after_background_recognition(recognition),
                Err(e) => Err(e),
            };
            if kept.is_err() {
                break;
            }
        }
        state.recognising.store(false, Ordering::SeqCst);
        // The sync's and the recogniser's buffers are freed: the process gives them back.
        crate::arenas::give_back();
    });
}

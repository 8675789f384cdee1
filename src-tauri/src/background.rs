//! Work the desk does on its own after a sync: first the text layer of the documents that
//! arrived is read for the queue's search (a sync only downloads, so that the documents are
//! there as fast as the network brings them; the case screen reads a document it shows if this
//! has not reached it yet); then the scans nobody has opened yet are recognised (OCR), one at a
//! time, identity documents first, so the checklist's zone verdict and the queue's search are
//! ready before the officer opens the case. The desk is held only to prepare each job and to
//! keep what was recognised, never while a reader runs; the run stops when everything is read
//! or tried, or when the desk is locked or signed out; an unlock takes it up again.

use std::sync::atomic::Ordering;

use migdesk_core::sync::{Phase, Progress};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime};

use crate::DeskState;

/// Starts reading the documents' text and recognising the scans not read yet, unless a run is
/// already going (it reads, between two scans, what a sync brought meanwhile). The work reports
/// how far it got on `heard_by`, the channel of the sync that asked for it (from then on, in
/// place of an earlier sync's): the files read of each reading that has some, the scans
/// recognised of those there were, and last, however the run ended, nothing left.
pub fn after_sync<R: Runtime>(app: &AppHandle<R>, heard_by: Channel<Progress>) {
    *app.state::<DeskState>().after_sync_heard_by.get() = Some(heard_by);
    run(app);
}

/// Takes up the work a lock stopped, once the desk is unlocked (the keys it needs were gone
/// meanwhile): if a sync asked for it since the window opened, the run starts again and reports
/// on that sync's channel, where the window listens whichever queue it shows. With nothing left
/// the run ends at once, saying so.
pub fn resume<R: Runtime>(app: &AppHandle<R>) {
    if app.state::<DeskState>().after_sync_heard_by.get().is_some() {
        run(app);
    }
}

fn run<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<DeskState>();
    if state.after_sync.swap(true, Ordering::SeqCst) {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        // Each turn reads the text of the files not read yet (a sync that ended meanwhile
        // brought more), then recognises one scan.
        let mut recognised = 0;
        while read_texts(&app).await && recognise_one(&app, &mut recognised).await {}
        tell(&app, Progress::counting(Phase::Recognising, 0, 0));
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
    // A reading with nothing to read says nothing: between two scans, the indicator stays.
    let heard = |progress: Progress| {
        if progress.documents_total > 0 {
            tell(app, progress);
        }
    };
    match job {
        Ok(job) => job.run(heard).await.is_ok(),
        Err(_) => false,
    }
}

/// Tells the window how far the work got (a window that went away stops listening; the work
/// goes on).
fn tell<R: Runtime>(app: &AppHandle<R>, progress: Progress) {
    if let Some(channel) = &*app.state::<DeskState>().after_sync_heard_by.get() {
        let _ = channel.send(progress);
    }
}

/// Recognises the next scan not read yet, telling the window how many of this run's scans are
/// done (`recognised`, counted up) of those there are; whether one was (locked, signed out,
/// nothing left: the next sync starts again).
async fn recognise_one<R: Runtime>(app: &AppHandle<R>, recognised: &mut u64) -> bool {
    let state = app.state::<DeskState>();
    let data_dir = || app.path().app_data_dir().ok();
    let job = match state.desk(data_dir).await {
        Ok(mut desk) => desk.background_recognition_job().and_then(|job| {
            let left = desk.scans_to_recognise()?;
            Ok(job.map(|job| (job, left)))
        }),
        Err(e) => Err(e),
    };
    let Ok(Some((job, left))) = job else {
        return false;
    };
    tell(
        app,
        Progress::counting(Phase::Recognising, *recognised, *recognised + left),
    );
    *recognised += 1;
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

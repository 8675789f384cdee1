//! The commands the UI may call. Each one is listed in `migdesk_core::ipc::COMMANDS`, which
//! also drives the permission manifest and the generated TypeScript command map.

use migdesk_core::ipc::{AppInfo, BuildInfo, CatalogueInfo, QueuePage, SessionInfo, SignInRequest};
use migdesk_core::queue::QueueQuery;
use migdesk_core::sync::SyncReport;
use migdesk_core::{DeskError, app_info as core_app_info};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::DeskState;

fn build_info() -> BuildInfo {
    BuildInfo {
        commit: env!("MIGDESK_COMMIT").to_owned(),
        profile: env!("MIGDESK_PROFILE").to_owned(),
        target: env!("MIGDESK_TARGET").to_owned(),
    }
}

/// What the desk is and where it keeps its data.
#[tauri::command]
pub fn app_info<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<AppInfo, DeskError> {
    let dir = state.data_dir(|| app.path().app_data_dir().ok())?;
    Ok(core_app_info::app_info(
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        build_info(),
        &dir,
    ))
}

/// Who is signed in, whether the desk is locked, the server to offer.
#[tauri::command]
pub async fn session<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<SessionInfo, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.session()
}

#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    request: SignInRequest,
) -> Result<SessionInfo, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.sign_in(request).await
}

#[tauri::command]
pub async fn unlock<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    password: String,
) -> Result<SessionInfo, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.unlock(&password)
}

#[tauri::command]
pub async fn lock<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<SessionInfo, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.lock()
}

#[tauri::command]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<SessionInfo, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.sign_out().await
}

#[tauri::command]
pub async fn queue_page<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    query: QueueQuery,
) -> Result<QueuePage, DeskError> {
    let mut desk = state.desk(|| app.path().app_data_dir().ok()).await?;
    desk.queue(&query)
}

/// Syncs now. The desk is held only to prepare the job, so the queue answers meanwhile.
#[tauri::command]
pub async fn sync_now<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
) -> Result<SyncReport, DeskError> {
    let job = state
        .desk(|| app.path().app_data_dir().ok())
        .await?
        .sync_job()?;
    job.run(|_| {}).await
}

/// The service catalogue the desk was built with (names, required documents).
#[tauri::command]
pub fn catalogue() -> CatalogueInfo {
    (&migdesk_domain::Catalogue::builtin()).into()
}

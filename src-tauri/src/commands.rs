//! The commands the UI may call. Each one is listed in `migdesk_core::ipc::COMMANDS`, which
//! also drives the permission manifest and the generated TypeScript command map.

use migdesk_core::ipc::{AppInfo, BuildInfo};
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

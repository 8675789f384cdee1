//! The main window. It is created here rather than from `tauri.conf.json` alone so that the
//! WebView keeps its storage (the language choice, caches) inside the desk's data folder: one
//! folder holds everything this workstation keeps, and wiping it leaves nothing behind.

use tauri::{App, Manager, Runtime, WebviewWindowBuilder};

use crate::DeskState;

pub const MAIN_WINDOW: &str = "main";

pub fn create_main_window<R: Runtime>(app: &App<R>) -> tauri::Result<()> {
    let handle = app.handle();
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN_WINDOW)
        .cloned()
        .unwrap_or_default();
    let mut builder = WebviewWindowBuilder::from_config(handle, &config)?;
    // When the folder cannot be used, the window still opens (with the platform's default
    // WebView storage) and the first screen explains the problem.
    if let Ok(dir) = app
        .state::<DeskState>()
        .data_dir(|| handle.path().app_data_dir().ok())
    {
        builder = builder.data_directory(migdesk_core::wipe::webview_dir(&dir));
    }
    builder.build()?;
    Ok(())
}

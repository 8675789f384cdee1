//! The migdesk desktop shell: registers state and commands and opens the window.
//!
//! This crate stays thin. A command takes state, calls `migdesk-core`, and returns a DTO or a
//! [`migdesk_core::DeskError`]. No SQL, HTTP or file parsing lives here.

mod commands;
mod state;
mod window;

use std::path::PathBuf;

use tauri::{Builder, Runtime};

pub use state::DeskState;

/// How the shell is set up; tests pass their own values instead of the process environment.
#[derive(Debug, Clone, Default)]
pub struct ShellConfig {
    /// Overrides the platform's data folder (`MIGDESK_DATA_DIR`).
    pub data_dir_override: Option<PathBuf>,
}

impl ShellConfig {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Self {
        Self {
            data_dir_override: std::env::var_os(migdesk_core::app_info::DATA_DIR_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        }
    }
}

/// Registers the desk's state and commands on a builder. Generic over the runtime so tests can
/// drive the real command layer with `tauri::test::mock_builder()`.
pub fn configure<R: Runtime>(builder: Builder<R>, config: ShellConfig) -> Builder<R> {
    builder
        .manage(DeskState::new(config.data_dir_override))
        .setup(|app| Ok(window::create_main_window(app)?))
        .invoke_handler(tauri::generate_handler![commands::app_info])
}

/// Runs the desk.
pub fn run() {
    configure(tauri::Builder::default(), ShellConfig::from_env())
        .run(tauri::generate_context!())
        .expect("migdesk could not start its window");
}

#[cfg(test)]
mod tests;

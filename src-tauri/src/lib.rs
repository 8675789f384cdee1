//! The migdesk desktop shell: registers state and commands and opens the window.
//!
//! This crate stays thin. A command takes state, calls `migdesk-core`, and returns a DTO or a
//! [`migdesk_core::DeskError`]. No SQL, HTTP or file parsing lives here.

pub mod arenas;
mod background;
mod commands;
mod documents;
pub mod startup;
mod state;
mod update;
mod window;

use std::path::PathBuf;
use std::time::Duration;

use tauri::{Builder, Runtime};

pub use state::DeskState;

/// The environment variable naming the central service to offer on the sign-in screen.
pub const SERVER_ENV: &str = "MIGDESK_CENTRAL_URL";

/// How the shell is set up; tests pass their own values instead of the process environment.
#[derive(Debug, Clone)]
pub struct ShellConfig {
    /// Overrides the platform's data folder (`MIGDESK_DATA_DIR`).
    pub data_dir_override: Option<PathBuf>,
    /// Idle time before the desk locks (`MIGDESK_IDLE_LOCK_MINUTES`; ten minutes by default).
    pub idle_lock: Duration,
    /// The central service offered on the sign-in screen (`MIGDESK_CENTRAL_URL`).
    pub server: Option<String>,
    /// Days a decided case stays after the centre acknowledged its decision
    /// (`MIGDESK_PURGE_AFTER_DAYS`; 30 by default).
    pub purge_after_days: u32,
}

impl Default for ShellConfig {
    fn default() -> Self {
        Self {
            data_dir_override: None,
            idle_lock: migdesk_core::session::DEFAULT_IDLE_LOCK,
            server: None,
            purge_after_days: migdesk_core::desk::DEFAULT_PURGE_AFTER_DAYS,
        }
    }
}

impl ShellConfig {
    /// The workstation's configuration file (`migdesk_core::workstation`, set by IT) where it
    /// says something, the process environment (development) for the rest. A file that cannot
    /// be used is not read here: the desk's first command answers why, and the window says it.
    pub fn from_env() -> Self {
        let mut config = Self::from_environment();
        if let Ok(workstation) = migdesk_core::workstation::Workstation::current() {
            if let Some(server) = &workstation.server {
                config.server = Some(server.clone());
            }
            if let Some(minutes) = workstation.idle_lock_minutes {
                config.idle_lock = Duration::from_secs(minutes * 60);
            }
            if let Some(days) = workstation.purge_after_days {
                config.purge_after_days = days;
            }
        }
        config
    }

    /// The configuration the process environment gives.
    fn from_environment() -> Self {
        Self {
            data_dir_override: std::env::var_os(migdesk_core::app_info::DATA_DIR_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            idle_lock: std::env::var("MIGDESK_IDLE_LOCK_MINUTES")
                .ok()
                .and_then(|m| m.parse::<u64>().ok())
                .filter(|m| *m > 0)
                .map_or(migdesk_core::session::DEFAULT_IDLE_LOCK, |m| {
                    Duration::from_secs(m * 60)
                }),
            server: std::env::var(SERVER_ENV)
                .ok()
                .filter(|s| !s.trim().is_empty()),
            purge_after_days: std::env::var("MIGDESK_PURGE_AFTER_DAYS")
                .ok()
                .and_then(|d| d.parse::<u32>().ok())
                .unwrap_or(migdesk_core::desk::DEFAULT_PURGE_AFTER_DAYS),
        }
    }
}

/// Registers the desk's state and commands on a builder. Generic over the runtime so tests can
/// drive the real command layer with `tauri::test::mock_builder()`.
pub fn configure<R: Runtime>(builder: Builder<R>, config: ShellConfig) -> Builder<R> {
    let builder = match update::plugin() {
        Some(updater) => builder.plugin(updater),
        None => builder,
    };
    builder
        .manage(DeskState::new(
            config.data_dir_override,
            config.idle_lock,
            config.server,
            config.purge_after_days,
        ))
        .register_asynchronous_uri_scheme_protocol(documents::SCHEME, documents::handle)
        .setup(|app| Ok(window::create_main_window(app)?))
        .invoke_handler(invoke_handler())
}

/// The invoke handler and the names of the desk's commands, from the one list in
/// `crates/core/src/commands.list` (its types are the core's, read there; here only names count).
macro_rules! desk_commands {
    ($($name:ident ( $($arg:ident : $t:ty),* ) -> $ret:ty;)*) => {
        /// Every command the UI may call.
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];

        fn invoke_handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(commands::$name),*]
        }
    };
}

include!("../../crates/core/src/commands.list");

/// Runs the desk.
pub fn run() {
    configure(tauri::Builder::default(), ShellConfig::from_env())
        .run(tauri::generate_context!())
        .expect("migdesk could not start its window");
}

#[cfg(test)]
mod tests;

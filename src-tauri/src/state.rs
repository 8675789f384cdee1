//! What the shell keeps for the lifetime of the app.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use migdesk_core::DeskResult;
use migdesk_core::app_info::{ensure_data_dir, resolve_data_dir};
use migdesk_core::desk::Desk;
use migdesk_core::secrets::{OsKeyring, profile_for};
use migdesk_core::sync::Progress;
use tauri::ipc::Channel;
use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard};

/// The shell's state. The data folder is resolved and created on first use; a folder that
/// cannot be used does not stop the window from opening: the error is kept and returned by the
/// commands that need the folder, so the officer sees it.
#[derive(Debug, Default)]
pub struct DeskState {
    data_dir_override: Option<PathBuf>,
    data_dir: OnceLock<DeskResult<PathBuf>>,
    idle_lock: Duration,
    /// Days a decided case stays after the centre acknowledged it.
    purge_after_days: u32,
    /// The central service to offer on the sign-in screen.
    server: Option<String>,
    /// The core's desk, made on first use (it needs the data folder).
    desk: Mutex<Option<Desk>>,
    /// The work after a sync (the documents' text, then the scans' recognition) is running in
    /// the background (one run at a time).
    pub after_sync: AtomicBool,
    /// Where the work after a sync (the documents' text read, the scans recognised) reports how
    /// far it got: the channel of the window's latest sync (its status line shows it).
    pub after_sync_heard_by: Listener,
}

/// A channel to the window, kept between commands.
#[derive(Default)]
pub struct Listener(std::sync::Mutex<Option<Channel<Progress>>>);

impl Listener {
    /// The channel (a panic elsewhere while it was held leaves it usable).
    pub fn get(&self) -> std::sync::MutexGuard<'_, Option<Channel<Progress>>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("listening", &self.get().is_some())
            .finish()
    }
}

impl DeskState {
    pub fn new(
        data_dir_override: Option<PathBuf>,
        idle_lock: Duration,
        server: Option<String>,
        purge_after_days: u32,
    ) -> Self {
        Self {
            data_dir_override,
            data_dir: OnceLock::new(),
            idle_lock,
            server,
            purge_after_days,
            desk: Mutex::new(None),
            after_sync: AtomicBool::new(false),
            after_sync_heard_by: Listener::default(),
        }
    }

    /// The desk, for one command at a time; its secrets live in the OS keyring under this data
    /// folder's profile.
    pub async fn desk(
        &self,
        platform_default: impl FnOnce() -> Option<PathBuf>,
    ) -> DeskResult<MappedMutexGuard<'_, Desk>> {
        let dir = self.data_dir(platform_default)?;
        let mut guard = self.desk.lock().await;
        if guard.is_none() {
            let keyring = OsKeyring {
                profile: profile_for(&dir),
            };
            let desk = Desk::new(&dir, Box::new(keyring), self.idle_lock);
            *guard = Some(
                desk.offering_server(self.server.clone())
                    .purging_after(self.purge_after_days),
            );
        }
        MutexGuard::try_map(guard, Option::as_mut)
            .map_err(|_| migdesk_core::DeskError::internal("the desk is not set up"))
    }

    /// The data folder, resolved once; `platform_default` is asked only when there is no
    /// override.
    pub fn data_dir(
        &self,
        platform_default: impl FnOnce() -> Option<PathBuf>,
    ) -> DeskResult<PathBuf> {
        self.data_dir
            .get_or_init(|| {
                let env_value = self
                    .data_dir_override
                    .as_ref()
                    .map(|p| p.to_string_lossy().into_owned());
                let default = if env_value.is_some() {
                    None
                } else {
                    platform_default()
                };
                let dir = resolve_data_dir(env_value.as_deref(), default)?;
                ensure_data_dir(&dir)?;
                Ok(dir)
            })
            .clone()
    }

    /// Where exported files go: `migdesk` in the user's documents folder, else the desk's data
    /// folder.
    pub fn exports_folder<R: tauri::Runtime>(
        &self,
        app: &tauri::AppHandle<R>,
    ) -> DeskResult<PathBuf> {
        use tauri::Manager;
        let data_dir = self.data_dir(|| app.path().app_data_dir().ok())?;
        Ok(app
            .path()
            .document_dir()
            .map(|d| d.join("migdesk"))
            .unwrap_or_else(|_| data_dir.join("exports")))
    }
}

//! What the shell keeps for the lifetime of the app.

use std::path::PathBuf;
use std::sync::OnceLock;

use migdesk_core::DeskResult;
use migdesk_core::app_info::{ensure_data_dir, resolve_data_dir};

/// The shell's state. The data folder is resolved and created on first use; a folder that
/// cannot be used does not stop the window from opening: the error is kept and returned by the
/// commands that need the folder, so the officer sees it.
#[derive(Debug, Default)]
pub struct DeskState {
    data_dir_override: Option<PathBuf>,
    data_dir: OnceLock<DeskResult<PathBuf>>,
}

impl DeskState {
    pub fn new(data_dir_override: Option<PathBuf>) -> Self {
        Self {
            data_dir_override,
            data_dir: OnceLock::new(),
        }
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
}

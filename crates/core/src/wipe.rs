//! "Wipe this workstation": everything the desk keeps goes — the encrypted cache and any
//! damaged copies, the WebView's storage, the files exported from this profile, the session
//! token and the cache key — but never decisions the centre has not received, unless the
//! person wiping says so (`--discard-unsent`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cache::{self, Store};
use crate::error::{DeskError, DeskResult, ErrorKind};
use crate::secrets::{self, SecretStore};

/// The WebView's storage inside the data folder (set on the main window).
pub fn webview_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("webview")
}

/// What a wipe removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wiped {
    /// Cache files (the cache, its journals, damaged copies).
    pub cache_files: usize,
    /// Files exported from this profile (history CSVs) that were still there.
    pub exports: usize,
    /// Decisions not yet received by the centre that were discarded.
    pub discarded_unsent: i64,
}

/// Wipes the workstation's data in `data_dir` and its secrets. Refused (`invalid`, nothing
/// removed) while decisions wait to be sent, or when the cache cannot be read to tell, unless
/// `discard_unsent`.
pub fn wipe(data_dir: &Path, keyring: &dyn SecretStore, discard_unsent: bool) -> DeskResult<Wiped> {
    let file = cache::file_in(data_dir);
    let (unsent, exports) = if file.exists() {
        match secrets::cache_key(keyring, false).and_then(|key| Store::open(&file, &key)) {
            Ok(store) => (store.pending_decisions()?, store.exports()?),
            // Wiped all the same when the person said so; what it held is unknown.
            Err(_) if discard_unsent => (0, Vec::new()),
            Err(e) => {
                return Err(DeskError::invalid(format!(
                    "the cache cannot be read to tell whether decisions wait to be sent ({}); \
                     wipe with --discard-unsent to remove it anyway",
                    e.message
                )));
            }
        }
    } else {
        (0, Vec::new())
    };
    if unsent > 0 && !discard_unsent {
        return Err(DeskError::new(
            ErrorKind::Invalid,
            format!(
                "{unsent} decisions or notes on this workstation have not reached the centre: sync first, \
                 or wipe with --discard-unsent to lose them"
            ),
        ));
    }
    let mut removed_exports = 0;
    for path in exports {
        match std::fs::remove_file(&path) {
            Ok(()) => removed_exports += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(DeskError::storage(format!(
                    "cannot remove the export {}: {e}",
                    path.display()
                )));
            }
        }
    }
    let cache_files = cache::remove_files(data_dir)?;
    let webview = webview_dir(data_dir);
    match std::fs::remove_dir_all(&webview) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(DeskError::storage(format!(
                "cannot remove {}: {e}",
                webview.display()
            )));
        }
    }
    keyring.delete(secrets::SESSION_TOKEN)?;
    keyring.delete(secrets::CACHE_KEY)?;
    Ok(Wiped {
        cache_files,
        exports: removed_exports,
        discarded_unsent: unsent,
    })
}

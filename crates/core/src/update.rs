//! New versions of the desk, which IT publishes on the centre (`migdesk-central release
//! publish`). The desk asks the centre it is signed in to whether a newer desk is out and tells
//! the officer what is new in their language; the package is downloaded, its size and SHA-256
//! checked, only when **no decision or note waits to be sent** (installing replaces the program
//! and restarts it; unsent work must reach the centre first). Checking the package's signature
//! against the public key built into the desk, installing it and restarting are the shell's
//! (Tauri's updater), so a package is never installed on the centre's word alone.

use std::time::Duration;

use migdesk_api::{DeskUpdate, DeskUpdateQuery, DeskVersion, ReleaseNotes};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::desk::Desk;
use crate::error::{DeskError, DeskResult, ErrorKind};
use crate::sync::Central;

/// A package of 10 MB over a slow department line.
const UPDATE_TIMEOUT: Duration = Duration::from_secs(600);

/// A newer desk, as the officer is told of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UpdateOffer {
    pub version: String,
    pub notes: ReleaseNotes,
    /// When IT published it (RFC 3339).
    pub published: String,
    /// Decisions and notes on this desk not sent yet: the update waits until there are none.
    pub unsent: u32,
}

/// The centre's update calls for the signed-in session, run without holding the desk.
pub struct Updates {
    central: Central,
    token: String,
    unsent: u32,
    server: String,
}

/// A downloaded package whose size and SHA-256 are what the centre announced, for the shell to
/// check against its built-in key and install.
pub struct Package {
    pub update: DeskUpdate,
    /// The package's address (the centre's address and the update's path).
    pub url: String,
    pub bytes: Vec<u8>,
}

// Debug output (logs, panics) leaves the session's token and the package's bytes out.
impl std::fmt::Debug for Updates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Updates")
            .field("server", &self.server)
            .field("unsent", &self.unsent)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Package {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Package")
            .field("update", &self.update)
            .field("url", &self.url)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl Desk {
    /// The update calls of the signed-in session, with the number of unsent decisions and
    /// notes now.
    pub fn updates(&mut self) -> DeskResult<Updates> {
        let (token, server) = self.central_session()?;
        let unsent = self.open_store()?.pending_decisions()?;
        Ok(Updates {
            central: self.central(&server, UPDATE_TIMEOUT)?,
            token,
            unsent: u32::try_from(unsent).unwrap_or(u32::MAX),
            server,
        })
    }
}

impl Updates {
    /// The newest desk the centre offers when it is newer than `current` (this desk's version).
    pub async fn offer(&self, current: &str) -> DeskResult<Option<DeskUpdate>> {
        let current_version = DeskVersion::parse(current).ok_or_else(|| {
            DeskError::internal(format!(
                "this desk's version {current} is not MAJOR.MINOR.PATCH"
            ))
        })?;
        let query = DeskUpdateQuery {
            current_version: current_version.to_string(),
        };
        let update: Option<DeskUpdate> = self
            .central
            .get_query_optional(&self.token, "/desk/update", &query)
            .await?;
        // A centre offering an older or the same desk is not followed (and not trusted to be
        // right about anything else in the offer).
        match update {
            Some(u) if DeskVersion::parse(&u.version).is_none_or(|v| v <= current_version) => {
                Err(DeskError::new(
                    ErrorKind::Update,
                    format!(
                        "the centre offers desk {} to this desk {current}: only a newer desk is installed",
                        u.version
                    ),
                ))
            }
            other => Ok(other),
        }
    }

    /// What the officer is told of `update`.
    pub fn offered(&self, update: DeskUpdate) -> UpdateOffer {
        UpdateOffer {
            version: update.version,
            notes: update.notes,
            published: update.pub_date,
            unsent: self.unsent,
        }
    }

    /// Downloads `update`'s package, when nothing waits to be sent; refused (kind `update`)
    /// while something does, or when the bytes are not those announced.
    pub async fn download(&self, update: DeskUpdate) -> DeskResult<Package> {
        if self.unsent > 0 {
            return Err(DeskError::new(
                ErrorKind::Update,
                format!(
                    "{} decisions or notes on this desk are not at the centre yet: the new desk is installed once they are sent (sync when the network is back)",
                    self.unsent
                ),
            ));
        }
        let path = update
            .path
            .strip_prefix(migdesk_api::PREFIX)
            .filter(|p| p.starts_with("/desk/releases/"))
            .ok_or_else(|| {
                DeskError::new(
                    ErrorKind::Central,
                    format!(
                        "the centre named the package at {}, not among its desk releases",
                        update.path
                    ),
                )
            })?
            .to_owned();
        let (bytes, _) = self.central.get_bytes(&self.token, &path).await?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        if bytes.len() as u64 != update.size || sha256 != update.sha256 {
            return Err(DeskError::new(
                ErrorKind::Update,
                format!(
                    "the package of desk {} arrived damaged ({} bytes of {}): not installed; try again",
                    update.version,
                    bytes.len(),
                    update.size
                ),
            ));
        }
        Ok(Package {
            url: format!("{}{}", self.server.trim_end_matches('/'), update.path),
            update,
            bytes,
        })
    }
}

//! Secrets of the workstation — the cache key and the session token — kept in the OS keyring
//! (Secret Service on Linux), never in files or logs.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::{DeskError, DeskResult, ErrorKind};

pub const SERVICE: &str = "migdesk";
pub const CACHE_KEY: &str = "cache-key";
pub const SESSION_TOKEN: &str = "session-token";

/// Where secrets are kept.
pub trait SecretStore: Send + Sync {
    fn get(&self, name: &str) -> DeskResult<Option<String>>;
    fn set(&self, name: &str, value: &str) -> DeskResult<()>;
    fn delete(&self, name: &str) -> DeskResult<()>;
}

/// The keyring profile of a data folder: one per folder, so that two desks of one user (or
/// tests) never share secrets.
pub fn profile_for(data_dir: &std::path::Path) -> String {
    use sha2::Digest;
    let digest = hex::encode(sha2::Sha256::digest(
        data_dir.display().to_string().as_bytes(),
    ));
    digest[..16].to_owned()
}

/// The OS keyring.
#[derive(Debug, Default)]
pub struct OsKeyring {
    /// Separates desks sharing one user account (tests, several profiles).
    pub profile: String,
}

/// What the Secret Service is called on the D-Bus session bus: the key store the desk looks for.
pub const KEY_STORE_NAME: &str = "the Secret Service (org.freedesktop.secrets)";

/// Whether this process runs in a desktop session (a graphical login that provides its own
/// key store), as opposed to a bare display or a service account.
pub fn in_desktop_session() -> bool {
    ["XDG_SESSION_ID", "XDG_CURRENT_DESKTOP", "DESKTOP_SESSION"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()))
}

fn keyring_error(e: keyring::Error) -> DeskError {
    keyring_error_in(e, in_desktop_session())
}

/// The error for a failed key store call. No key store at all, outside a desktop session, is
/// [`ErrorKind::NoKeyring`]: there is nothing to sign out of, and someone must provide one.
fn keyring_error_in(e: keyring::Error, desktop_session: bool) -> DeskError {
    let unavailable = matches!(
        e,
        keyring::Error::NoDefaultStore
            | keyring::Error::PlatformFailure(_)
            | keyring::Error::NoStorageAccess(_)
    );
    if unavailable && !desktop_session {
        return DeskError::new(
            ErrorKind::NoKeyring,
            format!(
                "no OS key store: {KEY_STORE_NAME} does not answer and there is no desktop \
                 session to provide one ({e})"
            ),
        );
    }
    let hint = if unavailable {
        format!(
            " (is {KEY_STORE_NAME}, such as GNOME Keyring or KWallet, running and unlocked in this session?)"
        )
    } else {
        String::new()
    };
    DeskError::new(ErrorKind::Keyring, format!("the OS keyring: {e}{hint}"))
}

impl OsKeyring {
    fn entry(&self, name: &str) -> DeskResult<keyring::Entry> {
        let user = if self.profile.is_empty() {
            name.to_owned()
        } else {
            format!("{}/{name}", self.profile)
        };
        keyring::Entry::new(SERVICE, &user).map_err(keyring_error)
    }
}

impl SecretStore for OsKeyring {
    fn get(&self, name: &str) -> DeskResult<Option<String>> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }
    fn set(&self, name: &str, value: &str) -> DeskResult<()> {
        self.entry(name)?.set_password(value).map_err(keyring_error)
    }
    fn delete(&self, name: &str) -> DeskResult<()> {
        match self.entry(name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

/// Secrets in memory: for unit tests of the pieces that use a [`SecretStore`].
#[derive(Debug, Default)]
pub struct MemorySecrets(Mutex<HashMap<String, String>>);

impl SecretStore for MemorySecrets {
    fn get(&self, name: &str) -> DeskResult<Option<String>> {
        Ok(self
            .0
            .lock()
            .map_err(|_| DeskError::internal("poisoned"))?
            .get(name)
            .cloned())
    }
    fn set(&self, name: &str, value: &str) -> DeskResult<()> {
        self.0
            .lock()
            .map_err(|_| DeskError::internal("poisoned"))?
            .insert(name.to_owned(), value.to_owned());
        Ok(())
    }
    fn delete(&self, name: &str) -> DeskResult<()> {
        self.0
            .lock()
            .map_err(|_| DeskError::internal("poisoned"))?
            .remove(name);
        Ok(())
    }
}

/// The cache key of this workstation: made at random the first time, then read from the keyring.
pub fn cache_key(secrets: &dyn SecretStore, create: bool) -> DeskResult<crate::cache::CacheKey> {
    if let Some(hex) = secrets.get(CACHE_KEY)? {
        return crate::cache::CacheKey::from_hex(&hex).ok_or_else(|| {
            DeskError::new(
                ErrorKind::CacheKey,
                "the cache key in the keyring is malformed",
            )
        });
    }
    if !create {
        return Err(DeskError::new(
            ErrorKind::CacheKey,
            "this workstation has no cache key in the keyring",
        ));
    }
    let key = crate::cache::CacheKey::random();
    secrets.set(CACHE_KEY, &key.to_hex())?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_store_outside_a_session_is_its_own_kind() {
        let err = keyring_error_in(keyring::Error::NoDefaultStore, false);
        assert_eq!(err.kind, ErrorKind::NoKeyring);
        assert!(
            err.message.contains("org.freedesktop.secrets"),
            "{}",
            err.message
        );
    }

    #[test]
    fn no_key_store_in_a_session_says_which_one_was_looked_for() {
        let err = keyring_error_in(keyring::Error::NoDefaultStore, true);
        assert_eq!(err.kind, ErrorKind::Keyring);
        assert!(err.message.contains("GNOME Keyring"), "{}", err.message);
    }

    #[test]
    fn other_failures_stay_keyring_errors_without_a_session_hint() {
        let err = keyring_error_in(keyring::Error::TooLong("user".into(), 1), false);
        assert_eq!(err.kind, ErrorKind::Keyring);
        assert!(
            !err.message.contains("running and unlocked"),
            "{}",
            err.message
        );
    }
}

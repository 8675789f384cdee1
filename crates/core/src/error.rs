//! The single error type that crosses the IPC boundary.
//!
//! It serialises as `{ "kind": "...", "message": "..." }`. A `kind` exists only where the UI
//! behaves differently for it (a different message, a different action); everything else is
//! `internal`. `message` is English detail for support staff and logs; the UI shows its own
//! translated text for the kind and the detail beneath it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What went wrong, as far as the UI needs to know to react.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The workstation's data folder cannot be found, created or written.
    Storage,
    /// The cache cannot be opened with this workstation's key (wrong or missing key).
    CacheKey,
    /// The cache failed its integrity check; re-sync it from the centre (unsent decisions kept).
    CacheDamaged,
    /// The OS key store (Secret Service) failed or refused in this desktop session: signing out
    /// of the session and back in may help.
    Keyring,
    /// No OS key store (Secret Service) answers and there is no desktop session to provide one:
    /// a desktop session (GNOME Keyring, KWallet) or technical support must provide it.
    NoKeyring,
    /// The central service cannot be reached; work continues offline.
    Offline,
    /// The centre refused the credentials or the session has ended: sign in again.
    Unauthorized,
    /// The centre's administrator has disabled this account (told at a sign-in with the right
    /// password): only they can enable it again.
    AccountDisabled,
    /// The centre answered with something the desk did not expect.
    Central,
    /// Nobody is signed in on this desk.
    NotSignedIn,
    /// The desk is locked (idle too long, or just started): the officer unlocks it with the
    /// password, or waits after too many wrong tries.
    Locked,
    /// One document cannot be shown (unsupported, damaged, too large, too slow); the rest of
    /// the case still works.
    Document,
    /// The workstation's configuration (set by IT, `/etc/migdesk/desk.toml`) cannot be used:
    /// the message names the file, the line and the key; IT must correct it. Nothing runs until
    /// then.
    Configuration,
    /// What the officer asked for does not fit the case (a decision that breaks a rule, a case
    /// no longer in this desk's queue); the message says what.
    Invalid,
    /// A new desk the centre offers cannot be installed now: unsent work waits to be sent
    /// first, or the package was refused (damaged, a signature that does not match the key built
    /// into this desk, not newer than this desk); the message says which.
    Update,
    /// Anything the officer cannot act on; the message is for support staff.
    Internal,
}

/// The one error type returned by every command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{kind:?}: {message}")]
pub struct DeskError {
    pub kind: ErrorKind,
    pub message: String,
}

impl ErrorKind {
    /// Every kind, in declaration order (the UI needs them at run time).
    pub const ALL: [ErrorKind; 16] = [
        ErrorKind::Storage,
        ErrorKind::CacheKey,
        ErrorKind::CacheDamaged,
        ErrorKind::Keyring,
        ErrorKind::NoKeyring,
        ErrorKind::Offline,
        ErrorKind::Unauthorized,
        ErrorKind::AccountDisabled,
        ErrorKind::Central,
        ErrorKind::NotSignedIn,
        ErrorKind::Locked,
        ErrorKind::Document,
        ErrorKind::Configuration,
        ErrorKind::Invalid,
        ErrorKind::Update,
        ErrorKind::Internal,
    ];

    /// The kind's name on the wire.
    pub fn as_str(self) -> &'static str {
        // An exhaustive match: a new variant must be named here. That ALL lists it too is checked
        // by `bindings::tests::every_error_kind_is_in_all`, against the TypeScript union.
        match self {
            ErrorKind::Storage => "storage",
            ErrorKind::CacheKey => "cache_key",
            ErrorKind::CacheDamaged => "cache_damaged",
            ErrorKind::Keyring => "keyring",
            ErrorKind::NoKeyring => "no_keyring",
            ErrorKind::Offline => "offline",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::AccountDisabled => "account_disabled",
            ErrorKind::Central => "central",
            ErrorKind::NotSignedIn => "not_signed_in",
            ErrorKind::Locked => "locked",
            ErrorKind::Document => "document",
            ErrorKind::Configuration => "configuration",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Update => "update",
            ErrorKind::Internal => "internal",
        }
    }
}

impl DeskError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn storage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Storage, message)
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
}

/// The result type of every core operation exposed to the UI.
pub type DeskResult<T> = Result<T, DeskError>;

impl From<migdesk_docs::DocError> for DeskError {
    fn from(e: migdesk_docs::DocError) -> Self {
        DeskError::new(
            ErrorKind::Document,
            format!("this file could not be shown: {e}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_kind_and_message() {
        let err = DeskError::storage("cannot create /nonexistent/data: permission denied");
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "storage",
                "message": "cannot create /nonexistent/data: permission denied"
            })
        );
        let back: DeskError = serde_json::from_value(json).unwrap();
        assert_eq!(back, err);
    }

    #[test]
    fn all_kinds_are_listed_and_named_as_serde_names_them() {
        for kind in ErrorKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        let unique: std::collections::HashSet<_> = ErrorKind::ALL.iter().collect();
        assert_eq!(unique.len(), ErrorKind::ALL.len());
    }

    #[test]
    fn display_names_kind_and_detail() {
        let err = DeskError::internal("boom");
        assert_eq!(err.to_string(), "Internal: boom");
    }
}

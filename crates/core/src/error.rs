//! The single error type that crosses the IPC boundary.
//!
//! It serialises as `{ "kind": "...", "message": "..." }`. A `kind` exists only where the UI
//! behaves differently for it (a different message, a different action); everything else is
//! `internal`. `message` is English detail for support staff and logs; the UI shows its own
//! translated text for the kind and the detail beneath it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What went wrong, as far as the UI needs to know to react.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The workstation's data folder cannot be found, created or written.
    Storage,
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

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
}

/// The result type of every core operation exposed to the UI.
pub type DeskResult<T> = Result<T, DeskError>;

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
    fn display_names_kind_and_detail() {
        let err = DeskError::internal("boom");
        assert_eq!(err.to_string(), "Internal: boom");
    }
}

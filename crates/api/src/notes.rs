//! Internal notes on a case: written by the officers who handle it and their supervisors, never
//! sent to the applicant.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::session::OfficerRef;

/// The most characters a note may have.
pub const NOTE_MAX_CHARS: usize = 4000;

/// A note as the desk sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    /// Made by the desk when the note is written; repeating a request with the same id is
    /// answered with the note already kept.
    pub id: Uuid,
    /// The note, 1 to 4000 characters once trimmed.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 4000))]
    pub text: String,
    /// When it was written (RFC 3339), which may be long before the desk could send it.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub written_at: String,
}

/// Where a note came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum NoteOrigin {
    /// Written on a desk.
    Desk,
    /// A supervisor's reason for moving the case.
    Reassignment,
}

/// A note the centre keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Note {
    pub id: Uuid,
    pub application_id: String,
    pub author: OfficerRef,
    pub text: String,
    /// When it was written, as its author's desk said.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub written_at: String,
    /// When the centre received it.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub received_at: String,
    pub origin: NoteOrigin,
}

/// A note's text as kept: trimmed, with its length checked; `Err` says what is wrong.
pub fn note_text(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("a note needs some text".into());
    }
    if text.chars().count() > NOTE_MAX_CHARS {
        return Err(format!("a note is at most {NOTE_MAX_CHARS} characters"));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_trimmed_and_bounded() {
        assert_eq!(note_text("  ok \n").unwrap(), "ok");
        assert!(note_text(" \n\t").is_err());
        assert!(note_text(&"ə".repeat(NOTE_MAX_CHARS)).is_ok());
        assert!(note_text(&"ə".repeat(NOTE_MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn a_request_refuses_unknown_fields() {
        let bad = serde_json::from_str::<NoteRequest>(
            r#"{"id":"6f1c1a9e-8a44-4b8e-9b55-0d6c1f1e2a10","text":"x","written_at":"2026-12-01T10:00:00Z","to":"applicant"}"#,
        );
        assert!(bad.is_err());
    }
}

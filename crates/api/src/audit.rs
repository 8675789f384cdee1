//! The desk's audit trail as it reports it: cases opened, decisions recorded.

use serde::{Deserialize, Serialize};

/// The most events one report may carry.
pub const MAX_AUDIT_EVENTS: usize = 500;

/// What an officer did on their desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeskEventKind {
    /// Opened the case on the desk.
    Opened,
    /// Recorded a decision on the desk (which reaches the centre separately).
    Decided,
}

impl DeskEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeskEventKind::Opened => "opened",
            DeskEventKind::Decided => "decided",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeskEvent {
    /// The desk's own id for the event; a repeat is ignored. Not blank, at most 100 characters.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub id: String,
    pub kind: DeskEventKind,
    pub application_id: String,
    /// When it happened on the desk (RFC 3339).
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AuditReport {
    /// At most [`MAX_AUDIT_EVENTS`].
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub events: Vec<DeskEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditReceipt {
    /// Events new to the centre.
    pub recorded: usize,
    /// Events it already had.
    pub repeated: usize,
}

/// The most documents one [`DocumentReads`] may name.
pub const MAX_DOCUMENT_READS: usize = 500;

/// Documents a desk is about to download, named in one request so that the centre records
/// their reads in its audit trail together (one durable write for them all) before any of
/// their bytes go out. Each download of one of them that follows from the same user and desk
/// is then already recorded; a download not named this way is recorded on its own, as always.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DocumentReads {
    /// Document ids; at most [`MAX_DOCUMENT_READS`], each at most 100 characters.
    #[cfg_attr(feature = "openapi", schema(max_items = 500))]
    pub documents: Vec<String>,
}

/// What the centre recorded of a [`DocumentReads`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentReadsRecorded {
    /// The documents whose reads are recorded: those named that the caller may read (others,
    /// unknown or not the caller's to read, are left out without saying which).
    pub recorded: Vec<String>,
}

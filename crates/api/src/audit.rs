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

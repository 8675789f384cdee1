//! Four eyes on refusals: where a department asks for it, an officer's refusal is a proposal
//! until a supervisor of the department (never the officer who proposed it) approves it — the
//! case is refused and the applicant's e-mail goes — or returns it with a note.

use migdesk_domain::decision::RefusalReason;
use serde::{Deserialize, Serialize};

use crate::session::OfficerRef;

/// The most characters of a supervisor's note on an answer.
pub const MAX_APPROVAL_NOTE: usize = 1000;

/// A supervisor's answer to a proposed refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ApprovalAction {
    /// The refusal is applied as the officer proposed it.
    Approve,
    /// The case goes back to its officer, waiting for a decision; the note says why.
    Return,
}

impl ApprovalAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalAction::Approve => "approve",
            ApprovalAction::Return => "return",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "approve" => Some(ApprovalAction::Approve),
            "return" => Some(ApprovalAction::Return),
            _ => None,
        }
    }
}

/// `POST /approvals/{decision_id}`: a supervisor's answer, at the case's version they saw.
/// Sending the same answer again answers the case as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApprovalRequest {
    pub action: ApprovalAction,
    /// Required to return a refusal (1 to 1000 characters once trimmed); optional to approve.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub note: String,
    /// The case's version the supervisor saw; if it changed since, nothing happens (409
    /// `stale_version`).
    pub based_on_version: i64,
    /// When the supervisor answered (RFC 3339), which may be long before the desk could send it.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub answered_at: String,
}

impl ApprovalRequest {
    /// The note as the centre keeps it (see [`approval_note`]).
    pub fn checked_note(&self) -> Result<String, String> {
        approval_note(self.action, &self.note)
    }
}

/// The one rule for an answer's note: trimmed, required to return, optional to approve, at most
/// [`MAX_APPROVAL_NOTE`] characters.
pub fn approval_note(action: ApprovalAction, note: &str) -> Result<String, String> {
    if action == ApprovalAction::Approve && note.trim().is_empty() {
        return Ok(String::new());
    }
    crate::bounded_text("the note", note, MAX_APPROVAL_NOTE)
}

/// An officer's refusal waiting for a supervisor's approval, on the case it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    /// The decision's id, which the approval names.
    pub decision_id: String,
    pub proposed_by: OfficerRef,
    /// When the officer decided (RFC 3339).
    pub decided_at: String,
    /// When the centre received it (RFC 3339).
    pub proposed_at: String,
    pub reasons: Vec<RefusalReason>,
    #[serde(default)]
    pub note: String,
    /// The e-mail the applicant receives once it is approved, in their language.
    pub email_subject: String,
    pub email_body: String,
}

/// One line of a department's approvals list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovalItem {
    pub application_id: String,
    pub number: String,
    pub service: String,
    pub applicant_name: String,
    /// The case's version now: what an answer is based on.
    pub version: i64,
    pub proposal: Proposal,
}

/// A department's settings, as its supervisors set them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DepartmentSettings {
    /// An officer's refusal waits for a supervisor's approval before it applies.
    pub four_eyes_refusals: bool,
    /// Cases due within this many working days (0 to 20) that nobody opened or has are raised
    /// to the supervisor; 2 unless set.
    #[serde(default = "default_alert_working_days")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 20))]
    pub alert_working_days: i64,
}

fn default_alert_working_days() -> i64 {
    2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(action: ApprovalAction, note: &str) -> ApprovalRequest {
        ApprovalRequest {
            action,
            note: note.into(),
            based_on_version: 3,
            answered_at: "2026-12-01T10:00:00Z".into(),
        }
    }

    #[test]
    fn returning_needs_a_note_and_approving_does_not() {
        assert!(
            request(ApprovalAction::Return, "  ")
                .checked_note()
                .is_err()
        );
        assert_eq!(
            request(ApprovalAction::Return, " look at page 2 ").checked_note(),
            Ok("look at page 2".into())
        );
        assert_eq!(
            request(ApprovalAction::Approve, " ").checked_note(),
            Ok(String::new())
        );
        let long = "x".repeat(MAX_APPROVAL_NOTE + 1);
        assert!(
            request(ApprovalAction::Approve, &long)
                .checked_note()
                .is_err()
        );
    }

    #[test]
    fn actions_travel_by_name() {
        for action in [ApprovalAction::Approve, ApprovalAction::Return] {
            assert_eq!(ApprovalAction::parse(action.as_str()), Some(action));
            let json = serde_json::to_string(&action).unwrap();
            assert_eq!(json, format!("\"{}\"", action.as_str()));
        }
        assert_eq!(ApprovalAction::parse("maybe"), None);
    }
}

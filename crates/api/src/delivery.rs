//! The applicants' e-mails the centre could not deliver, as a supervisor sees them, and what
//! the supervisor may do: queue one again.

use serde::{Deserialize, Serialize};

/// An e-mail still `sending` this long after its claim is one whose delivery was cut off (the
/// centre stopped, or the relay went away mid-message): nobody knows whether the applicant has
/// it, so it is listed for a supervisor instead of being sent again.
pub const SENDING_UNKNOWN_AFTER_SECONDS: i64 = 5 * 60;

/// Why an e-mail is undelivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum UndeliveredState {
    /// Every attempt was refused by the relay or could not reach it; the last error is kept.
    Failed,
    /// Claimed for sending more than five minutes ago and never confirmed: whether the
    /// applicant received it is unknown. The centre never sends it again by itself.
    Sending,
}

/// The query of `GET /departments/{id}/notifications`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct UndeliveredQuery {
    /// Only the e-mails in this state; both kinds when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<UndeliveredState>,
}

/// One e-mail to an applicant of the department that did not reach them, or may not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UndeliveredEmail {
    /// The e-mail's id (`POST /notifications/{id}/requeue`).
    pub id: i64,
    pub application_id: String,
    pub application_number: String,
    pub decision_id: String,
    pub to: String,
    pub subject: String,
    pub state: UndeliveredState,
    /// Attempts made since it was queued (or queued again).
    pub attempts: i64,
    /// What the relay or the network said the last time.
    pub last_error: Option<String>,
    pub created_at: String,
    /// When a delivery last took it to send.
    pub claimed_at: Option<String>,
    /// The Message-ID of the last attempt, to look for in the relay's log before queueing an
    /// e-mail of unknown outcome again.
    pub message_id: Option<String>,
}

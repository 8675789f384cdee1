//! The outbox: every decision the officer records, kept durable from the moment it is made
//! until the centre has answered it, and sent exactly once (the request id makes a repeat
//! harmless). Nothing is ever deleted from it.

use migdesk_domain::decision::Decision;

use super::central::{Central, DecisionAnswer};
use crate::cache::{Attempt, OutboxState, Store};
use crate::error::DeskResult;

/// Records a decision: durable at once, in one transaction with its outbox entry and its audit
/// event. Returns the decision's id.
pub fn record_decision(
    store: &mut Store,
    case_id: &str,
    decision: &Decision,
) -> DeskResult<String> {
    store.record_decision(case_id, decision)
}

/// Lets every pending decision be tried at the next sync, whatever its back-off.
pub fn retry_now(store: &Store) -> DeskResult<usize> {
    store.retry_now()
}

/// Sends pending decisions. A 409, or a refusal for good (400, 403, 404, 422), becomes a
/// conflict kept with the decision and the centre's words; a network failure, 429 or 5xx leaves
/// it pending for a later attempt with exponential backoff and jitter. Returns (sent,
/// conflicts).
pub async fn push(store: &mut Store, central: &Central, token: &str) -> DeskResult<(u64, u64)> {
    let (mut sent, mut conflicts) = (0, 0);
    for due in store.due_decisions()? {
        let (state, response, error) = match central
            .send_decision(token, &due.case_id, &due.request)
            .await?
        {
            DecisionAnswer::Recorded(answer) => (OutboxState::Sent, Some(answer), None),
            DecisionAnswer::Conflict(answer) => (OutboxState::Conflict, Some(answer), None),
            DecisionAnswer::NotDelivered(why) => (OutboxState::Pending, None, Some(why)),
        };
        let attempts = due.attempts + 1;
        store.record_attempt(
            &due.id,
            &Attempt {
                state,
                response: response.as_deref(),
                error: error.as_deref(),
                attempts,
                next_attempt_at: (state == OutboxState::Pending).then(|| backoff(attempts)),
            },
        )?;
        match state {
            OutboxState::Sent => sent += 1,
            OutboxState::Conflict => conflicts += 1,
            OutboxState::Pending => {}
        }
    }
    Ok((sent, conflicts))
}

/// When something that failed to go `attempts` times may be tried again (RFC 3339): 2^attempts
/// seconds and as much jitter again, at most ten minutes.
pub(crate) fn backoff(attempts: i64) -> String {
    let base = 2u64.saturating_pow(attempts.clamp(0, 10) as u32);
    let jitter = rand::random::<u64>() % (base + 1);
    (chrono::Utc::now() + chrono::Duration::seconds((base + jitter).min(600) as i64))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

//! A supervisor's answers to proposed refusals (four eyes), kept durable from the moment they
//! are given until the centre has applied them, and sent exactly once (the proposal's decision
//! id makes a repeat harmless). An answer the centre refuses — the case moved meanwhile, another
//! supervisor answered first — is kept with the centre's words and its cause, for the inbox.

use migdesk_api::{ApplicationDetail, ApprovalRequest};

use super::central::{Central, Posted, decode, path_id};
use super::notes::{NoteAnswer, settle};
use crate::cache::{NoteState, Store};
use crate::error::DeskResult;

/// Sends pending answers. Returns (applied, refused). The store is taken `&mut` so the future
/// stays `Send`.
pub async fn push_approvals(
    store: &mut Store,
    central: &Central,
    token: &str,
) -> DeskResult<(u64, u64)> {
    let (mut sent, mut refused) = (0, 0);
    for due in store.due_approvals()? {
        let request = ApprovalRequest {
            action: due.action,
            note: due.note,
            based_on_version: due.based_on_version,
            answered_at: due.answered_at,
        };
        let attempts = due.attempts + 1;
        let path = format!("/approvals/{}", path_id(&due.decision_id)?);
        const WHAT: &str = "answer to an approval";
        let mut cause = None;
        let answer = match central.post_work(token, &path, &request, WHAT).await? {
            Posted::Accepted(text) => {
                decode::<ApplicationDetail>(WHAT, text.as_bytes())?;
                NoteAnswer::Kept
            }
            Posted::Refused(_, body) => {
                cause = body.cause;
                NoteAnswer::Refused(body.message)
            }
            Posted::NotDelivered(why) => NoteAnswer::NotDelivered(why),
        };
        let counted = settle(answer, attempts, |state, error, next| {
            store.record_approval_attempt(&due.decision_id, state, error, cause, attempts, next)
        })?;
        sent += u64::from(counted == NoteState::Sent);
        refused += u64::from(counted == NoteState::Refused);
    }
    Ok((sent, refused))
}

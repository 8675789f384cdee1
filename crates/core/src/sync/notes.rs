//! Internal notes written on this desk, kept durable from the moment they are written until
//! the centre has kept them, and sent exactly once (the note's id makes a repeat harmless).

use migdesk_api::{Note, NoteRequest};

use super::central::{Central, Posted, decode, path_id};
use crate::cache::{NoteState, SideOutbox, Store};
use crate::error::{DeskError, DeskResult};

/// Keeps a note on a cached case, durable at once; the next sync delivers it. Returns its id.
pub fn record_note(store: &mut Store, case_id: &str, text: &str) -> DeskResult<String> {
    let text = migdesk_api::note_text(text).map_err(DeskError::invalid)?;
    store.record_note(case_id, &text)
}

/// Sends pending notes. A refusal for good is kept with the centre's words and never sent
/// again; a network failure, 429 or 5xx leaves the note pending, tried again with exponential
/// backoff and jitter. Returns (sent, refused). The store is taken `&mut` so the future stays
/// `Send` (a shared `&Store` is not).
pub async fn push_notes(
    store: &mut Store,
    central: &Central,
    token: &str,
) -> DeskResult<(u64, u64)> {
    let (mut sent, mut refused) = (0, 0);
    for due in store.due_notes()? {
        let Ok(id) = due.id.parse() else {
            store.record_side_attempt(
                SideOutbox::Notes,
                &due.id,
                NoteState::Refused,
                Some("the note's id is not a UUID"),
                due.attempts,
                None,
            )?;
            refused += 1;
            continue;
        };
        let request = migdesk_api::NoteRequest {
            id,
            text: due.text,
            written_at: due.written_at,
        };
        let attempts = due.attempts + 1;
        let answer = central.send_note(token, &due.case_id, &request).await?;
        let counted = settle(answer, attempts, |state, error, next| {
            store.record_side_attempt(SideOutbox::Notes, &due.id, state, error, attempts, next)
        })?;
        sent += u64::from(counted == NoteState::Sent);
        refused += u64::from(counted == NoteState::Refused);
    }
    Ok((sent, refused))
}

/// Keeps what the centre answered to one piece of the officer's work sent on its own (a note, a
/// counter document) through `record(state, error, next attempt)`: kept; refused for good with
/// the centre's words; or not delivered, tried again after a back-off. Returns the state kept.
pub(crate) fn settle(
    answer: NoteAnswer,
    attempts: i64,
    record: impl FnOnce(NoteState, Option<&str>, Option<&str>) -> DeskResult<()>,
) -> DeskResult<NoteState> {
    match answer {
        NoteAnswer::Kept => {
            record(NoteState::Sent, None, None)?;
            Ok(NoteState::Sent)
        }
        NoteAnswer::Refused(why) => {
            record(NoteState::Refused, Some(&why), None)?;
            Ok(NoteState::Refused)
        }
        NoteAnswer::NotDelivered(why) => {
            let next = super::outbox::backoff(attempts);
            record(NoteState::Pending, Some(&why), Some(&next))?;
            Ok(NoteState::Pending)
        }
    }
}

/// What the centre answered to a note (or a counter document).
#[derive(Debug)]
pub enum NoteAnswer {
    /// Kept (or a repeat of a kept note).
    Kept,
    /// Refused for good (400, 403, 404, 409, 422): the centre's words. Never retried.
    Refused(String),
    /// Not delivered (network, 429, 5xx, an answer about another note): try again later.
    NotDelivered(String),
}

impl Central {
    /// Sends one note. A 401 is an error (the sync stops); everything else is an answer.
    pub async fn send_note(
        &self,
        token: &str,
        case_id: &str,
        request: &NoteRequest,
    ) -> DeskResult<NoteAnswer> {
        let path = format!("/applications/{}/notes", path_id(case_id)?);
        const WHAT: &str = "answer to a note";
        Ok(match self.post_work(token, &path, request, WHAT).await? {
            Posted::Accepted(text) => {
                let kept = decode::<Note>(WHAT, text.as_bytes())?;
                if kept.id == request.id && kept.application_id == case_id {
                    NoteAnswer::Kept
                } else {
                    NoteAnswer::NotDelivered(format!(
                        "the centre's answer names note {} of {}, not this one",
                        kept.id, kept.application_id
                    ))
                }
            }
            Posted::Refused(_, body) => NoteAnswer::Refused(body.message),
            Posted::NotDelivered(why) => NoteAnswer::NotDelivered(why),
        })
    }
}

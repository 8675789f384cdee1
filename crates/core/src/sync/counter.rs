//! Documents added at the counter on this desk, sent exactly once (the document's id makes a
//! repeat harmless), before the decisions: a refusal may cite one.

use base64::Engine;
use migdesk_api::{CounterDocumentRequest, DocumentMeta};

use super::central::{Central, Posted, decode, path_id};
use super::notes::{NoteAnswer, settle};
use crate::cache::{NoteState, SideOutbox, Store};
use crate::error::DeskResult;

/// Sends the pending counter documents, as [`super::push_notes`] sends notes. Returns (sent,
/// refused).
pub async fn push_counter_documents(
    store: &mut Store,
    central: &Central,
    token: &str,
) -> DeskResult<(u64, u64)> {
    let (mut sent, mut refused) = (0, 0);
    for due in store.due_counter_documents()? {
        let attempts = due.attempts + 1;
        let Ok(id) = due.id.parse() else {
            store.record_side_attempt(
                SideOutbox::Counter,
                &due.id,
                NoteState::Refused,
                Some("the document's id is not a UUID"),
                attempts,
                None,
            )?;
            refused += 1;
            continue;
        };
        let request = CounterDocumentRequest {
            id,
            doc_type: due.doc_type,
            file_name: due.file_name,
            content_base64: base64::engine::general_purpose::STANDARD.encode(&due.bytes),
            added_at: due.added_at,
        };
        let answer = central
            .send_counter_document(token, &due.case_id, &request)
            .await?;
        let counted = settle(answer, attempts, |state, error, next| {
            store.record_side_attempt(SideOutbox::Counter, &due.id, state, error, attempts, next)
        })?;
        sent += u64::from(counted == NoteState::Sent);
        refused += u64::from(counted == NoteState::Refused);
    }
    Ok((sent, refused))
}

impl Central {
    /// Sends one counter document. A 401 is an error (the sync stops); everything else is an
    /// answer.
    pub async fn send_counter_document(
        &self,
        token: &str,
        case_id: &str,
        request: &CounterDocumentRequest,
    ) -> DeskResult<NoteAnswer> {
        let path = format!("/applications/{}/documents", path_id(case_id)?);
        const WHAT: &str = "answer to a counter document";
        Ok(match self.post_work(token, &path, request, WHAT).await? {
            Posted::Accepted(text) => {
                let kept = decode::<DocumentMeta>(WHAT, text.as_bytes())?;
                if kept.id == request.id.to_string() {
                    NoteAnswer::Kept
                } else {
                    NoteAnswer::NotDelivered(format!(
                        "the centre's answer names document {}, not this one",
                        kept.id
                    ))
                }
            }
            Posted::Refused(_, body) => NoteAnswer::Refused(body.message),
            Posted::NotDelivered(why) => NoteAnswer::NotDelivered(why),
        })
    }
}

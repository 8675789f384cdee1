//! The work around a decision on one case: the internal notes between the officers who handle
//! it and their supervisor, and the applicant's other applications as the centre linked them.
//! The case view (`case`) carries both.

use migdesk_api::{ApplicationDetail, Event, NoteOrigin, Status};
use migdesk_domain::Catalogue;
use migdesk_domain::decision::DecisionKind;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cache::{Meta, NewCounterDocument, NoteState, Store};
use crate::case::{CaseView, HistoryItem};
use crate::error::{DeskError, DeskResult};

/// Where an internal note is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NoteDelivery {
    /// The centre keeps it: everyone who handles the case reads it.
    Kept,
    /// Written here, waiting to be sent.
    Pending,
    /// The centre refused it for good; `problem` says why.
    Refused,
}

/// An internal note on a case: between the officers who handle it and their supervisors, never
/// sent to the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct NoteView {
    pub id: String,
    /// Its author, by name.
    pub author: Option<String>,
    /// When it was written (RFC 3339).
    pub written_at: String,
    pub text: String,
    pub origin: NoteOrigin,
    pub delivery: NoteDelivery,
    /// Why the centre refused it, or why the last attempt to send it failed.
    pub problem: Option<String>,
}

/// Another application of the same applicant, as the centre linked it (by FIN or passport
/// number) when it last described the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RelatedView {
    pub number: String,
    pub service: String,
    pub submitted_at: String,
    pub status: Status,
    pub department_id: String,
    pub same_fin: bool,
    pub same_passport: bool,
    /// The last decision applied to it, when and (for a refusal) why.
    pub decision: Option<DecisionKind>,
    pub decided_at: Option<String>,
    pub reasons: Vec<migdesk_domain::decision::ReasonCode>,
    /// Open at the same time for the same service: possibly the same request twice.
    pub possible_duplicate: bool,
}

/// The case's internal notes: those in the centre's history (a reassignment's reason among
/// them), then this officer's notes written here that the history does not have yet.
pub(crate) fn notes(store: &Store, app: &ApplicationDetail) -> DeskResult<Vec<NoteView>> {
    let mut notes: Vec<NoteView> = app
        .history
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let author = e.actor.as_ref().map(|a| a.full_name.clone());
            match &e.event {
                Event::NoteAdded {
                    note_id,
                    text,
                    written_at,
                } => Some(NoteView {
                    id: note_id.clone(),
                    author,
                    written_at: written_at.clone(),
                    text: text.clone(),
                    origin: NoteOrigin::Desk,
                    delivery: NoteDelivery::Kept,
                    problem: None,
                }),
                Event::Reassigned { reason, .. } if !reason.is_empty() => Some(NoteView {
                    id: format!("reassigned-{i}"),
                    author,
                    written_at: e.at.clone(),
                    text: reason.clone(),
                    origin: NoteOrigin::Reassignment,
                    delivery: NoteDelivery::Kept,
                    problem: None,
                }),
                _ => None,
            }
        })
        .collect();
    let me = store.meta(Meta::UserName)?;
    for local in store.local_notes(&app.id)? {
        if notes.iter().any(|n| n.id == local.id) {
            continue;
        }
        let (delivery, problem) = match local.state {
            NoteState::Sent => (NoteDelivery::Kept, None),
            NoteState::Pending => (NoteDelivery::Pending, local.last_error),
            NoteState::Refused => (NoteDelivery::Refused, local.last_error),
        };
        notes.push(NoteView {
            id: local.id,
            author: me.clone(),
            written_at: local.written_at,
            text: local.text,
            origin: NoteOrigin::Desk,
            delivery,
            problem,
        });
    }
    // Both sides write UTC times to the second, so the text sorts by time; the sort is stable.
    notes.sort_by(|a, b| a.written_at.cmp(&b.written_at));
    Ok(notes)
}

/// The applicant's other applications, as the case view shows them.
pub(crate) fn related(app: &ApplicationDetail) -> Vec<RelatedView> {
    app.applicant_history
        .iter()
        .map(|r| RelatedView {
            number: r.number.clone(),
            service: r.service.clone(),
            submitted_at: r.submitted_at.clone(),
            status: r.status,
            department_id: r.department_id.clone(),
            same_fin: r.same_fin,
            same_passport: r.same_passport,
            decision: r.decision.as_ref().map(|d| d.kind),
            decided_at: r.decision.as_ref().map(|d| d.decided_at.clone()),
            reasons: r
                .decision
                .as_ref()
                .map(|d| d.reasons.iter().map(|reason| reason.code).collect())
                .unwrap_or_default(),
            possible_duplicate: r.possible_duplicate,
        })
        .collect()
}

/// Keeps an internal note on a case on this desk, durable at once; the next sync delivers it.
/// Any case the desk holds takes one (a supervisor's department, an officer's own).
pub fn add_note(
    store: &mut Store,
    catalogue: &Catalogue,
    id: &str,
    text: &str,
    today: &str,
) -> DeskResult<CaseView> {
    crate::sync::record_note(store, id, text)?;
    crate::case::view(store, catalogue, id, today)
}

/// A file scanned at the counter, as the case screen sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CounterDocument {
    /// A document type code from the catalogue.
    pub doc_type: String,
    pub file_name: String,
    /// The file, in base64.
    pub content_base64: String,
}

/// Adds a file brought to the counter to the signed-in officer's open case, after the checks
/// any applicant file passes here (a known type, a plain name, at most 20 MiB, a PDF or an image
/// that opens within the viewer's limits): durable at once, counted in the checklist, sent at the
/// next sync. A file that fails is refused with the reason and nothing is kept.
pub fn add_counter_document(
    store: &mut Store,
    catalogue: &Catalogue,
    case_id: &str,
    document: &CounterDocument,
) -> DeskResult<String> {
    use base64::Engine;
    if catalogue.document_type(&document.doc_type).is_none() {
        return Err(DeskError::invalid(format!(
            "{:?} is not a document type",
            document.doc_type
        )));
    }
    let file_name =
        migdesk_api::plain_file_name(&document.file_name).map_err(DeskError::invalid)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(document.content_base64.as_bytes())
        .map_err(|e| {
            DeskError::invalid(format!("{file_name}: the file did not arrive whole: {e}"))
        })?;
    if bytes.is_empty() || bytes.len() > migdesk_api::MAX_COUNTER_BYTES {
        return Err(DeskError::invalid(format!(
            "{file_name}: a document has 1 byte to {} MiB",
            migdesk_api::MAX_COUNTER_BYTES / 1024 / 1024
        )));
    }
    let info = migdesk_docs::Documents::default().inspect(bytes.clone())?;
    store.record_counter_document(
        case_id,
        &NewCounterDocument {
            doc_type: &document.doc_type,
            file_name: &file_name,
            mime_type: info.mime,
            bytes: &bytes,
        },
    )
}

/// The files added at the counter here on a case that the centre did not refuse: (id, type).
pub(crate) fn added_here(store: &Store, case_id: &str) -> DeskResult<Vec<(String, String)>> {
    Ok(store
        .counter_states(case_id)?
        .into_iter()
        .filter(|(_, _, state, _)| *state != NoteState::Refused)
        .map(|(id, doc_type, _, _)| (id, doc_type))
        .collect())
}

/// The case's history as the case screen lists it.
pub(crate) fn history(app: &ApplicationDetail) -> Vec<HistoryItem> {
    app.history
        .iter()
        .map(|e| {
            let mut at = e.at.clone();
            let mut text = None;
            let mut working_days = None;
            let mut due_date = None;
            let mut ground = None;
            let mut issued_on = None;
            let (to, decision, reason) = match &e.event {
                Event::Assigned { to_name, .. } => (Some(to_name.clone()), None, None),
                Event::Reassigned {
                    to_name, reason, ..
                } => (Some(to_name.clone()), None, Some(reason.clone())),
                Event::Decided { kind, .. } => (None, Some(*kind), None),
                Event::DecisionConflict { kind, cause, .. } => {
                    (None, Some(*kind), Some(cause.as_str().to_owned()))
                }
                Event::ConflictResolved { reason, .. } => (None, None, reason.clone()),
                Event::NotificationRequeued { last_error, .. } => (None, None, last_error.clone()),
                Event::NoteAdded {
                    text: words,
                    written_at,
                    ..
                } => {
                    at.clone_from(written_at);
                    text = Some(words.clone());
                    (None, None, None)
                }
                Event::DeadlinePaused { working_days_left } => {
                    working_days = i32::try_from(*working_days_left).ok();
                    (None, None, None)
                }
                Event::DeadlineResumed {
                    due_date: due,
                    working_days_left,
                } => {
                    working_days = i32::try_from(*working_days_left).ok();
                    due_date = Some(due.clone());
                    (None, None, None)
                }
                Event::Reopened {
                    ground: why,
                    reference,
                    reason,
                    due_date: due,
                    ..
                } => {
                    ground = Some(*why);
                    text = Some(reference.clone());
                    due_date = Some(due.clone());
                    (None, None, Some(reason.clone()))
                }
                Event::Executed {
                    document_number,
                    issued_on: day,
                } => {
                    text = Some(document_number.clone());
                    issued_on = Some(day.clone());
                    (None, None, None)
                }
                Event::RefusalProposed { note, .. } => {
                    text = Some(note.clone()).filter(|n| !n.is_empty());
                    (None, Some(DecisionKind::Refuse), None)
                }
                Event::RefusalApproved { note, .. } | Event::RefusalReturned { note, .. } => {
                    text = Some(note.clone()).filter(|n| !n.is_empty());
                    (None, None, None)
                }
                Event::Received { .. }
                | Event::DocumentsAdded { .. }
                | Event::Withdrawn {}
                | Event::Unknown => (None, None, None),
            };
            HistoryItem {
                at,
                kind: e.event.kind().to_owned(),
                actor: e.actor.as_ref().map(|a| a.full_name.clone()),
                to,
                decision,
                reason,
                text,
                working_days,
                due_date,
                ground,
                issued_on,
            }
        })
        .collect()
}

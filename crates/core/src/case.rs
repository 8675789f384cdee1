//! One case as the officer works on it: the form as the applicant filled it, the documents with
//! the service's required-documents checklist, the history, the responsible officer and the
//! state of this desk's decision, the internal notes; checking a decision and previewing the applicant's e-mail
//! offline with the centre's own rules and wording; recording it.

use std::collections::HashSet;

use migdesk_api::{ApplicationDetail, Event, ReopenGround, Role, Status};
use migdesk_domain::Catalogue;
use migdesk_domain::decision::{self, CaseFacts, Decision, DecisionKind, Email};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cache::{NoteState, OutboxState, Store, StoredDocument};
use crate::casework::{self, NoteDelivery, NoteView, RelatedView};
use crate::error::{DeskError, DeskResult};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApplicantView {
    pub name_latin: String,
    pub name_native: String,
    pub fin: Option<String>,
    pub passport_number: Option<String>,
    /// YYYY-MM-DD.
    pub date_of_birth: String,
    /// ISO 3166-1 alpha-3.
    pub nationality: String,
    pub email: String,
    /// The language the applicant reads: `az`, `en` or `ru`.
    pub language: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FormFieldView {
    pub key: String,
    pub value: String,
}

/// A group of the form, in the order the applicant filled it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FormGroupView {
    pub key: String,
    pub fields: Vec<FormFieldView>,
}

/// Whether a document can be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DocumentState {
    /// Stored in the cache and of a format the desk shows.
    Ready,
    /// Not downloaded yet (the next sync fetches it).
    NotDownloaded,
    /// Stored, but not a format the desk can show, or damaged.
    Unreadable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DocumentView {
    pub id: String,
    /// The document type code from the catalogue.
    pub doc_type: String,
    pub file_name: String,
    #[ts(type = "number")]
    pub size: i64,
    pub state: DocumentState,
    /// What the file is, from its content (`PDF`, `JPEG`, … or a description).
    pub format: Option<String>,
    /// Why it cannot be shown, for the officer and support staff; for a file added here that
    /// the centre refused, the centre's words.
    pub problem: Option<String>,
    /// The officer who added it at the counter; absent for what the applicant sent.
    pub added_by: Option<String>,
    /// For a file added at the counter on this desk: whether the centre has it yet.
    pub delivery: Option<NoteDelivery>,
}

/// One line of the required-documents checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ChecklistState {
    Present,
    Absent,
    /// Submitted, but no copy of it can be read.
    Unreadable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChecklistItem {
    pub doc_type: String,
    pub state: ChecklistState,
    /// The case's documents of this type.
    pub document_ids: Vec<String>,
    /// For an identity document: the zone its text holds, checked against the form.
    pub zone: Option<crate::zone::ChecklistZone>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistoryItem {
    pub at: String,
    /// received, assigned, reassigned, decided, documents_added, withdrawn, decision_conflict,
    /// conflict_resolved, notification_requeued, note_added, deadline_paused,
    /// deadline_resumed, reopened, executed, unknown.
    pub kind: String,
    /// Who did it, by name.
    pub actor: Option<String>,
    /// For a reassignment: to whom, by name.
    pub to: Option<String>,
    /// The decision an event records.
    pub decision: Option<DecisionKind>,
    /// A reason given (reassignment, reopening) or a conflict's cause.
    pub reason: Option<String>,
    /// An internal note's words; a reopening's reference; an issued document's number.
    pub text: Option<String>,
    /// Why a case was reopened.
    pub ground: Option<ReopenGround>,
    /// The day an accepted case's permit or document was issued (YYYY-MM-DD).
    pub issued_on: Option<String>,
    /// For the deadline stopping or running again: the working days it keeps.
    pub working_days: Option<i32>,
    /// For the deadline running again, or a reopening: the day it now falls on (YYYY-MM-DD).
    pub due_date: Option<String>,
}

/// The permit or document issued on an accepted case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExecutionView {
    pub document_number: String,
    pub issued_on: String,
    /// Who recorded it, by name.
    pub by: String,
    pub recorded_at: String,
}

/// Where this desk's decision on the case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Recorded here, waiting to be sent to the centre.
    Pending,
    /// The centre acknowledged it.
    Sent,
    /// The centre could not apply it (the case moved on); see the conflicts.
    Conflict,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DecisionOnCase {
    pub id: String,
    pub kind: DecisionKind,
    pub state: DeliveryState,
    pub recorded_at: String,
    /// Why the last attempt failed or why it conflicts.
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OfficerView {
    pub id: String,
    pub full_name: String,
}

/// A case as the case view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseView {
    pub id: String,
    pub number: String,
    pub service: String,
    /// As the centre last said.
    pub status: Status,
    pub submitted_at: String,
    pub due_date: String,
    pub working_days_left: Option<i32>,
    /// Set while the deadline is stopped (the applicant owes documents): the working days it
    /// keeps for when they arrive.
    pub paused_days_left: Option<i32>,
    pub overdue: bool,
    pub applicant: ApplicantView,
    /// The officer responsible for the case.
    pub officer: Option<OfficerView>,
    /// The case is assigned to the officer signed in here.
    pub mine: bool,
    pub form: Vec<FormGroupView>,
    pub documents: Vec<DocumentView>,
    pub checklist: Vec<ChecklistItem>,
    pub history: Vec<HistoryItem>,
    /// The internal notes, oldest first: the centre's, a reassignment's reason, and those
    /// written here not yet kept there.
    pub notes: Vec<NoteView>,
    /// The applicant's other applications, newest first; possible duplicates flagged.
    pub applicant_history: Vec<RelatedView>,
    /// This desk's latest decision on the case.
    pub decision: Option<DecisionOnCase>,
    /// The officer may record a decision now.
    pub can_decide: bool,
    /// The case's version as the centre last said (what a reopening is based on).
    #[ts(type = "number")]
    pub version: i64,
    /// The permit or document issued, once recorded.
    pub execution: Option<ExecutionView>,
    /// The signed-in supervisor may reopen the case: it is decided (accepted or refused) and no
    /// permit was issued.
    pub can_reopen: bool,
    /// The permit or document of this accepted case may be recorded as issued from here (its
    /// officer, or a supervisor).
    pub can_execute: bool,
    /// The decision the centre last applied to the case, whose letter the applicant received.
    pub letter_decision: Option<String>,
    /// A refusal waiting for a supervisor's approval (four eyes).
    pub proposal: Option<crate::approvals::ProposalView>,
    /// A refusal the supervisor returned, with the note, until a new decision follows.
    pub returned: Option<crate::approvals::ReturnedView>,
}

/// The case's description as the centre last sent it.
pub(crate) fn detail(store: &Store, id: &str) -> DeskResult<(ApplicationDetail, bool)> {
    let row = store.case_detail(id)?;
    let (detail, mine) =
        row.ok_or_else(|| DeskError::invalid(format!("case {id} is not on this desk")))?;
    let value = serde_json::from_str(&detail)
        .map_err(|e| DeskError::internal(format!("case {id}: {e}")))?;
    Ok((value, mine))
}

fn latest_decision(store: &Store, id: &str) -> DeskResult<Option<DecisionOnCase>> {
    let Some(latest) = store.latest_decision(id)? else {
        return Ok(None);
    };
    let state = match latest.state {
        OutboxState::Pending => DeliveryState::Pending,
        OutboxState::Sent => DeliveryState::Sent,
        OutboxState::Conflict => DeliveryState::Conflict,
    };
    Ok(Some(DecisionOnCase {
        id: latest.id,
        kind: latest.request.kind,
        state,
        recorded_at: latest.recorded_at,
        last_error: latest.last_error,
    }))
}

/// The documents of a case with what the desk knows of their bytes: stored or not, their
/// format from the first bytes, and why a file cannot be opened, found when its text was read
/// (a file whose text alone defeats the reader is still shown: the text panel says why).
fn documents(store: &Store, app: &ApplicationDetail) -> DeskResult<Vec<DocumentView>> {
    let case_id = app.id.as_str();
    let added_here = store.counter_states(case_id)?;
    let me = store.meta(crate::cache::Meta::UserName)?;
    let mut out = Vec::new();
    for StoredDocument {
        id,
        doc_type,
        file_name,
        size,
        head,
        stored,
        problem,
    } in store.case_documents(case_id)?
    {
        let (state, format, problem) = if !stored {
            (DocumentState::NotDownloaded, None, None)
        } else {
            let format = migdesk_docs::sniff(head.as_deref().unwrap_or_default());
            match (&format, problem) {
                (migdesk_docs::Format::Unsupported { what }, _) => (
                    DocumentState::Unreadable,
                    Some(what.clone()),
                    // The same words as the viewer's, so the officer reads one message.
                    Some(migdesk_docs::DocError::Unsupported { what: what.clone() }.to_string()),
                ),
                (f, Some(p)) => (
                    DocumentState::Unreadable,
                    Some(f.name().to_owned()),
                    Some(p),
                ),
                (f, None) => (DocumentState::Ready, Some(f.name().to_owned()), None),
            }
        };
        let here = added_here.iter().find(|(d, _, _, _)| *d == id);
        let delivery = here.map(|(_, _, state, _)| match state {
            NoteState::Pending => NoteDelivery::Pending,
            NoteState::Sent => NoteDelivery::Kept,
            NoteState::Refused => NoteDelivery::Refused,
        });
        let problem = match here {
            Some((_, _, NoteState::Refused, why)) => why.clone().or(problem),
            _ => problem,
        };
        let added_by = app
            .documents
            .iter()
            .find(|d| d.id == id)
            .and_then(|d| d.added_by.as_ref().map(|o| o.full_name.clone()))
            .or_else(|| here.and(me.clone()));
        out.push(DocumentView {
            id,
            doc_type,
            file_name,
            size,
            state,
            format,
            problem,
            added_by,
            delivery,
        });
    }
    Ok(out)
}

/// The required-documents checklist: each type the service requires, present when a readable
/// (or not yet downloaded) copy was submitted.
pub fn checklist(required: &[String], documents: &[DocumentView]) -> Vec<ChecklistItem> {
    required
        .iter()
        .map(|code| {
            // A file added at the counter that the centre refused does not count.
            let of_type: Vec<&DocumentView> = documents
                .iter()
                .filter(|d| &d.doc_type == code && d.delivery != Some(NoteDelivery::Refused))
                .collect();
            let state = if of_type.is_empty() {
                ChecklistState::Absent
            } else if of_type.iter().all(|d| d.state == DocumentState::Unreadable) {
                ChecklistState::Unreadable
            } else {
                ChecklistState::Present
            };
            ChecklistItem {
                doc_type: code.clone(),
                state,
                document_ids: of_type.iter().map(|d| d.id.clone()).collect(),
                zone: None,
            }
        })
        .collect()
}

/// A decision the centre applied before the case came back to wait for a decision — a
/// supervisor reopened it, or the documents a missing-documents decision asked for arrived —
/// no longer stands in the way of a new one.
fn superseded(app: &ApplicationDetail, decision_id: &str) -> bool {
    let decided = app.history.iter().position(
        |e| matches!(&e.event, Event::Decided { decision_id: id, .. } if id == decision_id),
    );
    decided.is_some_and(|d| {
        app.history[d + 1..].iter().any(|e| {
            matches!(
                e.event,
                Event::Reopened { .. } | Event::DocumentsAdded { .. }
            )
        })
    }) || app.history.iter().any(
        // A supervisor returned the proposed refusal: the officer decides again.
        |e| matches!(&e.event, Event::RefusalReturned { decision_id: id, .. } if id == decision_id),
    )
}

/// This desk's latest decision on the case, unless the case came back since (see
/// [`superseded`]).
fn standing_decision(store: &Store, app: &ApplicationDetail) -> DeskResult<Option<DecisionOnCase>> {
    Ok(latest_decision(store, &app.id)?.filter(|d| !superseded(app, &d.id)))
}

/// Why a decision cannot be recorded on the case now; `None` when it can.
fn refusal(
    app: &ApplicationDetail,
    mine: bool,
    decision: Option<&DecisionOnCase>,
) -> Option<&'static str> {
    let status = app.status;
    if !mine {
        Some("this case is not assigned to you")
    } else if matches!(
        decision.map(|d| d.state),
        Some(DeliveryState::Pending | DeliveryState::Sent)
    ) {
        Some("this case already has your decision")
    } else if app.proposal.is_some() {
        Some("a refusal on this case waits for a supervisor's approval")
    } else if status != Status::Pending {
        Some("this case is no longer waiting for a decision")
    } else {
        None
    }
}

/// The case view.
pub fn view(store: &Store, catalogue: &Catalogue, id: &str, today: &str) -> DeskResult<CaseView> {
    let (app, mine) = detail(store, id)?;
    let required = catalogue
        .service(&app.service)
        .map(|s| s.required_documents.clone())
        .unwrap_or_default();
    let documents = documents(store, &app)?;
    let decision = standing_decision(store, &app)?;
    let status = app.status;
    let supervisor = crate::session::profile(store)?.is_some_and(|u| u.role == Role::Supervisor);
    let execution = app.execution.as_ref().map(|x| ExecutionView {
        document_number: x.document_number.clone(),
        issued_on: x.issued_on.clone(),
        by: x.by.full_name.clone(),
        recorded_at: x.recorded_at.clone(),
    });
    let can_reopen =
        supervisor && matches!(status, Status::Accepted | Status::Refused) && execution.is_none();
    let can_execute = status == Status::Accepted && execution.is_none() && (mine || supervisor);
    let version = app.assignment.version;
    let letter_decision = app.history.iter().rev().find_map(|e| match &e.event {
        Event::Decided { decision_id, .. } => Some(decision_id.clone()),
        _ => None,
    });
    let officer = app.assignment.officer.as_ref().map(|o| OfficerView {
        id: o.id.clone(),
        full_name: o.full_name.clone(),
    });
    let can_decide = refusal(&app, mine, decision.as_ref()).is_none();
    let proposal = crate::approvals::proposal_of(store, &app)?;
    let returned = crate::approvals::returned_of(&app);
    let history = casework::history(&app);
    let notes = casework::notes(store, &app)?;
    let applicant_history = casework::related(&app);
    let a = app.applicant;
    Ok(CaseView {
        id: id.to_owned(),
        number: app.number,
        working_days_left: crate::queue::working_days_left(today, &app.due_date),
        paused_days_left: app
            .paused
            .as_ref()
            .map(|p| i32::try_from(p.working_days_left).unwrap_or(i32::MAX)),
        overdue: status == Status::Pending && app.due_date.as_str() < today,
        service: app.service,
        submitted_at: app.submitted_at,
        due_date: app.due_date,
        applicant: ApplicantView {
            name_latin: a.name_latin,
            name_native: a.name_native,
            fin: a.fin,
            passport_number: a.passport_number,
            date_of_birth: a.date_of_birth,
            nationality: a.nationality,
            email: a.email,
            language: a.language.code().to_owned(),
        },
        officer,
        mine,
        form: app
            .form
            .into_iter()
            .map(|g| FormGroupView {
                key: g.key,
                fields: g
                    .fields
                    .into_iter()
                    .map(|f| FormFieldView {
                        key: f.key,
                        value: f.value,
                    })
                    .collect(),
            })
            .collect(),
        checklist: crate::zone::on_checklist(store, checklist(&required, &documents), today),
        documents,
        history,
        notes,
        applicant_history,
        decision,
        can_decide,
        status,
        version,
        execution,
        can_reopen,
        can_execute,
        letter_decision,
        proposal,
        returned,
    })
}

/// Checks a decision against the case with the centre's rules; the error is `invalid`.
fn check(
    catalogue: &Catalogue,
    app: &ApplicationDetail,
    added_here: &[(String, String)],
    decision: &Decision,
) -> DeskResult<()> {
    let required = catalogue
        .service(&app.service)
        .map(|s| s.required_documents.clone())
        .unwrap_or_default();
    let field_keys: HashSet<&str> = app
        .form
        .iter()
        .flat_map(|g| &g.fields)
        .map(|f| f.key.as_str())
        .collect();
    // The files added at the counter here count too: they reach the centre before the decision.
    let document_ids: HashSet<&str> = app
        .documents
        .iter()
        .map(|d| d.id.as_str())
        .chain(added_here.iter().map(|(id, _)| id.as_str()))
        .collect();
    decision::validate(
        decision,
        &decision::CaseShape {
            required_documents: &required,
            field_keys: &field_keys,
            document_ids: &document_ids,
        },
    )
    .map_err(|e| DeskError::invalid(e.0))
}

/// The e-mail the applicant will receive for `decision`, in the applicant's language, signed
/// with `officer_name`: the centre renders the very same text when the decision arrives.
pub fn preview(
    store: &Store,
    catalogue: &Catalogue,
    id: &str,
    decision: &Decision,
    officer_name: &str,
) -> DeskResult<Email> {
    let (app, _) = detail(store, id)?;
    let added_here = casework::added_here(store, id)?;
    check(catalogue, &app, &added_here, decision)?;
    let documents: Vec<(String, String)> = app
        .documents
        .iter()
        .map(|d| (d.id.clone(), d.doc_type.clone()))
        .chain(added_here)
        .collect();
    let submitted_on = decision::day_for_applicant(&app.submitted_at);
    Ok(decision::render_email(
        catalogue,
        &CaseFacts {
            number: &app.number,
            service: &app.service,
            submitted_on: &submitted_on,
            applicant_name: &app.applicant.name_latin,
            language: app.applicant.language,
            officer_name,
            documents: &documents,
        },
        decision,
    ))
}

/// Records a decision after checking it: durable at once with its outbox entry; the next sync
/// delivers it. Refused when the case is not the officer's to decide or already has one.
pub fn decide(
    store: &mut Store,
    catalogue: &Catalogue,
    id: &str,
    decision: &Decision,
    today: &str,
) -> DeskResult<CaseView> {
    let (app, mine) = detail(store, id)?;
    if let Some(why) = refusal(&app, mine, standing_decision(store, &app)?.as_ref()) {
        return Err(DeskError::invalid(why));
    }
    check(catalogue, &app, &casework::added_here(store, id)?, decision)?;
    crate::sync::record_decision(store, id, decision)?;
    view(store, catalogue, id, today)
}

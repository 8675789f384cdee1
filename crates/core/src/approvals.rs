//! Four eyes on refusals, on the desk. Where the department asks for it, an officer's refusal
//! reaches the centre as a proposal: the case screen says it waits, and the supervisor's desk
//! lists it (from the cached cases of the department, so the list works offline) with the
//! officer's reasons and the e-mail the applicant will read. The supervisor approves it or
//! returns it with a note; the answer is kept at once and delivered by the next sync like any of
//! the officer's work ([`crate::sync::push_approvals`]); an answer the centre refuses (the case
//! moved meanwhile) goes to the inbox. The department's setting itself is the centre's to keep,
//! so changing it needs the network ([`crate::supervision::Supervision::set_settings`]).

use migdesk_api::{ApplicationDetail, ApprovalAction, Proposal, Role};
use migdesk_domain::decision::RefusalReason;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cache::{LocalApproval, NoteState, Store};
use crate::casework::NoteDelivery;
use crate::error::{DeskError, DeskResult};

/// A supervisor's answer given on this desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AnswerView {
    pub action: ApprovalAction,
    pub note: String,
    pub answered_at: String,
    /// Waiting to be sent, applied by the centre, or refused (the case moved: see the inbox).
    pub delivery: NoteDelivery,
    /// The centre's words, when it was refused or could not be reached.
    pub problem: Option<String>,
}

/// A refusal waiting for a supervisor's approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProposalView {
    pub decision_id: String,
    /// The officer who proposed it, by name.
    pub proposed_by: String,
    pub decided_at: String,
    pub reasons: Vec<RefusalReason>,
    pub note: String,
    /// The e-mail the applicant receives once it is approved.
    pub email_subject: String,
    pub email_body: String,
    /// The signed-in supervisor may approve it (never one's own refusal).
    pub can_approve: bool,
    /// The signed-in supervisor may answer it now (no answer of theirs is waiting or applied).
    pub can_answer: bool,
    /// This desk's answer to it, once given.
    pub answer: Option<AnswerView>,
}

/// A refusal the supervisor returned, while the case waits for its officer's new decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReturnedView {
    /// The supervisor, by name.
    pub by: String,
    pub at: String,
    /// Why it came back.
    pub note: String,
}

/// The supervisor's note on a refusal returned to its officer, while no decision has followed.
pub(crate) fn returned_of(app: &ApplicationDetail) -> Option<ReturnedView> {
    use migdesk_api::Event;
    let last = app.history.iter().rev().find(|e| {
        matches!(
            e.event,
            Event::RefusalReturned { .. } | Event::RefusalProposed { .. } | Event::Decided { .. }
        )
    })?;
    match &last.event {
        Event::RefusalReturned { note, .. } if app.status == migdesk_api::Status::Pending => {
            Some(ReturnedView {
                by: last
                    .actor
                    .as_ref()
                    .map(|a| a.full_name.clone())
                    .unwrap_or_default(),
                at: last.at.clone(),
                note: note.clone(),
            })
        }
        _ => None,
    }
}

/// One line of the supervisor's approvals list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApprovalView {
    pub case_id: String,
    pub number: String,
    pub service: String,
    pub applicant: String,
    pub proposal: ProposalView,
}

/// The supervisor's answer, as the department screen gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ProposalAnswer {
    pub decision_id: String,
    pub action: ApprovalAction,
    /// Required to return the refusal.
    pub note: String,
}

fn answer_view(a: &LocalApproval) -> AnswerView {
    AnswerView {
        action: a.action,
        note: a.note.clone(),
        answered_at: a.answered_at.clone(),
        delivery: match a.state {
            NoteState::Pending => NoteDelivery::Pending,
            NoteState::Sent => NoteDelivery::Kept,
            NoteState::Refused => NoteDelivery::Refused,
        },
        problem: a.last_error.clone(),
    }
}

/// Who is signed in: (their id, whether they supervise).
fn me(store: &Store) -> DeskResult<(String, bool)> {
    Ok(crate::session::profile(store)?
        .map(|u| (u.id, u.role == Role::Supervisor))
        .unwrap_or_default())
}

fn view(proposal: &Proposal, answers: &[LocalApproval], me: &(String, bool)) -> ProposalView {
    let answer = answers
        .iter()
        .find(|a| a.decision_id == proposal.decision_id);
    let (my_id, supervisor) = me;
    ProposalView {
        decision_id: proposal.decision_id.clone(),
        proposed_by: proposal.proposed_by.full_name.clone(),
        decided_at: proposal.decided_at.clone(),
        reasons: proposal.reasons.clone(),
        note: proposal.note.clone(),
        email_subject: proposal.email_subject.clone(),
        email_body: proposal.email_body.clone(),
        can_approve: *supervisor && proposal.proposed_by.id != *my_id,
        // An answer the centre refused may be given again, on the case as it is now.
        can_answer: *supervisor && answer.is_none_or(|a| a.state == NoteState::Refused),
        answer: answer.map(answer_view),
    }
}

/// The refusal waiting for approval on a case, as its case screen shows it.
pub(crate) fn proposal_of(
    store: &Store,
    app: &ApplicationDetail,
) -> DeskResult<Option<ProposalView>> {
    let Some(proposal) = &app.proposal else {
        return Ok(None);
    };
    Ok(Some(view(proposal, &store.local_approvals()?, &me(store)?)))
}

/// The refusals of the department waiting for approval, oldest first, from the cache.
pub fn list(store: &Store) -> DeskResult<Vec<ApprovalView>> {
    let answers = store.local_approvals()?;
    let me = me(store)?;
    store
        .proposed_cases()?
        .into_iter()
        .map(|detail| {
            let app: ApplicationDetail = serde_json::from_str(&detail)
                .map_err(|e| DeskError::internal(format!("a cached case: {e}")))?;
            let proposal = app
                .proposal
                .as_ref()
                .ok_or_else(|| DeskError::internal("a proposed case without its proposal"))?;
            Ok(ApprovalView {
                proposal: view(proposal, &answers, &me),
                case_id: app.id,
                number: app.number,
                service: app.service,
                applicant: app.applicant.name_latin,
            })
        })
        .collect()
}

/// Keeps the supervisor's answer to the refusal proposed on a cached case, durable at once; the
/// next sync delivers it.
pub fn answer(store: &mut Store, case_id: &str, answer: &ProposalAnswer) -> DeskResult<()> {
    let me = me(store)?;
    if !me.1 {
        return Err(DeskError::invalid(
            "only a supervisor answers a proposed refusal",
        ));
    }
    let app = crate::case::detail(store, case_id)?.0;
    let Some(proposal) = app
        .proposal
        .as_ref()
        .filter(|p| p.decision_id == answer.decision_id)
    else {
        return Err(DeskError::invalid(format!(
            "no refusal {} waits for approval on this case",
            answer.decision_id
        )));
    };
    let shown = view(proposal, &store.local_approvals()?, &me);
    if !shown.can_answer {
        return Err(DeskError::invalid("this refusal already has your answer"));
    }
    if answer.action == ApprovalAction::Approve && !shown.can_approve {
        return Err(DeskError::invalid(
            "a refusal you proposed is approved by another supervisor",
        ));
    }
    // The contract's rule for the note, checked before anything is kept.
    let note =
        migdesk_api::approval_note(answer.action, &answer.note).map_err(DeskError::invalid)?;
    store.record_approval(case_id, &answer.decision_id, answer.action, &note)
}

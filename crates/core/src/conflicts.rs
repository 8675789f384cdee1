//! Conflicts: decisions the centre kept but could not apply because the case moved on (a
//! supervisor moved it, it was decided elsewhere, it changed, the applicant withdrew), or
//! refused for good (it did not fit the case, or was not the officer's to make). This
//! desk's own stay in the outbox; the centre's list (kept by each sync in `central_conflicts`)
//! adds a supervisor's answer to them and the conflicts of others that concern this user — for
//! a supervisor the department's, for an officer those on the cases they have now. Each is told
//! in facts the UI puts into words and can be marked as seen. Nothing is ever deleted from the
//! outbox; the centre's list is replaced whole by each sync.

use migdesk_api::{ConflictRecord, ErrorBody, Status};
use migdesk_domain::decision::DecisionKind;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cache::{NoteState, OutboxConflict, Store};
use crate::error::{DeskError, DeskResult, ErrorKind};

pub use migdesk_api::{ApprovalAction, ConflictCause, ResolutionAction};

/// A supervisor's answer to a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConflictResolution {
    pub action: ResolutionAction,
    pub reason: Option<String>,
    /// The supervisor's name.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
}

/// One conflict, with what the UI needs to explain it in the officer's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ConflictView {
    /// The decision's id (the outbox entry).
    pub id: String,
    pub case_id: String,
    pub number: String,
    pub applicant: String,
    pub service: String,
    pub kind: DecisionKind,
    /// When the officer recorded the decision on this desk (RFC 3339).
    pub decided_at: String,
    pub cause: ConflictCause,
    /// The officer the case is with now, as the centre said.
    pub now_with: Option<String>,
    /// When the case last changed at the centre (RFC 3339), as the centre said.
    pub changed_at: Option<String>,
    /// The case's status at the centre now.
    pub status_now: Option<Status>,
    /// The centre's own words (English), for support staff.
    pub message: String,
    /// The officer has marked it as seen.
    pub seen: bool,
    /// Who recorded the decision: null when it was recorded on this desk.
    pub decided_by: Option<String>,
    /// The decision was recorded on this desk (the officer's own).
    pub on_this_desk: bool,
    /// What a supervisor decided about it, once resolved.
    pub resolution: Option<ConflictResolution>,
    /// For a supervisor's answer to a proposed refusal that the centre could not apply (the case
    /// moved meanwhile): the answer. `kind` is then the refusal, `decided_by` its officer.
    pub answer: Option<ApprovalAction>,
}

/// All conflicts, unseen first, newest first: this desk's own, with the centre's news of them,
/// and the others the centre listed.
pub fn list(store: &Store) -> DeskResult<Vec<ConflictView>> {
    // The centre's records by decision id, with whether this desk has marked each seen.
    let mut centre: std::collections::HashMap<String, (ConflictRecord, bool)> = store
        .central_conflicts()?
        .into_iter()
        .map(|(record, seen)| (record.decision_id.clone(), (record, seen)))
        .collect();
    let mut views = own(store)?;
    views.extend(answers(store)?);
    for view in &mut views {
        if let Some((record, _)) = centre.remove(&view.id) {
            view.resolution = resolution(&record);
            if let Some(officer) = record.now_with {
                view.now_with = Some(officer.full_name);
            }
        }
    }
    for (id, (record, seen)) in centre {
        views.push(from_central(store, id, record, seen)?);
    }
    views.sort_by(|a, b| {
        (a.seen, std::cmp::Reverse(&a.decided_at), &a.id).cmp(&(
            b.seen,
            std::cmp::Reverse(&b.decided_at),
            &b.id,
        ))
    });
    Ok(views)
}

fn resolution(record: &ConflictRecord) -> Option<ConflictResolution> {
    record.resolution.as_ref().map(|r| ConflictResolution {
        action: r.action,
        reason: r.reason.clone(),
        by: r.by.full_name.clone(),
        at: r.at.clone(),
    })
}

/// A conflict this desk knows only from the centre's list (another officer's decision).
fn from_central(
    store: &Store,
    id: String,
    record: ConflictRecord,
    seen: bool,
) -> DeskResult<ConflictView> {
    let case_id = record.application_id.clone();
    let cached = store.case_label(&case_id)?;
    let resolution = resolution(&record);
    let (number, service, applicant) = cached.unwrap_or_else(|| {
        (
            record.number.clone(),
            record.service.clone(),
            record.applicant_name.clone(),
        )
    });
    Ok(ConflictView {
        message: record.message.clone().unwrap_or_else(|| {
            format!(
                "the decision was kept as a conflict: {}",
                record.cause.as_str()
            )
        }),
        resolution,
        decided_by: Some(record.decided_by.full_name),
        on_this_desk: false,
        answer: None,
        id,
        case_id,
        number,
        applicant,
        service,
        kind: record.kind,
        decided_at: record.decided_at,
        cause: record.cause,
        now_with: record.now_with.map(|o| o.full_name),
        changed_at: Some(record.changed_at),
        status_now: Some(record.status),
        seen,
    })
}

/// This desk's own conflicts, from the outbox.
fn own(store: &Store) -> DeskResult<Vec<ConflictView>> {
    store
        .outbox_conflicts()?
        .into_iter()
        .map(view_of_own)
        .collect()
}

/// This desk's answers to proposed refusals that the centre refused.
fn answers(store: &Store) -> DeskResult<Vec<ConflictView>> {
    Ok(store
        .local_approvals()?
        .into_iter()
        .filter(|a| a.state == NoteState::Refused)
        .map(|a| ConflictView {
            number: a.number.unwrap_or_else(|| a.case_id.clone()),
            id: a.decision_id,
            case_id: a.case_id,
            applicant: a.applicant.unwrap_or_default(),
            service: a.service.unwrap_or_default(),
            kind: DecisionKind::Refuse,
            decided_at: a.answered_at,
            cause: a.cause.unwrap_or(ConflictCause::Rejected),
            now_with: None,
            changed_at: None,
            status_now: None,
            message: a.last_error.unwrap_or_default(),
            seen: a.seen,
            decided_by: None,
            on_this_desk: true,
            resolution: None,
            answer: Some(a.action),
        })
        .collect())
}

/// Marks a conflict as seen; it stays listed (and kept at the centre).
pub fn mark_seen(store: &Store, id: &str) -> DeskResult<()> {
    if !store.mark_conflict_seen(id)? {
        return Err(DeskError::new(
            ErrorKind::Invalid,
            format!("no conflict {id} on this desk"),
        ));
    }
    Ok(())
}

/// One of this desk's conflicts, told from its outbox row.
fn view_of_own(own: OutboxConflict) -> DeskResult<ConflictView> {
    // The centre's 409 body, checked against the contract when it arrived.
    let answer: Option<ErrorBody> = own
        .response
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok());
    // A 409 always names its cause; an answer without one refused the decision for good.
    let cause = match &answer {
        Some(a) => a.cause.unwrap_or(ConflictCause::Rejected),
        None => ConflictCause::Unknown,
    };
    let current = answer.as_ref().and_then(|a| a.current.as_ref());
    let request = own.request;
    Ok(ConflictView {
        number: own.number.unwrap_or_else(|| own.case_id.clone()),
        id: own.id,
        case_id: own.case_id,
        applicant: own.applicant.unwrap_or_default(),
        service: own.service.unwrap_or_default(),
        kind: request.kind,
        decided_at: if request.decided_at.is_empty() {
            own.recorded_at
        } else {
            request.decided_at
        },
        cause,
        now_with: current
            .and_then(|c| c.assignment.officer.as_ref())
            .map(|o| o.full_name.clone()),
        changed_at: current.and_then(|c| c.changed_at.clone()),
        status_now: current.map(|c| c.status),
        message: answer
            .map(|a| a.message)
            .or(own.last_error)
            .unwrap_or_default(),
        seen: own.seen,
        decided_by: None,
        on_this_desk: true,
        resolution: None,
        answer: None,
    })
}

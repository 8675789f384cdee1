//! Four eyes on refusals (the department's setting is in `departments`): an officer's refusal kept as a proposal, the
//! department's approvals list, and a supervisor's answer — approve (the refusal applies and the
//! applicant's e-mail goes) or return with a note (the case waits for its officer again). The
//! officer who proposed a refusal never approves it.

use std::collections::HashMap;

use crate::sql::{Conn, OptionalExtension};
use axum::Json;
use axum::extract::State;
use rusqlite::params;

use super::appeals::{changed, detail_now};
use super::supervision::require_department_supervisor;
use super::{NeedsSession, NeedsSupervisor};
use crate::AppState;
use crate::auth::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult, ConflictCause, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::store::{self, CaseRow, json_col};
use migdesk_api::{
    ApplicationDetail, ApprovalAction, ApprovalItem, ApprovalRequest, DecisionRequest,
    DecisionResponse, Event, OfficerRef, Proposal, Status,
};

/// The refusal waiting for approval on the case, if one does.
pub(crate) fn open_proposal(conn: &Conn<'_>, application_id: &str) -> ApiResult<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT decision_id FROM refusal_proposals WHERE application_id = ?1 AND state = 'open'",
            [application_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Keeps the officer's refusal as a proposal: the e-mail it will send is rendered now, the case
/// waits (its version moves on and its desks hear of it), and nobody outside is told.
pub(crate) fn propose(
    tx: &Conn<'_>,
    catalogue: &migdesk_domain::Catalogue,
    case: &CaseRow,
    req: &DecisionRequest,
    officer: &OfficerRef,
    now: &str,
) -> ApiResult<DecisionResponse> {
    let detail = store::application_detail(tx, &case.id)?
        .ok_or_else(|| ApiError::not_found(format!("no application {}", case.id)))?;
    let email = crate::letter::email(catalogue, &detail, &officer.full_name, &req.decision());
    let decision_id = req.id.to_string();
    tx.execute(
        "INSERT INTO refusal_proposals (decision_id, application_id, proposed_by, proposed_at, email_subject, email_body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![decision_id, case.id, officer.id, now, email.subject, email.body],
    )?;
    store::add_event(
        tx,
        &case.id,
        now,
        Some(&officer.id),
        &Event::RefusalProposed {
            decision_id,
            reasons: req.reasons.clone(),
            note: req.note.clone(),
            decided_at: req.decided_at.clone(),
        },
    )?;
    changed(tx, case, now)?;
    Ok(DecisionResponse {
        id: req.id,
        application_id: case.id.clone(),
        status: Status::Pending,
        version: case.version + 1,
        notification_id: None,
        awaiting_approval: true,
    })
}

/// The open proposals of these applications, by application id.
pub(crate) fn proposals_of(conn: &Conn<'_>, ids: &[&str]) -> ApiResult<HashMap<String, Proposal>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT p.application_id, p.decision_id, p.proposed_by, u.full_name, p.proposed_at, d.request, p.email_subject, p.email_body
         FROM refusal_proposals p JOIN decisions d ON d.id = p.decision_id JOIN users u ON u.id = p.proposed_by
         WHERE p.state = 'open' AND p.application_id IN (SELECT value FROM {})",
        conn.json_values("?1")
    ))?;
    let rows = stmt.query_map([store::id_list(ids)], |r| {
        let request = json_col::<DecisionRequest>(5, r.get(5)?)?;
        Ok((
            r.get::<_, String>(0)?,
            Proposal {
                decision_id: r.get(1)?,
                proposed_by: OfficerRef {
                    id: r.get(2)?,
                    full_name: r.get(3)?,
                },
                proposed_at: r.get(4)?,
                decided_at: request.decided_at,
                reasons: request.reasons,
                note: request.note,
                email_subject: r.get(6)?,
                email_body: r.get(7)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The refusals of the department waiting for a supervisor's approval, oldest first.
#[utoipa::path(get, path = "/api/v1/departments/{id}/approvals", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path, description = "Department id")),
    responses((status = 200, body = Vec<ApprovalItem>), NeedsSupervisor))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(department_id): ApiPath<String>,
) -> ApiResult<Json<Vec<ApprovalItem>>> {
    require_department_supervisor(&caller, &department_id)?;
    state
        .db
        .read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT a.id, a.number, a.service, {name}, a.version
                 FROM refusal_proposals p JOIN applications a ON a.id = p.application_id
                 WHERE p.state = 'open' AND a.department_id = ?1 AND a.status = 'pending'
                 ORDER BY p.proposed_at, a.number",
                name = conn.json_text("a.applicant", "name_latin")
            ))?;
            let cases = stmt
                .query_map([&department_id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, i64>(4)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let ids: Vec<&str> = cases.iter().map(|c| c.0.as_str()).collect();
            let mut proposals = proposals_of(conn, &ids)?;
            let items = cases
                .into_iter()
                .filter_map(|(id, number, service, applicant_name, version)| {
                    Some(ApprovalItem {
                        proposal: proposals.remove(&id)?,
                        application_id: id,
                        number,
                        service,
                        applicant_name,
                        version,
                    })
                })
                .collect();
            Ok(Json(items))
        })
        .await
}

/// A proposed refusal as kept, with the answer it has had, if any.
struct Answered {
    application_id: String,
    proposed_by: String,
    state: String,
    answered_by: Option<String>,
    answer: Option<String>,
}

/// A supervisor of the case's department approves a proposed refusal (the refusal applies as
/// its officer made it, signed with their name, and the applicant's e-mail is queued) or returns
/// it with a note (the case waits for its officer's decision again). The answer is based on the
/// case's version the supervisor saw: if it changed since (documents arrived, the applicant
/// withdrew), nothing happens and the 409 says why. The officer who proposed a refusal cannot
/// approve it. Sending the same answer again answers the case as it is.
#[utoipa::path(post, path = "/api/v1/approvals/{decision_id}", tag = "supervision", security(("bearer" = [])),
    params(("decision_id" = String, Path, description = "The proposed refusal's decision id")),
    request_body = ApprovalRequest,
    responses(
        (status = 200, body = ApplicationDetail, description = "Answered: the case as it is now"),
        (status = 400, body = ErrorBody, description = "A return without a note, a note too long, or a time that is not RFC 3339"),
        NeedsSession,
        (status = 403, body = ErrorBody, description = "Not a supervisor of the case's department, or approving one's own refusal"),
        (status = 404, body = ErrorBody, description = "No such proposed refusal"),
        (status = 409, body = ErrorBody, description = "Already answered (`already_decided`), the case changed since (`stale_version`) or was withdrawn (`withdrawn`)"),
    ))]
pub async fn answer(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(decision_id): ApiPath<String>,
    ApiJson(req): ApiJson<ApprovalRequest>,
) -> ApiResult<Json<ApplicationDetail>> {
    caller.require_supervisor()?;
    let note = req.checked_note().map_err(ApiError::bad_request)?;
    if clock::parse(&req.answered_at).is_none() {
        return Err(ApiError::bad_request(
            "answered_at must be an RFC 3339 time",
        ));
    }
    let answer_json = serde_json::to_string(&req).map_err(|e| ApiError::internal(e.to_string()))?;
    state
        .db
        .write(move |tx| {
            let Some(proposal) = tx
                .query_row(
                    "SELECT application_id, proposed_by, state, answered_by, answer FROM refusal_proposals WHERE decision_id = ?1",
                    [&decision_id],
                    |r| Ok(Answered { application_id: r.get(0)?, proposed_by: r.get(1)?, state: r.get(2)?, answered_by: r.get(3)?, answer: r.get(4)? }),
                )
                .optional()?
            else {
                return Err(ApiError::not_found(format!("no proposed refusal {decision_id}")));
            };
            let Answered { application_id, proposed_by, state: answered, answered_by, answer: earlier } = proposal;
            let case = store::case_row(tx, &application_id)?
                .ok_or_else(|| ApiError::not_found(format!("no application {application_id}")))?;
            require_department_supervisor(&caller, &case.department_id)?;
            let current = |tx: &Conn<'_>| store::current_case(tx, &case, Some(case.id.clone()), None);
            if answered != "open" {
                if answered_by.as_deref() == Some(caller.user_id.as_str()) && earlier.as_deref() == Some(answer_json.as_str()) {
                    return detail_now(tx, &case.id);
                }
                return Err(ApiError::conflict(
                    ConflictCause::AlreadyDecided,
                    format!("the refusal on {} was already {answered}", case.number),
                    Some(current(tx)?),
                ));
            }
            if req.action == ApprovalAction::Approve && proposed_by == caller.user_id {
                return Err(ApiError::forbidden(
                    "a refusal you proposed is approved by another supervisor",
                ));
            }
            if case.status == Status::Withdrawn {
                return Err(ApiError::conflict(
                    ConflictCause::Withdrawn,
                    format!("the applicant withdrew {}", case.number),
                    Some(current(tx)?),
                ));
            }
            if case.version != req.based_on_version {
                return Err(ApiError::conflict(
                    ConflictCause::StaleVersion,
                    format!("{} changed since you looked at it", case.number),
                    Some(current(tx)?),
                ));
            }
            let now = clock::format(clock::now());
            match req.action {
                ApprovalAction::Approve => {
                    store::add_event(tx, &case.id, &now, Some(&caller.user_id),
                        &Event::RefusalApproved { decision_id: decision_id.clone(), note: note.clone() })?;
                    let request: String = tx.query_row(
                        "SELECT request FROM decisions WHERE id = ?1", [&decision_id], |r| r.get(0))?;
                    let request: DecisionRequest = serde_json::from_str(&request)
                        .map_err(|e| ApiError::internal(format!("decision {decision_id}: {e}")))?;
                    let officer = store::officer_ref(tx, Some(&proposed_by))?
                        .ok_or_else(|| ApiError::internal(format!("no officer {proposed_by}")))?;
                    let response = super::decisions::apply(tx, &state.catalogue, &state.calendar, &case, &request, &officer, &now)?;
                    // A repeat of the officer's request now tells what became of it.
                    let body = serde_json::to_string(&response).map_err(|e| ApiError::internal(e.to_string()))?;
                    tx.execute("UPDATE decisions SET response = ?1 WHERE id = ?2", params![body, decision_id])?;
                }
                ApprovalAction::Return => {
                    store::add_event(tx, &case.id, &now, Some(&caller.user_id),
                        &Event::RefusalReturned { decision_id: decision_id.clone(), note: note.clone() })?;
                    changed(tx, &case, &now)?;
                }
            }
            let state_now = match req.action {
                ApprovalAction::Approve => "approved",
                ApprovalAction::Return => "returned",
            };
            tx.execute(
                "UPDATE refusal_proposals SET state = ?1, answered_by = ?2, answered_at = ?3, answer = ?4 WHERE decision_id = ?5",
                params![state_now, caller.user_id, now, answer_json, decision_id],
            )?;
            detail_now(tx, &case.id)
        })
        .await
}

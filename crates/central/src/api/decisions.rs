//! `POST /applications/{id}/decisions`: an officer's decision, idempotent by its id; a decision
//! on a case that moved on is kept as a conflict, never dropped.

use std::collections::HashSet;

use crate::sql::{Conn, OptionalExtension};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use rusqlite::params;
use serde_json::json;

use super::NeedsSession;
use crate::AppState;
use crate::auth::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult, ConflictCause, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::store::{self, CaseRow};
use migdesk_api::{
    ChangeKind, DecisionKind, DecisionRequest, DecisionResponse, Event, FormGroup, OfficerRef,
    Status, decided_status,
};
use migdesk_domain::decision;

/// Checks the request against the case with the rules the desk also applies before sending.
fn validate(
    req: &DecisionRequest,
    required: &[String],
    form: &[FormGroup],
    documents: &[String],
) -> ApiResult<()> {
    if clock::parse(&req.decided_at).is_none() {
        return Err(ApiError::bad_request("decided_at must be an RFC 3339 time"));
    }
    let field_keys: HashSet<&str> = form
        .iter()
        .flat_map(|g| g.fields.iter().map(|f| f.key.as_str()))
        .collect();
    let document_ids: HashSet<&str> = documents.iter().map(String::as_str).collect();
    decision::validate(
        &req.decision(),
        &decision::CaseShape {
            required_documents: required,
            field_keys: &field_keys,
            document_ids: &document_ids,
        },
    )
    .map_err(|e| ApiError::bad_request(e.0))
}

/// Whether the caller ever held the case (so a refusal is a conflict, not a stranger's attempt).
fn held_before(conn: &Conn<'_>, application_id: &str, user_id: &str) -> ApiResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM every_change WHERE application_id = ?1 AND (officer_id = ?2 OR previous_officer_id = ?2) LIMIT 1",
            params![application_id, user_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn conflict_cause(case: &CaseRow, caller: &Caller, based_on_version: i64) -> Option<ConflictCause> {
    if case.status == Status::Withdrawn {
        Some(ConflictCause::Withdrawn)
    } else if case.officer_id.as_deref() != Some(caller.user_id.as_str()) {
        Some(ConflictCause::Reassigned)
    } else if case.status != Status::Pending {
        Some(ConflictCause::AlreadyDecided)
    } else if case.version != based_on_version {
        Some(ConflictCause::StaleVersion)
    } else {
        None
    }
}

fn stored_reply(status: i64, body: &str) -> Response {
    let status = StatusCode::from_u16(u16::try_from(status).unwrap_or(500))
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let value: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|_| json!({}));
    (status, Json(value)).into_response()
}

/// Records the officer's decision. The request id makes the call idempotent: a repeat answers
/// 200 with the first answer (or the same 409). A decision on a case that moved on — reassigned,
/// already decided, changed since `based_on_version`, withdrawn — is kept as a conflict and
/// answered 409 with its `cause`; it is never dropped. A decision the centre refuses for good
/// (400 or 403 on a case the caller can see) is kept too, as a conflict with cause `rejected`,
/// so the department's supervisor sees it and a repeat gets the same answer.
#[utoipa::path(post, path = "/api/v1/applications/{id}/decisions", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = DecisionRequest,
    responses(
        (status = 201, body = DecisionResponse, description = "Recorded; the applicant's e-mail is queued, or, for a refusal where the department wants four eyes, it waits for a supervisor's approval (`awaiting_approval`)"),
        (status = 200, body = DecisionResponse, description = "A repeat of a recorded request"),
        (status = 400, body = ErrorBody, description = "The request is malformed or does not fit the case (kept as `rejected` when the case is known)"),
        NeedsSession,
        (status = 403, body = ErrorBody, description = "The case is not the caller's to decide (kept as `rejected`)"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Conflict: see `cause` (reassigned, already_decided, stale_version, withdrawn, id_reused)"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(application_id): ApiPath<String>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> ApiResult<Response> {
    let catalogue = state.catalogue.clone();
    let calendar = state.calendar.clone();
    state
        .db
        // The answer inside is committed either way: a refusal or a conflict is kept.
        .write_case(application_id.clone(), move |tx| {
            let request_json = serde_json::to_string(&req).map_err(|e| ApiError::internal(e.to_string()))?;
            let decision_id = req.id.to_string();

            // A repeat answers from the first request.
            let earlier: Option<(String, String, i64, String)> = tx
                .query_row(
                    "SELECT application_id, request, status_code, response FROM decisions WHERE id = ?1",
                    [&decision_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            if let Some((earlier_app, earlier_req, status, body)) = earlier {
                if earlier_app == application_id && earlier_req == request_json {
                    let status = if status == 201 { 200 } else { status };
                    return Ok(Ok(stored_reply(status, &body)));
                }
                return Err(ApiError::conflict(
                    ConflictCause::IdReused,
                    "this decision id was already used for a different decision",
                    None,
                ));
            }

            let case = store::visible_case(tx, &caller, &application_id)?;
            let now_s = clock::format(clock::now());
            let kept = Kept {
                req: &req,
                request_json: &request_json,
                application_id: &application_id,
                officer_id: &caller.user_id,
                received_at: &now_s,
            };
            let cause = match admissible(tx, &catalogue, &case, &caller, &req) {
                Ok(cause) => cause,
                Err(refusal) if refused_for_good(refusal.status) => {
                    // Kept, so the supervisor sees it and a repeat gets the same answer.
                    kept.record(tx, ConflictCause::Rejected, &refusal)?;
                    return Ok(Err(refusal));
                }
                Err(e) => return Err(e),
            };
            if let Some(cause) = cause {
                let changed_at: String = tx.query_row(
                    "SELECT updated_at FROM applications WHERE id = ?1",
                    [&application_id],
                    |r| r.get(0),
                )?;
                let current = store::current_case(tx, &case, None, Some(changed_at))?;
                let message = match cause {
                    ConflictCause::Withdrawn => "the applicant withdrew the application",
                    ConflictCause::Reassigned => "the case was moved to another officer",
                    ConflictCause::AlreadyDecided => "the case already has a decision",
                    ConflictCause::StaleVersion => "the case changed since you opened it",
                    ConflictCause::IdReused | ConflictCause::Rejected | ConflictCause::Unknown => {
                        "the decision could not be applied"
                    }
                };
                let err = ApiError::conflict(cause, message, Some(current));
                kept.record(tx, cause, &err)?;
                return Ok(Err(err));
            }

            tx.execute(
                "INSERT INTO decisions (id, application_id, officer_id, request, based_on_version, decided_at, received_at, outcome, status_code, response)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'applied', 201, '')",
                params![decision_id, application_id, caller.user_id, request_json, req.based_on_version, req.decided_at, now_s],
            )?;
            let officer = OfficerRef { id: caller.user_id.clone(), full_name: caller.full_name.clone() };
            // Four eyes: where the department asks for it, a refusal waits for a supervisor.
            let response = if req.kind == DecisionKind::Refuse && super::departments::settings_of(tx, &case.department_id)?.four_eyes_refusals {
                super::approvals::propose(tx, &catalogue, &case, &req, &officer, &now_s)?
            } else {
                apply(tx, &catalogue, &calendar, &case, &req, &officer, &now_s)?
            };
            let body = serde_json::to_string(&response).map_err(|e| ApiError::internal(e.to_string()))?;
            tx.execute("UPDATE decisions SET response = ?1 WHERE id = ?2", params![body, decision_id])?;
            Ok(Ok((StatusCode::CREATED, Json(response)).into_response()))
        })
        .await?
}

/// Whether the centre will give the same refusal to every repeat of the request: the decision
/// does not fit the case (400, 422) or is not the caller's to make (403).
fn refused_for_good(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::BAD_REQUEST | StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY
    )
}

/// Whether the case can take the decision: `Ok(None)` when it can, `Ok(Some(cause))` when the
/// case moved on since the officer decided (a conflict), an error when the centre refuses the
/// decision itself.
fn admissible(
    tx: &Conn<'_>,
    catalogue: &migdesk_domain::Catalogue,
    case: &CaseRow,
    caller: &Caller,
    req: &DecisionRequest,
) -> ApiResult<Option<ConflictCause>> {
    let detail = store::application_detail(tx, &case.id)?
        .ok_or_else(|| ApiError::not_found(format!("no application {}", case.id)))?;
    let required = catalogue
        .service(&case.service)
        .map(|s| s.required_documents.clone())
        .unwrap_or_default();
    let doc_ids: Vec<String> = detail.documents.iter().map(|d| d.id.clone()).collect();
    validate(req, &required, &detail.form, &doc_ids)?;
    if clock::parse(&req.decided_at).is_some_and(|t| t > clock::now() + Duration::minutes(5)) {
        return Err(ApiError::bad_request("decided_at lies in the future"));
    }
    let mut cause = conflict_cause(case, caller, req.based_on_version);
    if cause.is_none() && super::approvals::open_proposal(tx, &case.id)?.is_some() {
        // A refusal already waits for the supervisor's approval.
        cause = Some(ConflictCause::AlreadyDecided);
    }
    if cause == Some(ConflictCause::Reassigned) && !held_before(tx, &case.id, &caller.user_id)? {
        return Err(ApiError::forbidden("this case is not assigned to you"));
    }
    Ok(cause)
}

/// A decision the centre keeps without applying it, with the answer it gave.
struct Kept<'a> {
    req: &'a DecisionRequest,
    request_json: &'a str,
    application_id: &'a str,
    officer_id: &'a str,
    received_at: &'a str,
}

impl Kept<'_> {
    /// Records the decision with its cause and answer, and tells the case's history.
    fn record(&self, tx: &Conn<'_>, cause: ConflictCause, answer: &ApiError) -> ApiResult<()> {
        let body =
            serde_json::to_string(&answer.body).map_err(|e| ApiError::internal(e.to_string()))?;
        let decision_id = self.req.id.to_string();
        tx.execute(
            "INSERT INTO decisions (id, application_id, officer_id, request, based_on_version, decided_at, received_at, outcome, status_code, response)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                decision_id,
                self.application_id,
                self.officer_id,
                self.request_json,
                self.req.based_on_version,
                self.req.decided_at,
                self.received_at,
                cause.as_str(),
                answer.status.as_u16(),
                body
            ],
        )?;
        store::add_event(
            tx,
            self.application_id,
            self.received_at,
            Some(self.officer_id),
            &Event::DecisionConflict {
                decision_id,
                cause,
                kind: self.req.kind,
                decided_at: self.req.decided_at.clone(),
            },
        )?;
        Ok(())
    }
}

/// Applies a decision to its case: the new status and version, the `decided` event, the change
/// for the desks, and the applicant's e-mail (signed with the deciding officer's name). The
/// caller has checked that the case may take it and records the request itself.
pub(crate) fn apply(
    tx: &Conn<'_>,
    catalogue: &migdesk_domain::Catalogue,
    calendar: &migdesk_domain::Calendar,
    case: &CaseRow,
    req: &DecisionRequest,
    officer: &OfficerRef,
    now_s: &str,
) -> ApiResult<DecisionResponse> {
    let decision_id = req.id.to_string();
    let application_id = &case.id;
    let detail = store::application_detail(tx, application_id)?
        .ok_or_else(|| ApiError::not_found(format!("no application {application_id}")))?;
    let status = decided_status(req.kind);
    let version = case.version + 1;
    tx.execute(
        "UPDATE applications SET status = ?1, version = ?2, updated_at = ?3 WHERE id = ?4",
        params![status.as_str(), version, now_s, application_id],
    )?;
    store::add_event(
        tx,
        application_id,
        now_s,
        Some(&officer.id),
        &Event::Decided {
            decision_id: decision_id.to_owned(),
            kind: req.kind,
            missing_documents: req.missing_documents.clone(),
            missing_other: req.missing_other.clone(),
            reasons: req.reasons.clone(),
            note: req.note.clone(),
            decided_at: req.decided_at.clone(),
        },
    )?;
    if req.kind != DecisionKind::MissingDocuments {
        // A final decision: nothing is owed any more.
        tx.execute(
            "UPDATE applications SET paused_on = NULL, paused_days_left = NULL WHERE id = ?1",
            [application_id],
        )?;
    } else if detail.paused.is_none() {
        // The deadline runs from a complete application: it stops until the documents arrive
        // (a deadline already stopped stays as it stopped).
        let today = clock::local_date(clock::parse(now_s).unwrap_or_else(clock::now));
        let left = store::days_left_on(calendar, today, &detail.due_date)?;
        tx.execute(
            "UPDATE applications SET paused_on = ?1, paused_days_left = ?2 WHERE id = ?3",
            params![today.format("%Y-%m-%d").to_string(), left, application_id],
        )?;
        store::add_event(
            tx,
            application_id,
            now_s,
            None,
            &Event::DeadlinePaused {
                working_days_left: left,
            },
        )?;
    }
    store::case_changed(tx, case, ChangeKind::Changed, now_s)?;
    let email = crate::letter::email(catalogue, &detail, &officer.full_name, &req.decision());
    let notification_id: i64 = tx.query_row(
        "INSERT INTO notifications (application_id, decision_id, to_address, language, subject, body, state, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7) RETURNING id",
        params![application_id, decision_id, case.applicant.email, case.applicant.language.code(), email.subject, email.body, now_s],
        |r| r.get(0),
    )?;
    Ok(DecisionResponse {
        id: req.id,
        application_id: application_id.clone(),
        status,
        version,
        notification_id: Some(notification_id),
        awaiting_approval: false,
    })
}

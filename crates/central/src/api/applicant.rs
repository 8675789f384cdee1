//! What the applicant portal calls, with its own credential ([`Portal`]): the portal has
//! authenticated the applicant and names the application by number and date of birth; an
//! unknown pair answers 404 whichever part is wrong. Answers never name the officer.

use crate::sql::{Conn, OptionalExtension};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rusqlite::params;

use super::NeedsPortal;
use crate::AppState;
use crate::clock;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::portal::Portal;
use crate::store::{self, CaseRow};
use migdesk_api::{
    ChangeKind, Department, Event, LocalizedName, SendDocumentsRequest, SendDocumentsResponse,
    Status, Tracking, TrackingQuery, TrackingStep, TrackingStepKind, WithdrawRequest,
};

/// The most documents one submission may carry.
pub use migdesk_api::MAX_DOCUMENTS;

fn find_case(conn: &Conn<'_>, number: &str, date_of_birth: &str) -> ApiResult<CaseRow> {
    let id: Option<String> = conn
        .query_row(
            "SELECT id FROM applications WHERE number = ?1",
            [number],
            |r| r.get(0),
        )
        .optional()?;
    id.map(|id| store::case_row(conn, &id))
        .transpose()?
        .flatten()
        .filter(|c| c.applicant.date_of_birth == date_of_birth)
        .ok_or_else(|| ApiError::not_found("no application with that number and date of birth"))
}

/// The applicant's case, if it still has no final decision (otherwise 409 with `refusal`).
fn open_case(
    conn: &Conn<'_>,
    number: &str,
    date_of_birth: &str,
    refusal: &str,
) -> ApiResult<CaseRow> {
    let case = find_case(conn, number.trim(), date_of_birth.trim())?;
    if !matches!(case.status, Status::Pending | Status::MissingDocuments) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            crate::error::ErrorKind::Conflict,
            refusal,
        ));
    }
    Ok(case)
}

fn tracking(conn: &Conn<'_>, case: &CaseRow) -> ApiResult<Tracking> {
    let updated_at: String = conn.query_row(
        "SELECT updated_at FROM applications WHERE id = ?1",
        [&case.id],
        |r| r.get(0),
    )?;
    let department = conn.query_row(
        "SELECT id, name_az, name_en, name_ru FROM departments WHERE id = ?1",
        [&case.department_id],
        |r| {
            Ok(Department {
                id: r.get(0)?,
                name: LocalizedName {
                    az: r.get(1)?,
                    en: r.get(2)?,
                    ru: r.get(3)?,
                },
            })
        },
    )?;
    let steps = store::history(conn, &case.id)?
        .into_iter()
        .filter_map(|h| {
            let letter_code = match &h.event {
                Event::Decided { decision_id, .. } => {
                    Some(crate::letter::verification_code(decision_id))
                }
                _ => None,
            };
            TrackingStepKind::of(&h.event).map(|step| TrackingStep {
                at: h.at,
                step,
                letter_code,
            })
        })
        .collect();
    Ok(Tracking {
        number: case.number.clone(),
        status: case.status,
        department,
        updated_at,
        steps,
    })
}

/// The status of an application and the department responsible for it.
#[utoipa::path(get, path = "/api/v1/tracking", tag = "applicant", params(TrackingQuery), security(("portal" = [])),
    responses((status = 200, body = Tracking), (status = 400, body = ErrorBody),
        NeedsPortal,
        (status = 404, body = ErrorBody)))]
pub async fn track(
    State(state): State<AppState>,
    _portal: Portal,
    ApiQuery(q): ApiQuery<TrackingQuery>,
) -> ApiResult<Json<Tracking>> {
    state
        .db
        .read(move |conn| {
            let case = find_case(conn, q.number.trim(), q.date_of_birth.trim())?;
            Ok(Json(tracking(conn, &case)?))
        })
        .await
}

/// The applicant sends further documents. A case waiting for missing documents goes back to
/// its officer's queue.
#[utoipa::path(post, path = "/api/v1/tracking/{number}/documents", tag = "applicant", security(("portal" = [])),
    params(("number" = String, Path, description = "Application number")),
    request_body = SendDocumentsRequest,
    responses((status = 201, body = SendDocumentsResponse), (status = 400, body = ErrorBody),
        NeedsPortal,
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The application no longer takes documents"),
        (status = 413, body = ErrorBody)))]
pub async fn send_documents(
    State(state): State<AppState>,
    _portal: Portal,
    ApiPath(number): ApiPath<String>,
    ApiJson(req): ApiJson<SendDocumentsRequest>,
) -> ApiResult<(StatusCode, Json<SendDocumentsResponse>)> {
    if req.documents.is_empty() || req.documents.len() > MAX_DOCUMENTS {
        return Err(ApiError::bad_request(format!(
            "send between 1 and {MAX_DOCUMENTS} documents"
        )));
    }
    let mut decoded = Vec::with_capacity(req.documents.len());
    for d in &req.documents {
        if state.catalogue.document_type(&d.doc_type).is_none() {
            return Err(ApiError::bad_request(format!(
                "{:?} is not a document type",
                d.doc_type
            )));
        }
        let name = d.file_name.trim();
        if name.is_empty() || name.len() > 200 || name.contains(['/', '\\', '\0']) {
            return Err(ApiError::bad_request(
                "each document needs a plain file name",
            ));
        }
        let bytes = STANDARD.decode(d.content_base64.as_bytes()).map_err(|e| {
            ApiError::bad_request(format!("{name}: the content is not base64: {e}"))
        })?;
        if bytes.is_empty() {
            return Err(ApiError::bad_request(format!("{name} is empty")));
        }
        decoded.push((d.doc_type.clone(), name.to_owned(), bytes));
    }
    let calendar = state.calendar.clone();
    state
        .db
        .write(move |tx| {
            let case = open_case(tx, &number, &req.date_of_birth, "this application no longer takes documents")?;
            let now = clock::format(clock::now());
            let mut added = Vec::with_capacity(decoded.len());
            for (doc_type, name, bytes) in &decoded {
                added.push(store::add_document(tx, &case.id, doc_type, name, bytes, &now)?);
            }
            let status = Status::Pending;
            tx.execute(
                "UPDATE applications SET status = ?1, version = version + 1, updated_at = ?2 WHERE id = ?3",
                params![status.as_str(), now, case.id],
            )?;
            let types: Vec<&str> = added.iter().map(|d| d.doc_type.as_str()).collect();
            store::add_event(tx, &case.id, &now, None, &Event::DocumentsAdded { types: types.into_iter().map(str::to_owned).collect() })?;
            resume_deadline(tx, &calendar, &case.id, &now)?;
            store::case_changed(tx, &case, ChangeKind::Changed, &now)?;
            Ok((StatusCode::CREATED, Json(SendDocumentsResponse { added, status })))
        })
        .await
}

/// The applicant withdraws an application that has no final decision.
#[utoipa::path(post, path = "/api/v1/tracking/{number}/withdrawal", tag = "applicant", security(("portal" = [])),
    params(("number" = String, Path, description = "Application number")),
    request_body = WithdrawRequest,
    responses((status = 200, body = Tracking), (status = 400, body = ErrorBody),
        NeedsPortal,
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The application already has a final decision")))]
pub async fn withdraw(
    State(state): State<AppState>,
    _portal: Portal,
    ApiPath(number): ApiPath<String>,
    ApiJson(req): ApiJson<WithdrawRequest>,
) -> ApiResult<Json<Tracking>> {
    state
        .db
        .write(move |tx| {
            let case = open_case(tx, &number, &req.date_of_birth, "this application already has a final decision")?;
            let now = clock::format(clock::now());
            tx.execute(
                "UPDATE applications SET status = 'withdrawn', version = version + 1, updated_at = ?1 WHERE id = ?2",
                params![now, case.id],
            )?;
            store::add_event(tx, &case.id, &now, None, &Event::Withdrawn {})?;
            store::case_changed(tx, &case, ChangeKind::Withdrawn, &now)?;
            let case = store::case_row(tx, &case.id)?.ok_or_else(|| ApiError::internal("the case vanished"))?;
            let answer = tracking(tx, &case)?;
            Ok(Json(answer))
        })
        .await
}

/// The documents arrived: a deadline stopped while they were owed runs again, with the working
/// days that were left, from today (Baku); the history says when it now falls.
pub(crate) fn resume_deadline(
    tx: &Conn<'_>,
    calendar: &migdesk_domain::Calendar,
    application_id: &str,
    now: &str,
) -> ApiResult<()> {
    let paused: Option<i64> = tx
        .query_row(
            "SELECT paused_days_left FROM applications WHERE id = ?1 AND paused_on IS NOT NULL",
            [application_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let Some(left) = paused else { return Ok(()) };
    let today = clock::local_date(clock::parse(now).unwrap_or_else(clock::now));
    let due = store::resumed_due(calendar, today, left)?;
    tx.execute(
        "UPDATE applications SET due_date = ?1, paused_on = NULL, paused_days_left = NULL WHERE id = ?2",
        params![due, application_id],
    )?;
    store::add_event(
        tx,
        application_id,
        now,
        None,
        &Event::DeadlineResumed {
            due_date: due,
            working_days_left: left,
        },
    )
}

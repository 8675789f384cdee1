//! `POST /intake/applications`: the applicant portal submits a new application with its form
//! and documents. The centre checks it against the catalogue (each problem named in one 422),
//! gives it the next number of the year, starts its deadline by the calendar and hands it to an
//! officer by the department's rule ([`super::distribution::distribute`]); the history says who
//! received it and by which rule, and the change feed brings it to that officer's desk.
//! Idempotent by the portal's id: the same application again answers the same receipt.

use crate::sql::{Conn, OptionalExtension};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rusqlite::params;

use super::NeedsPortal;
use super::distribution::distribute;
use crate::AppState;
use crate::clock;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::portal::Portal;
use crate::store;
use migdesk_api::{
    ChangeKind, Event, IntakeReceipt, IntakeRequest, MAX_DOCUMENTS, Problem, REQUIRED_FIELDS,
    SentDocument, Status, form_value, is_date,
};
use migdesk_domain::Catalogue;

/// A document of a submission, decoded and checked: (type, file name, bytes).
pub(crate) type Decoded = (String, String, Vec<u8>);

fn problem(field: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        field: field.into(),
        message: message.into(),
    }
}

/// The submitted files, each checked as every upload is (a document type of the catalogue, a
/// plain name, base64, not empty, a PDF or an image by its first bytes); what is wrong with
/// each is added to `problems`.
pub(crate) fn decode_documents(
    catalogue: &Catalogue,
    documents: &[SentDocument],
    problems: &mut Vec<Problem>,
) -> Vec<Decoded> {
    if documents.is_empty() || documents.len() > MAX_DOCUMENTS {
        problems.push(problem(
            "documents",
            format!("send between 1 and {MAX_DOCUMENTS} documents"),
        ));
    }
    let mut decoded = Vec::with_capacity(documents.len());
    for (i, d) in documents.iter().enumerate() {
        let at = |what: &str| format!("documents[{i}].{what}");
        if catalogue.document_type(&d.doc_type).is_none() {
            problems.push(problem(
                at("type"),
                format!("{:?} is not a document type", d.doc_type),
            ));
        }
        let name = match migdesk_api::plain_file_name(&d.file_name) {
            Ok(name) => name,
            Err(e) => {
                problems.push(problem(at("file_name"), e));
                continue;
            }
        };
        let bytes = match STANDARD.decode(d.content_base64.as_bytes()) {
            Ok(bytes) if bytes.is_empty() => {
                problems.push(problem(at("content_base64"), format!("{name} is empty")));
                continue;
            }
            Ok(bytes) => bytes,
            Err(e) => {
                problems.push(problem(
                    at("content_base64"),
                    format!("{name}: the content is not base64: {e}"),
                ));
                continue;
            }
        };
        if store::sniff_mime(&bytes) == "application/octet-stream" {
            problems.push(problem(
                at("content_base64"),
                format!("{name} is neither a PDF nor an image (JPEG, PNG, TIFF, WebP, BMP)"),
            ));
            continue;
        }
        decoded.push((d.doc_type.clone(), name, bytes));
    }
    decoded
}

/// Every problem of the application against the catalogue and the form's rules (the
/// department is checked with the database).
fn check(catalogue: &Catalogue, req: &IntakeRequest, today: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    match catalogue.service(&req.service) {
        None => problems.push(problem(
            "service",
            format!("{:?} is not a service of the catalogue", req.service),
        )),
        Some(service) if service.tier(&req.tier).is_none() => problems.push(problem(
            "tier",
            format!(
                "{:?} is not a fee tier of {} (it has {})",
                req.tier,
                req.service,
                service
                    .tiers
                    .iter()
                    .map(|t| t.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        Some(_) => {}
    }
    let a = &req.applicant;
    let name = a.name_latin.trim();
    if name.is_empty() || name.chars().count() > 200 {
        problems.push(problem(
            "applicant.name_latin",
            "the name in Latin script is required, at most 200 characters",
        ));
    }
    if a.name_native.chars().count() > 200 {
        problems.push(problem("applicant.name_native", "at most 200 characters"));
    }
    if !is_date(&a.date_of_birth) || a.date_of_birth.as_str() >= today {
        problems.push(problem(
            "applicant.date_of_birth",
            format!(
                "{:?} is not a date of birth (YYYY-MM-DD, in the past)",
                a.date_of_birth
            ),
        ));
    }
    if a.nationality.len() != 3 || !a.nationality.bytes().all(|b| b.is_ascii_uppercase()) {
        problems.push(problem(
            "applicant.nationality",
            format!("{:?} is not an ISO 3166-1 alpha-3 code", a.nationality),
        ));
    }
    let email = a.email.trim();
    if email.len() > 254
        || email.contains(char::is_whitespace)
        || !email
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
    {
        problems.push(problem(
            "applicant.email",
            format!("{:?} is not an e-mail address", a.email),
        ));
    }
    if let Some(fin) = &a.fin
        && !migdesk_domain::ids::is_valid_fin(fin)
    {
        problems.push(problem(
            "applicant.fin",
            format!("{fin:?} is not a FIN (7 letters and digits)"),
        ));
    }
    if a.fin.is_none()
        && a.passport_number
            .as_deref()
            .is_none_or(|p| p.trim().is_empty())
    {
        problems.push(problem(
            "applicant.passport_number",
            "a FIN or a passport number is required",
        ));
    }
    for (group, field) in REQUIRED_FIELDS {
        if form_value(&req.form, group, field).is_none() {
            problems.push(problem(
                format!("form.{group}.{field}"),
                "required, and not blank",
            ));
        }
    }
    problems
}

/// Everything wrong with `req` that can be told without the database (the form, the
/// applicant, the files).
pub fn problems_of(catalogue: &Catalogue, req: &IntakeRequest, today: &str) -> Vec<Problem> {
    let mut problems = check(catalogue, req, today);
    decode_documents(catalogue, &req.documents, &mut problems);
    problems
}

/// The next application number of `year` (`MX-YYYY-NNNNNN`).
pub(crate) fn next_number(tx: &Conn<'_>, year: i32) -> ApiResult<String> {
    let prefix = format!("MX-{year}-");
    let last: Option<String> = tx.query_row(
        "SELECT MAX(number) FROM applications WHERE number LIKE ?1 || '%' AND length(number) = ?2",
        params![prefix, i64::try_from(prefix.len()).unwrap_or(0) + 6],
        |r| r.get(0),
    )?;
    let n = last
        .and_then(|l| l[prefix.len()..].parse::<u32>().ok())
        .unwrap_or(0)
        + 1;
    if n > 999_999 {
        return Err(ApiError::internal(format!(
            "no application numbers left in {year}"
        )));
    }
    Ok(format!("{prefix}{n:06}"))
}

fn receipt_of(tx: &Conn<'_>, id: &str) -> ApiResult<Option<IntakeReceipt>> {
    Ok(tx
        .query_row(
            "SELECT number, submitted_at, due_date, status FROM applications WHERE id = ?1",
            [id],
            |r| {
                Ok(IntakeReceipt {
                    application_id: id.to_owned(),
                    number: r.get(0)?,
                    submitted_at: r.get(1)?,
                    due_date: r.get(2)?,
                    status: Status::parse(&r.get::<_, String>(3)?).unwrap_or(Status::Pending),
                })
            },
        )
        .optional()?)
}

/// Submits a new application: checked, numbered, its deadline started, given to an officer.
#[utoipa::path(post, path = "/api/v1/intake/applications", tag = "applicant", security(("portal" = [])),
    request_body = IntakeRequest,
    responses(
        (status = 201, body = IntakeReceipt, description = "Received: the number and the deadline"),
        (status = 200, body = IntakeReceipt, description = "This application was received already"),
        (status = 400, body = ErrorBody, description = "Not an application's shape"),
        NeedsPortal,
        (status = 409, body = ErrorBody, description = "The id names another application (`id_reused`)"),
        (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Does not fit the catalogue or the form's rules; each problem named in `problems`"),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    _portal: Portal,
    ApiJson(req): ApiJson<IntakeRequest>,
) -> ApiResult<(StatusCode, Json<IntakeReceipt>)> {
    let now = clock::now();
    let today = clock::local_date(now);
    let mut problems = check(&state.catalogue, &req, &today.to_string());
    let documents = decode_documents(&state.catalogue, &req.documents, &mut problems);
    let deadline = state
        .catalogue
        .service(&req.service)
        .and_then(|s| s.tier(&req.tier))
        .map(|t| t.deadline_working_days);
    let due = match deadline {
        Some(days) => match state.calendar.add_working_days(today, days) {
            Ok(due) => Some(due.format("%Y-%m-%d").to_string()),
            Err(e) => {
                problems.push(problem(
                    "tier",
                    format!("its deadline cannot be set by the calendar: {e}"),
                ));
                None
            }
        },
        None => None,
    };
    let id = req.id.to_string();
    // The submission's fingerprint: a repeat carries the same, another application another.
    let stored = {
        use sha2::{Digest, Sha256};
        let bytes = serde_json::to_vec(&req).map_err(|e| ApiError::internal(e.to_string()))?;
        hex::encode(Sha256::digest(bytes))
    };
    state
        .db
        .write(move |tx| {
            // A repeat answers what the first one made, before anything else is judged.
            let earlier: Option<String> = tx
                .query_row("SELECT submission FROM intake WHERE application_id = ?1", [&id], |r| r.get(0))
                .optional()?;
            if let Some(earlier) = earlier {
                if earlier != stored {
                    return Err(ApiError::conflict(
                        migdesk_api::ConflictCause::IdReused,
                        format!("the id {id} names another application"),
                        None,
                    ));
                }
                let receipt = receipt_of(tx, &id)?.ok_or_else(|| ApiError::internal("the application vanished"))?;
                return Ok((StatusCode::OK, Json(receipt)));
            }
            let known: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM departments WHERE id = ?1)",
                [&req.department_id],
                |r| r.get(0),
            )?;
            if !known || !problems.is_empty() {
                let mut problems = problems.clone();
                if !known {
                    problems.insert(0, problem("department_id", format!("{:?} is not a department", req.department_id)));
                }
                return Err(ApiError::unprocessable(problems));
            }
            let due = due.clone().ok_or_else(|| ApiError::internal("no deadline"))?;
            let at = clock::format(now);
            let number = next_number(tx, chrono::Datelike::year(&today))?;
            let (officer, rule) = distribute(tx, &req.department_id, &req.service, &today.to_string())?;
            tx.execute(
                "INSERT INTO applications (id, number, service, tier, submitted_at, due_date, department_id, status, officer_id, version, applicant, form, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, 1, ?9, ?10, ?5)",
                params![
                    id, number, req.service, req.tier, at, due, req.department_id,
                    officer.as_ref().map(|o| &o.id),
                    serde_json::to_string(&req.applicant).map_err(|e| ApiError::internal(e.to_string()))?,
                    serde_json::to_string(&req.form).map_err(|e| ApiError::internal(e.to_string()))?,
                ],
            )?;
            tx.execute(
                "INSERT INTO intake (application_id, submission, received_at) VALUES (?1, ?2, ?3)",
                params![id, stored, at],
            )?;
            for (doc_type, name, bytes) in &documents {
                store::add_document(tx, &id, doc_type, name, bytes, &at)?;
            }
            store::add_event(tx, &id, &at, None, &Event::Received { channel: "e-gov portal".into() })?;
            if let Some(officer) = &officer {
                store::add_event(tx, &id, &at, None, &Event::Assigned {
                    to: officer.id.clone(),
                    to_name: officer.full_name.clone(),
                    by: rule.as_str().to_owned(),
                })?;
            }
            store::record_change(tx, &id, &req.department_id, officer.as_ref().map(|o| o.id.as_str()), None, ChangeKind::Created, &at)?;
            let receipt = receipt_of(tx, &id)?.ok_or_else(|| ApiError::internal("the application vanished"))?;
            Ok((StatusCode::CREATED, Json(receipt)))
        })
        .await
}

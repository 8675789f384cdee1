//! `POST /applications/{id}/documents`: a document brought to the counter. The applicant hands
//! in a paper, it is scanned at the department, and the case's officer (or a supervisor) adds the
//! file on their desk, offline if need be. It is checked as the applicant's uploads are (a known
//! document type, a plain name, a PDF or an image by its first bytes), kept with who added it,
//! and is in the case's history and feed. Idempotent by the desk's id. On a case waiting for
//! missing documents it is the documents arriving: the case waits for the officer again and its
//! deadline runs; on a case waiting for a decision the version does not move, so a decision the
//! officer records after adding it is not stale.

use crate::sql::OptionalExtension;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rusqlite::params;

use super::NeedsSession;
use crate::AppState;
use crate::auth::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult, ConflictCause, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::store;
use migdesk_api::{
    ChangeKind, CounterDocumentRequest, DocumentMeta, Event, MAX_COUNTER_BYTES, OfficerRef, Role,
    Status,
};

/// Adds a file scanned at the counter to a case waiting for a decision or for documents.
#[utoipa::path(post, path = "/api/v1/applications/{id}/documents", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = CounterDocumentRequest,
    responses(
        (status = 201, body = DocumentMeta, description = "Added"),
        (status = 200, body = DocumentMeta, description = "A repeat of a document already added"),
        (status = 400, body = ErrorBody, description = "Not a document type, not a plain name, not base64, empty, larger than 20 MiB, or neither a PDF nor an image"),
        NeedsSession,
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The case no longer takes documents or is another officer's, or the id names another document (`id_reused`)"),
        (status = 413, body = ErrorBody),
    ))]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(application_id): ApiPath<String>,
    ApiJson(req): ApiJson<CounterDocumentRequest>,
) -> ApiResult<(StatusCode, Json<DocumentMeta>)> {
    if state.catalogue.document_type(&req.doc_type).is_none() {
        return Err(ApiError::bad_request(format!(
            "{:?} is not a document type",
            req.doc_type
        )));
    }
    let name = migdesk_api::plain_file_name(&req.file_name).map_err(ApiError::bad_request)?;
    if clock::parse(&req.added_at).is_none() {
        return Err(ApiError::bad_request("added_at must be an RFC 3339 time"));
    }
    let bytes = STANDARD
        .decode(req.content_base64.as_bytes())
        .map_err(|e| ApiError::bad_request(format!("{name}: the content is not base64: {e}")))?;
    if bytes.is_empty() || bytes.len() > MAX_COUNTER_BYTES {
        return Err(ApiError::bad_request(format!(
            "{name}: a document has 1 byte to {} MiB",
            MAX_COUNTER_BYTES / 1024 / 1024
        )));
    }
    let mut meta = store::document_meta(req.id.to_string(), &req.doc_type, &name, &bytes);
    if meta.mime_type == "application/octet-stream" {
        return Err(ApiError::bad_request(format!(
            "{name} is neither a PDF nor an image (JPEG, PNG, TIFF, WebP, BMP)"
        )));
    }
    meta.added_by = Some(OfficerRef {
        id: caller.user_id.clone(),
        full_name: caller.full_name.clone(),
    });
    let calendar = state.calendar.clone();
    state
        .db
        .write(move |tx| {
            let case = store::visible_case(tx, &caller, &application_id)?;
            let kept: Option<(String, String)> = tx
                .query_row(
                    "SELECT application_id, sha256 FROM documents WHERE id = ?1",
                    [&meta.id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((kept_case, kept_sha)) = kept {
                if kept_case == case.id && kept_sha == meta.sha256 {
                    let again = store::documents(tx, &case.id)?
                        .into_iter()
                        .find(|d| d.id == meta.id)
                        .ok_or_else(|| ApiError::internal("the document kept is gone"))?;
                    return Ok((StatusCode::OK, Json(again)));
                }
                return Err(ApiError::conflict(
                    ConflictCause::IdReused,
                    format!("document {} was kept with other content", meta.id),
                    None,
                ));
            }
            if caller.role == Role::Officer
                && case.officer_id.as_deref() != Some(caller.user_id.as_str())
            {
                return Err(ApiError::wrong_state(format!("{} is with another officer now", case.number)));
            }
            if !case.status.is_open() {
                return Err(ApiError::wrong_state(format!("{} no longer takes documents", case.number)));
            }
            let now = clock::format(clock::now());
            store::store_blob(tx, &meta.sha256, &bytes)?;
            store::insert_document(tx, &case.id, &meta, &now)?;
            store::add_event(
                tx,
                &case.id,
                &now,
                Some(&caller.user_id),
                &Event::DocumentsAdded {
                    types: vec![meta.doc_type.clone()],
                },
            )?;
            if case.status == Status::MissingDocuments {
                // What the applicant owed arrived at the counter.
                tx.execute(
                    "UPDATE applications SET status = 'pending', version = version + 1, updated_at = ?1 WHERE id = ?2",
                    params![now, case.id],
                )?;
                super::applicant::resume_deadline(tx, &calendar, &case.id, &now)?;
            }
            store::case_changed(tx, &case, ChangeKind::Changed, &now)?;
            Ok((StatusCode::CREATED, Json(meta.clone())))
        })
        .await
}

//! `GET/POST /applications/{id}/notes`: internal notes on a case between the officers who handle
//! it and their supervisors, never sent to the applicant. A note is idempotent by the desk's id,
//! goes into the case's history and reaches, through the change feed, whoever holds the case.

use crate::sql::{Conn, OptionalExtension, Row};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use rusqlite::params;

use super::NeedsSession;
use crate::AppState;
use crate::audit_log::{self, Action, Desk, DeskHeader, Entry};
use crate::auth::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult, ConflictCause, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::store;
use migdesk_api::{ChangeKind, Event, Note, NoteOrigin, NoteRequest, OfficerRef};

const NOTE_COLUMNS: &str = "n.id, n.application_id, n.author_id, u.full_name, n.text, n.written_at, n.received_at, n.origin";

fn note_row(r: &Row<'_>) -> crate::sql::Result<Note> {
    let id: String = r.get(0)?;
    let origin: String = r.get(7)?;
    Ok(Note {
        id: id.parse().map_err(|e| crate::sql::Error::column(0, e))?,
        application_id: r.get(1)?,
        author: OfficerRef {
            id: r.get(2)?,
            full_name: r.get(3)?,
        },
        text: r.get(4)?,
        written_at: r.get(5)?,
        received_at: r.get(6)?,
        origin: if origin == "reassignment" {
            NoteOrigin::Reassignment
        } else {
            NoteOrigin::Desk
        },
    })
}

fn note(conn: &Conn<'_>, id: &str) -> ApiResult<Option<Note>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {NOTE_COLUMNS} FROM notes n JOIN users u ON u.id = n.author_id WHERE n.id = ?1"
        ))?
        .query_row([id], note_row)
        .optional()?)
}

/// Keeps a note on a case, in the caller's transaction; `at` is when the centre received it.
/// The note is not an event of its own when it is a reassignment's reason: the reassignment
/// event already carries it.
pub(crate) fn keep(
    tx: &Conn<'_>,
    application_id: &str,
    author_id: &str,
    request: &NoteRequest,
    origin: NoteOrigin,
    at: &str,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO notes (id, application_id, author_id, text, written_at, received_at, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            request.id.to_string(),
            application_id,
            author_id,
            request.text,
            request.written_at,
            at,
            match origin {
                NoteOrigin::Desk => "desk",
                NoteOrigin::Reassignment => "reassignment",
            }
        ],
    )?;
    Ok(())
}

/// The notes on a case, oldest first: those written on desks and the reasons given when it was
/// moved.
#[utoipa::path(get, path = "/api/v1/applications/{id}/notes", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Application id"), DeskHeader),
    responses((status = 200, body = Vec<Note>), NeedsSession, (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    desk: Desk,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Vec<Note>>> {
    let read = Entry::by(&caller, &desk, Action::NotesRead).on_case(&id);
    let notes = state
        .db
        .read(move |conn| {
            store::visible_case(conn, &caller, &id)?;
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {NOTE_COLUMNS} FROM notes n JOIN users u ON u.id = n.author_id
                 WHERE n.application_id = ?1 ORDER BY n.received_at, {}",
                conn.written_order("n")
            ))?;
            let rows = stmt.query_map([&id], note_row)?;
            Ok(Json(rows.collect::<Result<_, _>>()?))
        })
        .await?;
    audit_log::record(&state.db, read).await?;
    Ok(notes)
}

/// Adds an internal note to a case the caller may read (an officer who holds or held it, a
/// supervisor of its department). The note's id makes the call idempotent: a repeat answers 200
/// with the note kept; the same id with other words, or on another case, is 409 `id_reused`.
/// The note goes into the case's history, and the change feed brings it to whoever holds the
/// case.
#[utoipa::path(post, path = "/api/v1/applications/{id}/notes", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Application id")),
    request_body = NoteRequest,
    responses(
        (status = 201, body = Note, description = "Kept"),
        (status = 200, body = Note, description = "A repeat of a kept note"),
        (status = 400, body = ErrorBody, description = "Malformed: no text, too long, or a time that is not RFC 3339"),
        NeedsSession,
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The id names another note (`id_reused`)"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(application_id): ApiPath<String>,
    ApiJson(mut req): ApiJson<NoteRequest>,
) -> ApiResult<(StatusCode, Json<Note>)> {
    req.text = migdesk_api::note_text(&req.text).map_err(ApiError::bad_request)?;
    let Some(written) = clock::parse(&req.written_at) else {
        return Err(ApiError::bad_request("written_at must be an RFC 3339 time"));
    };
    req.written_at = clock::format(written);
    state
        .db
        .write(move |tx| {
            let case = store::visible_case(tx, &caller, &application_id)?;
            let id = req.id.to_string();
            if let Some(kept) = note(tx, &id)? {
                if kept.application_id == case.id
                    && kept.author.id == caller.user_id
                    && kept.text == req.text
                {
                    return Ok((StatusCode::OK, Json(kept)));
                }
                return Err(ApiError::conflict(
                    ConflictCause::IdReused,
                    format!("note {id} was kept with other content"),
                    None,
                ));
            }
            let now = clock::format(clock::now());
            keep(tx, &case.id, &caller.user_id, &req, NoteOrigin::Desk, &now)?;
            store::add_event(
                tx,
                &case.id,
                &now,
                Some(&caller.user_id),
                &Event::NoteAdded {
                    note_id: id.clone(),
                    text: req.text.clone(),
                    written_at: req.written_at.clone(),
                },
            )?;
            // The case's version does not move: a note never makes a decision stale.
            store::case_changed(tx, &case, ChangeKind::Changed, &now)?;
            let kept =
                note(tx, &id)?.ok_or_else(|| ApiError::internal("the note just kept is gone"))?;
            Ok((StatusCode::CREATED, Json(kept)))
        })
        .await
}

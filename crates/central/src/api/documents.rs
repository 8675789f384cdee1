//! `GET /documents/{id}`: a document's bytes, with `ETag` and single `Range` requests so that
//! an interrupted download resumes. Every answer that carries bytes (200, 206) is recorded in
//! the centre's audit trail first: by the download itself, or before it, when the desk named
//! the documents it was about to download (`POST /document-reads`, one write for them all).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::{MAIN_DB, params};

use super::NeedsSession;
use crate::AppState;
use crate::audit_log::{self, Action, Desk, DeskHeader, Entry};
use crate::auth::{Caller, Session};
use crate::clock;
use crate::db::Short;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorKind};
use crate::extract::{ApiJson, ApiPath};
use crate::sql::{Conn, Engine, OptionalExtension};
use crate::store;
use migdesk_api::{DocumentReads, DocumentReadsRecorded, MAX_DOCUMENT_READS};

/// A byte range within a file of `size` bytes, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub end: u64,
}

/// A single range that lies outside the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsatisfiable;

/// Parses a `Range` header. `Ok(None)`: serve the whole file (absent, not bytes, or several
/// ranges, which a server may ignore).
pub fn parse_range(header: Option<&str>, size: u64) -> Result<Option<ByteRange>, Unsatisfiable> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let (a, b) = spec.split_once('-').ok_or(Unsatisfiable)?;
    let (a, b) = (a.trim(), b.trim());
    let range = if a.is_empty() {
        let suffix: u64 = b.parse().map_err(|_| Unsatisfiable)?;
        if suffix == 0 || size == 0 {
            return Err(Unsatisfiable);
        }
        ByteRange {
            start: size.saturating_sub(suffix),
            end: size - 1,
        }
    } else {
        let start: u64 = a.parse().map_err(|_| Unsatisfiable)?;
        let end: u64 = if b.is_empty() {
            size.saturating_sub(1)
        } else {
            b.parse().map_err(|_| Unsatisfiable)?
        };
        if start >= size || end < start {
            return Err(Unsatisfiable);
        }
        ByteRange {
            start,
            end: end.min(size - 1),
        }
    };
    Ok(Some(range))
}

fn etag_matches(if_none_match: Option<&str>, etag: &str) -> bool {
    if_none_match.is_some_and(|v| {
        v.split(',')
            .map(str::trim)
            .any(|t| t == "*" || t == etag || t.trim_start_matches("W/") == etag)
    })
}

/// `len` bytes of the stored document `sha256` from `start` (SQLite: through the blob's
/// `rowid`, without reading the rest).
fn read_range(
    conn: &Conn<'_>,
    sha256: &str,
    rowid: i64,
    start: u64,
    len: u64,
) -> ApiResult<Vec<u8>> {
    let length = usize::try_from(len).map_err(|e| ApiError::internal(e.to_string()))?;
    if let Some(sqlite) = conn.as_sqlite() {
        let blob = sqlite.blob_open(MAIN_DB, c"blobs", c"bytes", rowid, true)?;
        let mut bytes = vec![0u8; length];
        blob.read_at_exact(&mut bytes, usize::try_from(start).unwrap_or(0))
            .map_err(|e| ApiError::internal(format!("cannot read document bytes: {e}")))?;
        return Ok(bytes);
    }
    let bytes: Vec<u8> = conn.query_row(
        "SELECT substr(bytes, ?2, ?3) FROM blobs WHERE sha256 = ?1",
        params![
            sha256,
            i64::try_from(start).unwrap_or(0) + 1,
            i64::try_from(len).unwrap_or(0)
        ],
        |r| r.get(0),
    )?;
    if bytes.len() != length {
        return Err(ApiError::internal(
            "the stored document is shorter than its size",
        ));
    }
    Ok(bytes)
}

/// Whose a case is: its department, and the officer it is assigned to.
type Holder = (String, Option<String>);

/// The bytes of a document. `ETag` is the quoted SHA-256; `If-None-Match` answers 304; a single
/// `Range` answers 206 (resume an interrupted download).
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Document id"),
        ("Range" = Option<String>, Header, description = "bytes=START-END"),
        ("If-None-Match" = Option<String>, Header, description = "An ETag the client has"),
        DeskHeader),
    responses(
        // The type judged from the file's first bytes (`store::sniff_mime`).
        (status = 200, description = "The whole file", content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "image/tiff"), (Vec<u8> = "image/webp"), (Vec<u8> = "image/bmp"), (Vec<u8> = "application/octet-stream"))),
        (status = 206, description = "The requested range", content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "image/tiff"), (Vec<u8> = "image/webp"), (Vec<u8> = "image/bmp"), (Vec<u8> = "application/octet-stream"))),
        (status = 304, description = "The client's copy is current"),
        NeedsSession,
        (status = 404, body = ErrorBody),
        (status = 416, body = ErrorBody, description = "The range lies outside the file"),
    ))]
pub async fn download(
    State(state): State<AppState>,
    session: Session,
    desk: Desk,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let asked = Asked {
        session,
        desk,
        id,
        range: header_text(&headers, header::RANGE),
        if_none_match: header_text(&headers, header::IF_NONE_MATCH),
    };
    let document = asked.id.clone();
    // Most documents are read on the request's own thread; a large one aside (`Db::read_short`).
    let (response, read) = state
        .db
        .read_short(move |conn, short| serve(conn, &asked, short))
        .await?;
    // Bytes go out: their read is recorded first, unless the desk announced it (recorded then).
    if let Some((reader, read)) = read {
        let now = std::time::Instant::now();
        let announced = state
            .announced_reads
            .take(&reader, read.desk.as_deref(), &document, now);
        if !announced {
            audit_log::record(&state.db, read).await?;
        }
    }
    Ok(response)
}

/// A download as asked: by whom, from which desk, which document, which part of it.
#[derive(Debug)]
struct Asked {
    session: Session,
    desk: Desk,
    id: String,
    range: Option<String>,
    if_none_match: Option<String>,
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The most bytes a download copies on the request's own thread (some 50 µs from memory); a
/// larger one is read on the blocking pool.
const READ_HERE_BYTES: u64 = 512 * 1024;

/// A download's answer, and the read (by whom, what) to record before its bytes go out: none for
/// 304 and 416.
type Served = (Response, Option<(String, Entry)>);

/// A download's answer; `None` when its bytes are more than [`READ_HERE_BYTES`] and `short` is [`Short::Here`].
fn serve(conn: &Conn<'_>, asked: &Asked, short: Short) -> ApiResult<Option<Served>> {
    let id = &asked.id;
    // The session checked in this read, not in one of its own before.
    let caller = asked.session.caller(conn)?;
    // SQLite reads a range through the blob's row id; PostgreSQL with substr(). The case's
    // department and officer come in the same query, for the caller's right.
    let meta: Option<(String, String, i64, String, i64, Holder)> = conn
        .query_row(
            match conn.engine() {
                Engine::Sqlite => "SELECT d.application_id, d.mime_type, d.size, d.sha256, b.rowid, a.department_id, a.officer_id
                 FROM documents d JOIN blobs b ON b.sha256 = d.sha256 JOIN applications a ON a.id = d.application_id
                 WHERE d.id = ?1",
                Engine::Postgres => "SELECT d.application_id, d.mime_type, d.size, d.sha256, 0, a.department_id, a.officer_id
                 FROM documents d JOIN applications a ON a.id = d.application_id WHERE d.id = ?1",
            },
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, (r.get(5)?, r.get(6)?))),
        )
        .optional()?;
    let missing = || ApiError::not_found(format!("no document {id}"));
    let (application_id, mime, size, sha, rowid, (department_id, officer_id)) =
        meta.ok_or_else(missing)?;
    if !store::may_read(
        conn,
        &caller,
        &application_id,
        &department_id,
        officer_id.as_deref(),
    )? {
        return Err(missing());
    }
    let size = u64::try_from(size).unwrap_or(0);
    let etag = format!("\"{sha}\"");
    let etag_value = HeaderValue::from_str(&etag).map_err(|e| ApiError::internal(e.to_string()))?;

    if etag_matches(asked.if_none_match.as_deref(), &etag) {
        let unchanged = (StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]);
        return Ok(Some((unchanged.into_response(), None)));
    }
    let range = match parse_range(asked.range.as_deref(), size) {
        Ok(r) => r,
        Err(Unsatisfiable) => {
            let mut resp = ApiError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                ErrorKind::RangeNotSatisfiable,
                format!("the range lies outside the file of {size} bytes"),
            )
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                resp.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(Some((resp, None)));
        }
    };
    let (start, len) = match range {
        Some(r) => (r.start, r.end - r.start + 1),
        None => (0, size),
    };
    if short == Short::Here && len > READ_HERE_BYTES {
        return Ok(None);
    }
    let bytes = read_range(conn, &sha, rowid, start, len)?;

    let mut builder = Response::builder()
        .header(header::CONTENT_TYPE, mime)
        .header(header::ETAG, etag_value)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CACHE_CONTROL, "private, no-transform")
        .header(header::CONTENT_LENGTH, len);
    builder = match range {
        Some(r) => builder.status(StatusCode::PARTIAL_CONTENT).header(
            header::CONTENT_RANGE,
            format!("bytes {}-{}/{size}", r.start, r.end),
        ),
        None => builder.status(StatusCode::OK),
    };
    let response = builder
        .body(Body::from(bytes))
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let read = Entry::by(&caller, &asked.desk, Action::DocumentRead).subject(id);
    Ok(Some((
        response,
        Some((caller.user_id, read.on_case(&application_id))),
    )))
}

/// A desk names the documents it is about to download; the centre records their reads in its
/// audit trail at once, durably, in one write, and their downloads that follow (same user, same
/// desk, within half an hour, once each) are not recorded again. Documents the caller may not
/// read, or that do not exist, are left out of the answer, as their downloads would be refused.
#[utoipa::path(post, path = "/api/v1/document-reads", tag = "cases", security(("bearer" = [])),
    params(DeskHeader),
    request_body = DocumentReads,
    responses(
        (status = 200, body = DocumentReadsRecorded, description = "The reads recorded"),
        (status = 400, body = ErrorBody, description = "More documents than one request may name"),
        NeedsSession,
    ))]
pub async fn announce_reads(
    State(state): State<AppState>,
    caller: Caller,
    desk: Desk,
    ApiJson(req): ApiJson<DocumentReads>,
) -> ApiResult<Json<DocumentReadsRecorded>> {
    if req.documents.len() > MAX_DOCUMENT_READS {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_DOCUMENT_READS} documents at a time"
        )));
    }
    let (user, desk_id) = (caller.user_id.clone(), desk.0.clone());
    let recorded = state
        .db
        .write_chained(move |tx| {
            let now = clock::format(clock::now());
            let mut recorded: Vec<String> = Vec::new();
            for id in &req.documents {
                if recorded.contains(id) {
                    continue;
                }
                let case: Option<String> = tx
                    .query_row(
                        "SELECT application_id FROM documents WHERE id = ?1",
                        [id],
                        |r| r.get(0),
                    )
                    .optional()?;
                let Some(case) = case else { continue };
                match store::visible_case(tx, &caller, &case) {
                    Ok(_) => {}
                    Err(e) if e.status == StatusCode::NOT_FOUND => continue,
                    Err(e) => return Err(e),
                }
                let entry = Entry::by(&caller, &desk, Action::DocumentRead)
                    .subject(id)
                    .on_case(&case);
                audit_log::append(tx, &entry, &now)?;
                recorded.push(id.clone());
            }
            Ok(recorded)
        })
        .await?;
    // Durable now: the downloads may go without a row of their own.
    state.announced_reads.keep(
        &user,
        desk_id.as_deref(),
        &recorded,
        std::time::Instant::now(),
    );
    Ok(Json(DocumentReadsRecorded { recorded }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let r = |h: &str| parse_range(Some(h), 1000);
        assert_eq!(r("bytes=0-99"), Ok(Some(ByteRange { start: 0, end: 99 })));
        assert_eq!(
            r("bytes=900-"),
            Ok(Some(ByteRange {
                start: 900,
                end: 999
            }))
        );
        assert_eq!(
            r("bytes=-100"),
            Ok(Some(ByteRange {
                start: 900,
                end: 999
            }))
        );
        assert_eq!(
            r("bytes=990-2000"),
            Ok(Some(ByteRange {
                start: 990,
                end: 999
            }))
        );
        assert_eq!(r("bytes=0-1,5-6"), Ok(None));
        assert_eq!(r("items=0-1"), Ok(None));
        assert_eq!(parse_range(None, 10), Ok(None));
        assert_eq!(r("bytes=1000-"), Err(Unsatisfiable));
        assert_eq!(r("bytes=5-2"), Err(Unsatisfiable));
        assert_eq!(r("bytes=-0"), Err(Unsatisfiable));
        assert_eq!(r("bytes=abc"), Err(Unsatisfiable));
    }

    #[test]
    fn etags() {
        assert!(etag_matches(Some("\"abc\""), "\"abc\""));
        assert!(etag_matches(Some("\"x\", W/\"abc\""), "\"abc\""));
        assert!(etag_matches(Some("*"), "\"abc\""));
        assert!(!etag_matches(Some("\"abd\""), "\"abc\""));
        assert!(!etag_matches(None, "\"abc\""));
    }
}

//! Documents as the centre keeps them: each file's bytes once per content, and its record on
//! the case, its type judged from its first bytes.

use rusqlite::params;

use crate::error::ApiResult;
use crate::sql::Conn;
use migdesk_api::DocumentMeta;

/// The MIME type of a file judged by its first bytes; the declared type is never trusted.
pub fn sniff_mime(bytes: &[u8]) -> &'static str {
    match bytes {
        [b'%', b'P', b'D', b'F', b'-', ..] => "application/pdf",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [b'I', b'I', 0x2A, 0x00, ..] | [b'M', b'M', 0x00, 0x2A, ..] => "image/tiff",
        [
            b'R',
            b'I',
            b'F',
            b'F',
            _,
            _,
            _,
            _,
            b'W',
            b'E',
            b'B',
            b'P',
            ..,
        ] => "image/webp",
        [b'B', b'M', ..] => "image/bmp",
        _ => "application/octet-stream",
    }
}

/// Stores a document's bytes (once per content) and its record, as the applicant sent it.
pub fn add_document(
    conn: &Conn<'_>,
    application_id: &str,
    doc_type: &str,
    file_name: &str,
    bytes: &[u8],
    at: &str,
) -> ApiResult<DocumentMeta> {
    let meta = document_meta(uuid::Uuid::new_v4().to_string(), doc_type, file_name, bytes);
    store_blob(conn, &meta.sha256, bytes)?;
    insert_document(conn, application_id, &meta, at)?;
    Ok(meta)
}

/// A document's description, its type judged from its first bytes.
pub fn document_meta(id: String, doc_type: &str, file_name: &str, bytes: &[u8]) -> DocumentMeta {
    use sha2::{Digest, Sha256};
    DocumentMeta {
        id,
        doc_type: doc_type.to_owned(),
        file_name: file_name.to_owned(),
        mime_type: sniff_mime(bytes).to_owned(),
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256: hex::encode(Sha256::digest(bytes)),
        added_by: None,
    }
}

/// Keeps a file's bytes once per content.
pub fn store_blob(conn: &Conn<'_>, sha256: &str, bytes: &[u8]) -> ApiResult<()> {
    conn.execute(
        "INSERT INTO blobs (sha256, bytes) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        params![sha256, bytes],
    )?;
    Ok(())
}

/// Records a document of a case (its bytes stored already), with who added it at the counter.
pub fn insert_document(
    conn: &Conn<'_>,
    application_id: &str,
    meta: &DocumentMeta,
    at: &str,
) -> ApiResult<()> {
    conn.execute(
        "INSERT INTO documents (id, application_id, type, file_name, mime_type, size, sha256, added_at, added_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![meta.id, application_id, meta.doc_type, meta.file_name, meta.mime_type, meta.size, meta.sha256, at, meta.added_by.as_ref().map(|o| &o.id)],
    )?;
    Ok(())
}

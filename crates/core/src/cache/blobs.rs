//! Tables `documents`, `files`, `partials`, `document_text` and `fetch_failures`: what each
//! cached case's documents are, their verified files by SHA-256 (the bytes sealed in the
//! folder beside the cache, see `files`), downloads broken off midway, the text read from each
//! file, and why a file could not be fetched.

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

use super::files::{FileRef, Files, Sealed};
use super::{Store, map_sql, now};
use crate::error::{DeskResult, ErrorKind};

/// A document to download: (id, sha256, size).
pub(crate) type Missing = (String, String, i64);

/// One document of a case with what the desk holds of it.
#[derive(Debug)]
pub(crate) struct StoredDocument {
    pub id: String,
    pub doc_type: String,
    pub file_name: String,
    pub size: i64,
    /// The file's first 2 KiB, when its bytes are stored.
    pub head: Option<Vec<u8>>,
    pub stored: bool,
    /// Why the file cannot be opened, when reading its text found so.
    pub problem: Option<String>,
}

/// A document's text as read, with its case's description (JSON of the contract's
/// `ApplicationDetail`).
#[derive(Debug)]
pub(crate) struct TextRow {
    pub case_detail: String,
    pub text: Option<String>,
    pub problem: Option<String>,
    /// The file has been read (with or without text).
    pub read: bool,
    /// The text was recognised on the scan's pages (OCR), not read from a text layer.
    pub recognised: bool,
    /// The stored file's first bytes (enough to tell its format), when it is stored.
    pub head: Option<Vec<u8>>,
    /// For recognised text: each word's box on its page (JSON).
    pub words: Option<String>,
    /// How many of the file's pages are scans without text (in a PDF with a text layer).
    pub scans_without_text: u32,
}

/// Forgets document files, partial downloads, text and failures no cached case names any
/// more. Returns the names of the files to remove once the transaction is committed.
#[must_use = "the files are removed after the commit"]
pub(crate) fn forget_unreferenced_files(tx: &Transaction<'_>) -> DeskResult<Vec<String>> {
    let names = tx
        .prepare("SELECT name FROM files WHERE sha256 NOT IN (SELECT sha256 FROM documents)")
        .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect())
        .map_err(map_sql)?;
    for table in ["files", "partials", "document_text", "fetch_failures"] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE sha256 NOT IN (SELECT sha256 FROM documents)"),
            [],
        )
        .map_err(map_sql)?;
    }
    Ok(names)
}

/// A file no row names is removed at a start once it is this old: one younger may be a batch
/// another process is writing.
const ORPHAN_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// A `files` row read as columns `sha256, size, name` from `at`.
fn file_ref(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Option<FileRef>> {
    let (sha256, size, name): (Option<String>, Option<i64>, Option<String>) =
        (r.get(at)?, r.get(at + 1)?, r.get(at + 2)?);
    Ok(match (sha256, size, name) {
        (Some(sha256), Some(size), Some(name)) => Some(FileRef {
            sha256,
            size: u64::try_from(size).unwrap_or(0),
            name,
        }),
        _ => None,
    })
}

/// Moves the bytes of table `blobs` (caches before document files) into sealed files, then
/// drops it; nothing to do once it is gone. One transaction: a crash midway leaves `blobs` as
/// it was (and files no row names, removed at the next start).
pub(super) fn move_blobs_out(conn: &mut Connection, files: &Files) -> DeskResult<()> {
    let has_blobs = |conn: &Connection| {
        conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'blobs'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)
        .map_err(map_sql)
    };
    if !has_blobs(conn)? {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(map_sql)?;
    if !has_blobs(&tx)? {
        return Ok(());
    }
    let hashes: Vec<String> = tx
        .prepare("SELECT sha256 FROM blobs")
        .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect())
        .map_err(map_sql)?;
    for sha in hashes {
        let bytes: Vec<u8> = tx
            .query_row("SELECT bytes FROM blobs WHERE sha256 = ?1", [&sha], |r| {
                r.get(0)
            })
            .map_err(map_sql)?;
        let file = files.write(&sha, &bytes)?;
        tx.execute(
            "INSERT OR IGNORE INTO files (sha256, size, name) VALUES (?1, ?2, ?3)",
            params![file.sha256, file.size as i64, file.name],
        )
        .map_err(map_sql)?;
    }
    files.sync_folder()?;
    tx.execute_batch("DROP TABLE blobs").map_err(map_sql)?;
    tx.commit().map_err(map_sql)
}

/// How [`Store::keep_texts`] treats a file whose text is kept already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    /// What was read now replaces it (a recognition, asked for or in the background).
    Replacing,
    /// What was kept stays (the text layer, read by whichever of the readers came first).
    IfUnread,
}

/// What reading one file's text found.
#[derive(Debug)]
pub(crate) struct TextRead {
    pub sha256: String,
    /// The text layer; `None` when the file has none or could not be read.
    pub text: Option<String>,
    /// Why the text could not be read.
    pub problem: Option<String>,
    /// Whether the viewer can still show the file.
    pub viewable: bool,
    /// When the text was recognised on the scan's pages (OCR): each word's box, as JSON.
    pub recognised: Option<String>,
    /// How many pages of a PDF with a text layer are scans without text, to recognise.
    pub scans_without_text: u32,
}

/// The stored documents whose file the background recognises: no text layer (or pages that are
/// scans without text), can be shown, neither recognised nor failed to be.
const UNRECOGNISED: &str = "FROM documents d JOIN cases c ON c.id = d.case_id
     JOIN document_text t ON t.sha256 = d.sha256
     WHERE (t.text IS NULL OR trim(t.text) = '' OR t.scans_without_text > 0)
       AND t.problem IS NULL AND t.viewable
       AND NOT t.recognised AND t.recognition_failed IS NULL";

impl Store {
    /// Documents whose bytes are not in the cache yet, one per file.
    pub(crate) fn missing_documents(&self) -> DeskResult<Vec<Missing>> {
        let mut stmt = self
            .conn
            .prepare("SELECT d.id, d.sha256, d.size FROM documents d LEFT JOIN files f ON f.sha256 = d.sha256 WHERE f.sha256 IS NULL GROUP BY d.sha256")
            .map_err(map_sql)?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(Iterator::collect)
            .map_err(map_sql)
    }

    /// How many files the cached cases name that are not stored yet.
    pub(crate) fn documents_missing(&self) -> DeskResult<i64> {
        self.conn
            .query_row(
                "SELECT COUNT(DISTINCT d.sha256) FROM documents d LEFT JOIN files f ON f.sha256 = d.sha256 WHERE f.sha256 IS NULL",
                [],
                |r| r.get(0),
            )
            .map_err(map_sql)
    }

    /// What arrived of a file before a download broke off.
    pub(crate) fn partial(&self, sha: &str) -> DeskResult<Option<Vec<u8>>> {
        self.conn
            .query_row("SELECT bytes FROM partials WHERE sha256 = ?1", [sha], |r| {
                r.get(0)
            })
            .optional()
            .map_err(map_sql)
    }

    /// Keeps what arrived of a file, for a `Range` resume.
    pub(crate) fn keep_partial(&self, sha: &str, received: &[u8]) -> DeskResult<()> {
        self.conn
            .execute(
                "INSERT INTO partials (sha256, bytes) VALUES (?1, ?2) ON CONFLICT(sha256) DO UPDATE SET bytes = excluded.bytes",
                params![sha, received],
            )
            .map(|_| ())
            .map_err(map_sql)
    }

    /// Stores files as a sync does ([`Store::keep_sealed`]), for tests.
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn keep_documents(
        &mut self,
        verified: &[(String, Vec<u8>)],
    ) -> DeskResult<std::time::Duration> {
        let sealed = verified
            .iter()
            .map(|(sha, body)| self.files.seal(sha, body))
            .collect::<DeskResult<Vec<_>>>()?;
        self.keep_sealed(sealed)
    }

    /// What seals downloaded files, on threads of their own, before they are kept.
    pub(crate) fn sealer(&self) -> Files {
        self.files.clone()
    }

    /// Stores downloaded files, each verified against its SHA-256 by the caller and sealed
    /// already ([`Store::sealer`]): flushed, then all named in one transaction, durable together
    /// on return (one commit for the whole batch), their partials and failures gone. Returns how
    /// long the durable commit took.
    pub(crate) fn keep_sealed(&mut self, sealed: Vec<Sealed>) -> DeskResult<std::time::Duration> {
        let written = self.files.flush(sealed)?;
        let committing = std::time::Instant::now();
        let files = self.files.clone();
        let named: DeskResult<Vec<String>> = (|| {
            let tx = self.transaction()?;
            // A file whose content the cache holds already is not named, and goes.
            let mut spare = Vec::new();
            for file in &written {
                let n = tx
                    .execute(
                        "INSERT OR IGNORE INTO files (sha256, size, name) VALUES (?1, ?2, ?3)",
                        params![file.sha256, file.size as i64, file.name],
                    )
                    .map_err(map_sql)?;
                if n == 0 {
                    spare.push(file.name.clone());
                }
                for table in ["partials", "fetch_failures"] {
                    tx.execute(
                        &format!("DELETE FROM {table} WHERE sha256 = ?1"),
                        [&file.sha256],
                    )
                    .map_err(map_sql)?;
                }
            }
            tx.commit().map_err(map_sql)?;
            Ok(spare)
        })();
        // Files the transaction did not name go too.
        let spare = named.or_else(|e| {
            files.remove(&written.iter().map(|f| f.name.clone()).collect::<Vec<_>>())?;
            Err(e)
        })?;
        files.remove(&spare)?;
        Ok(committing.elapsed())
    }

    /// Removes files whose rows a committed transaction forgot.
    pub(super) fn remove_files(&self, names: &[String]) -> DeskResult<()> {
        self.files.remove(names)
    }

    /// Removes files in the folder that no row names and that are older than a few minutes (a
    /// batch written when the desk stopped before naming it).
    pub(super) fn remove_orphan_files(&self) -> DeskResult<()> {
        let named: std::collections::HashSet<String> = self
            .conn
            .prepare("SELECT name FROM files")
            .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect())
            .map_err(map_sql)?;
        let orphans: Vec<String> = self
            .files
            .names()?
            .into_iter()
            .filter(|n| !named.contains(n) && self.files.older_than(n, ORPHAN_AGE))
            .collect();
        self.files.remove(&orphans)
    }

    /// The stored file of content `sha`, if it is here.
    fn stored(&self, sha: &str) -> DeskResult<Option<FileRef>> {
        self.file_row(
            "SELECT sha256, size, name FROM files WHERE sha256 = ?1",
            sha,
        )
    }

    /// The file a query of one parameter names (columns `sha256, size, name`), if any.
    fn file_row(&self, sql: &str, parameter: &str) -> DeskResult<Option<FileRef>> {
        self.conn
            .query_row(sql, [parameter], |r| file_ref(r, 0))
            .optional()
            .map(Option::flatten)
            .map_err(map_sql)
    }

    /// Bytes `range` of a stored file. A file found damaged is forgotten (the next sync
    /// fetches it again) and reported.
    fn open_file(&self, file: &FileRef, range: std::ops::Range<u64>) -> DeskResult<Vec<u8>> {
        let read = self.files.read_range(file, range);
        if let Err(e) = &read
            && e.kind == ErrorKind::Document
        {
            self.conn
                .execute("DELETE FROM files WHERE name = ?1", [&file.name])
                .map_err(map_sql)?;
            self.files.remove(std::slice::from_ref(&file.name))?;
        }
        read
    }

    /// Drops what arrived of a file that turned out corrupted; the next sync fetches it whole.
    pub(crate) fn drop_partial(&self, sha: &str) -> DeskResult<()> {
        self.conn
            .execute("DELETE FROM partials WHERE sha256 = ?1", [sha])
            .map(|_| ())
            .map_err(map_sql)
    }

    /// Records why a file could not be fetched; the next sync tries it again.
    pub(crate) fn record_fetch_failure(&self, sha: &str, reason: &str) -> DeskResult<()> {
        self.conn
            .execute(
                "INSERT INTO fetch_failures (sha256, reason, failed_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(sha256) DO UPDATE SET reason = excluded.reason, failed_at = excluded.failed_at,
                   attempts = attempts + 1",
                params![sha, reason, now()],
            )
            .map(|_| ())
            .map_err(map_sql)
    }

    /// Stored files whose text has not been read yet.
    pub(crate) fn unread_files(&self) -> DeskResult<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT f.sha256 FROM files f LEFT JOIN document_text t ON t.sha256 = f.sha256 WHERE t.sha256 IS NULL")
            .map_err(map_sql)?;
        stmt.query_map([], |r| r.get(0))
            .and_then(Iterator::collect)
            .map_err(map_sql)
    }

    /// The stored files of one case whose text is not read yet.
    pub(crate) fn unread_files_of(&self, case_id: &str) -> DeskResult<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT f.sha256 FROM documents d JOIN files f ON f.sha256 = d.sha256 LEFT JOIN document_text t ON t.sha256 = f.sha256 WHERE d.case_id = ?1 AND t.sha256 IS NULL")
            .map_err(map_sql)?;
        stmt.query_map([case_id], |r| r.get(0))
            .and_then(Iterator::collect)
            .map_err(map_sql)
    }

    /// A stored file's bytes.
    pub(crate) fn file(&self, sha: &str) -> DeskResult<Vec<u8>> {
        let file = self
            .stored(sha)?
            .ok_or_else(|| crate::DeskError::storage(format!("no stored file {sha}")))?;
        self.open_file(&file, 0..file.size)
    }

    /// Keeps what reading files' text (or recognising it) found, in one transaction, and indexes
    /// the texts for search in every case that holds one of the files (each case once).
    pub(crate) fn keep_texts(&mut self, read: &[TextRead], keep: Keep) -> DeskResult<()> {
        let tx = self.transaction()?;
        let mut cases = std::collections::BTreeSet::new();
        {
            let mut insert = tx
                .prepare_cached(match keep {
                    Keep::Replacing => "INSERT OR REPLACE INTO document_text (sha256, text, problem, viewable, recognised, words, scans_without_text)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    Keep::IfUnread => "INSERT OR IGNORE INTO document_text (sha256, text, problem, viewable, recognised, words, scans_without_text)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                })
                .map_err(map_sql)?;
            let mut holders = tx
                .prepare_cached("SELECT DISTINCT d.case_id FROM documents d JOIN cases c ON c.id = d.case_id WHERE d.sha256 = ?1")
                .map_err(map_sql)?;
            for r in read {
                let kept = insert
                    .execute(params![
                        r.sha256,
                        r.text,
                        r.problem,
                        r.viewable,
                        r.recognised.is_some(),
                        r.recognised,
                        r.scans_without_text
                    ])
                    .map_err(map_sql)?;
                if kept > 0 && r.text.is_some() {
                    let held = holders
                        .query_map([&r.sha256], |row| row.get::<_, String>(0))
                        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
                        .map_err(map_sql)?;
                    cases.extend(held);
                }
            }
        }
        for case in cases {
            super::queue::reindex(&tx, &case)?;
        }
        tx.commit().map_err(map_sql)
    }

    /// The next stored scan to recognise in the background: a document whose file has no text
    /// layer (or pages that are scans without text), can be shown, and was neither recognised
    /// nor failed to be — identity documents first, then the officer's own cases, the soonest
    /// due first.
    pub(crate) fn next_unrecognised(&self) -> DeskResult<Option<String>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT d.id {UNRECOGNISED}
                     ORDER BY d.type NOT IN (SELECT value FROM json_each(?1)), NOT c.mine, c.due_date, d.id
                     LIMIT 1"
                ),
                [serde_json::to_string(&crate::zone::ZONE_DOCUMENT_TYPES).unwrap_or_default()],
                |r| r.get(0),
            )
            .optional()
            .map_err(map_sql)
    }

    /// How many stored files [`Store::next_unrecognised`] has still to give (a file that two
    /// documents share counts once: it is recognised once).
    pub(crate) fn unrecognised_count(&self) -> DeskResult<u64> {
        self.conn
            .query_row(
                &format!("SELECT COUNT(DISTINCT d.sha256) {UNRECOGNISED}"),
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.unsigned_abs())
            .map_err(map_sql)
    }

    /// Records why recognising a file in the background failed: it is not tried there again.
    pub(crate) fn record_recognition_failure(&self, sha: &str, reason: &str) -> DeskResult<()> {
        self.conn
            .execute(
                "UPDATE document_text SET recognition_failed = ?2 WHERE sha256 = ?1",
                params![sha, reason],
            )
            .map(|_| ())
            .map_err(map_sql)
    }

    /// A document's stored bytes with their SHA-256, if they are here.
    pub(crate) fn document_file(&self, document_id: &str) -> DeskResult<Option<(String, Vec<u8>)>> {
        let file = self.file_row(
            "SELECT f.sha256, f.size, f.name FROM documents d JOIN files f ON f.sha256 = d.sha256 WHERE d.id = ?1",
            document_id,
        )?;
        file.map(|file| Ok((file.sha256.clone(), self.open_file(&file, 0..file.size)?)))
            .transpose()
    }

    /// Bytes `range` of a stored file (cut at its end), read alone.
    pub(crate) fn file_range(&self, sha: &str, range: std::ops::Range<u64>) -> DeskResult<Vec<u8>> {
        let file = self
            .stored(sha)?
            .ok_or_else(|| crate::DeskError::storage(format!("no stored file {sha}")))?;
        self.open_file(&file, range)
    }

    /// The SHA-256 of a document's stored bytes; `None` when they are not here.
    pub(crate) fn document_hash(&self, document_id: &str) -> DeskResult<Option<String>> {
        self.conn
            .query_row(
                "SELECT d.sha256 FROM documents d JOIN files f ON f.sha256 = d.sha256 WHERE d.id = ?1",
                [document_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(map_sql)
    }

    /// The SHA-256 and length of a document's stored bytes (the bytes are not read).
    pub(crate) fn document_hash_and_length(
        &self,
        document_id: &str,
    ) -> DeskResult<Option<(String, i64)>> {
        self.conn
            .query_row(
                "SELECT d.sha256, f.size FROM documents d JOIN files f ON f.sha256 = d.sha256 WHERE d.id = ?1",
                [document_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(map_sql)
    }

    /// The SHA-256 and length of the first `n` stored files of a case, in the case's order.
    pub(crate) fn first_hashes(&self, case_id: &str, n: usize) -> DeskResult<Vec<(String, i64)>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT d.sha256, f.size FROM documents d JOIN files f ON f.sha256 = d.sha256
                 WHERE d.case_id = ?1 ORDER BY d.rowid LIMIT ?2",
            )
            .map_err(map_sql)?;
        stmt.query_map(params![case_id, n as i64], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(Iterator::collect)
            .map_err(map_sql)
    }

    /// The documents of a case in its order, with what the desk holds of each.
    pub(crate) fn case_documents(&self, case_id: &str) -> DeskResult<Vec<StoredDocument>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT d.id, d.type, d.file_name, d.size, f.sha256 IS NOT NULL,
                        CASE WHEN t.viewable THEN NULL ELSE t.problem END, f.sha256, f.size, f.name
                 FROM documents d LEFT JOIN files f ON f.sha256 = d.sha256 LEFT JOIN document_text t ON t.sha256 = d.sha256
                 WHERE d.case_id = ?1 ORDER BY d.rowid",
            )
            .map_err(map_sql)?;
        let rows: Vec<(StoredDocument, Option<FileRef>)> = stmt
            .query_map([case_id], |r| {
                Ok((
                    StoredDocument {
                        id: r.get(0)?,
                        doc_type: r.get(1)?,
                        file_name: r.get(2)?,
                        size: r.get(3)?,
                        head: None,
                        stored: r.get(4)?,
                        problem: r.get(5)?,
                    },
                    file_ref(r, 6)?,
                ))
            })
            .and_then(Iterator::collect)
            .map_err(map_sql)?;
        rows.into_iter()
            .map(|(document, blob)| {
                Ok(StoredDocument {
                    head: self.head(blob, 2048)?,
                    ..document
                })
            })
            .collect()
    }

    /// The first `n` bytes of a stored file, read alone (its first chunk).
    fn head(&self, file: Option<FileRef>, n: u64) -> DeskResult<Option<Vec<u8>>> {
        file.map(|file| self.open_file(&file, 0..n)).transpose()
    }

    /// A document's text as read, with its case's description; `None` when the document is
    /// not on this desk.
    pub(crate) fn document_text(&self, document_id: &str) -> DeskResult<Option<TextRow>> {
        let row = self
            .conn
            .query_row(
                "SELECT c.detail, t.text, t.problem, t.sha256 IS NOT NULL, coalesce(t.recognised, 0),
                        t.words, coalesce(t.scans_without_text, 0), f.sha256, f.size, f.name
                 FROM documents d JOIN cases c ON c.id = d.case_id
                 LEFT JOIN document_text t ON t.sha256 = d.sha256
                 LEFT JOIN files f ON f.sha256 = d.sha256 WHERE d.id = ?1",
                [document_id],
                |r| {
                    Ok((
                        TextRow {
                            case_detail: r.get(0)?,
                            text: r.get(1)?,
                            problem: r.get(2)?,
                            read: r.get(3)?,
                            recognised: r.get(4)?,
                            head: None,
                            words: r.get(5)?,
                            scans_without_text: r.get(6)?,
                        },
                        file_ref(r, 7)?,
                    ))
                },
            )
            .optional()
            .map_err(map_sql)?;
        row.map(|(text, blob)| {
            Ok(TextRow {
                head: self.head(blob, 64)?,
                ..text
            })
        })
        .transpose()
    }
}

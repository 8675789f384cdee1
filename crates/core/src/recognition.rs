//! Text recognition (OCR) of a scanned document on this desk — in the background after each sync,
//! one scan at a time (identity documents first, then the officer's own cases by due date), and
//! at once when the officer opens the text of a scan not read yet: its stored bytes go to
//! `migdesk-docs` (the Tesseract program
//! in a child process, bounded in time and memory) off the desk's lock, and what it reads is kept
//! by the file's SHA-256 in the encrypted cache like a text layer — marked as recognised, with
//! each word's box — and indexed for the queue's search. A failure (no recogniser installed, a
//! page too large, time up) is the officer's answer and changes nothing: the document stays
//! "no text" and can be tried again; in the background a failure is recorded with its reason
//! and that scan is not tried there again.

use std::time::Duration;

use migdesk_docs::{Documents, Limits, Recognised};

use crate::cache::{Store, TextRead};
use crate::error::{DeskError, DeskResult, ErrorKind};

/// How long recognising one document may take: a few pages of a few seconds each.
const TIME_PER_DOCUMENT: Duration = Duration::from_secs(90);
/// How often a request that found every recogniser busy tries again.
const WAIT_FOR_A_SLOT: Duration = Duration::from_millis(100);

/// The document service recognition runs under: the two documents side by side at a time on
/// this desk (a third waits for one of them rather than adding to the load), and time for
/// several pages.
pub(crate) fn recogniser() -> Documents {
    Documents::new(Limits {
        time_per_document: TIME_PER_DOCUMENT,
        max_jobs_in_flight: 2,
        ..Limits::default()
    })
}

/// A document to recognise, taken from the cache: run it without holding the desk.
#[derive(Debug)]
pub struct RecognitionJob {
    document_id: String,
    sha256: String,
    bytes: Vec<u8>,
    documents: Documents,
}

/// What recognising a document found, to keep with [`crate::desk::Desk::after_recognition`].
#[derive(Debug)]
pub struct Recognition {
    pub(crate) document_id: String,
    sha256: String,
    outcome: Result<Recognised, migdesk_docs::DocError>,
}

impl RecognitionJob {
    /// The stored file of `document_id`; an error when it is not on this desk.
    pub(crate) fn of(store: &Store, documents: &Documents, document_id: &str) -> DeskResult<Self> {
        let (sha256, bytes) = store.document_file(document_id)?.ok_or_else(|| {
            DeskError::invalid(format!(
                "document {document_id} is not stored on this desk yet: sync first"
            ))
        })?;
        Ok(Self {
            document_id: document_id.to_owned(),
            sha256,
            bytes,
            documents: documents.clone(),
        })
    }

    /// The document this job reads.
    pub fn document_id(&self) -> &str {
        &self.document_id
    }

    /// Recognises the text on a worker thread.
    pub async fn run(self) -> DeskResult<Recognition> {
        let Self {
            document_id,
            sha256,
            bytes,
            documents,
        } = self;
        // A case opens asking for its passport's zone (the checklist) and each pane's text at
        // once: a request beyond the recogniser's slots waits for one instead of failing as
        // busy (which showed the officer "could not be recognised: busy").
        let bytes: std::sync::Arc<[u8]> = bytes.into();
        let give_up = std::time::Instant::now() + TIME_PER_DOCUMENT;
        let outcome = loop {
            let (documents, bytes) = (documents.clone(), bytes.clone());
            let outcome = tokio::task::spawn_blocking(move || documents.recognise(bytes))
                .await
                .map_err(|e| DeskError::internal(e.to_string()))?;
            match outcome {
                Err(migdesk_docs::DocError::Busy) if std::time::Instant::now() < give_up => {
                    tokio::time::sleep(WAIT_FOR_A_SLOT).await;
                }
                outcome => break outcome,
            }
        };
        Ok(Recognition {
            document_id,
            sha256,
            outcome,
        })
    }
}

/// The document service background recognition runs under: one scan at a time, its own, at the
/// lowest CPU priority, so the window and the officer's own requests never wait for it.
fn background_recogniser() -> &'static Documents {
    static DOCUMENTS: std::sync::OnceLock<Documents> = std::sync::OnceLock::new();
    DOCUMENTS.get_or_init(|| {
        Documents::new(Limits {
            time_per_document: TIME_PER_DOCUMENT,
            max_jobs_in_flight: 1,
            low_priority: true,
            ..Limits::default()
        })
    })
}

/// The next scan to recognise in the background, if any (and if this workstation can).
pub(crate) fn next_in_background(store: &Store) -> DeskResult<Option<RecognitionJob>> {
    if !migdesk_docs::ocr::available() {
        return Ok(None);
    }
    store
        .next_unrecognised()?
        .map(|id| RecognitionJob::of(store, background_recogniser(), &id))
        .transpose()
}

/// How many stored scans the background has still to recognise (none without a recogniser).
pub(crate) fn left_in_background(store: &Store) -> DeskResult<u64> {
    if !migdesk_docs::ocr::available() {
        return Ok(0);
    }
    store.unrecognised_count()
}

impl Recognition {
    /// Keeps what background recognition read; a failure that belongs to the file (damaged,
    /// unsupported, too large, too slow) is recorded with its reason instead, so that scan is
    /// not tried in the background again. Answers whether text was kept. A failure of the
    /// moment (busy, cancelled, the recogniser gone) records nothing and is an error: the run
    /// stops, and the next sync tries again.
    pub(crate) fn keep_in_background(self, store: &mut Store) -> DeskResult<bool> {
        use migdesk_docs::DocError;
        match &self.outcome {
            Err(e @ (DocError::Busy | DocError::Cancelled | DocError::NoRecogniser)) => Err(
                DeskError::new(ErrorKind::Document, format!("recognition stopped: {e}")),
            ),
            Err(e) => {
                store.record_recognition_failure(&self.sha256, &e.to_string())?;
                Ok(false)
            }
            Ok(_) => self.keep(store).map(|_| true),
        }
    }

    /// Keeps the recognised text and its words' boxes; a failure is answered as it is, and
    /// nothing is kept.
    pub(crate) fn keep(self, store: &mut Store) -> DeskResult<String> {
        let recognised = self.outcome.map_err(|e| {
            DeskError::new(
                ErrorKind::Document,
                format!("the text of this scan could not be recognised: {e}"),
            )
        })?;
        let words = serde_json::to_string(&recognised.words)
            .map_err(|e| DeskError::internal(e.to_string()))?;
        store.keep_texts(
            &[TextRead {
                sha256: self.sha256,
                text: Some(recognised.text),
                problem: None,
                viewable: true,
                recognised: Some(words),
                scans_without_text: 0,
            }],
            crate::cache::Keep::Replacing,
        )?;
        Ok(self.document_id)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::cache::CacheKey;
    use serde_json::json;

    /// A cache holding one case of "me" with two stored files without a text layer: an
    /// identity document and a letter, whose bytes are `passport` and `letter`.
    fn store_with(passport: &[u8], letter: &[u8]) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("c.db"), &CacheKey::random()).unwrap();
        let doc = |id: &str, kind: &str, sha: &str| {
            json!({ "id": id, "type": kind, "file_name": format!("{id}.jpg"),
                    "mime_type": "image/jpeg", "size": 3, "sha256": sha })
        };
        let assignment = json!({ "officer": { "id": "me", "full_name": "Me" }, "version": 1 });
        let change = serde_json::from_value(json!({
            "kind": "created", "at": "2026-11-01T10:00:00Z", "application_id": "c1",
            "assignment": assignment,
            "application": {
                "id": "c1", "number": "MX-1", "service": "trp-issue", "tier": "standard",
                "submitted_at": "2026-11-01T10:00:00Z", "due_date": "2026-12-10",
                "department_id": "baku", "status": "pending", "assignment": assignment,
                "applicant": { "name_latin": "A B", "name_native": "A B", "date_of_birth": "1990-01-01",
                               "nationality": "AZE", "email": "a@example.org", "language": "az" },
                "form": [], "history": [],
                "documents": [doc("d-letter", "employment-contract", "sha-l"), doc("d-pass", "passport-copy", "sha-p")]
            }
        }))
        .unwrap();
        store.apply_feed_page(&[change], "c1:1", "me").unwrap();
        store
            .keep_documents(&[
                ("sha-p".into(), passport.to_vec()),
                ("sha-l".into(), letter.to_vec()),
            ])
            .unwrap();
        let unread = |sha: &str| TextRead {
            sha256: sha.into(),
            text: None,
            problem: None,
            viewable: true,
            recognised: None,
            scans_without_text: 0,
        };
        store
            .keep_texts(
                &[unread("sha-p"), unread("sha-l")],
                crate::cache::Keep::Replacing,
            )
            .unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn a_request_beyond_the_recognisers_slots_waits_for_one() {
        if !migdesk_docs::ocr::available() {
            panic!("Tesseract with its languages is not installed: run scripts/test.sh");
        }
        let scan = migdesk_docs::samples::jpeg(600, 400);
        let (_dir, store) = store_with(&scan, &scan);
        // One slot: the second request finds the first one's recogniser still starting.
        let one = Documents::new(Limits {
            max_jobs_in_flight: 1,
            ..Limits::default()
        });
        let first = RecognitionJob::of(&store, &one, "d-pass").unwrap();
        let second = RecognitionJob::of(&store, &one, "d-letter").unwrap();
        let (a, b) = tokio::join!(first.run(), second.run());
        for recognition in [a.unwrap(), b.unwrap()] {
            assert!(
                recognition.outcome.is_ok(),
                "{}: {:?}",
                recognition.document_id,
                recognition.outcome
            );
        }
    }

    #[tokio::test]
    async fn the_background_reads_identity_documents_first_and_does_not_retry_a_failure() {
        if !migdesk_docs::ocr::available() {
            panic!("Tesseract with its languages is not installed: run scripts/test.sh");
        }
        // Neither file is an image the recogniser can read: each fails, and says why.
        let (_dir, mut store) = store_with(b"not a scan", b"nor this");
        let mut order = Vec::new();
        while let Some(job) = next_in_background(&store).unwrap() {
            order.push(job.document_id.clone());
            assert!(order.len() <= 2, "a failed scan is tried again: {order:?}");
            let recognition = job.run().await.unwrap();
            assert!(!recognition.keep_in_background(&mut store).unwrap());
        }
        assert_eq!(order, ["d-pass", "d-letter"]);
        let reason: String = store
            .conn_for_tests()
            .query_row(
                "SELECT recognition_failed FROM document_text WHERE sha256 = 'sha-p'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(!reason.is_empty());
        // The officer can still ask for it: the text panel's recognition ignores the mark.
        assert!(RecognitionJob::of(&store, &recogniser(), "d-pass").is_ok());
    }
}

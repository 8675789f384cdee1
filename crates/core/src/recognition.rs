//! Text recognition (OCR) of a scanned document on this desk, when the officer opens the text of
//! a scan that has no text layer: its stored bytes go to `migdesk-docs` (the Tesseract program
//! in a child process, bounded in time and memory) off the desk's lock, and what it reads is kept
//! by the file's SHA-256 in the encrypted cache like a text layer — marked as recognised, with
//! each word's box — and indexed for the queue's search. A failure (no recogniser installed, a
//! page too large, time up) is the officer's answer and changes nothing: the document stays
//! "no text" and can be tried again.

use std::time::Duration;

use migdesk_docs::{Documents, Limits, Recognised};

use crate::cache::{Store, TextRead};
use crate::error::{DeskError, DeskResult, ErrorKind};

/// How long recognising one document may take: a few pages of a few seconds each.
const TIME_PER_DOCUMENT: Duration = Duration::from_secs(90);

/// The document service recognition runs under: the two documents side by side at a time on
/// this desk (a third is refused as busy rather than adding to the load), and time for several
/// pages.
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

    /// Recognises the text on a worker thread.
    pub async fn run(self) -> DeskResult<Recognition> {
        let Self {
            document_id,
            sha256,
            bytes,
            documents,
        } = self;
        let outcome = tokio::task::spawn_blocking(move || documents.recognise(bytes))
            .await
            .map_err(|e| DeskError::internal(e.to_string()))?;
        Ok(Recognition {
            document_id,
            sha256,
            outcome,
        })
    }
}

impl Recognition {
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
        store.keep_texts(&[TextRead {
            sha256: self.sha256,
            text: Some(recognised.text),
            problem: None,
            viewable: true,
            recognised: Some(words),
        }])?;
        Ok(self.document_id)
    }
}

//! The desk's documents for the viewer: what is prepared (found by content hash, without
//! reading the file), a scan's page read alone, and the bytes of a file — a large one read on
//! a connection of its own, so that tens of megabytes never keep the desk's other calls
//! waiting.

use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;

use super::Desk;
use crate::cache::{self, CacheKey, Store};
use crate::error::{DeskError, DeskResult, ErrorKind};
use crate::secrets;
use crate::viewer::{DocumentLayout, MOST_BYTES_ASKED, ScanPage, Served, Source, Viewer};

/// Files of at least this many bytes are read without holding the desk (see
/// [`Desk::document_read`]); smaller ones cost less than a connection of their own.
pub const READ_APART: i64 = 8 << 20;

/// A stored document's bytes, to be read without holding the desk.
pub enum SourceRead {
    /// Read already.
    Read(Source),
    /// To read from the cache on a connection of its own.
    Apart {
        sha256: String,
        path: PathBuf,
        key: CacheKey,
    },
}

impl std::fmt::Debug for SourceRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Read(source) => f.debug_tuple("Read").field(source).finish(),
            Self::Apart { sha256, .. } => f.debug_struct("Apart").field("sha256", sha256).finish(),
        }
    }
}

impl SourceRead {
    /// The content hash of the document.
    pub fn sha256(&self) -> &str {
        match self {
            Self::Read(source) => &source.sha256,
            Self::Apart { sha256, .. } => sha256,
        }
    }

    /// The bytes (blocks while a large file is read: call it off the async threads).
    pub fn read(self) -> DeskResult<Source> {
        match self {
            Self::Read(source) => Ok(source),
            Self::Apart { sha256, path, key } => {
                let bytes = Store::open_again(&path, &key)?.file(&sha256)?;
                Ok(Source {
                    sha256,
                    bytes: bytes.into(),
                })
            }
        }
    }
}

/// What preparing a case before it is opened takes: the content of the documents the case
/// screen shows first, those of them the viewer has not prepared yet (to read), and the viewer.
/// [`CasePrefetch::run`] does the reading and preparing without holding the desk.
#[derive(Debug)]
pub struct CasePrefetch {
    first: Vec<String>,
    reads: Vec<SourceRead>,
    viewer: Viewer,
}

/// What the UI is told once a case is prepared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
pub struct Prefetched {
    /// How many documents were prepared now (not those prepared before).
    pub prepared: u32,
    /// One of the documents the case screen shows first is drawn by pdf.js: the UI starts
    /// pdf.js and its worker now, so the case does not wait for them. pdf.js is not started for
    /// cases that do not need it (its worker held ~26 MB of the window's memory).
    pub pdf: bool,
}

impl CasePrefetch {
    /// The documents still to read, in the order the case screen shows them.
    pub fn reads(&self) -> &[SourceRead] {
        &self.reads
    }

    /// The viewer the documents are prepared in.
    pub fn viewer(&self) -> &Viewer {
        &self.viewer
    }

    /// Reads and prepares the documents not prepared yet (blocks: call it off the async
    /// threads). A file that cannot be read is skipped, as one that cannot be shown: its error
    /// is shown when it is opened.
    pub fn run(self) -> Prefetched {
        let sources: Vec<Source> = self
            .reads
            .into_iter()
            .filter_map(|read| read.read().ok())
            .collect();
        let prepared = self.viewer.prefetch(&sources);
        let pdf = self.first.iter().any(|sha256| {
            self.viewer
                .ready_layout(sha256)
                .is_some_and(|layout| layout.pdf)
        });
        Prefetched {
            prepared: u32::try_from(prepared).unwrap_or(u32::MAX),
            pdf,
        }
    }
}

fn not_here(document_id: &str) -> DeskError {
    DeskError::new(
        ErrorKind::Document,
        format!("document {document_id} is not on this desk yet: sync to fetch it"),
    )
}

impl Desk {
    /// A stored document for the viewer, and the viewer to prepare it with (it works without
    /// holding the desk).
    pub fn document_source(&mut self, document_id: &str) -> DeskResult<(Source, Viewer)> {
        let viewer = self.viewer.clone();
        let store = self.active()?;
        let source = store.document_file(document_id)?;
        let (sha256, bytes) = source.ok_or_else(|| not_here(document_id))?;
        Ok((
            Source {
                sha256,
                bytes: bytes.into(),
            },
            viewer,
        ))
    }

    /// Page `page` (or, `fit`, scaled to fit a square of that side) of document `document_id`
    /// when the viewer has it prepared: answered without reading the document, however large.
    /// `None` when it must be read ([`Desk::document_read`]).
    pub fn prepared_page(
        &mut self,
        document_id: &str,
        page: usize,
        fit: Option<u32>,
    ) -> DeskResult<Option<Served>> {
        let Some((sha, viewer)) = self.stored_hash(document_id)? else {
            return Ok(None);
        };
        if let Some(served) = viewer.ready(&sha, page, fit) {
            return Ok(Some(served));
        }
        // A scan's JPEG is its page: read alone from the cache, however large the file.
        match viewer.scan_jpeg(&sha, page) {
            Some(range) if fit.is_none() => Ok(Some(Served {
                mime: "image/jpeg",
                bytes: self.active()?.file_range(&sha, range)?.into(),
            })),
            _ => Ok(None),
        }
    }

    /// Bytes `range` of document `document_id` (cut at its end), read alone from the cache: the
    /// parts of a large PDF pdf.js asks for. At most [`MOST_BYTES_ASKED`] at a time.
    pub fn document_bytes(
        &mut self,
        document_id: &str,
        range: std::ops::Range<u64>,
    ) -> DeskResult<Vec<u8>> {
        if range.end < range.start || range.end - range.start > MOST_BYTES_ASKED {
            return Err(DeskError::invalid(format!(
                "bytes {}-{}: ask for at most {MOST_BYTES_ASKED} bytes at a time",
                range.start, range.end
            )));
        }
        let store = self.active()?;
        let sha = store
            .document_hash(document_id)?
            .ok_or_else(|| not_here(document_id))?;
        store.file_range(&sha, range)
    }

    /// The SHA-256 of a document's stored bytes, with the viewer; `None` when they are not
    /// here.
    fn stored_hash(&mut self, document_id: &str) -> DeskResult<Option<(String, Viewer)>> {
        let viewer = self.viewer.clone();
        let sha = self.active()?.document_hash(document_id)?;
        Ok(sha.map(|sha| (sha, viewer)))
    }

    /// Page `page` of document `document_id` read alone, when it is a scan's JPEG (see
    /// [`Viewer::scan_jpeg`]): to scale from it without reading the rest of the file.
    pub fn scan_page(
        &mut self,
        document_id: &str,
        page: usize,
    ) -> DeskResult<Option<(ScanPage, Viewer)>> {
        let Some((sha256, viewer)) = self.stored_hash(document_id)? else {
            return Ok(None);
        };
        let Some(range) = viewer.scan_jpeg(&sha256, page) else {
            return Ok(None);
        };
        let jpeg = self.active()?.file_range(&sha256, range)?.into();
        let scan = ScanPage { sha256, page, jpeg };
        Ok(Some((scan, viewer)))
    }

    /// Whether page `page` of document `document_id` would be converted when asked for as the
    /// page before it was (`fit`, see [`Viewer::needs_conversion`]): what reading ahead
    /// prepares.
    pub fn page_needs_conversion(
        &mut self,
        document_id: &str,
        page: usize,
        fit: Option<u32>,
    ) -> DeskResult<bool> {
        let stored = self.stored_hash(document_id)?;
        Ok(stored.is_some_and(|(sha, viewer)| viewer.needs_conversion(&sha, page, fit)))
    }

    /// The layout of document `document_id` when the viewer has it prepared (see
    /// [`Desk::prepared_page`]).
    pub fn prepared_layout(&mut self, document_id: &str) -> DeskResult<Option<DocumentLayout>> {
        let stored = self.stored_hash(document_id)?;
        Ok(stored.and_then(|(sha, viewer)| viewer.ready_layout(&sha)))
    }

    /// What the case screen shows first of case `case_id` (its first two stored documents), to
    /// prepare before the officer opens it ([`CasePrefetch::run`]). Prepared documents are not
    /// read again.
    pub fn prefetch_case(&mut self, case_id: &str) -> DeskResult<CasePrefetch> {
        let viewer = self.viewer.clone();
        let (mut first, mut reads) = (Vec::new(), Vec::new());
        for (sha256, length) in self.active()?.first_hashes(case_id, 2)? {
            if !viewer.opens_at_once(&sha256) {
                reads.push(self.source_read(sha256.clone(), length)?);
            }
            first.push(sha256);
        }
        Ok(CasePrefetch {
            first,
            reads,
            viewer,
        })
    }

    /// A stored document's bytes to read without holding the desk, and the viewer to prepare
    /// it with: a small file read already, a large one ([`READ_APART`]) read on a connection of
    /// its own by [`SourceRead::read`].
    pub fn document_read(&mut self, document_id: &str) -> DeskResult<(SourceRead, Viewer)> {
        let viewer = self.viewer.clone();
        let (sha256, length) = self
            .active()?
            .document_hash_and_length(document_id)?
            .ok_or_else(|| not_here(document_id))?;
        Ok((self.source_read(sha256, length)?, viewer))
    }

    fn source_read(&mut self, sha256: String, length: i64) -> DeskResult<SourceRead> {
        if length < READ_APART {
            let bytes = self.active()?.file(&sha256)?;
            return Ok(SourceRead::Read(Source {
                sha256,
                bytes: bytes.into(),
            }));
        }
        Ok(SourceRead::Apart {
            sha256,
            path: cache::file_in(&self.data_dir),
            key: secrets::cache_key(self.keyring.as_ref(), false)?,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_prefetch_says_whether_pdfjs_draws_one_of_the_first_documents() {
        use crate::viewer::PREPARED_BUDGET;
        use migdesk_docs::{Documents, samples};
        use sha2::Digest;
        let source = |bytes: Vec<u8>| Source {
            sha256: hex::encode(sha2::Sha256::digest(&bytes)),
            bytes: bytes.into(),
        };
        let viewer = Viewer::new(Documents::default(), PREPARED_BUDGET);
        let text_pdf = source(samples::text_pdf(&["Elvin Mammadov"]));
        let scans = source(samples::scanned_pdf(
            &samples::page_image(200, 283),
            &[samples::ScanPage::default()],
        ));
        let jpeg = source(samples::jpeg(64, 48));
        let prefetch = |sources: &[&Source]| CasePrefetch {
            first: sources.iter().map(|s| s.sha256.clone()).collect(),
            reads: sources
                .iter()
                .map(|s| SourceRead::Read((*s).clone()))
                .collect(),
            viewer: viewer.clone(),
        };
        // A JPEG and a PDF of scans are shown as images: pdf.js is not needed.
        assert_eq!(
            prefetch(&[&jpeg, &scans]).run(),
            Prefetched {
                prepared: 2,
                pdf: false
            }
        );
        assert_eq!(
            prefetch(&[&jpeg, &text_pdf]).run(),
            Prefetched {
                prepared: 2,
                pdf: true
            }
        );
        // Prepared before, and not read this time: still known to be pdf.js's.
        let known = CasePrefetch {
            first: vec![text_pdf.sha256.clone()],
            reads: Vec::new(),
            viewer: viewer.clone(),
        };
        assert_eq!(
            known.run(),
            Prefetched {
                prepared: 0,
                pdf: true
            }
        );
    }

    #[test]
    fn a_large_file_is_read_on_a_connection_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let (path, key) = (cache::file_in(dir.path()), CacheKey::random());
        let mut store = Store::open(&path, &key).unwrap();
        let bytes: Vec<u8> = (0..(READ_APART as usize + 1)).map(|i| i as u8).collect();
        store
            .keep_documents(&[("big".to_owned(), bytes.clone())])
            .unwrap();
        let apart = SourceRead::Apart {
            sha256: "big".into(),
            path: path.clone(),
            key: key.clone(),
        };
        assert_eq!(apart.sha256(), "big");
        assert!(
            !format!("{apart:?}").contains(&key.to_hex()),
            "the key stays out of logs"
        );
        let source = apart.read().unwrap();
        assert_eq!(
            (source.sha256.as_str(), &*source.bytes),
            ("big", bytes.as_slice())
        );
        // The desk's own connection is untouched meanwhile: it reads the same file.
        assert_eq!(store.file("big").unwrap(), bytes);
        let missing = SourceRead::Apart {
            sha256: "gone".into(),
            path,
            key,
        };
        assert!(missing.read().is_err());
    }
}

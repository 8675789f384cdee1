//! Document bytes for the viewer. The shell serves them through its own URI scheme
//! (`migdesk-doc://localhost/<document id>/<page>`), never as JSON: a PDF goes to pdf.js as it
//! is; an image the WebView shows natively goes as it is; a PDF of scans only goes page by page
//! as its images (a JPEG as the file holds it where the WebView shows it as a PDF viewer
//! draws it); anything else (TIFF, CMYK JPEG, 16-bit PNG) is converted page by page to PNG under
//! the document limits. A page shown as an image larger than [`SCREEN_SIDE`] also comes scaled
//! to fit it, which is what the viewer shows until the officer zooms in: the WebView holds
//! every image it shows decoded, 35 MB for an A4 page scanned at 300 dpi, 7 MB scaled.
//!
//! [`Viewer`] remembers what it prepared (layouts and converted pages, by document content and
//! page, within a memory budget), so a case prepared in advance opens from memory: the desk
//! prefetches the selected and the next case's first pages ([`Viewer::prefetch`]). What is
//! prepared is found by content hash before the document is read ([`Viewer::ready`]), so a page
//! prepared once costs nothing however large its file. Two requests for the same thing at once
//! share one conversion.

use std::sync::Arc;

use migdesk_docs::{Documents, Format};
use quick_cache::sync::{Cache, DefaultLifecycle};
use quick_cache::{DefaultHashBuilder, OptionsBuilder, Weighter};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::DeskResult;

/// What the viewer receives for one request.
#[derive(Clone, PartialEq, Eq)]
pub struct Served {
    pub mime: &'static str,
    pub bytes: Arc<[u8]>,
}

impl std::fmt::Debug for Served {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Served")
            .field("mime", &self.mime)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// How the viewer shows a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DocumentLayout {
    /// `PDF`, `JPEG`, `PNG`, `TIFF`, `WebP`, `BMP`.
    pub format: String,
    /// Drawn by pdf.js from the original bytes.
    pub pdf: bool,
    #[ts(type = "number")]
    pub page_count: u32,
    /// The file's size in bytes: pdf.js asks a large PDF for the parts it needs
    /// (`…/bytes/<start>-<end>`) instead of the whole file.
    #[ts(type = "number")]
    pub bytes: u64,
    /// Each page's size in pixels, shown whole, when the pages are shown as images (empty for
    /// a PDF pdf.js draws, or when a size cannot be told before decoding): what recognised
    /// words' boxes count in.
    pub pages: Vec<PagePixels>,
    /// A page larger than this either way also comes scaled to fit a square of this side
    /// (`…/<page>/screen`), never enlarged.
    pub screen_side: u32,
}

/// A page's size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PagePixels {
    pub width: u32,
    pub height: u32,
}

/// The most bytes of a document one request for a part of it reads (`Desk::document_bytes`):
/// pdf.js asks for 64 KiB at a time.
pub const MOST_BYTES_ASKED: u64 = 8 * 1024 * 1024;

/// The side of the square a large page is scaled to fit for the screen: more than a pane of
/// the desk shows on a full-HD screen (a page fitted to half of its width is ~950 pixels wide),
/// a fifth of an A4 page's pixels at 300 dpi.
pub const SCREEN_SIDE: u32 = 1600;

/// A page of a PDF of scans read alone: its JPEG ([`Viewer::scan_jpeg`]), and the document's
/// content hash.
#[derive(Clone)]
pub struct ScanPage {
    pub sha256: String,
    pub page: usize,
    pub jpeg: Arc<[u8]>,
}

impl std::fmt::Debug for ScanPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanPage")
            .field("sha256", &self.sha256)
            .field("page", &self.page)
            .field("jpeg", &self.jpeg.len())
            .finish()
    }
}

/// A stored document as the viewer receives it: its content hash (what it is remembered by)
/// and its bytes.
#[derive(Clone)]
pub struct Source {
    pub sha256: String,
    pub bytes: Arc<[u8]>,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("sha256", &self.sha256)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// How much converted pages the viewer keeps in memory, in bytes. A converted A4 scan is about
/// 1–3 MB of PNG, so this holds the open case's pages and the next case's first ones (what
/// the queue prepares) with room to spare.
pub const PREPARED_BUDGET: u64 = 32 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Layout(String),
    Page(String, usize),
    Thumbnail(String, usize, u32),
}

#[derive(Debug, Clone)]
enum Prepared {
    Layout(Inspected),
    Served(Served),
}

/// What `inspect` told about a document.
#[derive(Debug, Clone)]
struct Inspected {
    layout: DocumentLayout,
    /// The WebView shows the original bytes, served with `mime`.
    native: bool,
    mime: &'static str,
    /// Where each page's JPEG lies in the file, for a PDF of scans sent as they are.
    scan_jpegs: Option<Arc<[std::ops::Range<u64>]>>,
}

impl Inspected {
    /// Whether page `page` is the original bytes, which the WebView shows itself (an image of
    /// one page).
    fn shown_as_is(&self, page: usize) -> bool {
        self.native && self.layout.page_count == 1 && page == 0
    }

    /// Where page `page`'s JPEG lies in the file, when its pages are JPEGs sent as it holds them.
    fn scan_jpeg(&self, page: usize) -> Option<std::ops::Range<u64>> {
        self.scan_jpegs.as_ref()?.get(page).cloned()
    }

    /// Whether page `page` is known to be larger than `side` either way.
    fn larger_than(&self, page: usize, side: u32) -> bool {
        self.layout
            .pages
            .get(page)
            .is_some_and(|pixels| pixels.width.max(pixels.height) > side)
    }

    /// How the viewer asks for page `page` where it would ask for it scaled to fit `fit`: so,
    /// when the page is larger than that (its size known), else whole.
    fn wanted(&self, page: usize, fit: Option<u32>) -> Option<u32> {
        fit.filter(|&side| self.larger_than(page, side))
    }
}

#[derive(Debug, Clone, Copy)]
struct ByBytes;

impl Weighter<Key, Prepared> for ByBytes {
    fn weight(&self, _key: &Key, value: &Prepared) -> u64 {
        match value {
            Prepared::Layout(_) => 256,
            Prepared::Served(served) => 256 + served.bytes.len() as u64,
        }
    }
}

/// The document service with a memory of what it prepared. Clones share the memory. Every
/// method blocks (the document worker does the work): call it off the async threads.
#[derive(Clone)]
pub struct Viewer {
    documents: Documents,
    prepared: Arc<Cache<Key, Prepared, ByBytes>>,
    turns: Arc<Turns>,
}

/// Conversions take turns: the document service refuses calls beyond its jobs in flight
/// (`Busy`), so a page strip asking for many thumbnails at once waits its turn instead of
/// showing broken pictures.
#[derive(Debug)]
struct Turns {
    running: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
    most: usize,
}

/// A conversion's turn, given back when dropped.
struct Turn<'a>(&'a Turns);

impl Turns {
    fn take(&self) -> Turn<'_> {
        let mut running = self
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while *running >= self.most {
            running = self
                .freed
                .wait(running)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *running += 1;
        Turn(self)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut running = self
            .0
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *running = running.saturating_sub(1);
        self.0.freed.notify_one();
    }
}

impl std::fmt::Debug for Viewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Viewer")
            .field("prepared", &self.prepared.len())
            .field("bytes", &self.prepared.weight())
            .finish()
    }
}

impl Viewer {
    /// A viewer keeping up to `budget` bytes of prepared pages.
    pub fn new(documents: Documents, budget: u64) -> Self {
        // One shard: a handful of requests at a time, and a page must fit in a shard's share of
        // the budget (with the default of 4 shards a core, a 3 MB page would not on 16 cores).
        let options = OptionsBuilder::new()
            .shards(1)
            .estimated_items_capacity(512)
            .weight_capacity(budget)
            .build();
        let prepared = match options {
            Ok(options) => Cache::with_options(
                options,
                ByBytes,
                DefaultHashBuilder::default(),
                DefaultLifecycle::default(),
            ),
            Err(_) => Cache::with_weighter(512, budget, ByBytes),
        };
        let turns = Turns {
            running: std::sync::Mutex::new(0),
            freed: std::sync::Condvar::new(),
            most: documents.limits().max_jobs_in_flight.max(1),
        };
        Self {
            documents,
            prepared: Arc::new(prepared),
            turns: Arc::new(turns),
        }
    }

    /// The document's format and number of pages; a clear `document` error when it cannot be
    /// shown (errors are not remembered: the next request tries again).
    pub fn layout(&self, source: &Source) -> DeskResult<DocumentLayout> {
        Ok(self.inspected(source)?.layout)
    }

    fn inspected(&self, source: &Source) -> DeskResult<Inspected> {
        let key = Key::Layout(source.sha256.clone());
        let prepared = self.prepared.get_or_insert_with(&key, || {
            let _turn = self.turns.take();
            let info = self.documents.inspect(source.bytes.clone())?;
            Ok::<_, crate::DeskError>(Prepared::Layout(Inspected {
                layout: DocumentLayout {
                    format: info.format.name().to_owned(),
                    pdf: info.pdf,
                    page_count: u32::try_from(info.page_count).unwrap_or(u32::MAX),
                    bytes: source.bytes.len() as u64,
                    pages: info
                        .pixels
                        .iter()
                        .map(|&(width, height)| PagePixels { width, height })
                        .collect(),
                    screen_side: SCREEN_SIDE,
                },
                native: info.native,
                mime: info.mime,
                scan_jpegs: info.scan_jpegs.map(Into::into),
            }))
        })?;
        match prepared {
            Prepared::Layout(inspected) => Ok(inspected),
            Prepared::Served(_) => Err(crate::DeskError::internal("a page was kept as a layout")),
        }
    }

    /// Page `page` (from 0) for the viewer: the original bytes of a PDF (pdf.js reads the whole
    /// file and chooses the page) or of an image the WebView shows itself; a PDF of scans only
    /// as its pages' images ([`migdesk_docs::Documents::display_page`]); PNG otherwise.
    pub fn page(&self, source: &Source, page: usize) -> DeskResult<Served> {
        let format = migdesk_docs::sniff(&source.bytes);
        let inspected = self.inspected(source);
        // A PDF that cannot be inspected here still goes to pdf.js, which may draw it.
        if format == Format::Pdf && inspected.as_ref().map_or(true, |i| i.layout.pdf) {
            self.documents.limits().check_input(source.bytes.len())?;
            return Ok(Served {
                mime: "application/pdf",
                bytes: source.bytes.clone(),
            });
        }
        let inspected = inspected?;
        if inspected.shown_as_is(page) {
            return Ok(Served {
                mime: inspected.mime,
                bytes: source.bytes.clone(),
            });
        }
        self.converted(Key::Page(source.sha256.clone(), page), || {
            self.documents
                .display_page(source.bytes.clone(), page)
                .map(|shown| Served {
                    mime: shown.mime,
                    bytes: shown.bytes.into(),
                })
        })
    }

    /// Prepares page `page` of a document shown page by page here (not one pdf.js or the
    /// WebView reads whole), if it has such a page and it is not prepared yet: the page after
    /// the one just shown (at `fit`: see [`Viewer::needs_conversion`]), read ahead while the
    /// officer looks at that one. Errors are left for the page's own request to show.
    pub fn read_ahead(&self, source: &Source, page: usize, fit: Option<u32>) {
        if let Some(wanted) = self.to_convert(&source.sha256, page, fit) {
            let _ = match wanted {
                Some(side) => self.thumbnail(source, page, side),
                None => self.page(source, page),
            };
        }
    }

    /// Prepares a page of a PDF of scans scaled to fit `side` from its JPEG alone, if it is
    /// not prepared yet (as [`Viewer::read_ahead`]).
    pub fn read_ahead_scan(&self, scan: &ScanPage, side: u32) {
        if self.ready(&scan.sha256, scan.page, Some(side)).is_none() {
            let _ = self.scaled_scan(scan, side);
        }
    }

    /// Whether page `page` of the content `sha256` would be converted when the viewer asks for
    /// it as it asked for the page before (`fit`: scaled to fit a square of that side; `None`:
    /// whole): its layout known and shown page by page here, the page there and not prepared,
    /// and, whole, not a scan's JPEG read alone. A page no larger than `fit` is asked for
    /// whole.
    pub fn needs_conversion(&self, sha256: &str, page: usize, fit: Option<u32>) -> bool {
        self.to_convert(sha256, page, fit).is_some()
    }

    /// What [`Viewer::needs_conversion`] would convert (`Some(fit)`, `fit` as the page is
    /// asked for), from one look at the layout.
    fn to_convert(&self, sha256: &str, page: usize, fit: Option<u32>) -> Option<Option<u32>> {
        let inspected = self.ready_inspected(sha256)?;
        let layout = &inspected.layout;
        if layout.pdf || !usize::try_from(layout.page_count).is_ok_and(|count| page < count) {
            return None;
        }
        let wanted = inspected.wanted(page, fit);
        let converted = match wanted {
            Some(side) => self.ready(sha256, page, Some(side)).is_none(),
            None => {
                !inspected.shown_as_is(page)
                    && inspected.scan_jpeg(page).is_none()
                    && self.ready(sha256, page, None).is_none()
            }
        };
        converted.then_some(wanted)
    }

    /// Whether page `page` of the content `sha256` is known to be larger than `side` either way.
    pub fn larger_than(&self, sha256: &str, page: usize, side: u32) -> bool {
        self.ready_inspected(sha256)
            .is_some_and(|inspected| inspected.larger_than(page, side))
    }

    /// What `inspect` told of the content `sha256`, when its layout is prepared already.
    fn ready_inspected(&self, sha256: &str) -> Option<Inspected> {
        match self.prepared.get(&Key::Layout(sha256.to_owned()))? {
            Prepared::Layout(inspected) => Some(inspected),
            Prepared::Served(_) => None,
        }
    }

    /// Page `page` (or, `fit`, scaled to fit a square of that side: a thumbnail or the screen's
    /// copy) of the content `sha256`, when it is prepared already: served from memory without
    /// reading the document.
    pub fn ready(&self, sha256: &str, page: usize, fit: Option<u32>) -> Option<Served> {
        let key = match fit {
            Some(side) => Key::Thumbnail(sha256.to_owned(), page, side),
            None => Key::Page(sha256.to_owned(), page),
        };
        match self.prepared.get(&key)? {
            Prepared::Served(served) => Some(served),
            Prepared::Layout(_) => None,
        }
    }

    /// The layout of the content `sha256`, when it is prepared already.
    pub fn ready_layout(&self, sha256: &str) -> Option<DocumentLayout> {
        self.ready_inspected(sha256)
            .map(|inspected| inspected.layout)
    }

    /// Where page `page`'s JPEG lies in the content `sha256`, when its layout is prepared and
    /// its pages are JPEGs sent as the file holds them: the page is then those bytes alone.
    pub fn scan_jpeg(&self, sha256: &str, page: usize) -> Option<std::ops::Range<u64>> {
        self.ready_inspected(sha256)?.scan_jpeg(page)
    }

    /// Whether what opening the content `sha256` shows first is prepared: its layout, and its
    /// first page where it is converted here (pdf.js and the WebView read the bytes themselves),
    /// scaled for the screen where it is larger.
    pub fn opens_at_once(&self, sha256: &str) -> bool {
        let Some(inspected) = self.ready_inspected(sha256) else {
            return false;
        };
        if inspected.larger_than(0, SCREEN_SIDE) {
            return self.ready(sha256, 0, Some(SCREEN_SIDE)).is_some();
        }
        inspected.layout.pdf
            || inspected.shown_as_is(0)
            || inspected.scan_jpegs.is_some()
            || self.ready(sha256, 0, None).is_some()
    }

    /// Page `page` of a PDF of scans scaled to fit `side` × `side` (never up), made from its
    /// JPEG alone and remembered as [`Viewer::thumbnail`] remembers it from the whole file.
    pub fn scaled_scan(&self, scan: &ScanPage, side: u32) -> DeskResult<Served> {
        self.converted(Key::Thumbnail(scan.sha256.clone(), scan.page, side), || {
            self.documents
                .thumbnail(scan.jpeg.clone(), 0, side)
                .map(|scaled| Served {
                    mime: migdesk_docs::RenderedPage::MIME,
                    bytes: scaled.png.into(),
                })
        })
    }

    /// Page `page` scaled to fit `max_side` × `max_side` (never up): a small picture for the
    /// viewer's page strip, or a large page for the screen ([`SCREEN_SIDE`]).
    pub fn thumbnail(&self, source: &Source, page: usize, max_side: u32) -> DeskResult<Served> {
        self.converted(
            Key::Thumbnail(source.sha256.clone(), page, max_side),
            || {
                self.documents
                    .thumbnail(source.bytes.clone(), page, max_side)
                    .map(|thumb| Served {
                        mime: migdesk_docs::RenderedPage::MIME,
                        bytes: thumb.png.into(),
                    })
            },
        )
    }

    /// Prepares the layout and first page of each source (scaled for the screen where it is
    /// larger), so opening them later is instant. Returns how many were prepared; a document
    /// that cannot be shown is skipped (its error is shown when it is opened).
    pub fn prefetch(&self, sources: &[Source]) -> usize {
        sources
            .iter()
            .filter(|source| {
                self.layout(source)
                    .and_then(|layout| {
                        if self.larger_than(&source.sha256, 0, SCREEN_SIDE) {
                            self.thumbnail(source, 0, SCREEN_SIDE).map(drop)
                        // pdf.js reads the file itself; a scan's located JPEG is read alone.
                        } else if layout.pdf || self.scan_jpeg(&source.sha256, 0).is_some() {
                            Ok(())
                        } else {
                            self.page(source, 0).map(drop)
                        }
                    })
                    .is_ok()
            })
            .count()
    }

    /// Whether the layout of this content is already prepared (for tests and diagnostics).
    pub fn is_prepared(&self, sha256: &str) -> bool {
        self.prepared.contains_key(&Key::Layout(sha256.to_owned()))
    }

    fn converted(
        &self,
        key: Key,
        convert: impl FnOnce() -> Result<Served, migdesk_docs::DocError>,
    ) -> DeskResult<Served> {
        let prepared = self.prepared.get_or_insert_with(&key, || {
            let _turn = self.turns.take();
            Ok::<_, crate::DeskError>(Prepared::Served(convert()?))
        })?;
        match prepared {
            Prepared::Served(served) => Ok(served),
            Prepared::Layout(_) => Err(crate::DeskError::internal("a layout was kept as a page")),
        }
    }
}

#[cfg(test)]
mod tests;

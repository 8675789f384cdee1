//! Document bytes for the viewer. The shell serves them through its own URI scheme
//! (`migdesk-doc://localhost/<document id>/<page>`), never as JSON: a PDF goes to pdf.js as it
//! is; an image the WebView shows natively goes as it is; a PDF of scans only goes page by page
//! as its images (a JPEG as the file holds it where the WebView shows it as a PDF viewer
//! draws it); anything else (TIFF, CMYK JPEG, 16-bit PNG) is converted page by page to PNG under
//! the document limits.
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
        if inspected.native && inspected.layout.page_count == 1 && page == 0 {
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
    /// the one just shown, read ahead while the officer looks at that one. Errors are left for
    /// the page's own request to show.
    pub fn read_ahead(&self, source: &Source, page: usize) {
        if self.needs_conversion(&source.sha256, page) {
            let _ = self.page(source, page);
        }
    }

    /// Whether page `page` of the content `sha256` would be converted from the whole file: its
    /// layout known and shown page by page here, the page there, neither prepared nor a scan's
    /// JPEG read alone when it is wanted.
    pub fn needs_conversion(&self, sha256: &str, page: usize) -> bool {
        let converted = self.ready_layout(sha256).is_some_and(|layout| {
            !layout.pdf && usize::try_from(layout.page_count).is_ok_and(|count| page < count)
        });
        converted
            && self.scan_jpeg(sha256, page).is_none()
            && self.ready(sha256, page, None).is_none()
    }

    /// Page `page` (or its thumbnail of side `thumb`) of the content `sha256`, when it is
    /// prepared already: served from memory without reading the document.
    pub fn ready(&self, sha256: &str, page: usize, thumb: Option<u32>) -> Option<Served> {
        let key = match thumb {
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
        match self.prepared.get(&Key::Layout(sha256.to_owned()))? {
            Prepared::Layout(inspected) => Some(inspected.layout),
            Prepared::Served(_) => None,
        }
    }

    /// Where page `page`'s JPEG lies in the content `sha256`, when its layout is prepared and
    /// its pages are JPEGs sent as the file holds them: the page is then those bytes alone.
    pub fn scan_jpeg(&self, sha256: &str, page: usize) -> Option<std::ops::Range<u64>> {
        match self.prepared.get(&Key::Layout(sha256.to_owned()))? {
            Prepared::Layout(inspected) => inspected.scan_jpegs?.get(page).cloned(),
            Prepared::Served(_) => None,
        }
    }

    /// Whether what opening the content `sha256` shows first is prepared: its layout, and its
    /// first page where it is converted here (pdf.js and the WebView read the bytes themselves).
    pub fn opens_at_once(&self, sha256: &str) -> bool {
        match self.prepared.get(&Key::Layout(sha256.to_owned())) {
            Some(Prepared::Layout(inspected)) => {
                inspected.layout.pdf
                    || (inspected.native && inspected.layout.page_count == 1)
                    || inspected.scan_jpegs.is_some()
                    || self.ready(sha256, 0, None).is_some()
            }
            _ => false,
        }
    }

    /// A small picture of page `page`, for the viewer's page strip.
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

    /// Prepares the layout and first page of each source, so opening them later is instant.
    /// Returns how many were prepared; a document that cannot be shown is skipped (its error
    /// is shown when it is opened).
    pub fn prefetch(&self, sources: &[Source]) -> usize {
        sources
            .iter()
            .filter(|source| {
                self.layout(source)
                    .and_then(|layout| {
                        // pdf.js reads the file itself; a scan's located JPEG is read alone.
                        if layout.pdf || self.scan_jpeg(&source.sha256, 0).is_some() {
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
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use migdesk_docs::samples;

    fn source(bytes: Vec<u8>) -> Source {
        use sha2::Digest;
        Source {
            sha256: hex::encode(sha2::Sha256::digest(&bytes)),
            bytes: bytes.into(),
        }
    }

    #[test]
    fn prefetch_prepares_what_can_be_shown_and_skips_what_cannot() {
        let viewer = Viewer::new(Documents::default(), PREPARED_BUDGET);
        let pdf = source(samples::text_pdf(&["Elvin Mammadov"]));
        let jpeg = source(samples::jpeg(64, 48));
        let bomb = source(samples::png_bomb().to_vec());
        assert_eq!(
            viewer.prefetch(&[pdf.clone(), bomb.clone(), jpeg.clone()]),
            2
        );
        assert!(viewer.is_prepared(&pdf.sha256));
        assert!(viewer.is_prepared(&jpeg.sha256));
        // Errors are not remembered; the officer sees the error when opening the document.
        assert!(!viewer.is_prepared(&bomb.sha256));
        let err = viewer.layout(&bomb).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::Document);
        let layout = viewer.layout(&pdf).unwrap();
        assert_eq!(
            (layout.format.as_str(), layout.pdf, layout.page_count),
            ("PDF", true, 1)
        );
        let served = viewer.page(&jpeg, 0).unwrap();
        assert_eq!(served.mime, "image/jpeg");
        assert_eq!(
            served.bytes, jpeg.bytes,
            "a native image is served as it is"
        );
    }

    #[test]
    fn a_pdf_of_scans_is_served_as_its_pages_images_and_its_first_page_prefetched() {
        let viewer = Viewer::new(Documents::default(), PREPARED_BUDGET);
        let scans = source(samples::scanned_pdf(
            &samples::page_image(200, 283),
            &[samples::ScanPage::default(); 2],
        ));
        assert_eq!(viewer.prefetch(std::slice::from_ref(&scans)), 1);
        let layout = viewer.layout(&scans).unwrap();
        assert_eq!(
            (layout.format.as_str(), layout.pdf, layout.page_count),
            ("PDF", false, 2)
        );
        // Its first page is ready before the case opens: located in the file, read alone.
        assert!(viewer.scan_jpeg(&scans.sha256, 0).is_some());
        // Each page's JPEG is located in the file: a page is read alone, nothing read ahead.
        let second = viewer.scan_jpeg(&scans.sha256, 1).expect("located");
        assert!(scans.bytes[second.start as usize..].starts_with(b"\xFF\xD8"));
        let weight = viewer.prepared.weight();
        viewer.read_ahead(&scans, 1);
        assert_eq!(viewer.prepared.weight(), weight);
        for page in 0..2 {
            let served = viewer.page(&scans, page).unwrap();
            assert_eq!(
                served.mime, "image/jpeg",
                "the scan's JPEG as the file holds it"
            );
            assert!(served.bytes.starts_with(b"\xFF\xD8\xFF"));
        }
        // What is prepared is found by content alone, without the document's bytes.
        assert!(viewer.opens_at_once(&scans.sha256));
        assert_eq!(viewer.ready_layout(&scans.sha256), Some(layout));
        assert_eq!(
            viewer.ready(&scans.sha256, 1, None),
            Some(viewer.page(&scans, 1).unwrap())
        );
        assert_eq!(
            viewer.ready(&scans.sha256, 1, Some(64)),
            None,
            "no thumbnail yet"
        );
        viewer.thumbnail(&scans, 1, 64).unwrap();
        let thumb = viewer.ready(&scans.sha256, 1, Some(64)).unwrap();
        assert_eq!(thumb.mime, "image/png");
        assert!(
            !viewer.opens_at_once("0000"),
            "nothing prepared of unknown content"
        );

        // Scans a WebView would turn (an EXIF orientation) are converted here: the next page is
        // read ahead, once.
        let jpeg = samples::encode(
            &image::DynamicImage::ImageLuma8(samples::page_image(200, 283)),
            image::ImageFormat::Jpeg,
        );
        let mut exif = vec![0xFF, 0xE1, 0x00, 0x22];
        exif.extend_from_slice(
            b"Exif\0\0MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0",
        );
        let turned = [&jpeg[..2], &exif, &jpeg[2..]].concat();
        let turned = source(samples::scanned_pdf_of_jpeg(
            &turned,
            (200, 283),
            &[samples::ScanPage::default(); 3],
        ));
        assert_eq!(viewer.prefetch(std::slice::from_ref(&turned)), 1);
        assert_eq!(viewer.scan_jpeg(&turned.sha256, 1), None);
        assert_eq!(viewer.ready(&turned.sha256, 1, None), None);
        viewer.read_ahead(&turned, 1);
        let ahead = viewer.ready(&turned.sha256, 1, None).expect("read ahead");
        assert_eq!(ahead.mime, "image/png");
        let weight = viewer.prepared.weight();
        viewer.read_ahead(&turned, 3);
        assert_eq!(viewer.prepared.weight(), weight, "there is no fourth page");
        // Any other PDF, and one that cannot be inspected here, goes whole to pdf.js.
        for other in [
            samples::text_pdf(&["Elvin Mammadov"]),
            b"%PDF-1.7 not a PDF after all".to_vec(),
        ] {
            let other = source(other);
            let weight = viewer.prepared.weight();
            viewer.read_ahead(&other, 1);
            assert_eq!(
                viewer.prepared.weight(),
                weight,
                "pdf.js reads the whole file itself"
            );
            let served = viewer.page(&other, 0).unwrap();
            assert_eq!(served.mime, "application/pdf");
            assert_eq!(served.bytes, other.bytes);
        }
    }

    #[test]
    fn conversions_beyond_the_jobs_in_flight_wait_their_turn_instead_of_failing() {
        let limits = migdesk_docs::Limits {
            max_jobs_in_flight: 1,
            ..migdesk_docs::Limits::default()
        };
        let viewer = Viewer::new(Documents::new(limits), PREPARED_BUDGET);
        let tiff = |shade: u8| {
            let page = image::GrayImage::from_pixel(300, 400, image::Luma([shade]));
            let mut bytes = std::io::Cursor::new(Vec::new());
            page.write_to(&mut bytes, image::ImageFormat::Tiff).unwrap();
            source(bytes.into_inner())
        };
        let thumbnails: Vec<_> = (0..6u8)
            .map(|i| {
                let (viewer, doc) = (viewer.clone(), tiff(i * 40));
                std::thread::spawn(move || viewer.thumbnail(&doc, 0, 64))
            })
            .collect();
        for thumbnail in thumbnails {
            let served = thumbnail.join().unwrap().unwrap();
            assert_eq!(served.mime, "image/png");
        }
    }

    #[test]
    fn converted_pages_stay_within_the_budget() {
        let big = samples::page_image(1200, 1600);
        let png16 = image::DynamicImage::ImageLuma16(image::ImageBuffer::from_fn(
            big.width(),
            big.height(),
            |x, y| image::Luma([(u16::from(big.get_pixel(x, y).0[0]) * 257) ^ (x as u16)]),
        ));
        let mut bytes = std::io::Cursor::new(Vec::new());
        png16.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
        let doc = source(bytes.into_inner());
        let one = Viewer::new(Documents::default(), PREPARED_BUDGET)
            .page(&doc, 0)
            .unwrap();
        assert_eq!(one.mime, "image/png", "a 16-bit PNG is converted");
        let budget = one.bytes.len() as u64 * 3;
        let viewer = Viewer::new(Documents::default(), budget);
        for i in 0..8u8 {
            let mut variant = doc.bytes.to_vec();
            variant.extend_from_slice(&[i]); // after IEND: same picture, another document
            let variant = source(variant);
            viewer.page(&variant, 0).unwrap();
            assert!(viewer.is_prepared(&variant.sha256), "the newest is kept");
            assert!(
                viewer.prepared.weight() <= budget,
                "{} > {budget}",
                viewer.prepared.weight()
            );
        }
    }
}

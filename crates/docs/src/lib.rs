//! The desk's document handling: applicants' scans (PDF, JPEG, PNG, TIFF, WebP, BMP) shown
//! safely. A broken or hostile file gives a clear error for that document; it never crashes or
//! hangs the desk.
//!
//! # What is shown how
//!
//! - **Recognised by content only**: [`sniff`] reads magic bytes, never names or MIME types, and
//!   describes what it does not show ("ZIP archive", "plain text", "empty file").
//! - **Served as is** (`native` in [`DocInfo`]): JPEG in RGB or grey, 8-bit PNG (including
//!   palette and alpha), WebP, BMP. WebKitGTK decodes these itself and honours EXIF orientation.
//! - **Converted** with [`Documents::render_page`]: TIFF (WebKitGTK does not show it; multi-page,
//!   decoded with the `tiff` crate page by page), CMYK JPEG (WebKit's colours are wrong or it
//!   shows nothing; converted to RGB), 16-bit PNG (reduced to 8 bits). Pages come out upright
//!   (EXIF/TIFF orientation applied) as **PNG**, always: lossless, because officers compare
//!   fine print, stamps and machine-readable lines that JPEG artefacts blur; alpha survives; the
//!   converted formats are mostly document scans, which PNG (fast deflate) keeps small and
//!   quickly; and the bytes travel through a local URI scheme, where size costs little.
//! - **PDF** is drawn by the viewer (pdf.js), so `native` is false and `pdf` true; rendering a
//!   PDF page here is [`DocError::DrawnByViewer`]. Page sizes (points, from the MediaBox,
//!   turned by `/Rotate`) come from lopdf and the text layer from pdf-extract.
//! - **A PDF of scans only** (every page one upright image and nothing else that shows) is shown
//!   as its pages' images ([`Documents::display_page`]): a page whose image is a JPEG the
//!   WebView shows as a PDF viewer draws it goes as the file holds it (nothing decoded here, the
//!   same trust as a JPEG document served as it is); any other page as PNG.
//!
//! # Limits
//!
//! Every call runs under [`Limits`]: input size, pixels per page (checked from headers, before
//! decoding, so a PNG "decompression bomb" declaring 30000 × 30000 pixels fails at once),
//! pages per document, bytes decoded (handed to `image` and `tiff` as their allocation limits,
//! and checked for PDF streams by inflating them into a counting sink first), and time.
//!
//! # Bounded in time, cancellable, panics contained
//!
//! The only way in is [`Documents`]: each call runs on its own thread (16 MiB stack) under
//! `catch_unwind`, and the caller waits on a channel for at most `time_per_document`, watching
//! a [`CancelToken`]. A panic in a decoder becomes [`DocError::Malformed`]; running out of time
//! [`DocError::TimedOut`] and cancelling [`DocError::Cancelled`], both answered at once. The job
//! checks the token and its deadline between pages and PDF objects.
//!
//! **Limitation**: Rust cannot kill a thread. A job stuck inside a library (a decoder that
//! loops) is abandoned: the caller has its answer, but the thread keeps its CPU and memory until
//! the library returns or the job reaches its next checkpoint. `max_jobs_in_flight` counts such
//! threads, so a series of hostile files makes later calls fail with [`DocError::Busy`] rather
//! than exhaust the machine. A stack overflow cannot be caught at all (it aborts the process),
//! so the dangerous recursions in pdf-extract are refused beforehand: PDF page trees and
//! `/Parent` chains are walked with lopdf for loops and depth, and form XObjects for nesting
//! without end. Allocation is bounded by the limits above, except inside lopdf's loading (object
//! streams are inflated while parsing) and pdf-extract's font parsing, which only the input size
//! bounds. Stronger isolation (a separate process with an address-space limit) would lift these
//! limitations at the cost of a helper executable.

mod ccitt;
mod error;
mod jbig2;
mod limits;
pub mod ocr;
mod pdf;
mod raster;
#[cfg(feature = "samples")]
pub mod samples;
mod sniff;
mod worker;

use std::fmt;
use std::sync::Arc;

use image::DynamicImage;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use serde::Serialize;

pub use error::DocError;
pub use limits::Limits;
pub use ocr::{Recognised, Word};
pub use sniff::{Format, sniff};
pub use worker::{CancelToken, yield_to_the_officer};

use worker::{Ctx, Worker};

/// How many characters of a PDF's text [`DocInfo::text_excerpt`] holds.
const EXCERPT_CHARS: usize = 500;

/// What a document is and how to show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocInfo {
    pub format: Format,
    /// The MIME type to serve the original bytes with.
    pub mime: &'static str,
    pub page_count: usize,
    /// The unit of [`DocInfo::pages`]: pixels for images, points (1/72 inch) for PDF.
    pub unit: Unit,
    /// Each page's size as displayed (orientation and `/Rotate` applied).
    pub pages: Vec<PageSize>,
    /// Each page's size in pixels as the viewer shows it whole, when it is shown as an image
    /// (and its recognised words are boxed in these pixels): an image's pages, a PDF of scans
    /// only's scans. Empty for a PDF the viewer draws.
    pub pixels: Vec<(u32, u32)>,
    /// The WebView can show the original bytes as they are.
    pub native: bool,
    /// A PDF, drawn by the viewer (pdf.js); not a PDF of scans only, whose pages are shown as
    /// their images ([`Documents::render_page`]).
    pub pdf: bool,
    /// The beginning of the PDF's text layer, whitespace collapsed; `None` when there is none
    /// or it could not be read.
    pub text_excerpt: Option<String>,
    /// For a PDF of scans only whose every page is a JPEG [`Documents::display_page`] sends as
    /// it is: where each page's JPEG lies in the file (checked byte for byte), so a page can
    /// be read without the rest of the file. `None` otherwise.
    #[serde(skip)]
    pub scan_jpegs: Option<Vec<std::ops::Range<u64>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Pixels,
    Points,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PageSize {
    pub width: f64,
    pub height: f64,
}

/// A document's text layer, as read when it arrives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextLayer {
    /// The text layer; `None` when there is none (a scan without OCR, an image).
    pub text: Option<String>,
    /// The pages of a PDF (from 0) that have no text of their own but draw an image — scanned
    /// pages [`Documents::recognise`] reads. Empty for images, whose pages are all scans.
    pub scans_without_text: Vec<usize>,
}

/// A page converted for display: PNG bytes and their size in pixels.
#[derive(Clone, PartialEq, Eq)]
pub struct RenderedPage {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl RenderedPage {
    pub const MIME: &'static str = "image/png";
}

impl fmt::Debug for RenderedPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RenderedPage")
            .field("png", &format_args!("{} bytes", self.png.len()))
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// A page as the viewer shows it: an image the WebView decodes itself, with its MIME type.
#[derive(Clone, PartialEq, Eq)]
pub struct ShownPage {
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

impl fmt::Debug for ShownPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShownPage")
            .field("mime", &self.mime)
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .finish()
    }
}

/// The document service: every call bounded by [`Limits`], run on a worker thread, with panics
/// turned into errors. Clones share the count of running jobs.
#[derive(Debug, Clone, Default)]
pub struct Documents {
    limits: Limits,
    cancel: CancelToken,
    worker: Worker,
}

impl Documents {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// How many calls are running now, counting abandoned ones that have not yet ended.
    pub fn jobs_in_flight(&self) -> usize {
        self.worker.in_flight()
    }

    /// The same service (same limits, same job count) with calls stopped by `cancel`.
    pub fn with_cancel(&self, cancel: CancelToken) -> Self {
        Self {
            cancel,
            ..self.clone()
        }
    }

    /// Format, pages and their sizes, whether the WebView shows it natively, and for a PDF the
    /// start of its text. Reads image headers only; pixels are decoded by `render_page`.
    pub fn inspect(&self, bytes: impl Into<Arc<[u8]>>) -> Result<DocInfo, DocError> {
        self.run(bytes, |bytes, format, ctx| match format {
            Format::Pdf => inspect_pdf(bytes, ctx),
            format => inspect_raster(bytes, format, ctx),
        })
    }

    /// Page `page` (from 0) of a raster document or of a PDF of scans only, upright, 8-bit, as
    /// PNG.
    pub fn render_page(
        &self,
        bytes: impl Into<Arc<[u8]>>,
        page: usize,
    ) -> Result<RenderedPage, DocError> {
        self.run(bytes, move |bytes, format, ctx| {
            let image = raster_page(bytes, &format, page, ctx)?;
            ctx.checkpoint()?;
            encode_png(&image)
        })
    }

    /// Page `page` (from 0) for the viewer: as [`Documents::render_page`], except that the page
    /// of a PDF of scans whose image is a JPEG the WebView shows as a PDF viewer draws it (8-bit
    /// grey or RGB, no EXIF orientation) is that JPEG as the file holds it — nothing decoded or
    /// encoded here, and a fraction of a PNG's bytes kept and sent.
    pub fn display_page(
        &self,
        bytes: impl Into<Arc<[u8]>>,
        page: usize,
    ) -> Result<ShownPage, DocError> {
        self.run(bytes, move |bytes, format, ctx| {
            let image = if format == Format::Pdf {
                match pdf::Pdf::open(bytes, ctx)?.scan_image(page, ctx)? {
                    pdf::PageImage::Jpeg(jpeg)
                        if raster::pdf_jpeg_shows_as_is(&jpeg, &ctx.limits) =>
                    {
                        return Ok(ShownPage {
                            mime: "image/jpeg",
                            bytes: jpeg,
                        });
                    }
                    pdf::PageImage::Jpeg(jpeg) => raster::pdf_jpeg(&jpeg, ctx)?,
                    pdf::PageImage::Pixels(pixels) => pixels,
                }
            } else {
                raster_page(bytes, &format, page, ctx)?
            };
            ctx.checkpoint()?;
            let png = encode_png(&image)?;
            Ok(ShownPage {
                mime: RenderedPage::MIME,
                bytes: png.png,
            })
        })
    }

    /// Like [`Documents::render_page`], scaled down to fit `max_side` × `max_side` (never up).
    pub fn thumbnail(
        &self,
        bytes: impl Into<Arc<[u8]>>,
        page: usize,
        max_side: u32,
    ) -> Result<RenderedPage, DocError> {
        self.run(bytes, move |bytes, format, ctx| {
            let image = raster_page(bytes, &format, page, ctx)?;
            ctx.checkpoint()?;
            encode_png(&fit(image, max_side.max(1)))
        })
    }

    /// A PDF's text layer; `None` when it has none (a scan without OCR).
    pub fn extract_text(&self, bytes: impl Into<Arc<[u8]>>) -> Result<Option<String>, DocError> {
        self.read_text(bytes).map(|layer| layer.text)
    }

    /// A PDF's text layer, and which of its pages are scans without text (an image, and no
    /// text of its own): the pages [`Documents::recognise`] reads. Images have no text layer.
    pub fn read_text(&self, bytes: impl Into<Arc<[u8]>>) -> Result<TextLayer, DocError> {
        self.run(bytes, |bytes, format, ctx| match format {
            Format::Pdf => {
                let pages = pdf::Pdf::open(bytes, ctx)?.read(ctx)?;
                Ok(TextLayer {
                    text: pages.text(),
                    scans_without_text: pages.scans_without_text(),
                })
            }
            _ => Ok(TextLayer::default()),
        })
    }

    /// The text of a scanned image (JPEG, PNG, TIFF — every page — and the other raster
    /// formats) or of a PDF's scanned pages, recognised by the Tesseract program with each
    /// word's box; see [`ocr`]. In a PDF only the pages without a text layer are recognised: the
    /// others' text is kept as the layer says ([`Recognised::recognised_pages`] tells which is
    /// which). A PDF whose every page has text is not recognised.
    pub fn recognise(&self, bytes: impl Into<Arc<[u8]>>) -> Result<Recognised, DocError> {
        self.run(bytes, |bytes, format, ctx| {
            if format != Format::Pdf {
                let pages = raster::inspect(bytes, &format, ctx)?.pages.len();
                return ocr::recognise(
                    pages,
                    |page| raster_page(bytes, &format, page, ctx).map(ocr::Page::Scan),
                    ctx,
                );
            }
            let pages = pdf::Pdf::open(bytes, ctx)?.read(ctx)?;
            if (0..pages.texts.len()).all(|page| pages.has_text(page)) {
                return Err(DocError::unsupported(
                    "recognising a PDF that has a text layer on every page (its text is read as it is)",
                ));
            }
            let recognised = ocr::recognise(
                pages.texts.len(),
                |page| {
                    if pages.has_text(page) {
                        return Ok(ocr::Page::Text(pages.texts[page].trim().to_owned()));
                    }
                    Ok(match pages.scan(page, ctx)? {
                        Some(pdf::PageImage::Jpeg(jpeg)) => {
                            ocr::Page::Scan(raster::decode_page(&jpeg, &sniff(&jpeg), 0, ctx)?)
                        }
                        Some(pdf::PageImage::Pixels(image)) => ocr::Page::Scan(image),
                        // A page without a scan read here holds nothing to recognise.
                        None => ocr::Page::Text(String::new()),
                    })
                },
                ctx,
            )?;
            if recognised.recognised_pages.is_empty() {
                return Err(DocError::unsupported(
                    "recognising this PDF: none of its pages without text holds a scan in a format read here (JPEG, grey or RGB pixels, CCITT fax, JBIG2)",
                ));
            }
            Ok(recognised)
        })
    }

    /// Checks the input size, sniffs, and runs `job` for a supported format on the worker.
    fn run<T, F>(&self, bytes: impl Into<Arc<[u8]>>, job: F) -> Result<T, DocError>
    where
        T: Send + 'static,
        F: FnOnce(&[u8], Format, &Ctx) -> Result<T, DocError> + Send + 'static,
    {
        let bytes: Arc<[u8]> = bytes.into();
        self.limits.check_input(bytes.len())?;
        self.worker.run(&self.limits, &self.cancel, move |ctx| {
            let format = sniff(&bytes);
            if let Format::Unsupported { what } = format {
                return Err(DocError::Unsupported { what });
            }
            job(&bytes, format, ctx)
        })
    }
}

fn inspect_pdf(bytes: &[u8], ctx: &Ctx) -> Result<DocInfo, DocError> {
    let pdf = pdf::Pdf::open(bytes, ctx)?;
    let pages = pdf.page_sizes();
    let count = pages.len();
    let scans_only = pdf.is_scans_only();
    let scan_jpegs = scans_only
        .then(|| {
            (0..count)
                .map(|page| pdf.scan_jpeg_in(bytes, page, ctx))
                .collect()
        })
        .flatten();
    let pixels = if scans_only {
        (0..count)
            .map(|page| pdf.scan_size(page))
            .collect::<Option<_>>()
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let text = match pdf.text_start(EXCERPT_CHARS, ctx) {
        Ok(text) => text,
        Err(e @ (DocError::Cancelled | DocError::TimedOut { .. })) => return Err(e),
        // The viewer may still draw what the text reader cannot read.
        Err(_) => None,
    };
    Ok(DocInfo {
        mime: Format::Pdf.mime().unwrap_or_default(),
        format: Format::Pdf,
        page_count: pages.len(),
        unit: Unit::Points,
        pages: pages
            .into_iter()
            .map(|(width, height)| PageSize { width, height })
            .collect(),
        pixels,
        native: false,
        pdf: !scans_only,
        text_excerpt: text.as_deref().map(excerpt),
        scan_jpegs,
    })
}

fn inspect_raster(bytes: &[u8], format: Format, ctx: &Ctx) -> Result<DocInfo, DocError> {
    let info = raster::inspect(bytes, &format, ctx)?;
    Ok(DocInfo {
        mime: format.mime().unwrap_or_default(),
        format,
        page_count: info.pages.len(),
        unit: Unit::Pixels,
        pixels: info.pages.clone(),
        pages: info
            .pages
            .into_iter()
            .map(|(w, h)| PageSize {
                width: f64::from(w),
                height: f64::from(h),
            })
            .collect(),
        native: info.native,
        pdf: false,
        text_excerpt: None,
        scan_jpegs: None,
    })
}

fn raster_page(
    bytes: &[u8],
    format: &Format,
    page: usize,
    ctx: &Ctx,
) -> Result<DynamicImage, DocError> {
    if *format == Format::Pdf {
        return pdf::Pdf::open(bytes, ctx)?.scan_page(page, ctx);
    }
    raster::decode_page(bytes, format, page, ctx)
}

fn fit(image: DynamicImage, max_side: u32) -> DynamicImage {
    if image.width() <= max_side && image.height() <= max_side {
        image
    } else {
        image.thumbnail(max_side, max_side)
    }
}

fn encode_png(image: &DynamicImage) -> Result<RenderedPage, DocError> {
    let mut png = Vec::new();
    let encoder =
        PngEncoder::new_with_quality(&mut png, CompressionType::Fast, FilterType::Adaptive);
    image.write_with_encoder(encoder)?;
    Ok(RenderedPage {
        png,
        width: image.width(),
        height: image.height(),
    })
}

fn excerpt(text: &str) -> String {
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match words.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &words[..cut]),
        None => words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_collapses_whitespace_and_cuts_at_a_character() {
        assert_eq!(
            excerpt("  Ad:\n\n  Məmmədov \t Elvin "),
            "Ad: Məmmədov Elvin"
        );
        let long = "ə".repeat(EXCERPT_CHARS + 10);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn fit_scales_down_only() {
        let small = DynamicImage::new_luma8(40, 20);
        assert_eq!(fit(small, 100).width(), 40);
        let big = DynamicImage::new_luma8(400, 200);
        let thumb = fit(big, 100);
        assert_eq!((thumb.width(), thumb.height()), (100, 50));
    }
}

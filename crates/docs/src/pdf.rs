//! PDFs: structure checked with lopdf before anything else touches them (a damaged
//! cross-reference table rebuilt first, `repair`), text through pdf-extract.
//!
//! pdf-extract trusts the document: it follows `/Parent` links and form XObjects by recursion
//! (a loop overflows the stack, which aborts the process and cannot be caught) and unwraps freely
//! (panics, caught by the worker). So [`Pdf::open`] refuses what would make it recurse without
//! end or allocate without bound, and [`Pdf::text`] hands it a copy without image data.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use crate::DocError;
use crate::worker::Ctx;

mod repair;
mod scans;

/// Deeper `/Parent` chains are refused (real page trees are a handful of levels deep).
const MAX_TREE_DEPTH: usize = 64;
/// Deeper nesting of form XObjects is refused: a form that draws itself never ends.
const MAX_FORM_DEPTH: usize = 24;
/// How many form XObject uses are followed (each form once per set of resources) before the
/// drawing counts as too complex.
const MAX_FORM_USES: usize = 20_000;
/// US Letter, what PDF viewers assume for a page that does not say its size.
const DEFAULT_PAGE: (f64, f64) = (612.0, 792.0);

/// A PDF whose structure passed the checks.
#[derive(Debug)]
pub(crate) struct Pdf {
    doc: Document,
    pages: Vec<ObjectId>,
}

impl Pdf {
    /// Loads and checks: page tree without loops and within the page limit, `/Parent` chains
    /// without loops, inflated streams within the memory limit, form XObjects not nested
    /// without end.
    pub(crate) fn open(bytes: &[u8], ctx: &Ctx) -> Result<Self, DocError> {
        let mut doc = match Document::load_mem(bytes) {
            Ok(doc) => doc,
            // A damaged cross-reference table in a complete file: rebuilt, as viewers do.
            Err(damaged) => {
                ctx.checkpoint()?;
                repair::rebuilt(bytes)
                    .and_then(|fixed| Document::load_mem(&fixed).ok())
                    .ok_or(damaged)?
            }
        };
        if doc.is_encrypted() && doc.decrypt("").is_err() {
            return Err(DocError::unsupported("password-protected PDF"));
        }
        ctx.checkpoint()?;
        check_stream_sizes(&doc, ctx)?;
        let pages = page_tree(&doc, ctx)?;
        let mut forms = FormWalk::new(ctx);
        for &page in &pages {
            ctx.checkpoint()?;
            let chain = ancestors(&doc, page)?;
            forms.page(&doc, page, &chain)?;
        }
        Ok(Self { doc, pages })
    }

    /// Each page's size in points as displayed (MediaBox, turned by `/Rotate`).
    pub(crate) fn page_sizes(&self) -> Vec<(f64, f64)> {
        self.pages
            .iter()
            .map(|&page| {
                let chain = ancestors(&self.doc, page).unwrap_or_default();
                let (w, h) = media_box(&self.doc, &chain).unwrap_or(DEFAULT_PAGE);
                let rotate = inherited(&self.doc, &chain, b"Rotate")
                    .and_then(|r| r.as_i64().ok())
                    .unwrap_or(0);
                if rotate.rem_euclid(180) == 90 {
                    (h, w)
                } else {
                    (w, h)
                }
            })
            .collect()
    }

    /// The start of the text layer: pages read in order until it holds more than `chars`
    /// characters, whitespace collapsed (a 150-page scan's start costs what a one-page form's
    /// does); `None` when there is none.
    pub(crate) fn text_start(
        mut self,
        chars: usize,
        ctx: &Ctx,
    ) -> Result<Option<String>, DocError> {
        self.prepare_for_extraction();
        let mut text = String::new();
        for number in 1..=self.pages.len() {
            ctx.checkpoint()?;
            text.push_str(&self.page_text(number as u32)?);
            let collapsed = text
                .split_whitespace()
                .map(|w| w.chars().count() + 1)
                .sum::<usize>();
            if collapsed > chars + 1 {
                break;
            }
        }
        let text = text.trim();
        Ok((!text.is_empty()).then(|| text.to_owned()))
    }

    /// Each page's text layer and the scan it draws: the largest image on the page, by its
    /// declared size (not decoded here). The scans' bytes are set aside before the text reader
    /// sees the document (see [`Pdf::prepare_for_extraction`]).
    pub(crate) fn read(mut self, ctx: &Ctx) -> Result<Pages, DocError> {
        let mut streams: Vec<Scan> = Vec::new();
        let mut taken: HashMap<ObjectId, usize> = HashMap::new();
        let mut scans = Vec::with_capacity(self.pages.len());
        for page in self.pages.clone() {
            ctx.checkpoint()?;
            let Some((id, width, height)) = self.largest_image(page)? else {
                scans.push(None);
                continue;
            };
            if let Some(&at) = taken.get(&id) {
                scans.push(Some(at));
                continue;
            }
            let globals = self.jbig2_globals(id);
            let Ok(Object::Stream(stream)) = self.doc.get_object_mut(id) else {
                scans.push(None);
                continue;
            };
            let content = std::mem::take(&mut stream.content);
            let aside = Stream::new(stream.dict.clone(), content);
            taken.insert(id, streams.len());
            scans.push(Some(streams.len()));
            streams.push(Scan {
                width,
                height,
                stream: aside,
                globals,
            });
        }
        self.prepare_for_extraction();
        let mut texts = Vec::with_capacity(self.pages.len());
        for number in 1..=self.pages.len() {
            ctx.checkpoint()?;
            texts.push(self.page_text(number as u32)?);
        }
        Ok(Pages {
            texts,
            scans,
            streams,
        })
    }

    /// The symbol dictionaries a JBIG2 image shares with others (`JBIG2Globals`), inflated.
    fn jbig2_globals(&self, image: ObjectId) -> Option<Vec<u8>> {
        let stream = self.doc.get_object(image).ok()?.as_stream().ok()?;
        let parms = match stream.dict.get(b"DecodeParms").ok()? {
            Object::Array(a) => a.first()?,
            parms => parms,
        };
        let parms = match parms {
            Object::Reference(id) => self.doc.get_object(*id).ok()?,
            parms => parms,
        };
        let globals = parms.as_dict().ok()?.get(b"JBIG2Globals").ok()?;
        let globals = self.doc.get_object(globals.as_reference().ok()?).ok()?;
        let globals = globals.as_stream().ok()?;
        match globals.decompressed_content() {
            Ok(inflated) => Some(inflated),
            Err(_) => Some(globals.content.clone()),
        }
    }

    /// The image a page draws with the most pixels (as declared): its object and size.
    fn largest_image(&self, page: ObjectId) -> Result<Option<(ObjectId, u32, u32)>, DocError> {
        let chain = ancestors(&self.doc, page)?;
        Ok(inherited(&self.doc, &chain, b"Resources")
            .and_then(|r| r.as_dict().ok())
            .and_then(|r| r.get_deref(b"XObject", &self.doc).ok()?.as_dict().ok())
            .into_iter()
            .flat_map(|x| x.iter())
            .filter_map(|(_, o)| {
                let id = o.as_reference().ok()?;
                let stream = self.doc.get_object(id).ok()?.as_stream().ok()?;
                is_image(stream).then_some(())?;
                Some((
                    id,
                    dimension(stream, b"Width")?,
                    dimension(stream, b"Height")?,
                ))
            })
            .max_by_key(|(_, w, h)| u64::from(*w) * u64::from(*h)))
    }

    fn page_text(&self, number: u32) -> Result<String, DocError> {
        let mut out = String::new();
        let done = catch_unwind(AssertUnwindSafe(|| {
            let mut sink = pdf_extract::PlainTextOutput::new(&mut out);
            pdf_extract::output_doc_page(&self.doc, &mut sink, number)
        }));
        match done {
            Ok(Ok(())) => Ok(out),
            Ok(Err(e)) => Err(DocError::malformed(format!(
                "the text of page {number} could not be read ({e})"
            ))),
            Err(_) => Err(DocError::malformed(format!(
                "the text of page {number} could not be read (the text reader failed)"
            ))),
        }
    }

    /// Empties image streams (pdf-extract would parse their pixels as drawing instructions) and
    /// gives pages without a MediaBox the default one (pdf-extract panics without it).
    fn prepare_for_extraction(&mut self) {
        for object in self.doc.objects.values_mut() {
            if let Object::Stream(stream) = object
                && is_image(stream)
            {
                stream.dict.remove(b"Filter");
                stream.set_content(Vec::new());
            }
        }
        for &page in &self.pages {
            let chain = ancestors(&self.doc, page).unwrap_or_default();
            if media_box(&self.doc, &chain).is_none()
                && let Ok(dict) = self.doc.get_dictionary_mut(page)
            {
                let (w, h) = DEFAULT_PAGE;
                let corners = [0.0, 0.0, w, h].map(|v| Object::Real(v as f32));
                dict.set("MediaBox", corners.to_vec());
            }
        }
    }
}

/// A page's scan as the PDF holds it.
pub(crate) enum PageImage {
    /// A JPEG file's bytes, decoded like any other JPEG.
    Jpeg(Vec<u8>),
    /// Pixels already decoded.
    Pixels(image::DynamicImage),
}

/// A PDF's pages as read by [`Pdf::read`].
pub(crate) struct Pages {
    /// Each page's text layer as read (empty, or blank, on a page without one).
    pub(crate) texts: Vec<String>,
    /// Each page's scan, an index into `streams` (a scan drawn on several pages is kept once).
    scans: Vec<Option<usize>>,
    /// The scans.
    streams: Vec<Scan>,
}

/// An image a page draws, set aside from the text reader.
struct Scan {
    /// As declared.
    width: u32,
    height: u32,
    stream: Stream,
    /// For a JBIG2 image: the dictionaries it shares with others.
    globals: Option<Vec<u8>>,
}

impl Pages {
    /// The whole text layer, `None` when no page has text.
    pub(crate) fn text(&self) -> Option<String> {
        let text = self.texts.concat();
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    }

    /// Whether page `page` (from 0) has text of its own.
    pub(crate) fn has_text(&self, page: usize) -> bool {
        self.texts.get(page).is_some_and(|t| !t.trim().is_empty())
    }

    /// The pages (from 0) without text that draw an image: what recognition reads.
    pub(crate) fn scans_without_text(&self) -> Vec<usize> {
        (0..self.texts.len())
            .filter(|&page| !self.has_text(page) && self.scans[page].is_some())
            .collect()
    }

    /// The scan of page `page` decoded, when the page draws one in a format read here (JPEG,
    /// 8-bit grey or RGB pixels, CCITT fax, JBIG2); sizes are checked against the limits before
    /// anything is decoded.
    pub(crate) fn scan(&self, page: usize, ctx: &Ctx) -> Result<Option<PageImage>, DocError> {
        let Some(&Some(at)) = self.scans.get(page) else {
            return Ok(None);
        };
        let scan = &self.streams[at];
        ctx.limits.check_pixels(scan.width, scan.height)?;
        page_image(scan, ctx)
    }
}

fn dimension(stream: &Stream, key: &[u8]) -> Option<u32> {
    u32::try_from(stream.dict.get(key).ok()?.as_i64().ok()?).ok()
}

/// One image stream as a [`PageImage`]; `None` for an encoding not read here (JPEG 2000,
/// indexed or CMYK colours, other depths; fax lines of another width than the image's).
fn page_image(scan: &Scan, ctx: &Ctx) -> Result<Option<PageImage>, DocError> {
    let Scan {
        width,
        height,
        ref stream,
        ref globals,
    } = *scan;
    let filters = stream.filters().unwrap_or_default();
    if filters == [b"DCTDecode".as_slice()] {
        return Ok(Some(PageImage::Jpeg(stream.content.clone())));
    }
    if filters == [b"CCITTFaxDecode".as_slice()] {
        let fax = crate::ccitt::decode(stream, width, height, ctx)?;
        return Ok(fax.map(|g| PageImage::Pixels(image::DynamicImage::ImageLuma8(g))));
    }
    if filters == [b"JBIG2Decode".as_slice()] {
        let page = crate::jbig2::decode(&stream.content, globals.as_deref(), width, height, ctx)?;
        return Ok(Some(PageImage::Pixels(image::DynamicImage::ImageLuma8(
            page,
        ))));
    }
    let colour = stream
        .dict
        .get(b"ColorSpace")
        .and_then(Object::as_name)
        .ok();
    let bits = stream
        .dict
        .get(b"BitsPerComponent")
        .and_then(Object::as_i64)
        .ok();
    let channels: u64 = match colour {
        Some(b"DeviceGray") => 1,
        Some(b"DeviceRGB") => 3,
        _ => return Ok(None),
    };
    if bits != Some(8) || !(filters.is_empty() || filters == [b"FlateDecode".as_slice()]) {
        return Ok(None);
    }
    let expected = u64::from(width) * u64::from(height) * channels;
    if expected > ctx.limits.max_decoded_bytes {
        return Err(DocError::too_large(format!(
            "a page's image would take {} MiB",
            expected / (1024 * 1024)
        )));
    }
    let mut pixels = Vec::new();
    if filters.is_empty() {
        pixels.extend_from_slice(&stream.content);
    } else {
        flate2::read::ZlibDecoder::new(stream.content.as_slice())
            .take(expected)
            .read_to_end(&mut pixels)
            .map_err(|e| DocError::malformed(format!("a page's image: {e}")))?;
    }
    pixels.truncate(usize::try_from(expected).unwrap_or(usize::MAX));
    let short = || DocError::malformed("a page's image has fewer pixels than it declares");
    let image = if channels == 1 {
        image::GrayImage::from_raw(width, height, pixels).map(image::DynamicImage::ImageLuma8)
    } else {
        image::RgbImage::from_raw(width, height, pixels).map(image::DynamicImage::ImageRgb8)
    };
    image.map(|i| Some(PageImage::Pixels(i))).ok_or_else(short)
}

fn is_image(stream: &Stream) -> bool {
    stream.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image")
}

/// Inflates every compressed stream but images (which pdf-extract never decodes) into a
/// counting sink, so a deflate bomb is refused before pdf-extract inflates it for real.
fn check_stream_sizes(doc: &Document, ctx: &Ctx) -> Result<(), DocError> {
    let mut left = ctx.limits.max_decoded_bytes;
    for object in doc.objects.values() {
        let Object::Stream(stream) = object else {
            continue;
        };
        let first_filter = stream.filters().ok().and_then(|f| f.first().copied());
        if is_image(stream) || first_filter != Some(b"FlateDecode".as_slice()) {
            continue;
        }
        ctx.checkpoint()?;
        let mut inflater = flate2::read::ZlibDecoder::new(stream.content.as_slice()).take(left + 1);
        // A damaged stream counts for what inflates before the damage, as lopdf reads it.
        let inflated = std::io::copy(&mut inflater, &mut std::io::sink()).unwrap_or(0);
        left = left.checked_sub(inflated).ok_or_else(|| {
            DocError::too_large(format!(
                "its compressed contents would inflate to more than {} MiB",
                ctx.limits.max_decoded_bytes / (1024 * 1024)
            ))
        })?;
    }
    Ok(())
}

/// The pages in order, walking the tree from the catalogue; refuses loops and too many pages.
fn page_tree(doc: &Document, ctx: &Ctx) -> Result<Vec<ObjectId>, DocError> {
    let root = doc
        .catalog()
        .and_then(|c| c.get(b"Pages"))
        .and_then(Object::as_reference)
        .map_err(|_| DocError::malformed("the PDF has no page tree"))?;
    let mut pages = Vec::new();
    let mut seen = HashSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            return Err(DocError::malformed(
                "the PDF's page tree loops back on itself",
            ));
        }
        let Ok(node) = doc.get_dictionary(id) else {
            continue;
        };
        match node.get_type() {
            Ok(b"Pages") => {
                let kids = node.get_deref(b"Kids", doc).and_then(Object::as_array);
                let kids = kids.map(|k| k.iter().filter_map(|kid| kid.as_reference().ok()));
                stack.extend(kids.into_iter().flatten().rev());
            }
            Ok(b"Page") => {
                pages.push(id);
                ctx.limits.check_pages(pages.len())?;
            }
            _ => {}
        }
        if seen.len().is_multiple_of(256) {
            ctx.checkpoint()?;
        }
    }
    if pages.is_empty() {
        return Err(DocError::malformed("the PDF has no pages"));
    }
    Ok(pages)
}

/// The page and its ancestors through `/Parent`, nearest first; refuses loops and depth.
fn ancestors(doc: &Document, page: ObjectId) -> Result<Vec<&Dictionary>, DocError> {
    let mut chain = Vec::new();
    let mut seen = HashSet::new();
    let mut next = Some(page);
    while let Some(id) = next {
        if !seen.insert(id) || chain.len() >= MAX_TREE_DEPTH {
            return Err(DocError::malformed(
                "the PDF's page tree loops back on itself or is nested too deeply",
            ));
        }
        let Ok(node) = doc.get_dictionary(id) else {
            break;
        };
        chain.push(node);
        next = node.get(b"Parent").and_then(Object::as_reference).ok();
    }
    Ok(chain)
}

/// A page attribute, from the page or the nearest ancestor that has it.
fn inherited<'a>(doc: &'a Document, chain: &[&'a Dictionary], key: &[u8]) -> Option<&'a Object> {
    chain.iter().find_map(|node| node.get_deref(key, doc).ok())
}

fn media_box(doc: &Document, chain: &[&Dictionary]) -> Option<(f64, f64)> {
    let corners = inherited(doc, chain, b"MediaBox")?.as_array().ok()?;
    let n: Vec<f64> = corners
        .iter()
        .map(|c| c.as_float().map(f64::from))
        .collect::<Result<_, _>>()
        .ok()?;
    let [x0, y0, x1, y1] = n.as_slice() else {
        return None;
    };
    let (w, h) = ((x1 - x0).abs(), (y1 - y0).abs());
    (w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0).then_some((w, h))
}

/// Follows form XObjects the way a content reader does, refusing endless nesting.
struct FormWalk<'c> {
    uses: usize,
    /// Forms already followed to the end, with the resources they were drawn with (a form
    /// without its own resources uses its caller's): drawn again, they need no new walk.
    finished: HashSet<(ObjectId, *const Dictionary)>,
    ctx: &'c Ctx,
}

impl<'c> FormWalk<'c> {
    fn new(ctx: &'c Ctx) -> Self {
        Self {
            uses: 0,
            finished: HashSet::new(),
            ctx,
        }
    }

    fn page(
        &mut self,
        doc: &Document,
        page: ObjectId,
        chain: &[&Dictionary],
    ) -> Result<(), DocError> {
        let resources = inherited(doc, chain, b"Resources").and_then(|r| r.as_dict().ok());
        let content = doc.get_page_content(page).unwrap_or_default();
        self.content(doc, &content, resources, 0)
    }

    fn content(
        &mut self,
        doc: &Document,
        content: &[u8],
        resources: Option<&Dictionary>,
        depth: usize,
    ) -> Result<(), DocError> {
        if depth > MAX_FORM_DEPTH {
            return Err(DocError::malformed(
                "the PDF's drawing instructions refer to themselves without end",
            ));
        }
        // Instructions that cannot be parsed are the text reader's problem, not a loop.
        let Ok(content) = Content::decode(content) else {
            return Ok(());
        };
        let names = content
            .operations
            .iter()
            .filter(|op| op.operator == "Do")
            .filter_map(|op| op.operands.first()?.as_name().ok());
        for name in names {
            let Some((id, form)) = form_xobject(doc, resources, name) else {
                continue;
            };
            let own = form
                .dict
                .get_deref(b"Resources", doc)
                .and_then(Object::as_dict)
                .ok();
            let drawn_with = own.or(resources);
            let key = (id, drawn_with.map_or(std::ptr::null(), std::ptr::from_ref));
            if self.finished.contains(&key) {
                continue;
            }
            self.count_use()?;
            let inner = form
                .decompressed_content()
                .unwrap_or_else(|_| form.content.clone());
            self.content(doc, &inner, drawn_with, depth + 1)?;
            self.finished.insert(key);
        }
        Ok(())
    }

    fn count_use(&mut self) -> Result<(), DocError> {
        self.uses += 1;
        if self.uses > MAX_FORM_USES {
            return Err(DocError::too_large(
                "the PDF's drawing instructions are too complex",
            ));
        }
        if self.uses.is_multiple_of(64) {
            self.ctx.checkpoint()?;
        }
        Ok(())
    }
}

/// The form XObject `name` in `resources`, with its object number.
fn form_xobject<'a>(
    doc: &'a Document,
    resources: Option<&'a Dictionary>,
    name: &[u8],
) -> Option<(ObjectId, &'a Stream)> {
    let xobjects = resources?.get_deref(b"XObject", doc).ok()?.as_dict().ok()?;
    let id = xobjects.get(name).ok()?.as_reference().ok()?;
    let stream = doc.get_object(id).ok()?.as_stream().ok()?;
    (!is_image(stream)).then_some((id, stream))
}

//! JBIG2 images inside PDFs (`JBIG2Decode`), as scanners' compact PDFs and OCR tools write
//! black-and-white pages: the page's segments (generic, text and halftone regions, refinement),
//! with the symbol dictionaries a `JBIG2Globals` stream shares, decoded by `hayro-jbig2` into
//! grey pixels, black on white. The size the segments declare is checked against the limits and
//! against the image's own before anything is decoded.

use hayro_jbig2::{DecodeSettings, Globals, Page};
use image::GrayImage;

use crate::error::DocError;
use crate::worker::Ctx;

/// How many lines are written between two checks of the call's deadline.
const LINES_PER_CHECK: u32 = 64;

/// A JBIG2 page of `width` × `height` pixels from its embedded segments (`data`) and the
/// shared `globals`, if any. Decoded by the standard's letter first; a stream that breaks it is
/// decoded again as well as it can be, and kept when that draws anything (a damaged stream the
/// tolerant decoder only skips would come out a blank page: that is refused instead).
pub(crate) fn decode(
    data: &[u8],
    globals: Option<&[u8]>,
    width: u32,
    height: u32,
    ctx: &Ctx,
) -> Result<GrayImage, DocError> {
    match attempt(data, globals, (width, height), true, ctx) {
        Err(e @ DocError::Malformed { .. }) => {
            match attempt(data, globals, (width, height), false, ctx) {
                Ok(page) if page.pixels().any(|p| p.0[0] == 0) => Ok(page),
                _ => Err(e),
            }
        }
        decoded => decoded,
    }
}

/// One decoding, `strict` or as well as the data allows.
fn attempt(
    data: &[u8],
    globals: Option<&[u8]>,
    (width, height): (u32, u32),
    strict: bool,
    ctx: &Ctx,
) -> Result<GrayImage, DocError> {
    let unreadable = |e: hayro_jbig2::DecodeError| {
        DocError::malformed(format!("a page's JBIG2 image could not be decoded ({e})"))
    };
    let settings = DecodeSettings { strict };
    let globals = globals
        .map(|g| Globals::new(g, &settings))
        .transpose()
        .map_err(unreadable)?;
    let page = Page::new_embedded(data, globals.as_ref(), &settings).map_err(unreadable)?;
    if (page.width(), page.height()) != (width, height) {
        return Err(DocError::malformed(format!(
            "a page's JBIG2 image says it is {}×{} pixels, its PDF {width}×{height}",
            page.width(),
            page.height()
        )));
    }
    ctx.limits.check_pixels(width, height)?;
    let mut pixels = Pixels {
        grey: Vec::with_capacity(width as usize * height as usize),
        limit: width as usize * height as usize,
        lines: 0,
        ctx,
        stopped: None,
    };
    let decoded = page.decode(&mut pixels);
    if let Some(stop) = pixels.stopped {
        return Err(stop);
    }
    if let Err(e) = decoded
        && (strict || pixels.grey.is_empty())
    {
        return Err(unreadable(e));
    }
    let mut grey = pixels.grey;
    grey.resize(width as usize * height as usize, 255);
    GrayImage::from_raw(width, height, grey).ok_or_else(|| {
        DocError::malformed("a page's JBIG2 image has fewer pixels than it declares")
    })
}

/// The decoder's output as grey pixels, never more than the page holds; watches the deadline.
struct Pixels<'c> {
    grey: Vec<u8>,
    limit: usize,
    lines: u32,
    ctx: &'c Ctx,
    /// Time ran out or the call was cancelled: what is pushed after is dropped.
    stopped: Option<DocError>,
}

impl Pixels<'_> {
    fn push(&mut self, black: bool, count: usize) {
        let room = self.limit - self.grey.len();
        let value = if black { 0 } else { 255 };
        self.grey
            .extend(std::iter::repeat_n(value, count.min(room)));
    }
}

impl hayro_jbig2::Decoder for Pixels<'_> {
    fn push_pixel(&mut self, black: bool) {
        self.push(black, 1);
    }

    fn push_pixel_chunk(&mut self, black: bool, chunk_count: u32) {
        self.push(black, chunk_count as usize * 8);
    }

    fn next_line(&mut self) {
        self.lines += 1;
        if self.lines.is_multiple_of(LINES_PER_CHECK)
            && self.stopped.is_none()
            && let Err(stop) = self.ctx.checkpoint()
        {
            self.stopped = Some(stop);
            self.limit = self.grey.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use image::Luma;

    use super::*;
    use crate::worker::{CancelToken, Worker};

    /// Decodes on a worker under the default limits.
    fn decoded(data: Vec<u8>, width: u32, height: u32) -> Result<GrayImage, DocError> {
        Worker::default().run(&crate::Limits::default(), &CancelToken::new(), move |ctx| {
            decode(&data, None, width, height, ctx)
        })
    }

    /// A white page with black bars and a checker corner: runs of every length.
    fn page() -> GrayImage {
        GrayImage::from_fn(301, 97, |x, y| {
            let bar = (x / 7 + y / 5) % 3 == 0;
            let checker = x < 40 && y < 20 && (x + y) % 2 == 0;
            Luma([if bar || checker { 0 } else { 255 }])
        })
    }

    #[test]
    fn a_generic_region_decodes_to_the_page_it_was_made_from() {
        let page = page();
        let data = crate::samples::jbig2_generic(&page);
        assert_eq!(decoded(data.clone(), 301, 97).unwrap(), page);
        // By the standard's letter, not only by the tolerant second reading.
        let strict =
            Worker::default().run(&crate::Limits::default(), &CancelToken::new(), move |ctx| {
                attempt(&data, None, (301, 97), true, ctx)
            });
        assert_eq!(strict.unwrap(), page);
    }

    #[test]
    fn a_page_whose_segments_and_pdf_disagree_on_its_size_is_refused() {
        let data = crate::samples::jbig2_generic(&page());
        let e = decoded(data, 301, 98).unwrap_err();
        assert!(matches!(e, DocError::Malformed { .. }), "{e}");
        assert!(e.to_string().contains("301×97"), "{e}");
    }

    #[test]
    fn a_broken_stream_is_refused_with_its_reason_not_shown_blank() {
        let data = crate::samples::jbig2_generic(&page());
        let cut = decoded(data[..data.len() - data.len() / 3].to_vec(), 301, 97).unwrap_err();
        assert!(
            cut.to_string().contains("JBIG2 image could not be decoded"),
            "{cut}"
        );
        let e = decoded(b"%PDF-1.4 not a JBIG2 stream".to_vec(), 301, 97).unwrap_err();
        assert!(e.to_string().contains("JBIG2"), "{e}");
    }
}

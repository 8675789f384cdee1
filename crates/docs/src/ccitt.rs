//! CCITT fax images inside PDFs (`CCITTFaxDecode`), as office scanners write black-and-white
//! pages: Group 4 (`K < 0`), one-dimensional Group 3 (`K = 0`) and mixed one- and
//! two-dimensional Group 3 (`K > 0`), with or without end-of-line codes and byte-aligned rows,
//! decoded by `hayro-ccitt` into grey pixels, black on white as a viewer draws them.

use hayro_ccitt::{DecodeSettings, DecoderContext, EncodingMode};
use image::GrayImage;
use lopdf::{Dictionary, Object, Stream};

use crate::error::DocError;
use crate::worker::Ctx;

/// How many lines are decoded between two checks of the call's deadline.
const LINES_PER_CHECK: u32 = 64;

/// The stream's decoding parameters (a dictionary, or the first of an array of them).
fn parameters(stream: &Stream) -> Option<&Dictionary> {
    match stream.dict.get(b"DecodeParms").ok()? {
        Object::Dictionary(d) => Some(d),
        Object::Array(a) => a.first()?.as_dict().ok(),
        _ => None,
    }
}

/// A fax image of `width` × `height` pixels; `None` when its lines are not the image's width.
/// A stream that breaks off keeps the lines decoded before the damage, the rest white.
pub(crate) fn decode(
    stream: &Stream,
    width: u32,
    height: u32,
    ctx: &Ctx,
) -> Result<Option<GrayImage>, DocError> {
    let parms = parameters(stream);
    let int = |key: &[u8], default: i64| {
        parms
            .and_then(|p| p.get(key).ok()?.as_i64().ok())
            .unwrap_or(default)
    };
    let flag = |key: &[u8], default: bool| {
        parms
            .and_then(|p| p.get(key).ok()?.as_bool().ok())
            .unwrap_or(default)
    };
    let (k, columns) = (int(b"K", 0), int(b"Columns", 1728));
    if columns != i64::from(width) {
        return Ok(None);
    }
    // A viewer draws a 1 bit white (DeviceGray, or an image mask's unpainted part) unless the
    // Decode array swaps it; BlackIs1 says which bit black pixels were stored as.
    let swapped = stream
        .dict
        .get(b"Decode")
        .and_then(Object::as_array)
        .ok()
        .and_then(|a| a.first()?.as_float().ok())
        .is_some_and(|first| first > 0.5);
    let black_is_drawn_white = flag(b"BlackIs1", false) != swapped;
    let (ink, paper) = if black_is_drawn_white {
        (255, 0)
    } else {
        (0, 255)
    };
    let settings = DecodeSettings {
        columns: width,
        rows: height,
        end_of_block: flag(b"EndOfBlock", true),
        end_of_line: flag(b"EndOfLine", false),
        rows_are_byte_aligned: flag(b"EncodedByteAlign", false),
        encoding: match k {
            ..0 => EncodingMode::Group4,
            0 => EncodingMode::Group3_1D,
            _ => EncodingMode::Group3_2D,
        },
        strict: false,
    };
    let mut rows = Rows {
        pixels: Vec::with_capacity(width as usize * height as usize),
        width,
        height,
        lines: 0,
        ink,
        paper,
        ctx,
        stopped: None,
    };
    let decoded = hayro_ccitt::decode(
        &stream.content,
        &mut rows,
        &mut DecoderContext::new(settings),
    );
    if let Some(stop) = rows.stopped {
        return Err(stop);
    }
    if rows.lines == 0 {
        return Err(DocError::malformed(match decoded {
            Err(e) => format!("a page's fax image could not be decoded ({e:?})"),
            Ok(_) => "a page's fax image holds no line".to_owned(),
        }));
    }
    let mut pixels = rows.pixels;
    pixels.resize(width as usize * height as usize, paper);
    Ok(GrayImage::from_raw(width, height, pixels))
}

/// The decoder's rows as grey pixels, never more than the image holds; watches the deadline.
struct Rows<'c> {
    pixels: Vec<u8>,
    width: u32,
    height: u32,
    lines: u32,
    ink: u8,
    paper: u8,
    ctx: &'c Ctx,
    /// Time ran out or the call was cancelled: the rows after are dropped.
    stopped: Option<DocError>,
}

impl hayro_ccitt::Decoder for Rows<'_> {
    fn push_row(&mut self, changes: &[u32]) {
        if self.stopped.is_some() || self.lines >= self.height {
            return;
        }
        if self.lines.is_multiple_of(LINES_PER_CHECK)
            && let Err(stop) = self.ctx.checkpoint()
        {
            self.stopped = Some(stop);
            return;
        }
        // Each row starts white; the colour changes at each position.
        let mut at = 0;
        let mut black = false;
        for &change in changes.iter().chain(std::iter::once(&self.width)) {
            let end = change.min(self.width);
            let value = if black { self.ink } else { self.paper };
            self.pixels
                .extend(std::iter::repeat_n(value, end.saturating_sub(at) as usize));
            at = at.max(end);
            black = !black;
        }
        self.lines += 1;
    }
}

#[cfg(test)]
mod tests {
    use image::Luma;
    use lopdf::dictionary;

    use super::*;
    use crate::worker::{CancelToken, Worker};

    /// A fax line wide page, its first line white: bars and a checker corner.
    fn page() -> GrayImage {
        GrayImage::from_fn(1728, 120, |x, y| {
            let bar = y > 0 && (x / 11 + y / 6) % 3 == 0;
            let checker = y > 0 && x < 60 && y < 30 && (x + y) % 2 == 0;
            Luma([if bar || checker { 0 } else { 255 }])
        })
    }

    fn decoded(stream: Stream, width: u32, height: u32) -> Result<Option<GrayImage>, DocError> {
        Worker::default().run(&crate::Limits::default(), &CancelToken::new(), move |ctx| {
            decode(&stream, width, height, ctx)
        })
    }

    #[test]
    fn group_4_decodes_to_the_page_whichever_bit_is_black() {
        let page = page();
        let data = crate::samples::fax_g4(&page);
        let plain = Stream::new(
            dictionary! { "DecodeParms" => dictionary! { "K" => -1, "Columns" => 1728 } },
            data.clone(),
        );
        assert_eq!(decoded(plain, 1728, 120).unwrap(), Some(page.clone()));
        // Black stored as 1 and drawn black by a Decode array: black on white all the same.
        let swapped = Stream::new(
            dictionary! {
                "DecodeParms" => dictionary! { "K" => -1, "Columns" => 1728, "BlackIs1" => true },
                "Decode" => vec![1.into(), 0.into()],
            },
            data,
        );
        assert_eq!(decoded(swapped, 1728, 120).unwrap(), Some(page));
    }

    #[test]
    fn mixed_group_3_decodes_to_the_page() {
        let page = page();
        let stream = Stream::new(
            dictionary! { "DecodeParms" => dictionary! { "K" => 120, "Columns" => 1728, "Rows" => 120 } },
            crate::samples::fax_g3_2d(&page),
        );
        assert_eq!(decoded(stream, 1728, 120).unwrap(), Some(page));
    }

    #[test]
    fn one_dimensional_group_3_decodes_its_run_lengths() {
        // Three white lines of 1728 (make-up 010011011, terminating 00110101) and one with
        // 64 black pixels after 1600 white (1600: 010011010, 0: 00110101; black 64: 0000001111,
        // 0: 0000110111; white 64: 11011, 0: 00110101).
        let white = "010011011 00110101 ".repeat(3);
        let bits = format!("{white}010011010 00110101 0000001111 0000110111 11011 00110101");
        let data = crate::samples::packed(&crate::samples::bits(&bits));
        let stream = Stream::new(
            dictionary! { "DecodeParms" => dictionary! { "K" => 0, "Columns" => 1728 } },
            data,
        );
        let got = decoded(stream, 1728, 4).unwrap().unwrap();
        let want = GrayImage::from_fn(1728, 4, |x, y| {
            Luma([if y == 3 && (1600..1664).contains(&x) {
                0
            } else {
                255
            }])
        });
        assert_eq!(got, want);
    }

    #[test]
    fn lines_of_another_width_or_no_line_at_all_are_said_so() {
        let stream = Stream::new(
            dictionary! { "DecodeParms" => dictionary! { "K" => -1, "Columns" => 1000 } },
            crate::samples::fax_g4(&page()),
        );
        assert_eq!(decoded(stream, 1728, 120).unwrap(), None);
        let empty = Stream::new(
            dictionary! { "DecodeParms" => dictionary! { "K" => -1, "Columns" => 1728 } },
            Vec::new(),
        );
        let e = decoded(empty, 1728, 120).unwrap_err();
        assert!(e.to_string().contains("fax image"), "{e}");
    }
}

//! CCITT fax images inside PDFs (`CCITTFaxDecode`), as office scanners write black-and-white
//! pages: Group 4 (`K < 0`) and one-dimensional Group 3 (`K = 0`), decoded with the `fax` crate
//! (the decoder the `tiff` crate uses for Group 4 TIFFs) into grey pixels, black on white as a
//! viewer draws them. Mixed two-dimensional Group 3 (`K > 0`) is not read.

use std::convert::Infallible;

use fax::Color;
use fax::decoder::{DecodeStatus, Group3Decoder, Group4Decoder, pels};
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

/// A fax image of `width` × `height` pixels; `None` when its kind is not read here (mixed
/// Group 3, a width other than the image's, more than 65,535 pixels a side). A stream that
/// breaks off keeps the lines decoded before the damage, the rest white.
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
    let flag = |key: &[u8]| {
        parms
            .and_then(|p| p.get(key).ok()?.as_bool().ok())
            .unwrap_or(false)
    };
    let (k, columns) = (int(b"K", 0), int(b"Columns", 1728));
    let (Ok(w), Ok(_)) = (u16::try_from(width), u16::try_from(height)) else {
        return Ok(None);
    };
    if k > 0 || columns != i64::from(width) {
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
    let black_is_drawn_white = flag(b"BlackIs1") != swapped;
    let (ink, paper) = if black_is_drawn_white {
        (255, 0)
    } else {
        (0, 255)
    };
    let bytes = stream.content.iter().map(|&b| Ok::<u8, Infallible>(b));
    let mut pixels: Vec<u8> = Vec::with_capacity(width as usize * height as usize);
    let mut push = |transitions: &[u16]| {
        pixels.extend(pels(transitions, w).map(|c| match c {
            Color::Black => ink,
            Color::White => paper,
        }));
    };
    let mut lines = 0u32;
    if k < 0 {
        let Ok(mut decoder) = Group4Decoder::new(bytes, w);
        while lines < height {
            if lines.is_multiple_of(LINES_PER_CHECK) {
                ctx.checkpoint()?;
            }
            match decoder.advance() {
                Ok(DecodeStatus::Incomplete) => push(decoder.transition()),
                Ok(DecodeStatus::End) | Err(_) => break,
            }
            lines += 1;
        }
    } else {
        let Ok(mut decoder) = Group3Decoder::new(bytes) else {
            return Ok(None);
        };
        while lines < height {
            if lines.is_multiple_of(LINES_PER_CHECK) {
                ctx.checkpoint()?;
            }
            let Ok(status) = decoder.advance() else { break };
            push(decoder.transitions());
            lines += 1;
            if status == DecodeStatus::End {
                break;
            }
        }
    }
    if lines == 0 {
        return Err(DocError::malformed(
            "a page's fax image could not be decoded",
        ));
    }
    pixels.resize(width as usize * height as usize, paper);
    Ok(GrayImage::from_raw(width, height, pixels))
}

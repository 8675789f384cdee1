//! Raster formats: JPEG, PNG, WebP and BMP through `image`; TIFF (multi-page) through `tiff`.
//!
//! Dimensions come from headers and are checked against the limits before pixels are decoded.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageBuffer, ImageDecoder, ImageFormat, ImageReader};
use tiff::decoder::{Decoder as TiffDecoder, DecodingResult};
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;

use crate::worker::Ctx;
use crate::{DocError, Format, Limits};

/// What inspecting a raster file found.
#[derive(Debug)]
pub(crate) struct RasterInfo {
    /// Each page's size in pixels as displayed (after EXIF/TIFF orientation).
    pub(crate) pages: Vec<(u32, u32)>,
    /// Whether the WebView can show the original bytes as they are.
    pub(crate) native: bool,
}

pub(crate) fn inspect(bytes: &[u8], format: &Format, ctx: &Ctx) -> Result<RasterInfo, DocError> {
    if *format == Format::Tiff {
        return Ok(RasterInfo {
            pages: tiff_pages(bytes, ctx)?,
            native: false,
        });
    }
    let mut decoder = image_decoder(bytes, format, &ctx.limits)?;
    let native = match format {
        Format::Jpeg => !jpeg_is_cmyk(bytes),
        Format::Png => is_8bit(decoder.color_type()),
        _ => true,
    };
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    Ok(RasterInfo {
        pages: vec![oriented(decoder.dimensions(), orientation)],
        native,
    })
}

/// Decodes page `page` (from 0), upright and with 8 bits per channel.
pub(crate) fn decode_page(
    bytes: &[u8],
    format: &Format,
    page: usize,
    ctx: &Ctx,
) -> Result<DynamicImage, DocError> {
    let image = if *format == Format::Tiff {
        tiff_page(bytes, page, ctx)?
    } else if page == 0 {
        single_image(bytes, format, &ctx.limits)?
    } else {
        return Err(DocError::NoSuchPage { page, pages: 1 });
    };
    Ok(to_8bit(image))
}

fn image_decoder<'a>(
    bytes: &'a [u8],
    format: &Format,
    limits: &Limits,
) -> Result<impl ImageDecoder + 'a, DocError> {
    let image_format = match format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        Format::WebP => ImageFormat::WebP,
        Format::Bmp => ImageFormat::Bmp,
        other => return Err(DocError::unsupported(other.name())),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    reader.limits(limits.image());
    let decoder = reader.into_decoder()?;
    let (width, height) = decoder.dimensions();
    limits.check_pixels(width, height)?;
    if decoder.total_bytes() > limits.max_decoded_bytes {
        return Err(DocError::too_large(format!(
            "decoding the image would take {} MiB",
            decoder.total_bytes() / (1024 * 1024)
        )));
    }
    Ok(decoder)
}

/// A JPEG as a PDF draws it: its pixels as stored (PDF viewers ignore a JPEG's EXIF
/// orientation), 8-bit.
pub(crate) fn pdf_jpeg(bytes: &[u8], ctx: &Ctx) -> Result<DynamicImage, DocError> {
    let decoder = image_decoder(bytes, &Format::Jpeg, &ctx.limits)?;
    Ok(to_8bit(DynamicImage::from_decoder(decoder)?))
}

/// Whether the WebView shows this JPEG from a PDF exactly as a PDF viewer draws it, so it can
/// be served as it is: 8-bit grey or RGB (not CMYK), within the pixel limits, and without an
/// EXIF orientation (WebViews turn the picture by it; PDF viewers do not).
pub(crate) fn pdf_jpeg_shows_as_is(bytes: &[u8], limits: &Limits) -> bool {
    if jpeg_is_cmyk(bytes) {
        return false;
    }
    let Ok(mut decoder) = image_decoder(bytes, &Format::Jpeg, limits) else {
        return false;
    };
    let upright = matches!(decoder.orientation(), Ok(Orientation::NoTransforms));
    upright
        && matches!(
            decoder.color_type(),
            image::ColorType::L8 | image::ColorType::Rgb8
        )
}

fn single_image(bytes: &[u8], format: &Format, limits: &Limits) -> Result<DynamicImage, DocError> {
    let mut decoder = image_decoder(bytes, format, limits)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// CMYK (and YCCK) JPEGs from print workflows: WebKit shows them with wrong colours, if at all.
/// `image` converts them to RGB without saying so, hence the look at the header with its own
/// decoder.
fn jpeg_is_cmyk(bytes: &[u8]) -> bool {
    let mut decoder = zune_jpeg::JpegDecoder::new(ZCursor::new(bytes));
    decoder.decode_headers().is_ok()
        && matches!(
            decoder.input_colorspace(),
            Some(ColorSpace::CMYK | ColorSpace::YCCK)
        )
}

fn is_8bit(color: image::ColorType) -> bool {
    use image::ColorType as C;
    matches!(color, C::L8 | C::La8 | C::Rgb8 | C::Rgba8)
}

fn oriented((width, height): (u32, u32), orientation: Orientation) -> (u32, u32) {
    use Orientation as O;
    match orientation {
        O::Rotate90 | O::Rotate270 | O::Rotate90FlipH | O::Rotate270FlipH => (height, width),
        _ => (width, height),
    }
}

/// 16-bit and float pixels become 8-bit; alpha is kept.
fn to_8bit(image: DynamicImage) -> DynamicImage {
    use DynamicImage as D;
    match image {
        D::ImageLuma8(_) | D::ImageLumaA8(_) | D::ImageRgb8(_) | D::ImageRgba8(_) => image,
        D::ImageLuma16(_) => D::ImageLuma8(image.to_luma8()),
        D::ImageLumaA16(_) => D::ImageLumaA8(image.to_luma_alpha8()),
        _ if image.color().has_alpha() => D::ImageRgba8(image.to_rgba8()),
        _ => D::ImageRgb8(image.to_rgb8()),
    }
}

type Tiff<'a> = TiffDecoder<Cursor<&'a [u8]>>;

fn tiff_decoder<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Tiff<'a>, DocError> {
    Ok(TiffDecoder::new(Cursor::new(bytes))?.with_limits(limits.tiff()))
}

/// The size of the current TIFF page, checked, as displayed.
fn tiff_size(decoder: &mut Tiff<'_>, limits: &Limits) -> Result<(u32, u32), DocError> {
    let (width, height) = decoder.dimensions()?;
    limits.check_pixels(width, height)?;
    Ok(oriented((width, height), tiff_orientation(decoder)))
}

fn tiff_orientation(decoder: &mut Tiff<'_>) -> Orientation {
    decoder
        .find_tag_unsigned::<u8>(tiff::tags::Tag::Orientation)
        .ok()
        .flatten()
        .and_then(Orientation::from_exif)
        .unwrap_or(Orientation::NoTransforms)
}

/// Every page's size; the `tiff` crate refuses directory chains that loop.
fn tiff_pages(bytes: &[u8], ctx: &Ctx) -> Result<Vec<(u32, u32)>, DocError> {
    let mut decoder = tiff_decoder(bytes, &ctx.limits)?;
    let mut pages = vec![tiff_size(&mut decoder, &ctx.limits)?];
    while decoder.more_images() {
        ctx.checkpoint()?;
        decoder.next_image()?;
        pages.push(tiff_size(&mut decoder, &ctx.limits)?);
        ctx.limits.check_pages(pages.len())?;
    }
    Ok(pages)
}

fn tiff_page(bytes: &[u8], page: usize, ctx: &Ctx) -> Result<DynamicImage, DocError> {
    let mut decoder = tiff_decoder(bytes, &ctx.limits)?;
    if decoder.seek_to_image(page).is_err() {
        let pages = tiff_pages(bytes, ctx)?.len();
        return Err(DocError::NoSuchPage { page, pages });
    }
    let (width, height) = decoder.dimensions()?;
    ctx.limits.check_pixels(width, height)?;
    let color = decoder.colortype()?;
    let orientation = tiff_orientation(&mut decoder);
    let mut data = DecodingResult::U8(Vec::new());
    let layout = decoder.read_image_to_buffer(&mut data)?;
    if layout.planes > 1 {
        return Err(DocError::unsupported("TIFF with separate colour planes"));
    }
    let mut image = tiff_to_image(width, height, color, data)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn tiff_to_image(
    width: u32,
    height: u32,
    color: tiff::ColorType,
    data: DecodingResult,
) -> Result<DynamicImage, DocError> {
    use DecodingResult::{U8, U16};
    use DynamicImage as D;
    use tiff::ColorType as C;
    let image = match (color, data) {
        (C::Gray(1), U8(v)) => buffer(width, height, expand_bits(width, &v)).map(D::ImageLuma8),
        (C::Gray(8), U8(v)) => buffer(width, height, v).map(D::ImageLuma8),
        (C::Gray(16), U16(v)) => buffer(width, height, v).map(D::ImageLuma16),
        (C::GrayA(8), U8(v)) => buffer(width, height, v).map(D::ImageLumaA8),
        (C::GrayA(16), U16(v)) => buffer(width, height, v).map(D::ImageLumaA16),
        (C::RGB(8), U8(v)) => buffer(width, height, v).map(D::ImageRgb8),
        (C::RGB(16), U16(v)) => buffer(width, height, v).map(D::ImageRgb16),
        (C::RGBA(8), U8(v)) => buffer(width, height, v).map(D::ImageRgba8),
        (C::RGBA(16), U16(v)) => buffer(width, height, v).map(D::ImageRgba16),
        (C::CMYK(8), U8(v)) => buffer(width, height, cmyk_to_rgb(&v)).map(D::ImageRgb8),
        (color, _) => {
            return Err(DocError::unsupported(format!(
                "TIFF with colour type {color:?}"
            )));
        }
    };
    image.ok_or_else(|| DocError::malformed("the TIFF page holds fewer pixels than it declares"))
}

fn buffer<P: image::Pixel>(
    width: u32,
    height: u32,
    data: Vec<P::Subpixel>,
) -> Option<ImageBuffer<P, Vec<P::Subpixel>>> {
    ImageBuffer::from_raw(width, height, data)
}

/// 1-bit rows (padded to whole bytes, 1 = white once `tiff` has applied WhiteIsZero) to 8-bit.
fn expand_bits(width: u32, packed: &[u8]) -> Vec<u8> {
    let row_bytes = width.div_ceil(8) as usize;
    packed
        .chunks_exact(row_bytes)
        .flat_map(|row| {
            (0..width as usize).map(move |x| {
                if row[x / 8] & (0x80 >> (x % 8)) != 0 {
                    255
                } else {
                    0
                }
            })
        })
        .collect()
}

/// The naive conversion (no ICC profile), as `image` does for CMYK TIFF.
fn cmyk_to_rgb(cmyk: &[u8]) -> Vec<u8> {
    cmyk.chunks_exact(4)
        .flat_map(|p| {
            let k = 255 - u16::from(p[3]);
            p[..3]
                .iter()
                .map(move |&c| ((255 - u16::from(c)) * k / 255) as u8)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_expand_per_row_ignoring_padding() {
        // Two rows of 10 pixels: 1010000000 and 0000000001, each padded to two bytes.
        let packed = [0b1010_0000, 0b0000_0000, 0b0000_0000, 0b0100_0000];
        let mut expected = vec![0u8; 20];
        expected[0] = 255;
        expected[2] = 255;
        expected[19] = 255;
        assert_eq!(expand_bits(10, &packed), expected);
    }

    #[test]
    fn cmyk_converts_to_rgb() {
        assert_eq!(
            cmyk_to_rgb(&[0, 0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 255]),
            vec![255, 255, 255, 0, 255, 255, 0, 0, 0]
        );
    }

    #[test]
    fn quarter_turns_swap_width_and_height() {
        assert_eq!(oriented((3, 2), Orientation::Rotate90), (2, 3));
        assert_eq!(oriented((3, 2), Orientation::Rotate180), (3, 2));
    }
}

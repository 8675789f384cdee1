//! PDFs of scans only: every page draws one image over the whole page and nothing else that
//! shows (an invisible text layer, as recognition software leaves it, is allowed). The viewer
//! shows such a page as its image, decoded here at once, instead of having pdf.js parse the
//! file, decode the image in JavaScript and draw it: a scanned PDF then opens as fast as a JPEG.
//!
//! Only what is certain to look the same qualifies: the image must be one this crate decodes
//! exactly as a PDF viewer draws it (JPEG, or 8-bit pixels, in grey or RGB, without masks or a
//! decode array), placed upright over the page's MediaBox (and no other CropBox); a rotated
//! page, an annotation (a stamp, a signature, a form field), a second image, a path, visible
//! text or a graphics state that could change how the image blends sends the PDF to pdf.js as
//! before.

use lopdf::content::Content;
use lopdf::{Object, ObjectId, Stream};

use super::{Pdf, ancestors, inherited, is_image};
use crate::DocError;
use crate::worker::Ctx;

/// How far (in points) the image's placement may be from the MediaBox's corners.
const TOLERANCE: f64 = 0.5;

impl Pdf {
    /// Whether every page is a scan and nothing else that shows.
    pub(crate) fn is_scans_only(&self) -> bool {
        !self.pages.is_empty()
            && self
                .pages
                .iter()
                .all(|&page| self.only_scan_of(page).is_some())
    }

    /// Page `page` (from 0) of a PDF of scans only, as its image; `DrawnByViewer` for a page
    /// that is more than a scan.
    pub(crate) fn scan_page(
        &self,
        page: usize,
        ctx: &Ctx,
    ) -> Result<image::DynamicImage, DocError> {
        match self.scan_image(page, ctx)? {
            super::PageImage::Jpeg(jpeg) => crate::raster::pdf_jpeg(&jpeg, ctx),
            super::PageImage::Pixels(pixels) => Ok(pixels),
        }
    }

    /// Page `page`'s image as the file holds it (a JPEG's bytes as they are, other encodings
    /// decoded); `DrawnByViewer` for a page that is more than a scan.
    pub(crate) fn scan_image(&self, page: usize, ctx: &Ctx) -> Result<super::PageImage, DocError> {
        let &id = self.pages.get(page).ok_or(DocError::NoSuchPage {
            page,
            pages: self.pages.len(),
        })?;
        let image = self.only_scan_of(id).ok_or(DocError::DrawnByViewer)?;
        let stream = self
            .doc
            .get_object(image)
            .and_then(Object::as_stream)
            .map_err(|_| DocError::DrawnByViewer)?;
        let dimension = |key: &[u8]| super::dimension(stream, key).ok_or(DocError::DrawnByViewer);
        let (width, height) = (dimension(b"Width")?, dimension(b"Height")?);
        ctx.limits.check_pixels(width, height)?;
        let scan = super::Scan {
            width,
            height,
            stream: stream.clone(),
            globals: None,
        };
        super::page_image(&scan, ctx)?.ok_or(DocError::DrawnByViewer)
    }

    /// The size in pixels of page `page`'s scan, when it is a page of scans only.
    pub(crate) fn scan_size(&self, page: usize) -> Option<(u32, u32)> {
        let image = self.only_scan_of(*self.pages.get(page)?)?;
        let stream = self.doc.get_object(image).ok()?.as_stream().ok()?;
        Some((
            super::dimension(stream, b"Width")?,
            super::dimension(stream, b"Height")?,
        ))
    }

    /// Where page `page`'s JPEG lies in `bytes` (the file this was opened from), when the page
    /// is a scan whose image is a JPEG [`crate::Documents::display_page`] sends as it is: after
    /// the keyword `stream` of the image's object, at the offset its cross-reference gives, and
    /// the same there byte for byte (a rebuilt or decrypted file does not qualify).
    pub(crate) fn scan_jpeg_in(
        &self,
        bytes: &[u8],
        page: usize,
        ctx: &Ctx,
    ) -> Option<std::ops::Range<u64>> {
        let image = self.only_scan_of(*self.pages.get(page)?)?;
        let stream = self.doc.get_object(image).ok()?.as_stream().ok()?;
        let dimension = |key: &[u8]| super::dimension(stream, key);
        ctx.limits
            .check_pixels(dimension(b"Width")?, dimension(b"Height")?)
            .ok()?;
        let jpeg = stream.content.as_slice();
        if stream.filters().ok()? != [b"DCTDecode".as_slice()]
            || !crate::raster::pdf_jpeg_shows_as_is(jpeg, &ctx.limits)
        {
            return None;
        }
        let lopdf::xref::XrefEntry::Normal { offset, .. } =
            *self.doc.reference_table.get(image.0)?
        else {
            return None;
        };
        let object = bytes.get(usize::try_from(offset).ok()?..)?;
        let keyword = object.windows(6).position(|w| w == b"stream")? + 6;
        let eol = match object.get(keyword..keyword + 2)? {
            b"\r\n" => 2,
            [b'\n' | b'\r', _] => 1,
            _ => return None,
        };
        let start = usize::try_from(offset).ok()? + keyword + eol;
        let range = start..start.checked_add(jpeg.len())?;
        (bytes.get(range.clone())? == jpeg).then_some(range.start as u64..range.end as u64)
    }

    /// The image page `page` draws as everything that shows on it, when it is such a page.
    fn only_scan_of(&self, page: ObjectId) -> Option<ObjectId> {
        let chain = ancestors(&self.doc, page).ok()?;
        let rotate =
            inherited(&self.doc, &chain, b"Rotate").map_or(Some(0), |r| r.as_i64().ok())?;
        let annotated = self
            .doc
            .get_dictionary(page)
            .ok()?
            .get_deref(b"Annots", &self.doc)
            .ok()
            .is_some_and(|a| a.as_array().map_or(true, |a| !a.is_empty()));
        if rotate.rem_euclid(360) != 0 || annotated {
            return None;
        }
        let corners: Vec<f64> = inherited(&self.doc, &chain, b"MediaBox")?
            .as_array()
            .ok()?
            .iter()
            .map(|c| c.as_float().map(f64::from).ok())
            .collect::<Option<_>>()?;
        let &[x0, y0, x1, y1] = corners.as_slice() else {
            return None;
        };
        // Viewers show the CropBox: one other than the MediaBox shows part of the image.
        let cropped = inherited(&self.doc, &chain, b"CropBox").is_some_and(|crop| {
            crop.as_array().map_or(true, |c| {
                c.len() != 4
                    || c.iter().zip(&corners).any(|(a, b)| {
                        a.as_float()
                            .map_or(true, |a| (f64::from(a) - b).abs() > TOLERANCE)
                    })
            })
        });
        // Corners written the other way round would mirror what is drawn into them.
        if cropped || x1 <= x0 || y1 <= y0 {
            return None;
        }
        let page_box = [x1 - x0, 0.0, 0.0, y1 - y0, x0, y0];
        let xobjects = inherited(&self.doc, &chain, b"Resources")?
            .as_dict()
            .ok()?
            .get_deref(b"XObject", &self.doc)
            .ok()?
            .as_dict()
            .ok()?;
        let content = self.doc.get_page_content(page).ok()?;
        let operations = Content::decode(&content).ok()?.operations;

        // The graphics state that matters here: the transformation and whether text shows.
        let mut ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
        let mut invisible_text = false;
        let mut saved = Vec::new();
        let mut drawn = None;
        for op in &operations {
            let numbers = || -> Option<Vec<f64>> {
                op.operands
                    .iter()
                    .map(|o| o.as_float().map(f64::from).ok())
                    .collect()
            };
            match op.operator.as_str() {
                "q" => saved.push((ctm, invisible_text)),
                "Q" => (ctm, invisible_text) = saved.pop()?,
                "cm" => ctm = multiply(numbers()?.try_into().ok()?, ctm),
                "Tr" => invisible_text = numbers()?.first() == Some(&3.0),
                "Do" => {
                    let name = op.operands.first()?.as_name().ok()?;
                    let id = xobjects.get(name).ok()?.as_reference().ok()?;
                    let stream = self.doc.get_object(id).ok()?.as_stream().ok()?;
                    let placed = ctm
                        .iter()
                        .zip(page_box)
                        .all(|(a, b)| (a - b).abs() <= TOLERANCE);
                    if drawn.is_some() || !placed || !shows_as_decoded(stream) {
                        return None;
                    }
                    drawn = Some(id);
                }
                "Tj" | "TJ" | "'" | "\"" if !invisible_text => return None,
                // Optional content may be hidden by default: left to the viewer.
                "BDC" if op.operands.first().and_then(|o| o.as_name().ok()) == Some(b"OC") => {
                    return None;
                }
                // Text positioning and state, marked content: nothing that shows.
                "BT" | "ET" | "Tf" | "Tm" | "Td" | "TD" | "T*" | "Tc" | "Tw" | "Tz" | "TL"
                | "Ts" | "Tj" | "TJ" | "'" | "\"" | "BMC" | "BDC" | "EMC" | "MP" | "DP" => {}
                // Paths, shadings, inline images, graphics states, anything else.
                _ => return None,
            }
        }
        drawn
    }
}

/// An image a PDF viewer draws exactly as this crate decodes it: JPEG, or 8-bit pixels (plain
/// or deflated), in grey or RGB, without a mask, a soft mask, a decode array or optional
/// content.
fn shows_as_decoded(stream: &Stream) -> bool {
    let dict = &stream.dict;
    let name = |key: &[u8]| dict.get(key).and_then(Object::as_name).ok();
    let masked = [b"ImageMask".as_slice(), b"Mask", b"SMask", b"Decode", b"OC"]
        .iter()
        .any(|key| {
            dict.get(key)
                .is_ok_and(|v| !matches!(v.as_bool(), Ok(false)))
        });
    let filters = stream.filters().unwrap_or_default();
    let encoded = filters.is_empty()
        || filters == [b"DCTDecode".as_slice()]
        || filters == [b"FlateDecode".as_slice()];
    let eight_bits = dict.get(b"BitsPerComponent").and_then(Object::as_i64).ok() == Some(8);
    is_image(stream)
        && !masked
        && encoded
        && eight_bits
        && matches!(name(b"ColorSpace"), Some(b"DeviceGray" | b"DeviceRGB"))
        && dict.get(b"DecodeParms").is_err()
}

/// `m` then `ctm`, as PDF's `cm` operator concatenates them.
fn multiply(m: [f64; 6], ctm: [f64; 6]) -> [f64; 6] {
    let [a, b, c, d, e, f] = m;
    let [a2, b2, c2, d2, e2, f2] = ctm;
    [
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    ]
}

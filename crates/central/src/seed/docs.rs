//! Real document files for the demo: pages that look scanned (slightly skewed, noisy, grey),
//! as multi-page PDFs (some with a text layer), JPEG photos, PNG and multi-page TIFF.
//!
//! Each page carries legible printed text (the document's title, the holder's name, numbers and
//! dates; an identity page its machine-readable zone) in the demo's typeface, drawn before the
//! page is skewed and made noisy, with the rest of its lines as ink strokes. Some PDFs also
//! carry the text as a text layer.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{GrayImage, ImageEncoder, Luma};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use rand::Rng;
use rand::rngs::StdRng;

use crate::font::{self, PdfFont};

/// Page size in pixels: A4 at 72 dpi, enough to look like a scan and keep the demo small.
pub const PAGE_W: u32 = 595;
pub const PAGE_H: u32 = 842;

/// How a page should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStyle {
    /// Lines of text with a header band.
    Text,
    /// An identity page: photo box, fields, machine-readable zone.
    Identity,
    /// Too dark and noisy to read: an unreadable scan.
    Unreadable,
}

fn ink_line(
    img: &mut GrayImage,
    rng: &mut StdRng,
    (x, y): (u32, u32),
    len: u32,
    thickness: u32,
    k: f32,
) {
    let scaled = |v: u32| ((v as f32 * k).round() as u32).max(1);
    let mut cx = x;
    while cx < (x + len).min(img.width() - 1) {
        // Words: runs of ink separated by gaps.
        let word = scaled(rng.random_range(12..48u32));
        for dx in 0..word {
            let px = cx + dx;
            if px >= img.width() || px >= x + len {
                break;
            }
            for dy in 0..thickness {
                let py = y + dy;
                if py < img.height() {
                    let shade = rng.random_range(20..70u8);
                    img.put_pixel(px, py, Luma([shade]));
                }
            }
        }
        cx += word + scaled(rng.random_range(6..14u32));
    }
}

fn fill_rect(img: &mut GrayImage, (x, y): (u32, u32), (w, h): (u32, u32), shade: u8) {
    for py in y..(y + h).min(img.height()) {
        for px in x..(x + w).min(img.width()) {
            img.put_pixel(px, py, Luma([shade]));
        }
    }
}

/// What a page has printed on it, legibly.
#[derive(Debug, Clone, Copy, Default)]
pub struct Printed<'a> {
    /// The document's title (in the header band of a text page, at the top of an identity page).
    pub title: &'a str,
    /// Lines of text: "Label: value" on a text page, the holder's fields on an identity page.
    pub lines: &'a [String],
    /// The two lines of an identity page's machine-readable zone (ICAO 9303 TD3).
    pub mrz: Option<&'a [String; 2]>,
}

/// How a page is scanned: its resolution and how far it may lie askew on the glass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scanner {
    /// Dots per inch; the page is A4 (8.27 × 11.69 in).
    pub dpi: u32,
    /// The page is turned by a random angle up to this many degrees either way.
    pub max_skew_degrees: f64,
}

impl Scanner {
    /// The demo's ordinary pages: 72 dpi keeps the demo small and still looks like a scan.
    pub const DEMO: Scanner = Scanner {
        dpi: 72,
        max_skew_degrees: 1.8,
    };
    /// Identity pages, which are read by the desk's recogniser: 150 dpi, as offices scan them.
    pub const IDENTITY: Scanner = Scanner {
        dpi: 150,
        max_skew_degrees: 1.8,
    };

    /// The page's size in pixels.
    pub fn size(&self) -> (u32, u32) {
        (self.px(PAGE_W), self.px(PAGE_H))
    }

    /// A length at 72 dpi in this scanner's pixels.
    fn px(&self, v: u32) -> u32 {
        (v as f32 * self.k()).round() as u32
    }

    fn k(&self) -> f32 {
        self.dpi as f32 / 72.0
    }

    /// Draws a page with its printed text and `lines` further lines of ink, then skews it and
    /// adds scanner noise.
    pub fn page(
        &self,
        rng: &mut StdRng,
        style: PageStyle,
        lines: usize,
        printed: &Printed,
    ) -> GrayImage {
        let (k, px) = (self.k(), |v: u32| self.px(v));
        let at = |x: f32, y: f32| (x * k, y * k);
        let (w, h) = self.size();
        let mut img = GrayImage::from_pixel(w, h, Luma([246]));
        match style {
            PageStyle::Text | PageStyle::Unreadable => {
                fill_rect(&mut img, (px(60), px(50)), (w - px(120), px(28)), 90);
                font::print(&mut img, at(70.0, 70.0), 16.0 * k, printed.title, 250, None);
                let mut y = 110;
                for line in printed.lines {
                    font::print(
                        &mut img,
                        at(60.0, y as f32 + 12.0),
                        14.0 * k,
                        line,
                        25,
                        None,
                    );
                    y += 24;
                }
                for i in 0..lines {
                    if y + 20 > PAGE_H - 60 {
                        break;
                    }
                    let len = if i % 7 == 6 {
                        rng.random_range(80..260)
                    } else {
                        rng.random_range(300..PAGE_W - 130)
                    };
                    ink_line(&mut img, rng, (px(60), px(y)), px(len), px(3), k);
                    y += rng.random_range(18..26);
                }
                // A signature and a stamp near the bottom.
                ink_line(&mut img, rng, (w - px(230), h - px(120)), px(150), px(2), k);
                let (cx, cy, r) = (
                    i64::from(px(150)),
                    i64::from(h - px(130)),
                    i64::from(px(40)),
                );
                let ring = i64::from(px(4));
                for py in (cy - r)..=(cy + r) {
                    for qx in (cx - r)..=(cx + r) {
                        let d2 = (qx - cx).pow(2) + (py - cy).pow(2);
                        if (r - ring).pow(2) <= d2 && d2 <= r.pow(2) {
                            img.put_pixel(qx as u32, py as u32, Luma([110]));
                        }
                    }
                }
            }
            PageStyle::Identity => {
                fill_rect(&mut img, (px(40), px(60)), (w - px(80), px(360)), 225);
                font::print(&mut img, at(60.0, 82.0), 13.0 * k, printed.title, 40, None);
                fill_rect(&mut img, (px(60), px(90)), (px(150), px(190)), 150);
                fill_rect(&mut img, (px(100), px(120)), (px(70), px(70)), 110);
                fill_rect(&mut img, (px(85), px(200)), (px(100), px(80)), 110);
                let mut y = 110.0;
                for line in printed.lines {
                    font::print(&mut img, at(235.0, y), 13.0 * k, line, 20, None);
                    y += 26.0;
                }
                match printed.mrz {
                    // The zone spans the page's width at a fixed pitch, 44 characters a line.
                    Some(mrz) => {
                        let pitch = (w - px(120)) as f32 / 44.0;
                        for (row, line) in mrz.iter().enumerate() {
                            let y = 372.0 + row as f32 * 26.0;
                            font::print(&mut img, at(60.0, y), 15.0 * k, line, 15, Some(pitch));
                        }
                    }
                    None => {
                        for row in 0..2 {
                            let y = px(360 + row * 24);
                            ink_line(&mut img, rng, (px(60), y), w - px(140), px(4), k);
                        }
                    }
                }
            }
        }
        let max = self.max_skew_degrees;
        let skew = rng.random_range(-max..max).to_radians();
        let mut out = skewed(&img, skew);
        let noise = if style == PageStyle::Unreadable {
            0.55
        } else {
            0.015
        };
        for p in out.pixels_mut() {
            if rng.random::<f64>() < noise {
                p.0[0] = rng.random_range(0..255);
            }
        }
        if style == PageStyle::Unreadable {
            for p in out.pixels_mut() {
                p.0[0] /= 3;
            }
        }
        out
    }
}

/// A page as the demo's scanner makes it ([`Scanner::DEMO`]).
pub fn page(rng: &mut StdRng, style: PageStyle, lines: usize, printed: &Printed) -> GrayImage {
    Scanner::DEMO.page(rng, style, lines, printed)
}

/// Rotates the page about its centre (nearest neighbour), filling the corners with the grey
/// of a scanner lid.
fn skewed(img: &GrayImage, angle: f64) -> GrayImage {
    let (w, h) = (img.width() as f64, img.height() as f64);
    let (cx, cy) = (w / 2.0, h / 2.0);
    let (sin, cos) = angle.sin_cos();
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let (dx, dy) = (x as f64 - cx, y as f64 - cy);
        let sx = cos * dx + sin * dy + cx;
        let sy = -sin * dx + cos * dy + cy;
        if sx >= 0.0 && sy >= 0.0 && sx < w && sy < h {
            *img.get_pixel(sx as u32, sy as u32)
        } else {
            Luma([200])
        }
    })
}

pub fn jpeg(img: &GrayImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = JpegEncoder::new_with_quality(&mut out, quality);
    encoder
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::L8,
        )
        .expect("encoding a JPEG into memory cannot fail");
    out
}

/// A colour JPEG photo (RGB), e.g. a passport photograph.
pub fn photo_jpeg(rng: &mut StdRng) -> Vec<u8> {
    let (w, h) = (354u32, 472u32);
    let tint: [u8; 3] = [
        rng.random_range(150..220),
        rng.random_range(150..220),
        rng.random_range(170..240),
    ];
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f64 - w as f64 / 2.0, y as f64 - h as f64 * 0.38);
        let face = dx * dx / 9000.0 + dy * dy / 14000.0 < 1.0;
        let shoulders = y as f64 > h as f64 * 0.72 && dx.abs() < w as f64 * 0.45;
        if face {
            image::Rgb([214, 178, 150])
        } else if shoulders {
            image::Rgb([40, 52, 80])
        } else {
            image::Rgb(tint)
        }
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 80)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .expect("encoding a JPEG into memory cannot fail");
    out
}

pub fn png(img: &GrayImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encoding a PNG into memory cannot fail");
    out.into_inner()
}

/// A multi-page TIFF (Deflate-compressed grey pages, at half resolution as fax-grade scanners make them).
pub fn tiff_pages(pages: &[GrayImage]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    {
        let mut encoder = tiff::encoder::TiffEncoder::new(&mut out)
            .expect("a TIFF encoder over memory")
            .with_compression(tiff::encoder::Compression::Deflate(
                tiff::encoder::DeflateLevel::Balanced,
            ));
        for page in pages {
            let half = image::imageops::resize(
                page,
                page.width() / 2,
                page.height() / 2,
                image::imageops::FilterType::Triangle,
            );
            encoder
                .write_image::<tiff::encoder::colortype::Gray8>(
                    half.width(),
                    half.height(),
                    half.as_raw(),
                )
                .expect("writing a TIFF page into memory cannot fail");
        }
    }
    out.into_inner()
}

/// A PDF of scanned pages (JPEG), with an invisible text layer when `text` is given (one list
/// of lines per page), as OCR software leaves it.
pub fn scanned_pdf(pages: &[GrayImage], text: Option<&[Vec<String>]>) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let mut next = 3;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let font_id = alloc();
    let mut font = PdfFont::new();
    let page_ids: Vec<(Ref, Ref, Ref)> =
        pages.iter().map(|_| (alloc(), alloc(), alloc())).collect();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|(p, _, _)| *p))
        .count(pages.len() as i32);
    let (w, h) = (PAGE_W as f32, PAGE_H as f32);
    for (i, (img, (page_id, image_id, content_id))) in pages.iter().zip(&page_ids).enumerate() {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, w, h))
            .parent(tree_id)
            .contents(*content_id);
        let mut resources = page.resources();
        resources.x_objects().pair(Name(b"Im0"), *image_id);
        resources.fonts().pair(Name(b"F1"), font_id);
        resources.finish();
        page.finish();

        let data = jpeg(img, 55);
        let mut image = pdf.image_xobject(*image_id, &data);
        image.filter(Filter::DctDecode);
        image.width(img.width() as i32);
        image.height(img.height() as i32);
        image.color_space().device_gray();
        image.bits_per_component(8);
        image.finish();

        let mut content = Content::new();
        content.save_state();
        content.transform([w, 0.0, 0.0, h, 0.0, 0.0]);
        content.x_object(Name(b"Im0"));
        content.restore_state();
        if let Some(lines) = text.and_then(|t| t.get(i)) {
            content.begin_text();
            content.set_text_rendering_mode(pdf_writer::types::TextRenderingMode::Invisible);
            show_lines(&mut content, &mut font, lines, h - 120.0, 22.0);
            content.end_text();
        }
        pdf.stream(*content_id, &content.finish());
    }
    pdf.document_info(alloc())
        .producer(TextStr("migdesk demo scanner"));
    font.write(&mut pdf, font_id, &mut alloc);
    pdf.finish()
}

/// Writes `lines` in 11-point type down the page from `top`, `leading` points apart, inside
/// an open text object.
fn show_lines(content: &mut Content, font: &mut PdfFont, lines: &[String], top: f32, leading: f32) {
    content.set_font(Name(b"F1"), 11.0);
    let mut y = top;
    for line in lines {
        content.set_text_matrix([1.0, 0.0, 0.0, 1.0, 60.0, y]);
        content.show(Str(&font.encode(line)));
        y -= leading;
    }
}

/// A PDF with visible text only (a form printed from the portal).
pub fn text_pdf(title: &str, lines: &[String]) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let (catalog_id, tree_id, page_id, font_id, content_id) =
        (alloc(), alloc(), alloc(), alloc(), alloc());
    let mut font = PdfFont::new();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id).kids([page_id]).count(1);
    let (w, h) = (PAGE_W as f32, PAGE_H as f32);
    let mut page = pdf.page(page_id);
    page.media_box(Rect::new(0.0, 0.0, w, h))
        .parent(tree_id)
        .contents(content_id);
    page.resources().fonts().pair(Name(b"F1"), font_id);
    page.finish();
    let mut content = Content::new();
    content.begin_text();
    content.set_font(Name(b"F1"), 15.0);
    content.set_text_matrix([1.0, 0.0, 0.0, 1.0, 60.0, h - 80.0]);
    content.show(Str(&font.encode(title)));
    show_lines(&mut content, &mut font, lines, h - 120.0, 20.0);
    content.end_text();
    pdf.stream(content_id, &content.finish());
    font.write(&mut pdf, font_id, &mut alloc);
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn files_have_the_right_magic_and_are_deterministic() {
        let mut rng = StdRng::seed_from_u64(7);
        let p = page(&mut rng, PageStyle::Text, 20, &Printed::default());
        assert!(scanned_pdf(std::slice::from_ref(&p), None).starts_with(b"%PDF-"));
        assert!(text_pdf("Form", &["Name: TEST".into()]).starts_with(b"%PDF-"));
        assert!(jpeg(&p, 50).starts_with(&[0xFF, 0xD8, 0xFF]));
        assert!(png(&p).starts_with(&[0x89, b'P', b'N', b'G']));
        assert!(tiff_pages(&[p.clone(), p]).starts_with(b"II*\0"));
        let again = page(
            &mut StdRng::seed_from_u64(7),
            PageStyle::Text,
            20,
            &Printed::default(),
        );
        let first = page(
            &mut StdRng::seed_from_u64(7),
            PageStyle::Text,
            20,
            &Printed::default(),
        );
        assert_eq!(again, first);
    }

    #[test]
    fn printed_text_leaves_ink_on_the_page() {
        let blank = page(
            &mut StdRng::seed_from_u64(7),
            PageStyle::Identity,
            0,
            &Printed::default(),
        );
        let mrz = [
            format!("P<AZE{}", "<".repeat(39)),
            "C01234567".repeat(4) + "<<<<<<<<",
        ];
        let lines = [
            "Soyad: MƏMMƏDOVA".to_owned(),
            "Ad: ŞƏHLA".to_owned(),
            "Doğum tarixi: 14.06.1990".to_owned(),
        ];
        let printed = Printed {
            title: "Pasport",
            lines: &lines,
            mrz: Some(&mrz),
        };
        let inked = page(
            &mut StdRng::seed_from_u64(7),
            PageStyle::Identity,
            0,
            &printed,
        );
        // Dark pixels where the holder's fields are printed, right of the photograph.
        let dark = |img: &GrayImage| {
            let fields = image::imageops::crop_imm(img, 235, 95, 300, 170).to_image();
            fields.pixels().filter(|p| p.0[0] < 128).count()
        };
        assert!(
            dark(&inked) > dark(&blank) + 500,
            "{} vs {}",
            dark(&inked),
            dark(&blank)
        );
    }
}

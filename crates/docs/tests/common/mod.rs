//! Sample files, made by the tests themselves.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Cursor;

use image::{DynamicImage, ImageFormat};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

// Shared by several test files; each uses some.
#[allow(unused_imports)]
pub use migdesk_docs::samples::{encode, jpeg, page_image, text_pdf};

pub fn png(image: DynamicImage) -> Vec<u8> {
    encode(&image, ImageFormat::Png)
}

/// A palette PNG (4 colours, 2 bits a pixel), written with the `png` crate.
pub fn palette_png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_palette(vec![255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]);
    let mut writer = encoder.write_header().unwrap();
    let data: Vec<u8> = (0..width * height).map(|i| (i % 4) as u8).collect();
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    out
}

/// A CMYK JPEG (Adobe convention) where every pixel is `cmyk`.
pub fn cmyk_jpeg(width: u16, height: u16, cmyk: [u8; 4]) -> Vec<u8> {
    let data: Vec<u8> = std::iter::repeat_n(cmyk, usize::from(width) * usize::from(height))
        .flatten()
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 95)
        .encode(&data, width, height, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    out
}

/// `jpeg` with an EXIF APP1 segment saying "orientation `value`" right after SOI.
pub fn with_exif_orientation(jpeg: &[u8], value: u8) -> Vec<u8> {
    let mut app1 = vec![0xFF, 0xE1, 0x00, 0x22];
    app1.extend_from_slice(b"Exif\0\0");
    // Big-endian TIFF header, first IFD at offset 8, one entry: Orientation (0x0112), SHORT, 1.
    app1.extend_from_slice(b"MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0");
    app1.extend_from_slice(&[value, 0, 0, 0, 0, 0, 0]);
    assert_eq!(app1.len(), 2 + 0x22);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A TIFF with one grey page per entry of `sizes`; page `i` is filled with grey `40 * i`.
pub fn multipage_tiff(sizes: &[(u32, u32)]) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut encoder = tiff::encoder::TiffEncoder::new(&mut out).unwrap();
    for (i, &(w, h)) in sizes.iter().enumerate() {
        let data = vec![(40 * i) as u8; (w * h) as usize];
        encoder
            .write_image::<tiff::encoder::colortype::Gray8>(w, h, &data)
            .unwrap();
    }
    out.into_inner()
}

/// A PDF of `pages` landscape scanned pages (a grey JPEG image each, drawn with `Do`), with
/// an invisible OCR text layer on each when `ocr` is given.
pub fn scanned_pdf(pages: usize, ocr: Option<&str>) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let (catalog, tree, font) = (Ref::new(1), Ref::new(2), Ref::new(3));
    let ids: Vec<(Ref, Ref, Ref)> = (0..pages as i32)
        .map(|i| {
            (
                Ref::new(10 + 3 * i),
                Ref::new(11 + 3 * i),
                Ref::new(12 + 3 * i),
            )
        })
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(ids.iter().map(|(p, _, _)| *p))
        .count(pages as i32);
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    let scan = jpeg(160, 120);
    for (page_id, image_id, content_id) in ids {
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, 842.0, 595.0))
            .parent(tree)
            .contents(content_id);
        let mut resources = page.resources();
        resources.x_objects().pair(Name(b"Im0"), image_id);
        resources.fonts().pair(Name(b"F1"), font);
        resources.finish();
        page.finish();
        let mut image = pdf.image_xobject(image_id, &scan);
        image.filter(pdf_writer::Filter::DctDecode);
        image.width(160).height(120).bits_per_component(8);
        image.color_space().device_gray();
        image.finish();
        let mut c = Content::new();
        c.save_state();
        c.transform([842.0, 0.0, 0.0, 595.0, 0.0, 0.0]);
        c.x_object(Name(b"Im0"));
        c.restore_state();
        if let Some(text) = ocr {
            c.begin_text();
            c.set_text_rendering_mode(pdf_writer::types::TextRenderingMode::Invisible);
            c.set_font(Name(b"F1"), 11.0);
            c.set_text_matrix([1.0, 0.0, 0.0, 1.0, 60.0, 500.0]);
            c.show(Str(text.as_bytes()));
            c.end_text();
        }
        pdf.stream(content_id, &c.finish());
    }
    pdf.finish()
}

/// A PDF of `pages` pages, each drawing the same form XObject (a stamp with text) `uses` times.
pub fn stamped_pdf(pages: usize, uses: usize) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let (catalog, tree, font, stamp) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4));
    let ids: Vec<(Ref, Ref)> = (0..pages as i32)
        .map(|i| (Ref::new(10 + 2 * i), Ref::new(11 + 2 * i)))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(ids.iter().map(|(p, _)| *p))
        .count(pages as i32);
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    let mut text = Content::new();
    text.begin_text();
    text.set_font(Name(b"F1"), 9.0);
    text.show(Str(b"STAMP"));
    text.end_text();
    let text = text.finish();
    let mut form = pdf.form_xobject(stamp, &text);
    form.bbox(Rect::new(0.0, 0.0, 50.0, 20.0));
    form.resources().fonts().pair(Name(b"F1"), font);
    form.finish();
    let mut draw = Content::new();
    for _ in 0..uses {
        draw.x_object(Name(b"S"));
    }
    let draw = draw.finish();
    for (page_id, content_id) in ids {
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, 595.0, 842.0))
            .parent(tree)
            .contents(content_id);
        page.resources().x_objects().pair(Name(b"S"), stamp);
        page.finish();
        pdf.stream(content_id, &draw);
    }
    pdf.finish()
}

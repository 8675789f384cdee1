//! PDFs of scanned pages as office scanners and recognition software write them, and the
//! marks that make a page more than its scan.

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};

/// What a page of [`scanned_pdf`] holds besides its scan.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanPage<'a> {
    /// Text over the scan: invisible, as recognition software leaves it, unless `visible_text`.
    pub text: Option<&'a str>,
    pub visible_text: bool,
    /// The page's `/Rotate`.
    pub rotate: i32,
    /// A link annotation on the page.
    pub annotated: bool,
    /// A red box drawn over the scan (a stamp drawn as a path).
    pub stamped: bool,
    /// The scan drawn at half size instead of over the whole page.
    pub half_size: bool,
    /// The scan drawn with a decode array that inverts it.
    pub inverted: bool,
    /// A CropBox showing the page's lower half only.
    pub cropped: bool,
    /// The scan marked as optional content (a layer a viewer may hide).
    pub layered: bool,
}

/// An A4 PDF with one page per entry of `pages`, each drawing `scan` as a grey JPEG (quality
/// 80) with that entry's extras.
pub fn scanned_pdf(scan: &image::GrayImage, pages: &[ScanPage<'_>]) -> Vec<u8> {
    let jpeg = super::encode(
        &image::DynamicImage::ImageLuma8(scan.clone()),
        image::ImageFormat::Jpeg,
    );
    scanned_pdf_of_jpeg(&jpeg, scan.dimensions(), pages)
}

/// As [`scanned_pdf`], each page drawing `jpeg` (a grey JPEG of `size` pixels) as it is.
pub fn scanned_pdf_of_jpeg(jpeg: &[u8], size: (u32, u32), pages: &[ScanPage<'_>]) -> Vec<u8> {
    let (catalog, tree, font) = (Ref::new(1), Ref::new(2), Ref::new(3));
    let first = 4;
    let refs = |i: usize, k: i32| Ref::new(first + 4 * i as i32 + k);
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids((0..pages.len()).map(|i| refs(i, 0)))
        .count(pages.len() as i32);
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    for (i, extras) in pages.iter().enumerate() {
        let (page_ref, image, content_ref, annotation) =
            (refs(i, 0), refs(i, 1), refs(i, 2), refs(i, 3));
        let mut page = pdf.page(page_ref);
        page.media_box(Rect::new(0.0, 0.0, 595.0, 842.0))
            .parent(tree)
            .contents(content_ref);
        if extras.rotate != 0 {
            page.rotate(extras.rotate);
        }
        if extras.cropped {
            page.crop_box(Rect::new(0.0, 0.0, 595.0, 421.0));
        }
        if extras.annotated {
            page.annotations([annotation]);
        }
        let mut resources = page.resources();
        resources.x_objects().pair(Name(b"Im0"), image);
        resources.fonts().pair(Name(b"F1"), font);
        resources.finish();
        page.finish();

        let mut xobject = pdf.image_xobject(image, jpeg);
        xobject.filter(Filter::DctDecode);
        xobject.width(size.0 as i32).height(size.1 as i32);
        xobject.color_space().device_gray();
        xobject.bits_per_component(8);
        if extras.inverted {
            xobject.decode([1.0, 0.0]);
        }
        xobject.finish();

        let mut c = Content::new();
        c.save_state();
        let scale = if extras.half_size { 0.5 } else { 1.0 };
        c.transform([595.0 * scale, 0.0, 0.0, 842.0 * scale, 0.0, 0.0]);
        if extras.layered {
            c.begin_marked_content_with_properties(Name(b"OC"))
                .properties_named(Name(b"L0"));
        }
        c.x_object(Name(b"Im0"));
        if extras.layered {
            c.end_marked_content();
        }
        c.restore_state();
        if let Some(text) = extras.text {
            c.begin_text();
            if !extras.visible_text {
                c.set_text_rendering_mode(pdf_writer::types::TextRenderingMode::Invisible);
            }
            c.set_font(Name(b"F1"), 12.0);
            c.set_text_matrix([1.0, 0.0, 0.0, 1.0, 60.0, 780.0]);
            c.show(Str(text.as_bytes()));
            c.end_text();
        }
        if extras.stamped {
            c.set_fill_rgb(0.8, 0.1, 0.1);
            c.rect(400.0, 60.0, 120.0, 60.0);
            c.fill_nonzero();
        }
        pdf.stream(content_ref, &c.finish());
        if extras.annotated {
            let mut link = pdf.annotation(annotation);
            link.subtype(pdf_writer::types::AnnotationType::Link);
            link.rect(Rect::new(60.0, 760.0, 200.0, 800.0));
            link.finish();
        }
    }
    pdf.finish()
}

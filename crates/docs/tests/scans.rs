//! PDFs of scans only are shown as their images; anything more on a page leaves the PDF to the
//! viewer's pdf.js.
#![allow(clippy::unwrap_used)]

mod common;

use image::{GenericImageView, ImageFormat};
use migdesk_docs::samples::{self, ScanPage};
use migdesk_docs::{DocError, Documents, Limits};

fn docs() -> Documents {
    Documents::new(Limits::default())
}

fn scan() -> image::GrayImage {
    samples::page_image(248, 351)
}

#[test]
fn a_pdf_of_scans_with_an_invisible_text_layer_is_shown_as_its_images() {
    let ocr = ScanPage {
        text: Some("Elvin Mammadov"),
        ..ScanPage::default()
    };
    let pdf = samples::scanned_pdf(&scan(), &[ocr, ScanPage::default()]);
    let info = docs().inspect(pdf.clone()).unwrap();
    assert!(!info.pdf && !info.native, "{info:?}");
    assert_eq!(info.page_count, 2);
    assert_eq!(info.pixels, [scan().dimensions(); 2], "the scans' pixels");
    // The text layer still counts as the document's text.
    assert!(
        info.text_excerpt
            .as_deref()
            .is_some_and(|t| t.contains("Elvin Mammadov")),
        "{info:?}"
    );

    for page in 0..2 {
        let shown = docs().render_page(pdf.clone(), page).unwrap();
        let image = image::load_from_memory_with_format(&shown.png, ImageFormat::Png).unwrap();
        assert_eq!(image.dimensions(), scan().dimensions());
        // The scan's dark band at the top stays at the top, its light page below.
        let luma = image.to_luma8();
        assert!(luma.get_pixel(120, 5)[0] < 80, "page {page}");
        assert!(luma.get_pixel(120, 300)[0] > 200, "page {page}");
    }
    let thumb = docs().thumbnail(pdf.clone(), 1, 64).unwrap();
    assert!(thumb.width <= 64 && thumb.height == 64, "{thumb:?}");
    assert_eq!(
        docs().render_page(pdf, 2),
        Err(DocError::NoSuchPage { page: 2, pages: 2 })
    );
}

#[test]
fn a_scans_jpeg_goes_to_the_viewer_as_the_file_holds_it_unless_a_webview_would_turn_it() {
    let jpeg = samples::encode(&image::DynamicImage::ImageLuma8(scan()), ImageFormat::Jpeg);
    let pdf = samples::scanned_pdf_of_jpeg(&jpeg, scan().dimensions(), &[ScanPage::default(); 2]);
    let located = docs()
        .inspect(pdf.clone())
        .unwrap()
        .scan_jpegs
        .expect("located");
    assert_eq!(located.len(), 2);
    for (page, at) in located.iter().enumerate() {
        let shown = docs().display_page(pdf.clone(), page).unwrap();
        assert_eq!(shown.mime, "image/jpeg");
        assert_eq!(
            shown.bytes, jpeg,
            "page {page}: the JPEG as the PDF holds it"
        );
        assert_eq!(
            &pdf[at.start as usize..at.end as usize],
            jpeg.as_slice(),
            "page {page}: found where the file holds it"
        );
    }
    assert_eq!(
        docs().display_page(pdf, 2),
        Err(DocError::NoSuchPage { page: 2, pages: 2 })
    );

    // A PDF viewer ignores a JPEG's EXIF orientation; a WebView would turn the picture by it.
    // Such a page is decoded here and sent upright as stored, as PNG.
    let turned = common::with_exif_orientation(&jpeg, 6);
    let pdf = samples::scanned_pdf_of_jpeg(&turned, scan().dimensions(), &[ScanPage::default()]);
    assert_eq!(docs().inspect(pdf.clone()).unwrap().scan_jpegs, None);
    let shown = docs().display_page(pdf, 0).unwrap();
    assert_eq!(shown.mime, "image/png");
    let image = image::load_from_memory_with_format(&shown.bytes, ImageFormat::Png).unwrap();
    assert_eq!(image.dimensions(), scan().dimensions(), "not turned");
    assert!(
        image.to_luma8().get_pixel(120, 5)[0] < 80,
        "the dark band stays at the top"
    );

    // Any other document is shown as render_page shows it.
    let tiff = common::multipage_tiff(&[(30, 20)]);
    let shown = docs().display_page(tiff.clone(), 0).unwrap();
    assert_eq!(shown.mime, "image/png");
    assert_eq!(shown.bytes, docs().render_page(tiff, 0).unwrap().png);
    assert_eq!(
        docs().display_page(samples::text_pdf(&["Elvin Mammadov"]), 0),
        Err(DocError::DrawnByViewer)
    );
}

#[test]
fn a_page_with_anything_more_than_its_scan_leaves_the_pdf_to_the_viewer() {
    let more = [
        (
            "visible text",
            ScanPage {
                text: Some("APPROVED"),
                visible_text: true,
                ..ScanPage::default()
            },
        ),
        (
            "a stamp drawn as a path",
            ScanPage {
                stamped: true,
                ..ScanPage::default()
            },
        ),
        (
            "an annotation",
            ScanPage {
                annotated: true,
                ..ScanPage::default()
            },
        ),
        (
            "a rotated page",
            ScanPage {
                rotate: 90,
                ..ScanPage::default()
            },
        ),
        (
            "a scan over part of the page",
            ScanPage {
                half_size: true,
                ..ScanPage::default()
            },
        ),
        (
            "a CropBox showing part of the page",
            ScanPage {
                cropped: true,
                ..ScanPage::default()
            },
        ),
        (
            "optional content",
            ScanPage {
                layered: true,
                ..ScanPage::default()
            },
        ),
        (
            "a decode array",
            ScanPage {
                inverted: true,
                ..ScanPage::default()
            },
        ),
    ];
    for (what, page) in more {
        // One such page among plain scans is enough.
        let pdf = samples::scanned_pdf(&scan(), &[ScanPage::default(), page]);
        let info = docs().inspect(pdf.clone()).unwrap();
        assert!(info.pdf, "{what}: {info:?}");
        assert_eq!(
            docs().render_page(pdf.clone(), 1),
            Err(DocError::DrawnByViewer),
            "{what}"
        );
    }
    // Black-and-white fax scans (1 bit) and text PDFs stay with the viewer too.
    for pdf in [
        samples::pdf_fax_g4(&scan(), false),
        samples::text_pdf(&["Applicant: Elvin Mammadov"]),
    ] {
        assert!(docs().inspect(pdf).unwrap().pdf);
    }
}

#[test]
fn a_long_pdfs_excerpt_is_its_texts_start_read_from_its_first_pages() {
    let lines: Vec<String> = (1..=40)
        .map(|n| format!("Page {n}: Applicant ISMAYILLI Chingiz, passport C0{n:07}"))
        .collect();
    let pages: Vec<ScanPage> = lines
        .iter()
        .map(|line| ScanPage {
            text: Some(line),
            ..ScanPage::default()
        })
        .collect();
    let pdf = samples::scanned_pdf(&samples::page_image(60, 85), &pages);
    let info = docs().inspect(pdf.clone()).unwrap();
    let whole = docs().extract_text(pdf).unwrap().unwrap();
    let collapsed = whole.split_whitespace().collect::<Vec<_>>().join(" ");
    let excerpt = info.text_excerpt.unwrap();
    assert!(
        excerpt.starts_with("Page 1: Applicant ISMAYILLI"),
        "{excerpt}"
    );
    assert!(excerpt.ends_with('…'), "{excerpt}");
    let shown = excerpt.trim_end_matches('…');
    assert_eq!(shown.chars().count(), 500);
    assert!(collapsed.starts_with(shown), "{shown:?}");
    assert!(
        collapsed.chars().count() > 1500,
        "the whole text is longer than its start"
    );
}

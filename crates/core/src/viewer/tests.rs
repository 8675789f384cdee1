//! The viewer's tests: what is served, prepared, read ahead and scaled for the screen, within
//! the memory budget and the document service's turns.
#![allow(clippy::unwrap_used)]

use super::*;
use migdesk_docs::samples;

fn source(bytes: Vec<u8>) -> Source {
    use sha2::Digest;
    Source {
        sha256: hex::encode(sha2::Sha256::digest(&bytes)),
        bytes: bytes.into(),
    }
}

#[test]
fn prefetch_prepares_what_can_be_shown_and_skips_what_cannot() {
    let viewer = Viewer::new(Documents::default(), PREPARED_BUDGET);
    let pdf = source(samples::text_pdf(&["Elvin Mammadov"]));
    let jpeg = source(samples::jpeg(64, 48));
    let bomb = source(samples::png_bomb().to_vec());
    assert_eq!(
        viewer.prefetch(&[pdf.clone(), bomb.clone(), jpeg.clone()]),
        2
    );
    assert!(viewer.is_prepared(&pdf.sha256));
    assert!(viewer.is_prepared(&jpeg.sha256));
    // Errors are not remembered; the officer sees the error when opening the document.
    assert!(!viewer.is_prepared(&bomb.sha256));
    let err = viewer.layout(&bomb).unwrap_err();
    assert_eq!(err.kind, crate::ErrorKind::Document);
    let layout = viewer.layout(&pdf).unwrap();
    assert_eq!(
        (layout.format.as_str(), layout.pdf, layout.page_count),
        ("PDF", true, 1)
    );
    let served = viewer.page(&jpeg, 0).unwrap();
    assert_eq!(served.mime, "image/jpeg");
    assert_eq!(
        served.bytes, jpeg.bytes,
        "a native image is served as it is"
    );
}

#[test]
fn a_pdf_of_scans_is_served_as_its_pages_images_and_its_first_page_prefetched() {
    let viewer = Viewer::new(Documents::default(), PREPARED_BUDGET);
    let scans = source(samples::scanned_pdf(
        &samples::page_image(200, 283),
        &[samples::ScanPage::default(); 2],
    ));
    assert_eq!(viewer.prefetch(std::slice::from_ref(&scans)), 1);
    let layout = viewer.layout(&scans).unwrap();
    assert_eq!(
        (layout.format.as_str(), layout.pdf, layout.page_count),
        ("PDF", false, 2)
    );
    // Its first page is ready before the case opens: located in the file, read alone.
    assert!(viewer.scan_jpeg(&scans.sha256, 0).is_some());
    // Each page's JPEG is located in the file: a page is read alone, nothing read ahead.
    let second = viewer.scan_jpeg(&scans.sha256, 1).expect("located");
    assert!(scans.bytes[second.start as usize..].starts_with(b"\xFF\xD8"));
    let weight = viewer.prepared.weight();
    viewer.read_ahead(&scans, 1, None);
    assert_eq!(viewer.prepared.weight(), weight);
    for page in 0..2 {
        let served = viewer.page(&scans, page).unwrap();
        assert_eq!(
            served.mime, "image/jpeg",
            "the scan's JPEG as the file holds it"
        );
        assert!(served.bytes.starts_with(b"\xFF\xD8\xFF"));
    }
    // What is prepared is found by content alone, without the document's bytes.
    assert!(viewer.opens_at_once(&scans.sha256));
    assert_eq!(viewer.ready_layout(&scans.sha256), Some(layout));
    assert_eq!(
        viewer.ready(&scans.sha256, 1, None),
        Some(viewer.page(&scans, 1).unwrap())
    );
    assert_eq!(
        viewer.ready(&scans.sha256, 1, Some(64)),
        None,
        "no thumbnail yet"
    );
    viewer.thumbnail(&scans, 1, 64).unwrap();
    let thumb = viewer.ready(&scans.sha256, 1, Some(64)).unwrap();
    assert_eq!(thumb.mime, "image/png");
    assert!(
        !viewer.opens_at_once("0000"),
        "nothing prepared of unknown content"
    );

    // Scans a WebView would turn (an EXIF orientation) are converted here: the next page is
    // read ahead, once.
    let jpeg = samples::encode(
        &image::DynamicImage::ImageLuma8(samples::page_image(200, 283)),
        image::ImageFormat::Jpeg,
    );
    let mut exif = vec![0xFF, 0xE1, 0x00, 0x22];
    exif.extend_from_slice(
        b"Exif\0\0MM\0*\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0",
    );
    let turned = [&jpeg[..2], &exif, &jpeg[2..]].concat();
    let turned = source(samples::scanned_pdf_of_jpeg(
        &turned,
        (200, 283),
        &[samples::ScanPage::default(); 3],
    ));
    assert_eq!(viewer.prefetch(std::slice::from_ref(&turned)), 1);
    assert_eq!(viewer.scan_jpeg(&turned.sha256, 1), None);
    assert_eq!(viewer.ready(&turned.sha256, 1, None), None);
    viewer.read_ahead(&turned, 1, None);
    let ahead = viewer.ready(&turned.sha256, 1, None).expect("read ahead");
    assert_eq!(ahead.mime, "image/png");
    let weight = viewer.prepared.weight();
    viewer.read_ahead(&turned, 3, None);
    assert_eq!(viewer.prepared.weight(), weight, "there is no fourth page");
    // Any other PDF, and one that cannot be inspected here, goes whole to pdf.js.
    for other in [
        samples::text_pdf(&["Elvin Mammadov"]),
        b"%PDF-1.7 not a PDF after all".to_vec(),
    ] {
        let other = source(other);
        let weight = viewer.prepared.weight();
        viewer.read_ahead(&other, 1, None);
        assert_eq!(
            viewer.prepared.weight(),
            weight,
            "pdf.js reads the whole file itself"
        );
        let served = viewer.page(&other, 0).unwrap();
        assert_eq!(served.mime, "application/pdf");
        assert_eq!(served.bytes, other.bytes);
    }
}

#[test]
fn a_large_page_comes_scaled_for_the_screen_prepared_before_it_is_opened() {
    let viewer = Viewer::new(Documents::default(), PREPARED_BUDGET);
    // An A4 page at 300 dpi, as an image and as a PDF of scans of two pages.
    let (width, height) = (2480, 3508);
    let jpeg = source(samples::jpeg(width, height));
    let scans = source(samples::scanned_pdf_of_jpeg(
        &jpeg.bytes,
        (width, height),
        &[samples::ScanPage::default(); 2],
    ));
    let small = source(samples::jpeg(1200, 1600));
    assert_eq!(
        viewer.prefetch(&[jpeg.clone(), scans.clone(), small.clone()]),
        3
    );
    let scaled = (1131, SCREEN_SIDE);
    for doc in [&jpeg, &scans] {
        let layout = viewer.ready_layout(&doc.sha256).unwrap();
        assert_eq!(layout.pages[0], PagePixels { width, height });
        assert_eq!(layout.screen_side, SCREEN_SIDE);
        assert!(viewer.larger_than(&doc.sha256, 0, SCREEN_SIDE));
        // What the case screen shows first is ready: the first page, scaled.
        assert!(viewer.opens_at_once(&doc.sha256));
        let first = viewer.ready(&doc.sha256, 0, Some(SCREEN_SIDE)).unwrap();
        assert_eq!(first.mime, "image/png");
        let shown = image::load_from_memory(&first.bytes).unwrap();
        assert_eq!((shown.width(), shown.height()), scaled);
    }
    // The second page of scans is read ahead scaled, from its JPEG alone.
    assert!(viewer.needs_conversion(&scans.sha256, 1, Some(SCREEN_SIDE)));
    assert!(
        !viewer.needs_conversion(&scans.sha256, 1, None),
        "read alone"
    );
    let second = ScanPage {
        sha256: scans.sha256.clone(),
        page: 1,
        jpeg: jpeg.bytes.clone(),
    };
    viewer.read_ahead_scan(&second, SCREEN_SIDE);
    assert!(!viewer.needs_conversion(&scans.sha256, 1, Some(SCREEN_SIDE)));
    let ahead = viewer.ready(&scans.sha256, 1, Some(SCREEN_SIDE)).unwrap();
    assert_eq!(ahead, viewer.thumbnail(&scans, 1, SCREEN_SIDE).unwrap());
    // A page no larger is shown whole, as it is: nothing scaled, nothing to read ahead.
    let layout = viewer.ready_layout(&small.sha256).unwrap();
    assert_eq!(
        layout.pages,
        [PagePixels {
            width: 1200,
            height: 1600
        }]
    );
    assert!(!viewer.larger_than(&small.sha256, 0, SCREEN_SIDE));
    assert!(viewer.opens_at_once(&small.sha256));
    assert_eq!(viewer.ready(&small.sha256, 0, Some(SCREEN_SIDE)), None);
    assert!(!viewer.needs_conversion(&small.sha256, 0, Some(SCREEN_SIDE)));
    // A PDF pdf.js draws has no pages of pixels.
    let pdf = source(samples::text_pdf(&["Elvin Mammadov"]));
    assert!(viewer.layout(&pdf).unwrap().pages.is_empty());
}

#[test]
fn conversions_beyond_the_jobs_in_flight_wait_their_turn_instead_of_failing() {
    let limits = migdesk_docs::Limits {
        max_jobs_in_flight: 1,
        ..migdesk_docs::Limits::default()
    };
    let viewer = Viewer::new(Documents::new(limits), PREPARED_BUDGET);
    let tiff = |shade: u8| {
        let page = image::GrayImage::from_pixel(300, 400, image::Luma([shade]));
        let mut bytes = std::io::Cursor::new(Vec::new());
        page.write_to(&mut bytes, image::ImageFormat::Tiff).unwrap();
        source(bytes.into_inner())
    };
    let thumbnails: Vec<_> = (0..6u8)
        .map(|i| {
            let (viewer, doc) = (viewer.clone(), tiff(i * 40));
            std::thread::spawn(move || viewer.thumbnail(&doc, 0, 64))
        })
        .collect();
    for thumbnail in thumbnails {
        let served = thumbnail.join().unwrap().unwrap();
        assert_eq!(served.mime, "image/png");
    }
}

#[test]
fn converted_pages_stay_within_the_budget() {
    let big = samples::page_image(1200, 1600);
    let png16 = image::DynamicImage::ImageLuma16(image::ImageBuffer::from_fn(
        big.width(),
        big.height(),
        |x, y| image::Luma([(u16::from(big.get_pixel(x, y).0[0]) * 257) ^ (x as u16)]),
    ));
    let mut bytes = std::io::Cursor::new(Vec::new());
    png16.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    let doc = source(bytes.into_inner());
    let one = Viewer::new(Documents::default(), PREPARED_BUDGET)
        .page(&doc, 0)
        .unwrap();
    assert_eq!(one.mime, "image/png", "a 16-bit PNG is converted");
    let budget = one.bytes.len() as u64 * 3;
    let viewer = Viewer::new(Documents::default(), budget);
    for i in 0..8u8 {
        let mut variant = doc.bytes.to_vec();
        variant.extend_from_slice(&[i]); // after IEND: same picture, another document
        let variant = source(variant);
        viewer.page(&variant, 0).unwrap();
        assert!(viewer.is_prepared(&variant.sha256), "the newest is kept");
        assert!(
            viewer.prepared.weight() <= budget,
            "{} > {budget}",
            viewer.prepared.weight()
        );
    }
}

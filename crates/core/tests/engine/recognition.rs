#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! Text recognition on the desk with the real Tesseract, over the demo's scanned passports as
//! the sync brings them: a scan without a text layer is offered for recognition, what is read
//! is kept in the cache marked as recognised, the panel checks it against the applicant, and
//! the queue's search finds a word that stands only on the scan. A PDF without a text layer has
//! the scans on its pages read, and one with a page scanned without text that page; one with a
//! text layer on every page is refused with a clear message and nothing changes. Scans nobody opened are read in the background after the sync, identity
//! documents first.

use crate::common;
use common::Centre;

use migdesk_core::crosscheck::{KeyField, TextState};
use migdesk_core::desk::Desk;
use migdesk_core::error::ErrorKind;
use migdesk_core::queue::QueueQuery;

/// The cases the queue's search finds for `words`.
fn found(desk: &mut Desk, words: &str) -> Vec<String> {
    common::queue_ids(
        desk,
        &QueueQuery {
            search: Some(words.to_owned()),
            limit: 500,
            ..Default::default()
        },
    )
}

/// Recognises a document as the text panel asks for it, and keeps what is read.
async fn recognised(desk: &mut Desk, document_id: &str) -> migdesk_core::crosscheck::DocumentText {
    let recognition = desk
        .recognition_job(document_id)
        .unwrap()
        .run()
        .await
        .unwrap();
    desk.after_recognition(recognition).unwrap()
}

#[tokio::test]
async fn a_scanned_passport_is_recognised_kept_checked_and_found_by_search() {
    let dir = tempfile::tempdir().unwrap();
    let (path, staff) = common::seeded(dir.path(), &common::options(12, 5, "shaki"));
    let centre = Centre::start(&path).await;
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    let mut desk = common::synced_desk_of(&dir.path().join("desk"), &centre, officer).await;

    let mut scans = Vec::new();
    let mut pdf = None;
    let mut image_pdf = None;
    let mut mixed_pdf = None;
    for id in common::pending_cases(&mut desk) {
        let case = desk.case(&id).unwrap();
        for doc in &case.documents {
            let text = desk.document_text(&doc.id).unwrap();
            if doc.doc_type == "passport-copy" && text.can_recognise {
                assert_eq!(text.state, TextState::NoText);
                scans.push((id.clone(), doc.id.clone()));
            } else if doc.file_name.ends_with(".pdf") && text.state == TextState::Ready {
                // A text layer on every page is read as it is; a page scanned without one is
                // offered for recognition, the layer's text shown meanwhile.
                if text.can_recognise {
                    mixed_pdf.get_or_insert((doc.id.clone(), text.text));
                } else {
                    pdf.get_or_insert(doc.id.clone());
                }
            } else if doc.file_name.ends_with(".pdf") && text.can_recognise {
                image_pdf.get_or_insert(doc.id.clone());
            }
        }
    }
    assert!(scans.len() >= 2, "the demo has passport scans: {scans:?}");
    // Words printed on the identity page of a scan (and on no form): which cases search finds
    // for each before anything is recognised.
    let labels = ["Nationality", "Surname", "expiry", "Given"];
    let before: Vec<Vec<String>> = labels.iter().map(|w| found(&mut desk, w)).collect();

    let mut names_found = 0;
    let mut searched = 0;
    for (case_id, doc_id) in &scans {
        let recognition = desk.recognition_job(doc_id).unwrap().run().await.unwrap();
        let text = desk.after_recognition(recognition).unwrap();
        assert_eq!(text.state, TextState::Ready, "{}", text.text);
        assert!(text.recognised && !text.can_recognise);
        assert!(
            text.text.contains("PASSPORT") || text.text.contains("Nationality"),
            "{}",
            text.text
        );
        if text
            .checks
            .iter()
            .any(|c| c.field == KeyField::Name && c.found)
        {
            names_found += 1;
            // Each found value is boxed on the scan, on its one page.
            let (w, h) = migdesk_central::seed::docs::Scanner::IDENTITY.size();
            assert!(
                text.boxes.iter().any(|b| b.field == KeyField::Name),
                "{:?}",
                text.boxes
            );
            for b in &text.boxes {
                assert!(
                    b.page == 0 && b.left + b.width <= w && b.top + b.height <= h,
                    "{b:?}"
                );
                assert!(b.width > 0 && b.height > 0, "{b:?}");
            }
        }
        // Kept: the panel answers the same without recognising again.
        assert_eq!(desk.document_text(doc_id).unwrap(), text);

        // A word that stands only on the scan is found by search now.
        for (label, before) in labels.iter().zip(&before) {
            if text.text.to_lowercase().contains(&label.to_lowercase()) && !before.contains(case_id)
            {
                assert!(found(&mut desk, label).contains(case_id), "{label}");
                searched += 1;
            }
        }
    }
    assert!(searched > 0, "no word of a scan was searched for");
    assert!(
        names_found * 2 >= scans.len(),
        "the applicant's name is read on most scans: {names_found} of {}",
        scans.len()
    );

    // A PDF without a text layer has the scans on its pages read.
    let image_pdf = image_pdf.expect("the demo has image-only PDFs");
    let text = recognised(&mut desk, &image_pdf).await;
    assert!(
        text.recognised && text.state == TextState::Ready,
        "{text:?}"
    );
    assert!(
        text.checks
            .iter()
            .any(|c| c.field == KeyField::Name && c.found),
        "{}",
        text.text
    );

    // A PDF with a page scanned without text has that page recognised; its other pages keep
    // the text layer's text.
    let (mixed_pdf, layer) = mixed_pdf.expect("the demo has PDFs with a page added without text");
    let text = recognised(&mut desk, &mixed_pdf).await;
    assert!(
        text.recognised && text.state == TextState::Ready && !text.can_recognise,
        "{text:?}"
    );
    assert!(
        text.text.starts_with(layer.lines().next().unwrap()) && text.text.len() > layer.len(),
        "{layer:?} then the scan's words in {:?}",
        text.text
    );

    // A PDF with a text layer on every page is not recognised: a clear refusal, and its text
    // stays as it was.
    let pdf = pdf.unwrap();
    let before = desk.document_text(&pdf).unwrap();
    let recognition = desk.recognition_job(&pdf).unwrap().run().await.unwrap();
    let err = desk.after_recognition(recognition).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Document);
    assert!(
        err.message.contains("could not be recognised") && err.message.contains("text layer"),
        "{}",
        err.message
    );
    assert_eq!(desk.document_text(&pdf).unwrap(), before);

    // What is left is read in the background after the sync, identity documents first, and
    // what was read already is not read again; the count of what is left goes down by the one.
    let left = desk.scans_to_recognise().unwrap();
    assert!(left >= 2, "{left} scans left");
    let job = desk
        .background_recognition_job()
        .unwrap()
        .expect("scans left to read");
    let id = job.document_id().to_owned();
    assert!(
        !scans.iter().any(|(_, d)| *d == id),
        "{id} was read already"
    );
    assert!(
        desk.after_background_recognition(job.run().await.unwrap())
            .unwrap()
    );
    let text = desk.document_text(&id).unwrap();
    assert!(
        text.recognised && text.state == TextState::Ready,
        "{text:?}"
    );
    assert_eq!(desk.scans_to_recognise().unwrap(), left - 1);
    let next = desk.background_recognition_job().unwrap().expect("more");
    assert_ne!(next.document_id(), id);
}

/// Office scanners' black-and-white pages: a passport page scanned at 200 dpi (fed up to half a
/// degree askew) and written as CCITT Group 4 fax data — in a TIFF, and in a PDF without a text
/// layer (black stored as 0 bits, and as 1 bits drawn black by a Decode array), as mixed
/// one- and two-dimensional Group 3 fax data, or as a JBIG2 image in a PDF — is recognised, and
/// its zone reads as printed.
#[test]
fn a_passport_page_from_a_black_and_white_scanner_is_read_in_a_tiff_and_in_pdfs() {
    use migdesk_central::seed::docs::Scanner;
    use migdesk_docs::samples;
    use migdesk_domain::mrz_read::{Source, find};
    use rand::SeedableRng;

    if !migdesk_docs::ocr::available() {
        panic!("Tesseract with its languages is not installed: run scripts/test.sh");
    }
    let page = migdesk_central::seed::identity_pages(5, 1)
        .unwrap()
        .remove(0);
    let scanner = Scanner {
        dpi: 200,
        max_skew_degrees: 0.5,
    };
    let grey = page.scan(&mut rand::rngs::StdRng::seed_from_u64(5), &scanner);
    // As a fax machine sends it: the page across the fax line's 1728 pixels, after a white
    // line.
    let height = grey.height() * 1728 / grey.width();
    let across =
        image::imageops::resize(&grey, 1728, height, image::imageops::FilterType::Triangle);
    let fax_line = image::GrayImage::from_fn(1728, height + 1, |x, y| match y {
        0 => image::Luma([255]),
        _ => *across.get_pixel(x, y - 1),
    });
    let today = chrono::Local::now().date_naive();
    let printed = find(&page.zone.join("\n"), Source::Typed, today).unwrap();
    let documents = migdesk_docs::Documents::default();
    for (what, bytes) in [
        ("a Group 4 TIFF", samples::tiff_fax_g4(&grey)),
        ("a PDF", samples::pdf_fax_g4(&grey, false)),
        ("a PDF storing black as 1", samples::pdf_fax_g4(&grey, true)),
        ("a PDF of a JBIG2 image", samples::pdf_jbig2(&grey)),
        ("a PDF of mixed Group 3", samples::pdf_fax_g3_2d(&fax_line)),
    ] {
        let read = documents.recognise(bytes).unwrap();
        let zone = find(&read.text, Source::Recognised, today)
            .unwrap_or_else(|| panic!("{what}: no zone in {:?}", read.text));
        assert_eq!(
            (&zone.surname, &zone.document_number, zone.date_of_birth),
            (
                &printed.surname,
                &printed.document_number,
                printed.date_of_birth
            ),
            "{what}: {}",
            read.text
        );
        let title = page.title.split_whitespace().next().unwrap();
        assert!(
            read.text.contains(title),
            "{what}: {title} in {}",
            read.text
        );
    }
}

/// A notary's certificate with a text layer and, after it, the passport page scanned without
/// one: arriving, the file says its second page is a scan without text; recognised, that page
/// alone is read (its words boxed on it) and the certificate keeps its layer's words as typed.
#[test]
fn in_a_pdf_with_a_text_layer_only_the_page_scanned_without_text_is_recognised() {
    use migdesk_central::seed::docs::{self, PageStyle, Printed, Scanner};
    use migdesk_domain::mrz_read::{Source, find};
    use rand::SeedableRng;

    let page = migdesk_central::seed::identity_pages(7, 1)
        .unwrap()
        .remove(0);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let scan = page.scan(&mut rng, &Scanner::IDENTITY);
    let certificate = vec!["Notarial certificate No. 4411: a true copy of the passport".to_owned()];
    let cover = docs::page(
        &mut rng,
        PageStyle::Text,
        12,
        &Printed {
            title: &certificate[0],
            lines: &[],
            mrz: None,
        },
    );
    let pdf = docs::scanned_pdf(
        &[cover.clone(), scan],
        Some(std::slice::from_ref(&certificate)),
    );
    let documents = migdesk_docs::Documents::default();

    let layer = documents.read_text(pdf.clone()).unwrap();
    assert_eq!(layer.scans_without_text, [1]);
    assert!(layer.text.unwrap().contains("No. 4411"));

    let read = documents.recognise(pdf).unwrap();
    assert_eq!(
        (read.pages, read.recognised_pages.as_slice()),
        (2, [1].as_slice())
    );
    assert!(read.text.starts_with(&certificate[0]), "{}", read.text);
    assert!(read.words.iter().all(|w| w.page == 1), "{:?}", read.words);
    let today = chrono::Local::now().date_naive();
    let zone = find(&read.text, Source::Recognised, today)
        .unwrap_or_else(|| panic!("no zone in {:?}", read.text));
    let printed = find(&page.zone.join("\n"), Source::Typed, today).unwrap();
    assert_eq!(zone.document_number, printed.document_number);

    // Text on every page: nothing to recognise, said plainly.
    let typed = docs::scanned_pdf(&[cover], Some(std::slice::from_ref(&certificate)));
    assert_eq!(
        documents
            .read_text(typed.clone())
            .unwrap()
            .scans_without_text,
        Vec::<usize>::new()
    );
    let err = documents.recognise(typed).unwrap_err();
    assert!(
        err.to_string().contains("text layer on every page"),
        "{err}"
    );
}
/// A passport page as jbig2enc's symbol mode writes it for a compact PDF (`jbig2 -s -p`; the
/// demo's identity page, seed 5, at 200 dpi): a symbol dictionary in the `JBIG2Globals` stream,
/// arithmetic-coded, and a page of text regions placing its symbols. The page draws (every
/// letter from the dictionary) and its zone reads as printed on it.
#[test]
fn a_jbig2_page_drawn_from_a_shared_symbol_dictionary_is_read() {
    use migdesk_domain::mrz_read::{Source, find};

    if !migdesk_docs::ocr::available() {
        panic!("Tesseract with its languages is not installed: run scripts/test.sh");
    }
    let page = include_bytes!("fixtures/passport-jbig2-symbols.page");
    let globals = include_bytes!("fixtures/passport-jbig2-symbols.globals");
    let pdf = migdesk_docs::samples::pdf_jbig2_with_globals(page, globals, (1653, 2339));
    let documents = migdesk_docs::Documents::default();
    let read = documents.recognise(pdf).unwrap();
    let today = chrono::Local::now().date_naive();
    let zone = find(&read.text, Source::Recognised, today)
        .unwrap_or_else(|| panic!("no zone in {:?}", read.text));
    assert_eq!(zone.failed, [], "{}", read.text);
    assert_eq!(
        (zone.surname.as_str(), zone.given_names.as_str()),
        ("SMIRNOVA", "DMITRY")
    );
    assert_eq!(zone.document_number, "423420577");
    assert_eq!(
        zone.date_of_birth,
        chrono::NaiveDate::from_ymd_opt(1997, 8, 8)
    );
    assert!(read.text.contains("SMIRNOVA"), "{}", read.text);
    // Without its dictionary the page has nothing to draw its letters with: a clear refusal.
    let alone = migdesk_docs::samples::pdf_jbig2_stream(page, (1653, 2339));
    let refused = documents.recognise(alone).unwrap_err();
    assert!(refused.to_string().contains("JBIG2"), "{refused}");
}

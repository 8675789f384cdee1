#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! Text recognition on the desk with the real Tesseract, over the demo's scanned passports as
//! the sync brings them: a scan without a text layer is offered for recognition, what is read
//! is kept in the cache marked as recognised, the panel checks it against the applicant, and
//! the queue's search finds a word that stands only on the scan. A PDF without a text layer has
//! the scans on its pages read; one with a text layer is refused with a clear message and
//! nothing changes. Scans nobody opened are read in the background after the sync, identity
//! documents first.

mod common;
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
    for id in common::pending_cases(&mut desk) {
        let case = desk.case(&id).unwrap();
        for doc in &case.documents {
            let text = desk.document_text(&doc.id).unwrap();
            if doc.doc_type == "passport-copy" && text.can_recognise {
                assert_eq!(text.state, TextState::NoText);
                scans.push((id.clone(), doc.id.clone()));
            } else if doc.file_name.ends_with(".pdf") && text.state == TextState::Ready {
                assert!(
                    !text.can_recognise,
                    "{}: its text layer is read",
                    doc.file_name
                );
                pdf.get_or_insert(doc.id.clone());
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
    let recognition = desk
        .recognition_job(&image_pdf)
        .unwrap()
        .run()
        .await
        .unwrap();
    let text = desk.after_recognition(recognition).unwrap();
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

    // A PDF with a text layer is not recognised: a clear refusal, and its text stays as it was.
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
    // what was read already is not read again.
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
    let next = desk.background_recognition_job().unwrap().expect("more");
    assert_ne!(next.document_id(), id);
}

/// Office scanners' black-and-white pages: a passport page scanned at 200 dpi (fed up to half a
/// degree askew) and written as CCITT Group 4 fax data — in a TIFF, and in a PDF without a text
/// layer (black stored as 0 bits, and as 1 bits drawn black by a Decode array) — is
/// recognised, and its zone reads as printed.
#[test]
fn a_passport_page_from_a_black_and_white_scanner_is_read_in_a_tiff_and_in_a_pdf() {
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
    let today = chrono::Local::now().date_naive();
    let printed = find(&page.zone.join("\n"), Source::Typed, today).unwrap();
    let documents = migdesk_docs::Documents::default();
    for (what, bytes) in [
        ("a Group 4 TIFF", samples::tiff_fax_g4(&grey)),
        ("a PDF", samples::pdf_fax_g4(&grey, false)),
        ("a PDF storing black as 1", samples::pdf_fax_g4(&grey, true)),
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

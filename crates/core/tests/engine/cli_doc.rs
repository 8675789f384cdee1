#![allow(clippy::unwrap_used)] // Test helpers may unwrap: a failure is the test failing.

//! `migdesk-cli doc inspect|render` on the demo's real files and on hostile ones.

use std::path::Path;
use std::process::Command;

use migdesk_central::seed::docs::{self, PageStyle};
use rand::SeedableRng;
use serde_json::Value;

fn cli(args: &[&str]) -> (bool, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_migdesk-cli"))
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (out.status.success(), json, stdout)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

#[test]
fn a_multi_page_tiff_is_inspected_and_a_page_rendered_to_png() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let pages: Vec<_> = (0..3)
        .map(|_| docs::page(&mut rng, PageStyle::Text, 12, &docs::Printed::default()))
        .collect();
    let tiff = write(dir.path(), "scan.bin", &docs::tiff_pages(&pages));

    let (ok, info, out) = cli(&["--json", "doc", "inspect", &tiff]);
    assert!(ok, "{out}");
    assert_eq!(info["format"], "tiff");
    assert_eq!(info["page_count"], 3);
    assert_eq!(info["native"], false, "TIFF is converted for the viewer");
    // The demo's TIFF pages are at half resolution, as fax-grade scanners make them.
    let width = pages[1].width() / 2;
    assert_eq!(info["pages"][1]["width"], f64::from(width));

    let png = dir.path().join("page2.png");
    let (ok, answer, out) = cli(&[
        "--json",
        "doc",
        "render",
        &tiff,
        "--page",
        "2",
        "--out",
        png.to_str().unwrap(),
    ]);
    assert!(ok, "{out}");
    assert_eq!(answer["width"], width);
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));

    let (ok, _, out) = cli(&["doc", "render", &tiff, "--page", "4", "--out", "x.png"]);
    assert!(!ok, "{out}");
}

/// The demo's scanned PDFs (a JPEG a page, an invisible text layer as recognition software
/// leaves it) are shown as their pages' images, not drawn by pdf.js.
#[test]
fn a_scanned_pdf_with_an_invisible_text_layer_is_shown_as_its_images() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let pages: Vec<_> = (0..2)
        .map(|_| docs::page(&mut rng, PageStyle::Text, 12, &docs::Printed::default()))
        .collect();
    let text = vec![vec!["Applicant ISMAYILLI Chingiz".to_owned()]; 2];
    let pdf = write(
        dir.path(),
        "scan.pdf",
        &docs::scanned_pdf(&pages, Some(&text)),
    );
    let (ok, info, out) = cli(&["--json", "doc", "inspect", &pdf]);
    assert!(ok, "{out}");
    assert_eq!(
        (info["format"].as_str(), info["pdf"].as_bool()),
        (Some("pdf"), Some(false))
    );
    assert!(
        info["text_excerpt"].as_str().unwrap().contains("ISMAYILLI"),
        "{info}"
    );
    let (ok, _, text) = cli(&["doc", "inspect", &pdf]);
    assert!(ok && text.contains("scans only"), "{text}");
    let png = dir.path().join("page2.png");
    let (ok, answer, out) = cli(&[
        "--json",
        "doc",
        "render",
        &pdf,
        "--page",
        "2",
        "--out",
        png.to_str().unwrap(),
    ]);
    assert!(ok, "{out}");
    assert_eq!(answer["width"], pages[1].width());
    assert!(
        std::fs::read(&png)
            .unwrap()
            .starts_with(b"\x89PNG\r\n\x1a\n")
    );
}

#[test]
fn a_text_pdf_shows_its_text_and_is_left_to_the_viewer() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = write(
        dir.path(),
        "form.pdf",
        &docs::text_pdf(
            "Residence permit",
            &["Applicant ISMAYILLI Chingiz".to_owned()],
        ),
    );
    let (ok, info, out) = cli(&["--json", "doc", "inspect", &pdf]);
    assert!(ok, "{out}");
    assert_eq!(info["format"], "pdf");
    assert_eq!(info["pdf"], true);
    assert!(
        info["text_excerpt"].as_str().unwrap().contains("ISMAYILLI"),
        "{info}"
    );
    let (ok, _, text) = cli(&["doc", "inspect", &pdf]);
    assert!(ok && text.contains("drawn by the viewer"), "{text}");
}

#[test]
fn hostile_files_get_a_clear_message_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let mut truncated = docs::text_pdf("Form", &["line".to_owned()]);
    truncated.truncate(truncated.len() / 3);
    for (name, bytes, expect) in [
        (
            "notes.pdf",
            b"just some text, not a PDF\n".to_vec(),
            "plain text",
        ),
        ("empty.jpg", Vec::new(), "empty"),
        ("cut.pdf", truncated, "damaged"),
    ] {
        let file = write(dir.path(), name, &bytes);
        let (ok, err, out) = cli(&["--json", "doc", "inspect", &file]);
        assert!(!ok, "{name}: {out}");
        assert_eq!(err["kind"], "document", "{name}: {out}");
        let message = err["message"].as_str().unwrap();
        assert!(
            message.starts_with("this file could not be shown") && message.contains(expect),
            "{name}: {message}"
        );
    }
}

/// A passport's identity page as the demo scans it (150 dpi): printed fields and the zone,
/// skewed and noisy, as PNG.
fn passport_scan(seed: u64) -> (Vec<u8>, [String; 2]) {
    let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let zone = migdesk_domain::mrz::td3(&migdesk_domain::mrz::Passport {
        state: "AZE",
        surname: "Məmmədov",
        given_names: "İsmayıl",
        number: "C80266239",
        date_of_birth: day(1998, 2, 8),
        sex: '<',
        expiry: day(2028, 2, 8),
    });
    let lines = [
        "Soyad / Surname: MƏMMƏDOV".to_owned(),
        "Ad / Given names: İSMAYIL".to_owned(),
        "Vətəndaşlıq / Nationality: AZE".to_owned(),
        "Doğum tarixi / Date of birth: 08.02.1998".to_owned(),
        "Pasport № / Passport No.: C80266239".to_owned(),
    ];
    let printed = docs::Printed {
        title: "PASPORT / PASSPORT · AZE",
        lines: &lines,
        mrz: Some(&zone),
    };
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let page = docs::Scanner::IDENTITY.page(&mut rng, PageStyle::Identity, 0, &printed);
    (docs::png(&page), zone)
}

#[test]
fn doc_text_recognises_a_scan_and_doc_mrz_reads_its_zone() {
    let dir = tempfile::tempdir().unwrap();
    let (png, _) = passport_scan(11);
    let scan = write(dir.path(), "passport.png", &png);

    let (ok, read, out) = cli(&["--json", "doc", "text", &scan]);
    assert!(ok, "{out}");
    assert_eq!(read["recognised"], true, "{out}");
    let text = read["text"].as_str().unwrap();
    for word in ["PASSPORT", "MAMMADOV", "C80266239"] {
        assert!(text.contains(word), "{word} not in\n{text}");
    }
    let words = read["words"].as_array().unwrap();
    let surname = words
        .iter()
        .find(|w| w["text"].as_str().is_some_and(|t| t.contains("C80266239")))
        .unwrap_or_else(|| panic!("no box for the number in {out}"));
    // The box is on the page, right of the photograph and in its upper half, where the
    // fields are printed.
    let (w, h) = docs::Scanner::IDENTITY.size();
    let (left, top) = (
        surname["left"].as_u64().unwrap(),
        surname["top"].as_u64().unwrap(),
    );
    assert!(
        left > u64::from(w) / 4 && left < u64::from(w) && top > 40 && top < u64::from(h) / 2,
        "{surname}"
    );

    // The zone is read whole from the recognised text, every check digit holding.
    let (ok, zone, out) = cli(&["--json", "doc", "mrz", &scan]);
    assert!(ok, "{out}");
    assert_eq!(
        (&zone["document_code"], &zone["issuing_state"]),
        (&serde_json::json!("P"), &serde_json::json!("AZE")),
        "{out}"
    );
    assert_eq!(
        (&zone["surname"], &zone["document_number"], &zone["failed"]),
        (
            &serde_json::json!("MAMMADOV"),
            &serde_json::json!("C80266239"),
            &serde_json::json!([])
        ),
        "{out}"
    );

    // A text layer is answered as it is, without recognition; its zone is read whole.
    let (_, zone_lines) = passport_scan(11);
    let pdf = write(
        dir.path(),
        "passport.pdf",
        &docs::text_pdf(
            "Pasport",
            &[
                "Soyad: Məmmədov".to_owned(),
                zone_lines[0].clone(),
                zone_lines[1].clone(),
            ],
        ),
    );
    let (ok, read, out) = cli(&["--json", "doc", "text", &pdf]);
    assert!(ok, "{out}");
    assert_eq!(read["recognised"], false);
    assert!(read["text"].as_str().unwrap().contains("Məmmədov"), "{out}");
    let (ok, zone, out) = cli(&["--json", "doc", "mrz", &pdf]);
    assert!(ok, "{out}");
    assert_eq!(zone["surname"], "MAMMADOV", "{out}");
    assert_eq!(zone["given_names"], "ISMAYIL", "{out}");
    assert_eq!(zone["document_number"], "C80266239", "{out}");
    assert_eq!(zone["date_of_birth"], "1998-02-08", "{out}");
    assert_eq!(zone["failed"], serde_json::json!([]), "{out}");
    let (ok, _, out) = cli(&["doc", "mrz", &pdf]);
    assert!(ok && out.contains("every check digit holds"), "{out}");
    // A file without a zone says so.
    let (ok, _, out) = cli(&[
        "doc",
        "mrz",
        &write(
            dir.path(),
            "form.pdf",
            &docs::text_pdf("Form", &["Ad: Aynur".to_owned()]),
        ),
    ]);
    assert!(!ok, "{out}");
}

#[test]
fn without_the_recogniser_doc_text_says_it_is_not_installed() {
    let dir = tempfile::tempdir().unwrap();
    let (png, _) = passport_scan(12);
    let scan = write(dir.path(), "passport.png", &png);
    let out = Command::new(env!("CARGO_BIN_EXE_migdesk-cli"))
        .args(["doc", "text", &scan])
        .env("MIGDESK_TESSERACT", dir.path().join("no-such-program"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("text recognition is not installed on this workstation"),
        "{err}"
    );
}

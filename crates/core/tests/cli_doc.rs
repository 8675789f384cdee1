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

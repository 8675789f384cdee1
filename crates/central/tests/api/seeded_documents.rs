//! The demo's documents read as documents: every application form, given to `pdftotext`
//! (poppler), gives back the applicant's name, address and passport number exactly as the case
//! has them; a passport's machine-readable zone states the form's date of birth with valid check
//! digits, except where the seed's defects list says otherwise.

use std::collections::HashMap;
use std::process::Command;

use migdesk_central::{db, seed};
use migdesk_domain::{Calendar, Catalogue, mrz_read};
use serde_json::Value;

/// The text `pdftotext` reads from a PDF.
fn pdftotext(dir: &std::path::Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian's poppler-utils) runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn forms_read_back_exactly_and_passport_zones_match_unless_defective() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("seeded.db");
    let conn = db::open(&path).expect("open");
    let report = seed::seed(
        &migdesk_central::sql::Conn::sqlite(&conn),
        &Catalogue::builtin(),
        &Calendar::builtin(),
        &seed::SeedOptions::new(60, 2026),
        migdesk_central::clock::now(),
    )
    .expect("seed");
    let defects: HashMap<String, &str> = report.defects.iter().cloned().collect();
    for kind in ["mrz-check-digit", "mrz-date-of-birth-differs"] {
        assert!(
            defects.values().any(|d| *d == kind),
            "no {kind} among {defects:?}"
        );
    }

    let mut stmt = conn
        .prepare(
            "SELECT a.number, a.form, a.applicant, d.type, d.file_name, b.bytes
             FROM documents d JOIN applications a ON a.id = d.application_id
             JOIN blobs b ON b.sha256 = d.sha256 ORDER BY a.number",
        )
        .expect("query");
    let rows: Vec<(String, String, String, String, String, Vec<u8>)> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .expect("rows")
        .map(|r| r.expect("row"))
        .collect();
    let (mut forms, mut zones) = (0, 0);
    for (number, form, applicant, doc_type, file_name, bytes) in rows {
        let form: Value = serde_json::from_str(&form).expect("form");
        let field = |key: &str| -> String {
            form.as_array()
                .into_iter()
                .flatten()
                .flat_map(|g| g["fields"].as_array().into_iter().flatten())
                .find(|f| f["key"] == key)
                .and_then(|f| f["value"].as_str())
                .unwrap_or_default()
                .to_owned()
        };
        if doc_type == "application-form" {
            forms += 1;
            let text = pdftotext(dir.path(), "form.pdf", &bytes);
            for key in ["surname", "given_names", "address", "passport_number"] {
                let value = field(key);
                assert!(!value.is_empty(), "{number}: no {key}");
                assert!(
                    text.contains(&value),
                    "{number}: {key} {value:?} not in\n{text}"
                );
            }
        } else if doc_type == "passport-copy" && file_name.ends_with(".pdf") {
            let text = pdftotext(dir.path(), "passport.pdf", &bytes);
            // Read back as the desk reads a zone: found, its check digits verified.
            let today = migdesk_central::clock::local_date(migdesk_central::clock::now());
            let Some(zone) = mrz_read::find(&text, mrz_read::Source::Typed, today) else {
                continue; // an unreadable page has no text layer
            };
            zones += 1;
            assert_eq!(zone.format, mrz_read::Format::Td3, "{number}");
            let applicant: Value = serde_json::from_str(&applicant).expect("applicant");
            let dob = applicant["date_of_birth"].as_str().unwrap_or_default();
            let read = zone.date_of_birth.map(|d| d.to_string());
            assert_eq!(
                zone.corrected,
                [],
                "{number}: nothing to correct in a text layer"
            );
            match defects.get(&number).copied() {
                Some("mrz-check-digit") => assert!(!zone.failed.is_empty(), "{number}: {zone:?}"),
                Some("mrz-date-of-birth-differs") => {
                    assert_eq!(zone.failed, [], "{number}: {zone:?}");
                    assert_ne!(read.as_deref(), Some(dob), "{number}: {zone:?}");
                }
                _ => {
                    assert_eq!(zone.failed, [], "{number}: {zone:?}");
                    assert_eq!(read.as_deref(), Some(dob), "{number}: {zone:?}");
                    assert_eq!(
                        zone.nationality,
                        applicant["nationality"].as_str().unwrap_or_default(),
                        "{number}"
                    );
                }
            }
        }
    }
    assert!(forms >= 50, "{forms} forms");
    assert!(zones >= 5, "{zones} passport zones read");
}

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! The machine-readable zone on the desk, over the demo's real files: each passport PDF with a
//! text layer is synced, its text read as every sync reads it, and the text panel's zone check
//! says what the seed made wrong on purpose — a check digit, a date of birth, a passport number
//! on the form, a name spelled differently — and nothing on the others.

use std::collections::HashMap;

use crate::common;
use common::Centre;

use migdesk_core::crosscheck::TextState;
use migdesk_core::zone::ZoneField;

#[tokio::test]
async fn the_zone_check_finds_exactly_what_the_seed_made_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("central.db");
    let report = migdesk_central::testing::seed_file(&path, &common::options(40, 23, "shaki"));
    let defects: HashMap<String, &str> = report
        .defects
        .iter()
        .map(|(number, defect)| (number.clone(), *defect))
        .collect();
    let centre = Centre::start(&path).await;
    let (mut zones, mut flagged) = (0, 0);
    for officer in report
        .accounts
        .iter()
        .filter(|a| a.department == "shaki" && a.role == "officer")
    {
        let folder = dir.path().join(&officer.username);
        let mut desk = common::synced_desk_of(&folder, &centre, officer).await;
        for id in common::pending_cases(&mut desk) {
            let case = desk.case(&id).unwrap();
            for doc in case
                .documents
                .iter()
                .filter(|d| d.doc_type == "passport-copy")
            {
                let text = desk.document_text(&doc.id).unwrap();
                if text.state != TextState::Ready {
                    continue; // a scan without a text layer, or an unreadable page
                }
                let zone = text
                    .zone
                    .unwrap_or_else(|| panic!("{}: no zone in\n{}", case.number, text.text));
                zones += 1;
                let differ: Vec<ZoneField> = zone.differences.iter().map(|d| d.field).collect();
                match defects.get(&case.number).copied() {
                    Some("mrz-check-digit") => {
                        assert!(!zone.failed.is_empty(), "{}: {zone:?}", case.number);
                        flagged += 1;
                    }
                    Some("mrz-date-of-birth-differs") => {
                        assert_eq!(zone.failed, [], "{}", case.number);
                        assert_eq!(differ, [ZoneField::DateOfBirth], "{}", case.number);
                        flagged += 1;
                    }
                    Some("passport-number-differs") => {
                        assert_eq!(differ, [ZoneField::DocumentNumber], "{}", case.number);
                        flagged += 1;
                    }
                    Some("name-spelled-differently") => {
                        assert!(
                            differ.contains(&ZoneField::Surname)
                                || differ.contains(&ZoneField::GivenNames),
                            "{}: {zone:?}",
                            case.number
                        );
                        flagged += 1;
                    }
                    _ => {
                        assert_eq!(zone.failed, [], "{}: {zone:?}", case.number);
                        assert_eq!(differ, [], "{}: {zone:?}", case.number);
                    }
                }
            }
        }
    }
    assert!(zones >= 5, "{zones} zones read");
    assert!(flagged >= 1, "no defective zone among {zones}");
    centre.stop().await;
}

//! The machine-readable zone reader (`migdesk_domain::mrz_read::find`) on any text, read as a
//! text layer and as a recogniser's output: it answers without panicking; a text layer's zone is
//! never corrected; a field is either confirmed by its check digit (perhaps after a correction)
//! or failed, never both; and what it reports is in the zone's letters.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use migdesk_domain::mrz_read::{Source, find};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a day");
    for source in [Source::Typed, Source::Recognised] {
        let Some(zone) = find(text, source, today) else {
            continue;
        };
        if source == Source::Typed {
            assert!(zone.corrected.is_empty(), "a text layer corrected: {zone:?}");
        }
        assert!(
            zone.corrected.iter().all(|c| !zone.failed.contains(c)),
            "corrected and failed: {zone:?}"
        );
        let zone_letters = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ');
        for field in [
            &zone.surname,
            &zone.given_names,
            &zone.document_number,
            &zone.nationality,
            &zone.issuing_state,
        ] {
            assert!(zone_letters(field), "{field:?} in {zone:?}");
        }
    }
});

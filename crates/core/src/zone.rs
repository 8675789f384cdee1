//! The machine-readable zone of a document, read from its text (`migdesk_domain::mrz_read`) and
//! held against the application: whether every check digit holds, which fields a reader's
//! confusion was corrected in, where the zone and the form disagree (names, the passport
//! number, nationality, date of birth), and whether the document has expired. Like the rest of
//! the text panel it points the officer at what to look at; it decides nothing.

use chrono::NaiveDate;
use migdesk_api::{Applicant, FormGroup, form_value};
use migdesk_domain::ids::normalise_passport;
use migdesk_domain::mrz::zone_letters;
use migdesk_domain::mrz_read::{self, Checked, Format};
use migdesk_domain::translit;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A field of the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ZoneField {
    DocumentNumber,
    DateOfBirth,
    Expiry,
    /// The check digit over every checked field together.
    Composite,
    Surname,
    GivenNames,
    Nationality,
}

impl From<Checked> for ZoneField {
    fn from(c: Checked) -> Self {
        match c {
            Checked::DocumentNumber => Self::DocumentNumber,
            Checked::DateOfBirth => Self::DateOfBirth,
            Checked::Expiry => Self::Expiry,
            Checked::Composite => Self::Composite,
        }
    }
}

/// Where the zone and the application disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ZoneDifference {
    pub field: ZoneField,
    /// As the zone states it (dates as YYYY-MM-DD).
    pub zone: String,
    /// As the application states it.
    pub form: String,
    /// Read from a scan, the zone's name is the form's with one letter lost: a reader drops thin
    /// letters (`ISMAYIL` read `ISMAYL`), so the officer compares it by eye rather than takes it
    /// for a contradiction.
    pub likely_misread: bool,
}

/// A document's zone, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ZoneCheck {
    /// `TD3` (passports), `TD2` or `TD1` (cards).
    pub format: String,
    /// The check digits that do not hold: the zone was misread or altered.
    pub failed: Vec<ZoneField>,
    /// Fields read only after correcting a reader's confusion, which their check digit confirmed.
    pub corrected: Vec<ZoneField>,
    pub differences: Vec<ZoneDifference>,
    /// YYYY-MM-DD, when the zone states a real day.
    pub expiry: Option<String>,
    /// The document expired before `today`.
    pub expired: bool,
}

/// Whether `read` is `written` with one letter left out.
fn one_letter_lost(read: &str, written: &str) -> bool {
    let (read, written): (Vec<char>, Vec<char>) =
        (read.chars().collect(), written.chars().collect());
    written.len() == read.len() + 1
        && (0..written.len()).any(|i| written[..i] == read[..i] && written[i + 1..] == read[i..])
}

/// A name as the zone writes it, fillers as spaces.
fn as_zone_name(name: &str) -> String {
    zone_letters(name.trim())
        .split('<')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The zone in `text` (from `source`), checked against the applicant and the form; `None`
/// without a zone.
pub fn check(
    text: &str,
    source: mrz_read::Source,
    applicant: &Applicant,
    form: &[FormGroup],
    today: NaiveDate,
) -> Option<ZoneCheck> {
    let zone = mrz_read::find(text, source, today)?;
    // Names are compared letter by letter in the zone's letters, and across scripts by their
    // keys (`Hüseynov`, `HUSEYNOV`, `Гусейнов`); a difference shows the form's name in the
    // zone's letters.
    let mut differences = Vec::new();
    for (field, read, key) in [
        (ZoneField::Surname, &zone.surname, "surname"),
        (ZoneField::GivenNames, &zone.given_names, "given_names"),
    ] {
        if let Some(name) = form_value(form, "personal", key)
            && !translit::same_name(read, name)
        {
            let form = as_zone_name(name);
            differences.push(ZoneDifference {
                field,
                likely_misread: source == mrz_read::Source::Recognised
                    && one_letter_lost(read, &form),
                zone: read.clone(),
                form,
            });
        }
    }
    let mut differ = |field: ZoneField, zone: String, form: String| {
        if zone != form {
            differences.push(ZoneDifference {
                field,
                zone,
                form,
                likely_misread: false,
            });
        }
    };
    // The passport number as the form states it (what the officer compares), else as the
    // applicant's record has it.
    let number =
        form_value(form, "personal", "passport_number").or(applicant.passport_number.as_deref());
    if zone.document_code.starts_with('P')
        && let Some(number) = number
    {
        differ(
            ZoneField::DocumentNumber,
            zone.document_number.clone(),
            normalise_passport(number),
        );
    }
    differ(
        ZoneField::Nationality,
        zone.nationality.clone(),
        applicant.nationality.trim().to_uppercase(),
    );
    differ(
        ZoneField::DateOfBirth,
        zone.date_of_birth
            .map_or_else(|| "—".to_owned(), |d| d.to_string()),
        applicant.date_of_birth.clone(),
    );
    Some(ZoneCheck {
        format: match zone.format {
            Format::Td1 => "TD1",
            Format::Td2 => "TD2",
            Format::Td3 => "TD3",
        }
        .to_owned(),
        failed: zone.failed.into_iter().map(ZoneField::from).collect(),
        corrected: zone.corrected.into_iter().map(ZoneField::from).collect(),
        differences,
        expiry: zone.expiry.map(|d| d.to_string()),
        expired: zone.expiry.is_some_and(|d| d < today),
    })
}

/// The document types whose pages carry a machine-readable zone (passports, identity cards,
/// residence permits).
pub const ZONE_DOCUMENT_TYPES: [&str; 4] = [
    "passport-copy",
    "id-copy",
    "identity-document",
    "trp-card-copy",
];

/// An identity document's zone on the checklist: as the text panel checks it, or the scan to
/// recognise first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChecklistZone {
    /// The document the verdict is about.
    pub document_id: String,
    /// The zone, checked; `None` when its text holds none (or is not read yet).
    pub check: Option<ZoneCheck>,
    /// The zone was read from a scan by OCR.
    pub recognised: bool,
    /// The document is a scan whose text is not recognised yet, and this desk can: the case
    /// screen has it read when it opens.
    pub recognisable: bool,
}

/// The checklist with each identity document's zone: the first of its documents whose text has
/// a zone, else the first scan that can still be recognised.
pub(crate) fn on_checklist(
    store: &crate::cache::Store,
    mut items: Vec<crate::case::ChecklistItem>,
    today: &str,
) -> Vec<crate::case::ChecklistItem> {
    let Ok(today) = NaiveDate::parse_from_str(today, "%Y-%m-%d") else {
        return items;
    };
    for item in items
        .iter_mut()
        .filter(|i| ZONE_DOCUMENT_TYPES.contains(&i.doc_type.as_str()))
    {
        // A document not downloaded yet has no text: it is left out, not an error.
        let texts: Vec<crate::crosscheck::DocumentText> = item
            .document_ids
            .iter()
            .filter_map(|id| crate::crosscheck::document_text(store, id, today).ok())
            .collect();
        let chosen = texts
            .iter()
            .find(|t| t.zone.is_some())
            .or_else(|| texts.iter().find(|t| t.can_recognise));
        item.zone = chosen.map(|t| ChecklistZone {
            document_id: t.document_id.clone(),
            check: t.zone.clone(),
            recognised: t.recognised,
            recognisable: t.can_recognise,
        });
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use migdesk_api::FormField;
    use migdesk_domain::mrz::{Passport, td3};
    use migdesk_domain::mrz_read::Source;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn applicant() -> Applicant {
        serde_json::from_value(serde_json::json!({
            "name_latin": "Şəhla Məmmədova", "name_native": "Şəhla Məmmədova",
            "passport_number": "c 0123-4567", "date_of_birth": "1990-05-14",
            "nationality": "aze", "email": "s@example.org", "language": "az",
        }))
        .unwrap()
    }

    fn form() -> Vec<FormGroup> {
        vec![FormGroup {
            key: "personal".into(),
            fields: vec![
                FormField {
                    key: "surname".into(),
                    value: "Məmmədova".into(),
                },
                FormField {
                    key: "given_names".into(),
                    value: "Şəhla".into(),
                },
            ],
        }]
    }

    fn zone_text(date_of_birth: NaiveDate, number: &str, expiry: NaiveDate) -> String {
        let [l1, l2] = td3(&Passport {
            state: "AZE",
            surname: "Məmmədova",
            given_names: "Şəhla",
            number,
            date_of_birth,
            sex: 'F',
            expiry,
        });
        format!("PASPORT\n{l1}\n{l2}\n")
    }

    /// `text`'s zone as a text layer writes it, checked against the applicant and the form.
    fn checked(text: &str) -> ZoneCheck {
        check(text, Source::Typed, &applicant(), &form(), day(2026, 12, 1)).unwrap()
    }

    #[test]
    fn a_zone_that_agrees_with_the_form_has_no_differences() {
        let text = zone_text(day(1990, 5, 14), "C01234567", day(2030, 1, 1));
        let z = checked(&text);
        assert_eq!(z.format, "TD3");
        assert_eq!((z.failed.len(), z.corrected.len()), (0, 0));
        assert_eq!(z.differences, []);
        assert_eq!(z.expiry.as_deref(), Some("2030-01-01"));
        assert!(!z.expired);
    }

    #[test]
    fn the_zone_names_what_contradicts_the_form_and_an_expiry_past() {
        let text = zone_text(day(1991, 5, 14), "C01234568", day(2025, 1, 1));
        let z = checked(&text);
        assert_eq!(z.failed, []);
        let fields: Vec<ZoneField> = z.differences.iter().map(|d| d.field).collect();
        assert_eq!(fields, [ZoneField::DocumentNumber, ZoneField::DateOfBirth]);
        assert_eq!(z.differences[1].zone, "1991-05-14");
        assert_eq!(z.differences[1].form, "1990-05-14");
        assert!(z.expired);
    }

    #[test]
    fn a_name_written_in_another_script_is_the_same_name_and_another_name_differs() {
        let [l1, l2] = td3(&Passport {
            state: "AZE",
            surname: "Hüseynova",
            given_names: "Şəhla",
            number: "C01234567",
            date_of_birth: day(1990, 5, 14),
            sex: 'F',
            expiry: day(2030, 1, 1),
        });
        let text = format!("{l1}\n{l2}");
        let with_surname = |surname: &str| {
            let mut form = form();
            form[0].fields[0].value = surname.into();
            check(&text, Source::Typed, &applicant(), &form, day(2026, 12, 1)).unwrap()
        };
        for same in ["Hüseynova", "Гусейнова", "HUSEYNOVA"] {
            assert_eq!(with_surname(same).differences, [], "{same}");
        }
        let other = with_surname("Əliyeva");
        assert_eq!(
            other.differences,
            [ZoneDifference {
                field: ZoneField::Surname,
                zone: "HUSEYNOVA".into(),
                form: "ALIYEVA".into(),
                likely_misread: false,
            }]
        );
    }

    #[test]
    fn a_name_read_from_a_scan_with_one_letter_lost_is_a_likely_misreading() {
        let [l1, l2] = td3(&Passport {
            state: "AZE",
            surname: "Məmmədova",
            given_names: "Şhla",
            number: "C01234567",
            date_of_birth: day(1990, 5, 14),
            sex: 'F',
            expiry: day(2030, 1, 1),
        });
        let text = format!("{l1}\n{l2}");
        let z = |source| check(&text, source, &applicant(), &form(), day(2026, 12, 1)).unwrap();
        let recognised = z(Source::Recognised);
        assert_eq!(recognised.differences.len(), 1, "{recognised:?}");
        assert!(recognised.differences[0].likely_misread);
        // In a text layer, what is written is what the document says.
        assert!(!z(Source::Typed).differences[0].likely_misread);
        assert!(one_letter_lost("SHLA", "SAHLA") && !one_letter_lost("SAHLA", "SAHLA"));
    }

    #[test]
    fn text_without_a_zone_has_no_check() {
        assert_eq!(
            check(
                "Passport C01234567",
                Source::Typed,
                &applicant(),
                &form(),
                day(2026, 12, 1)
            ),
            None
        );
    }
}

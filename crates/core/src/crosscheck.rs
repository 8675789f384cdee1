//! The text panel: a document's extracted text with the applicant's key values — each part of
//! the name, the passport number or FIN, the date of birth — found (with where) or flagged as
//! not found. It helps the officer spot contradictory information; it decides nothing.
//!
//! Matching folds both sides by Azerbaijani rules and reads `ə` as `a` the way passports
//! transliterate it (`Məmmədov` meets `MAMMADOV`), ignores runs of spaces, and tries the usual
//! spellings of a date (`1990-05-14`, `14.05.1990`, `14/05/1990`, `14 05 1990`). A name is found
//! in any script and transliteration (`migdesk_domain::translit`: `Hüseynov` meets `Гусейнов`
//! and `HUSEYNOV`; a Persian `محمد` meets `Məhəmməd`). Positions are in UTF-16 code units, as the
//! UI's strings count them.

use migdesk_api::{Applicant, ApplicationDetail};
use migdesk_domain::fold::fold;
use migdesk_domain::translit;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cache::{Store, TextRow};
use crate::error::{DeskError, DeskResult, ErrorKind};

/// At most this many characters of text go to the UI (a scan's text layer is far smaller).
pub const MAX_TEXT_CHARS: usize = 200_000;

/// Which of the applicant's values a check is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum KeyField {
    Name,
    PassportNumber,
    Fin,
    DateOfBirth,
}

/// One of the applicant's values and whether the document's text contains it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TextCheck {
    pub field: KeyField,
    /// The value as the form has it (one word of the name at a time).
    pub value: String,
    pub found: bool,
}

/// Where a value was found: `[start, end)` in UTF-16 code units of `text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Highlight {
    pub start: u32,
    pub end: u32,
    pub field: KeyField,
}

/// Where the text of a document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TextState {
    /// Text was extracted; see `checks` and `highlights`.
    Ready,
    /// The document has no text layer (a scanned image): compare by eye.
    NoText,
    /// Not read yet (the next sync reads it), or not downloaded.
    NotRead,
    /// Reading failed; `problem` says why.
    Problem,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DocumentText {
    pub document_id: String,
    pub state: TextState,
    pub text: String,
    /// The text was longer than [`MAX_TEXT_CHARS`] and was cut.
    pub truncated: bool,
    pub problem: Option<String>,
    pub checks: Vec<TextCheck>,
    pub highlights: Vec<Highlight>,
    /// The document's machine-readable zone, when its text has one, checked against the form.
    pub zone: Option<crate::zone::ZoneCheck>,
    /// The text was recognised on the scan's pages (OCR), not read from a text layer: it may
    /// hold misread characters.
    pub recognised: bool,
    /// The document is a scan without text (an image, or a PDF without a text layer), or a PDF
    /// with scanned pages without text, that this workstation can recognise
    /// (`Desk::recognition_job`): in the second case `text` is the text layer's meanwhile.
    pub can_recognise: bool,
    /// On a recognised scan: where each found value stands on its page, for the viewer to box.
    pub boxes: Vec<WordBox>,
}

/// A word of a recognised scan that holds one of the applicant's values: its box in the page's
/// own pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WordBox {
    /// From 0.
    pub page: u32,
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
    pub field: KeyField,
}

/// A recognised word as the cache keeps it (`migdesk_docs::Word`).
#[derive(Deserialize)]
struct StoredWord {
    page: u32,
    text: String,
    left: u32,
    top: u32,
    width: u32,
    height: u32,
}

/// The boxes of the recognised words that hold one of `values` (folded as the text is).
fn boxes(words: &str, values: &[(KeyField, String, Vec<String>)]) -> Vec<WordBox> {
    let Ok(words) = serde_json::from_str::<Vec<StoredWord>>(words) else {
        return Vec::new();
    };
    let needles: Vec<(KeyField, String)> = values
        .iter()
        .flat_map(|(field, _, spellings)| spellings.iter().map(|s| (*field, normalise(s))))
        .filter(|(_, s)| !s.is_empty() && !s.contains(' '))
        .collect();
    words
        .into_iter()
        .filter_map(|w| {
            let word = normalise(&w.text);
            let (field, _) = needles.iter().find(|(field, n)| match field {
                KeyField::Name => !translit::find_name(&w.text, n).is_empty(),
                _ => word.contains(n.as_str()),
            })?;
            Some(WordBox {
                page: w.page,
                left: w.left,
                top: w.top,
                width: w.width,
                height: w.height,
                field: *field,
            })
        })
        .collect()
}

/// The text of one document of a case on this desk, checked against its applicant (and its
/// machine-readable zone, if it has one, against the form; `today` for its expiry).
pub fn document_text(
    store: &Store,
    document_id: &str,
    today: chrono::NaiveDate,
) -> DeskResult<DocumentText> {
    let row = store.document_text(document_id)?;
    let TextRow {
        case_detail: detail,
        text,
        problem,
        read,
        recognised,
        head,
        words,
        scans_without_text,
    } = row.ok_or_else(|| {
        DeskError::new(
            ErrorKind::Invalid,
            format!("document {document_id} is not on this desk"),
        )
    })?;
    let detail: ApplicationDetail = serde_json::from_str(&detail)
        .map_err(|e| DeskError::internal(format!("document {document_id}: {e}")))?;
    let values = key_values(&detail.applicant);
    let state = match (&text, &problem, read) {
        (_, Some(_), _) => TextState::Problem,
        (Some(t), None, _) if !t.trim().is_empty() => TextState::Ready,
        (_, None, true) => TextState::NoText,
        _ => TextState::NotRead,
    };
    let full = text.unwrap_or_default();
    let truncated = full.chars().count() > MAX_TEXT_CHARS;
    let text: String = if truncated {
        full.chars().take(MAX_TEXT_CHARS).collect()
    } else {
        full
    };
    let (checks, highlights) = if state == TextState::Ready {
        check(&text, &values)
    } else {
        (Vec::new(), Vec::new())
    };
    // Only a reader's output has confusions to undo; a text layer is read as written.
    let source = if recognised {
        migdesk_domain::mrz_read::Source::Recognised
    } else {
        migdesk_domain::mrz_read::Source::Typed
    };
    let zone = (state == TextState::Ready)
        .then(|| crate::zone::check(&text, source, &detail.applicant, &detail.form, today))
        .flatten();
    Ok(DocumentText {
        document_id: document_id.to_owned(),
        state,
        text,
        truncated,
        problem,
        checks,
        highlights,
        zone,
        recognised,
        boxes: words
            .filter(|_| state == TextState::Ready)
            .map(|w| boxes(&w, &values))
            .unwrap_or_default(),
        can_recognise: (state == TextState::NoText
            || (state == TextState::Ready && scans_without_text > 0 && !recognised))
            && head.is_some_and(|h| {
                !matches!(
                    migdesk_docs::sniff(&h),
                    migdesk_docs::Format::Unsupported { .. }
                )
            })
            && migdesk_docs::ocr::available(),
    })
}

/// The applicant's values to look for, each with the spellings that count as the same.
fn key_values(applicant: &Applicant) -> Vec<(KeyField, String, Vec<String>)> {
    let mut out = Vec::new();
    let name = &applicant.name_latin;
    for word in name.split_whitespace().filter(|w| w.chars().count() >= 2) {
        out.push((KeyField::Name, word.to_owned(), vec![word.to_owned()]));
    }
    for (field, value) in [
        (KeyField::PassportNumber, &applicant.passport_number),
        (KeyField::Fin, &applicant.fin),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            out.push((field, v.to_owned(), vec![v.to_owned()]));
        }
    }
    let dob = applicant.date_of_birth.as_str();
    {
        let parts: Vec<&str> = dob.split('-').collect();
        if let [y, m, d] = parts[..] {
            let spellings = vec![
                dob.to_owned(),
                format!("{d}.{m}.{y}"),
                format!("{d}/{m}/{y}"),
                format!("{d}-{m}-{y}"),
                format!("{d} {m} {y}"),
            ];
            out.push((KeyField::DateOfBirth, format!("{d}.{m}.{y}"), spellings));
        }
    }
    out
}

/// Search folding, with `ə` read as `a`: passports transliterate Məmmədov as MAMMADOV.
fn normalise(text: &str) -> String {
    fold(&text.replace(['ə', 'Ə'], "a"))
}

/// The text folded character by character, each folded character with the UTF-16 span of the
/// original character it came from (so a match in folded text maps back to the original).
fn folded_with_spans(text: &str) -> (Vec<char>, Vec<(u32, u32)>) {
    let (mut chars, mut spans) = (Vec::new(), Vec::new());
    let mut at = 0u32;
    let mut last_space = true;
    for c in text.chars() {
        let width = c.len_utf16() as u32;
        let span = (at, at + width);
        at += width;
        if c.is_whitespace() {
            if !last_space {
                chars.push(' ');
                spans.push(span);
            }
            last_space = true;
            continue;
        }
        let mut buf = [0u8; 4];
        for f in normalise(c.encode_utf8(&mut buf)).chars() {
            chars.push(f);
            spans.push(span);
        }
        last_space = false;
    }
    (chars, spans)
}

fn check(
    text: &str,
    values: &[(KeyField, String, Vec<String>)],
) -> (Vec<TextCheck>, Vec<Highlight>) {
    let (hay, spans) = folded_with_spans(text);
    // Each character's start in UTF-16 code units, and the text's end.
    let utf16_at: Vec<u32> = std::iter::once(0)
        .chain(text.chars().scan(0u32, |at, c| {
            *at += c.len_utf16() as u32;
            Some(*at)
        }))
        .collect();
    let mut checks = Vec::new();
    let mut highlights = Vec::new();
    for (field, value, spellings) in values {
        let mut found = false;
        for spelling in spellings {
            if *field == KeyField::Name {
                // A name in any script or transliteration (`Гусейнов` for `Hüseynov`).
                for (from, to) in translit::find_name(text, spelling) {
                    found = true;
                    highlights.push(Highlight {
                        start: utf16_at[from],
                        end: utf16_at[to],
                        field: *field,
                    });
                }
                continue;
            }
            let needle: Vec<char> = normalise(spelling).chars().collect();
            if needle.is_empty() || needle.len() > hay.len() {
                continue;
            }
            for start in 0..=hay.len() - needle.len() {
                if hay[start..start + needle.len()] == needle[..] {
                    found = true;
                    highlights.push(Highlight {
                        start: spans[start].0,
                        end: spans[start + needle.len() - 1].1,
                        field: *field,
                    });
                }
            }
        }
        checks.push(TextCheck {
            field: *field,
            value: value.clone(),
            found,
        });
    }
    highlights.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
    // Overlaps (a date found in two spellings at one place) keep the first, longest one.
    let mut kept: Vec<Highlight> = Vec::with_capacity(highlights.len());
    for h in highlights {
        if kept.last().is_none_or(|k| h.start >= k.end) {
            kept.push(h);
        }
    }
    (checks, kept)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn applicant() -> Applicant {
        serde_json::from_value(json!({
            "name_latin": "Elvin Məmmədov",
            "name_native": "Elvin Məmmədov",
            "passport_number": "C 01234567",
            "fin": "5ZK7QWE",
            "date_of_birth": "1990-05-14",
            "nationality": "AZE",
            "email": "elvin@example.org",
            "language": "az",
        }))
        .unwrap()
    }

    fn slice(text: &str, h: &Highlight) -> String {
        let units: Vec<u16> = text.encode_utf16().collect();
        String::from_utf16(&units[h.start as usize..h.end as usize]).unwrap()
    }

    #[test]
    fn values_are_found_whatever_the_case_accents_and_spacing() {
        let text =
            "Soyadı: MAMMADOV\nAdı:   ELVİN\nDoğum tarixi: 14.05.1990\nPassport: C  01234567";
        let (checks, highlights) = check(text, &key_values(&applicant()));
        let found: Vec<(KeyField, &str, bool)> = checks
            .iter()
            .map(|c| (c.field, c.value.as_str(), c.found))
            .collect();
        assert_eq!(
            found,
            vec![
                (KeyField::Name, "Elvin", true),
                (KeyField::Name, "Məmmədov", true),
                (KeyField::PassportNumber, "C 01234567", true),
                (KeyField::Fin, "5ZK7QWE", false),
                (KeyField::DateOfBirth, "14.05.1990", true),
            ]
        );
        let marked: Vec<String> = highlights.iter().map(|h| slice(text, h)).collect();
        assert_eq!(
            marked,
            vec!["MAMMADOV", "ELVİN", "14.05.1990", "C  01234567"]
        );
    }

    #[test]
    fn a_name_is_found_in_cyrillic_as_the_form_writes_it_in_latin() {
        let mut applicant = applicant();
        applicant.name_latin = "Elvin Hüseynov".into();
        let text = "Фамилия: Гусейнов\nИмя: Эльвин\nОтчество: Гасанович";
        let (checks, highlights) = check(text, &key_values(&applicant));
        let names: Vec<bool> = checks
            .iter()
            .filter(|c| c.field == KeyField::Name)
            .map(|c| c.found)
            .collect();
        assert_eq!(names, [true, true]);
        let marked: Vec<String> = highlights.iter().map(|h| slice(text, h)).collect();
        assert_eq!(marked, ["Гусейнов", "Эльвин"]);
        // Another name is not found in its place.
        applicant.name_latin = "Elvin Əliyev".into();
        let (checks, _) = check(text, &key_values(&applicant));
        assert!(!checks[1].found, "{checks:?}");
    }

    #[test]
    fn a_contradicting_date_is_flagged_not_found() {
        let text = "Elvin Məmmədov, born 15.05.1990";
        let (checks, _) = check(text, &key_values(&applicant()));
        let dob = checks
            .iter()
            .find(|c| c.field == KeyField::DateOfBirth)
            .unwrap();
        assert!(!dob.found);
    }

    #[test]
    fn positions_count_utf16_units_past_astral_characters() {
        let text = "📄 Elvin";
        let (_, highlights) = check(text, &key_values(&applicant()));
        assert_eq!(highlights.len(), 1);
        assert_eq!(slice(text, &highlights[0]), "Elvin");
        assert_eq!(highlights[0].start, 3, "the emoji is two UTF-16 units");
    }
}

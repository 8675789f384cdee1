//! A reader's lines made into a zone's where only the zone's own structure can tell how: the
//! state and nationality made consistent, a line one character too long read without each
//! character in turn, a line of numbers one character short read with one put back.

use chrono::NaiveDate;

use super::printed::Printed;
use super::{
    Format, Source, Zone, as_digit, as_letters, fit, passport_shape, printed, window_readings,
};
use crate::passport_numbers;

/// Whether `read` is `truth` as a reader may have taken it: each character the same, or both
/// ones a reader confuses with the same digit (`O` and `D` for `0`).
pub(super) fn confusable(read: &str, truth: &str) -> bool {
    read.len() == truth.len()
        && read
            .chars()
            .zip(truth.chars())
            .all(|(r, t)| r == t || (as_digit(r) == as_digit(t) && as_digit(r).is_ascii_digit()))
}

/// Whether `a` and `b` are letters a reader takes for the same digit (`O` and `D` for `0`).
fn confusable_letters(a: char, b: char) -> bool {
    a.is_ascii_uppercase()
        && b.is_ascii_uppercase()
        && as_digit(a) == as_digit(b)
        && as_digit(a).is_ascii_digit()
}

/// Whether `a` and `b` are two of the narrow letters a reader takes for each other (`JND` for
/// `IND`).
fn narrow_pair(a: char, b: char) -> bool {
    printed::NARROW.contains(&a) && printed::NARROW.contains(&b)
}

/// A passport's or card's lines with what no check digit covers made consistent: the second
/// line's nationality in letters; a first line that lost the filler after a one-letter code or a
/// letter of its state (`PTUROZTURK`, `P<NDSHARMA`) has it put back where the state then equals
/// the nationality (one trailing filler dropped). Only the other line can tell.
pub(super) fn realigned(format: Format, mut lines: Vec<String>, width: usize) -> Vec<String> {
    if format == Format::Td1 {
        return lines;
    }
    let Some(read) = lines.get(1).and_then(|l| l.get(10..13)) else {
        return lines;
    };
    // A digit read in the nationality is the letter the state has in its place when that is one
    // of the digit's lookalikes (`1N0` under the state `IND` is `IND`, not `INO`), else its
    // likeliest letter; a narrow letter is the state's narrow letter (`JND` under `IND`), and a
    // letter read for the lookalike of a state the desk knows is the state's (`INO` under `IND`;
    // under `INO`, which is no state, `IND` stands and mends the state).
    let state: Vec<char> = lines[0].get(2..5).unwrap_or_default().chars().collect();
    // A state read as one the desk knows (by its numbers' shape) is taken as read.
    let known_state = passport_numbers::shape(&state.iter().collect::<String>()).is_some();
    let nationality: String = read
        .chars()
        .enumerate()
        .map(|(i, c)| match state.get(i) {
            Some(s) if as_letters(c).contains(s) || narrow_pair(c, *s) => *s,
            Some(s) if known_state && confusable_letters(c, *s) => *s,
            _ => as_letters(c).first().copied().unwrap_or(c),
        })
        .collect();
    lines[1].replace_range(10..13, &nationality);
    let first = &lines[0];
    if first.get(2..5) == Some(nationality.as_str()) || !first.ends_with('<') {
        return lines;
    }
    // The state whole but a letter read as a digit (`P<1NDSHARMA`): only made letters. Taken for
    // a lost letter, `1ND` with the `D` put back would make the surname `DSHARMA`.
    // Likewise a narrow letter of the state read as another (`P<JNDIYER` over `IND`).
    let narrow_only = |state: &str| {
        state
            .chars()
            .zip(nationality.chars())
            .all(|(a, b)| a == b || narrow_pair(a, b))
    };
    if first
        .get(2..5)
        .is_some_and(|state| confusable(state, &nationality) || narrow_only(state))
    {
        lines[0].replace_range(2..5, &nationality);
        return lines;
    }
    // The filler after the code lost: the state stands one place early.
    let filler_lost = first.get(1..4) == Some(nationality.as_str()) && !first[1..].starts_with('<');
    let fixed = if filler_lost {
        Some(format!("{}<{}", &first[..1], &first[1..]))
    } else {
        // One letter of the state lost: put back, the state reads whole (its other letters as
        // read, or as a reader confuses them: `P<NOPATEL` is `P<INDPATEL` for an Indian).
        (0..3).find_map(|k| {
            let candidate = format!(
                "{}{}{}",
                first.get(..2 + k)?,
                &nationality[k..=k],
                first.get(2 + k..)?
            );
            candidate
                .get(2..5)
                .is_some_and(|state| confusable(state, &nationality))
                .then(|| format!("{}{nationality}{}", &candidate[..2], &candidate[5..]))
        })
    };
    if let Some(mut fixed) = fixed {
        fixed.truncate(width);
        lines[0] = fixed;
    }
    lines
}

/// A line a reader read one character too long, as each line it can be with one character
/// fewer (not the names' line: no check digit could tell which character is the extra one).
pub(super) fn one_less(line: &str, width: usize) -> Option<Vec<String>> {
    if line.len() != width + 1 {
        return None;
    }
    let mut fewer: Vec<String> = (0..line.len())
        .map(|i| format!("{}{}", &line[..i], &line[i + 1..]))
        .collect();
    fewer.dedup();
    Some(fewer)
}

/// `line`, one character shorter than a zone's line, with one of the zone's characters put
/// back at each place in turn (each different line once).
fn one_more(line: &str) -> Vec<String> {
    let characters = ('A'..='Z').chain('0'..='9').chain(std::iter::once('<'));
    let mut more: Vec<String> = (0..=line.len())
        .flat_map(|i| {
            characters
                .clone()
                .map(move |c| format!("{}{c}{}", &line[..i], &line[i..]))
        })
        .collect();
    more.sort_unstable();
    more.dedup();
    more
}

/// A passport's (TD3) or a TD2 card's zone whose line of numbers was read one character short
/// (a narrow `I` lost, as names' lines lose them): read with a character put back at each place.
/// Put back inside the document number, several readings hold every digit (the composite weighs
/// the number as its own digit does), and inside the nationality any letter does, so one is
/// taken only when it is the only zone that holds, or the only one whose number the page prints,
/// or of those the only one of a state the desk knows, its number in the state's shape.
pub(super) fn one_short(
    lines: &[Option<String>],
    page: &Printed,
    today: NaiveDate,
) -> Option<Zone> {
    for format in [Format::Td3, Format::Td2] {
        let (_, width) = format.shape();
        for pair in lines.windows(2) {
            let [Some(names), Some(numbers)] = pair else {
                continue;
            };
            if numbers.len() + 1 != width {
                continue;
            }
            let Some(names_fitted) = fit(names, width, true, false) else {
                continue;
            };
            let names_short = width.saturating_sub(names.len());
            let choices = vec![vec![names_fitted], one_more(numbers)];
            let (holding, _) = window_readings(
                format,
                choices,
                names_short,
                Source::Recognised,
                page,
                today,
            );
            let mut zones: Vec<Zone> = Vec::new();
            for (_, zone) in holding {
                if !zones.iter().any(|z| same_fields(z, &zone)) {
                    zones.push(zone);
                }
            }
            let shape_of = |z: &Zone| passport_shape(&z.document_code, &z.issuing_state);
            if zones.len() > 1 {
                zones.retain(|z| page.prints_number(&z.document_number, shape_of(z)));
            }
            // Put back in the nationality, which no digit covers, any letter holds: the one
            // that makes it a state the desk knows, its state's, with the number in its shape.
            if zones.len() > 1 {
                zones.retain(|z| {
                    z.nationality == z.issuing_state
                        && shape_of(z)
                            .is_some_and(|shape| passport_numbers::fits(&z.document_number, shape))
                });
            }
            if let [zone] = &zones[..] {
                return Some(zone.clone());
            }
        }
    }
    None
}

/// Whether two readings of a zone say the same of its holder and document.
fn same_fields(a: &Zone, b: &Zone) -> bool {
    (
        &a.document_number,
        &a.nationality,
        a.date_of_birth,
        a.expiry,
        a.sex,
        &a.surname,
        &a.given_names,
    ) == (
        &b.document_number,
        &b.nationality,
        b.date_of_birth,
        b.expiry,
        b.sex,
        &b.surname,
        &b.given_names,
    )
}

/// Every window of lines the `choices` of each line make: one line's several choices (a line one
/// character too long), the others' one.
pub(super) fn readings(choices: Vec<Vec<String>>) -> Vec<Vec<String>> {
    if choices.iter().filter(|c| c.len() > 1).count() > 1 {
        return Vec::new();
    }
    let mut windows = vec![Vec::new()];
    for choice in choices {
        windows = windows
            .into_iter()
            .flat_map(|w| {
                choice.iter().map(move |c| {
                    let mut w = w.clone();
                    w.push(c.clone());
                    w
                })
            })
            .collect();
    }
    if windows.iter().all(Vec::is_empty) {
        return Vec::new();
    }
    windows
}

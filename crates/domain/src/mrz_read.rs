//! Reading a machine-readable zone back out of a document's text (ICAO Doc 9303): passports
//! (TD3, two lines of 44 characters), identity cards and residence permits (TD1, three lines of
//! 30; TD2, two of 36). Every check digit is verified. A reader's usual confusions — `O` for `0`,
//! `I` for `1`, `B` for `8`, `S` for `5`, `Z` for `2`, `G` for `6`, a space or `«` for `<` — are
//! corrected in a field covered by a check digit only when the corrected field satisfies it;
//! names, which no digit covers, are taken as read unless their line was visibly damaged, and
//! then only narrow letters are settled by the page's printed names (`printed`). A second line
//! read one character too long is read without each character in turn, and taken only when every
//! check digit then holds. A text layer's characters are what was
//! written, not a reader's guess: its zone is read exactly as it stands (`Source::Typed`), so a
//! wrong check digit there stays a failed check and is never "corrected" into another number.
//! Where the zone is looked for in a text, and which of its readings wins: `search`.

use chrono::NaiveDate;
use serde::Serialize;

use crate::mrz::check_digit;
use crate::passport_numbers::{self, fits};

mod fields;
mod printed;
mod repair;
mod search;
use fields::{document_number, likeliest, numeric, shaped};
use printed::Printed;
pub use search::find;
use search::window_readings;

/// The zone's layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Three lines of 30 characters: identity cards, residence permits.
    Td1,
    /// Two lines of 36.
    Td2,
    /// Two lines of 44: passports.
    Td3,
}

impl Format {
    fn shape(self) -> (usize, usize) {
        match self {
            Format::Td1 => (3, 30),
            Format::Td2 => (2, 36),
            Format::Td3 => (2, 44),
        }
    }
}

/// Where the zone's text comes from, which decides whether a reader's confusions are undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A document's text layer: every character as written.
    Typed,
    /// A text recogniser's output: characters may be confused and fillers lost.
    Recognised,
}

/// A field a check digit covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Checked {
    DocumentNumber,
    DateOfBirth,
    Expiry,
    /// Every checked field together.
    Composite,
}

/// A zone as read, its check digits verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Zone {
    pub format: Format,
    /// `P` for a passport, `I`, `A` or `C` (and a second letter) for cards.
    pub document_code: String,
    pub issuing_state: String,
    /// Fillers as spaces; empty when the zone has no secondary identifier.
    pub surname: String,
    pub given_names: String,
    /// Without fillers.
    pub document_number: String,
    pub nationality: String,
    /// `None` when the six digits are not a date.
    pub date_of_birth: Option<NaiveDate>,
    /// `M`, `F`, or `<` (unspecified).
    pub sex: char,
    pub expiry: Option<NaiveDate>,
    /// The check digits that do not hold (none: the zone is whole).
    pub failed: Vec<Checked>,
    /// The fields read only after a confusion was corrected (their check digit then held).
    pub corrected: Vec<Checked>,
}

/// The letter a reader takes for a digit, and back.
fn as_digit(c: char) -> char {
    match c {
        'O' | 'Q' | 'D' => '0',
        'I' | 'L' => '1',
        'Z' => '2',
        'S' => '5',
        'G' => '6',
        'B' => '8',
        c => c,
    }
}

/// The letters a reader may have taken for a digit (a `C` read as `6` as often as a `G`).
fn as_letters(c: char) -> &'static [char] {
    match c {
        '0' => &['O', 'D', 'Q'],
        '1' => &['I', 'L'],
        '2' => &['Z'],
        '5' => &['S'],
        '6' => &['G', 'C'],
        '8' => &['B'],
        _ => &[],
    }
}

/// A line of text as zone characters, or `None` when it cannot be one (too short, or made of
/// other characters).
fn zone_line(text: &str) -> Option<String> {
    let line: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '«' | '‹' => '<',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    (line.len() >= 20
        && line
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '<')
        && line.contains('<'))
    .then_some(line)
}

/// `line` made `width` long: fillers a reader dropped at the end are put back (a few, or any
/// number on the line that ends with the names, which fillers pad); a line longer than the
/// format by more than its trailing fillers is not this format.
fn fit(line: &str, width: usize, names: bool, inner: bool) -> Option<String> {
    if line.len() > width {
        let extra = &line[width..];
        return extra
            .chars()
            .all(|c| c == '<')
            .then(|| line[..width].to_owned());
    }
    if names || line.len() + 4 >= width {
        return Some(format!("{line}{}", "<".repeat(width - line.len())));
    }
    // A reader also drops fillers inside a run of them (the optional data before the last
    // check digits): with `inner`, the run nearest the end gets them back, and the check digits
    // judge. Tried only when no format fits otherwise (a TD2 line is not a shortened TD3 line).
    let run_end = line.rfind('<').filter(|_| inner)?;
    let missing = width - line.len();
    Some(format!(
        "{}{}{}",
        &line[..=run_end],
        "<".repeat(missing),
        &line[run_end + 1..]
    ))
}

fn date(yymmdd: &str, pivot: u32) -> Option<NaiveDate> {
    let yy: u32 = yymmdd.get(0..2)?.parse().ok()?;
    let year = if yy < pivot { 2000 + yy } else { 1900 + yy };
    NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        yymmdd.get(2..4)?.parse().ok()?,
        yymmdd.get(4..6)?.parse().ok()?,
    )
}

fn letters(field: &str) -> String {
    field
        .trim_end_matches('<')
        .replace('<', " ")
        .trim()
        .to_owned()
}

fn names(field: &str) -> (String, String) {
    let field = field.trim_end_matches('<');
    match field.split_once("<<") {
        Some((surname, given)) => (letters(surname), letters(given)),
        None => (letters(field), String::new()),
    }
}

/// Where a format keeps each field, as (line, first character): the document number (9, then
/// its check digit), the date of birth and the expiry (6 each, then theirs), the nationality
/// (3), the sex (1); the name as (line, from, to); the composite digit's place and the spans it
/// covers.
struct Layout {
    number: (usize, usize),
    birth: (usize, usize),
    expiry: (usize, usize),
    nationality: (usize, usize),
    sex: (usize, usize),
    name: (usize, usize, usize),
    composite: &'static [(usize, usize, usize)],
    composite_digit: (usize, usize),
}

fn layout(format: Format) -> Layout {
    match format {
        Format::Td3 => Layout {
            number: (1, 0),
            birth: (1, 13),
            expiry: (1, 21),
            nationality: (1, 10),
            sex: (1, 20),
            name: (0, 5, 44),
            composite: &[(1, 0, 10), (1, 13, 20), (1, 21, 43)],
            composite_digit: (1, 43),
        },
        Format::Td2 => Layout {
            number: (1, 0),
            birth: (1, 13),
            expiry: (1, 21),
            nationality: (1, 10),
            sex: (1, 20),
            name: (0, 5, 36),
            composite: &[(1, 0, 10), (1, 13, 20), (1, 21, 35)],
            composite_digit: (1, 35),
        },
        Format::Td1 => Layout {
            number: (0, 5),
            birth: (1, 0),
            expiry: (1, 8),
            nationality: (1, 15),
            sex: (1, 7),
            name: (2, 0, 30),
            composite: &[(0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)],
            composite_digit: (1, 29),
        },
    }
}

/// What settles a reader's output: the page's words, and whether the zone's lines were found
/// damaged (a state's letters put back, a nationality read with a digit).
struct Settle<'a> {
    printed: &'a Printed,
    first_line_damaged: bool,
    repaired: bool,
    /// How many characters short of its width the names' line was read (fillers a reader
    /// dropped, or letters).
    names_line_short: usize,
}

/// Reads the zone whose lines are `lines` (already of the format's width); `today` decides the
/// century of two-digit years (a birth is never in the future, an expiry at most 20 years on).
/// A reader's output is settled against the page's `printed` words where its own characters
/// cannot settle it (see [`printed`]).
fn read(
    format: Format,
    lines: &[String],
    source: Source,
    settle: &Settle,
    today: NaiveDate,
) -> Zone {
    let printed = settle.printed;
    use chrono::Datelike;
    let l = layout(format);
    let mut lines = lines.to_vec();
    let slice = |lines: &[String], (line, from): (usize, usize), len: usize| -> String {
        lines[line][from..from + len].to_owned()
    };
    let char_at = |lines: &[String], (line, at): (usize, usize)| -> char {
        lines[line].as_bytes()[at] as char
    };
    let mut failed = Vec::new();
    let mut corrected = Vec::new();
    // Each checked field, corrected in place when its digit then holds.
    let fields: [(Checked, (usize, usize), usize); 3] = [
        (Checked::DocumentNumber, l.number, 9),
        (Checked::DateOfBirth, l.birth, 6),
        (Checked::Expiry, l.expiry, 6),
    ];
    let as_read = lines.clone();
    // A passport's state tells the number's shape, which settles a letter against a digit where
    // the check digit holds either way (`SZ54…` and `5254…` weigh the same).
    let number_shape = (source == Source::Recognised)
        .then(|| passport_shape(&lines[0], &letters(&alphabetic(&lines[0][2..5]))))
        .flatten();
    for (what, at, len) in fields {
        let field = slice(&lines, at, len);
        let check = char_at(&lines, (at.0, at.1 + len));
        // The number read in its state's shape: the one reading whose digit holds (`true`), or
        // the likeliest (`false`).
        let shaped_number = match (what, number_shape) {
            (Checked::DocumentNumber, Some(shape)) => shaped(&field, check, shape),
            _ => None,
        };
        let outcome = match (source, what) {
            (Source::Typed, _) => (check_digit(&field) == check).then(|| (field.clone(), false)),
            // The page's number differing in a character no confusion explains is taken only
            // where the zone's own reading in its state's shape does not hold (`IU78…` read
            // `1U78…` holds as `IU78…`; the page's `1078…` would "hold" as `LD78…`).
            (Source::Recognised, Checked::DocumentNumber) => printed
                .number(
                    &field,
                    check,
                    number_shape,
                    !shaped_number.as_ref().is_some_and(|(_, holds)| *holds),
                )
                .map(|number| {
                    let number = format!("{number:<<9}");
                    let fixed = number != field || as_digit(check) != check;
                    (number, fixed)
                })
                .or_else(|| document_number(&field, check)),
            (Source::Recognised, _) => numeric(&field, check),
        };
        // The number's likeliest reading in its state's shape, when no reading's digit holds.
        let mut likeliest = None;
        let outcome = match (what, number_shape) {
            (Checked::DocumentNumber, Some(shape))
                if !outcome
                    .as_ref()
                    .is_some_and(|(n, _)| fits(letters(n).as_str(), shape)) =>
            {
                match shaped_number {
                    Some((number, true)) => Some((number, true)),
                    Some((number, false)) if outcome.is_none() => {
                        likeliest = Some(number);
                        None
                    }
                    // Its digit holds only for a reading outside the shape, and the page prints
                    // the number in the shape: the zone was printed with a wrong digit (forged,
                    // or misprinted) and read with a lucky error. The page's number, failing: a
                    // zone that does not check is shown, not hidden by a misreading.
                    Some((number, false)) if printed.prints_number(&number, Some(shape)) => {
                        likeliest = Some(number);
                        None
                    }
                    _ => outcome,
                }
            }
            _ => outcome,
        };
        match outcome {
            Some((value, fixed)) => {
                if fixed {
                    corrected.push(what);
                    let digit = as_digit(check).to_string();
                    lines[at.0].replace_range(at.1..at.1 + len, &value);
                    lines[at.0].replace_range(at.1 + len..at.1 + len + 1, &digit);
                }
            }
            None => {
                // Its digit fails either way; shown as the state writes numbers (`YO44…`,
                // not `Y044…`), the form compares with what the passport shows.
                if let Some(number) = likeliest {
                    lines[at.0].replace_range(at.1..at.1 + len, &number);
                }
                failed.push(what);
            }
        }
    }
    let composite: String = l
        .composite
        .iter()
        .map(|&(line, from, to)| &lines[line][from..to])
        .collect();
    let digit = char_at(&lines, l.composite_digit);
    if check_digit(&composite) != as_digit(digit) {
        failed.push(Checked::Composite);
        // A number "corrected" into one its digit allows while the composite still fails was
        // printed with a wrong digit, not misread: it stands as read (in its state's shape, as a
        // failing number is shown), and its digit fails.
        if let Some(i) = corrected.iter().position(|c| *c == Checked::DocumentNumber) {
            corrected.remove(i);
            let (line, from) = l.number;
            let read = &as_read[line][from..from + 9];
            let shown = number_shape
                .and_then(|shape| likeliest(read, shape))
                .unwrap_or_else(|| read.to_owned());
            lines[line].replace_range(from..from + 9, &shown);
            lines[line].replace_range(from + 9..=from + 9, &as_read[line][from + 9..=from + 9]);
            failed.insert(0, Checked::DocumentNumber);
        }
    }
    // What no check digit covers is made letters only where a reader may have misread it.
    let letters_only = |field: &str| match source {
        Source::Typed => field.to_owned(),
        Source::Recognised => alphabetic(field),
    };
    // In a reader's output, what follows the first run of three fillers is noise: names are
    // separated by one filler, surname and given names by two, and only fillers come after.
    let name_read = &lines[l.name.0][l.name.1..l.name.2];
    let name_field = letters_only(name_read);
    let name_field = match (source, name_field.find("<<<")) {
        (Source::Recognised, Some(end)) => &name_field[..end],
        _ => name_field.as_str(),
    };
    // A filler of the separator read as a letter (`BONDARENKOK<TARAS`): the page tells.
    let separated = match source {
        Source::Recognised => printed.separator(name_field),
        Source::Typed => None,
    };
    let (mut surname, mut given_names) = names(separated.as_deref().unwrap_or(name_field));
    // Names no check digit covers are settled by the page's only where the zone shows it was
    // damaged. Narrow letters only where the names' line was (a digit among the names, its
    // state's letters put back): the page's own reading loses and gains them as often
    // (`HOSSEIN}` for `HOSSEINI`, `REZAEIL` for `REZAEI`). Round letters (`BERIOZE` for
    // `BERIDZE`) also where another line was (a nationality read with a digit).
    let line_damaged = settle.first_line_damaged || name_read.chars().any(|c| c.is_ascii_digit());
    if source == Source::Recognised && (line_damaged || settle.repaired) {
        surname = printed.names(&surname, line_damaged);
        given_names = printed.names(&given_names, line_damaged);
    }
    // A filler before the separator read as `K` (`KOVALENKOK<<IRYNA`): the page tells.
    if source == Source::Recognised
        && let Some(without) = printed.filler_as_k(&surname)
    {
        surname = without;
    }
    // A state "repaired" by putting back a lost letter whose misread letter it left before the
    // surname (`P<INNSHARMA` made `P<IND` + `NSHARMA`): the page's surname without it.
    if source == Source::Recognised
        && settle.first_line_damaged
        && !printed.prints(&surname)
        && surname.get(1..).is_some_and(|rest| printed.prints(rest))
    {
        surname.remove(0);
    }
    if source == Source::Recognised && settle.names_line_short > 0 {
        // A line read short may have lost narrow letters: the page's spelling is taken where it
        // only adds them, no more than the line lacks (`KARIM` on a line one short, `KARIMI`).
        let mut missing = settle.names_line_short;
        surname = printed.names_lost(&surname, &mut missing);
        given_names = printed.names_lost(&given_names, &mut missing);
    }
    let this_year = u32::try_from(today.year() % 100).unwrap_or(0);
    Zone {
        format,
        document_code: letters(&lines[0][0..2]),
        issuing_state: letters(&letters_only(&lines[0][2..5])),
        surname,
        given_names,
        document_number: letters(&slice(&lines, l.number, 9)),
        nationality: letters(&slice(&lines, l.nationality, 3)),
        date_of_birth: date(&slice(&lines, l.birth, 6), this_year + 1),
        sex: char_at(&lines, l.sex),
        expiry: date(&slice(&lines, l.expiry, 6), this_year + 21),
        failed,
        corrected,
    }
}

/// The shape of the numbers of a passport (its document code beginning `code`) that `state`
/// issues; none for other documents and states the desk does not know.
fn passport_shape(code: &str, state: &str) -> Option<passport_numbers::Shape> {
    code.starts_with('P')
        .then(|| passport_numbers::shape(state))
        .flatten()
}

/// A field of letters only (a state's code, names) as a reader may have read it: a digit there
/// can only be a letter taken for one, and is made that letter (`1ND` is `IND`). No digit
/// stands in these fields, so the field's kind confirms what no check digit covers.
fn alphabetic(field: &str) -> String {
    field
        .chars()
        .map(|c| as_letters(c).first().copied().unwrap_or(c))
        .collect()
}

#[cfg(test)]
mod tests;

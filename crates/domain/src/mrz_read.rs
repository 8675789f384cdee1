//! Reading a machine-readable zone back out of a document's text (ICAO Doc 9303): passports
//! (TD3, two lines of 44 characters), identity cards and residence permits (TD1, three lines of
//! 30; TD2, two of 36). Every check digit is verified. A reader's usual confusions — `O` for `0`,
//! `I` for `1`, `B` for `8`, `S` for `5`, `Z` for `2`, `G` for `6`, a space or `«` for `<` — are
//! corrected in a field covered by a check digit only when the corrected field satisfies it;
//! names, which no digit covers, are taken as read.

use chrono::NaiveDate;
use serde::Serialize;

use crate::mrz::check_digit;

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

/// A numeric field and its check digit, corrected only when the check then holds: the field
/// as read (or as corrected) and whether it was corrected; `None` when the digit does not hold
/// either way.
fn numeric(field: &str, check: char) -> Option<(String, bool)> {
    if check_digit(field) == check {
        return Some((field.to_owned(), false));
    }
    let fixed: String = field.chars().map(as_digit).collect();
    (check_digit(&fixed) == as_digit(check)).then_some((fixed, true))
}

/// A document number (letters and digits) and its check digit: as read; else the one reading,
/// with a single confused character changed, whose digit holds — a letter read for a digit
/// first (numbers are mostly digits), then a digit read for a letter. Two readings that both
/// hold are no answer.
fn document_number(field: &str, check: char) -> Option<(String, bool)> {
    let check_read = as_digit(check);
    if check_digit(field) == check {
        return Some((field.to_owned(), false));
    }
    let chars: Vec<char> = field.chars().collect();
    let swaps: [fn(char) -> Vec<char>; 2] = [|c| vec![as_digit(c)], |c| as_letters(c).to_vec()];
    for swap in swaps {
        let mut fits = Vec::new();
        for (i, &c) in chars.iter().enumerate() {
            for alt in swap(c).into_iter().filter(|&alt| alt != c) {
                let mut candidate = chars.clone();
                candidate[i] = alt;
                let candidate: String = candidate.into_iter().collect();
                if check_digit(&candidate) == check_read {
                    fits.push(candidate);
                }
            }
        }
        match fits.as_slice() {
            [one] => return Some((one.clone(), true)),
            [] => {}
            _ => return None,
        }
    }
    None
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

/// Reads the zone whose lines are `lines` (already of the format's width); `today` decides the
/// century of two-digit years (a birth is never in the future, an expiry at most 20 years on).
fn read(format: Format, lines: &[String], today: NaiveDate) -> Zone {
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
    for (what, at, len) in fields {
        let field = slice(&lines, at, len);
        let check = char_at(&lines, (at.0, at.1 + len));
        let outcome = match what {
            Checked::DocumentNumber => document_number(&field, check),
            _ => numeric(&field, check),
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
            None => failed.push(what),
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
    }
    let (surname, given_names) = names(&alphabetic(&lines[l.name.0][l.name.1..l.name.2]));
    let this_year = u32::try_from(today.year() % 100).unwrap_or(0);
    Zone {
        format,
        document_code: letters(&lines[0][0..2]),
        issuing_state: letters(&alphabetic(&lines[0][2..5])),
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

/// A field of letters only (a state's code, names) as a reader may have read it: a digit there
/// can only be a letter taken for one, and is made that letter (`1ND` is `IND`). No digit
/// stands in these fields, so the field's kind confirms what no check digit covers.
fn alphabetic(field: &str) -> String {
    field
        .chars()
        .map(|c| as_letters(c).first().copied().unwrap_or(c))
        .collect()
}

/// A passport's or card's lines with what no check digit covers made consistent: the second
/// line's nationality in letters; a first line that lost the filler after a one-letter code or a
/// letter of its state (`PTUROZTURK`, `P<NDSHARMA`) has it put back where the state then equals
/// the nationality (one trailing filler dropped). Only the other line can tell.
fn realigned(format: Format, mut lines: Vec<String>, width: usize) -> Vec<String> {
    if format == Format::Td1 {
        return lines;
    }
    let Some(nationality) = lines.get(1).and_then(|l| l.get(10..13)).map(alphabetic) else {
        return lines;
    };
    lines[1].replace_range(10..13, &nationality);
    let first = &lines[0];
    if first.get(2..5) == Some(nationality.as_str()) || !first.ends_with('<') {
        return lines;
    }
    // The filler after the code lost: the state stands one place early.
    let filler_lost = first.get(1..4) == Some(nationality.as_str()) && !first[1..].starts_with('<');
    let fixed = if filler_lost {
        Some(format!("{}<{}", &first[..1], &first[1..]))
    } else {
        // One letter of the state lost: put back, the state reads whole.
        (0..3).find_map(|k| {
            let candidate = format!(
                "{}{}{}",
                first.get(..2 + k)?,
                &nationality[k..=k],
                first.get(2 + k..)?
            );
            (candidate.get(2..5) == Some(nationality.as_str())).then_some(candidate)
        })
    };
    if let Some(mut fixed) = fixed {
        fixed.truncate(width);
        lines[0] = fixed;
    }
    lines
}

/// The machine-readable zone in `text` (a document's text layer or a reader's output): the first
/// reading — TD3 first, then TD2, then TD1, lines as read before lines with inner fillers put
/// back — whose every check digit holds, or else the first reading at all (its failing digits
/// say so); `today` places two-digit years in their century.
pub fn find(text: &str, today: NaiveDate) -> Option<Zone> {
    // Blank lines between the zone's lines are a text layer's spacing, not a break.
    let lines: Vec<Option<String>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(zone_line)
        .collect();
    let mut first = None;
    for inner in [false, true] {
        for format in [Format::Td3, Format::Td2, Format::Td1] {
            let (count, width) = format.shape();
            let names = if format == Format::Td1 { 2 } else { 0 };
            for start in 0..lines.len() {
                let fitted: Option<Vec<String>> =
                    lines.get(start..start + count).and_then(|window| {
                        window
                            .iter()
                            .enumerate()
                            .map(|(i, l)| {
                                l.as_deref().and_then(|l| fit(l, width, i == names, inner))
                            })
                            .collect()
                    });
                if let Some(fitted) = fitted {
                    let zone = read(format, &realigned(format, fitted, width), today);
                    if zone.failed.is_empty() {
                        return Some(zone);
                    }
                    first.get_or_insert(zone);
                }
            }
        }
    }
    // No reading whose every check digit holds: the first, and its failing digits say so.
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mrz::{Passport, td3};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    const TODAY: (i32, u32, u32) = (2026, 12, 1);

    fn today() -> NaiveDate {
        day(TODAY.0, TODAY.1, TODAY.2)
    }

    /// ICAO Doc 9303's specimens: Anna Maria Eriksson of Utopia.
    const TD3: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
    const TD2: &str = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6";
    const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";

    #[test]
    fn reads_the_three_icao_specimens_whole() {
        for (text, format, number) in [
            (TD3, Format::Td3, "L898902C3"),
            (TD2, Format::Td2, "D23145890"),
            (TD1, Format::Td1, "D23145890"),
        ] {
            // As a text layer spaces it: blank lines between the zone's lines.
            let spaced = text.replace('\n', "\n\n");
            let zone = find(&format!("Some heading\n{spaced}\nfooter"), today()).unwrap();
            assert_eq!(zone.format, format);
            assert_eq!(zone.failed, [], "{text}");
            assert_eq!(zone.corrected, []);
            assert_eq!(
                (zone.surname.as_str(), zone.given_names.as_str()),
                ("ERIKSSON", "ANNA MARIA")
            );
            assert_eq!(zone.document_number, number);
            assert_eq!(zone.nationality, "UTO");
            assert_eq!(zone.issuing_state, "UTO");
            assert_eq!(zone.date_of_birth, Some(day(1974, 8, 12)));
            assert_eq!(zone.expiry, Some(day(2012, 4, 15)));
            assert_eq!(zone.sex, 'F');
        }
    }

    #[test]
    fn a_readers_confusions_are_corrected_only_where_a_check_digit_confirms() {
        // O for 0 in the date of birth and the composite digit, B for 8 in the number, spaces
        // in the lines, trailing fillers dropped.
        let misread = "P<UTOERIKSSON<<ANNA<MARIA\nL89B902C36UTO74O8122F1204159ZE184226B<<<<<1O";
        let zone = find(misread, today()).unwrap();
        assert_eq!(zone.failed, [], "{zone:?}");
        assert_eq!(
            zone.corrected,
            [Checked::DocumentNumber, Checked::DateOfBirth]
        );
        assert_eq!(zone.document_number, "L898902C3");
        assert_eq!(zone.date_of_birth, Some(day(1974, 8, 12)));
        // A wrong digit that no confusion explains stays wrong, and says so.
        let wrong = TD3.replace("7408122", "7408132");
        let zone = find(&wrong, today()).unwrap();
        assert!(zone.failed.contains(&Checked::DateOfBirth), "{zone:?}");
        assert_eq!(
            zone.date_of_birth,
            Some(day(1974, 8, 13)),
            "read as it stands"
        );
    }

    #[test]
    fn a_recognised_scan_with_fillers_dropped_inside_and_a_c_read_as_6_reads_whole() {
        // As text recognition read a seeded passport scan: the names' fillers cut short, the
        // optional data's fillers cut short before the composite digit, `C` read as `6`.
        let read = "P<AZEMAMMADOV<<ISMAYIL<<<<<<<<<<<<<<<<\n6802662398AZE9802089<2802080<<<<<<2";
        let zone = find(read, today()).unwrap();
        assert_eq!(zone.failed, [], "{zone:?}");
        assert_eq!(zone.corrected, [Checked::DocumentNumber]);
        assert_eq!(zone.document_number, "C80266239");
        assert_eq!(zone.surname, "MAMMADOV");
        assert_eq!(zone.date_of_birth, Some(day(1998, 2, 8)));
        assert_eq!(zone.expiry, Some(day(2028, 2, 8)));
        // A line short by more than its fillers could have lost is no zone line.
        assert!(find("P<AZEMAMMADOV<<ISMAYIL\n68026623<2", today()).is_none());
    }

    #[test]
    fn a_first_line_that_lost_its_filler_after_the_code_is_realigned_on_the_nationality() {
        let p = Passport {
            state: "TUR",
            surname: "Öztürk",
            given_names: "Zeynep",
            number: "HR5352910",
            date_of_birth: day(2002, 10, 25),
            sex: '<',
            expiry: day(2027, 10, 25),
        };
        let [l1, l2] = td3(&p);
        let lost = format!("P{}<", &l1[2..]);
        let zone = find(&format!("{lost}\n{l2}"), today()).unwrap();
        assert_eq!(
            (zone.issuing_state.as_str(), zone.surname.as_str()),
            ("TUR", "OZTURK")
        );
        assert_eq!(zone.given_names, "ZEYNEP");
        // A whole first line is left as it is.
        let whole = find(&format!("{l1}\n{l2}"), today()).unwrap();
        assert_eq!(
            (whole.issuing_state.as_str(), whole.surname.as_str()),
            ("TUR", "OZTURK")
        );
    }

    #[test]
    fn letters_read_as_digits_where_only_letters_stand_are_letters_and_a_lost_letter_of_the_state_is_put_back()
     {
        let p = Passport {
            state: "IND",
            surname: "Sharma",
            given_names: "Priya",
            number: "EM3144723",
            date_of_birth: day(1980, 8, 13),
            sex: '<',
            expiry: day(2030, 8, 13),
        };
        let [l1, l2] = td3(&p);
        // As read from a skewed scan: the state's I lost, the nationality's I read as 1.
        let first = format!("P<{}<", &l1[3..]);
        let second = l2.replacen("IND", "1ND", 1);
        let zone = find(&format!("{first}\n{second}"), today()).unwrap();
        assert_eq!(zone.failed, vec![]);
        assert_eq!(
            (
                zone.issuing_state.as_str(),
                zone.nationality.as_str(),
                zone.surname.as_str(),
                zone.given_names.as_str()
            ),
            ("IND", "IND", "SHARMA", "PRIYA")
        );
        // A name with a zero in it is read with the letter O.
        let zero = l1.replacen("SHARMA", "SHARM0", 1);
        assert_eq!(
            find(&format!("{zero}\n{l2}"), today()).unwrap().surname,
            "SHARMO"
        );
        // A state that differs from the nationality and lost nothing is left as it is.
        let other = l1.replacen("IND", "GBR", 1);
        assert_eq!(
            find(&format!("{other}\n{l2}"), today())
                .unwrap()
                .issuing_state,
            "GBR"
        );
    }

    #[test]
    fn the_zone_the_desk_writes_reads_back() {
        let p = Passport {
            state: "AZE",
            surname: "Məmmədova",
            given_names: "Şəhla Gül",
            number: "C01234567",
            date_of_birth: day(2003, 2, 28),
            sex: '<',
            expiry: day(2033, 2, 27),
        };
        let [l1, l2] = td3(&p);
        let zone = find(&format!("{l1}\n{l2}"), today()).unwrap();
        assert_eq!(zone.failed, []);
        assert_eq!(zone.surname, "MAMMADOVA");
        assert_eq!(zone.given_names, "SAHLA GUL");
        assert_eq!(zone.date_of_birth, Some(day(2003, 2, 28)));
        assert_eq!(zone.expiry, Some(day(2033, 2, 27)));
    }

    #[test]
    fn text_without_a_zone_has_none() {
        assert_eq!(find("Passport: C01234567\nName: ANNA", today()), None);
        assert_eq!(find("", today()), None);
        assert_eq!(find(&"<".repeat(44), today()), None);
    }
}

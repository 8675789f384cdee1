//! The machine-readable zone of a passport (ICAO Doc 9303, TD3: two lines of 44 characters):
//! written from the holder's data, with the check digits that let a reader catch a misread or a
//! forged line.

use chrono::NaiveDate;

/// The holder's data a passport's zone states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passport<'a> {
    /// Three-letter code of the issuing state (`AZE`, `RUS`, …), also the holder's nationality.
    pub state: &'a str,
    pub surname: &'a str,
    pub given_names: &'a str,
    pub number: &'a str,
    pub date_of_birth: NaiveDate,
    /// `M`, `F` or `<` (unspecified).
    pub sex: char,
    pub expiry: NaiveDate,
}

/// The value of a zone character in check digits: digits as themselves, letters A–Z as 10–35,
/// the filler `<` (and anything else) as 0.
fn value(c: char) -> u32 {
    match c {
        '0'..='9' => c as u32 - '0' as u32,
        'A'..='Z' => c as u32 - 'A' as u32 + 10,
        _ => 0,
    }
}

/// The check digit of a field: the sum of its values weighted 7, 3, 1 in turn, modulo 10.
pub fn check_digit(field: &str) -> char {
    let sum: u32 = field
        .chars()
        .zip([7, 3, 1].into_iter().cycle())
        .map(|(c, w)| value(c) * w)
        .sum();
    char::from_digit(sum % 10, 10).unwrap_or('0')
}

/// A name or number in the zone's characters: upper case A–Z and digits, spaces and hyphens as
/// `<`, every other letter by ICAO 9303 Part 3's transliteration (`crate::translit::latin`:
/// Azerbaijani Latin, Cyrillic, Georgian, Arabic script), anything else left out.
pub fn zone_letters(name: &str) -> String {
    crate::translit::latin(name)
        .chars()
        .filter_map(|c| match c {
            ' ' | '-' => Some('<'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_uppercase()),
            _ => None,
        })
        .collect()
}

fn padded(field: &str, width: usize) -> String {
    let mut s: String = field.chars().take(width).collect();
    while s.chars().count() < width {
        s.push('<');
    }
    s
}

/// The two lines of a TD3 zone.
pub fn td3(p: &Passport) -> [String; 2] {
    let name = format!(
        "{}<<{}",
        zone_letters(p.surname),
        zone_letters(p.given_names)
    );
    let line1 = padded(&format!("P<{}{}", padded(p.state, 3), name), 44);

    let number = padded(&zone_letters(p.number), 9);
    let birth = p.date_of_birth.format("%y%m%d").to_string();
    let expiry = p.expiry.format("%y%m%d").to_string();
    let personal = "<".repeat(14);
    let personal_check = '<';
    let fields = [
        format!("{number}{}", check_digit(&number)),
        padded(p.state, 3),
        format!("{birth}{}", check_digit(&birth)),
        p.sex.to_string(),
        format!("{expiry}{}", check_digit(&expiry)),
        format!("{personal}{personal_check}"),
    ];
    let composite: String = [&fields[0], &fields[2], &fields[4], &fields[5]]
        .iter()
        .map(|f| f.as_str())
        .collect();
    let line2 = format!("{}{}", fields.concat(), check_digit(&composite));
    [line1, line2]
}

/// The date of birth a TD3 zone's second line states, when its check digit holds (two-digit
/// years below `pivot` are read as 20xx, the others as 19xx).
pub fn birth_date(line2: &str, pivot: u32) -> Option<NaiveDate> {
    let digits: Vec<char> = line2.chars().collect();
    let field: String = digits.get(13..19)?.iter().collect();
    if digits.get(19).copied() != Some(check_digit(&field)) {
        return None;
    }
    let yy: u32 = field.get(0..2)?.parse().ok()?;
    let year = if yy < pivot { 2000 + yy } else { 1900 + yy };
    NaiveDate::from_ymd_opt(
        year as i32,
        field.get(2..4)?.parse().ok()?,
        field.get(4..6)?.parse().ok()?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    /// The specimen of ICAO Doc 9303 part 4 (Anna Maria Eriksson, Utopia).
    #[test]
    fn writes_the_icao_specimen_exactly() {
        let specimen = Passport {
            state: "UTO",
            surname: "Eriksson",
            given_names: "Anna Maria",
            number: "L898902C3",
            date_of_birth: date(1974, 8, 12),
            sex: 'F',
            expiry: date(2012, 4, 15),
        };
        let [line1, line2] = td3(&specimen);
        assert_eq!(line1, "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<");
        // The specimen carries a personal number; without one the zone has fillers and the
        // composite digit changes, so the first 28 characters are compared.
        assert_eq!(&line2[..28], "L898902C36UTO7408122F1204159");
        assert_eq!(line1.len(), 44);
        assert_eq!(line2.len(), 44);
    }

    #[test]
    fn check_digits_follow_the_7_3_1_weights() {
        assert_eq!(check_digit("L898902C3"), '6');
        assert_eq!(check_digit("740812"), '2');
        assert_eq!(check_digit("120415"), '9');
        assert_eq!(check_digit("<<<<<<"), '0');
    }

    #[test]
    fn azerbaijani_names_are_transliterated_into_the_zone() {
        assert_eq!(zone_letters("Məmmədova Şəhla-Gül"), "MAMMADOVA<SAHLA<GUL");
        assert_eq!(zone_letters("İsmayıllı Çingiz"), "ISMAYILLI<CINGIZ");
        assert_eq!(zone_letters("re4191606"), "RE4191606");
        assert_eq!(zone_letters("Гусейнов Эльчин"), "GUSEINOV<ELCHIN");
    }

    #[test]
    fn the_birth_date_is_read_back_only_when_its_check_digit_holds() {
        let p = Passport {
            state: "AZE",
            surname: "Əliyev",
            given_names: "Tural",
            number: "C01234567",
            date_of_birth: date(1990, 6, 14),
            sex: 'M',
            expiry: date(2031, 6, 14),
        };
        let [_, line2] = td3(&p);
        assert_eq!(birth_date(&line2, 30), Some(date(1990, 6, 14)));
        let mut broken: Vec<char> = line2.chars().collect();
        broken[19] = if broken[19] == '0' { '1' } else { '0' };
        assert_eq!(birth_date(&broken.iter().collect::<String>(), 30), None);
    }
}

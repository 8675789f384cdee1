//! How the states whose applicants the service sees most write their passports' numbers: a
//! shape per state (`C` and eight digits for Azerbaijan), used where a reader's output cannot
//! otherwise tell a letter from a digit. ICAO Doc 9303 leaves the number's format to each state
//! (nine characters at most); a state not listed here has no shape, and a number that does not
//! fit its state's shape is still read as it stands when nothing else is possible.

/// A passport number's shape: `A` stands for a letter, `9` for a digit, any other character for
/// itself.
pub type Shape = &'static str;

/// The shape of the ordinary passports `state` issues (its ICAO three-letter code).
pub fn shape(state: &str) -> Option<Shape> {
    Some(match state {
        // `C` and eight digits.
        "AZE" => "C99999999",
        // The passport for travel abroad: nine digits (a two-digit series, then seven).
        "RUS" => "999999999",
        "TUR" => "U99999999",
        "IRN" => "A99999999",
        "IND" => "A9999999",
        // The e-passport's series `E` and a letter, then seven digits.
        "CHN" => "EA9999999",
        "GEO" => "99AA99999",
        "UKR" => "AA999999",
        _ => return None,
    })
}

/// Whether `number` (without fillers) has `shape`.
pub fn fits(number: &str, shape: Shape) -> bool {
    number.len() == shape.len()
        && number.chars().zip(shape.chars()).all(|(c, s)| match s {
            'A' => c.is_ascii_uppercase(),
            '9' => c.is_ascii_digit(),
            s => c == s,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_fits_its_states_shape_and_only_it() {
        assert!(fits("C01234567", "C99999999"));
        assert!(!fits("C0123456", "C99999999"), "one digit short");
        assert!(!fits("D01234567", "C99999999"), "another series");
        assert!(fits("EK1234567", "EA9999999"));
        assert!(
            !fits("E51234567", "EA9999999"),
            "a digit where a letter stands"
        );
        assert!(fits("13AB45678", "99AA99999"));
        assert_eq!(shape("UTO"), None);
    }

    #[test]
    fn every_shape_fits_in_the_zones_nine_characters() {
        for state in ["AZE", "RUS", "TUR", "IRN", "IND", "CHN", "GEO", "UKR"] {
            let shape = shape(state).unwrap_or_default();
            assert!((1..=9).contains(&shape.len()), "{state}: {shape}");
        }
    }
}

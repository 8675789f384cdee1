//! Identifiers: the personal identification number (FIN) and passport numbers.

/// Checks a FIN: 7 characters, Latin capital letters and digits, never the letters I or O.
pub fn is_valid_fin(fin: &str) -> bool {
    fin.len() == 7
        && fin
            .bytes()
            .all(|b| b.is_ascii_digit() || (b.is_ascii_uppercase() && b != b'I' && b != b'O'))
}

/// A passport number in the form used for comparison: upper case, without spaces or dashes.
pub fn normalise_passport(number: &str) -> String {
    number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fin_rules() {
        assert!(is_valid_fin("5ZK9R2M"));
        assert!(is_valid_fin("1234567"));
        assert!(!is_valid_fin("5ZK9R2"), "too short");
        assert!(!is_valid_fin("5ZK9R2MM"), "too long");
        assert!(!is_valid_fin("5ZK9R2I"), "I is not used");
        assert!(!is_valid_fin("5ZK9R2O"), "O is not used");
        assert!(!is_valid_fin("5zk9r2m"), "lower case");
        assert!(!is_valid_fin("5ZK9R2Ə"), "not Latin");
    }

    #[test]
    fn passports_compare_normalised() {
        assert_eq!(normalise_passport(" c01x 00-t47 "), "C01X00T47");
        assert_eq!(
            normalise_passport("AB 1234567"),
            normalise_passport("ab1234567")
        );
    }
}

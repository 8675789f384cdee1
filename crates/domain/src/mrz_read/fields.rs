//! The fields a check digit covers, read back from a reader's output: a numeric field (dates),
//! and a document number, whose letters and digits a reader confuses with one another — settled
//! by its check digit, by the shape most states' numbers have, and by its own state's shape.

use super::{as_digit, as_letters};
use crate::mrz::check_digit;
use crate::passport_numbers::Shape;

/// Letters a reader takes for one another in the zone's font: round, and each read as `0`.
pub(super) const ROUND: [char; 3] = ['O', 'D', 'Q'];

/// A numeric field and its check digit, corrected only when the check then holds: the field
/// as read (or as corrected) and whether it was corrected; `None` when the digit does not hold
/// either way.
pub(super) fn numeric(field: &str, check: char) -> Option<(String, bool)> {
    if check_digit(field) == check {
        return Some((field.to_owned(), false));
    }
    let fixed: String = field.chars().map(as_digit).collect();
    (check_digit(&fixed) == as_digit(check)).then_some((fixed, true))
}

/// A document number (letters and digits) and its check digit: as read; else the one reading,
/// with a single confused character changed, whose digit holds — a letter read for a digit
/// first (numbers are mostly digits), then a digit read for a letter. Of several readings that
/// hold, the one shaped letters-then-digits when exactly one is; else no answer. (The composite
/// digit cannot decide: it weighs the number and its digit exactly as the number's own digit.)
pub(super) fn document_number(field: &str, check: char) -> Option<(String, bool)> {
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
        // Several readings hold: the one shaped like a passport number — its letters first,
        // then digits (`JI7044866`, not `J17D44866`) — when exactly one is.
        let shaped: Vec<&String> = fits.iter().filter(|f| letters_then_digits(f)).collect();
        match (fits.as_slice(), shaped.as_slice()) {
            ([], _) => {}
            ([one], _) => return Some((one.clone(), true)),
            (_, [one]) => return Some(((*one).clone(), true)),
            _ => return None,
        }
    }
    None
}

/// The reading of a document number `field` (nine characters, fillers after it) in the state's
/// `shape`, each character not fitting the shape taken as a reader confuses it (`5` where a
/// letter stands is `S`, `O` where a digit stands is `0`): the one that satisfies the check
/// digit (`true`), or, when none does, the likeliest (`false`); `None` when the shape allows no
/// reading or several satisfy the digit.
pub(super) fn shaped(field: &str, check: char, shape: Shape) -> Option<(String, bool)> {
    let check = as_digit(check);
    let likeliest = in_shape(field, shape, false).first()?.clone();
    // Letters as read first; only when no such reading holds, a round letter as another too.
    for round in [false, true] {
        let readings = in_shape(field, shape, round);
        let mut holding = readings.into_iter().filter(|r| check_digit(r) == check);
        match (holding.next(), holding.next()) {
            (Some(one), None) => return Some((one, true)),
            (None, _) => {}
            _ => return None,
        }
    }
    Some((likeliest, false))
}

/// The likeliest reading of a document number `field` in the state's `shape` (each character
/// as a reader most often confuses it), whatever its check digit says.
pub(super) fn likeliest(field: &str, shape: Shape) -> Option<String> {
    in_shape(field, shape, false).into_iter().next()
}

/// Every reading of `field` in `shape`, the likeliest first; with `round`, a round letter read
/// where a letter stands may be another round letter (`OR66…` for `DR66…`).
pub(super) fn in_shape(field: &str, shape: Shape, round: bool) -> Vec<String> {
    let wanted = format!("{shape:<<9}");
    spellings(field.chars().zip(wanted.chars()).map(|(c, want)| {
        match want {
            'A' if round && ROUND.contains(&c) => std::iter::once(c)
                .chain(ROUND.iter().copied().filter(|&r| r != c))
                .collect(),
            'A' if c.is_ascii_uppercase() => vec![c],
            'A' => as_letters(c).to_vec(),
            '9' => vec![as_digit(c)]
                .into_iter()
                .filter(char::is_ascii_digit)
                .collect(),
            want if c == want || as_digit(c) == as_digit(want) && as_digit(c).is_ascii_digit() => {
                vec![want]
            }
            want if as_letters(c).contains(&want) => vec![want],
            _ => Vec::new(),
        }
    }))
}

/// A number made of letters then digits (with fillers after them), as most states write them.
pub(super) fn letters_then_digits(number: &str) -> bool {
    let rest = number.trim_start_matches(|c: char| c.is_ascii_uppercase());
    rest.trim_end_matches('<')
        .chars()
        .all(|c| c.is_ascii_digit())
}

/// Every word spelt by taking one of each position's `choices` in turn, the first choices'
/// first; none when a position has no choice.
pub(super) fn spellings(choices: impl IntoIterator<Item = Vec<char>>) -> Vec<String> {
    let mut words = vec![String::new()];
    for choice in choices {
        words = words
            .iter()
            .flat_map(|w| choice.iter().map(move |&c| format!("{w}{c}")))
            .collect();
    }
    words
}

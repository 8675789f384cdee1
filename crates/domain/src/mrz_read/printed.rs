//! The visual zone: what the page prints in letters beside its machine-readable zone (ICAO 9303
//! Part 3 calls it the visual inspection zone) — the holder's names and the document's number —
//! used only to settle what a reader's output of the zone cannot settle itself:
//!
//! - a document number whose check digit several readings satisfy (`0B7834571` fits both as
//!   `087834571` and as `DB7834571`), or that no single correction explains: the page's number
//!   is taken when *the zone's own check digit* holds for it and it is the number read up to the
//!   reader's usual confusions and one more character. A number printed differently in the zone
//!   (a forgery, a misprint) almost never satisfies the zone's digit, so it is not hidden.
//! - a name that lost or gained a narrow letter (`ARUN` for `ARJUN`, `SMAYIIL` for `ISMAYIL`):
//!   no check digit covers names, and a recogniser drops a thin `I`, `J` or `L` more than any
//!   other letter. The page's name is taken when the two differ *only* in those letters.
//!
//! A text layer's zone is what was written and is never settled this way.

use super::as_digit;
use crate::mrz::{check_digit, zone_letters};

/// Letters a recogniser loses or doubles most: the narrowest of the zone's font.
pub(super) const NARROW: [char; 3] = ['I', 'J', 'L'];

/// Marks a recogniser writes for a narrow letter it did not know: `AR)UN` is `ARJUN` as the
/// demo's identity pages were read (a bar for an `I`, a bracket for the `J`'s hook).
const MARKS: [char; 4] = ['|', '!', ')', ']'];

/// `word` with each mark standing between two letters made the narrow letter it stands for;
/// other marks are left out by the zone's transliteration.
fn marks_as_letters(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let letter = |i: Option<usize>| {
        i.and_then(|i| chars.get(i))
            .is_some_and(|c| c.is_alphabetic())
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| match c {
            '|' | '!' if letter(i.checked_sub(1)) && letter(Some(i + 1)) => 'I',
            ')' | ']' if letter(i.checked_sub(1)) && letter(Some(i + 1)) => 'J',
            c => c,
        })
        .collect()
}

/// The words of a page's text outside its zone, in the zone's characters.
pub(super) struct Printed {
    words: Vec<String>,
}

impl Printed {
    /// The words of `text`'s lines that are not zone lines, each transliterated as the zone
    /// writes names (`Hüseynov` is `HUSEYNOV`).
    pub(super) fn of(text: &str) -> Printed {
        let mut words: Vec<String> = text
            .lines()
            .filter(|line| super::zone_line(line).is_none())
            .flat_map(|line| line.split(|c: char| !c.is_alphanumeric() && !MARKS.contains(&c)))
            .map(|word| zone_letters(&marks_as_letters(word)))
            .filter(|w| w.len() >= 2 && !w.contains('<'))
            .collect();
        words.sort_unstable();
        words.dedup();
        Printed { words }
    }

    /// The page's number for the zone's number field `read` (nine characters with fillers)
    /// whose check digit reads `check`: the one word of the page, nine characters or fewer
    /// with a digit, that satisfies that check digit and is `read` but for the reader's usual
    /// confusions and at most one other character.
    pub(super) fn number(&self, read: &str, check: char) -> Option<String> {
        let check = as_digit(check);
        let read = read.trim_end_matches('<');
        let confused = |w: &str| -> Vec<char> { w.chars().map(as_digit).collect() };
        let read_as = confused(read);
        let mut fits = self.words.iter().filter(|w| {
            w.len() <= 9
                && w.chars().any(|c| c.is_ascii_digit())
                && check_digit(w) == check
                && w.len() == read.len()
                && confused(w)
                    .iter()
                    .zip(&read_as)
                    .filter(|(a, b)| a != b)
                    .count()
                    <= 1
        });
        match (fits.next(), fits.next()) {
            (Some(one), None) => Some(one.clone()),
            _ => None,
        }
    }

    /// The page's spelling of the name `read` (one name, letters only) when the two differ only
    /// in narrow letters, only one word of the page is such, and the page does not print `read`
    /// itself.
    pub(super) fn name(&self, read: &str) -> Option<&str> {
        let broad = |w: &str| -> String { w.chars().filter(|c| !NARROW.contains(c)).collect() };
        let read_broad = broad(read);
        if read_broad.len() < 2 || self.words.iter().any(|w| w == read) {
            return None;
        }
        let mut fits = self
            .words
            .iter()
            .filter(|w| w.as_str() != read && w.chars().all(|c| c.is_ascii_uppercase()))
            .filter(|w| broad(w) == read_broad);
        match (fits.next(), fits.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }

    /// `names` (names separated by spaces, as a zone's field is read) with each name the page
    /// spells with other narrow letters spelt as the page does.
    pub(super) fn names(&self, names: &str) -> String {
        names
            .split(' ')
            .map(|name| self.name(name).unwrap_or(name))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

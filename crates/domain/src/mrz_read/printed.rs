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
use super::fields::{ROUND, in_shape, shaped, spellings};
use crate::mrz::{check_digit, zone_letters};
use crate::passport_numbers::{Shape, fits};

/// A `W` and the `V` a recogniser reads for it when its middle strokes are lost.
const VW: [char; 2] = ['V', 'W'];

/// Letters a recogniser loses or doubles most: the narrowest of the zone's font.
pub(super) const NARROW: [char; 3] = ['I', 'J', 'L'];

/// Marks a recogniser writes for a narrow letter it did not know: `AR)UN` is `ARJUN` as the
/// demo's identity pages were read (a bar for an `I`, a bracket for the `J`'s hook), and a
/// bracket or brace ending a name its last `I`.
const MARKS: [char; 5] = ['|', '!', ')', ']', '}'];

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
            // Ending a word after a letter, any of them is its last `I` (`KARIM]`, `HOSSEIN}`);
            // opening one before a letter, a bar its first `I`, a bracket its `J` (`!YER`, `)UN`).
            _ if MARKS.contains(&c) && letter(i.checked_sub(1)) && i + 1 == chars.len() => 'I',
            ')' | ']' if i == 0 && letter(Some(1)) => 'J',
            _ if MARKS.contains(&c) && i == 0 && letter(Some(1)) => 'I',
            c => c,
        })
        .collect()
}

/// `word` (upper case) with its marks read as each narrow character they may stand for, in the
/// zone's characters.
fn marks_read(word: &str) -> Vec<String> {
    spellings(word.chars().map(|c| match c {
        c if MARKS.contains(&c) => vec!['I', 'J', 'L', '1'],
        c => vec![c],
    }))
    .iter()
    .map(|r| zone_letters(r))
    .collect()
}

/// The words of a page's text outside its zone, in the zone's characters.
pub(super) struct Printed {
    words: Vec<String>,
    /// The page's words with a digit, each mark in them read as each narrow character it may
    /// stand for (`2)449326` as `2J449326`, `2I449326`, …): a mark beside a digit is not made
    /// a letter in `words`.
    numbers: Vec<String>,
}

impl Printed {
    /// The words of `text`'s lines that are not zone lines, each transliterated as the zone
    /// writes names (`Hüseynov` is `HUSEYNOV`).
    pub(super) fn of(text: &str) -> Printed {
        let raw: Vec<&str> = text
            .lines()
            .filter(|line| super::zone_line(line).is_none())
            .flat_map(|line| line.split(|c: char| !c.is_alphanumeric() && !MARKS.contains(&c)))
            .collect();
        let mut words: Vec<String> = raw
            .iter()
            .map(|word| zone_letters(&marks_as_letters(word)))
            .filter(|w| w.len() >= 2 && !w.contains('<'))
            .collect();
        words.sort_unstable();
        words.dedup();
        let number_like = |w: &str| w.chars().any(|c| c.is_ascii_digit()) && w.len() <= 9;
        let mut numbers: Vec<String> = raw
            .iter()
            .filter(|w| number_like(w))
            .flat_map(|w| {
                let upper = w.to_uppercase();
                let marks = upper.chars().filter(|c| MARKS.contains(c)).count();
                // Two marks at the most (sixteen readings); a word of marks is no number.
                let readings = if marks <= 2 {
                    marks_read(&upper)
                } else {
                    Vec::new()
                };
                readings
                    .into_iter()
                    .chain(std::iter::once(zone_letters(&upper)))
            })
            .collect();
        numbers.extend(words.iter().filter(|w| number_like(w)).cloned());
        // A transliteration may have lengthened a word past a zone number's nine characters.
        numbers.retain(|w| w.len() <= 9);
        numbers.sort_unstable();
        numbers.dedup();
        Printed { words, numbers }
    }

    /// The page's number for the zone's number field `read` (nine characters with fillers)
    /// whose check digit reads `check`: the one word of the page, nine characters or fewer
    /// with a digit, that satisfies that check digit and is `read` but for the reader's usual
    /// confusions and (with `other`) at most one other character.
    ///
    /// With the state's `shape`, a page's number not in it is read in it first (`2J449326` as
    /// `ZJ449326`), as the zone's own number is.
    pub(super) fn number(
        &self,
        read: &str,
        check: char,
        shape: Option<Shape>,
        other: bool,
    ) -> Option<String> {
        let read = read.trim_end_matches('<');
        let confused = |w: &str| -> Vec<char> { w.chars().map(as_digit).collect() };
        let read_as = confused(read);
        let candidates: Vec<String> = self
            .numbers
            .iter()
            .map(|w| match shape {
                Some(shape) if !fits(w, shape) => match shaped(&format!("{w:<<9}"), check, shape) {
                    Some((number, true)) => number.trim_end_matches('<').to_owned(),
                    _ => w.clone(),
                },
                _ => w.clone(),
            })
            .collect();
        let check = as_digit(check);
        let mut fits = candidates.iter().filter(|w| {
            w.len() <= 9
                && w.chars().any(|c| c.is_ascii_digit())
                && check_digit(w) == check
                && w.len() == read.len()
                && confused(w)
                    .iter()
                    .zip(&read_as)
                    .filter(|(a, b)| a != b)
                    .count()
                    <= usize::from(other)
        });
        let one = fits.next()?;
        // The same number reached from two of the page's words is still one.
        fits.all(|other| other == one).then(|| one.clone())
    }

    /// Whether the page prints the number `number` (fillers after it ignored): as it stands, or,
    /// with the state's `shape`, read in it (`68B195069` is `68BI95069` in Georgia's).
    pub(super) fn prints_number(&self, number: &str, shape: Option<Shape>) -> bool {
        let number = number.trim_end_matches('<');
        self.numbers.iter().any(|w| {
            w == number
                || shape.is_some_and(|shape| {
                    !fits(w, shape)
                        && in_shape(&format!("{w:<<9}"), shape, false)
                            .iter()
                            .any(|r| r.trim_end_matches('<') == number)
                })
        })
    }

    /// The page's spelling of the name `read` (one name, letters only) when the two differ only
    /// in narrow letters, only one word of the page is such, and the page does not print `read`
    /// itself.
    pub(super) fn name(&self, read: &str) -> Option<&str> {
        let broad = |w: &str| -> String { w.chars().filter(|c| !NARROW.contains(c)).collect() };
        let read_broad = broad(read);
        if read_broad.len() < 2 {
            return None;
        }
        self.unique(read, |w| broad(w) == read_broad)
    }

    /// The page's spelling of the name `read` when it differs only in letters a reader takes
    /// for each other in the zone's font — round ones (`BERIOZE` for `BERIDZE`), or a `W` that
    /// lost its middle strokes (`VEI` for `WEI`) —, and only one word of the page is such.
    pub(super) fn round(&self, read: &str) -> Option<&str> {
        let alike = |a: char, b: char| {
            a == b
                || (ROUND.contains(&a) && ROUND.contains(&b))
                || (VW.contains(&a) && VW.contains(&b))
        };
        self.unique(read, |w| {
            w.len() == read.len() && w.chars().zip(read.chars()).all(|(a, b)| alike(a, b))
        })
    }

    /// `surname` without a last `K` that is a filler before the separator misread (as in
    /// [`Printed::separator`]): when the page prints the surname without it and not with it.
    pub(super) fn filler_as_k(&self, surname: &str) -> Option<String> {
        let last = surname.rsplit(' ').next()?;
        let stem = last.strip_suffix('K')?;
        (stem.len() >= 2 && !self.prints(last) && self.prints(stem))
            .then(|| surname[..surname.len() - 1].to_owned())
    }

    /// Whether the page prints `word`.
    pub(super) fn prints(&self, word: &str) -> bool {
        self.words
            .binary_search_by(|w| w.as_str().cmp(word))
            .is_ok()
    }

    /// The one word of the page, in letters only, other than `read` that `fits`, of those that
    /// do the one nearest `read` in length (a page printing `ISMAYILLI` and `ISMAYIL`: `SMAYIL`
    /// is the second); none when the page prints `read` itself or `read` is a single letter.
    fn unique(&self, read: &str, fits: impl Fn(&str) -> bool) -> Option<&str> {
        if read.len() < 2 || self.prints(read) {
            return None;
        }
        let found: Vec<&str> = self
            .words
            .iter()
            .filter(|w| w.as_str() != read && w.chars().all(|c| c.is_ascii_uppercase()))
            .filter(|w| fits(w))
            .map(String::as_str)
            .collect();
        let distance = |w: &&str| w.len().abs_diff(read.len());
        let nearest = found.iter().map(distance).min()?;
        let mut near = found.iter().filter(|w| distance(w) == nearest);
        match (near.next(), near.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }

    /// The names' field `field` (fillers after the names cut off) with one letter beside a
    /// single filler made the separator's second filler (`BONDARENKOK<TARAS` is
    /// `BONDARENKO<<TARAS`: a reader takes `<` for `K`), when the field has no separator, the
    /// page prints every surname and the first given name so split, and only one letter does so.
    pub(super) fn separator(&self, field: &str) -> Option<String> {
        if field.contains("<<") {
            return None;
        }
        let on_page = |word: &str| self.prints(word);
        let chars: Vec<char> = field.chars().collect();
        let beside_filler =
            |i: usize| (i > 0 && chars[i - 1] == '<') || chars.get(i + 1) == Some(&'<');
        let mut fits = (0..chars.len())
            .filter(|&i| chars[i].is_ascii_uppercase() && beside_filler(i))
            .filter_map(|i| {
                let mut candidate = chars.clone();
                candidate[i] = '<';
                let candidate: String = candidate.into_iter().collect();
                let (surname, given) = candidate.split_once("<<")?;
                let first_given = given.split('<').next()?;
                (!surname.is_empty() && surname.split('<').all(on_page) && on_page(first_given))
                    .then_some(candidate)
            });
        match (fits.next(), fits.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }

    /// `names` with each name the page spells with narrow letters the zone's reading lost put
    /// back, no more than `missing` in all (counted down).
    pub(super) fn names_lost(&self, names: &str, missing: &mut usize) -> String {
        names
            .split(' ')
            .map(|name| match self.unique(name, |w| lost_narrow(name, w)) {
                Some(page) if page.len() - name.len() <= *missing => {
                    *missing -= page.len() - name.len();
                    page
                }
                _ => name,
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// `names` (names separated by spaces, as a zone's field is read) with each name the page
    /// spells with other round letters, or (with `narrow`) other narrow letters, spelt as the
    /// page does.
    pub(super) fn names(&self, names: &str, narrow: bool) -> String {
        names
            .split(' ')
            .map(|name| {
                narrow
                    .then(|| self.name(name))
                    .flatten()
                    .or_else(|| self.round(name))
                    .unwrap_or(name)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Whether `page` is `read` with narrow letters added and none taken away.
fn lost_narrow(read: &str, page: &str) -> bool {
    let mut rest = read.chars().peekable();
    for c in page.chars() {
        if rest.peek() == Some(&c) {
            rest.next();
        } else if !NARROW.contains(&c) {
            return false;
        }
    }
    rest.next().is_none() && page.len() > read.len()
}

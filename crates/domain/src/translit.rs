//! Names across scripts. An applicant's name is written in Azerbaijani Latin on the form, in
//! Latin capitals in a passport's machine-readable zone (ICAO Doc 9303 Part 3), and in Cyrillic
//! on a Russian or Soviet document, Georgian on a Georgian one, Persian or Arabic script on an
//! Iranian one. `Hüseynov`, `HUSEYNOV` and `Гусейнов` are one name.
//!
//! Two tools:
//! - [`latin`]: a text in the zone's letters, by ICAO 9303 Part 3's tables (Cyrillic, Georgian,
//!   Arabic script) and the Azerbaijani Latin letters' usual transliteration — what a passport
//!   of that script writes in its zone (`Гусейнов` → `GUSEINOV`).
//! - [`name_key`], [`same_name`] and [`find_name`]: a comparison key that meets the spellings
//!   transliteration makes of one name in another script. Russian writes Azerbaijani `h`, `q`
//!   and `ğ` as `г` (`Həsənov` is `Гасанов`, `Quliyev` is `Гулиев`) and `y` as `й`; Azerbaijani
//!   Cyrillic writes `q` as `г` and `g` as `ҝ`; so `g`, `ğ`, `h`, `q` meet, and `y`, `i`, `ı`,
//!   `j`-as-`y` meet, and a letter doubled in one spelling and single in another (`Məmmədov`,
//!   `Мамедов`'s `м`) meets. Vowels other than these are kept apart: `Əli` and `Eli` stay two
//!   names. Persian and Arabic script leave short vowels unwritten, so a name in that script is
//!   compared by its consonants (`محمد` is `Məhəmməd`). Two names both in Latin letters are
//!   compared letter by letter in the zone's letters (`Məmmədov` is `MAMMADOV`, `Aliyev` is not
//!   `Alyyev`): the loose key is for crossing scripts, not for forgiving a misspelling.

/// One character in the zone's letters (ICAO 9303 Part 3), or `None` when it has none (an
/// ASCII letter or digit, which stands for itself; punctuation; a sign that stands for no sound).
fn icao(c: char) -> Option<&'static str> {
    if c.is_ascii() {
        return None;
    }
    let upper = match c {
        // Georgian is written without case; its capitals (Mtavruli) are read as the letters.
        '\u{10d0}'..='\u{10ff}' => c,
        '\u{1c90}'..='\u{1cbf}' => char::from_u32(u32::from(c) - 0x1c90 + 0x10d0).unwrap_or(c),
        'ı' => 'İ',
        _ => c.to_uppercase().next().unwrap_or(c),
    };
    Some(match upper {
        // Azerbaijani and other Latin letters.
        'Ə' => "A",
        'Ş' | 'Ś' | 'Š' | 'Ș' => "S",
        'Ç' | 'Ć' | 'Č' => "C",
        'Ğ' => "G",
        'İ' | 'Í' | 'Ì' | 'Î' | 'Ï' => "I",
        'Ö' | 'Ó' | 'Ò' | 'Ô' | 'Õ' => "O",
        'Ü' | 'Ú' | 'Ù' | 'Û' => "U",
        'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' => "A",
        'É' | 'È' | 'Ê' | 'Ë' => "E",
        'Ñ' => "N",
        'Ž' | 'Ź' | 'Ż' => "Z",
        // Cyrillic, ICAO 9303 Part 3 table, with the Azerbaijani, Ukrainian and Belarusian
        // letters.
        'А' => "A",
        'Б' => "B",
        'В' => "V",
        'Г' => "G",
        'Ґ' => "G",
        'Д' => "D",
        'Е' | 'Ё' | 'Є' | 'Э' => "E",
        'Ж' => "ZH",
        'З' => "Z",
        'И' | 'І' => "I",
        'Ї' => "I",
        'Й' => "I",
        'К' => "K",
        'Л' => "L",
        'М' => "M",
        'Н' => "N",
        'О' => "O",
        'П' => "P",
        'Р' => "R",
        'С' => "S",
        'Т' => "T",
        'У' | 'Ў' => "U",
        'Ф' => "F",
        'Х' => "KH",
        'Ц' => "TS",
        'Ч' => "CH",
        'Ш' => "SH",
        'Щ' => "SHCH",
        'Ъ' => "IE",
        'Ы' => "Y",
        'Ю' => "IU",
        'Я' => "IA",
        'Ә' => "A",
        'Ғ' => "G",
        'Ҝ' => "G",
        'Һ' => "H",
        'Ј' => "Y",
        'Ҹ' => "C",
        'Ө' => "O",
        'Ү' => "U",
        // Georgian (Mkhedruli), ICAO 9303 Part 3 table.
        'ა' => "A",
        'ბ' => "B",
        'გ' => "G",
        'დ' => "D",
        'ე' => "E",
        'ვ' => "V",
        'ზ' => "Z",
        'თ' => "T",
        'ი' => "I",
        'კ' => "K",
        'ლ' => "L",
        'მ' => "M",
        'ნ' => "N",
        'ო' => "O",
        'პ' => "P",
        'ჟ' => "ZH",
        'რ' => "R",
        'ს' => "S",
        'ტ' => "T",
        'უ' => "U",
        'ფ' => "P",
        'ქ' => "K",
        'ღ' => "GH",
        'ყ' => "Q",
        'შ' => "SH",
        'ჩ' => "CH",
        'ც' => "TS",
        'ძ' => "DZ",
        'წ' => "TS",
        'ჭ' => "CH",
        'ხ' => "KH",
        'ჯ' => "J",
        'ჰ' => "H",
        // Arabic script (Persian letters included), ICAO 9303 Part 3 table; short vowels are
        // not written, and the signs for them are left out.
        'ا' | 'آ' | 'أ' | 'إ' => "A",
        'ب' => "B",
        'پ' => "P",
        'ت' | 'ط' | 'ة' => "T",
        'ث' => "TH",
        'ج' => "J",
        'چ' => "CH",
        'ح' | 'ه' | 'ۀ' => "H",
        'خ' => "KH",
        'د' => "D",
        'ذ' => "DH",
        'ر' => "R",
        'ز' | 'ظ' | 'ض' => "Z",
        'ژ' => "ZH",
        'س' | 'ص' => "S",
        'ش' => "SH",
        'ع' | 'ء' | 'ئ' | 'ؤ' => "",
        'غ' => "GH",
        'ف' => "F",
        'ق' => "Q",
        'ک' | 'ك' => "K",
        'گ' => "G",
        'ل' => "L",
        'م' => "M",
        'ن' => "N",
        'و' => "W",
        'ی' | 'ي' | 'ى' => "Y",
        _ => return Option::None,
    })
}

/// `text` in the zone's letters: upper-case A–Z and digits, each other letter by ICAO 9303
/// Part 3's tables (`Гусейнов` → `GUSEINOV`, `Məmmədova` → `MAMMADOVA`); spaces, hyphens and
/// everything without a transliteration as they are.
pub fn latin(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match icao(c) {
            Some(s) => out.push_str(s),
            None if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
            None if is_mark(c) => {}
            None => out.push(c),
        }
    }
    out
}

/// A combining mark or a sign written over or beside a letter: the Cyrillic soft sign, Arabic
/// vowel signs, the dot a lower-casing leaves on `i̇`.
fn is_mark(c: char) -> bool {
    matches!(c, 'ь' | 'Ь' | '\u{0300}'..='\u{036f}' | '\u{064b}'..='\u{065f}' | '\u{0670}')
}

/// Persian and Arabic letters (short vowels unwritten): a name in them is compared by its
/// consonants.
fn is_abjad(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06ff}' | '\u{0750}'..='\u{077f}' | '\u{fb50}'..='\u{fdff}' | '\u{fe70}'..='\u{feff}')
}

/// The comparison key of one character: lower-case ASCII letters and digits, with the letters
/// transliteration confuses made one (`g` for g, ğ, h, q; `i` for i, ı, y, й, ј; `x` for x, х,
/// ხ, خ; `j` for ж, j). `None`: the character is no letter or digit (a space, punctuation).
fn key_of(c: char) -> Option<&'static str> {
    let ascii: &str = match c {
        'a'..='z' | 'A'..='Z' => {
            return Some(match c.to_ascii_lowercase() {
                'h' | 'q' => "g",
                'y' => "i",
                'w' => "v",
                l => LOWER[usize::from(l as u8 - b'a')],
            });
        }
        '0'..='9' => return Some(DIGITS[usize::from(c as u8 - b'0')]),
        'Х' | 'х' | 'ხ' | 'خ' => "x",
        'Ж' | 'ж' | 'ჟ' | 'ژ' => "j",
        'Ъ' | 'ъ' => "",
        'Ч' | 'ч' | 'Ҹ' | 'ҹ' | 'ჩ' | 'ჭ' | 'چ' => "c",
        'Ш' | 'ш' | 'Щ' | 'щ' | 'შ' | 'ش' => "s",
        'Ц' | 'ц' | 'ც' | 'წ' => "ts",
        'ღ' | 'غ' => "g",
        'Ә' | 'ә' | 'Ə' | 'ə' => "a",
        'Ы' | 'ы' => "i",
        _ if is_mark(c) => "",
        _ => {
            let latin = icao(c)?;
            return Some(match latin {
                "" => "",
                "A" => "a",
                "B" => "b",
                "C" => "c",
                "D" => "d",
                "E" => "e",
                "F" => "f",
                "G" | "H" | "Q" => "g",
                "I" | "Y" => "i",
                "J" => "j",
                "K" => "k",
                "L" => "l",
                "M" => "m",
                "N" => "n",
                "O" => "o",
                "P" => "p",
                "R" => "r",
                "S" => "s",
                "T" => "t",
                "U" => "u",
                "V" => "v",
                "W" => "v",
                "Z" => "z",
                "IU" => "iu",
                "IA" => "ia",
                "TH" => "t",
                "DH" => "z",
                "DZ" => "dz",
                _ => return None,
            });
        }
    };
    Some(ascii)
}

const LOWER: [&str; 26] = [
    "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s",
    "t", "u", "v", "w", "x", "y", "z",
];
const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// One comparison-key character and the characters of the text it came from (first and last,
/// as character indices).
type Keyed = (char, usize, usize);

/// The text as comparison-key characters, each with the characters of the text it came from;
/// Latin digraphs are read as the letter they write (`zh` as `ж`, `kh` as `х`, `sh`, `ch`); a
/// letter that repeats the key before it is left out (`mm` is `m`), and any run of characters
/// without a key is one space.
fn keyed(text: &str) -> Vec<Keyed> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<Keyed> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let before_h = chars.get(i + 1).is_some_and(|n| matches!(n, 'h' | 'H'));
        let (key, width) = match c.to_ascii_lowercase() {
            'z' if before_h => (Some("j"), 2),
            'k' if before_h => (Some("x"), 2),
            's' if before_h => (Some("s"), 2),
            'c' if before_h => (Some("c"), 2),
            _ => (key_of(c), 1),
        };
        let last = i + width - 1;
        match key {
            Some(key) => {
                for k in key.chars() {
                    match out.last_mut() {
                        Some(prev) if prev.0 == k => prev.2 = last,
                        _ => out.push((k, i, last)),
                    }
                }
            }
            None => {
                if out.last().is_some_and(|&(prev, _, _)| prev != ' ') {
                    out.push((' ', i, last));
                }
            }
        }
        i += width;
    }
    if out.last().is_some_and(|&(last, _, _)| last == ' ') {
        out.pop();
    }
    out
}

/// The comparison key of a name: `Hüseynov`, `HUSEYNOV` and `Гусейнов` all key `guseinov`.
pub fn name_key(text: &str) -> String {
    keyed(text).into_iter().map(|(k, _, _)| k).collect()
}

/// A letter of a script other than Latin that [`key_of`] reads: Cyrillic, Georgian, Persian and
/// Arabic.
fn is_other_script(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04ff}' | '\u{10a0}'..='\u{10ff}' | '\u{1c90}'..='\u{1cbf}')
        || is_abjad(c)
}

/// The comparison keys of the words of `text` written in another script than Latin, space
/// separated: what a search index adds beside a document's text so that a name typed in Latin
/// finds it written in Cyrillic (`Гусейнов` adds `guseinov`).
pub fn search_keys(text: &str) -> String {
    text.split(|c: char| !(c.is_alphanumeric() || is_mark(c)))
        .filter(|w| w.chars().any(is_other_script))
        .map(name_key)
        .filter(|k| !k.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A key without its vowels and the letters Persian and Arabic script write for them (`v` for
/// `و`, `i` kept: `ی` is written), as a name in that script is compared.
fn consonants(key: &str) -> String {
    let mut out = String::new();
    for k in key
        .chars()
        .filter(|k| !matches!(k, 'a' | 'e' | 'o' | 'u' | 'v'))
    {
        if !out.ends_with(k) {
            out.push(k);
        }
    }
    out
}

/// A Latin text in the zone's letters, lower case, each character with its index; a letter of
/// another script is `None` (it never meets a Latin letter here), and any run of characters
/// without a letter or digit is one space.
fn strict(text: &str) -> Vec<(Option<char>, usize)> {
    let mut out: Vec<(Option<char>, usize)> = Vec::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        if is_mark(c) {
            continue;
        }
        if is_other_script(c) {
            out.push((None, i));
            continue;
        }
        let letters = match icao(c) {
            Some(l) => l,
            None if c.is_ascii_alphanumeric() => {
                out.push((Some(c.to_ascii_lowercase()), i));
                continue;
            }
            None => "",
        };
        if letters.is_empty() {
            if out.last().is_some_and(|&(k, _)| k != Some(' ')) {
                out.push((Some(' '), i));
            }
            continue;
        }
        out.extend(letters.chars().map(|l| (Some(l.to_ascii_lowercase()), i)));
    }
    while out.last().is_some_and(|&(k, _)| k == Some(' ')) {
        out.pop();
    }
    out
}

/// Whether `a` and `b` name the same person: letter by letter in the zone's letters when both
/// are written in Latin letters, by their keys across scripts when either is not.
pub fn same_name(a: &str, b: &str) -> bool {
    if a.chars().chain(b.chars()).any(is_other_script) {
        name_key(a) == name_key(b)
    } else {
        strict(a)
            .iter()
            .map(|&(k, _)| k)
            .eq(strict(b).iter().map(|&(k, _)| k))
    }
}

/// Where the name `name` (one word or more, in Latin letters) stands in `text`, as ranges of
/// character indices (end exclusive): written in Latin letters as the name is, letter by letter
/// in the zone's letters; written in another script, by the keys across scripts (a Persian or
/// Arabic word by its consonants).
pub fn find_name(text: &str, name: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let needle: Vec<Option<char>> = strict(name).into_iter().map(|(k, _)| k).collect();
    let hay = strict(text);
    // Letter by letter only for a name written in Latin letters.
    let latin_name = needle.iter().all(Option::is_some);
    if latin_name && !needle.is_empty() && needle.len() <= hay.len() {
        for start in 0..=hay.len() - needle.len() {
            let window = &hay[start..start + needle.len()];
            if window.iter().map(|&(k, _)| k).eq(needle.iter().copied()) {
                found.push((window[0].1, window[needle.len() - 1].1 + 1));
            }
        }
    }
    let chars: Vec<char> = text.chars().collect();
    let needle: Vec<char> = name_key(name).chars().collect();
    let hay = keyed(text);
    if !needle.is_empty() && needle.len() <= hay.len() {
        for start in 0..=hay.len() - needle.len() {
            let window = &hay[start..start + needle.len()];
            let (from, to) = (window[0].1, window[needle.len() - 1].2 + 1);
            if window.iter().map(|&(k, _, _)| k).eq(needle.iter().copied())
                && chars[from..to]
                    .iter()
                    .any(|&c| is_other_script(c) && !is_abjad(c))
            {
                found.push((from, to));
            }
        }
    }
    // Words in Persian or Arabic script, compared by their consonants, whole.
    let skeleton = consonants(&needle.iter().collect::<String>());
    if skeleton.chars().count() >= 2 {
        let mut i = 0;
        while i < chars.len() {
            if !is_abjad(chars[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len() && (is_abjad(chars[i]) || is_mark(chars[i])) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if consonants(&name_key(&word)) == skeleton {
                found.push((start, i));
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_in_cyrillic_azerbaijani_latin_and_the_zone_is_one_name() {
        for spelling in ["Гусейнов", "Huseynov", "Hüseynov", "HUSEYNOV", "ҺҮСЕЈНОВ"]
        {
            assert_eq!(name_key(spelling), "guseinov", "{spelling}");
        }
        for (a, b) in [
            ("Quliyev", "Гулиев"),
            ("Həsənov", "Гасанов"),
            ("Məmmədova Şəhla", "MAMMADOVA SAHLA"),
            ("Xəlilov", "Халилов"),
            ("Cəfər", "Ҹәфәр"),
            ("Yusif", "Юсиф"),
            ("Zhvania", "ჟვანია"),
            ("Giorgi Beridze", "გიორგი ბერიძე"),
        ] {
            assert_eq!(name_key(a), name_key(b), "{a} / {b}");
        }
        // Names that differ stay apart.
        for (a, b) in [("Əli", "Eli"), ("Orxan", "Arxan"), ("Aysel", "Aysun")] {
            assert_ne!(name_key(a), name_key(b), "{a} / {b}");
        }
    }

    #[test]
    fn latin_spellings_are_compared_letter_by_letter_and_scripts_by_their_keys() {
        for (a, b) in [
            ("Məmmədova Şəhla", "MAMMADOVA SAHLA"),
            ("Hüseynov", "HUSEYNOV"),
            ("Гусейнов", "HUSEYNOV"),
            ("Гулиев", "Quliyev"),
        ] {
            assert!(same_name(a, b), "{a} / {b}");
        }
        // A misspelling in the same script is a difference, whatever a transliteration allows.
        for (a, b) in [
            ("Aliyev", "Alyyev"),
            ("Şahin", "Shahin"),
            ("Hüseynov", "Huseinov"),
        ] {
            assert!(!same_name(a, b), "{a} / {b}");
        }
        let latin = "Name: ALYYEV";
        assert_eq!(find_name(latin, "Aliyev"), Vec::<(usize, usize)>::new());
        // A name written in Cyrillic is looked for by its key, not as any Cyrillic word.
        assert_eq!(
            find_name("Петров", "Гусейнов"),
            Vec::<(usize, usize)>::new()
        );
        assert_eq!(find_name("Гусейнов", "Hüseynov"), [(0, 8)]);
    }

    #[test]
    fn only_words_of_other_scripts_add_search_keys() {
        assert_eq!(
            search_keys("Заявитель: Гусейнов Эльвин, pasport C01234567, ჟვანია"),
            "zaiavitel guseinov elvin jvania"
        );
        assert_eq!(search_keys("Hüseynov Elvin"), "");
    }

    #[test]
    fn text_is_written_in_the_zones_letters_by_the_icao_tables() {
        assert_eq!(latin("Гусейнов"), "GUSEINOV");
        assert_eq!(latin("Щукина Юлия"), "SHCHUKINA IULIIA");
        assert_eq!(latin("Məmmədova Şəhla-Gül"), "MAMMADOVA SAHLA-GUL");
        assert_eq!(latin("ჟვანია"), "ZHVANIA");
        assert_eq!(latin("Ольга"), "OLGA");
        assert_eq!(latin("re 4191606"), "RE 4191606");
    }

    #[test]
    fn a_name_is_found_in_any_script_and_in_persian_by_its_consonants() {
        let text = "Ф.И.О.: Гусейнов Эльчин\nName: HUSEYNOV ELCIN";
        let found: Vec<String> = find_name(text, "Hüseynov")
            .into_iter()
            .map(|(a, b)| text.chars().skip(a).take(b - a).collect())
            .collect();
        assert_eq!(found, ["Гусейнов", "HUSEYNOV"]);
        let persian = "نام: محمد حسین";
        let words: Vec<String> = ["Məhəmməd", "Hüseyn", "Həsən"]
            .iter()
            .map(|name| {
                find_name(persian, name)
                    .into_iter()
                    .map(|(a, b)| persian.chars().skip(a).take(b - a).collect::<String>())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect();
        assert_eq!(words, ["محمد", "حسین", ""]);
        assert_eq!(find_name(text, ""), Vec::<(usize, usize)>::new());
    }
}

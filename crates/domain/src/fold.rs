//! Azerbaijani text rules: case folding for search, and alphabetical order.
//!
//! A plain Unicode lower-casing maps `I` to `i`, which is wrong in Azerbaijani (`I` ↔ `ı`,
//! `İ` ↔ `i`), and leaves `İ` as `i̇` (with a combining dot). Search must also ignore
//! diacritics, so that "ismayıllı", "İSMAYILLI" and "Ismayilli" all meet.

/// Lower-cases by Azerbaijani rules (`I` → `ı`, `İ` → `i`).
pub fn az_lowercase(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'I' => out.push('ı'),
            'İ' => out.push('i'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Folds text for search: Azerbaijani lower case, then without diacritics
/// (ı→i, ə→e, ö→o, ü→u, ç→c, ş→s, ğ→g, and the common Latin accents), with runs of
/// whitespace made one space. Cyrillic is lower-cased (ё→е).
pub fn fold(text: &str) -> String {
    let lower = az_lowercase(text);
    let mut out = String::with_capacity(lower.len());
    let mut last_space = true;
    for c in lower.chars() {
        let mapped = match c {
            'ı' | 'í' | 'ì' | 'î' | 'ï' => 'i',
            'ə' | 'é' | 'è' | 'ê' | 'ë' => 'e',
            'ö' | 'ó' | 'ò' | 'ô' | 'õ' => 'o',
            'ü' | 'ú' | 'ù' | 'û' => 'u',
            'ç' | 'ć' | 'č' => 'c',
            'ş' | 'ś' | 'š' | 'ș' => 's',
            'ğ' => 'g',
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'ñ' => 'n',
            'ž' | 'ź' | 'ż' => 'z',
            'ё' => 'е',
            '\u{0307}' => continue, // combining dot above, left by other lower-casings of İ
            c if c.is_whitespace() => ' ',
            c => c,
        };
        if mapped == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(mapped);
            last_space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The Azerbaijani alphabet in order.
const ALPHABET: [char; 32] = [
    'a', 'b', 'c', 'ç', 'd', 'e', 'ə', 'f', 'g', 'ğ', 'h', 'x', 'ı', 'i', 'j', 'k', 'q', 'l', 'm',
    'n', 'o', 'ö', 'p', 'r', 's', 'ş', 't', 'u', 'ü', 'v', 'y', 'z',
];

/// A key that sorts names in Azerbaijani alphabetical order (A B C Ç D E Ə F G Ğ H X I İ J K Q
/// L M N O Ö P R S Ş T U Ü V Y Z), case-insensitively. Letters outside the alphabet (Cyrillic,
/// other Latin letters such as w) sort after it, by code point.
pub fn sort_key(text: &str) -> Vec<u32> {
    az_lowercase(text)
        .chars()
        .filter(|c| *c != '\u{0307}')
        .map(|c| match ALPHABET.iter().position(|a| *a == c) {
            Some(i) => i as u32 + 1,
            None if c.is_whitespace() => 0,
            None => 0x100 + c as u32,
        })
        .collect()
}

/// [`sort_key`] as bytes whose plain byte order (SQLite's for a BLOB) is the key's order: each
/// letter's rank in three big-endian bytes. Stored beside a name and indexed, it lets a list
/// sort in Azerbaijani order without calling a collation for every row.
pub fn sort_bytes(text: &str) -> Vec<u8> {
    sort_key(text)
        .into_iter()
        .flat_map(|rank| {
            let [_, a, b, c] = rank.to_be_bytes();
            [a, b, c]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azerbaijani_case_pairs() {
        assert_eq!(az_lowercase("İSMAYILLI"), "ismayıllı");
        assert_eq!(az_lowercase("IĞDIR"), "ığdır");
    }

    #[test]
    fn search_folding_meets_in_the_middle() {
        let forms = [
            "ismayıllı",
            "İSMAYILLI",
            "Ismayilli",
            "ISMAYILLI",
            "i̇smayıllı",
        ];
        let folded: Vec<String> = forms.iter().map(|f| fold(f)).collect();
        for f in &folded {
            assert_eq!(f, "ismayilli", "{forms:?} → {folded:?}");
        }
        assert_eq!(fold("Məmmədova  Aysel\tŞÜKÜR"), "memmedova aysel sukur");
        assert_eq!(fold("Гусейнов Пётр"), "гусейнов петр");
    }

    #[test]
    fn alphabetical_order_is_azerbaijani() {
        let mut names = vec![
            "Zeynalov",
            "Əliyev",
            "Çələbi",
            "Xəlilov",
            "Hüseynov",
            "İsmayılov",
            "Ismayılov",
            "Abbasov",
            "Qasımov",
            "Kərimov",
            "Ömərov",
            "Orucov",
        ];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(
            names,
            vec![
                "Abbasov",
                "Çələbi",
                "Əliyev",
                "Hüseynov",
                "Xəlilov",
                "Ismayılov",
                "İsmayılov",
                "Kərimov",
                "Qasımov",
                "Orucov",
                "Ömərov",
                "Zeynalov"
            ]
        );
    }

    #[test]
    fn sort_bytes_order_as_the_key_does() {
        let names = [
            "Zeynalov",
            "Əliyev",
            "Əli",
            "Çələbi",
            "Xəlilov",
            "İsmayılov",
            "Ismayılov",
            "",
            "a b",
            "ab",
            "Гусейнов",
            "Walker",
            "Vəliyev",
            "Ömərov",
            "Orucov",
            "ЯКОВЛЕВ",
            "😀",
        ];
        for a in names {
            for b in names {
                assert_eq!(
                    sort_bytes(a).cmp(&sort_bytes(b)),
                    sort_key(a).cmp(&sort_key(b)),
                    "{a} vs {b}"
                );
            }
        }
    }
}

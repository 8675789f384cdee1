//! Names across scripts (`migdesk_domain::translit`) on any text: keys are lower-case ASCII
//! letters, digits and single spaces, and keying a key changes nothing; a name in ASCII letters
//! is found in its own text; a name is the same name as itself; every place found lies inside
//! the text; the search keys and the zone's letters are made without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use migdesk_domain::translit::{find_name, latin, name_key, same_name, search_keys};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let key = name_key(text);
    let keyish = |k: &str| {
        !k.starts_with(' ')
            && !k.ends_with(' ')
            && !k.contains("  ")
            && k.chars().all(|c| c == ' ' || c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    assert!(keyish(&key), "{key:?}");
    assert_eq!(name_key(&key), key, "keying a key");
    let chars = text.chars().count();
    let found = find_name(text, text);
    if text.is_ascii() && text.chars().any(|c| c.is_ascii_alphanumeric()) {
        assert!(!found.is_empty(), "{text:?} not found in itself");
    }
    assert!(same_name(text, text), "{text:?}");
    // A part of the text (its first half, by characters) as the name looked for.
    let half: String = text.chars().take(chars / 2).collect();
    for (from, to) in find_name(text, &half).into_iter().chain(found) {
        assert!(from < to && to <= chars, "{from}..{to} of {chars}");
    }
    for k in search_keys(text).split(' ') {
        assert!(keyish(k), "{k:?}");
    }
    let _ = latin(text);
});

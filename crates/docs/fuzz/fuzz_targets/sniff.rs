//! Format sniffing: any bytes give one answer, the same every time, that names the format or
//! says in words what the file looks like; only the formats the desk shows have a MIME type.
#![no_main]

use libfuzzer_sys::fuzz_target;
use migdesk_docs::{Format, sniff};

fuzz_target!(|data: &[u8]| {
    let format = sniff(data);
    assert_eq!(format, sniff(data), "sniffing is deterministic");
    assert!(!format.name().trim().is_empty(), "{format:?} has no name");
    match &format {
        Format::Unsupported { what } => {
            assert!(format.mime().is_none());
            assert!(!what.contains('\n'), "{what:?}");
        }
        supported => assert!(supported.mime().is_some(), "{supported:?} has no MIME type"),
    }
});

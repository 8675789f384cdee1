//! PDF text: `extract_text` on any bytes answers in time with text, no text, or a clear error;
//! and the excerpt `inspect` shows is the beginning of that same text.
#![no_main]

use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use migdesk_docs::Documents;
use migdesk_docs_fuzz::{call, contain_worker_panics, documents};

static DOCS: LazyLock<Documents> = LazyLock::new(documents);

fuzz_target!(|data: &[u8]| {
    contain_worker_panics();
    let bytes: Arc<[u8]> = Arc::from(data);
    let text = call("extract_text", || DOCS.extract_text(bytes.clone()));
    let info = call("inspect", || DOCS.inspect(bytes.clone()));
    if let (Ok(text), Ok(info)) = (text, info) {
        let collapsed = text
            .as_deref()
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
        match (info.text_excerpt.as_deref(), collapsed) {
            (None, None) => {}
            (Some(excerpt), Some(full)) => assert!(
                full.starts_with(excerpt.trim_end_matches('…')),
                "the excerpt {excerpt:?} does not begin the text"
            ),
            (excerpt, full) => panic!("inspect read {excerpt:?}, extract_text {full:?}"),
        }
    }
});

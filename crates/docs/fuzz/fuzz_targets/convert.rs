//! Inspection and conversion: `inspect`, then `render_page` and `thumbnail` of the first pages.
//! Beyond "no crash, no hang, clear errors" (see the crate's documentation), the answers must
//! agree with each other: a rendered page has the size `inspect` announced, a thumbnail fits
//! its box, and the page after the last does not exist.
#![no_main]

use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use migdesk_docs::{Documents, Unit};
use migdesk_docs_fuzz::{call, contain_worker_panics, documents};

static DOCS: LazyLock<Documents> = LazyLock::new(documents);
const THUMB: u32 = 64;

fuzz_target!(|data: &[u8]| {
    contain_worker_panics();
    let bytes: Arc<[u8]> = Arc::from(data);
    let Ok(info) = call("inspect", || DOCS.inspect(bytes.clone())) else {
        return;
    };
    assert_eq!(info.pages.len(), info.page_count);
    assert!(info.page_count >= 1, "{info:?}");
    if info.pdf {
        assert_eq!(info.unit, Unit::Points);
        return;
    }
    for (page, size) in info.pages.iter().enumerate().take(2) {
        if let Ok(rendered) = call("render_page", || DOCS.render_page(bytes.clone(), page)) {
            assert!(rendered.png.starts_with(b"\x89PNG\r\n\x1a\n"));
            assert_eq!(
                (f64::from(rendered.width), f64::from(rendered.height)),
                (size.width, size.height),
                "page {page} is rendered at another size than inspect announced"
            );
        }
        if let Ok(shown) = call("display_page", || DOCS.display_page(bytes.clone(), page)) {
            // What the WebView decodes: a PNG made here, or a PDF scan's JPEG as it is.
            let png = shown.mime == "image/png" && shown.bytes.starts_with(b"\x89PNG\r\n\x1a\n");
            let jpeg = shown.mime == "image/jpeg" && shown.bytes.starts_with(b"\xFF\xD8");
            assert!(png || jpeg, "{shown:?}");
        }
        if let Ok(thumb) = call("thumbnail", || DOCS.thumbnail(bytes.clone(), page, THUMB)) {
            assert!(thumb.width >= 1 && thumb.height >= 1);
            assert!(thumb.width <= THUMB && thumb.height <= THUMB, "{thumb:?}");
        }
    }
    let past = call("render_page", || {
        DOCS.render_page(bytes.clone(), info.page_count)
    });
    assert!(
        past.is_err(),
        "page {} of {} rendered",
        info.page_count + 1,
        info.page_count
    );
});

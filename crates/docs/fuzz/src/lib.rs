//! What the fuzz targets share: the document service under small limits, and the rule that
//! separates a finding from a contained failure.
//!
//! The document service runs every call on a worker thread and turns a panic there into a
//! "damaged file" error: that is its design, because the PDF text reader and the image decoders
//! do panic on hostile input. libFuzzer's panic hook would abort on those contained panics
//! too, so [`contain_worker_panics`] keeps aborting for panics of the fuzzing thread (a broken
//! property below, or a panic that escaped the worker) and lets worker panics become errors.
//! What remains a finding: a property broken, a panic escaping, a stack overflow or abort, a
//! leak or allocation past libFuzzer's `-rss_limit_mb`, and a call that does not answer in time.

use std::sync::Once;
use std::thread;
use std::time::{Duration, Instant};

use migdesk_docs::{DocError, Documents, Limits};

/// How long one call may take before the service answers "took too long".
pub const TIME_PER_DOCUMENT: Duration = Duration::from_secs(10);

/// Installs, once, a panic hook that aborts only for panics on the calling (fuzzing) thread.
pub fn contain_worker_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let fuzzing = thread::current().id();
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if thread::current().id() == fuzzing {
                report(info);
                std::process::abort();
            }
        }));
    });
}

/// The document service under limits small enough for a fuzzer's memory budget: 16 megapixels
/// a page, 64 MiB decoded, 50 pages, 8 MiB files.
pub fn documents() -> Documents {
    Documents::new(Limits {
        max_input_bytes: 8 * 1024 * 1024,
        max_pixels: 16_000_000,
        max_pages: 50,
        max_decoded_bytes: 64 * 1024 * 1024,
        time_per_document: TIME_PER_DOCUMENT,
        max_jobs_in_flight: 2,
        low_priority: false,
    })
}

/// Runs one call and checks what every call promises: an answer within its time (plus a
/// margin for a loaded machine), and an error an officer can be shown: one line, a sentence,
/// never a raw panic message.
pub fn call<T>(what: &str, run: impl FnOnce() -> Result<T, DocError>) -> Result<T, DocError> {
    let started = Instant::now();
    let got = run();
    let took = started.elapsed();
    assert!(
        took < TIME_PER_DOCUMENT + Duration::from_secs(5),
        "{what} answered after {took:?}"
    );
    if let Err(e) = &got {
        let message = e.to_string();
        assert!(DocError::KINDS.contains(&e.kind()), "{what}: {message}");
        assert!(message.chars().count() > 20, "{what}: {message:?}");
        assert!(!message.contains('\n'), "{what}: {message:?}");
    }
    got
}

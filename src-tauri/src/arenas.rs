//! Few malloc arenas for the desk's process (Linux, glibc).
//!
//! The C library gives each thread that allocates at the same time its own arena (up to eight a
//! core) and keeps what an arena once held. The desk decodes, turns and binarises 300-dpi scans
//! in large short-lived buffers on many threads (the document service runs each job on a thread
//! of its own, the background recogniser two at a time): measured with the window benchmark, the
//! desk's process held 168 MB more with two scans open than on its first screen, and 55–61 MB
//! with two arenas, the 150-page PDF's first page as fast (mimalloc as the Rust allocator was
//! tried: 117 MB, and that PDF's first page 2–8 times slower). The arena count can only be set
//! before the C library's allocator starts, from the environment: [`environment`] says what,
//! and [`crate::startup::settle`] starts the desk once more with it.
//!
//! With it, `MALLOC_MMAP_THRESHOLD_`: a buffer of a megabyte or more is mapped on its own and
//! given back to the system when freed. Left to itself, the C library raises that threshold to
//! the largest buffer freed so far (up to 32 MB), after which a page's decoded pixels come from
//! an arena and stay held there once the page is drawn.
//!
//! What an arena holds free in its middle (a sync's and the recogniser's many smaller buffers)
//! the C library keeps for later; [`give_back`] returns it when the work after a sync ends
//! (measured: the desk's process 132 → 111 MB PSS with two scans open).

/// Gives back to the system the memory the C library holds free in its arenas (a sync's
/// buffers, the recogniser's pages): called when the desk's work after a sync ends, so what the
/// desk held for it does not stay held while the officer works on.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn give_back() {
    // SAFETY: malloc_trim only releases free memory of the allocator; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other platforms' allocators give memory back on their own terms.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn give_back() {}

/// The environment variable glibc reads its arena limit from.
const ARENA_MAX_ENV: &str = "MALLOC_ARENA_MAX";
/// Two, as measured; one would make the window's thread and the background work take turns.
const ARENAS: &str = "2";
/// The environment variable glibc reads its mapping threshold from (with its trailing `_`).
const MMAP_THRESHOLD_ENV: &str = "MALLOC_MMAP_THRESHOLD_";
/// One MiB: a scan's rows and pixels are larger, the desk's other allocations mostly smaller.
const MMAP_THRESHOLD: &str = "1048576";

/// What the C library's allocator is to read when the desk starts (see [`crate::startup`]).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn environment() -> [(&'static str, &'static str); 2] {
    [
        (ARENA_MAX_ENV, ARENAS),
        (MMAP_THRESHOLD_ENV, MMAP_THRESHOLD),
    ]
}

/// Other platforms' allocators have no such setting.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn environment() -> [(&'static str, &'static str); 0] {
    []
}

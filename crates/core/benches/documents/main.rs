//! `scripts/bench.sh documents`: the desk's document handling next to the reference tools,
//! measured in the same run. Prints; asserts nothing (the machine may be shared and noisy).
//!
//! 1. A4 pages scanned at 300 dpi, multi-page TIFF → PNG per page, next to ImageMagick's
//!    `convert` doing the same conversion.
//! 2. The text layer of a multi-page scanned PDF, next to poppler's `pdftotext`.
//! 3. Text recognition of an A4 page at 300 dpi, next to the `tesseract` program reading the
//!    same image in the same languages; then how well the desk reads the demo's identity
//!    pages: the printed words read exactly, and the machine-readable zone read whole.
//!
//! Both reference tools are separate processes, so their figures include their start-up; the
//! work is several pages long so that start-up is a small part of it.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use migdesk_central::seed::docs::{self, PageStyle};
use migdesk_docs::Documents;
use rand::SeedableRng;

mod recognition;

const PAGES: usize = 5;
const PDF_PAGES: usize = 30;
const ROUNDS: usize = 3;
/// A4 at 300 dpi.
const A4_300: (u32, u32) = (2480, 3508);

pub(crate) fn best(f: &mut dyn FnMut() -> Duration) -> Duration {
    (0..ROUNDS).map(|_| f()).min().unwrap_or_default()
}

pub(crate) fn timed(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

pub(crate) fn tool(program: &str, args: &[&str]) {
    tool_with(program, args, &[]);
}

/// `program` with `env` set and its chatter on standard error silenced.
pub(crate) fn tool_with(program: &str, args: &[&str], env: &[(&str, &str)]) {
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{program} is installed by scripts/bench.sh: {e}"));
    assert!(status.success(), "{program} failed: {status}");
}

pub(crate) fn row(what: &str, ours: Duration, reference: &str, theirs: Duration) {
    println!(
        "{what:<44} migdesk {:>9.1} ms   {reference} {:>9.1} ms   ratio {:.2}",
        ours.as_secs_f64() * 1000.0,
        theirs.as_secs_f64() * 1000.0,
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
}

fn tiff_to_png(dir: &Path, documents: &Documents) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    // The seed draws pages at 72 dpi; scaled to 300 dpi they are the size a scanner sends.
    let pages: Vec<_> = (0..PAGES)
        .map(|_| {
            let page = docs::page(&mut rng, PageStyle::Text, 28, &docs::Printed::default());
            // tiff_pages halves its input: draw at twice the target size.
            image::imageops::resize(
                &page,
                A4_300.0 * 2,
                A4_300.1 * 2,
                image::imageops::FilterType::Triangle,
            )
        })
        .collect();
    let tiff = docs::tiff_pages(&pages);
    let path = dir.join("scan.tif");
    std::fs::write(&path, &tiff).expect("write");

    let mut our_bytes = 0;
    let ours = best(&mut || {
        our_bytes = 0;
        timed(|| {
            for page in 0..PAGES {
                let png = documents.render_page(tiff.clone(), page).expect("render");
                assert_eq!((png.width, png.height), A4_300);
                our_bytes += png.png.len();
            }
        })
    });
    let out = dir.join("page-%d.png");
    let (input, output) = (path.display().to_string(), out.display().to_string());
    // Debian's own binary, not whatever else is called `convert` earlier on the PATH.
    let convert = if Path::new("/usr/bin/convert").exists() {
        "/usr/bin/convert"
    } else {
        "convert"
    };
    // The desk writes PNG with fast Deflate and adaptive filters; ImageMagick is asked for the
    // same (level 1, adaptive) so that both do comparable work.
    let theirs = best(&mut || {
        timed(|| {
            tool(
                convert,
                &[
                    &input,
                    "-define",
                    "png:compression-level=1",
                    "-define",
                    "png:compression-filter=5",
                    &output,
                ],
            )
        })
    });
    let their_bytes: u64 = (0..PAGES)
        .map(|i| {
            std::fs::metadata(dir.join(format!("page-{i}.png")))
                .map(|m| m.len())
                .unwrap_or(0)
        })
        .sum();
    println!(
        "TIFF → PNG: {PAGES} A4 pages at 300 dpi ({} × {} px, grey, Deflate), {:.1} MB; PNGs written: migdesk {:.1} MB, ImageMagick {:.1} MB",
        A4_300.0,
        A4_300.1,
        tiff.len() as f64 / 1e6,
        our_bytes as f64 / 1e6,
        their_bytes as f64 / 1e6
    );
    row("  every page to PNG", ours, "ImageMagick convert", theirs);
}

fn pdf_text(dir: &Path, documents: &Documents) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(12);
    let pages: Vec<_> = (0..PDF_PAGES)
        .map(|_| docs::page(&mut rng, PageStyle::Text, 20, &docs::Printed::default()))
        .collect();
    let text: Vec<Vec<String>> = (0..PDF_PAGES)
        .map(|p| {
            (0..40)
                .map(|l| format!("Page {p} line {l}: ISMAYILLI Chingiz, passport C01234567, Shaki"))
                .collect()
        })
        .collect();
    let pdf = docs::scanned_pdf(&pages, Some(&text));
    let path = dir.join("scan.pdf");
    std::fs::write(&path, &pdf).expect("write");

    let ours = best(&mut || {
        timed(|| {
            let text = documents.extract_text(pdf.clone()).expect("text");
            assert!(text.is_some_and(|t| t.contains("ISMAYILLI")));
        })
    });
    let (input, output) = (
        path.display().to_string(),
        dir.join("scan.txt").display().to_string(),
    );
    let theirs = best(&mut || timed(|| tool("pdftotext", &[&input, &output])));
    println!(
        "PDF text: {PDF_PAGES} scanned pages with a text layer, {:.1} MB",
        pdf.len() as f64 / 1e6
    );
    row("  the whole text layer", ours, "poppler pdftotext", theirs);
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let documents = Documents::default();
    if recognition::only().is_none() {
        tiff_to_png(dir.path(), &documents);
        pdf_text(dir.path(), &documents);
    }
    recognition::run(dir.path(), &documents);
}

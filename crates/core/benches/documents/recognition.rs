//! Text recognition: the desk's reading of a scan next to the `tesseract` program reading the
//! same image in the same languages, and how well the desk reads the demo's identity pages
//! against what is printed on them.

use std::collections::HashMap;
use std::path::Path;

use migdesk_central::seed::application::IdentityPage;
use migdesk_central::seed::docs::{self, PageStyle, Scanner};
use migdesk_docs::{Documents, ocr};
use migdesk_domain::mrz_read::{self, Zone};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::{best, row, timed, tool_with};

/// Identity pages read for the accuracy figures (the first 100 read 99 zones whole, all 200
/// read 192: a figure over fewer pages said more than it knew; a change is checked on another
/// sample too).
const IDENTITY_PAGES: usize = 200;
/// A4 at 300 dpi, as an office scanner sends a page.
const A4_300: Scanner = Scanner {
    dpi: 300,
    max_skew_degrees: 1.8,
};
/// The identity pages as the hardest of the demo's scanners leaves them: askew up to 3°, noisy,
/// then saved as JPEG at quality 60.
const IDENTITY_HARD: Scanner = Scanner {
    dpi: 150,
    max_skew_degrees: 3.0,
};
const JPEG_QUALITY: u8 = 60;

/// The words of `text`: runs between spaces, without the punctuation around them, each with
/// at least one letter or digit.
fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(str::to_owned)
        .collect()
}

/// How many of `truth`'s words (counted with repeats) stand in `read`, exactly as printed.
fn words_read(truth: &[String], read: &str) -> usize {
    truth.len() - words_missed(truth, read).len()
}

/// `truth`'s words (with repeats) that do not stand in `read` as printed.
fn words_missed<'t>(truth: &'t [String], read: &str) -> Vec<&'t str> {
    let mut bag: HashMap<String, usize> = HashMap::new();
    for w in words(read) {
        *bag.entry(w).or_default() += 1;
    }
    truth
        .iter()
        .filter(|w| match bag.get_mut(*w) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .map(String::as_str)
        .collect()
}

/// Every field of a zone and the check digits that fail, without what was corrected to read it.
fn fields(zone: &Zone) -> Zone {
    Zone {
        corrected: Vec::new(),
        ..zone.clone()
    }
}

/// The fields `read` has other than `printed`: `surname KARIM (printed KARIMI)`.
fn differences(printed: &Zone, read: &Zone) -> String {
    let field = |zone: &Zone| {
        [
            ("state", zone.issuing_state.clone()),
            ("surname", zone.surname.clone()),
            ("given names", zone.given_names.clone()),
            ("number", zone.document_number.clone()),
            ("nationality", zone.nationality.clone()),
            ("birth", format!("{:?}", zone.date_of_birth)),
            ("sex", zone.sex.to_string()),
            ("expiry", format!("{:?}", zone.expiry)),
            ("failing", format!("{:?}", zone.failed)),
        ]
    };
    field(read)
        .into_iter()
        .zip(field(printed))
        .filter(|((_, r), (_, p))| r != p)
        .map(|((name, r), (_, p))| format!("{name} {r} (printed {p})"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn percent(part: usize, whole: usize) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

pub fn run(dir: &Path, documents: &Documents) {
    if !ocr::available() {
        println!(
            "Text recognition: tesseract with a language of the desk is not installed; skipped"
        );
        return;
    }
    let only = only();
    if only.as_deref() != Some("zones") {
        a4_page(dir, documents);
    }
    if only.as_deref() != Some("a4") {
        identity_pages(documents);
    }
}

/// `MIGDESK_BENCH_ONLY=a4` or `zones`: only that part of the recognition (for work on the
/// reader: the A4 page's time and words, or the identity pages' accuracy).
pub fn only() -> Option<String> {
    std::env::var("MIGDESK_BENCH_ONLY")
        .ok()
        .filter(|v| !v.is_empty())
}

/// One A4 page at 300 dpi: the desk (the page decoded, handed to the recogniser in a child
/// process under its limits, the answer parsed) next to the program alone on the same PNG.
fn a4_page(dir: &Path, documents: &Documents) {
    let samples = migdesk_central::seed::identity_pages(21, 3).expect("identity pages");
    let lines: Vec<String> = samples.iter().flat_map(|s| s.lines.clone()).collect();
    let title = "Arayış / Certificate";
    let printed = docs::Printed {
        title,
        lines: &lines,
        mrz: None,
    };
    let page = A4_300.page(&mut StdRng::seed_from_u64(21), PageStyle::Text, 8, &printed);
    let png = docs::png(&page);
    let path = dir.join("a4.png");
    std::fs::write(&path, &png).expect("write");

    let mut read = String::new();
    let ours =
        best(&mut || timed(|| read = documents.recognise(png.clone()).expect("recognised").text));
    let languages = ocr::LANGUAGES.join("+");
    let (input, output) = (
        path.display().to_string(),
        dir.join("a4").display().to_string(),
    );
    let args = [input.as_str(), output.as_str(), "-l", &languages, "tsv"];
    // The program as installed, with its own threads; and with one, as the desk runs it (it
    // reads other documents meanwhile).
    let theirs = best(&mut || timed(|| tool_with("tesseract", &args, &[])));
    let one_thread = [("OMP_THREAD_LIMIT", "1")];
    let theirs_single = best(&mut || timed(|| tool_with("tesseract", &args, &one_thread)));
    let truth = words(&format!("{title}\n{}", lines.join("\n")));
    println!(
        "Text recognition: an A4 page at 300 dpi ({} × {} px, {} printed words, languages {languages}); words read exactly: {:.1} %",
        page.width(),
        page.height(),
        truth.len(),
        percent(words_read(&truth, &read), truth.len()),
    );
    println!(
        "  not read as printed: {}",
        words_missed(&truth, &read).join(", ")
    );
    // The program alone on the page as scanned (its TSV's words), for what the preparation adds.
    let alone: String = std::fs::read_to_string(dir.join("a4.tsv"))
        .unwrap_or_default()
        .lines()
        .filter(|row| row.starts_with("5\t"))
        .filter_map(|row| row.split('\t').nth(11))
        .collect::<Vec<_>>()
        .join(" ");
    println!(
        "  the program alone on the page as scanned: {:.1} %, not read as printed: {}",
        percent(words_read(&truth, &alone), truth.len()),
        words_missed(&truth, &alone).join(", ")
    );
    row(
        "  the page's words and boxes",
        ours,
        "tesseract (program)",
        theirs,
    );
    row("  the same", ours, "tesseract, one thread", theirs_single);
}

/// The demo's identity pages, scanned askew, noisy and as JPEG: the printed words read exactly,
/// and the machine-readable zone read with every field as printed (a zone printed with a wrong
/// check digit must be read with that digit failing).
fn identity_pages(documents: &Documents) {
    // Another sample of pages, to see a change to the reading hold beyond the pages it was
    // made on: `MIGDESK_BENCH_IDENTITY_SEED=23`.
    let seed = std::env::var("MIGDESK_BENCH_IDENTITY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(22);
    let samples: Vec<IdentityPage> =
        migdesk_central::seed::identity_pages(seed, IDENTITY_PAGES).expect("identity pages");
    let today = chrono::Utc::now().date_naive();
    let mut rng = StdRng::seed_from_u64(22);
    let (mut printed, mut read_words, mut zones_read) = (0, 0, 0);
    let mut misread = Vec::new();
    let start = std::time::Instant::now();
    for sample in &samples {
        let scan = docs::jpeg(&sample.scan(&mut rng, &IDENTITY_HARD), JPEG_QUALITY);
        let read = documents.recognise(scan).expect("recognised").text;
        let truth = words(&format!("{}\n{}", sample.title, sample.lines.join("\n")));
        printed += truth.len();
        read_words += words_read(&truth, &read);
        let expected = mrz_read::find(&sample.zone.join("\n"), mrz_read::Source::Typed, today)
            .expect("the printed zone");
        match mrz_read::find(&read, mrz_read::Source::Recognised, today) {
            Some(zone) if fields(&zone) == fields(&expected) => zones_read += 1,
            Some(zone) => misread.push(format!(
                "{}: {}\n      printed {}\n      read    {}\n      page    {}",
                expected.document_number,
                differences(&expected, &zone),
                sample.zone.join(" / "),
                read.lines()
                    .filter(|l| l.contains("<<"))
                    .collect::<Vec<_>>()
                    .join(" / "),
                read.lines()
                    .filter(|l| ["Surname", "Given", "Passport"]
                        .iter()
                        .any(|w| l.contains(w)))
                    .collect::<Vec<_>>()
                    .join(" / ")
            )),
            None => misread.push(format!(
                "{}: no zone found\n      printed {}\n      read    {}",
                expected.document_number,
                sample.zone.join(" / "),
                read.lines().rev().take(3).collect::<Vec<_>>().join(" / ")
            )),
        }
    }
    let each = start.elapsed().as_secs_f64() * 1000.0 / samples.len() as f64;
    println!(
        "Identity pages of the demo (seed {seed}): {} at {} dpi, askew up to {}°, noisy, JPEG quality {JPEG_QUALITY}; {each:.0} ms each",
        samples.len(),
        IDENTITY_HARD.dpi,
        IDENTITY_HARD.max_skew_degrees,
    );
    println!(
        "  printed words read exactly                   {read_words} of {printed}   {:.1} %",
        percent(read_words, printed)
    );
    println!(
        "  machine-readable zone read whole             {zones_read} of {}   {:.1} %",
        samples.len(),
        percent(zones_read, samples.len())
    );
    for m in misread {
        println!("    misread: {m}");
    }
}

//! A hostile corpus, made here: every call must answer with the expected error (or a legitimate
//! result) within a bounded time, no panic may escape, and every message must read as a
//! sentence an officer can be shown.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use migdesk_docs::samples::{self, Sample, pdf_undefined_font, png_bomb};
use migdesk_docs::{CancelToken, DocError, Documents, Limits};

/// What a call must give.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// An error of this kind.
    Err(&'static str),
    /// A result (for `extract_text` of an image: `Ok(None)`).
    Ok,
}
use Expect::{Err as E, Ok as OK};

struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    inspect: Expect,
    render: Expect,
    thumbnail: Expect,
    text: Expect,
}

const BOUND: Duration = Duration::from_secs(10);

fn limits() -> Limits {
    Limits {
        time_per_document: Duration::from_secs(5),
        max_decoded_bytes: 32 * 1024 * 1024,
        ..Limits::default()
    }
}

fn check<T: std::fmt::Debug>(
    case: &str,
    call: &str,
    expect: Expect,
    run: impl FnOnce() -> Result<T, DocError>,
) {
    let started = Instant::now();
    let got = run();
    let took = started.elapsed();
    assert!(took < BOUND, "{case}: {call} took {took:?}");
    match (expect, &got) {
        (Expect::Ok, Ok(_)) => {}
        (Expect::Err(kind), Err(e)) => {
            assert_eq!(e.kind(), kind, "{case}: {call}: {e}");
            let message = e.to_string();
            assert!(message.chars().count() > 20, "{case}: {call}: {message:?}");
            assert!(!message.contains('\n'), "{case}: {call}: {message:?}");
            assert!(!message.contains("panicked"), "{case}: {call}: {message:?}");
        }
        _ => panic!("{case}: {call}: expected {expect:?}, got {got:?}"),
    }
}

fn run_case(docs: &Documents, case: &Case) {
    let bytes = case.bytes.clone();
    check(case.name, "inspect", case.inspect, || {
        docs.inspect(bytes.clone())
    });
    check(case.name, "render_page", case.render, || {
        docs.render_page(bytes.clone(), 0)
    });
    // The viewer's call takes render_page's path for every file here.
    check(case.name, "display_page", case.render, || {
        docs.display_page(bytes.clone(), 0)
    });
    check(case.name, "thumbnail", case.thumbnail, || {
        docs.thumbnail(bytes.clone(), 0, 256)
    });
    check(case.name, "extract_text", case.text, || {
        docs.extract_text(bytes.clone())
    });
}

/// The bomb is a real PNG: a decoder without limits inflates all 900 MB of it, row by row
/// here with the `png` crate directly.
#[test]
fn the_png_bomb_is_a_valid_png() {
    assert!(png_bomb().len() < 1024 * 1024, "{} bytes", png_bomb().len());
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bomb()));
    let mut reader = decoder.read_info().unwrap();
    assert_eq!(
        (reader.info().width, reader.info().height),
        (30_000, 30_000)
    );
    let zeros = vec![0u8; 30_000];
    let mut rows = 0;
    while let Some(row) = reader.next_row().unwrap() {
        assert!(row.data() == zeros.as_slice());
        rows += 1;
    }
    assert_eq!(rows, 30_000);
}

/// What rendering, thumbnails and text must give for each file of [`samples::hostile`] (what
/// `inspect` gives is part of the sample, as the end-to-end test checks it too). A PDF is
/// converted to pictures only when it is scans only: one refused on inspection is refused the
/// same way, one inspected is left to the viewer.
fn expected(name: &str, inspect: Option<&'static str>) -> [Expect; 3] {
    let shown = E(inspect.unwrap_or("drawn_by_viewer"));
    let pdf = |text| [shown, shown, text];
    let image = |kind| [E(kind), E(kind), OK];
    let unsupported = [E("unsupported"); 3];
    match name {
        "truncated PDF"
        | "PDF header then garbage"
        | "PDF page tree lists itself"
        | "PDF page is its own parent"
        | "PDF form draws itself"
        // The viewer may draw what the text reader fails on: inspect answers, without text.
        | "PDF text in an undefined font" => pdf(E("malformed")),
        "PDF deflate bomb" => pdf(E("too_large")),
        "PNG decompression bomb" | "TIFF claiming 100000 × 100000" => image("too_large"),
        "JPEG with broken markers" => image("malformed"),
        "zero-byte file" | "text file named .pdf" | "HTML page saved as .jpg" => unsupported,
        other => panic!("no expectation for the sample {other:?}"),
    }
}

fn corpus() -> Vec<Case> {
    samples::hostile()
        .into_iter()
        .map(
            |Sample {
                 name,
                 bytes,
                 inspect,
                 ..
             }| {
                let [render, thumbnail, text] = expected(name, inspect);
                Case {
                    name,
                    bytes,
                    inspect: inspect.map_or(OK, E),
                    render,
                    thumbnail,
                    text,
                }
            },
        )
        .collect()
}

#[test]
fn hostile_files_give_clear_errors_in_bounded_time() {
    let docs = Documents::new(limits());
    for case in corpus() {
        run_case(&docs, &case);
    }
}

#[test]
fn recognising_the_hostile_files_fails_clearly_in_bounded_time() {
    // Text recognition decodes the pages under the same limits before the recogniser sees
    // them: each hostile file is refused by kind, in time, with a sentence.
    let docs = Documents::new(limits());
    for case in corpus() {
        let started = Instant::now();
        let got = docs.recognise(case.bytes.clone());
        assert!(
            started.elapsed() < BOUND,
            "{}: {:?}",
            case.name,
            started.elapsed()
        );
        let e = got.expect_err(case.name);
        assert!(DocError::KINDS.contains(&e.kind()), "{}: {e}", case.name);
        let message = e.to_string();
        assert!(
            message.chars().count() > 20 && !message.contains('\n'),
            "{}: {message:?}",
            case.name
        );
    }
}

#[test]
fn unsupported_messages_say_what_the_file_is() {
    let docs = Documents::new(limits());
    let err = docs
        .inspect(b"Dear officer,\nplease.\n".to_vec())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "this kind of file is not supported: plain text"
    );
    let err = docs.inspect(Vec::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "this kind of file is not supported: empty file"
    );
}

#[test]
fn the_png_bomb_fails_fast_on_its_header() {
    let docs = Documents::new(limits());
    let bomb = png_bomb();
    let started = Instant::now();
    let err = docs.render_page(bomb.to_vec(), 0).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        err.to_string(),
        "the document is too large to show safely: a page of 30000 × 30000 pixels (900 megapixels) is over the limit of 100 megapixels"
    );
}

#[test]
fn the_desk_keeps_working_after_the_corpus() {
    let docs = Documents::new(limits());
    for case in corpus() {
        let _ = docs.extract_text(case.bytes);
    }
    let text = docs
        .extract_text(common::text_pdf(&["Still here"]))
        .unwrap()
        .unwrap();
    assert!(text.contains("Still here"));
}

#[test]
fn a_cancelled_token_stops_calls() {
    let cancel = CancelToken::new();
    let docs = Documents::new(limits()).with_cancel(cancel.clone());
    assert!(docs.inspect(common::jpeg(8, 8)).is_ok());
    cancel.cancel();
    assert_eq!(docs.inspect(common::jpeg(8, 8)), Err(DocError::Cancelled));
    assert_eq!(
        docs.extract_text(common::text_pdf(&["x"])),
        Err(DocError::Cancelled)
    );
}

#[test]
fn a_panic_in_the_text_reader_is_contained() {
    let docs = Documents::new(limits());
    let info = docs.inspect(pdf_undefined_font()).unwrap();
    assert_eq!((info.page_count, info.text_excerpt), (1, None));
    let err = docs.extract_text(pdf_undefined_font()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the file is damaged or not a valid document: the text of page 1 could not be read (the text reader failed)"
    );
}

/// The deflate bomb is a real zlib stream of 1 GiB of spaces in about a megabyte.
#[test]
fn the_deflate_bomb_inflates_to_a_gibibyte_of_spaces() {
    use std::io::Read;
    let pdf = samples::pdf_deflate_bomb();
    assert!(pdf.len() < 2 * 1024 * 1024, "{} bytes", pdf.len());
    let start = pdf.windows(7).position(|w| w == b"stream\n").unwrap() + 7;
    let mut inflated = flate2::read::ZlibDecoder::new(&pdf[start..]);
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = inflated.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        assert!(buf[..n].iter().all(|&b| b == b' '));
        total += n as u64;
    }
    assert_eq!(total, 1 << 30);
}

/// Every cut of a good file (a truncated upload) answers with a clear one-line message, or
/// shows what it can. Fuzzing found a JPEG decoder message ending in a newline.
#[test]
fn every_cut_of_a_good_file_answers_clearly() {
    let docs = Documents::new(limits());
    let goods = [
        samples::jpeg(64, 48),
        common::png(image::DynamicImage::ImageLuma8(samples::page_image(64, 48))),
        common::multipage_tiff(&[(32, 32), (16, 16)]),
        samples::text_pdf(&["Applicant: Elvin Mammadov"]),
    ];
    for good in goods {
        let step = (good.len() / 60).max(1);
        for cut in (1..good.len()).step_by(step) {
            let bytes = good[..cut].to_vec();
            let name = format!("{:?} cut at {cut}", migdesk_docs::sniff(&good));
            let expect_any = |call: &str, got: Result<(), DocError>| {
                if let Err(e) = got {
                    let message = e.to_string();
                    assert!(!message.contains('\n'), "{name}: {call}: {message:?}");
                    assert!(!message.ends_with(' '), "{name}: {call}: {message:?}");
                }
            };
            expect_any("inspect", docs.inspect(bytes.clone()).map(drop));
            expect_any("render_page", docs.render_page(bytes.clone(), 0).map(drop));
            expect_any(
                "display_page",
                docs.display_page(bytes.clone(), 0).map(drop),
            );
            expect_any("extract_text", docs.extract_text(bytes).map(drop));
        }
    }
}

/// JBIG2 scans inside PDFs that lie about their size or break off: recognising them is refused
/// with the reason, before any recogniser runs, and a JBIG2 page declaring more pixels than
/// the limits allow is refused before it is decoded.
#[test]
fn recognising_a_pdf_whose_jbig2_scan_lies_or_breaks_off_fails_in_words() {
    if !migdesk_docs::ocr::available() {
        panic!("Tesseract with its languages is not installed: run scripts/test.sh");
    }
    let docs = Documents::new(limits());
    let page = image::GrayImage::from_fn(400, 120, |x, y| {
        image::Luma([if (x / 9 + y / 4) % 4 == 0 { 0 } else { 255 }])
    });
    let data = samples::jbig2_generic(&page);
    let cases = [
        (
            "its size",
            samples::pdf_jbig2_stream(&data, (400, 121)),
            "malformed",
            "says it is 400×120",
        ),
        (
            "cut off",
            samples::pdf_jbig2_stream(&data[..data.len() / 2], (400, 120)),
            "malformed",
            "JBIG2 image could not be decoded",
        ),
        (
            "too large",
            samples::pdf_jbig2_stream(&data, (60_000, 60_000)),
            "too_large",
            "pixels",
        ),
    ];
    for (what, pdf, kind, says) in cases {
        let e = docs.recognise(pdf).unwrap_err();
        assert_eq!(e.kind(), kind, "{what}: {e}");
        assert!(e.to_string().contains(says), "{what}: {e}");
    }
}

//! A hostile corpus, made here: every call must answer with the expected error (or a legitimate
//! result) within a bounded time, no panic may escape, and every message must read as a
//! sentence an officer can be shown.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use migdesk_docs::{CancelToken, DocError, Documents, Limits};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};

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
    check(case.name, "thumbnail", case.thumbnail, || {
        docs.thumbnail(bytes.clone(), 0, 256)
    });
    check(case.name, "extract_text", case.text, || {
        docs.extract_text(bytes.clone())
    });
}

/// A PDF made by `build`, which gets the catalogue's page tree reference (2) to fill in.
fn pdf(build: impl FnOnce(&mut Pdf)) -> Vec<u8> {
    let mut pdf = Pdf::new();
    pdf.catalog(Ref::new(1)).pages(Ref::new(2));
    build(&mut pdf);
    pdf.finish()
}

fn text_content() -> Vec<u8> {
    let mut c = Content::new();
    c.begin_text();
    c.set_font(Name(b"F1"), 12.0);
    c.show(Str(b"hello"));
    c.end_text();
    c.finish().to_vec()
}

/// The page tree lists itself among its kids.
fn pdf_kids_loop() -> Vec<u8> {
    pdf(|pdf| {
        pdf.pages(Ref::new(2))
            .kids([Ref::new(2), Ref::new(3)])
            .count(1);
        pdf.page(Ref::new(3))
            .parent(Ref::new(2))
            .media_box(Rect::new(0.0, 0.0, 100.0, 100.0))
            .contents(Ref::new(4));
        pdf.stream(Ref::new(4), &text_content());
    })
}

/// The page is its own parent and has neither MediaBox nor Resources, so pdf-extract's search
/// for inherited attributes would recurse up `/Parent` until the stack overflows (an abort).
fn pdf_parent_loop() -> Vec<u8> {
    pdf(|pdf| {
        pdf.pages(Ref::new(2)).kids([Ref::new(3)]).count(1);
        pdf.page(Ref::new(3))
            .parent(Ref::new(3))
            .contents(Ref::new(4));
        pdf.stream(Ref::new(4), &text_content());
    })
}

/// Text in a font the page never defines (no resources at all): pdf-extract panics on it.
fn pdf_undefined_font() -> Vec<u8> {
    pdf(|pdf| {
        pdf.pages(Ref::new(2)).kids([Ref::new(3)]).count(1);
        pdf.page(Ref::new(3))
            .parent(Ref::new(2))
            .media_box(Rect::new(0.0, 0.0, 100.0, 100.0))
            .contents(Ref::new(4));
        pdf.stream(Ref::new(4), &text_content());
    })
}

/// A form XObject that draws itself: pdf-extract would recurse without end.
fn pdf_form_loop() -> Vec<u8> {
    pdf(|pdf| {
        pdf.pages(Ref::new(2)).kids([Ref::new(3)]).count(1);
        let mut page = pdf.page(Ref::new(3));
        page.parent(Ref::new(2))
            .media_box(Rect::new(0.0, 0.0, 100.0, 100.0))
            .contents(Ref::new(4));
        page.resources().x_objects().pair(Name(b"X"), Ref::new(5));
        page.finish();
        let mut draw = Content::new();
        draw.x_object(Name(b"X"));
        let draw = draw.finish();
        pdf.stream(Ref::new(4), &draw);
        let mut form = pdf.form_xobject(Ref::new(5), &draw);
        form.bbox(Rect::new(0.0, 0.0, 100.0, 100.0));
        form.resources().x_objects().pair(Name(b"X"), Ref::new(5));
    })
}

/// A 64 MiB content stream (spaces) deflated to a few kilobytes.
fn pdf_deflate_bomb() -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let spaces = vec![b' '; 1024 * 1024];
    for _ in 0..64 {
        z.write_all(&spaces).unwrap();
    }
    let bomb = z.finish().unwrap();
    assert!(bomb.len() < 200_000);
    pdf(|pdf| {
        pdf.pages(Ref::new(2)).kids([Ref::new(3)]).count(1);
        pdf.page(Ref::new(3))
            .parent(Ref::new(2))
            .media_box(Rect::new(0.0, 0.0, 100.0, 100.0))
            .contents(Ref::new(4));
        pdf.stream(Ref::new(4), &bomb).filter(Filter::FlateDecode);
    })
}

/// A 30000 × 30000 grey PNG of zeros: 900 MB of pixels in under a megabyte. Written by hand
/// (an encoder would take many seconds): one deflated run of zero rows, byte-aligned by a sync
/// flush, repeated; its back-references stay valid because the history is zeros too.
fn png_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        const SIDE: u32 = 30_000;
        const ROWS_PER_RUN: u32 = 100;
        let run_len = (SIDE as usize + 1) * ROWS_PER_RUN as usize; // filter byte + pixels
        let mut run = Vec::with_capacity(64 * 1024);
        flate2::Compress::new(flate2::Compression::best(), false)
            .compress_vec(&vec![0; run_len], &mut run, flate2::FlushCompress::Sync)
            .unwrap();
        let mut idat = vec![0x78, 0xDA];
        for _ in 0..SIDE / ROWS_PER_RUN {
            idat.extend_from_slice(&run);
        }
        idat.extend_from_slice(&[0x03, 0x00]); // final, empty, fixed-Huffman block
        // Adler-32 of n zeros: a = 1, b = n mod 65521.
        let total = u64::from(SIDE) * (u64::from(SIDE) + 1);
        idat.extend_from_slice(&(((total % 65521) as u32) << 16 | 1).to_be_bytes());

        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&SIDE.to_be_bytes());
        ihdr.extend_from_slice(&SIDE.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey, deflate, no interlace
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        for (kind, data) in [(b"IHDR", ihdr), (b"IDAT", idat), (b"IEND", Vec::new())] {
            png_chunk(&mut png, kind, &data);
        }
        assert!(png.len() < 1024 * 1024, "the bomb is {} bytes", png.len());
        png
    })
}

fn png_chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    png.extend_from_slice(&crc.sum().to_be_bytes());
}

/// The bomb is a real PNG: a decoder without limits inflates all 900 MB of it, row by row
/// here with the `png` crate directly.
#[test]
fn the_png_bomb_is_a_valid_png() {
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

/// A little-endian TIFF with one IFD of `(tag, type, value)` entries (type 3 SHORT, 4 LONG),
/// followed by a few bytes of "pixels".
fn tiff_with(entries: &[(u16, u16, u32)]) -> Vec<u8> {
    let mut t = b"II*\0\x08\0\0\0".to_vec();
    t.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for &(tag, kind, value) in entries {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&1u32.to_le_bytes());
        t.extend_from_slice(&value.to_le_bytes());
    }
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(&[0; 64]);
    t
}

fn tiff_huge_header() -> Vec<u8> {
    tiff_with(&[
        (256, 4, 100_000),  // ImageWidth
        (257, 4, 100_000),  // ImageLength
        (258, 3, 8),        // BitsPerSample
        (259, 3, 1),        // Compression: none
        (262, 3, 1),        // PhotometricInterpretation: BlackIsZero
        (273, 4, 200),      // StripOffsets
        (277, 3, 1),        // SamplesPerPixel
        (278, 4, 100_000),  // RowsPerStrip
        (279, 4, u32::MAX), // StripByteCounts
    ])
}

/// A JPEG whose frame header claims to run 64 KiB past the end of the file.
fn jpeg_broken_markers() -> Vec<u8> {
    let good = common::jpeg(32, 32);
    let mut bad = good[..2].to_vec();
    bad.extend_from_slice(&[0xFF, 0xC0, 0xFF, 0xFF, 0x08, 0x00, 0x20]);
    bad.extend_from_slice(&[0xFF, 0x12, 0xFF, 0xD9]);
    bad
}

fn corpus() -> Vec<Case> {
    let text_pdf = common::text_pdf(&["Applicant: Elvin Mammadov"]);
    let pdf_case = |name, bytes, structure: Expect, text: Expect| Case {
        name,
        bytes,
        inspect: structure,
        render: E("drawn_by_viewer"),
        thumbnail: E("drawn_by_viewer"),
        text,
    };
    let image_case = |name, bytes, kind| Case {
        name,
        bytes,
        inspect: E(kind),
        render: E(kind),
        thumbnail: E(kind),
        text: OK,
    };
    let unsupported = |name, bytes| Case {
        name,
        bytes,
        inspect: E("unsupported"),
        render: E("unsupported"),
        thumbnail: E("unsupported"),
        text: E("unsupported"),
    };
    vec![
        pdf_case(
            "truncated PDF",
            text_pdf[..text_pdf.len() / 2].to_vec(),
            E("malformed"),
            E("malformed"),
        ),
        pdf_case(
            "PDF header then garbage",
            b"%PDF-1.7\n\x00\xFF garbage".to_vec(),
            E("malformed"),
            E("malformed"),
        ),
        pdf_case(
            "PDF page tree lists itself",
            pdf_kids_loop(),
            E("malformed"),
            E("malformed"),
        ),
        pdf_case(
            "PDF page is its own parent",
            pdf_parent_loop(),
            E("malformed"),
            E("malformed"),
        ),
        // The viewer may draw what the text reader fails on: inspect answers, without text.
        pdf_case(
            "PDF text in an undefined font",
            pdf_undefined_font(),
            OK,
            E("malformed"),
        ),
        pdf_case(
            "PDF form draws itself",
            pdf_form_loop(),
            E("malformed"),
            E("malformed"),
        ),
        pdf_case(
            "PDF deflate bomb",
            pdf_deflate_bomb(),
            E("too_large"),
            E("too_large"),
        ),
        image_case("PNG decompression bomb", png_bomb().to_vec(), "too_large"),
        image_case(
            "TIFF claiming 100000 × 100000",
            tiff_huge_header(),
            "too_large",
        ),
        image_case(
            "JPEG with broken markers",
            jpeg_broken_markers(),
            "malformed",
        ),
        unsupported("zero-byte file", Vec::new()),
        unsupported(
            "text file named .pdf",
            b"Dear officer,\nplease find my passport attached.\n".to_vec(),
        ),
        unsupported(
            "HTML page saved as .jpg",
            b"<!DOCTYPE html><html><body>404</body></html>".to_vec(),
        ),
    ]
}

#[test]
fn hostile_files_give_clear_errors_in_bounded_time() {
    let docs = Documents::new(limits());
    for case in corpus() {
        run_case(&docs, &case);
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

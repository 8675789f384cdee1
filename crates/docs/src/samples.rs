//! Sample files made in code, for tests, fuzzing seeds and the end-to-end hostile corpus
//! (feature `samples`; not part of the desk itself). Nothing here reads a file from disk, so
//! every test makes exactly what it checks.
//!
//! [`hostile`] is the corpus every layer is tested against: the document service
//! (`crates/docs/tests/hostile.rs`), and the desk in its window, where each file arrives
//! through the applicant API and must give a clear message in the viewer.

use std::io::Cursor;
use std::sync::OnceLock;

use image::{DynamicImage, ImageFormat};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};

mod scanners;
mod scans;
pub use scanners::*;
pub use scans::{ScanPage, scanned_pdf, scanned_pdf_of_jpeg};

/// One sample file: what it is, the name an applicant might have given it, and its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Sample {
    pub name: &'static str,
    pub file_name: &'static str,
    pub bytes: Vec<u8>,
    /// The kind of error ([`crate::DocError::kind`]) inspecting it gives, which is what the
    /// officer is shown when opening it; `None` when it can be shown.
    pub inspect: Option<&'static str>,
}

impl std::fmt::Debug for Sample {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sample")
            .field("name", &self.name)
            .field("file_name", &self.file_name)
            .field("bytes", &self.bytes.len())
            .field("inspect", &self.inspect)
            .finish()
    }
}

/// Broken and hostile files, each of which must give a clear per-document message and leave
/// the desk responsive: truncated PDF, PDF garbage, page trees that loop, a form that draws
/// itself, a deflate bomb, a PNG decompression bomb, a TIFF header claiming 100,000 × 100,000
/// pixels, a JPEG with broken markers, a zero-byte file, and text or HTML under an image's
/// or a PDF's name.
pub fn hostile() -> Vec<Sample> {
    let text = text_pdf(&["Applicant: Elvin Mammadov"]);
    let sample = |name, file_name, bytes, inspect| Sample {
        name,
        file_name,
        bytes,
        inspect,
    };
    let (malformed, too_large, unsupported) =
        (Some("malformed"), Some("too_large"), Some("unsupported"));
    vec![
        sample(
            "truncated PDF",
            "truncated.pdf",
            text[..text.len() / 2].to_vec(),
            malformed,
        ),
        sample(
            "PDF header then garbage",
            "garbage.pdf",
            b"%PDF-1.7\n\x00\xFF garbage".to_vec(),
            malformed,
        ),
        sample(
            "PDF page tree lists itself",
            "kids-loop.pdf",
            pdf_kids_loop(),
            malformed,
        ),
        sample(
            "PDF page is its own parent",
            "parent-loop.pdf",
            pdf_parent_loop(),
            malformed,
        ),
        sample(
            "PDF text in an undefined font",
            "undefined-font.pdf",
            pdf_undefined_font(),
            None,
        ),
        sample(
            "PDF form draws itself",
            "form-loop.pdf",
            pdf_form_loop(),
            malformed,
        ),
        sample(
            "PDF deflate bomb",
            "deflate-bomb.pdf",
            pdf_deflate_bomb(),
            too_large,
        ),
        sample(
            "PNG decompression bomb",
            "bomb.png",
            png_bomb().to_vec(),
            too_large,
        ),
        sample(
            "TIFF claiming 100000 × 100000",
            "huge.tiff",
            tiff_huge_header(),
            too_large,
        ),
        sample(
            "JPEG with broken markers",
            "broken.jpg",
            jpeg_broken_markers(),
            malformed,
        ),
        sample("zero-byte file", "empty.pdf", Vec::new(), unsupported),
        sample(
            "text file named .pdf",
            "letter.pdf",
            b"Dear officer,\nplease find my passport attached.\n".to_vec(),
            unsupported,
        ),
        sample(
            "HTML page saved as .jpg",
            "page.jpg",
            b"<!DOCTYPE html><html><body>404</body></html>".to_vec(),
            unsupported,
        ),
    ]
}

/// A grey page with a dark band at the top, so orientation is visible in pixels.
pub fn page_image(width: u32, height: u32) -> image::GrayImage {
    image::GrayImage::from_fn(width, height, |_, y| {
        image::Luma([if y < height / 8 { 20 } else { 240 }])
    })
}

/// `image` in `format`. Panics if the image crate cannot write it (a bug in the sample).
pub fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, format)
        .expect("the sample image encodes");
    out.into_inner()
}

/// A grey JPEG of [`page_image`].
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    encode(
        &DynamicImage::ImageLuma8(page_image(width, height)),
        ImageFormat::Jpeg,
    )
}

/// A one-page A4 PDF: catalogue (1), page tree (2), the page (3) drawing `content` (5) with one
/// resource (4) named by `resource` and written by `write` (a font, an image).
pub(crate) fn one_page_a4(
    resource: impl FnOnce(&mut pdf_writer::writers::Resources<'_>, Ref),
    write: impl FnOnce(&mut Pdf, Ref),
    content: Content,
) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let (catalog, tree, page, own, stream) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
    );
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.media_box(Rect::new(0.0, 0.0, 595.0, 842.0))
        .parent(tree)
        .contents(stream);
    resource(&mut p.resources(), own);
    p.finish();
    write(&mut pdf, own);
    pdf.stream(stream, &content.finish());
    pdf.finish()
}

/// A one-page A4 PDF with `lines` of visible Helvetica text.
pub fn text_pdf(lines: &[&str]) -> Vec<u8> {
    let mut c = Content::new();
    c.begin_text();
    c.set_font(Name(b"F1"), 12.0);
    let mut y = 780.0;
    for line in lines {
        c.set_text_matrix([1.0, 0.0, 0.0, 1.0, 60.0, y]);
        c.show(Str(line.as_bytes()));
        y -= 20.0;
    }
    c.end_text();
    one_page_a4(
        |r, font| {
            r.fonts().pair(Name(b"F1"), font);
        },
        |pdf, font| {
            pdf.type1_font(font).base_font(Name(b"Helvetica"));
        },
        c,
    )
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

/// Page 3 under the tree (2), 100 points square, showing "hello" in font `F1` (stream 4) —
/// a font its resources never define.
fn hello_page(pdf: &mut Pdf) {
    pdf.page(Ref::new(3))
        .parent(Ref::new(2))
        .media_box(Rect::new(0.0, 0.0, 100.0, 100.0))
        .contents(Ref::new(4));
    pdf.stream(Ref::new(4), &text_content());
}

/// The page tree lists itself among its kids.
pub fn pdf_kids_loop() -> Vec<u8> {
    pdf(|pdf| {
        pdf.pages(Ref::new(2))
            .kids([Ref::new(2), Ref::new(3)])
            .count(1);
        hello_page(pdf);
    })
}

/// The page is its own parent and has neither MediaBox nor Resources, so pdf-extract's search
/// for inherited attributes would recurse up `/Parent` until the stack overflows (an abort).
pub fn pdf_parent_loop() -> Vec<u8> {
    pdf(|pdf| {
        pdf.pages(Ref::new(2)).kids([Ref::new(3)]).count(1);
        pdf.page(Ref::new(3))
            .parent(Ref::new(3))
            .contents(Ref::new(4));
        pdf.stream(Ref::new(4), &text_content());
    })
}

/// Text in a font the page never defines (no resources at all): pdf-extract panics on it.
pub fn pdf_undefined_font() -> Vec<u8> {
    pdf(|pdf| {
        pdf.pages(Ref::new(2)).kids([Ref::new(3)]).count(1);
        hello_page(pdf);
    })
}

/// A form XObject that draws itself: pdf-extract would recurse without end.
pub fn pdf_form_loop() -> Vec<u8> {
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

/// A 1 GiB content stream (spaces) deflated to about a megabyte: beyond any decoding limit
/// the desk sets. Made like [`png_bomb`]: one deflated megabyte of spaces, byte-aligned by a
/// sync flush, repeated (its back-references stay valid, the history being spaces too).
pub fn pdf_deflate_bomb() -> Vec<u8> {
    const RUN: usize = 1024 * 1024;
    const RUNS: u64 = 1024;
    let mut run = Vec::with_capacity(8 * 1024);
    // Compressing into a Vec with room to grow cannot fail.
    let _ = flate2::Compress::new(flate2::Compression::best(), false).compress_vec(
        &vec![b' '; RUN],
        &mut run,
        flate2::FlushCompress::Sync,
    );
    let mut bomb = vec![0x78, 0xDA];
    for _ in 0..RUNS {
        bomb.extend_from_slice(&run);
    }
    bomb.extend_from_slice(&[0x03, 0x00]); // final, empty, fixed-Huffman block
    // Adler-32 of n bytes of value v: a = 1 + n·v, b = n + v·n(n+1)/2, both mod 65521.
    let (n, v) = (u128::from(RUNS) * RUN as u128, u128::from(b' '));
    let a = (1 + n * v) % 65521;
    let b = (n + v * n * (n + 1) / 2) % 65521;
    bomb.extend_from_slice(&((b as u32) << 16 | a as u32).to_be_bytes());
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
pub fn png_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| {
        const SIDE: u32 = 30_000;
        const ROWS_PER_RUN: u32 = 100;
        let run_len = (SIDE as usize + 1) * ROWS_PER_RUN as usize; // filter byte + pixels
        let mut run = Vec::with_capacity(64 * 1024);
        // Compressing into a Vec with room to grow cannot fail.
        let _ = flate2::Compress::new(flate2::Compression::best(), false).compress_vec(
            &vec![0; run_len],
            &mut run,
            flate2::FlushCompress::Sync,
        );
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

/// A little-endian TIFF with one IFD of `(tag, type, value)` entries (type 3 SHORT, 4 LONG),
/// followed by a few bytes of "pixels".
pub fn tiff_with(entries: &[(u16, u16, u32)]) -> Vec<u8> {
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

/// A TIFF header claiming 100,000 × 100,000 pixels in one uncompressed strip.
pub fn tiff_huge_header() -> Vec<u8> {
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
pub fn jpeg_broken_markers() -> Vec<u8> {
    let good = jpeg(32, 32);
    let mut bad = good[..2].to_vec();
    bad.extend_from_slice(&[0xFF, 0xC0, 0xFF, 0xFF, 0x08, 0x00, 0x20]);
    bad.extend_from_slice(&[0xFF, 0x12, 0xFF, 0xD9]);
    bad
}

/// [`text_pdf`] of `lines` with its cross-reference table damaged as files arrive damaged:
/// `shifted`, a line inserted after the header so that every offset misses its object (a tool
/// that rewrote line endings does that); otherwise `startxref` pointing past the end.
pub fn pdf_damaged_xref(lines: &[&str], shifted: bool) -> Vec<u8> {
    let pdf = text_pdf(lines);
    if shifted {
        let header_end = pdf.iter().position(|&b| b == b'\n').expect("a header line") + 1;
        let mut out = pdf[..header_end].to_vec();
        out.extend_from_slice(b"% converted by a mail gateway\n");
        out.extend_from_slice(&pdf[header_end..]);
        out
    } else {
        let at = pdf
            .windows(9)
            .rposition(|w| w == b"startxref")
            .expect("a startxref");
        let mut out = pdf[..at].to_vec();
        out.extend_from_slice(b"startxref\n99999999\n%%EOF\n");
        out
    }
}

//! What office scanners and fax machines write: black-and-white pages as CCITT fax data (Group
//! 4, and mixed one- and two-dimensional Group 3) and as JBIG2, in TIFFs and PDFs.

use pdf_writer::{Content, Filter, Name};

use super::one_page_a4;

/// `image` as CCITT Group 4 fax data: a pixel darker than mid-grey is black. The bytes a
/// black-and-white office scanner writes into a TIFF or a PDF.
pub fn fax_g4(image: &image::GrayImage) -> Vec<u8> {
    let width = u16::try_from(image.width()).expect("a fax line is at most 65,535 pixels");
    let mut encoder = fax::encoder::Encoder::new(fax::VecWriter::new());
    for row in image.rows() {
        let pels = row.map(|p| {
            if p.0[0] < 128 {
                fax::Color::Black
            } else {
                fax::Color::White
            }
        });
        encoder
            .encode_line(pels, width)
            .expect("a vector takes every bit");
    }
    encoder.finish().expect("a vector takes every bit").finish()
}

/// The bits a fax encoder writes, one by one, shared with whoever watches it write.
#[derive(Default, Clone)]
struct BitList(std::rc::Rc<std::cell::RefCell<Vec<bool>>>);

impl fax::BitWriter for BitList {
    type Error = std::convert::Infallible;
    fn write(&mut self, bits: fax::Bits) -> Result<(), Self::Error> {
        self.0
            .borrow_mut()
            .extend((0..bits.len).rev().map(|i| (bits.data >> i) & 1 == 1));
        Ok(())
    }
}

/// `image` — 1728 pixels wide, the fax line, its first line white — as mixed one- and
/// two-dimensional CCITT Group 3 data (`K > 0`, without end-of-line codes): each line a tag
/// bit, the first line one-dimensional (a white line's run codes), every line after it coded
/// two-dimensionally against the line above (the codes Group 4 writes for it).
pub fn fax_g3_2d(image: &image::GrayImage) -> Vec<u8> {
    assert_eq!(image.width(), 1728, "a fax line");
    let black = |p: &image::Luma<u8>| p.0[0] < 128;
    assert!(
        !image.rows().next().expect("a line").any(black),
        "a white first line"
    );
    let written = BitList::default();
    let mut encoder = fax::encoder::Encoder::new(written.clone());
    let mut lines = Vec::new();
    let mut at = 0;
    for row in image.rows() {
        let pels = row.map(|p| {
            if black(p) {
                fax::Color::Black
            } else {
                fax::Color::White
            }
        });
        encoder
            .encode_line(pels, 1728)
            .expect("a list takes every bit");
        let bits = written.0.borrow();
        lines.push(bits[at..].to_vec());
        at = bits.len();
    }
    // Tag 1, then white 1728 (make-up code 010011011, terminating code 00110101).
    let mut bits = bits("1 010011011 00110101");
    for line in &lines[1..] {
        bits.push(false);
        bits.extend_from_slice(line);
    }
    packed(&bits)
}

/// Bits written as `0` and `1`, spaces between codes ignored.
pub fn bits(written: &str) -> Vec<bool> {
    written
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c == '1')
        .collect()
}

/// Bits packed into bytes, the first bit the highest, the last byte padded with zeros.
pub fn packed(bits: &[bool]) -> Vec<u8> {
    bits.chunks(8)
        .map(|byte| {
            byte.iter()
                .enumerate()
                .fold(0u8, |b, (i, &bit)| b | (u8::from(bit) << (7 - i)))
        })
        .collect()
}

/// A one-page A4 PDF without a text layer whose page is `image` as mixed Group 3 fax data
/// ([`fax_g3_2d`]).
pub fn pdf_fax_g3_2d(image: &image::GrayImage) -> Vec<u8> {
    let (width, height) = (image.width() as i32, image.height() as i32);
    one_scan_a4(image.dimensions(), &fax_g3_2d(image), |xobject| {
        xobject.filter(Filter::CcittFaxDecode);
        xobject.decode_parms().k(height).columns(width).rows(height);
    })
}

/// `image` as a black-and-white TIFF, one strip of CCITT Group 4 data, white as zero (as fax
/// machines and scanners write it).
pub fn tiff_fax_g4(image: &image::GrayImage) -> Vec<u8> {
    let data = fax_g4(image);
    let entries: [(u16, u16, u32); 9] = [
        (256, 4, image.width()),                                     // ImageWidth
        (257, 4, image.height()),                                    // ImageLength
        (258, 3, 1),                                                 // BitsPerSample
        (259, 3, 4),                                                 // Compression: CCITT Group 4
        (262, 3, 0),              // PhotometricInterpretation: WhiteIsZero
        (273, 4, 0),              // StripOffsets: after the directory, below
        (277, 3, 1),              // SamplesPerPixel
        (278, 4, image.height()), // RowsPerStrip
        (279, 4, u32::try_from(data.len()).expect("a small strip")), // StripByteCounts
    ];
    let data_at = 8 + 2 + 12 * entries.len() as u32 + 4;
    let mut t = b"II*\0\x08\0\0\0".to_vec();
    t.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, value) in entries {
        let value = if tag == 273 { data_at } else { value };
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&1u32.to_le_bytes());
        t.extend_from_slice(&value.to_le_bytes());
    }
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(&data);
    t
}

/// A one-page A4 PDF without a text layer whose page is `image` as a CCITT Group 4 fax image,
/// with `black_is_1` as some scanners write it (black pixels decoded as 1 bits, which a Decode
/// array then draws black: a viewer shows black on white either way).
pub fn pdf_fax_g4(image: &image::GrayImage, black_is_1: bool) -> Vec<u8> {
    let (width, height) = (image.width() as i32, image.height() as i32);
    one_scan_a4(image.dimensions(), &fax_g4(image), |xobject| {
        xobject.filter(Filter::CcittFaxDecode);
        xobject
            .decode_parms()
            .k(-1)
            .columns(width)
            .rows(height)
            .black_is_1(black_is_1);
        if black_is_1 {
            xobject.decode([1.0, 0.0]);
        }
    })
}

/// A one-page A4 PDF without a text layer whose page is a black-and-white scan of `width` ×
/// `height` pixels, `data` encoded as `encoding` says.
fn one_scan_a4(
    size: (u32, u32),
    data: &[u8],
    encoding: impl FnOnce(&mut pdf_writer::writers::ImageXObject<'_>),
) -> Vec<u8> {
    one_scan_a4_and(size, data, encoding, |_| {})
}

/// As [`one_scan_a4`], and `more` writes the objects the image refers to.
fn one_scan_a4_and(
    (width, height): (u32, u32),
    data: &[u8],
    encoding: impl FnOnce(&mut pdf_writer::writers::ImageXObject<'_>),
    more: impl FnOnce(&mut pdf_writer::Pdf),
) -> Vec<u8> {
    let mut c = Content::new();
    c.save_state();
    c.transform([595.0, 0.0, 0.0, 842.0, 0.0, 0.0]);
    c.x_object(Name(b"Im0"));
    c.restore_state();
    one_page_a4(
        |r, scan| {
            r.x_objects().pair(Name(b"Im0"), scan);
        },
        |pdf, scan| {
            let mut xobject = pdf.image_xobject(scan, data);
            encoding(&mut xobject);
            xobject.width(width as i32).height(height as i32);
            xobject.bits_per_component(1);
            xobject.color_space().device_gray();
            drop(xobject);
            more(pdf);
        },
        c,
    )
}

/// One JBIG2 segment (T.88 7.2): its number, type, page 1, and data.
fn jbig2_segment(number: u32, kind: u8, data: &[u8]) -> Vec<u8> {
    let mut out = number.to_be_bytes().to_vec();
    // Flags: the type, a one-byte page association; no segments referred to; page 1.
    out.extend_from_slice(&[kind, 0, 1]);
    out.extend_from_slice(
        &u32::try_from(data.len())
            .expect("a small segment")
            .to_be_bytes(),
    );
    out.extend_from_slice(data);
    out
}

/// `image` as an embedded JBIG2 stream (T.88 Annex D.3), as a scanner's compact PDF holds a
/// black-and-white page: its page information and one immediate generic region, MMR-coded
/// (the region coding a scanner without a symbol dictionary writes).
pub fn jbig2_generic(image: &image::GrayImage) -> Vec<u8> {
    let (w, h) = (image.width().to_be_bytes(), image.height().to_be_bytes());
    let mut info = [w, h, 200u32.to_be_bytes(), 200u32.to_be_bytes()].concat();
    // Eventually lossless; no striping.
    info.extend_from_slice(&[1, 0, 0]);
    let mut region = [w, h, [0; 4], [0; 4]].concat();
    // Combined by OR; MMR coding.
    region.extend_from_slice(&[0, 1]);
    region.extend_from_slice(&fax_g4(image));
    [jbig2_segment(0, 48, &info), jbig2_segment(1, 38, &region)].concat()
}

/// A one-page A4 PDF without a text layer whose page is `image` as a JBIG2 image.
pub fn pdf_jbig2(image: &image::GrayImage) -> Vec<u8> {
    pdf_jbig2_stream(&jbig2_generic(image), image.dimensions())
}

/// A one-page A4 PDF whose page is the JBIG2 stream `data` that draws with the symbol
/// dictionaries of `globals` (its `JBIG2Globals` stream), as a symbol-coding encoder writes a
/// page: each mark found once in the dictionary, the page placing it wherever it stands.
pub fn pdf_jbig2_with_globals(data: &[u8], globals: &[u8], size: (u32, u32)) -> Vec<u8> {
    let shared = pdf_writer::Ref::new(6);
    one_scan_a4_and(
        size,
        data,
        |xobject| {
            xobject.filter(Filter::Jbig2Decode);
            xobject.decode_parms().jbig2_globals(shared);
        },
        |pdf| {
            pdf.stream(shared, globals);
        },
    )
}

/// A one-page A4 PDF whose page is the JBIG2 stream `data`, declared `size` pixels (whatever
/// the stream's own segments say).
pub fn pdf_jbig2_stream(data: &[u8], size: (u32, u32)) -> Vec<u8> {
    one_scan_a4(size, data, |xobject| {
        xobject.filter(Filter::Jbig2Decode);
    })
}

//! The centre's typeface: DejaVu Sans (committed with its licence in `assets/fonts`), which has
//! every Latin, Azerbaijani, Cyrillic, Georgian and Arabic-script letter the centre prints — on
//! decision letters and on the demo's documents. PDFs embed the subset of it they use, with a
//! map back to Unicode, so that extracting their text gives back exactly what was printed; the
//! demo's scanned pages have it rasterised onto them before they are skewed and made noisy.

use std::collections::BTreeMap;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::{GrayImage, Luma};
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Finish, Name, Pdf, Rect, Ref, Str};
use subsetter::GlyphRemapper;

static DEJAVU_SANS: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");

/// The PostScript name of the embedded subset (a six-letter tag, then the font's name).
const SUBSET_NAME: &[u8] = b"MIGDSK+DejaVuSans";

/// The font, parsed once for the whole seed (every page and PDF uses it).
static FONT: std::sync::LazyLock<FontRef<'static>> = std::sync::LazyLock::new(|| {
    FontRef::try_from_slice(DEJAVU_SANS).expect("the committed DejaVu Sans is a valid font")
});

/// The text of one PDF in the embedded font: each string shown is encoded as two-byte glyph
/// ids of the subset (Identity-H), and the glyphs used are remembered for the font objects.
pub struct PdfFont {
    remapper: GlyphRemapper,
    /// Subset glyph id → the character it shows.
    chars: BTreeMap<u16, char>,
}

impl std::fmt::Debug for PdfFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfFont")
            .field("glyphs", &self.chars.len())
            .finish()
    }
}

impl PdfFont {
    pub fn new() -> Self {
        Self {
            // Keeps .notdef as glyph 0.
            remapper: GlyphRemapper::new(),
            chars: BTreeMap::new(),
        }
    }

    /// How wide `text` is, in points, at `size` points.
    pub fn width(text: &str, size: f32) -> f32 {
        let units = FONT.units_per_em().unwrap_or(1000.0);
        text.chars()
            .map(|c| FONT.h_advance_unscaled(FONT.glyph_id(c)))
            .sum::<f32>()
            * size
            / units
    }

    /// The bytes that show `text` (for `Content::show`).
    pub fn encode(&mut self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let gid = self.remapper.remap(FONT.glyph_id(c).0);
            self.chars.entry(gid).or_insert(c);
            out.extend_from_slice(&gid.to_be_bytes());
        }
        out
    }

    /// Writes the font as object `type0` (the id the pages' resources name): a Type 0 font over
    /// a TrueType CID font, with its descriptor, the subset and the map to Unicode under ids
    /// from `alloc`.
    pub fn write(self, pdf: &mut Pdf, type0: Ref, alloc: &mut impl FnMut() -> Ref) {
        let (cid, descriptor, file, cmap) = (alloc(), alloc(), alloc(), alloc());
        let units = FONT.units_per_em().unwrap_or(1000.0);
        let per_mille = |v: f32| v * 1000.0 / units;
        let system_info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };

        pdf.type0_font(type0)
            .base_font(Name(SUBSET_NAME))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);

        // The subset's glyph ids run from 0 without gaps, in the order they were remapped.
        let old_ids: Vec<u16> = self.remapper.remapped_gids().collect();
        let widths: Vec<f32> = old_ids
            .iter()
            .map(|&old| per_mille(FONT.h_advance_unscaled(ab_glyph::GlyphId(old))))
            .collect();
        let mut cid_font = pdf.cid_font(cid);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(Name(SUBSET_NAME))
            .system_info(system_info)
            .font_descriptor(descriptor)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid_font.widths().consecutive(0, widths);
        cid_font.finish();

        let (ascent, descent) = (
            per_mille(FONT.ascent_unscaled()),
            per_mille(FONT.descent_unscaled()),
        );
        pdf.font_descriptor(descriptor)
            .name(Name(SUBSET_NAME))
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(-1021.0, descent, 1794.0, ascent))
            .italic_angle(0.0)
            .ascent(ascent)
            .descent(descent)
            .cap_height(729.0)
            .stem_v(80.0)
            .font_file2(file);

        let subset = subsetter::subset(DEJAVU_SANS, 0, &self.remapper)
            .expect("the committed DejaVu Sans can be subset");
        pdf.stream(file, &subset);

        let mut map = UnicodeCmap::new(
            Name(b"Custom"),
            SystemInfo {
                registry: Str(b"Adobe"),
                ordering: Str(b"UCS"),
                supplement: 0,
            },
        );
        for (gid, c) in &self.chars {
            if *gid != 0 {
                map.pair(*gid, *c);
            }
        }
        pdf.stream(cmap, &map.finish());
    }
}

/// Prints `text` onto a page in ink of grey level `ink`, its baseline at `y`, starting at `x`,
/// `size` pixels high. With `pitch`, every character takes that many pixels (as the
/// fixed-pitch letters of a passport's machine-readable zone do).
pub fn print(
    img: &mut GrayImage,
    (x, y): (f32, f32),
    size: f32,
    text: &str,
    ink: u8,
    pitch: Option<f32>,
) {
    let font = &*FONT;
    let scaled = font.as_scaled(PxScale::from(size));
    let mut caret = x;
    for c in text.chars() {
        let id = font.glyph_id(c);
        let advance = pitch.unwrap_or_else(|| scaled.h_advance(id));
        let glyph = id.with_scale_and_position(size, point(caret, y));
        caret += advance;
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        outline.draw(|gx, gy, coverage| {
            let px = bounds.min.x as i64 + i64::from(gx);
            let py = bounds.min.y as i64 + i64::from(gy);
            if px < 0 || py < 0 || px >= i64::from(img.width()) || py >= i64::from(img.height()) {
                return;
            }
            let (px, py) = (px as u32, py as u32);
            let paper = f32::from(img.get_pixel(px, py).0[0]);
            let shade = paper + (f32::from(ink) - paper) * coverage.min(1.0);
            img.put_pixel(px, py, Luma([shade.round() as u8]));
        });
    }
}

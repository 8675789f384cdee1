//! The machine-readable zone read again: a page whose first reading shows a zone (`<<`) is read
//! a second time in English with only the zone's characters allowed, and its zone lines replace
//! the first reading's (which mixes in other scripts' letters and reads fillers as `c`/`«`).
//! When those lines have a length no zone has (a character lost or gained), the zone's strip alone
//! is read a third time; and when that fails too, the zone's characters are read one cell each:
//! the zone is printed in a font of one width (OCR-B, ICAO 9303), so each line is cut into its
//! cells (the grid whose borders cross the least ink, [`grid`]), the cells are set a little
//! apart, and every character read is put in the cell its centre falls in — a character lost
//! leaves its cell empty instead of shifting the line. A cell still empty takes the character
//! whose cells it looks like, or is shown to the recogniser alone as one character; and the
//! cells' reading is taken only where it restores what the other reading lost ([`restores`]): a
//! picture of cells misread all along would otherwise win with names no check digit covers.
//!
//! Measured on the demo's identity pages askew up to 3° as JPEG quality 60
//! (`scripts/bench.sh documents`): the strip alone read first read fewer zones whole (78 %) than
//! the whole page, so it is only the second try. Of 100 pages, 96 zones read whole (92 with the
//! cells' grid taken from the ink box alone, which cut a thin `I` at a cell's edge); 99 once the
//! zone reader settles what the check digits cannot against the page's printed fields
//! (`migdesk_domain::mrz_read`: a name that lost a narrow letter, a number two corrections
//! explain, a line read with a character too many), and 192 of 200. The demo's passports then
//! took their states' number shapes (other numbers on the same pages): 196 of 200, and 198 of
//! another 200, with the number read in its state's shape (`SZ54…` read `5254…`, where the
//! check digit holds either way) and a damaged zone's names settled against the page more
//! widely. With a second line read one character short read with one put back, a number whose
//! digit holds only outside its state's shape yielding to the page's, and a `W` read `V` or a
//! filler read `K` settled by the page: 199, 199 and 197 of three samples of 200. Still missed:
//! a zone not found at all (fillers read `=`), letters no confusion explains (`KARSMI`,
//! `RAHLL`), a `9` read as `O`, and a name the page misread where the zone was right
//! (`BERIOZE`).
//! Reading every zone by its cells first, with letters only where letters stand and digits
//! where digits do, read fewer (the recogniser limited to digits drops what it cannot read as
//! one, leaving cells empty).

use image::{GrayImage, Luma};

use super::{Prepared, parse_tsv, run, tsv_words};
use migdesk_domain::mrz_read;

use crate::DocError;
use crate::worker::Ctx;

/// The characters of a machine-readable zone.
const ZONE_CHARACTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";

/// The zone's lines read from `prepared` (page `page`), as well as three readings can: the
/// first whose lines have a zone's length and whose check digits all hold, else the one with the
/// fewest failing check digits (of two alike, the one with whole lines, then the earlier).
pub(super) fn read(
    program: &str,
    prepared: &Prepared,
    page: usize,
    ctx: &Ctx,
) -> Result<String, DocError> {
    let allowed = format!("tessedit_char_whitelist={ZONE_CHARACTERS}");
    let zone = run(
        program,
        &["-l", "eng", "--psm", "4", "-c", &allowed, "tsv"],
        &prepared.grey,
        ctx,
    )?;
    let mut best = Reading::of(parse_tsv(&zone, page, prepared).0);
    if best.sound() {
        return Ok(best.text);
    }
    if let Some(strip) = zone_strip(&zone, &prepared.grey) {
        let again = run(
            program,
            &["-l", "eng", "--psm", "6", "-c", &allowed, "tsv"],
            &strip,
            ctx,
        )?;
        best = best.or(Reading::of(parse_tsv(&again, page, prepared).0));
        if best.sound() {
            return Ok(best.text);
        }
    }
    if let Some(cells) = Cells::new(&zone, &prepared.grey) {
        let hocr = run(
            program,
            &[
                "-l",
                "eng",
                "--psm",
                "6",
                "-c",
                &allowed,
                "-c",
                "hocr_char_boxes=1",
                "hocr",
            ],
            &cells.image,
            ctx,
        )?;
        let mut placed = cells.placed(&hocr);
        let empty: Vec<usize> = (0..placed.len()).filter(|&i| placed[i].is_none()).collect();
        // A cell the recogniser passed over is shown to it alone, as one character.
        if empty.len() <= MAX_ALONE {
            for index in empty {
                let alone = run(
                    program,
                    &["-l", "eng", "--psm", "10", "-c", &allowed, "tsv"],
                    &cells.alone(index),
                    ctx,
                )?;
                if let Some(word) = tsv_words(&alone).next()
                    && let [c] = word.text.chars().collect::<Vec<_>>()[..]
                {
                    placed[index] = Some((c, word.confidence));
                }
            }
        }
        if let Some(lines) = cells.joined(&placed)
            && restores(&best.text, &lines)
        {
            best = best.or(Reading::of(lines));
        }
    }
    Ok(best.text)
}

/// Whether the cells' reading `cells` only restores what the reading `read` lost or gained:
/// each of its zone lines differs from the likest of `read`'s (in whatever order that reading
/// put them) by little more than their lengths do. A picture of cells the recogniser misread
/// (fillers as `S`) differs everywhere, and its names no digit checks.
fn restores(read: &str, cells: &str) -> bool {
    let zone = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| zone_like(l))
            .map(|l| l.split_whitespace().collect())
            .collect()
    };
    let read = zone(read);
    let changed: usize = zone(cells)
        .iter()
        .map(|line| {
            read.iter()
                .map(|r| {
                    let lengths = r.chars().count().abs_diff(line.chars().count());
                    strsim::levenshtein(r, line) - lengths
                })
                .min()
                .unwrap_or(0)
        })
        .sum();
    changed <= MAX_CHANGED
}

/// How many characters the cells' reading may change besides what it restores.
const MAX_CHANGED: usize = 2;

/// How many cells left empty are read alone, at the most (a reading each).
const MAX_ALONE: usize = 4;

/// A reading of the zone and how it stands.
struct Reading {
    text: String,
    /// Its failing check digits; all of them when no zone can be read from it.
    failed: usize,
    /// Whether its lines have one zone's length.
    whole: bool,
}

impl Reading {
    fn of(text: String) -> Reading {
        let today = chrono::Utc::now().date_naive();
        let failed = mrz_read::find(&text, mrz_read::Source::Recognised, today)
            .map_or(usize::MAX, |zone| zone.failed.len());
        Reading {
            whole: zone_whole(&text),
            failed,
            text,
        }
    }

    /// Lines of a zone's length, every check digit holding.
    fn sound(&self) -> bool {
        self.whole && self.failed == 0
    }

    /// The better of the two: fewer failing digits, then whole lines; `self` when alike.
    fn or(self, other: Reading) -> Reading {
        if (other.failed, !other.whole) < (self.failed, !self.whole) {
            other
        } else {
            self
        }
    }
}

/// Whether a line read can be one of a zone's: 20 characters or more, one a filler.
pub(super) fn zone_like(line: &str) -> bool {
    line.contains('<') && line.chars().filter(|c| !c.is_whitespace()).count() >= 20
}

/// The lengths of a zone's lines: 30 (TD1), 36 (TD2) and 44 (TD3) characters.
const ZONE_WIDTHS: [usize; 3] = [30, 36, 44];

/// Whether the zone lines read all have one zone's length.
pub(super) fn zone_whole(text: &str) -> bool {
    let widths: Vec<usize> = text
        .lines()
        .filter(|l| zone_like(l))
        .map(|l| l.chars().filter(|c| !c.is_whitespace()).count())
        .collect();
    widths.len() >= 2 && ZONE_WIDTHS.contains(&widths[0]) && widths.iter().all(|w| *w == widths[0])
}

/// The strip of the prepared page that holds the zone's lines (the words with fillers in the
/// zone reading's TSV), with half a line's margin above and below.
fn zone_strip(tsv: &str, page: &GrayImage) -> Option<GrayImage> {
    let (mut top, mut bottom, mut height) = (u32::MAX, 0u32, 0u32);
    for word in tsv_words(tsv).filter(|w| w.text.contains("<<")) {
        let (_, t, _, h) = word.bounds;
        top = top.min(t);
        bottom = bottom.max(t + h);
        height = height.max(h);
    }
    if top >= bottom {
        return None;
    }
    let top = top.saturating_sub(height / 2);
    let bottom = (bottom + height / 2).min(page.height());
    Some(image::imageops::crop_imm(page, 0, top, page.width(), bottom - top).to_image())
}

/// `text` with its zone lines replaced by the zone reading's.
pub(super) fn with_zone(text: &str, zone_reading: &str) -> String {
    let mut lines: Vec<&str> = text.lines().filter(|l| !zone_like(l)).collect();
    lines.extend(zone_reading.lines().filter(|l| zone_like(l)));
    lines.join("\n")
}

/// White between two cells set apart, in pixels: enough that the recogniser sees each character
/// alone, not so much that it reads a cell as a word of its own (measured: 3 read the demo's
/// lost `I` and every filler; 10 read fillers as `K`).
const CELL_GAP: u32 = 3;
/// White around the cells' picture.
const MARGIN: u32 = 20;
/// Where a glyph's ink begins in its cell, as a share of the cell's width: OCR-B's letters are
/// narrower than their cells, and the line's box is the ink's.
const INK_OFFSET: f32 = 0.15;

/// One zone line as the zone reading found it: its ink's box in the prepared page, and how many
/// characters were read on it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Line {
    left: u32,
    top: u32,
    right: u32,
    bottom: u32,
    read: usize,
}

/// The zone lines of a TSV answer: the lines whose words make a zone-like line.
fn zone_lines(tsv: &str) -> Vec<Line> {
    let mut lines: Vec<(_, Line, String)> = Vec::new();
    for word in tsv_words(tsv) {
        let (left, top, width, height) = word.bounds;
        match lines.last_mut() {
            Some((key, line, text)) if *key == word.line => {
                line.left = line.left.min(left);
                line.top = line.top.min(top);
                line.right = line.right.max(left + width);
                line.bottom = line.bottom.max(top + height);
                text.push_str(word.text);
            }
            _ => lines.push((
                word.line,
                Line {
                    left,
                    top,
                    right: left + width,
                    bottom: top + height,
                    read: 0,
                },
                word.text.to_owned(),
            )),
        }
    }
    lines
        .into_iter()
        .filter(|(_, _, text)| zone_like(text))
        .map(|(_, line, text)| Line {
            read: text.chars().filter(|c| !c.is_whitespace()).count(),
            ..line
        })
        .collect()
}

/// A zone's lines cut into their cells and set apart in a picture of their own.
struct Cells {
    image: GrayImage,
    /// Characters a line.
    width: usize,
    lines: usize,
    /// A cell's place in the picture: its width with the white on both sides, and a line's height
    /// with the white below it.
    slot: (u32, u32),
    /// A cell's own width and height.
    cell: (u32, u32),
}

impl Cells {
    /// The cells of the zone lines that `tsv` (the zone reading) found on `page`; `None` when it
    /// found no zone of two or three lines. The characters a line are the zone's: 30 for three
    /// lines (TD1), else a length read on a line (36 for TD2, 44 for TD3), else the nearer of the
    /// two to the longest read.
    fn new(tsv: &str, page: &GrayImage) -> Option<Cells> {
        let lines = zone_lines(tsv);
        let width = match lines.len() {
            3 => 30,
            2 => lines
                .iter()
                .map(|l| l.read)
                .find(|r| *r == 36 || *r == 44)
                .unwrap_or_else(|| {
                    let longest = lines.iter().map(|l| l.read).max().unwrap_or(0);
                    if longest.abs_diff(36) < longest.abs_diff(44) {
                        36
                    } else {
                        44
                    }
                }),
            _ => return None,
        };
        // The ink spans the cells but the first's and the last's white: width - 0.3 cells.
        let pitch = |l: &Line| (l.right - l.left) as f32 / (width as f32 - 2.0 * INK_OFFSET);
        let cell_width = lines.iter().map(pitch).fold(0.0f32, f32::max).round() as u32;
        let ink_height = lines.iter().map(|l| l.bottom - l.top).max()?;
        let pad = ink_height / 4;
        let cell_height = ink_height + 2 * pad;
        if cell_width < 4 || ink_height < 4 {
            return None;
        }
        let slot = (cell_width + 2 * CELL_GAP, cell_height + cell_height / 2);
        let mut image = GrayImage::from_pixel(
            2 * MARGIN + width as u32 * slot.0,
            2 * MARGIN + lines.len() as u32 * slot.1,
            Luma([255]),
        );
        for (row, line) in lines.iter().enumerate() {
            let (start, pitch) = grid(page, line, width, pitch(line));
            let top = line.top.saturating_sub(pad);
            for cell in 0..width {
                let left = (start + cell as f32 * pitch).max(0.0) as u32;
                let (x0, y0) = (
                    MARGIN + cell as u32 * slot.0 + CELL_GAP,
                    MARGIN + row as u32 * slot.1,
                );
                for y in 0..cell_height.min(page.height().saturating_sub(top)) {
                    for x in 0..cell_width.min(page.width().saturating_sub(left)) {
                        image.put_pixel(x0 + x, y0 + y, *page.get_pixel(left + x, top + y));
                    }
                }
            }
        }
        Some(Cells {
            image,
            width,
            lines: lines.len(),
            slot,
            cell: (cell_width, cell_height),
        })
    }

    /// The zone's lines from the recogniser's hOCR answer on [`Cells::image`] with each
    /// character's box: every character goes to the cell its centre falls in (the more certain of
    /// two); `None` when a cell stays empty.
    #[cfg(test)]
    fn lines(&self, hocr: &str) -> Option<String> {
        self.joined(&self.placed(hocr))
    }

    /// Every character of an hOCR answer on [`Cells::image`] put in the cell its centre falls
    /// in (the more certain of two), and cells left empty filled by likeness.
    fn placed(&self, hocr: &str) -> Vec<Option<(char, f32)>> {
        let mut cells: Vec<Option<(char, f32)>> = vec![None; self.width * self.lines];
        for (c, (left, top, right, bottom), confidence) in hocr_characters(hocr) {
            let (x, y) = ((left + right) / 2, (top + bottom) / 2);
            let (Some(x), Some(y)) = (x.checked_sub(MARGIN), y.checked_sub(MARGIN)) else {
                continue;
            };
            let (cell, row) = ((x / self.slot.0) as usize, (y / self.slot.1) as usize);
            if cell >= self.width || row >= self.lines {
                continue;
            }
            let place = &mut cells[row * self.width + cell];
            if place.is_none_or(|(_, was)| confidence > was) {
                *place = Some((c, confidence));
            }
        }
        self.fill_by_likeness(&mut cells);
        cells
    }

    /// The zone's lines from its cells' characters; `None` when a cell is empty.
    fn joined(&self, cells: &[Option<(char, f32)>]) -> Option<String> {
        let read: Vec<char> = cells
            .iter()
            .map(|c| c.map(|(c, _)| c))
            .collect::<Option<_>>()?;
        Some(
            read.chunks(self.width)
                .map(|line| line.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }

    /// Cell `index` alone, twice its size, with white around it: for a reading of one character.
    fn alone(&self, index: usize) -> GrayImage {
        let (row, cell) = ((index / self.width) as u32, (index % self.width) as u32);
        let (x0, y0) = (
            MARGIN + cell * self.slot.0 + CELL_GAP,
            MARGIN + row * self.slot.1,
        );
        let own = image::imageops::crop_imm(&self.image, x0, y0, self.cell.0, self.cell.1);
        let large = image::imageops::resize(
            &own.to_image(),
            self.cell.0 * 2,
            self.cell.1 * 2,
            image::imageops::FilterType::CatmullRom,
        );
        let mut alone = GrayImage::from_pixel(
            large.width() + 2 * MARGIN,
            large.height() + 2 * MARGIN,
            Luma([255]),
        );
        image::imageops::replace(&mut alone, &large, i64::from(MARGIN), i64::from(MARGIN));
        alone
    }
}

/// Where `line`'s cells begin and how wide they are: of the grids near the one its ink box
/// gives (`pitch` wide, the first cell a little before the ink), the one whose cell borders
/// cross the least ink — borders fall between characters, so a thin letter is not cut in two or
/// pushed to a cell's edge.
fn grid(page: &GrayImage, line: &Line, width: usize, pitch: f32) -> (f32, f32) {
    let from = line.left.saturating_sub(pitch.ceil() as u32);
    let to = (line.right + pitch.ceil() as u32).min(page.width());
    let bottom = line.bottom.min(page.height());
    // The ink in each column of the line.
    let ink: Vec<u32> = (from..to)
        .map(|x| {
            (line.top..bottom)
                .map(|y| u32::from(255 - page.get_pixel(x, y).0[0]))
                .sum()
        })
        .collect();
    let ink_at = |x: f32| -> Option<u32> {
        let i = (x.round() as i64) - i64::from(from);
        usize::try_from(i).ok().and_then(|i| ink.get(i).copied())
    };
    let guess = (line.left as f32 - INK_OFFSET * pitch, pitch);
    let mut best = (u64::MAX, guess);
    for p in -PITCH_STEPS..=PITCH_STEPS {
        let pitch = pitch * (1.0 + p as f32 * PITCH_STEP);
        let mut start = line.left as f32 - pitch / 2.0;
        while start <= line.left as f32 {
            let crossed: Option<u64> = (0..=width)
                .map(|k| ink_at(start + k as f32 * pitch).map(u64::from))
                .sum();
            if let Some(crossed) = crossed
                && crossed < best.0
            {
                best = (crossed, (start, pitch));
            }
            start += 0.5;
        }
    }
    best.1
}

/// The widths tried for a line's cells: its ink box's estimate ± this many steps of this share.
const PITCH_STEPS: i32 = 6;
const PITCH_STEP: f32 = 0.005;

impl Cells {
    /// The grey levels of cell `index` (line by line, `width` cells a line), less their mean.
    fn centred(&self, index: usize, shift: i32) -> Vec<f32> {
        let (row, cell) = ((index / self.width) as u32, (index % self.width) as u32);
        let x0 = (MARGIN + cell * self.slot.0 + CELL_GAP) as i32 + shift;
        let y0 = MARGIN + row * self.slot.1;
        let mut values = Vec::with_capacity((self.cell.0 * self.cell.1) as usize);
        for y in y0..y0 + self.cell.1 {
            for x in x0..x0 + self.cell.0 as i32 {
                let x = x.clamp(0, self.image.width() as i32 - 1) as u32;
                values.push(f32::from(self.image.get_pixel(x, y).0[0]));
            }
        }
        let mean = values.iter().sum::<f32>() / values.len().max(1) as f32;
        values.iter_mut().for_each(|v| *v -= mean);
        values
    }

    /// Cells the recogniser left empty, given the character whose cells (read with confidence)
    /// they look most like, when they look like them closely: the zone's own print is the
    /// pattern, so a filler passed over among fillers is a filler, while a cell like nothing
    /// read stays empty and the line is not taken.
    fn fill_by_likeness(&self, cells: &mut [Option<(char, f32)>]) {
        if cells.iter().all(Option::is_some) {
            return;
        }
        let mut patterns: Vec<(char, Vec<f32>)> = Vec::new();
        for (index, read) in cells.iter().enumerate() {
            let Some((c, confidence)) = *read else {
                continue;
            };
            if confidence < PATTERN_CONFIDENCE {
                continue;
            }
            let values = self.centred(index, 0);
            match patterns.iter_mut().find(|(p, _)| *p == c) {
                Some((_, sum)) => sum.iter_mut().zip(values).for_each(|(s, v)| *s += v),
                None => patterns.push((c, values)),
            }
        }
        for (index, place) in cells.iter_mut().enumerate() {
            if place.is_some() {
                continue;
            }
            let best = (-MAX_SHIFT..=MAX_SHIFT)
                .map(|shift| self.centred(index, shift))
                .flat_map(|values| {
                    patterns
                        .iter()
                        .map(move |(c, pattern)| (*c, correlation(&values, pattern)))
                        .collect::<Vec<_>>()
                })
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((c, likeness)) = best
                && likeness >= MIN_LIKENESS
            {
                *place = Some((c, 0.0));
            }
        }
    }
}

/// How sure the recogniser must have been of a cell for it to serve as its character's pattern.
const PATTERN_CONFIDENCE: f32 = 80.0;
/// How closely an empty cell must follow a pattern to be taken as its character (a correlation).
const MIN_LIKENESS: f32 = 0.85;
/// How far, in pixels, an empty cell's print may stand off its cell's middle.
const MAX_SHIFT: i32 = 2;

/// Pearson's correlation of two series already less their means.
fn correlation(a: &[f32], b: &[f32]) -> f32 {
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        ab += x * y;
        aa += x * x;
        bb += y * y;
    }
    if aa == 0.0 || bb == 0.0 {
        return 0.0;
    }
    ab / (aa * bb).sqrt()
}

/// Each character of an hOCR answer with character boxes (`x_bboxes l t r b; x_conf c'>C<`):
/// the character, its box and the recogniser's confidence.
fn hocr_characters(hocr: &str) -> impl Iterator<Item = (char, (u32, u32, u32, u32), f32)> + '_ {
    hocr.split("x_bboxes ").skip(1).filter_map(|piece| {
        let (numbers, rest) = piece.split_once(';')?;
        let n: Vec<u32> = numbers
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        let [left, top, right, bottom] = n[..] else {
            return None;
        };
        let (confidence, rest) = rest
            .trim_start()
            .strip_prefix("x_conf ")?
            .split_once('\'')?;
        let text = rest.strip_prefix('>')?.split('<').next()?;
        let c = match text {
            "&lt;" => '<',
            "&gt;" => '>',
            "&amp;" => '&',
            _ => text.chars().next()?,
        };
        Some((c, (left, top, right, bottom), confidence.parse().ok()?))
    })
}

#[cfg(test)]
mod tests;

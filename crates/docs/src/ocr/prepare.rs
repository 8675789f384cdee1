//! A scanned page made ready for the recogniser: grey, enlarged when it is tiny, cleared of
//! scanner specks and turned straight; and the way back from the recogniser's boxes to the
//! page's own pixels.

use image::imageops::FilterType;
use image::{DynamicImage, GrayImage};

/// Pages narrower than this are enlarged before reading (a thumbnail, a phone's preview).
pub(crate) const MIN_WIDTH: u32 = 500;
/// The width a page that small is brought to, at most three times its own.
const TARGET_WIDTH: u32 = 1000;
/// A page made ready to read, and how the reader's boxes map back to the page's own pixels.
pub(crate) struct Prepared {
    pub grey: GrayImage,
    /// The page was enlarged by this factor.
    pub factor: u32,
    /// Then turned by this many radians (clockwise) to lie straight.
    pub turned: f32,
}

impl Prepared {
    /// The page made ready to read: grey, enlarged when it is small, cleared of scanner specks
    /// (a 3 × 3 median) and turned straight when it lies askew.
    pub fn new(page: DynamicImage) -> Prepared {
        let grey = page.into_luma8();
        let factor = if grey.width() >= MIN_WIDTH || grey.width() == 0 {
            1
        } else {
            TARGET_WIDTH.div_ceil(grey.width()).clamp(2, 3)
        };
        let grey = if factor == 1 {
            grey
        } else {
            image::imageops::resize(
                &grey,
                grey.width() * factor,
                grey.height() * factor,
                FilterType::CatmullRom,
            )
        };
        if grey.width() < 3 || grey.height() < 3 {
            return Prepared {
                grey,
                factor,
                turned: 0.0,
            };
        }
        // A median takes strokes one or two pixels wide with the specks: only a page scanned
        // finely enough (an A4 page at about 120 dpi or more) is cleared.
        let clear = if grey.width() >= MIN_WIDTH_CLEARED {
            median3(&grey)
        } else {
            grey
        };
        let slope = skew(&clear);
        if slope.abs() < MIN_SKEW {
            return Prepared {
                grey: clear,
                factor,
                turned: 0.0,
            };
        }
        let straight = rotated(&clear, -slope);
        Prepared {
            grey: straight,
            factor,
            turned: -slope,
        }
    }

    /// A box the reader found (left, top, width, height in the prepared page) in the page's own
    /// pixels: its centre turned back, the whole divided by the enlargement.
    pub fn original(
        &self,
        (left, top, width, height): (u32, u32, u32, u32),
    ) -> (u32, u32, u32, u32) {
        let (cx, cy) = (
            self.grey.width() as f32 / 2.0,
            self.grey.height() as f32 / 2.0,
        );
        let (x, y) = (
            left as f32 + width as f32 / 2.0 - cx,
            top as f32 + height as f32 / 2.0 - cy,
        );
        let (sin, cos) = (-self.turned).sin_cos();
        let (bx, by) = (cos * x - sin * y + cx, sin * x + cos * y + cy);
        let factor = self.factor.max(1) as f32;
        let left = ((bx - width as f32 / 2.0) / factor).max(0.0);
        let top = ((by - height as f32 / 2.0) / factor).max(0.0);
        (
            left.round() as u32,
            top.round() as u32,
            (width as f32 / factor).round() as u32,
            (height as f32 / factor).round() as u32,
        )
    }
}

/// A 3 × 3 median of a grey page, its edges repeated: scanner specks gone, strokes kept. A
/// fixed network of 19 exchanges (Paeth's) applied to 64 pixels of a row at once, as minima and
/// maxima the compiler turns into vector instructions: about 1 ns a pixel. (`imageproc`'s
/// median, general in its radius, walks a 256-bin histogram per pixel and took 1.4 s of an A4
/// page at 300 dpi here; the same network pixel by pixel 290 ms.)
fn median3(page: &GrayImage) -> GrayImage {
    const LANES: usize = 64;
    const NETWORK: [(usize, usize); 19] = [
        (1, 2),
        (4, 5),
        (7, 8),
        (0, 1),
        (3, 4),
        (6, 7),
        (1, 2),
        (4, 5),
        (7, 8),
        (0, 3),
        (5, 8),
        (4, 7),
        (3, 6),
        (1, 4),
        (2, 5),
        (4, 7),
        (4, 2),
        (6, 4),
        (4, 2),
    ];
    let (w, h) = (page.width() as usize, page.height() as usize);
    let raw = page.as_raw();
    // A row with its first and last pixel repeated on either side.
    let padded = |y: usize| {
        let row = &raw[y * w..(y + 1) * w];
        let mut out = Vec::with_capacity(w + 2);
        out.push(row[0]);
        out.extend_from_slice(row);
        out.push(row[w - 1]);
        out
    };
    let mut out = vec![0u8; w * h];
    let mut rows = [padded(0), padded(0), padded(1.min(h - 1))];
    for (y, line) in out.chunks_exact_mut(w).enumerate() {
        if y > 0 {
            rows.rotate_left(1);
            rows[2] = padded((y + 1).min(h - 1));
        }
        for (chunk, dst) in line.chunks_mut(LANES).enumerate() {
            let (x, n) = (chunk * LANES, dst.len());
            let mut p = [[0u8; LANES]; 9];
            for (i, row) in rows.iter().enumerate() {
                for j in 0..3 {
                    p[i * 3 + j][..n].copy_from_slice(&row[x + j..x + j + n]);
                }
            }
            for (a, b) in NETWORK {
                let (pa, pb) = (p[a], p[b]);
                for k in 0..LANES {
                    p[a][k] = pa[k].min(pb[k]);
                    p[b][k] = pa[k].max(pb[k]);
                }
            }
            dst.copy_from_slice(&p[4][..n]);
        }
    }
    GrayImage::from_raw(w as u32, h as u32, out).unwrap_or_default()
}

/// `page` turned clockwise by `theta` radians about its centre, what falls outside white:
/// `imageproc`'s `rotate_about_center` with bilinear interpolation, written for one grey channel.
/// A pixel's source is found by two additions (what depends on the column alone is worked out
/// once for all rows, rounded as the whole sum would be) and the rows are shared among the cores:
/// 170 ms of an A4 page at 300 dpi by the general transform, 40 ms this way on two cores. (A
/// source position in fixed point was faster still but shifted the blend by a grey level here
/// and there, and read fewer of the demo's zones whole: the recogniser is that sensitive.)
fn rotated(page: &GrayImage, theta: f32) -> GrayImage {
    let (w, h) = page.dimensions();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let (sin, cos) = theta.sin_cos();
    let raw = page.as_raw();
    let width = w as usize;
    // The source of (x, y) is (cx + cos·dx + sin·dy, cy − sin·dx + cos·dy), summed left to right.
    let (column_x, column_y): (Vec<f32>, Vec<f32>) = (0..width)
        .map(|x| {
            let dx = x as f32 - cx;
            (cx + cos * dx, cy - sin * dx)
        })
        .unzip();
    let at = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x >= i64::from(w) || y >= i64::from(h) {
            255.0
        } else {
            f32::from(raw[y as usize * width + x as usize])
        }
    };
    let turn_rows = |first: usize, lines: &mut [u8]| {
        for (i, line) in lines.chunks_exact_mut(width).enumerate() {
            let dy = (first + i) as f32 - cy;
            let (row_x, row_y) = (sin * dy, cos * dy);
            for ((px, &col_x), &col_y) in line.iter_mut().zip(&column_x).zip(&column_y) {
                let (sx, sy) = (col_x + row_x, col_y + row_y);
                let (fx, fy) = (sx.floor(), sy.floor());
                let (left, top) = (fx as i64, fy as i64);
                let (ax, ay) = (sx - fx, sy - fy);
                let inside =
                    left >= 0 && top >= 0 && left + 1 < i64::from(w) && top + 1 < i64::from(h);
                let (tl, tr, bl, br) = if inside {
                    let i = top as usize * width + left as usize;
                    (
                        f32::from(raw[i]),
                        f32::from(raw[i + 1]),
                        f32::from(raw[i + width]),
                        f32::from(raw[i + width + 1]),
                    )
                } else {
                    (
                        at(left, top),
                        at(left + 1, top),
                        at(left, top + 1),
                        at(left + 1, top + 1),
                    )
                };
                // As imageproc blends: each row's value cut to a whole grey level, then the two.
                let upper = f32::from(((1.0 - ax) * tl + ax * tr) as u8);
                let lower = f32::from(((1.0 - ax) * bl + ax * br) as u8);
                *px = ((1.0 - ay) * upper + ay * lower) as u8;
            }
        }
    };
    let mut out = vec![255u8; width * h as usize];
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let rows_each = (h as usize).div_ceil(cores).max(1);
    std::thread::scope(|scope| {
        for (part, lines) in out.chunks_mut(rows_each * width.max(1)).enumerate() {
            let turn_rows = &turn_rows;
            scope.spawn(move || turn_rows(part * rows_each, lines));
        }
    });
    GrayImage::from_raw(w, h, out).unwrap_or_default()
}

/// Pages at least this wide are cleared of specks; narrower ones have too thin strokes.
const MIN_WIDTH_CLEARED: u32 = 1000;
/// Below this slope (radians, about 0.15°) a page is read as it lies.
const MIN_SKEW: f32 = 0.0026;
/// Pages at least this wide (A4 at about 300 dpi) have their slope found from every other row.
const FINE_WIDTH: usize = 2400;
/// The steepest slope looked for (radians, about 5°).
const MAX_SKEW: f32 = 0.088;

/// The slope of a page's lines of text (radians; positive when they fall to the right): the
/// slope at which the dark pixels gather into the fewest, fullest rows (a projection profile),
/// searched coarsely over every fourth dark pixel kept and then finely over all of them.
fn skew(page: &GrayImage) -> f32 {
    // Otsu's level is the lightest grey of the dark class: ink is at or below it.
    let level = otsu_level(page.as_raw());
    let width = page.width() as usize;
    // Every other column: enough for the profile. A page at 300 dpi or more (A4 about 2500 pixels
    // wide) also every other row, its profile counted in rows two pixels high (rows one pixel
    // high, with only every other one kept, would favour the slopes that land on them). At 150
    // dpi every row counts: the slope found that coarsely read fewer zones whole.
    let scale = if width >= FINE_WIDTH { 2 } else { 1 };
    let dark: Vec<(f32, f32)> = page
        .as_raw()
        .chunks_exact(width.max(1))
        .enumerate()
        .step_by(scale)
        .flat_map(|(y, row)| {
            row.iter()
                .step_by(2)
                .enumerate()
                .filter(move |(_, p)| **p <= level)
                .map(move |(half, _)| ((half * 2 / scale) as f32, (y / scale) as f32))
        })
        .collect();
    if dark.len() < 100 {
        return 0.0;
    }
    let height = (page.height() as usize / scale) as f32;
    let reach = (width / scale) as f32 * MAX_SKEW.tan() + 2.0;
    let mut rows = vec![0u64; (height + 2.0 * reach) as usize + 2];
    let mut score = |slope: f32, every: usize| -> u64 {
        rows.iter_mut().for_each(|r| *r = 0);
        let t = slope.tan();
        for (x, y) in dark.iter().step_by(every) {
            let row = (y - x * t + reach) as usize;
            if let Some(r) = rows.get_mut(row) {
                *r += 1;
            }
        }
        rows.iter().map(|r| r * r).sum()
    };
    let mut best = |from: f32, to: f32, step: f32, every: usize| -> f32 {
        let mut best = (0u64, 0.0f32);
        let mut slope = from;
        while slope <= to + step / 2.0 {
            let s = score(slope, every);
            if s > best.0 {
                best = (s, slope);
            }
            slope += step;
        }
        best.1
    };
    let coarse = best(-MAX_SKEW, MAX_SKEW, 0.008, 4);
    best(coarse - 0.008, coarse + 0.008, 0.001, 1)
}

/// Otsu's level of a grey page (the grey that best splits it into two classes, the darker
/// class up to and with it), as `imageproc::contrast::otsu_level` finds it, from a histogram
/// counted in four lanes (a count waits for the one before it only in its own lane): 4 ms of an
/// A4 page at 300 dpi where imageproc's pixel by pixel took 16 ms.
fn otsu_level(pixels: &[u8]) -> u8 {
    let mut lanes = [[0u32; 256]; 4];
    let mut quads = pixels.chunks_exact(4);
    for q in &mut quads {
        lanes[0][usize::from(q[0])] += 1;
        lanes[1][usize::from(q[1])] += 1;
        lanes[2][usize::from(q[2])] += 1;
        lanes[3][usize::from(q[3])] += 1;
    }
    for &p in quads.remainder() {
        lanes[0][usize::from(p)] += 1;
    }
    let histogram: Vec<u64> = (0..256)
        .map(|g| lanes.iter().map(|lane| u64::from(lane[g])).sum())
        .collect();
    let total = pixels.len() as u64;
    let sum: f64 = histogram
        .iter()
        .enumerate()
        .map(|(g, &n)| (g as u64 * n) as f64)
        .sum();
    let (mut dark_sum, mut dark) = (0f64, 0u64);
    let (mut largest, mut level) = (0f64, 0u8);
    for (g, &n) in histogram.iter().enumerate() {
        dark += n;
        if dark == 0 {
            continue;
        }
        let light = total - dark;
        if light == 0 {
            break;
        }
        dark_sum += (g as u64 * n) as f64;
        let difference = dark_sum / dark as f64 - (sum - dark_sum) / light as f64;
        let between = dark as f64 * light as f64 * difference * difference;
        if between > largest {
            (largest, level) = (between, g as u8);
        }
    }
    level
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of dark bars (lines of text) on white, with specks, turned by `angle` radians.
    fn lines_turned(angle: f32) -> GrayImage {
        let mut page = GrayImage::from_pixel(800, 1000, image::Luma([240]));
        for line in 0..20 {
            for y in 100 + line * 40..112 + line * 40 {
                for x in 100..700 {
                    if x % 50 < 40 {
                        page.put_pixel(x, y, image::Luma([20]));
                    }
                }
            }
        }
        // Specks scattered at random (xorshift), as a scanner's noise.
        let mut state = 0x2545_f491_u32;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        for _ in 0..4000 {
            let (x, y) = (next() % 800, next() % 1000);
            page.put_pixel(x, y, image::Luma([0]));
        }
        imageproc::geometric_transformations::rotate_about_center(
            &page,
            angle,
            imageproc::geometric_transformations::Interpolation::Nearest,
            imageproc::geometric_transformations::Border::Constant(image::Luma([240])),
        )
    }

    #[test]
    fn a_page_askew_is_turned_straight_and_its_boxes_land_where_the_words_are() {
        for degrees in [-3.0f32, -1.2, 2.5] {
            let angle = degrees.to_radians();
            let found = skew(&lines_turned(angle));
            assert!(
                (found - angle).abs() < 0.003,
                "{degrees}°: found {}°",
                found.to_degrees()
            );
            let prepared = Prepared::new(DynamicImage::ImageLuma8(lines_turned(angle)));
            assert!(
                skew(&prepared.grey).abs() < 0.003,
                "{degrees}°: still askew"
            );
            // The first bar's first word, straightened, maps back near where it lies askew.
            let (cx, cy) = (400.0f32, 500.0f32);
            let (x, y) = (120.0 - cx, 106.0 - cy);
            let (sin, cos) = angle.sin_cos();
            let (ax, ay) = (cos * x - sin * y + cx, sin * x + cos * y + cy);
            let (left, top, width, height) = prepared.original((100, 100, 40, 12));
            let (mx, my) = (
                left as f32 + width as f32 / 2.0,
                top as f32 + height as f32 / 2.0,
            );
            assert!(
                (mx - ax).abs() < 4.0 && (my - ay).abs() < 4.0,
                "{degrees}°: ({mx}, {my}) vs ({ax}, {ay})"
            );
        }
        // Specks alone are no slope.
        assert!(skew(&lines_turned(0.0)).abs() < 0.002);
    }

    #[test]
    fn the_median_clears_specks_and_agrees_with_a_sorted_window() {
        let page = lines_turned(0.0);
        let ours = median3(&page);
        let theirs = imageproc::filter::median_filter(&page, 1, 1);
        assert_eq!(ours, theirs);
        let blank = GrayImage::from_pixel(9, 9, image::Luma([240]));
        let mut specked = blank.clone();
        specked.put_pixel(4, 4, image::Luma([0]));
        specked.put_pixel(0, 8, image::Luma([0]));
        assert_eq!(median3(&specked), blank);
    }

    #[test]
    fn otsus_level_is_imageprocs() {
        for angle in [0.0f32, 0.03] {
            let page = lines_turned(angle);
            assert_eq!(
                otsu_level(page.as_raw()),
                imageproc::contrast::otsu_level(&page)
            );
        }
        let ramp = GrayImage::from_fn(255, 3, |x, _| image::Luma([x as u8]));
        assert_eq!(
            otsu_level(ramp.as_raw()),
            imageproc::contrast::otsu_level(&ramp)
        );
        let flat = GrayImage::from_pixel(5, 5, image::Luma([200]));
        assert_eq!(
            otsu_level(flat.as_raw()),
            imageproc::contrast::otsu_level(&flat)
        );
    }

    #[test]
    fn turning_agrees_with_the_general_transform() {
        let page = lines_turned(0.0);
        for angle in [-0.05f32, 0.013, 0.087] {
            let ours = rotated(&page, angle);
            let theirs = imageproc::geometric_transformations::rotate_about_center(
                &page,
                angle,
                imageproc::geometric_transformations::Interpolation::Bilinear,
                imageproc::geometric_transformations::Border::Constant(image::Luma([255])),
            );
            let off = ours
                .pixels()
                .zip(theirs.pixels())
                .filter(|(a, b)| a != b)
                .count();
            assert!(off * 1000 < page.len(), "{angle}: {off} pixels differ");
        }
    }

    #[test]
    fn only_a_tiny_scan_is_enlarged() {
        let small = Prepared::new(DynamicImage::new_rgb8(300, 424));
        assert_eq!(
            (small.factor, small.grey.width(), small.grey.height()),
            (3, 900, 1272)
        );
        let page = Prepared::new(DynamicImage::new_luma8(595, 842));
        assert_eq!((page.factor, page.grey.width()), (1, 595));
    }
}

//! The zone's readings: the strip, the cells and the choice between readings.

use super::*;

/// Cells of `width` characters on `lines` lines, 10 × 14 pixels each, blank.
fn blank_cells(width: usize, lines: usize) -> Cells {
    let slot = (10 + 2 * CELL_GAP, 14 + 7);
    Cells {
        image: GrayImage::from_pixel(
            2 * MARGIN + width as u32 * slot.0,
            2 * MARGIN + lines as u32 * slot.1,
            Luma([255]),
        ),
        width,
        lines,
        slot,
        cell: (10, 14),
    }
}

/// An hOCR character at cell `cell` of line `row` of `cells`, its centre `dx` off the cell's.
fn hocr_at(cells: &Cells, row: u32, cell: u32, dx: i32, c: &str, confidence: f32) -> String {
    let x = (MARGIN + cell * cells.slot.0 + CELL_GAP) as i32 + dx;
    let y = MARGIN + row * cells.slot.1;
    format!(
        "<span class='ocrx_cinfo' title='x_bboxes {} {} {} {}; x_conf {confidence}'>{c}</span>",
        x + 1,
        y + 2,
        x + 9,
        y + 12
    )
}

#[test]
fn each_character_read_goes_to_the_cell_its_centre_falls_in_and_the_surer_of_two_wins() {
    let cells = blank_cells(3, 2);
    let hocr = [
        hocr_at(&cells, 0, 0, 0, "P", 99.0),
        hocr_at(&cells, 0, 1, 3, "&lt;", 97.0),
        hocr_at(&cells, 0, 2, -2, "A", 96.0),
        hocr_at(&cells, 1, 0, 0, "9", 95.0),
        // Two characters read in one cell: the surer stays.
        hocr_at(&cells, 1, 0, 2, "O", 40.0),
        hocr_at(&cells, 1, 1, 0, "1", 90.0),
        hocr_at(&cells, 1, 2, 0, "&lt;", 91.0),
    ]
    .concat();
    assert_eq!(cells.lines(&hocr).as_deref(), Some("P<A\n91<"));
    // A cell left empty, like nothing read: the lines are not taken.
    let without = hocr.replace(&hocr_at(&cells, 1, 1, 0, "1", 90.0), "");
    assert_eq!(cells.lines(&without), None);
    assert_eq!(
        hocr_characters(&hocr_at(&cells, 0, 0, 0, "&lt;", 12.5)).next(),
        Some(('<', (24, 22, 32, 32), 12.5))
    );
}

#[test]
fn a_cell_left_empty_that_looks_like_the_fillers_read_is_a_filler() {
    let mut cells = blank_cells(4, 1);
    // A filler's print (a wedge) in cells 0, 1 and 3; cell 2 a bar.
    let wedge = |x: u32, y: u32| x + (y as i32 - 7).unsigned_abs() >= 8;
    for cell in 0..4u32 {
        let x0 = MARGIN + cell * cells.slot.0 + CELL_GAP;
        for y in 1..13 {
            for x in 1..9 {
                let ink = if cell == 2 { x == 5 } else { wedge(x, y) };
                if ink {
                    cells.image.put_pixel(x0 + x, MARGIN + y, Luma([0]));
                }
            }
        }
    }
    let hocr = [
        hocr_at(&cells, 0, 0, 0, "&lt;", 95.0),
        hocr_at(&cells, 0, 3, 0, "&lt;", 93.0),
    ]
    .concat();
    // Cell 1 is filled as a filler; cell 2 is like nothing read and stays empty.
    assert_eq!(cells.lines(&hocr), None);
    let with_bar = format!("{hocr}{}", hocr_at(&cells, 0, 2, 0, "I", 88.0));
    assert_eq!(cells.lines(&with_bar).as_deref(), Some("<<I<"));
}

#[test]
fn the_cells_reading_is_taken_only_where_it_restores_what_another_reading_lost() {
    let line2 = "QA36701566CHN9111026<3311020<<<<<<<<<<<<<<<2";
    let cells = format!("P<CHNZHANG<<WEI<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n{line2}");
    // Lost `I` and two fillers, the lines in either order, words around them: restored.
    let lost =
        format!("PASSPORT\n{line2}\nP<CHNZHANG<<WE<<<<<<<<<<<<<<<<<<<<<<<<<<<\nNo. QA3670156");
    assert!(restores(&lost, &cells));
    // Fillers read as `S` and letters changed all along the names: not the same reading.
    let misread = format!("PSCHNZHANGSSWEISSSS<S<SS<RS<<<<<<S<<<<<<<<<<\n{line2}");
    assert!(!restores(&lost, &misread));
    // Three letters changed besides what was lost: too many.
    assert!(!restores(&lost, &cells.replacen("ZHANG", "ZHOUX", 1)));
}

#[test]
fn a_cell_read_alone_is_that_cell_enlarged_twice_in_white() {
    let mut cells = blank_cells(2, 1);
    let x0 = MARGIN + cells.slot.0 + CELL_GAP;
    cells.image.put_pixel(x0, MARGIN, Luma([0]));
    let alone = cells.alone(1);
    assert_eq!(
        (alone.width(), alone.height()),
        (20 + 2 * MARGIN, 28 + 2 * MARGIN)
    );
    assert!(alone.get_pixel(MARGIN, MARGIN).0[0] < 128);
    assert_eq!(alone.get_pixel(MARGIN + 15, MARGIN + 20).0[0], 255);
    assert_eq!(cells.joined(&[Some(('<', 90.0)), None]), None);
    assert_eq!(
        cells
            .joined(&[Some(('P', 90.0)), Some(('<', 0.0))])
            .as_deref(),
        Some("P<")
    );
}

#[test]
fn of_two_zone_readings_the_one_whose_digits_hold_is_taken_then_the_whole_one() {
    let whole = "P<CHNZHANG<<WEI<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\nQA36701566CHN9111026<3311020<<<<<<<<<<<<<<<2";
    let lost = whole.replacen("WEI<<<", "WE<", 1);
    let misread = whole.replacen("9111026", "9111036", 1);
    let (whole, lost, misread) = (
        Reading::of(whole.to_owned()),
        Reading::of(lost),
        Reading::of(misread),
    );
    assert!(
        whole.sound(),
        "{} {} {}",
        whole.failed,
        whole.whole,
        whole.text
    );
    assert!(!lost.sound(), "{} {}", lost.failed, lost.text);
    assert!(!misread.sound(), "{} {}", misread.failed, misread.text);
    assert_eq!((lost.failed, lost.whole), (0, false));
    assert!(misread.whole && misread.failed > 0);
    let (lost_text, whole_text) = (lost.text.clone(), whole.text.clone());
    // A whole reading with a digit misread loses to one that lost a filler, digits holding.
    assert_eq!(lost.or(misread).text, lost_text);
    // Of two whose digits hold, the whole one; of two alike, the first.
    assert_eq!(Reading::of(lost_text.clone()).or(whole).text, whole_text);
    let again = Reading::of(whole_text.clone());
    assert_eq!(
        again
            .or(Reading::of(whole_text.replacen("WEI", "WEN", 1)))
            .text,
        whole_text
    );
}

#[test]
fn the_zone_reading_replaces_the_first_readings_zone_lines() {
    let first =
        "PASPORT / PASSPORT AZE\nP<AZEMAMMADOV <<I SMAY I'L <<<<ccqecc\n€8026623 +280 2080 <<<ccx";
    let zone = "PASPORT PASSPORT AZE\nSOYAD\nP<AZEMAMMADOV<<ISMAYIL<<<<<<<<\n6802662398AZE9802089<2802080<<<<<<2";
    assert_eq!(
        with_zone(first, zone),
        "PASPORT / PASSPORT AZE\nP<AZEMAMMADOV<<ISMAYIL<<<<<<<<\n6802662398AZE9802089<2802080<<<<<<2"
    );
}

#[test]
fn a_zone_line_that_lost_a_character_is_not_whole_and_its_strip_is_found() {
    let whole = "PASSPORT\nP<AZEMAMMADOV<<ISMAYIL<<<<<<<<<<<<<<<<<<<<<<\nC802662398AZE9802089<2802080<<<<<<<<<<<<<<<8";
    assert!(zone_whole(whole));
    let lost = whole.replace("ISMAYIL", "ISMAYL");
    assert!(!zone_whole(&lost));
    assert!(!zone_whole("P<AZEMAMMADOV<<ISMAYIL<<<<<<<<<<<<<<<<<<<<<<"));
    // The strip holds the words with fillers, half a line's height around them.
    let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
               5\t1\t1\t1\t1\t1\t40\t100\t200\t20\t96\tPASSPORT\n\
               5\t1\t2\t1\t1\t1\t40\t400\t900\t20\t90\tP<AZEMAMMADOV<<ISMAYIL<<<<\n\
               5\t1\t2\t1\t2\t1\t40\t440\t900\t22\t90\tC802662398AZE<<<<8\n";
    let page = GrayImage::new(1000, 600);
    let strip = zone_strip(tsv, &page).unwrap();
    assert_eq!((strip.width(), strip.height()), (1000, 462 - 400 + 2 * 11));
    assert!(zone_strip("level\n", &page).is_none());
}

#[test]
fn a_lines_cell_borders_fall_between_its_characters() {
    // Ten characters 14 px wide on a 20 px pitch from x = 100, in a page of noise-free paper.
    let mut page = GrayImage::from_pixel(400, 40, Luma([255]));
    let inked = |x: u32| (100..300).contains(&x) && (3..17).contains(&((x - 100) % 20));
    for x in (0..400).filter(|&x| inked(x)) {
        for y in 10..30 {
            page.put_pixel(x, y, Luma([0]));
        }
    }
    let line = Line {
        left: 103,
        top: 10,
        right: 297,
        bottom: 30,
        read: 10,
    };
    // The box's estimate starts the grid 3 px too early in a gap; the search keeps every
    // border off the ink, here and with a first estimate 2 % off.
    for estimate in [20.0, 19.6, 20.4] {
        let (start, pitch) = grid(&page, &line, 10, estimate);
        for k in 0..=10 {
            let border = (start + k as f32 * pitch).round() as u32;
            assert!(!inked(border), "border {k} at {border} ({start}, {pitch})");
        }
    }
}

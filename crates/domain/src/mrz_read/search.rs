//! Where a text's zone is and which reading of it wins: each window of lines of each format,
//! fitted to the format's width (fillers put back, a line one character too long or short read
//! each way), every reading read, and the one whose every check digit holds and that was
//! repaired least taken.

use chrono::NaiveDate;

use super::printed::Printed;
use super::repair::{one_less, one_short, readings, realigned};
use super::{Format, Settle, Source, Zone, fit, read, zone_line};

/// The machine-readable zone in `text` (a document's text layer or a reader's output, as
/// `source` says): the first reading — TD3 first, then TD2, then TD1, lines as read before (for
/// a reader's output) lines with inner fillers put back — whose every check digit holds, or else
/// the first reading at all (its failing digits say so); `today` places two-digit years in their
/// century.
pub fn find(text: &str, source: Source, today: NaiveDate) -> Option<Zone> {
    // Blank lines between the zone's lines are a text layer's spacing, not a break.
    let lines: Vec<Option<String>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(zone_line)
        .collect();
    let printed = match source {
        Source::Typed => Printed::of(""),
        Source::Recognised => Printed::of(text),
    };
    let mut first = None;
    let passes: &[bool] = match source {
        Source::Typed => &[false],
        Source::Recognised => &[false, true],
    };
    for &inner in passes {
        for format in [Format::Td3, Format::Td2, Format::Td1] {
            let (count, width) = format.shape();
            let names = if format == Format::Td1 { 2 } else { 0 };
            for start in 0..lines.len() {
                let Some(window) = lines.get(start..start + count) else {
                    continue;
                };
                let fitted: Option<Vec<Vec<String>>> = window
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let l = l.as_deref()?;
                        let fitted = fit(l, width, i == names, inner);
                        match (fitted, source) {
                            (None, Source::Recognised) if i != names => one_less(l, width),
                            (fitted, _) => fitted.map(|f| vec![f]),
                        }
                    })
                    .collect();
                let names_line_short = window
                    .get(names)
                    .and_then(|l| l.as_deref())
                    .map_or(0, |l| width.saturating_sub(l.len()));
                let (holding, failing) = window_readings(
                    format,
                    fitted.unwrap_or_default(),
                    names_line_short,
                    source,
                    &printed,
                    today,
                );
                if let Some(zone) = failing {
                    first.get_or_insert(zone);
                }
                // Of several readings whose every digit holds (a line one character too long),
                // the one whose nationality is its state's, then the one whose first line needed
                // no repair, then the one corrected least.
                if let Some((_, zone)) = holding.into_iter().min_by_key(|(doubt, _)| *doubt) {
                    return Some(zone);
                }
            }
        }
    }
    // A line of numbers read one character short, each character put back in turn.
    if source == Source::Recognised
        && let Some(zone) = one_short(&lines, &printed, today)
    {
        return Some(zone);
    }
    // No reading whose every check digit holds: the first, and its failing digits say so.
    first
}

/// How far a reading of a zone was repaired, least first: its nationality not its state's, its
/// first line repaired, the fields corrected.
type Doubt = (bool, bool, usize);

/// The readings of one window of lines that `choices` make (one line's several choices, the
/// others' one): those whose every check digit holds, each with its [`Doubt`], and the first
/// reading that fails.
pub(super) fn window_readings(
    format: Format,
    choices: Vec<Vec<String>>,
    names_line_short: usize,
    source: Source,
    printed: &Printed,
    today: NaiveDate,
) -> (Vec<(Doubt, Zone)>, Option<Zone>) {
    let (_, width) = format.shape();
    let mut holding = Vec::new();
    let mut failing = None;
    for fitted in readings(choices) {
        // Whether the first line, or any, had to be repaired.
        let (fitted, first_line_damaged, repaired) = match source {
            Source::Typed => (fitted, false, false),
            Source::Recognised => {
                let before = fitted.clone();
                let fitted = realigned(format, fitted, width);
                let first = fitted[0] != before[0];
                let any = fitted != before;
                (fitted, first, any)
            }
        };
        let settle = Settle {
            printed,
            first_line_damaged,
            repaired,
            names_line_short,
        };
        let zone = read(format, &fitted, source, &settle, today);
        let doubt = (
            zone.nationality != zone.issuing_state,
            first_line_damaged,
            zone.corrected.len(),
        );
        if zone.failed.is_empty() {
            holding.push((doubt, zone));
        } else {
            failing.get_or_insert(zone);
        }
    }
    (holding, failing)
}

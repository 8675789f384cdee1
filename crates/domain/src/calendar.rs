//! The working-day calendar (`data/calendar.toml`) and deadline arithmetic.
//!
//! A day is a working day when it is Monday–Friday and not listed as non-working for its
//! year, or when it is a weekend day listed as a working weekend. A date in a year the table
//! does not have is an error: deadlines are never guessed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The repository's calendar, built in as the default.
pub const DEFAULT_CALENDAR: &str = include_str!("../../../data/calendar.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDay {
    date: toml::value::Datetime,
    #[serde(default)]
    name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileYear {
    year: i32,
    #[serde(default)]
    provisional: bool,
    #[serde(default)]
    non_working: Vec<FileDay>,
    #[serde(default)]
    working_weekends: Vec<FileDay>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCalendar {
    version: u32,
    years: Vec<FileYear>,
}

/// One year of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Year {
    pub provisional: bool,
    pub non_working: BTreeMap<NaiveDate, String>,
    pub working_weekends: BTreeSet<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Calendar {
    years: BTreeMap<i32, Year>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the calendar is not valid TOML or has unexpected fields: {0}")]
    Syntax(String),
    #[error("the calendar has version {0}; this program reads version 1")]
    Version(u32),
    #[error("year {0} appears more than once in the calendar")]
    DuplicateYear(i32),
    #[error("year {year}: {value} is not a date (write it as YYYY-MM-DD)")]
    NotADate { year: i32, value: String },
    #[error("year {year}: {date} belongs to another year")]
    WrongYear { year: i32, date: NaiveDate },
    #[error(
        "year {year}: {date} is listed as non-working but is a {weekday} (weekends are never working days unless listed under working_weekends)"
    )]
    WeekendHoliday {
        year: i32,
        date: NaiveDate,
        weekday: Weekday,
    },
    #[error("year {year}: {date} is listed under working_weekends but is a weekday")]
    WeekdayWorkingWeekend { year: i32, date: NaiveDate },
    #[error("the working-day calendar has no entry for {0}; add the year to the calendar table")]
    YearMissing(i32),
}

fn to_date(year: i32, d: &FileDay) -> Result<NaiveDate, CalendarError> {
    let not_a_date = || CalendarError::NotADate {
        year,
        value: d.date.to_string(),
    };
    if d.date.time.is_some() || d.date.offset.is_some() {
        return Err(not_a_date());
    }
    let date = d.date.date.ok_or_else(not_a_date)?;
    let parsed = NaiveDate::from_ymd_opt(
        i32::from(date.year),
        u32::from(date.month),
        u32::from(date.day),
    )
    .ok_or_else(not_a_date)?;
    if parsed.year() != year {
        return Err(CalendarError::WrongYear { year, date: parsed });
    }
    Ok(parsed)
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Calendar {
    pub fn from_toml(text: &str) -> Result<Self, CalendarError> {
        let file: FileCalendar =
            toml::from_str(text).map_err(|e| CalendarError::Syntax(e.to_string()))?;
        if file.version != 1 {
            return Err(CalendarError::Version(file.version));
        }
        let mut years = BTreeMap::new();
        for y in file.years {
            let mut non_working = BTreeMap::new();
            for d in &y.non_working {
                let date = to_date(y.year, d)?;
                if is_weekend(date) {
                    return Err(CalendarError::WeekendHoliday {
                        year: y.year,
                        date,
                        weekday: date.weekday(),
                    });
                }
                non_working.insert(date, d.name.clone());
            }
            let mut working_weekends = BTreeSet::new();
            for d in &y.working_weekends {
                let date = to_date(y.year, d)?;
                if !is_weekend(date) {
                    return Err(CalendarError::WeekdayWorkingWeekend { year: y.year, date });
                }
                working_weekends.insert(date);
            }
            let year = Year {
                provisional: y.provisional,
                non_working,
                working_weekends,
            };
            if years.insert(y.year, year).is_some() {
                return Err(CalendarError::DuplicateYear(y.year));
            }
        }
        Ok(Self { years })
    }

    /// The calendar built into this program.
    pub fn builtin() -> Self {
        Self::from_toml(DEFAULT_CALENDAR)
            .expect("the built-in calendar is valid (checked by tests)")
    }

    /// The years the table covers.
    pub fn years(&self) -> impl Iterator<Item = (&i32, &Year)> {
        self.years.iter()
    }

    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let year = self
            .years
            .get(&date.year())
            .ok_or(CalendarError::YearMissing(date.year()))?;
        Ok(if is_weekend(date) {
            year.working_weekends.contains(&date)
        } else {
            !year.non_working.contains_key(&date)
        })
    }

    /// The day on which a deadline of `working_days` falls, counting from the day after `start`.
    pub fn add_working_days(
        &self,
        start: NaiveDate,
        working_days: u32,
    ) -> Result<NaiveDate, CalendarError> {
        let mut date = start;
        let mut left = working_days;
        while left > 0 {
            date = date
                .checked_add_days(Days::new(1))
                .ok_or(CalendarError::YearMissing(date.year().saturating_add(1)))?;
            if self.is_working_day(date)? {
                left -= 1;
            }
        }
        Ok(date)
    }

    /// The day a deadline falls on that is `working_days` overdue on `today`: the inverse of
    /// [`Self::working_days_left`] for a negative count (`working_days_left(today, result)` is
    /// `-working_days`).
    pub fn working_days_before(
        &self,
        today: NaiveDate,
        working_days: u32,
    ) -> Result<NaiveDate, CalendarError> {
        let mut date = today;
        let mut left = working_days;
        while left > 0 {
            if self.is_working_day(date)? {
                left -= 1;
            }
            date = date
                .checked_sub_days(Days::new(1))
                .ok_or(CalendarError::YearMissing(date.year().saturating_sub(1)))?;
        }
        Ok(date)
    }

    /// Working days from `today` until `due`: positive while time is left (the due day itself
    /// counts as one when it is a working day), 0 when due today or the last working day has
    /// passed within the due day, negative by the number of working days overdue.
    pub fn working_days_left(
        &self,
        today: NaiveDate,
        due: NaiveDate,
    ) -> Result<i64, CalendarError> {
        let (from, to, sign) = if today <= due {
            (today, due, 1)
        } else {
            (due, today, -1)
        };
        let mut count = 0i64;
        let mut date = from;
        while date < to {
            date = date
                .checked_add_days(Days::new(1))
                .ok_or(CalendarError::YearMissing(date.year().saturating_add(1)))?;
            if self.is_working_day(date)? {
                count += 1;
            }
        }
        Ok(sign * count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_deadline_overdue_by_some_working_days_is_found_back_across_holidays() {
        let c = Calendar::builtin();
        // Tuesday 31 March 2026, after Novruz and Ramazan (20–30 March off): three working days
        // overdue (18, 19 and 31 March) means due on Tuesday 17 March.
        let due = c.working_days_before(d(2026, 3, 31), 3).unwrap();
        assert_eq!(due, d(2026, 3, 17));
        assert_eq!(c.working_days_left(d(2026, 3, 31), due).unwrap(), -3);
        for (today, n) in [((2026, 6, 1), 1), ((2026, 5, 30), 2), ((2026, 11, 11), 7)] {
            let today = d(today.0, today.1, today.2);
            let due = c.working_days_before(today, n).unwrap();
            assert_eq!(
                c.working_days_left(today, due).unwrap(),
                -i64::from(n),
                "{today}"
            );
        }
        assert_eq!(
            c.working_days_before(d(2026, 6, 1), 0).unwrap(),
            d(2026, 6, 1)
        );
        assert!(
            c.working_days_before(d(2026, 1, 5), 3).is_err(),
            "2025 is not in the table"
        );
    }

    #[test]
    fn the_builtin_calendar_loads() {
        let c = Calendar::builtin();
        let years: Vec<i32> = c.years().map(|(y, _)| *y).collect();
        assert_eq!(years, vec![2026, 2027]);
    }

    #[test]
    fn novruz_and_ramazan_2026_are_one_long_break() {
        let c = Calendar::builtin();
        for day in 20..=30 {
            assert!(!c.is_working_day(d(2026, 3, day)).unwrap(), "2026-03-{day}");
        }
        assert!(c.is_working_day(d(2026, 3, 19)).unwrap());
        assert!(c.is_working_day(d(2026, 3, 31)).unwrap());
    }

    #[test]
    fn deadlines_skip_weekends_and_holidays() {
        let c = Calendar::builtin();
        // Submitted Thu 19 March 2026: the next working day is Tue 31 March.
        assert_eq!(
            c.add_working_days(d(2026, 3, 19), 1).unwrap(),
            d(2026, 3, 31)
        );
        // Submitted Fri 6 Nov 2026, 3 working days: Mon 9 and Tue 10 are holidays →
        // Wed 11, Thu 12, Fri 13.
        assert_eq!(
            c.add_working_days(d(2026, 11, 6), 3).unwrap(),
            d(2026, 11, 13)
        );
        // Across the new year: Wed 30 Dec 2026, 2 working days: 31 Dec and 1 Jan are off, then
        // Sat/Sun, 4 Jan is the moved New Year day → Tue 5, Wed 6 January 2027.
        assert_eq!(
            c.add_working_days(d(2026, 12, 30), 2).unwrap(),
            d(2027, 1, 6)
        );
    }

    #[test]
    fn working_days_left_counts_both_ways() {
        let c = Calendar::builtin();
        // Sat 21 Nov 2026 to Wed 25 Nov: Mon, Tue, Wed.
        assert_eq!(
            c.working_days_left(d(2026, 11, 21), d(2026, 11, 25))
                .unwrap(),
            3
        );
        assert_eq!(
            c.working_days_left(d(2026, 11, 25), d(2026, 11, 25))
                .unwrap(),
            0
        );
        assert_eq!(
            c.working_days_left(d(2026, 11, 27), d(2026, 11, 25))
                .unwrap(),
            -2
        );
    }

    #[test]
    fn a_year_outside_the_table_is_an_error_not_a_guess() {
        let c = Calendar::builtin();
        assert_eq!(
            c.is_working_day(d(2031, 5, 5)),
            Err(CalendarError::YearMissing(2031))
        );
        let err = c.add_working_days(d(2027, 12, 30), 5).unwrap_err();
        assert_eq!(err, CalendarError::YearMissing(2028));
        assert!(err.to_string().contains("add the year"), "{err}");
    }

    #[test]
    fn bad_tables_are_refused_with_the_reason() {
        let weekend =
            "version = 1\n[[years]]\nyear = 2026\nnon_working = [{ date = 2026-03-21 }]\n";
        assert!(matches!(
            Calendar::from_toml(weekend),
            Err(CalendarError::WeekendHoliday { .. })
        ));
        let other_year =
            "version = 1\n[[years]]\nyear = 2026\nnon_working = [{ date = 2025-03-20 }]\n";
        assert!(matches!(
            Calendar::from_toml(other_year),
            Err(CalendarError::WrongYear { .. })
        ));
        let twice = "version = 1\n[[years]]\nyear = 2026\n[[years]]\nyear = 2026\n";
        assert_eq!(
            Calendar::from_toml(twice),
            Err(CalendarError::DuplicateYear(2026))
        );
        let time =
            "version = 1\n[[years]]\nyear = 2026\nnon_working = [{ date = 2026-03-20T10:00:00 }]\n";
        assert!(matches!(
            Calendar::from_toml(time),
            Err(CalendarError::NotADate { .. })
        ));
        let swapped =
            "version = 1\n[[years]]\nyear = 2026\nworking_weekends = [{ date = 2026-03-19 }]\n";
        assert!(matches!(
            Calendar::from_toml(swapped),
            Err(CalendarError::WeekdayWorkingWeekend { .. })
        ));
    }
}

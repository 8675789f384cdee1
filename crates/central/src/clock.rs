//! Time as the service sees it. Azerbaijan keeps UTC+4 all year; "today" for deadlines is the
//! date in Baku.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

pub fn baku() -> FixedOffset {
    FixedOffset::east_opt(4 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"))
}

/// The date in Baku at `at`.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&baku()).date_naive()
}

/// RFC 3339 in UTC with seconds, as stored and returned everywhere.
pub fn format(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

//! A department's statistics for its supervisor (`GET /departments/{id}/statistics`): computed
//! from the applied decisions' facts in columns (`decided_facts`, one row per `decided` event)
//! and the open cases, in one pass over each.

use std::collections::HashMap;

use crate::sql::{Conn, OptionalExtension, Row};
use axum::Json;
use axum::extract::State;
use chrono::{Datelike, Days, NaiveDate};
use rusqlite::params;
use serde::Deserialize;

use super::NeedsSupervisor;
use super::supervision::require_department_supervisor;
use crate::AppState;
use crate::auth::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use migdesk_api::{
    BACKLOG_BOUNDS, BacklogBucket, DEFAULT_STATISTICS_DAYS, DecisionKind, Event,
    MAX_STATISTICS_DAYS, NamedCount, OfficerFigures, OfficerRef, OutcomeCounts, ReasonCode,
    ReasonCount, RefusalReason, ServiceFigures, Statistics, StatisticsQuery, TOP_NAMED,
    WeekFigures, WorkingDays,
};
use migdesk_domain::Calendar;

/// The department's figures for a period (the last 13 weeks unless named), for one service or
/// all: decisions by week, officer and service, working days to a decision, decisions in time,
/// today's open cases by age, the reasons and documents most often named.
#[utoipa::path(get, path = "/api/v1/departments/{id}/statistics", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path, description = "Department id"), StatisticsQuery),
    responses((status = 200, body = Statistics),
        (status = 400, body = ErrorBody, description = "A day not written YYYY-MM-DD, a period that ends before it starts or spans more than two years, or a service the catalogue does not know"),
        NeedsSupervisor))]
pub async fn statistics(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(department_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<StatisticsQuery>,
) -> ApiResult<Json<Statistics>> {
    require_department_supervisor(&caller, &department_id)?;
    let today = clock::local_date(clock::now());
    let (from, to) = period(&query, today)?;
    if let Some(service) = &query.service
        && state.catalogue.service(service).is_none()
    {
        return Err(ApiError::bad_request(format!("no service {service:?}")));
    }
    let calendar = state.calendar.clone();
    state
        .db
        .read(move |conn| {
            Ok(Json(compute(
                conn,
                &calendar,
                &department_id,
                query.service,
                (from, to),
                today,
            )?))
        })
        .await
}

fn day(text: &str, name: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| ApiError::bad_request(format!("{name} must be a day written YYYY-MM-DD")))
}

/// The period asked for, both days included.
fn period(query: &StatisticsQuery, today: NaiveDate) -> ApiResult<(NaiveDate, NaiveDate)> {
    let to = match &query.to {
        Some(t) => day(t, "to")?,
        None => today,
    };
    let from = match &query.from {
        Some(f) => day(f, "from")?,
        None => to - Days::new(DEFAULT_STATISTICS_DAYS as u64 - 1),
    };
    if from > to {
        return Err(ApiError::bad_request("the period ends before it starts"));
    }
    if (to - from).num_days() >= MAX_STATISTICS_DAYS {
        return Err(ApiError::bad_request(format!(
            "a period may span at most {MAX_STATISTICS_DAYS} days"
        )));
    }
    Ok((from, to))
}

/// Working days counted once over a span of dates, so that each decision's count is two
/// lookups instead of a walk through the calendar.
struct WorkingDayIndex {
    start: NaiveDate,
    /// Working days in `(start, start + i]`.
    working: Vec<i64>,
    /// Days in `(start, start + i]` of years the calendar does not hold.
    unknown: Vec<i64>,
}

impl WorkingDayIndex {
    fn new(calendar: &Calendar, start: NaiveDate, end: NaiveDate) -> Self {
        let span = usize::try_from((end - start).num_days().max(0)).unwrap_or(0) + 1;
        let (mut working, mut unknown) = (Vec::with_capacity(span), Vec::with_capacity(span));
        let (mut w, mut u) = (0, 0);
        for (i, date) in start.iter_days().take(span).enumerate() {
            if i > 0 {
                match calendar.is_working_day(date) {
                    Ok(true) => w += 1,
                    Ok(false) => {}
                    Err(_) => u += 1,
                }
            }
            working.push(w);
            unknown.push(u);
        }
        Self {
            start,
            working,
            unknown,
        }
    }

    fn at(&self, date: NaiveDate) -> Option<usize> {
        usize::try_from((date - self.start).num_days())
            .ok()
            .filter(|&i| i < self.working.len())
    }

    /// Working days after `from` up to and including `to`; `None` where the calendar is silent.
    fn between(&self, from: NaiveDate, to: NaiveDate) -> Option<i64> {
        if to <= from {
            return Some(0);
        }
        let (a, b) = (self.at(from)?, self.at(to)?);
        (self.unknown[b] == self.unknown[a]).then(|| self.working[b] - self.working[a])
    }
}

/// What a decision names, read from its detail only where it names something.
#[derive(Deserialize)]
struct Named {
    #[serde(default)]
    missing_documents: Vec<String>,
    #[serde(default)]
    reasons: Vec<RefusalReason>,
}

/// Writes the statistics' row of an applied decision (`decided_facts`, migration 020) beside its
/// `decided` event `event_id`: the facts the figures count, in columns, and the event's detail
/// only where it names something to count. Other events have none.
pub(crate) fn record_fact(
    conn: &Conn<'_>,
    event_id: i64,
    application_id: &str,
    actor: Option<&str>,
    event: &Event,
) -> ApiResult<()> {
    if let Event::Decided {
        kind,
        decided_at,
        missing_documents,
        reasons,
        ..
    } = event
        && let Some(on) = clock::parse(decided_at).map(clock::local_date)
    {
        let named = (!missing_documents.is_empty() || !reasons.is_empty())
            .then(|| event.detail().to_string());
        // The day the application was submitted, in Baku, worked out here rather than by the
        // database's date functions (which differ between engines).
        let submitted_on = conn
            .query_row(
                "SELECT submitted_at FROM applications WHERE id = ?1",
                [application_id],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .as_deref()
            .and_then(clock::parse)
            .map(|at| clock::local_date(at).format("%Y-%m-%d").to_string());
        conn.execute(
            "INSERT INTO decided_facts (event_id, application_id, department_id, decided_on, kind,
                                        officer_id, service, submitted_on, due_date, named)
             SELECT ?1, a.id, a.department_id, ?2, ?3, ?4, a.service, ?7, a.due_date, ?5
             FROM applications a WHERE a.id = ?6",
            params![
                event_id,
                on.format("%Y-%m-%d").to_string(),
                kind.as_str(),
                actor,
                named,
                application_id,
                submitted_on
            ],
        )?;
    }
    Ok(())
}

/// A day written YYYY-MM-DD, read without a format parser (one per decision).
fn ymd(text: &str) -> Option<NaiveDate> {
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<u32>().ok();
    NaiveDate::from_ymd_opt(
        i32::try_from(number(0..4)?).ok()?,
        number(5..7)?,
        number(8..10)?,
    )
}

/// Counts by a key read from the row, made into a `String` only the first time it is seen.
fn counts_of<'m>(map: &'m mut HashMap<String, OutcomeCounts>, key: &str) -> &'m mut OutcomeCounts {
    if !map.contains_key(key) {
        map.insert(key.to_owned(), OutcomeCounts::default());
    }
    map.get_mut(key).expect("inserted above")
}

/// A text column of the row.
fn text(row: &Row<'_>, i: usize) -> ApiResult<Option<String>> {
    Ok(row.get(i)?)
}

fn count(counts: &mut OutcomeCounts, kind: DecisionKind) {
    match kind {
        DecisionKind::Accept => counts.accepted += 1,
        DecisionKind::MissingDocuments => counts.missing_documents += 1,
        DecisionKind::Refuse => counts.refused += 1,
    }
}

/// The `p`-th percentile of sorted `values` by nearest rank.
fn nearest_rank(values: &[i64], p: usize) -> Option<i64> {
    let rank = (values.len() * p).div_ceil(100);
    values.get(rank.checked_sub(1)?).copied()
}

/// The most often named first (ties by name), at most [`TOP_NAMED`].
fn top<K: Ord + Clone>(counts: HashMap<K, i64>) -> Vec<(K, i64)> {
    let mut all: Vec<(K, i64)> = counts.into_iter().collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    all.truncate(TOP_NAMED);
    all
}

/// Each officer's or service's counts, most decisions first (ties by key).
fn ranked<K: Ord>(counts: HashMap<K, OutcomeCounts>) -> Vec<(K, OutcomeCounts)> {
    let mut all: Vec<(K, OutcomeCounts)> = counts.into_iter().collect();
    all.sort_by(|a, b| b.1.total().cmp(&a.1.total()).then_with(|| a.0.cmp(&b.0)));
    all
}

fn monday(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

fn compute(
    conn: &Conn<'_>,
    calendar: &Calendar,
    department_id: &str,
    service: Option<String>,
    (from, to): (NaiveDate, NaiveDate),
    today: NaiveDate,
) -> ApiResult<Statistics> {
    // The period's decisions in columns (`decided_facts`, written with each `decided` event).
    let mut stmt = conn.prepare_cached(
        "SELECT decided_on, kind, officer_id, service, submitted_on, due_date, named
         FROM decided_facts
         WHERE department_id = ?1 AND decided_on BETWEEN ?2 AND ?3
           AND (CAST(?4 AS TEXT) IS NULL OR service = ?4)",
    )?;
    let day_text = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let mut rows = stmt.query(params![
        department_id,
        day_text(from),
        day_text(to),
        service
    ])?;
    // (submitted on, decided on) of each decision in the period, for the durations.
    let mut timed: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    let mut decided = OutcomeCounts::default();
    let mut weeks: HashMap<NaiveDate, OutcomeCounts> = HashMap::new();
    // By officer id, and the decisions whose officer is not recorded.
    let mut by_officer: HashMap<String, OutcomeCounts> = HashMap::new();
    let mut unrecorded = OutcomeCounts::default();
    let mut by_service: HashMap<String, OutcomeCounts> = HashMap::new();
    let (mut reasons, mut fields, mut missing) = (HashMap::new(), HashMap::new(), HashMap::new());
    let mut on_time = 0;
    while let Some(r) = rows.next()? {
        let Some(on) = text(&r, 0)?.as_deref().and_then(ymd) else {
            continue;
        };
        let Some(kind) = text(&r, 1)?
            .as_deref()
            .and_then(|k| DecisionKind::ALL.into_iter().find(|d| d.as_str() == k))
        else {
            continue;
        };
        count(&mut decided, kind);
        count(weeks.entry(monday(on)).or_default(), kind);
        match text(&r, 2)?.as_deref() {
            Some(id) => count(counts_of(&mut by_officer, id), kind),
            None => count(&mut unrecorded, kind),
        }
        count(
            counts_of(&mut by_service, text(&r, 3)?.as_deref().unwrap_or_default()),
            kind,
        );
        if let Some(submitted) = text(&r, 4)?.as_deref().and_then(ymd) {
            timed.push((submitted, on));
        }
        if text(&r, 5)?
            .as_deref()
            .and_then(ymd)
            .is_some_and(|due| on <= due)
        {
            on_time += 1;
        }
        let Some(named) = text(&r, 6)?
            .as_deref()
            .and_then(|n| serde_json::from_str::<Named>(n).ok())
        else {
            continue;
        };
        for reason in named.reasons {
            *reasons.entry(reason.code).or_insert(0) += 1;
            for field in reason.fields {
                *fields.entry(field).or_insert(0) += 1;
            }
        }
        for doc in named.missing_documents {
            *missing.entry(doc).or_insert(0) += 1;
        }
    }
    let mut stmt = conn.prepare_cached("SELECT full_name FROM users WHERE id = ?1")?;
    let mut names: HashMap<String, String> = HashMap::new();
    for id in by_officer.keys() {
        let name: Option<String> = stmt.query_row([id], |r| r.get(0)).optional()?;
        names.insert(id.clone(), name.unwrap_or_default());
    }

    let mut pending: Vec<NaiveDate> = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT submitted_at FROM applications
         WHERE department_id = ?1 AND status = 'pending' AND (CAST(?2 AS TEXT) IS NULL OR service = ?2)",
    )?;
    let mut rows = stmt.query(params![department_id, service])?;
    while let Some(r) = rows.next()? {
        if let Some(at) = clock::parse(&r.get::<_, String>(0)?) {
            pending.push(clock::local_date(at));
        }
    }

    let earliest = timed
        .iter()
        .map(|t| t.0)
        .chain(pending.iter().copied())
        .min()
        .unwrap_or(today)
        .min(from);
    let index = WorkingDayIndex::new(calendar, earliest, to.max(today));
    let mut durations: Vec<i64> = timed
        .iter()
        .filter_map(|&(submitted, on)| index.between(submitted, on))
        .collect();
    durations.sort_unstable();

    let mut backlog: Vec<BacklogBucket> = (0..=BACKLOG_BOUNDS.len())
        .map(|i| BacklogBucket {
            min_working_days: if i == 0 { 0 } else { BACKLOG_BOUNDS[i - 1] + 1 },
            max_working_days: BACKLOG_BOUNDS.get(i).copied(),
            cases: 0,
        })
        .collect();
    for submitted in pending {
        // A case the calendar cannot age is counted with the oldest.
        let age = index.between(submitted, today).unwrap_or(i64::MAX);
        let bucket = BACKLOG_BOUNDS
            .iter()
            .position(|&max| age <= max)
            .unwrap_or(BACKLOG_BOUNDS.len());
        backlog[bucket].cases += 1;
    }

    let weeks = monday(from)
        .iter_weeks()
        .take_while(|w| *w <= to)
        .map(|w| WeekFigures {
            week_start: w.format("%Y-%m-%d").to_string(),
            decided: weeks.get(&w).copied().unwrap_or_default(),
        })
        .collect();
    let mut by_officer: HashMap<Option<String>, OutcomeCounts> = by_officer
        .into_iter()
        .map(|(id, c)| (Some(id), c))
        .collect();
    if unrecorded.total() > 0 {
        by_officer.insert(None, unrecorded);
    }
    let by_officer = ranked(by_officer)
        .into_iter()
        .map(|(officer, decided)| OfficerFigures {
            officer: officer.map(|id| OfficerRef {
                full_name: names.get(&id).cloned().unwrap_or_default(),
                id,
            }),
            decided,
        })
        .collect();
    let by_service = ranked(by_service)
        .into_iter()
        .map(|(service, decided)| ServiceFigures { service, decided })
        .collect();
    let named = |counts| {
        top(counts)
            .into_iter()
            .map(|(code, count)| NamedCount { code, count })
            .collect()
    };
    Ok(Statistics {
        department_id: department_id.to_owned(),
        from: from.format("%Y-%m-%d").to_string(),
        to: to.format("%Y-%m-%d").to_string(),
        service,
        today: today.format("%Y-%m-%d").to_string(),
        decided,
        weeks,
        by_officer,
        by_service,
        working_days: WorkingDays {
            decisions: durations.len() as i64,
            median: nearest_rank(&durations, 50),
            p90: nearest_rank(&durations, 90),
        },
        on_time,
        backlog,
        refusal_reasons: top::<ReasonCode>(reasons)
            .into_iter()
            .map(|(code, count)| ReasonCount { code, count })
            .collect(),
        refused_fields: named(fields),
        missing_documents: named(missing),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn nearest_rank_takes_the_value_at_the_rank() {
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(nearest_rank(&v, 50), Some(5));
        assert_eq!(nearest_rank(&v, 90), Some(9));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&[], 50), None);
    }

    #[test]
    fn the_index_counts_as_the_calendar_does() {
        let calendar = Calendar::builtin();
        let index = WorkingDayIndex::new(&calendar, d("2026-01-01"), d("2026-12-31"));
        for (a, b) in [
            ("2026-03-02", "2026-03-30"),
            ("2026-01-01", "2026-01-12"),
            ("2026-06-10", "2026-06-10"),
            ("2026-11-06", "2026-12-31"),
        ] {
            assert_eq!(
                index.between(d(a), d(b)),
                Some(calendar.working_days_left(d(a), d(b)).unwrap()),
                "{a} → {b}"
            );
        }
        // Outside what the calendar holds, nothing is made up.
        let wider = WorkingDayIndex::new(&calendar, d("2025-12-01"), d("2026-01-31"));
        assert_eq!(wider.between(d("2025-12-20"), d("2026-01-20")), None);
        assert!(wider.between(d("2026-01-05"), d("2026-01-20")).is_some());
    }

    #[test]
    fn a_day_is_read_as_written_and_nothing_else() {
        assert_eq!(ymd("2026-02-28"), Some(d("2026-02-28")));
        assert_eq!(ymd("2026-02-30"), None);
        assert_eq!(ymd("28.02.2026"), None);
        assert_eq!(ymd("2026-2-8"), None);
        assert_eq!(ymd(""), None);
    }

    #[test]
    fn a_period_is_checked() {
        let today = d("2026-11-30");
        let q = |from: Option<&str>, to: Option<&str>| StatisticsQuery {
            from: from.map(str::to_owned),
            to: to.map(str::to_owned),
            service: None,
        };
        assert_eq!(
            period(&q(None, None), today).unwrap(),
            (d("2026-09-01"), today)
        );
        assert!(period(&q(Some("2026-12-01"), Some("2026-11-01")), today).is_err());
        assert!(period(&q(Some("2024-01-01"), Some("2026-11-01")), today).is_err());
        assert!(period(&q(Some("1.2.2026"), None), today).is_err());
    }
}

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! A department's statistics: every figure the centre answers is recomputed here from the
//! database's own rows (the history's `decided` events and the open cases), with the
//! working-day calendar walked day by day; a refusal waiting for four eyes is not a decision
//! until approved; only the department's supervisors may ask.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use migdesk_central::clock;
use migdesk_central::sql::Conn;
use migdesk_central::testing::with_sql;
use migdesk_domain::Calendar;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{
    HISTORY, Server, decision, id, refuse, rows, start, start_with_history, version,
};

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn local(at: &str) -> NaiveDate {
    clock::local_date(clock::parse(at).unwrap())
}

fn outcome(kind: &str) -> &'static str {
    match kind {
        "accept" => "accepted",
        "missing_documents" => "missing_documents",
        "refuse" => "refused",
        other => panic!("decision kind {other}"),
    }
}

/// A decision as the database holds it.
struct Decided {
    on: NaiveDate,
    outcome: &'static str,
    officer: Option<String>,
    service: String,
    submitted: NaiveDate,
    due: String,
    detail: Value,
}

fn decided(s: &Server, department: &str, service: Option<&str>) -> Vec<Decided> {
    with_sql(&s.database, |conn| {
        let mut stmt = conn
            .prepare(
                "SELECT e.detail, e.actor_id, a.service, a.submitted_at, a.due_date
                 FROM events e, applications a
                 WHERE a.id = e.application_id AND e.kind = 'decided' AND a.department_id = ?1",
            )
            .unwrap();
        stmt.query_map([department], |r| {
            let detail: Value = serde_json::from_str(&r.get::<_, String>(0)?).unwrap();
            Ok(Decided {
                on: local(detail["decided_at"].as_str().unwrap()),
                outcome: outcome(detail["kind"].as_str().unwrap()),
                officer: r.get(1)?,
                service: r.get(2)?,
                submitted: local(&r.get::<_, String>(3)?),
                due: r.get(4)?,
                detail,
            })
        })
        .unwrap()
        .map(Result::unwrap)
        .filter(|d| service.is_none_or(|s| d.service == s))
        .collect()
    })
}

/// Outcome counts of the figures' JSON as a map.
fn counts(v: &Value) -> BTreeMap<&'static str, i64> {
    ["accepted", "missing_documents", "refused"]
        .into_iter()
        .map(|k| (k, v[k].as_i64().unwrap()))
        .collect()
}

fn tally<'a>(items: impl Iterator<Item = &'a Decided>) -> BTreeMap<&'static str, i64> {
    let mut c: BTreeMap<&'static str, i64> =
        [("accepted", 0), ("missing_documents", 0), ("refused", 0)].into();
    for d in items {
        *c.get_mut(d.outcome).unwrap() += 1;
    }
    c
}

/// The value at the nearest rank `p` of sorted `v`, by the textbook formula.
fn percentile(v: &[i64], p: f64) -> Value {
    if v.is_empty() {
        return Value::Null;
    }
    let rank = (p / 100.0 * v.len() as f64).ceil() as usize;
    json!(v[rank.max(1) - 1])
}

/// The most often named (at most ten, most often first) agree with `expected`.
fn check_top(listed: &Value, expected: &HashMap<String, i64>, what: &str) {
    let listed: Vec<(String, i64)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["code"].as_str().unwrap().to_owned(),
                n["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed.len(), expected.len().min(10), "{what}: {listed:?}");
    for (code, count) in &listed {
        assert_eq!(expected.get(code), Some(count), "{what}: {code}");
    }
    assert!(
        listed.windows(2).all(|w| w[0].1 >= w[1].1),
        "{what}: {listed:?}"
    );
    let least = listed.last().map_or(0, |l| l.1);
    for (code, count) in expected {
        if !listed.iter().any(|l| &l.0 == code) {
            assert!(
                *count <= least,
                "{what}: {code} named {count} times is left out"
            );
        }
    }
}

/// Every figure of `stats` against the database.
fn check(s: &Server, stats: &Value, service: Option<&str>) {
    let calendar = Calendar::builtin();
    let (from, to) = (
        NaiveDate::parse_from_str(stats["from"].as_str().unwrap(), "%Y-%m-%d").unwrap(),
        NaiveDate::parse_from_str(stats["to"].as_str().unwrap(), "%Y-%m-%d").unwrap(),
    );
    let today = NaiveDate::parse_from_str(stats["today"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let all = decided(s, "baku", service);
    let inside: Vec<&Decided> = all.iter().filter(|d| d.on >= from && d.on <= to).collect();
    assert!(!inside.is_empty(), "the period holds decisions");

    assert_eq!(counts(&stats["decided"]), tally(inside.iter().copied()));

    // Each week: the decisions from its Monday to its Sunday.
    let weeks = stats["weeks"].as_array().unwrap();
    assert_eq!(
        weeks
            .iter()
            .map(|w| counts(&w["decided"]).values().sum::<i64>())
            .sum::<i64>(),
        inside.len() as i64
    );
    for w in weeks {
        let monday =
            NaiveDate::parse_from_str(w["week_start"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        assert_eq!(
            monday.format("%u").to_string(),
            "1",
            "weeks start on Monday"
        );
        let sunday = monday + chrono::Days::new(6);
        assert_eq!(
            counts(&w["decided"]),
            tally(
                inside
                    .iter()
                    .copied()
                    .filter(|d| d.on >= monday && d.on <= sunday)
            ),
            "week of {monday}"
        );
    }
    assert!(weeks.first().unwrap()["week_start"].as_str().unwrap() <= ymd(from).as_str());

    for o in stats["by_officer"].as_array().unwrap() {
        let officer = o["officer"]["id"].as_str().map(str::to_owned);
        assert_eq!(
            counts(&o["decided"]),
            tally(inside.iter().copied().filter(|d| d.officer == officer)),
            "{o}"
        );
    }
    let officers: std::collections::HashSet<_> = inside.iter().map(|d| d.officer.clone()).collect();
    assert_eq!(
        stats["by_officer"].as_array().unwrap().len(),
        officers.len()
    );
    for f in stats["by_service"].as_array().unwrap() {
        let service = f["service"].as_str().unwrap();
        assert_eq!(
            counts(&f["decided"]),
            tally(inside.iter().copied().filter(|d| d.service == service)),
            "{f}"
        );
    }
    let totals: Vec<i64> = stats["by_service"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| counts(&f["decided"]).values().sum())
        .collect();
    assert!(
        totals.windows(2).all(|w| w[0] >= w[1]),
        "most decisions first: {totals:?}"
    );

    let mut days: Vec<i64> = inside
        .iter()
        .filter_map(|d| calendar.working_days_left(d.submitted, d.on).ok())
        .map(|n| n.max(0))
        .collect();
    days.sort_unstable();
    assert_eq!(stats["working_days"]["decisions"], days.len());
    assert_eq!(stats["working_days"]["median"], percentile(&days, 50.0));
    assert_eq!(stats["working_days"]["p90"], percentile(&days, 90.0));
    let on_time = inside.iter().filter(|d| ymd(d.on) <= d.due).count();
    assert_eq!(stats["on_time"], on_time);

    // Today's open cases by working days since submission.
    let ages: Vec<i64> = with_sql(&s.database, |conn| {
        let mut stmt = conn
            .prepare("SELECT submitted_at, service FROM applications WHERE department_id = 'baku' AND status = 'pending'")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .filter(|(_, svc)| service.is_none_or(|s| s == svc))
            .map(|(at, _)| calendar.working_days_left(local(&at), today).unwrap())
            .collect()
    });
    for b in stats["backlog"].as_array().unwrap() {
        let min = b["min_working_days"].as_i64().unwrap();
        let max = b["max_working_days"].as_i64().unwrap_or(i64::MAX);
        let expected = ages.iter().filter(|&&a| a >= min && a <= max).count();
        assert_eq!(b["cases"], expected, "{b}");
    }
    let bucketed: i64 = stats["backlog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["cases"].as_i64().unwrap())
        .sum();
    assert_eq!(bucketed, ages.len() as i64);

    let (mut reasons, mut fields, mut missing) = (HashMap::new(), HashMap::new(), HashMap::new());
    for d in &inside {
        for r in d.detail["reasons"].as_array().into_iter().flatten() {
            *reasons
                .entry(r["code"].as_str().unwrap().to_owned())
                .or_insert(0) += 1;
            for f in r["fields"].as_array().into_iter().flatten() {
                *fields.entry(f.as_str().unwrap().to_owned()).or_insert(0) += 1;
            }
        }
        for m in d.detail["missing_documents"]
            .as_array()
            .into_iter()
            .flatten()
        {
            *missing.entry(m.as_str().unwrap().to_owned()).or_insert(0) += 1;
        }
    }
    check_top(&stats["refusal_reasons"], &reasons, "refusal reasons");
    check_top(&stats["refused_fields"], &fields, "refused fields");
    check_top(&stats["missing_documents"], &missing, "missing documents");
}

async fn statistics(s: &Server, token: &str, query: &str) -> Value {
    s.get(
        &format!("/api/v1/departments/baku/statistics{query}"),
        token,
    )
    .await
    .expect(StatusCode::OK)
}

#[tokio::test]
async fn every_figure_matches_the_database_for_a_year_and_for_one_service() {
    let s = start_with_history().await;
    assert!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM events WHERE kind = 'decided'"
        ) >= HISTORY as i64
    );
    let supervisor = s.login(s.account("baku", "supervisor", 0)).await;
    let today = clock::local_date(clock::now());
    let year = format!(
        "?from={}&to={}",
        ymd(today - chrono::Days::new(364)),
        ymd(today)
    );
    let stats = statistics(&s, &supervisor, &year).await;
    assert_eq!(stats["department_id"], "baku");
    assert_eq!(stats["from"], ymd(today - chrono::Days::new(364)));
    assert_eq!(stats["weeks"].as_array().unwrap().len(), 53);
    for field in ["refusal_reasons", "refused_fields", "missing_documents"] {
        assert!(
            !stats[field].as_array().unwrap().is_empty(),
            "{field} over a year"
        );
    }
    check(&s, &stats, None);

    let busiest = stats["by_service"][0]["service"]
        .as_str()
        .unwrap()
        .to_owned();
    let one = statistics(&s, &supervisor, &format!("{year}&service={busiest}")).await;
    assert_eq!(one["service"], busiest.as_str());
    assert_eq!(one["by_service"].as_array().unwrap().len(), 1);
    check(&s, &one, Some(&busiest));

    // Without a period: the last 13 weeks.
    let recent = statistics(&s, &supervisor, "").await;
    assert_eq!(recent["to"], ymd(today));
    assert_eq!(recent["from"], ymd(today - chrono::Days::new(90)));
    check(&s, &recent, None);
}

#[tokio::test]
async fn decisions_made_today_count_and_a_refusal_counts_once_approved() {
    let s = start().await;
    let supervisor = s.login(s.account("baku", "supervisor", 0)).await;
    let before = statistics(&s, &supervisor, "").await;
    assert_eq!(
        counts(&before["decided"]).values().sum::<i64>(),
        0,
        "the plain seed has no decisions"
    );

    let (officer, token, cases) = s.busy_officer(3).await;
    s.post(
        &format!("/api/v1/applications/{}/decisions", id(&cases[0])),
        Some(&token),
        &decision(version(&cases[0]), "accept"),
    )
    .await
    .expect(StatusCode::CREATED);
    let (proposal, _) = refuse(
        &s,
        &token,
        &cases[1],
        json!([{ "code": "contradictory", "fields": ["passport_number"] }]),
        "Pasport nömrəsi sənəddə fərqlidir.",
    )
    .await;
    let after = statistics(&s, &supervisor, "").await;
    assert_eq!(
        counts(&after["decided"]),
        [("accepted", 1), ("missing_documents", 0), ("refused", 0)].into(),
        "a proposal is not a decision"
    );
    assert_eq!(after["by_officer"][0]["officer"]["id"], officer.id.as_str());
    // In time when decided on or before its due date (a seeded case may be overdue already).
    let in_time =
        ymd(clock::local_date(clock::now())).as_str() <= cases[0]["due_date"].as_str().unwrap();
    assert_eq!(after["on_time"], i64::from(in_time));
    assert_eq!(after["working_days"]["decisions"], 1);

    s.post(
        &format!("/api/v1/approvals/{proposal}"),
        Some(&supervisor),
        &json!({ "action": "approve", "note": "", "based_on_version": version(&cases[1]) + 1, "answered_at": clock::format(clock::now()) }),
    )
    .await
    .expect(StatusCode::OK);
    let approved = statistics(&s, &supervisor, "").await;
    assert_eq!(approved["decided"]["refused"], 1);
    assert_eq!(
        approved["refusal_reasons"],
        json!([{ "code": "contradictory", "count": 1 }])
    );
    assert_eq!(
        approved["refused_fields"],
        json!([{ "code": "passport_number", "count": 1 }])
    );
    check(&s, &approved, None);
    // Two cases left the backlog.
    let open = |v: &Value| -> i64 {
        v["backlog"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["cases"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(open(&before) - open(&approved), 2);
}

#[tokio::test]
async fn only_the_departments_supervisors_ask_and_a_bad_query_is_named() {
    let s = start().await;
    let officer = s.login(s.account("baku", "officer", 0)).await;
    s.get("/api/v1/departments/baku/statistics", &officer)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let other = s.login(s.account("ganja", "supervisor", 0)).await;
    s.get("/api/v1/departments/baku/statistics", &other)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let supervisor = s.login(s.account("baku", "supervisor", 0)).await;
    for (query, words) in [
        ("?from=01.11.2026", "YYYY-MM-DD"),
        ("?from=2026-11-02&to=2026-11-01", "ends before it starts"),
        ("?from=2023-01-01&to=2026-11-01", "at most"),
        ("?service=no-such-service", "no service"),
    ] {
        let err = s
            .get(
                &format!("/api/v1/departments/baku/statistics{query}"),
                &supervisor,
            )
            .await
            .expect_error(StatusCode::BAD_REQUEST, "bad_request");
        assert!(
            err["message"].as_str().unwrap().contains(words),
            "{query}: {err}"
        );
    }
    s.get(
        "/api/v1/departments/baku/statistics?period=year",
        &supervisor,
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "bad_request");
}

/// Every row of the statistics' `decided_facts`, in order.
fn facts(conn: &Conn<'_>) -> Vec<Vec<Option<String>>> {
    let mut stmt = conn
        .prepare(
            "SELECT event_id, application_id, department_id, decided_on, kind, officer_id, service,
                    submitted_on, named, due_date FROM decided_facts ORDER BY event_id",
        )
        .unwrap();
    stmt.query_map([], |r| {
        (0..10)
            .map(|i| {
                Ok(match r.get::<_, rusqlite::types::Value>(i)? {
                    rusqlite::types::Value::Integer(n) => Some(n.to_string()),
                    v => rusqlite::types::ValueRef::from(&v)
                        .as_str_or_null()
                        .unwrap()
                        .map(str::to_owned),
                })
            })
            .collect()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[tokio::test]
async fn a_centre_upgraded_from_before_the_decided_facts_counts_the_same() {
    // The facts written with each decision, and those the migration fills in for a database
    // whose decisions were applied before the table existed, are the same rows.
    if crate::common::sqlite_only("it runs SQLite's migration 020 on the file") {
        return;
    }
    let s = start_with_history().await;
    with_sql(&s.database, |conn| {
        let mut written = facts(conn);
        // One decision made at 20:10 UTC, of an application submitted at 20:30 UTC: their days in
        // Baku (UTC+4) are already the next ones.
        let (event, application) = (written[0][0].clone(), written[0][1].clone());
        conn.execute(
            "UPDATE events SET detail = json_set(detail, '$.decided_at', '2026-03-05T20:10:00Z')
             WHERE id = ?1",
            [&event],
        )
        .unwrap();
        conn.execute(
            "UPDATE applications SET submitted_at = '2026-03-01T20:30:00Z' WHERE id = ?1",
            [&application],
        )
        .unwrap();
        for f in written.iter_mut().filter(|f| f[1] == application) {
            f[7] = Some(ymd(local("2026-03-01T20:30:00Z")));
        }
        written[0][3] = Some(ymd(local("2026-03-05T20:10:00Z")));
        assert_eq!(written[0][3].as_deref(), Some("2026-03-06"));
        let decided: i64 = conn
            .query_row(
                "SELECT count(*) FROM events WHERE kind = 'decided'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            written.len() as i64,
            decided,
            "one row per applied decision"
        );
        assert!(written.iter().any(|f| f[8].is_some()), "some name reasons");
        assert!(written.iter().any(|f| f[8].is_none()), "most name nothing");
        let migration = include_str!("../../migrations/020_decided_facts.sql");
        let backfill = &migration[migration.find("INSERT INTO decided_facts").unwrap()..];
        conn.execute("DELETE FROM decided_facts", []).unwrap();
        conn.execute_batch(backfill).unwrap();
        assert_eq!(facts(conn), written);

        // A deadline that moves after the decision moves the due date the decision is held to.
        conn.execute(
            "UPDATE applications SET due_date = '2031-01-31' WHERE id = ?1",
            [&application],
        )
        .unwrap();
        for f in written.iter_mut().filter(|f| f[1] == application) {
            f[9] = Some("2031-01-31".to_owned());
        }
        assert_eq!(facts(conn), written);
    });
}

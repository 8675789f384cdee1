//! The applicant's other applications, linked by FIN or passport number, with the decisions
//! they received; an open one for the same service flagged as a possible duplicate.

use migdesk_central::database::Database;
use migdesk_central::testing::with_sql;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{id, rows, start};

/// Files another application for the applicant of `case` straight into the centre's database,
/// as the portal's intake would: `number`, `service`, `status`, submitted `days_ago`, in
/// `department`, with the applicant's passport number written `passport` and FIN `fin`.
#[allow(clippy::too_many_arguments)]
fn file_another(
    db: &Database,
    case: &serde_json::Value,
    number: &str,
    service: &str,
    status: &str,
    days_ago: i64,
    department: &str,
    passport: &str,
    fin: Option<&str>,
) -> String {
    let other = uuid::Uuid::new_v4().to_string();
    let mut applicant = case["applicant"].clone();
    applicant["passport_number"] = json!(passport);
    applicant["fin"] = json!(fin);
    let submitted = migdesk_central::clock::format(
        migdesk_central::clock::now() - chrono::Duration::days(days_ago),
    );
    with_sql(db, |conn| {
        conn.execute(
            "INSERT INTO applications (id, number, service, tier, submitted_at, due_date, department_id, status, officer_id, version, applicant, form, updated_at)
             VALUES (?1, ?2, ?3, 'standard', ?4, '2026-01-30', ?5, ?6, NULL, 1, ?7, '[]', ?4)",
            rusqlite::params![other, number, service, submitted, department, status, applicant.to_string()],
        )
        .expect("insert")
    });
    other
}

/// Writes a refusal's history event for `application_id` straight into the database (decision
/// `decision_id`, on `day`), without the change a decision records.
fn refused_straight_in(db: &Database, application_id: &str, decision_id: &str, day: &str) {
    with_sql(db, |conn| {
        conn.execute(
            "INSERT INTO events (application_id, at, kind, actor_id, detail) VALUES (?1, ?2, 'decided', NULL, ?3)",
            rusqlite::params![
                application_id,
                format!("{day}T10:00:00Z"),
                json!({ "decision_id": decision_id, "kind": "refuse", "decided_at": format!("{day}T09:00:00Z"),
                        "reasons": [{ "code": "contradictory", "fields": ["passport_number"] }] }).to_string()
            ],
        )
        .expect("event")
    });
}

#[tokio::test]
async fn a_case_lists_the_applicants_other_applications_and_flags_a_duplicate() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let passport = case["applicant"]["passport_number"]
        .as_str()
        .expect("passport");
    let service = case["service"].as_str().expect("service");
    // An earlier application in Ganja, refused, with the passport number written with spaces
    // and in small letters.
    let written = format!("{} {}", passport[..2].to_lowercase(), &passport[2..]);
    let refused = file_another(
        &s.database,
        case,
        "MX-2025-900001",
        "trp-issue",
        "refused",
        200,
        "ganja",
        &written,
        None,
    );
    refused_straight_in(&s.database, &refused, "d-old", "2025-06-01");
    // The same request again, open at the same time in Baku: a possible duplicate.
    file_another(
        &s.database,
        case,
        "MX-2026-900002",
        service,
        "pending",
        1,
        "baku",
        passport,
        None,
    );
    // Someone else: a different passport and no FIN.
    file_another(
        &s.database,
        case,
        "MX-2026-900003",
        service,
        "pending",
        1,
        "baku",
        "ZZ0000001",
        None,
    );

    let detail = s
        .get(&format!("/api/v1/applications/{}", id(case)), &token)
        .await
        .expect(StatusCode::OK);
    let listed = s
        .get(
            &format!("/api/v1/applications/{}/applicant-history", id(case)),
            &token,
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        listed, detail["applicant_history"],
        "the same list both ways"
    );
    let numbers: Vec<&str> = listed
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["number"].as_str().expect("number"))
        .collect();
    assert_eq!(
        numbers,
        vec!["MX-2026-900002", "MX-2025-900001"],
        "newest first, no stranger"
    );
    assert_eq!(listed[0]["possible_duplicate"], true);
    assert_eq!(listed[0]["same_passport"], true);
    assert!(listed[0]["decision"].is_null());
    assert_eq!(listed[1]["possible_duplicate"], false);
    assert_eq!(listed[1]["department_id"], "ganja");
    assert_eq!(listed[1]["status"], "refused");
    assert_eq!(listed[1]["decision"]["kind"], "refuse");
    assert_eq!(listed[1]["decision"]["reasons"][0]["code"], "contradictory");

    // Reading it is in the centre's audit trail; a colleague's case answers like a missing one.
    assert_eq!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'applicant_history_read'"
        ),
        1
    );
    let ganja = s.login(s.account("ganja", "supervisor", 0)).await;
    s.get(
        &format!("/api/v1/applications/{}/applicant-history", id(case)),
        &ganja,
    )
    .await
    .expect_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn applications_are_linked_by_fin_too() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let first = file_another(
        &s.database,
        case,
        "MX-2026-900010",
        "stay-extension",
        "accepted",
        30,
        "baku",
        "AA1111111",
        Some("5ZK2M7Q"),
    );
    file_another(
        &s.database,
        case,
        "MX-2026-900011",
        "stay-extension",
        "pending",
        2,
        "baku",
        "BB2222222",
        Some("5ZK2M7Q"),
    );
    with_sql(&s.database, |conn| {
        conn.execute("UPDATE applications SET officer_id = (SELECT officer_id FROM applications WHERE id = ?2) WHERE id = ?1", [&first, id(case)]).expect("assign");
        let officer: Option<String> = conn
            .query_row(
                "SELECT officer_id FROM applications WHERE id = ?1",
                [&first],
                |r| r.get(0),
            )
            .expect("officer");
        migdesk_central::store::record_change(
            conn,
            &first,
            "baku",
            officer.as_deref(),
            None,
            migdesk_api::ChangeKind::Created,
            "2026-11-01T10:00:00Z",
        )
        .expect("change")
    });
    let listed = s
        .get(
            &format!("/api/v1/applications/{first}/applicant-history"),
            &token,
        )
        .await
        .expect(StatusCode::OK);
    let only: Vec<(&str, bool, bool)> = listed
        .as_array()
        .expect("list")
        .iter()
        .map(|r| {
            (
                r["number"].as_str().expect("number"),
                r["same_fin"].as_bool().expect("fin"),
                r["same_passport"].as_bool().expect("passport"),
            )
        })
        .collect();
    assert_eq!(only, vec![("MX-2026-900011", true, false)]);
    assert_eq!(
        listed[0]["possible_duplicate"], false,
        "this one is decided: no duplicate"
    );
}

/// Where the change feed, read from the start, has `application_id`'s case now.
async fn in_the_feed(
    s: &crate::common::Server,
    token: &str,
    application_id: &str,
) -> serde_json::Value {
    let (changes, _) = s.all_changes(token).await;
    changes
        .into_iter()
        .rev()
        .find(|c| c["application_id"] == application_id)
        .map(|c| c["application"].clone())
        .expect("the case is in the feed")
}

#[tokio::test]
async fn the_feed_sends_a_case_as_it_is_after_its_applicants_other_case_changes() {
    let s = start().await;
    // Reading the feed keeps each case's snapshot: the same JSON as the case's own route.
    let (_, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let detail = s
        .get(&format!("/api/v1/applications/{}", id(case)), &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(in_the_feed(&s, &token, id(case)).await, detail);
    assert!(
        detail["applicant_history"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{detail}"
    );

    // A new application of the same applicant (filed as intake does: with its change).
    let passport = case["applicant"]["passport_number"]
        .as_str()
        .expect("passport");
    let other = file_another(
        &s.database,
        case,
        "MX-2026-900020",
        "trp-issue",
        "pending",
        1,
        "baku",
        passport,
        None,
    );
    with_sql(&s.database, |conn| {
        migdesk_central::store::record_change(
            conn,
            &other,
            "baku",
            None,
            None,
            migdesk_api::ChangeKind::Created,
            "2026-11-01T10:00:00Z",
        )
        .expect("change")
    });
    let now = in_the_feed(&s, &token, id(case)).await;
    assert_eq!(
        now["applicant_history"][0]["number"], "MX-2026-900020",
        "{now}"
    );
    assert!(now["applicant_history"][0]["decision"].is_null());

    // Only an event of the other case (no change in the feed): still seen.
    refused_straight_in(&s.database, &other, "d-new", "2026-11-02");
    let now = in_the_feed(&s, &token, id(case)).await;
    assert_eq!(
        now["applicant_history"][0]["decision"]["kind"], "refuse",
        "{now}"
    );
    let detail = s
        .get(&format!("/api/v1/applications/{}", id(case)), &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(now, detail);
}

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! New applications from the applicant portal, and how a department shares them out: checked
//! against the catalogue (each problem named), numbered, their deadline started by the
//! calendar, given to the officer the department's rule chooses — never to one away or one who
//! does not handle the service — and brought to that officer's desk by the change feed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use migdesk_central::sql::json_text;
use migdesk_central::testing::with_sql;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Server, rows, start};

const PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABc3UWCgAAAABJRU5ErkJggg==";

fn today() -> chrono::NaiveDate {
    migdesk_central::clock::local_date(migdesk_central::clock::now())
}

/// A complete application for a residence permit in `department`.
pub(crate) fn application(department: &str) -> Value {
    let catalogue = migdesk_domain::Catalogue::builtin();
    let service = &catalogue.services[0];
    json!({
        "id": uuid::Uuid::new_v4(),
        "department_id": department,
        "service": service.code,
        "tier": service.tiers[0].code,
        "applicant": {
            "name_latin": "Leyla Məmmədova", "name_native": "Leyla Məmmədova",
            "passport_number": "C 1234567", "date_of_birth": "1990-04-12",
            "nationality": "TUR", "email": "leyla@example.org", "language": "az"
        },
        "form": [
            { "key": "personal", "fields": [
                { "key": "surname", "value": "Məmmədova" },
                { "key": "given_names", "value": "Leyla" },
                { "key": "date_of_birth", "value": "12.04.1990" },
                { "key": "nationality", "value": "TUR" },
                { "key": "passport_number", "value": "C 1234567" }
            ]},
            { "key": "contact", "fields": [{ "key": "email", "value": "leyla@example.org" }] }
        ],
        "documents": [
            { "type": service.required_documents[0], "file_name": "form.pdf",
              "content_base64": STANDARD.encode(b"%PDF-1.4\n% the form\n") },
            { "type": "photos", "file_name": "photo.png", "content_base64": PNG }
        ]
    })
}

pub(crate) async fn submit(s: &Server, body: &Value) -> crate::common::Reply {
    s.post("/api/v1/intake/applications", Some(&s.portal), body)
        .await
}

/// The officer a new application went to, by its history's `assigned` event: (id, rule).
pub(crate) fn assigned(s: &Server, application_id: &str) -> Option<(String, String)> {
    with_sql(&s.database, |conn| {
        conn.query_row(
            &format!(
                "SELECT {}, {} FROM events WHERE application_id = ?1 AND kind = 'assigned'",
                conn.json_text("detail", "to"),
                conn.json_text("detail", "by")
            ),
            [application_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok()
    })
}

pub(crate) async fn set_distribution(
    s: &Server,
    department: &str,
    body: &Value,
) -> crate::common::Reply {
    let token = s.login(s.account(department, "supervisor", 0)).await;
    s.send(
        s.request(
            Method::PUT,
            &format!("/api/v1/departments/{department}/distribution"),
            Some(&token),
        )
        .json(body),
    )
    .await
}

/// Each Shaki officer's pending cases, by id.
fn open_cases(s: &Server, department: &str) -> Vec<(String, i64)> {
    with_sql(&s.database, |conn| {
        let mut stmt = conn
            .prepare(
                "SELECT u.id, (SELECT COUNT(*) FROM applications a WHERE a.officer_id = u.id AND a.status = 'pending')
                 FROM users u WHERE u.department_id = ?1 AND u.role = 'officer' ORDER BY u.id",
            )
            .unwrap();
        stmt.query_map([department], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    })
}

#[tokio::test]
async fn a_new_application_is_numbered_timed_and_given_to_the_least_busy_officer() {
    let s = start().await;
    let before = open_cases(&s, "baku");
    let least = before
        .iter()
        .min_by_key(|(id, n)| (*n, id.clone()))
        .unwrap();
    let body = application("baku");
    let receipt = submit(&s, &body).await.expect(StatusCode::CREATED);
    let id = body["id"].as_str().unwrap();
    assert_eq!(receipt["application_id"], id);
    assert_eq!(receipt["status"], "pending");
    let number = receipt["number"].as_str().unwrap();
    assert!(
        number.starts_with(&format!("MX-{}-", chrono::Datelike::year(&today())))
            && number.len() == 14,
        "{number}"
    );
    let catalogue = migdesk_domain::Catalogue::builtin();
    let days = catalogue.services[0].tiers[0].deadline_working_days;
    let due = migdesk_domain::Calendar::builtin()
        .add_working_days(today(), days)
        .unwrap();
    assert_eq!(receipt["due_date"], due.format("%Y-%m-%d").to_string());
    assert!(
        receipt.get("officer").is_none(),
        "the portal is never told who"
    );

    assert_eq!(
        assigned(&s, id),
        Some((least.0.clone(), "least_open_work".to_owned()))
    );
    // The officer's desk learns of it from the feed, documents and all.
    let officer = s.accounts.iter().find(|a| a.id == least.0).unwrap();
    let token = s.login(officer).await;
    let case = s
        .pending_cases(&token)
        .await
        .into_iter()
        .find(|c| c["id"] == id)
        .expect("in the officer's feed");
    assert_eq!(case["number"], number);
    assert_eq!(case["documents"].as_array().unwrap().len(), 2);
    let history: Vec<&str> = case["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["received", "assigned"]);

    // Sent again (a lost answer): the same receipt, nothing new.
    let again = submit(&s, &body).await.expect(StatusCode::OK);
    assert_eq!(again, receipt);
    let count = rows(
        &s.database,
        &format!("SELECT COUNT(*) FROM applications WHERE id = '{id}'"),
    );
    assert_eq!(count, 1);
    // The same id for another application is refused.
    let mut other = body.clone();
    other["applicant"]["email"] = json!("someone.else@example.org");
    let refused = submit(&s, &other)
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(refused["cause"], "id_reused");
    // The next one takes the next number.
    let next = submit(&s, &application("baku"))
        .await
        .expect(StatusCode::CREATED);
    let n = |r: &Value| r["number"].as_str().unwrap()[8..].parse::<u32>().unwrap();
    assert_eq!(n(&next), n(&receipt) + 1);
}

#[tokio::test]
async fn an_application_that_does_not_fit_is_refused_naming_each_problem() {
    let s = start().await;
    let mut body = application("nowhere");
    body["service"] = json!("flying-licence");
    body["applicant"]["email"] = json!("not an address");
    body["applicant"]["date_of_birth"] = json!("2999-01-01");
    body["form"][0]["fields"][0]["value"] = json!("  ");
    body["documents"][1]["content_base64"] = json!(STANDARD.encode(b"MZ\x90\x00 a program"));
    body["documents"][0]["type"] = json!("tax-return");
    let reply = submit(&s, &body)
        .await
        .expect_error(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable_entity");
    let fields: Vec<&str> = reply["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    for expected in [
        "department_id",
        "service",
        "applicant.email",
        "applicant.date_of_birth",
        "form.personal.surname",
        "documents[0].type",
        "documents[1].content_base64",
    ] {
        assert!(fields.contains(&expected), "{expected} in {reply}");
    }
    assert!(
        reply["message"]
            .as_str()
            .unwrap()
            .contains("flying-licence"),
        "{reply}"
    );
    assert_eq!(rows(&s.database, "SELECT COUNT(*) FROM intake"), 0);

    // Not the portal: refused before anything is read.
    let officer = s.login(s.account("baku", "officer", 0)).await;
    s.post(
        "/api/v1/intake/applications",
        Some(&officer),
        &application("baku"),
    )
    .await
    .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    s.post("/api/v1/intake/applications", None, &application("baku"))
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn a_supervisors_rule_shares_cases_in_turn_skipping_the_absent_and_those_without_the_service()
{
    let s = start().await;
    let officers: Vec<String> = open_cases(&s, "baku").into_iter().map(|o| o.0).collect();
    assert!(officers.len() >= 3, "{officers:?}");
    let today = today().format("%Y-%m-%d").to_string();
    let service = migdesk_domain::Catalogue::builtin().services[0]
        .code
        .clone();
    // The first officer is away today; the second handles only another service.
    let set = set_distribution(
        &s,
        "baku",
        &json!({ "rule": "round_robin", "officers": [
            { "officer_id": officers[0], "absences": [{ "from": today, "to": today }] },
            { "officer_id": officers[1], "services": ["stay-extension"] }
        ]}),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(set["rule"], "round_robin");
    let first = set["officers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["officer"]["id"] == officers[0].as_str())
        .unwrap();
    assert_eq!(first["away_today"], true);
    assert_ne!(service, "stay-extension");

    let eligible: Vec<&String> = officers[2..].iter().collect();
    let mut received = Vec::new();
    for _ in 0..eligible.len() * 2 {
        let body = application("baku");
        submit(&s, &body).await.expect(StatusCode::CREATED);
        let (to, rule) = assigned(&s, body["id"].as_str().unwrap()).unwrap();
        assert_eq!(rule, "round_robin");
        received.push(to);
    }
    // Each eligible officer in turn, twice round; nobody else.
    let turn: Vec<&String> = received.iter().collect();
    assert_eq!(&turn[..eligible.len()], &turn[eligible.len()..], "{turn:?}");
    let mut once: Vec<&String> = turn[..eligible.len()].to_vec();
    once.sort();
    assert_eq!(once, eligible);

    // Reading it back, as set; officers not listed handle everything.
    let token = s.login(s.account("baku", "supervisor", 0)).await;
    let read = s
        .get("/api/v1/departments/baku/distribution", &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(read["rule"], "round_robin");
    let second = read["officers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["officer"]["id"] == officers[1].as_str())
        .unwrap();
    assert_eq!(second["services"], json!(["stay-extension"]));
    // Recorded in the audit trail with who set it.
    assert_eq!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'distribution_set' AND subject LIKE 'baku: round_robin%'"
        ),
        1
    );
}

#[tokio::test]
async fn with_everyone_away_a_new_case_waits_without_an_officer() {
    let s = start().await;
    let officers: Vec<String> = open_cases(&s, "shaki").into_iter().map(|o| o.0).collect();
    let today = today().format("%Y-%m-%d").to_string();
    let away: Vec<Value> = officers
        .iter()
        .map(|o| json!({ "officer_id": o, "absences": [{ "from": "2020-01-01", "to": today }] }))
        .collect();
    set_distribution(
        &s,
        "shaki",
        &json!({ "rule": "least_open_work", "officers": away }),
    )
    .await
    .expect(StatusCode::OK);
    let body = application("shaki");
    submit(&s, &body).await.expect(StatusCode::CREATED);
    let id = body["id"].as_str().unwrap();
    assert_eq!(assigned(&s, id), None);
    assert_eq!(
        rows(
            &s.database,
            &format!("SELECT COUNT(*) FROM applications WHERE id = '{id}' AND officer_id IS NULL")
        ),
        1
    );
}

#[tokio::test]
async fn only_the_departments_supervisor_sets_its_rule_and_each_problem_is_named() {
    let s = start().await;
    let officer = s.login(s.account("baku", "officer", 0)).await;
    let rb = s
        .request(
            Method::PUT,
            "/api/v1/departments/baku/distribution",
            Some(&officer),
        )
        .json(&json!({ "rule": "round_robin" }));
    s.send(rb)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let other = set_distribution(&s, "shaki", &json!({ "rule": "round_robin" })).await;
    assert_eq!(other.status, StatusCode::OK);
    let shaki = s.login(s.account("shaki", "supervisor", 0)).await;
    s.get("/api/v1/departments/baku/distribution", &shaki)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");

    let baku_officer = s.account("baku", "officer", 0).id.clone();
    let reply = set_distribution(
        &s,
        "baku",
        &json!({ "rule": "round_robin", "officers": [
            { "officer_id": baku_officer, "services": ["flying-licence"],
              "absences": [{ "from": "2026-12-10", "to": "2026-12-01" }] },
            { "officer_id": s.account("shaki", "officer", 0).id }
        ]}),
    )
    .await;
    let body = reply.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable_entity");
    let fields: Vec<&str> = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["officers[0].services[0]", "officers[0].absences[0]"],
        "{body}"
    );
    let reply = set_distribution(
        &s,
        "baku",
        &json!({ "rule": "round_robin", "officers": [{ "officer_id": s.account("shaki", "officer", 0).id }] }),
    )
    .await;
    let body = reply.expect_error(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable_entity");
    assert_eq!(body["problems"][0]["field"], "officers[0].officer_id");
    // Nothing of a refused request was kept.
    let token = s.login(s.account("baku", "supervisor", 0)).await;
    let read = s
        .get("/api/v1/departments/baku/distribution", &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(read["rule"], "least_open_work");
}

#[test]
fn the_simulator_submits_through_the_portals_door() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s = rt.block_on(start());
    let before = rows(
        &s.database,
        "SELECT COUNT(*) FROM applications WHERE department_id = 'shaki'",
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_migdesk-central"))
        .arg("simulate")
        .args(crate::common::db_args(&s.database))
        .args(["--server", &s.base, "--rate", "600/min", "--count", "3"])
        .args(["--department", "shaki", "--seed", "9"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(printed.lines().count(), 3, "{printed}");
    assert!(
        printed.lines().all(|l| l.contains("\tshaki\t")),
        "{printed}"
    );
    assert_eq!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM applications WHERE department_id = 'shaki'"
        ),
        before + 3
    );
    // Each with its files, received and given out by the rule.
    assert_eq!(
        rows(
            &s.database,
            &format!(
                "SELECT COUNT(*) FROM intake i JOIN events e ON e.application_id = i.application_id AND e.kind = 'assigned' AND {} = 'least_open_work'",
                json_text(s.database.engine(), "e.detail", "by")
            )
        ),
        3
    );
    assert!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM documents d JOIN intake i ON i.application_id = d.application_id"
        ) >= 6
    );
    drop(s);
}

//! The centre's hash-chained audit trail: reads of personal data, sign-ins and the desks'
//! reports each leave a row chained to the one before; `migdesk-central audit verify` finds a
//! row changed behind the centre's back.

use std::process::Command;

use chrono::Duration;
use migdesk_central::clock;
use migdesk_central::database::Database;
use migdesk_central::sql::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Server, id, start};

const BIN: &str = env!("CARGO_BIN_EXE_migdesk-central");

/// Every row, oldest first, as JSON.
fn audit_rows(db: &Database) -> Vec<Value> {
    migdesk_central::testing::with_sql(db, |conn| {
        let mut stmt = conn
            .prepare(
                "SELECT id, at, actor_id, username, desk, action, application_id, subject, reported_at,
                        flag, prev_hash, hash
                 FROM audit_log ORDER BY id",
            )
            .expect("prepare");
        stmt.query_map([], |r| {
            Ok(json!({
                "id": r.get::<_, i64>(0)?, "at": r.get::<_, String>(1)?,
                "actor_id": r.get::<_, Option<String>>(2)?, "username": r.get::<_, Option<String>>(3)?,
                "desk": r.get::<_, Option<String>>(4)?, "action": r.get::<_, String>(5)?,
                "application_id": r.get::<_, Option<String>>(6)?, "subject": r.get::<_, Option<String>>(7)?,
                "reported_at": r.get::<_, Option<String>>(8)?, "flag": r.get::<_, Option<String>>(9)?,
                "prev_hash": r.get::<_, String>(10)?, "hash": r.get::<_, String>(11)?,
            }))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
    })
}

fn of_action<'a>(rows: &'a [Value], action: &str) -> Vec<&'a Value> {
    rows.iter().filter(|r| r["action"] == action).collect()
}

/// `migdesk-central audit verify --db PATH` (or `--database URL`): success, standard output,
/// standard error.
fn verify(db: &Database) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(["audit", "verify"])
        .args(crate::common::db_args(db))
        .output()
        .expect("run migdesk-central");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn read_case(s: &Server, token: &str, case: &str, desk: Option<&str>) {
    let mut rb = s.request(
        Method::GET,
        &format!("/api/v1/applications/{case}"),
        Some(token),
    );
    if let Some(desk) = desk {
        rb = rb.header("X-Migdesk-Desk", desk);
    }
    s.send(rb).await.expect(StatusCode::OK);
}

#[tokio::test]
async fn reading_a_case_leaves_a_chained_audit_row() {
    let s = start().await;
    let (officer, token, cases) = s.busy_officer(1).await;
    let case = id(&cases[0]);
    read_case(&s, &token, case, Some("ws-042 (Aysel's laptop)")).await;
    read_case(&s, &token, case, None).await;
    read_case(&s, &token, case, Some(&"x".repeat(101))).await;

    let rows = audit_rows(&s.database);
    let reads = of_action(&rows, "case_read");
    assert_eq!(reads.len(), 3, "{rows:#?}");
    for read in &reads {
        assert_eq!(read["actor_id"], officer.id.as_str());
        assert_eq!(read["application_id"], case);
    }
    assert_eq!(reads[0]["desk"], "ws-042 (Aysel's laptop)");
    assert_eq!(reads[1]["desk"], Value::Null);
    assert_eq!(reads[2]["desk"], Value::Null, "too long to keep");
    // Each row follows the one before it.
    assert_eq!(rows[0]["prev_hash"], "0".repeat(64));
    for pair in rows.windows(2) {
        assert_eq!(pair[1]["prev_hash"], pair[0]["hash"]);
    }
    // Another department's case is not read, and leaves no read behind.
    let before = rows.len();
    let other = s.login(s.account("ganja", "officer", 0)).await;
    s.get(&format!("/api/v1/applications/{case}"), &other)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(of_action(&audit_rows(&s.database), "case_read").len(), 3);
    assert_eq!(
        audit_rows(&s.database).len(),
        before + 1,
        "only the sign-in"
    );

    let (ok, stdout, stderr) = verify(&s.database);
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains(&format!("OK: {} rows", before + 1)),
        "{stdout}"
    );
}

#[tokio::test]
async fn every_read_of_personal_data_is_recorded() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let document = case["documents"][0]["id"].as_str().expect("a document");
    s.get(&format!("/api/v1/documents/{document}"), &token)
        .await
        .expect(StatusCode::OK);
    // Unchanged: no bytes, no read.
    let unchanged = s
        .send(
            s.request(
                Method::GET,
                &format!("/api/v1/documents/{document}"),
                Some(&token),
            )
            .header(
                "If-None-Match",
                format!(
                    "\"{}\"",
                    case["documents"][0]["sha256"].as_str().expect("sha")
                ),
            ),
        )
        .await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    s.get(
        &format!("/api/v1/applications/{}/notifications", id(case)),
        &token,
    )
    .await
    .expect(StatusCode::OK);
    let supervisor = s.login(s.account("baku", "supervisor", 0)).await;
    s.get(
        &format!("/api/v1/applications/{}/history.csv", id(case)),
        &supervisor,
    )
    .await
    .expect(StatusCode::OK);
    s.get("/api/v1/departments/baku/notifications", &supervisor)
        .await
        .expect(StatusCode::OK);

    let rows = audit_rows(&s.database);
    let documents = of_action(&rows, "document_read");
    assert_eq!(documents.len(), 1, "{rows:#?}");
    assert_eq!(documents[0]["subject"], document);
    assert_eq!(documents[0]["application_id"], id(case));
    assert_eq!(of_action(&rows, "notifications_read").len(), 1);
    assert_eq!(
        of_action(&rows, "history_exported")[0]["application_id"],
        id(case)
    );
    assert_eq!(of_action(&rows, "undelivered_read")[0]["subject"], "baku");
}

/// A request from desk `desk`.
fn from_desk(
    s: &Server,
    method: Method,
    path: &str,
    token: &str,
    desk: &str,
) -> reqwest::RequestBuilder {
    s.request(method, path, Some(token))
        .header("X-Migdesk-Desk", desk)
}

#[tokio::test]
async fn documents_a_desk_names_before_downloading_are_recorded_at_once_and_not_again() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(2).await;
    let doc = |case: &Value| {
        case["documents"][0]["id"]
            .as_str()
            .expect("a document")
            .to_owned()
    };
    let (a, b) = (doc(&cases[0]), doc(&cases[1]));
    let announce = |documents: Value| {
        from_desk(&s, Method::POST, "/api/v1/document-reads", &token, "ws-1")
            .json(&json!({ "documents": documents }))
    };
    let answer = s
        .send(announce(json!([a, b, "no-such-document", a])))
        .await
        .expect(StatusCode::OK);
    assert_eq!(answer, json!({ "recorded": [a, b] }));
    let reads = || {
        let rows = audit_rows(&s.database);
        of_action(&rows, "document_read")
            .iter()
            .map(|r| {
                (
                    r["subject"].as_str().unwrap_or("").to_owned(),
                    r["desk"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        reads(),
        [(a.clone(), json!("ws-1")), (b.clone(), json!("ws-1"))]
    );

    // The download that follows, from the same desk, is recorded already.
    let get = |document: &str, desk: &str| {
        from_desk(
            &s,
            Method::GET,
            &format!("/api/v1/documents/{document}"),
            &token,
            desk,
        )
    };
    s.send(get(&a, "ws-1")).await.expect(StatusCode::OK);
    assert_eq!(reads().len(), 2);
    // Once: a second download is recorded on its own; so is one from another desk.
    s.send(get(&a, "ws-1")).await.expect(StatusCode::OK);
    s.send(get(&b, "ws-2")).await.expect(StatusCode::OK);
    assert_eq!(
        reads()[2..],
        [(a.clone(), json!("ws-1")), (b.clone(), json!("ws-2"))]
    );
    // Another department's officer names the same document: nothing is recorded, and the
    // download is refused as before.
    let ganja = s.login(s.account("ganja", "officer", 0)).await;
    let theirs = s
        .send(
            from_desk(&s, Method::POST, "/api/v1/document-reads", &ganja, "ws-9")
                .json(&json!({ "documents": [a] })),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(theirs, json!({ "recorded": [] }));
    s.send(from_desk(
        &s,
        Method::GET,
        &format!("/api/v1/documents/{a}"),
        &ganja,
        "ws-9",
    ))
    .await
    .expect_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(reads().len(), 4);

    let too_many: Vec<String> = (0..=migdesk_api::MAX_DOCUMENT_READS)
        .map(|n| n.to_string())
        .collect();
    s.send(announce(json!(too_many)))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    let (ok, _, stderr) = verify(&s.database);
    assert!(ok, "{stderr}");
}

#[tokio::test]
async fn tampering_with_one_audit_row_makes_verify_fail_naming_it() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    for _ in 0..4 {
        read_case(&s, &token, id(&cases[0]), Some("ws-1")).await;
    }
    let (ok, _, stderr) = verify(&s.database);
    assert!(ok, "{stderr}");
    let rows = audit_rows(&s.database);
    let target = rows[2]["id"].as_i64().expect("id");
    {
        // Someone with the file: the triggers are no obstacle to them, the chain is.
        migdesk_central::testing::with_sql(&s.database, |conn| {
            let refused =
                conn.execute("UPDATE audit_log SET desk = 'ws-2' WHERE id = ?1", [target]);
            assert!(
                refused.is_err(),
                "the service's own code cannot change a row"
            );
            conn.execute_batch(match conn.engine() {
                Engine::Sqlite => "DROP TRIGGER audit_log_no_update",
                Engine::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
            })
            .expect("drop the trigger");
            conn.execute("UPDATE audit_log SET desk = 'ws-2' WHERE id = ?1", [target])
                .expect("tamper");
        });
    }
    let (ok, stdout, stderr) = verify(&s.database);
    assert!(!ok, "{stdout}");
    assert!(
        stderr.contains(&format!("broken at row {target}:")),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_sign_in_failure_is_recorded() {
    let s = start().await;
    let officer = s.account("baku", "officer", 0);
    let wrong = s
        .send(
            s.request(Method::POST, "/api/v1/session", None)
                .header("X-Migdesk-Desk", "ws-7")
                .json(&json!({"username": officer.username, "password": "not the password"})),
        )
        .await;
    wrong.expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    s.post(
        "/api/v1/session",
        None,
        &json!({"username": "nobody-here", "password": "guess"}),
    )
    .await
    .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    s.login(officer).await;
    // A malformed request is no attempt.
    s.post("/api/v1/session", None, &json!({"username": ""}))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");

    let rows = audit_rows(&s.database);
    let failed = of_action(&rows, "sign_in_failed");
    assert_eq!(failed.len(), 2, "{rows:#?}");
    assert_eq!(failed[0]["username"], officer.username.as_str());
    assert_eq!(failed[0]["actor_id"], officer.id.as_str());
    assert_eq!(failed[0]["desk"], "ws-7");
    assert_eq!(failed[1]["username"], "nobody-here");
    assert_eq!(failed[1]["actor_id"], Value::Null);
    let signed_in = of_action(&rows, "sign_in");
    assert_eq!(signed_in.len(), 1);
    assert_eq!(signed_in[0]["actor_id"], officer.id.as_str());
    assert_eq!(rows.len(), 3);
}

#[tokio::test]
async fn a_desk_event_dated_in_the_future_is_flagged_not_refused() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let case = id(&cases[0]);
    let now = clock::now();
    let event = |name: &str, at| json!({"id": name, "kind": "opened", "application_id": case, "at": clock::format(at)});
    let report = json!({"events": [
        event("ahead", now + Duration::hours(2)),
        event("old", now - Duration::days(45)),
        event("now", now),
    ]});
    let receipt = s
        .send(
            s.request(Method::POST, "/api/v1/audit", Some(&token))
                .header("X-Migdesk-Desk", "ws-9")
                .json(&report),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(receipt["recorded"], 3);
    // Reported again: kept once, in the chain too.
    let receipt = s
        .post("/api/v1/audit", Some(&token), &report)
        .await
        .expect(StatusCode::OK);
    assert_eq!(receipt["repeated"], 3);

    let rows = audit_rows(&s.database);
    let reported = of_action(&rows, "desk_opened");
    assert_eq!(reported.len(), 3, "{rows:#?}");
    let flag = |name: &str| {
        reported
            .iter()
            .find(|r| r["subject"] == name)
            .map(|r| r["flag"].clone())
            .expect("the event")
    };
    assert_eq!(flag("ahead"), "future");
    assert_eq!(flag("old"), "stale");
    assert_eq!(flag("now"), Value::Null);
    for r in &reported {
        assert_eq!(r["desk"], "ws-9");
        assert_eq!(r["application_id"], case);
        assert!(r["reported_at"].is_string());
    }
    // The case's history says which reported times are doubtful.
    let supervisor = s.login(s.account("baku", "supervisor", 0)).await;
    let csv = s
        .get(
            &format!("/api/v1/applications/{case}/history.csv"),
            &supervisor,
        )
        .await;
    let csv = String::from_utf8_lossy(&csv.bytes);
    assert!(csv.contains("the desk's clock was ahead"), "{csv}");
    assert!(csv.contains("after more than the offline window"), "{csv}");
    let (ok, _, stderr) = verify(&s.database);
    assert!(ok, "{stderr}");
}

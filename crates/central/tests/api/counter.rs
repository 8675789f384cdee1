#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! Documents brought to the counter: the officer adds a scanned file to a case; it is checked as
//! an applicant's upload is, kept once by the desk's id with who added it, in the history and the
//! feed; on a case waiting for documents it is their arrival.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{decision, id, rows, start, version};

const SCAN: &[u8] = b"%PDF-1.4\n% scanned at the counter\n";

fn counter(doc_type: &str, bytes: &[u8]) -> Value {
    json!({
        "id": uuid::Uuid::new_v4(),
        "type": doc_type,
        "file_name": "counter-scan.pdf",
        "content_base64": STANDARD.encode(bytes),
        "added_at": "2026-12-01T10:15:00+04:00",
    })
}

#[tokio::test]
async fn a_counter_document_is_kept_once_with_who_added_it_and_a_decision_after_it_applies() {
    let s = start().await;
    // Applied at once: this department has no second pair of eyes on refusals.
    s.four_eyes("baku", false).await;
    let (officer, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let path = format!("/api/v1/applications/{}/documents", id(case));
    let body = counter("passport-copy", SCAN);

    // What an applicant's upload must be, a counter file must be too.
    for (field, value) in [
        ("type", json!("shoe-size")),
        ("file_name", json!("../etc/passwd")),
        ("content_base64", json!("not base64!")),
        (
            "content_base64",
            json!(STANDARD.encode(b"MZ\x90\x00 a program")),
        ),
        ("added_at", json!("yesterday")),
    ] {
        let mut wrong = body.clone();
        wrong[field] = value;
        s.post(&path, Some(&token), &wrong)
            .await
            .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    }
    // A colleague does not see the case; the supervisor elsewhere neither.
    let colleague = s.login(s.other_officers(&officer.id).next().unwrap()).await;
    s.post(&path, Some(&colleague), &body)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");

    let added = s
        .post(&path, Some(&token), &body)
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(added["id"], body["id"]);
    assert_eq!(added["mime_type"], "application/pdf");
    assert_eq!(added["added_by"]["id"], officer.id.as_str());
    // Sent again (the answer was lost): the same document, once.
    let again = s
        .post(&path, Some(&token), &body)
        .await
        .expect(StatusCode::OK);
    assert_eq!(again, added);
    let mut other = body.clone();
    other["content_base64"] = json!(STANDARD.encode(b"%PDF-1.4\n% another file\n"));
    let reused = s
        .post(&path, Some(&token), &other)
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(reused["cause"], "id_reused");
    assert_eq!(
        rows(
            &s.database,
            &format!(
                "SELECT COUNT(*) FROM documents WHERE id = '{}'",
                body["id"].as_str().unwrap()
            )
        ),
        1
    );

    // In the case, with who added it, and in its history; the version did not move, so the
    // decision the officer records next, citing the new document, applies.
    let now = s
        .get(&format!("/api/v1/applications/{}", id(case)), &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(version(&now), version(case));
    let doc = now["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == body["id"])
        .unwrap();
    assert_eq!(doc["added_by"]["full_name"], officer.full_name);
    let event = now["history"].as_array().unwrap().last().unwrap();
    assert_eq!(event["kind"], "documents_added");
    assert_eq!(event["actor"]["id"], officer.id.as_str());
    let mut refusal = decision(version(case), "refuse");
    refusal["reasons"] =
        json!([{ "code": "contradictory", "fields": ["surname"], "documents": [body["id"]] }]);
    s.post(
        &format!("/api/v1/applications/{}/decisions", id(case)),
        Some(&token),
        &refusal,
    )
    .await
    .expect(StatusCode::CREATED);
    // A decided case takes no more.
    s.post(&path, Some(&token), &counter("photos", SCAN))
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn the_owed_document_brought_to_the_counter_returns_the_case_and_runs_its_deadline() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let owed = migdesk_domain::Catalogue::builtin()
        .service(case["service"].as_str().unwrap())
        .unwrap()
        .required_documents
        .last()
        .unwrap()
        .clone();
    let mut ask = decision(version(case), "missing_documents");
    ask["missing_documents"] = json!([owed]);
    s.post(
        &format!("/api/v1/applications/{}/decisions", id(case)),
        Some(&token),
        &ask,
    )
    .await
    .expect(StatusCode::CREATED);

    s.post(
        &format!("/api/v1/applications/{}/documents", id(case)),
        Some(&token),
        &counter(&owed, SCAN),
    )
    .await
    .expect(StatusCode::CREATED);
    let now = s
        .get(&format!("/api/v1/applications/{}", id(case)), &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(now["status"], "pending");
    assert!(now.get("paused").is_none(), "{now}");
    let kinds: Vec<&str> = now["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.ends_with(&["documents_added", "deadline_resumed"]),
        "{kinds:?}"
    );
}

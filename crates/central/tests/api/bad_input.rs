use rand::{Rng, SeedableRng};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{rows, start, version};

#[tokio::test]
async fn malformed_requests_get_a_clear_4xx_and_change_nothing() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let path = format!(
        "/api/v1/applications/{}/decisions",
        cases[0]["id"].as_str().unwrap()
    );
    let post_raw = |body: &'static str, content_type: Option<&'static str>| {
        let mut rb = s.request(Method::POST, &path, Some(&token)).body(body);
        if let Some(ct) = content_type {
            rb = rb.header("content-type", ct);
        }
        rb
    };
    s.send(post_raw("{not json", Some("application/json")))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    s.send(post_raw(r#"{"id": 5}"#, Some("application/json")))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    s.send(post_raw("{}", None))
        .await
        .expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");

    let mut unknown = crate::common::decision(version(&cases[0]), "accept");
    unknown["colour"] = json!("red");
    s.post(&path, Some(&token), &unknown)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    let mut bad_uuid = crate::common::decision(version(&cases[0]), "accept");
    bad_uuid["id"] = json!("not-a-uuid");
    s.post(&path, Some(&token), &bad_uuid)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    let mut bad_kind = crate::common::decision(version(&cases[0]), "approve");
    bad_kind["kind"] = json!("approve");
    s.post(&path, Some(&token), &bad_kind)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    let mut bad_time = crate::common::decision(version(&cases[0]), "accept");
    bad_time["decided_at"] = json!("yesterday");
    s.post(&path, Some(&token), &bad_time)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");

    let big = "x".repeat(migdesk_central::MAX_BODY_BYTES + 10);
    let oversize = s
        .send(
            s.request(Method::POST, &path, Some(&token))
                .header("content-type", "application/json")
                .body(format!("{{\"note\":\"{big}\"}}")),
        )
        .await;
    oversize.expect_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    s.post(
        "/api/v1/applications/no-such-case/decisions",
        Some(&token),
        &crate::common::decision(1, "accept"),
    )
    .await
    .expect_error(StatusCode::NOT_FOUND, "not_found");
    // Only the decision that was read whole (with its id) but did not fit the case is kept, as
    // refused, for the supervisor to see; nothing was applied.
    assert_eq!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM decisions WHERE outcome <> 'rejected'"
        ),
        0
    );
    assert_eq!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM decisions WHERE outcome = 'rejected'"
        ),
        1
    );
    assert_eq!(rows(&s.database, "SELECT COUNT(*) FROM notifications"), 0);
}

#[tokio::test]
async fn unknown_routes_methods_and_queries_answer_in_json() {
    let s = start().await;
    let token = s.login(s.account("baku", "officer", 0)).await;
    s.get("/api/v1/nothing-here", &token)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    s.send(s.request(Method::PATCH, "/api/v1/session", Some(&token)))
        .await
        .expect_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    for q in [
        "cursor=%%%",
        "cursor=Zm9v",
        "limit=0",
        "limit=abc",
        "limit=100000",
        "surprise=1",
    ] {
        s.get(&format!("/api/v1/changes?{q}"), &token)
            .await
            .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    }
    s.send(s.request(Method::GET, "/api/v1/tracking?number=x", Some(&s.portal)))
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn random_bodies_never_break_the_server() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let targets = [
        "/api/v1/session".to_owned(),
        format!(
            "/api/v1/applications/{}/decisions",
            cases[0]["id"].as_str().unwrap()
        ),
        "/api/v1/departments/baku/assignments".to_owned(),
        format!(
            "/api/v1/tracking/{}/documents",
            cases[0]["number"].as_str().unwrap()
        ),
    ];
    let mut rng = rand::rngs::StdRng::seed_from_u64(99);
    let fragments: [&[u8]; 8] = [
        b"{",
        b"}",
        b"\"id\":",
        b"[",
        b"null",
        b"\xff\xfe",
        b"\"kind\":\"refuse\"",
        b"1e999",
    ];
    for i in 0..200 {
        let mut body = Vec::new();
        for _ in 0..rng.random_range(0..12) {
            if rng.random_bool(0.5) {
                body.extend_from_slice(fragments[rng.random_range(0..fragments.len())]);
            } else {
                body.push(rng.random());
            }
        }
        let target = &targets[i % targets.len()];
        // The applicant routes take the portal's credential, the others the officer's.
        let credential = if target.contains("/tracking/") {
            &s.portal
        } else {
            &token
        };
        let reply = s
            .send(
                s.request(Method::POST, target, Some(credential))
                    .header("content-type", "application/json")
                    .body(body),
            )
            .await;
        assert!(
            reply.status.is_client_error(),
            "{target}: {} {}",
            reply.status,
            String::from_utf8_lossy(&reply.bytes)
        );
        assert!(
            reply.json()["kind"].is_string(),
            "{target}: not the error shape"
        );
    }
    // Still serving, nothing stored.
    s.get("/api/v1/session", &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(rows(&s.database, "SELECT COUNT(*) FROM decisions"), 0);
}

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::start;

#[tokio::test]
async fn sign_in_me_and_sign_out() {
    let s = start().await;
    let officer = s.account("baku", "officer", 0);
    let body = s
        .post(
            "/api/v1/session",
            None,
            &json!({ "username": officer.username, "password": officer.password }),
        )
        .await
        .expect(StatusCode::OK);
    let token = body["token"].as_str().unwrap();
    assert_eq!(body["user"]["role"], "officer");
    assert_eq!(body["user"]["department"]["id"], "baku");
    assert_eq!(body["user"]["full_name"], officer.full_name);
    assert!(body["expires_at"].as_str().unwrap() > "2026");

    let me = s.get("/api/v1/session", token).await.expect(StatusCode::OK);
    assert_eq!(me["username"], officer.username.as_str());

    s.send(s.request(Method::DELETE, "/api/v1/session", Some(token)))
        .await
        .expect(StatusCode::NO_CONTENT);
    s.get("/api/v1/session", token)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn tokens_are_stored_hashed_never_as_issued() {
    let s = start().await;
    let token = s.login(s.account("ganja", "officer", 0)).await;
    migdesk_central::testing::with_sql(&s.database, |conn| {
        let found: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM tokens WHERE token_hash = ?1",
                [&token],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(found, 0, "the raw token must not be in the database");
        let hashed: i64 = conn
            .query_row("SELECT COUNT(*) FROM tokens", [], |r| r.get(0))
            .unwrap();
        assert_eq!(hashed, 1);
    });
}

#[tokio::test]
async fn wrong_passwords_are_refused_then_throttled() {
    let s = start().await;
    let officer = s.account("shaki", "officer", 0);
    let wrong = json!({ "username": officer.username, "password": "not-it" });
    for _ in 0..migdesk_central::auth::FREE_FAILURES {
        s.post("/api/v1/session", None, &wrong)
            .await
            .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    // Paused now, even with the right password.
    let right = json!({ "username": officer.username, "password": officer.password });
    let reply = s.post("/api/v1/session", None, &right).await;
    reply.expect_error(StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
    let retry: u64 = reply.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    // Another user is not affected.
    let other = s.account("shaki", "officer", 1);
    s.login(other).await;
}

#[tokio::test]
async fn a_parallel_flood_of_wrong_passwords_is_throttled_like_a_sequence() {
    let s = start().await;
    let officer = s.account("shaki", "officer", 0);
    let wrong = json!({ "username": officer.username, "password": "not-it" });
    let mut flood = tokio::task::JoinSet::new();
    for _ in 0..30 {
        let request = s
            .client
            .post(format!("{}/api/v1/session", s.base))
            .json(&wrong);
        flood.spawn(async move { request.send().await.map(|r| r.status()) });
    }
    let mut statuses = Vec::new();
    while let Some(status) = flood.join_next().await {
        statuses.push(status.unwrap().unwrap());
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let paused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        checked as i64,
        migdesk_central::auth::FREE_FAILURES,
        "{statuses:?}"
    );
    assert_eq!(checked + paused, 30, "{statuses:?}");
}

#[tokio::test]
async fn unknown_users_and_bad_tokens_are_unauthorized() {
    let s = start().await;
    s.post(
        "/api/v1/session",
        None,
        &json!({ "username": "nobody", "password": "x" }),
    )
    .await
    .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    s.get("/api/v1/changes", "forged-token")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let no_token = s
        .send(s.request(Method::GET, "/api/v1/changes", None))
        .await;
    no_token.expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn tokens_expire() {
    let s = crate::common::start_with(migdesk_central::Config {
        token_ttl_seconds: 1,
        ..migdesk_central::Config::default()
    })
    .await;
    let token = s.login(s.account("baku", "officer", 0)).await;
    s.get("/api/v1/session", &token)
        .await
        .expect(StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    s.get("/api/v1/session", &token)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

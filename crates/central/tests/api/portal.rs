//! The applicant portal's access: its own credential on every applicant route, never the
//! application number and date of birth alone, and rate limits with `Retry-After`.

use migdesk_central::testing::with_sql;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{rows, start, start_with};

#[tokio::test]
async fn a_withdrawal_with_the_right_number_and_birth_date_but_no_portal_credential_is_refused() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let number = case["number"].as_str().unwrap();
    let dob = case["applicant"]["date_of_birth"].as_str().unwrap();
    let path = format!("/api/v1/tracking/{number}/withdrawal");
    let body = json!({ "date_of_birth": dob });

    s.post(&path, None, &body)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    // An officer's token is not the portal's either.
    s.post(&path, Some(&token), &body)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    for (method, route) in [
        (
            Method::GET,
            format!("/api/v1/tracking?number={number}&date_of_birth={dob}"),
        ),
        (Method::POST, format!("/api/v1/tracking/{number}/documents")),
    ] {
        s.send(s.request(method, &route, None).json(&json!({})))
            .await
            .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    assert_eq!(
        rows(
            &s.database,
            &format!(
                "SELECT COUNT(*) FROM applications WHERE number = '{number}' AND status = 'withdrawn'"
            )
        ),
        0,
        "nothing withdrawn"
    );

    // The portal's credential does it.
    let t = s
        .post(&path, Some(&s.portal), &body)
        .await
        .expect(StatusCode::OK);
    assert_eq!(t["status"], "withdrawn");
}

#[tokio::test]
async fn a_revoked_portal_credential_is_refused() {
    let s = start().await;
    let (_, _, cases) = s.busy_officer(1).await;
    let number = cases[0]["number"].as_str().unwrap();
    let dob = cases[0]["applicant"]["date_of_birth"].as_str().unwrap();
    let route = format!("/api/v1/tracking?number={number}&date_of_birth={dob}");
    let token = with_sql(&s.database, |conn| {
        migdesk_central::portal::issue(conn, "second-portal").unwrap()
    });
    s.send(s.request(Method::GET, &route, Some(&token)))
        .await
        .expect(StatusCode::OK);
    assert!(with_sql(&s.database, |conn| {
        migdesk_central::portal::revoke(conn, "second-portal").unwrap()
    }));
    s.send(s.request(Method::GET, &route, Some(&token)))
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn guessing_birth_dates_through_the_portal_routes_is_slowed_with_retry_after() {
    let s = start_with(migdesk_central::Config {
        portal_limits: migdesk_central::portal::PortalLimits {
            per_address_per_minute: 5,
            per_credential_per_minute: 1000,
        },
        ..migdesk_central::Config::default()
    })
    .await;
    let (_, _, cases) = s.busy_officer(1).await;
    let number = cases[0]["number"].as_str().unwrap();
    let mut answers = Vec::new();
    for day in 1..=8 {
        let route = format!("/api/v1/tracking?number={number}&date_of_birth=1990-01-{day:02}");
        let reply = s
            .send(s.request(Method::GET, &route, Some(&s.portal)))
            .await;
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            let wait: u64 = reply.headers["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=60).contains(&wait), "Retry-After {wait}");
        }
        answers.push(reply.status);
    }
    assert_eq!(
        answers
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        3,
        "{answers:?}"
    );
    // Guessing credentials from that address is slowed too (the address is counted first).
    let reply = s
        .send(s.request(
            Method::GET,
            &format!("/api/v1/tracking?number={number}&date_of_birth=1990-02-01"),
            Some("portal-guess"),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
}

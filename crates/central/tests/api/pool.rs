#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! The department's pool: with the rule `pool` a new application waits without an officer; the
//! department's officers see it and one claims it — two claiming at once, exactly one gets it —
//! and it reaches that officer's desk through the change feed, `assigned` by `pool` in its
//! history. Nobody outside the department, and no supervisor, claims.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Reply, Server, start};
use crate::intake::{application, assigned, set_distribution, submit};

async fn pool(s: &Server, token: &str) -> Vec<Value> {
    s.get("/api/v1/departments/baku/pool", token)
        .await
        .expect(StatusCode::OK)["cases"]
        .as_array()
        .unwrap()
        .clone()
}

async fn claim(s: &Server, token: &str, case: &str) -> Reply {
    s.post(
        &format!("/api/v1/departments/baku/pool/{case}/claim"),
        Some(token),
        &json!({}),
    )
    .await
}

/// Baku sends its new applications to the pool; one arrives. Its id.
async fn pooled(s: &Server) -> String {
    set_distribution(s, "baku", &json!({ "rule": "pool" }))
        .await
        .expect(StatusCode::OK);
    let body = application("baku");
    submit(s, &body).await.expect(StatusCode::CREATED);
    body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_pooled_application_waits_until_one_officer_claims_it() {
    let s = start().await;
    let id = pooled(&s).await;
    let id = id.as_str();
    assert_eq!(assigned(&s, id), None, "nobody has it yet");

    let (first, second) = (
        s.account("baku", "officer", 0),
        s.account("baku", "officer", 1),
    );
    let (one, two) = (s.login(first).await, s.login(second).await);
    let waiting = pool(&s, &one).await;
    let listed = waiting.iter().find(|c| c["application_id"] == id).unwrap();
    assert_eq!(listed["applicant_name"], "Leyla Məmmədova");
    assert!(listed["working_days_left"].as_i64().unwrap() > 0);
    let dues: Vec<&str> = waiting
        .iter()
        .map(|c| c["due_date"].as_str().unwrap())
        .collect();
    assert!(
        dues.windows(2).all(|w| w[0] <= w[1]),
        "soonest due first: {dues:?}"
    );

    // Both claim at once: one has it, the other is told it is gone.
    let (a, b) = tokio::join!(claim(&s, &one, id), claim(&s, &two, id));
    let (winner, won, lost) = match (a.status, b.status) {
        (StatusCode::OK, StatusCode::CONFLICT) => (first, a, b),
        (StatusCode::CONFLICT, StatusCode::OK) => (second, b, a),
        other => panic!("one claim wins, one is refused: {other:?}"),
    };
    assert_eq!(
        won.json()["assignment"]["officer"]["id"],
        winner.id.as_str()
    );
    assert!(
        lost.json()["message"]
            .as_str()
            .unwrap()
            .contains("no longer in the pool")
    );
    assert_eq!(
        assigned(&s, id),
        Some((winner.id.clone(), "pool".to_owned()))
    );
    assert!(
        pool(&s, &one)
            .await
            .iter()
            .all(|c| c["application_id"] != id)
    );
    // The winner's feed brings it.
    let token = s.login(winner).await;
    let (changes, _) = s.all_changes(&token).await;
    assert!(
        changes.iter().any(|c| c["application_id"] == id),
        "{changes:?}"
    );
}

#[tokio::test]
async fn only_the_departments_officers_claim_and_a_case_outside_the_pool_is_refused() {
    let s = start().await;
    let id = pooled(&s).await;
    let id = id.as_str();

    let elsewhere = s.login(s.account("ganja", "officer", 0)).await;
    claim(&s, &elsewhere, id)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    s.get("/api/v1/departments/baku/pool", &elsewhere)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let supervisor = s.login(s.account("baku", "supervisor", 0)).await;
    assert!(
        pool(&s, &supervisor)
            .await
            .iter()
            .any(|c| c["application_id"] == id)
    );
    claim(&s, &supervisor, id)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");

    let officer = s.login(s.account("baku", "officer", 0)).await;
    claim(&s, &officer, "no-such-case")
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    // A case an officer already has is not in the pool.
    let (_, _, cases) = s.busy_officer(1).await;
    let held = cases[0]["id"].as_str().unwrap();
    claim(&s, &officer, held)
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(
        crate::common::rows(
            &s.database,
            &format!(
                "SELECT COUNT(*) FROM events WHERE kind = 'assigned' AND {} = 'pool'",
                migdesk_central::sql::json_text(s.database.engine(), "detail", "by")
            )
        ),
        0
    );
}

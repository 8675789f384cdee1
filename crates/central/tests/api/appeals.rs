#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! After the decision: a supervisor reopens a decided case (a complaint upheld, a court order)
//! and it returns to its officer; an accepted case is marked executed. The tracking shows each
//! step.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Server, decision, id, start, tracking_steps, version};

fn reopen(ground: &str, based_on_version: i64) -> Value {
    json!({
        "ground": ground,
        "reference": " 2-1234/2026 ",
        "reason": "Bakı İnzibati Məhkəməsinin qərarı ilə yenidən baxılmalıdır.",
        "based_on_version": based_on_version,
    })
}

fn today() -> String {
    migdesk_central::clock::local_date(migdesk_central::clock::now())
        .format("%Y-%m-%d")
        .to_string()
}

async fn detail(s: &Server, token: &str, case_id: &str) -> Value {
    s.get(&format!("/api/v1/applications/{case_id}"), token)
        .await
        .expect(StatusCode::OK)
}

async fn decide(s: &Server, token: &str, case_id: &str, kind: &str) -> Value {
    let case = detail(s, token, case_id).await;
    s.post(
        &format!("/api/v1/applications/{case_id}/decisions"),
        Some(token),
        &decision(version(&case), kind),
    )
    .await
    .expect(StatusCode::CREATED)
}

#[tokio::test]
async fn a_reopened_case_returns_to_its_officer_and_is_decided_again() {
    let s = start().await;
    let (officer, token, cases) = s.busy_officer(2).await;
    let case_id = id(&cases[0]).to_owned();
    let path = format!("/api/v1/applications/{case_id}/reopen");
    let sup = s.login(s.account("baku", "supervisor", 0)).await;

    // Not decided yet: nothing to reopen.
    let pending = detail(&s, &sup, &case_id).await;
    s.post(&path, Some(&sup), &reopen("court_order", version(&pending)))
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");

    decide(&s, &token, &case_id, "accept").await;
    let accepted = detail(&s, &sup, &case_id).await;
    assert_eq!(accepted["status"], "accepted");

    // Only a supervisor reopens; one of another department does not see the case.
    s.post(
        &path,
        Some(&token),
        &reopen("court_order", version(&accepted)),
    )
    .await
    .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let elsewhere = s.login(s.account("ganja", "supervisor", 0)).await;
    s.post(
        &path,
        Some(&elsewhere),
        &reopen("court_order", version(&accepted)),
    )
    .await
    .expect_error(StatusCode::NOT_FOUND, "not_found");
    // A reopening needs its reference and reason, and the version the supervisor saw.
    let mut no_reference = reopen("complaint_upheld", version(&accepted));
    no_reference["reference"] = json!("  ");
    s.post(&path, Some(&sup), &no_reference)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    let stale = s
        .post(
            &path,
            Some(&sup),
            &reopen("complaint_upheld", version(&accepted) - 1),
        )
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(stale["cause"], "stale_version");

    let (_, cursor) = s.all_changes(&token).await;
    let reopened = s
        .post(
            &path,
            Some(&sup),
            &reopen("complaint_upheld", version(&accepted)),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(reopened["status"], "pending");
    assert_eq!(version(&reopened), version(&accepted) + 1);
    assert_eq!(reopened["assignment"]["officer"]["id"], officer.id.as_str());
    assert!(reopened["due_date"].as_str().unwrap() > today().as_str());
    let event = reopened["history"].as_array().unwrap().last().unwrap();
    assert_eq!(event["kind"], "reopened");
    assert_eq!(event["detail"]["ground"], "complaint_upheld");
    assert_eq!(event["detail"]["reference"], "2-1234/2026");
    assert_eq!(event["detail"]["previous_status"], "accepted");
    assert_eq!(event["detail"]["due_date"], reopened["due_date"]);

    // The officer's feed brings it back, waiting for a decision, and a new one applies.
    let page = s
        .get(&format!("/api/v1/changes?cursor={cursor}"), &token)
        .await
        .expect(StatusCode::OK);
    let fed = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["application_id"] == case_id.as_str())
        .expect("the reopened case in the officer's feed");
    assert_eq!(fed["application"]["status"], "pending");
    decide(&s, &token, &case_id, "accept").await;

    assert_eq!(
        tracking_steps(&s, &reopened).await,
        ["received", "accepted", "reopened", "accepted"]
    );

    // The history export names the ground and the reference.
    let csv = s
        .get(&format!("/api/v1/applications/{case_id}/history.csv"), &sup)
        .await;
    let text = String::from_utf8(csv.bytes).unwrap();
    assert!(
        text.contains("reopened (complaint_upheld, reference 2-1234/2026) from accepted"),
        "{text}"
    );
}

#[tokio::test]
async fn an_accepted_case_is_executed_once_with_its_document_number() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(2).await;
    let case_id = id(&cases[0]).to_owned();
    let path = format!("/api/v1/applications/{case_id}/execution");
    let issued = json!({ "document_number": " aa 1234-5 ", "issued_on": today() });

    // Only an accepted case is executed.
    s.post(&path, Some(&token), &issued)
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
    decide(&s, &token, &case_id, "accept").await;

    for (number, day) in [
        ("12/34", today()),
        ("AA1", "2999-01-01".to_owned()),
        ("AA1", "1.12.2026".to_owned()),
        ("AA1", "2000-01-01".to_owned()),
    ] {
        s.post(
            &path,
            Some(&token),
            &json!({ "document_number": number, "issued_on": day }),
        )
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    }

    let executed = s
        .post(&path, Some(&token), &issued)
        .await
        .expect(StatusCode::OK);
    let execution = &executed["execution"];
    assert_eq!(execution["document_number"], "AA 1234-5");
    assert_eq!(execution["issued_on"], today());
    assert_eq!(
        execution["by"]["id"],
        executed["assignment"]["officer"]["id"]
    );
    assert_eq!(executed["status"], "accepted");
    let event = executed["history"].as_array().unwrap().last().unwrap();
    assert_eq!(event["kind"], "executed");
    assert_eq!(event["detail"]["document_number"], "AA 1234-5");

    // The same again (an answer not heard) changes nothing; another number is refused.
    let again = s
        .post(&path, Some(&token), &issued)
        .await
        .expect(StatusCode::OK);
    assert_eq!(again, executed);
    s.post(
        &path,
        Some(&token),
        &json!({ "document_number": "BB 1", "issued_on": today() }),
    )
    .await
    .expect_error(StatusCode::CONFLICT, "conflict");

    // The permit is issued: the case is not reopened here.
    let sup = s.login(s.account("baku", "supervisor", 0)).await;
    s.post(
        &format!("/api/v1/applications/{case_id}/reopen"),
        Some(&sup),
        &reopen("court_order", version(&executed)),
    )
    .await
    .expect_error(StatusCode::CONFLICT, "conflict");

    assert_eq!(
        tracking_steps(&s, &executed).await,
        ["received", "accepted", "executed"]
    );
}

#[tokio::test]
async fn an_officer_executes_only_their_own_case() {
    let s = start().await;
    let (officer, token, cases) = s.busy_officer(1).await;
    let case_id = id(&cases[0]).to_owned();
    decide(&s, &token, &case_id, "accept").await;
    let colleague = s.other_officers(&officer.id).next().expect("a colleague");
    let colleague = s.login(colleague).await;
    s.post(
        &format!("/api/v1/applications/{case_id}/execution"),
        Some(&colleague),
        &json!({ "document_number": "AA1", "issued_on": today() }),
    )
    .await
    .expect_error(StatusCode::NOT_FOUND, "not_found");
}

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! Four eyes on refusals: an officer's refusal waits for a supervisor of the department, who
//! approves it (the case is refused, the e-mail goes) or returns it with a note; nobody approves
//! their own; an answer on a case that moved is refused with its cause.

use migdesk_central::testing::with_sql;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Reply, Server, decision, id, refuse, rows, start, tracking_steps, version};

fn now() -> String {
    migdesk_central::clock::format(migdesk_central::clock::now())
}

fn answer(action: &str, note: &str, based_on_version: &Value) -> Value {
    json!({
        "action": action,
        "note": note,
        "based_on_version": based_on_version,
        "answered_at": now(),
    })
}

/// The officer refuses the case; the answer, as the centre gives it.
async fn propose(s: &Server, token: &str, case: &Value) -> (String, Value) {
    refuse(
        s,
        token,
        case,
        json!([{ "code": "form_incorrect", "fields": ["passport_number"] }]),
        "Pasport nömrəsi formada səhv yazılıb.",
    )
    .await
}

async fn approve_or_return(s: &Server, token: &str, decision_id: &str, body: &Value) -> Reply {
    s.post(
        &format!("/api/v1/approvals/{decision_id}"),
        Some(token),
        body,
    )
    .await
}

async fn detail(s: &Server, token: &str, case_id: &str) -> Value {
    s.get(&format!("/api/v1/applications/{case_id}"), token)
        .await
        .expect(StatusCode::OK)
}

fn kinds(detail: &Value) -> Vec<String> {
    detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_refusal_waits_for_a_supervisor_and_goes_out_only_when_approved() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let (decision_id, proposed) = propose(&s, &token, case).await;
    assert_eq!(proposed["awaiting_approval"], true, "{proposed}");
    assert_eq!(proposed["status"], "pending");
    assert!(proposed["notification_id"].is_null(), "{proposed}");
    assert_eq!(proposed["version"], version(case) + 1);
    // Nobody outside is told yet, and there is no letter.
    assert_eq!(rows(&s.database, "SELECT COUNT(*) FROM notifications"), 0);
    let now_case = detail(&s, &token, id(case)).await;
    assert_eq!(now_case["status"], "pending");
    assert_eq!(now_case["proposal"]["decision_id"], decision_id.as_str());
    assert!(kinds(&now_case).contains(&"refusal_proposed".to_owned()));
    // The applicant's tracking does not show a proposal.
    assert_eq!(tracking_steps(&s, case).await, ["received"]);
    let letter = s
        .get(
            &format!(
                "/api/v1/applications/{}/decisions/{decision_id}/letter.pdf",
                id(case)
            ),
            &token,
        )
        .await;
    assert_eq!(letter.status, StatusCode::NOT_FOUND);
    // While it waits, the officer's other decision on the case is a conflict.
    let again = s
        .post(
            &format!("/api/v1/applications/{}/decisions", id(case)),
            Some(&token),
            &decision(version(&now_case), "accept"),
        )
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(again["cause"], "already_decided");

    // The supervisor's list has it, with the e-mail the applicant will read.
    let supervisor = s.login(s.account("baku", "supervisor", 0)).await;
    let list = s
        .get("/api/v1/departments/baku/approvals", &supervisor)
        .await
        .expect(StatusCode::OK);
    let item = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["application_id"] == id(case))
        .unwrap()
        .clone();
    assert_eq!(item["proposal"]["decision_id"], decision_id.as_str());
    assert_eq!(item["version"], now_case["assignment"]["version"]);
    let body = item["proposal"]["email_body"].as_str().unwrap();
    assert!(body.contains("passport_number"), "{body}");
    // Not an officer's list, nor another department's.
    s.get("/api/v1/departments/baku/approvals", &token)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let ganja = s.login(s.account("ganja", "supervisor", 0)).await;
    s.get("/api/v1/departments/baku/approvals", &ganja)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    approve_or_return(
        &s,
        &ganja,
        &decision_id,
        &answer("approve", "", &item["version"]),
    )
    .await
    .expect_error(StatusCode::FORBIDDEN, "forbidden");
    approve_or_return(
        &s,
        &token,
        &decision_id,
        &answer("approve", "", &item["version"]),
    )
    .await
    .expect_error(StatusCode::FORBIDDEN, "forbidden");

    // On a version the case has left behind, nothing happens.
    let stale = approve_or_return(
        &s,
        &supervisor,
        &decision_id,
        &answer("approve", "", &json!(1)),
    )
    .await
    .expect_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(stale["cause"], "stale_version");

    let approval = answer("approve", "Düzgündür.", &item["version"]);
    let refused = approve_or_return(&s, &supervisor, &decision_id, &approval)
        .await
        .expect(StatusCode::OK);
    assert_eq!(refused["status"], "refused");
    assert!(refused.get("proposal").is_none(), "{refused}");
    let history = kinds(&refused);
    let approved_at = history
        .iter()
        .position(|k| k == "refusal_approved")
        .unwrap();
    assert_eq!(history[approved_at + 1], "decided", "{history:?}");
    // The e-mail the supervisor read is the one queued, signed by the officer.
    let sent: String = with_sql(&s.database, |conn| {
        conn.query_row(
            "SELECT body FROM notifications WHERE decision_id = ?1",
            [&decision_id],
            |r| r.get(0),
        )
        .unwrap()
    });
    assert_eq!(sent, body);
    assert_eq!(tracking_steps(&s, case).await, ["received", "refused"]);
    // The same answer again is answered; another one is refused.
    approve_or_return(&s, &supervisor, &decision_id, &approval)
        .await
        .expect(StatusCode::OK);
    let other = approve_or_return(
        &s,
        &supervisor,
        &decision_id,
        &answer("return", "no", &item["version"]),
    )
    .await
    .expect_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(other["cause"], "already_decided");
    assert_eq!(rows(&s.database, "SELECT COUNT(*) FROM notifications"), 1);
    let list = s
        .get("/api/v1/departments/baku/approvals", &supervisor)
        .await
        .expect(StatusCode::OK);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|i| i["application_id"] != id(case))
    );
}

#[tokio::test]
async fn a_returned_refusal_goes_back_to_its_officer_with_the_note() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let (decision_id, proposed) = propose(&s, &token, case).await;
    let supervisor = s.login(s.account("baku", "supervisor", 0)).await;

    // Returning needs a note.
    approve_or_return(
        &s,
        &supervisor,
        &decision_id,
        &answer("return", "  ", &proposed["version"]),
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    let returned = approve_or_return(
        &s,
        &supervisor,
        &decision_id,
        &answer(
            "return",
            "Pasportun ikinci səhifəsinə baxın.",
            &proposed["version"],
        ),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(returned["status"], "pending");
    assert!(returned.get("proposal").is_none(), "{returned}");
    let last = returned["history"].as_array().unwrap().last().unwrap();
    assert_eq!(last["kind"], "refusal_returned");
    assert_eq!(last["detail"]["note"], "Pasportun ikinci səhifəsinə baxın.");
    assert_eq!(rows(&s.database, "SELECT COUNT(*) FROM notifications"), 0);

    // The officer decides again, on the case as it is now.
    let accepted = s
        .post(
            &format!("/api/v1/applications/{}/decisions", id(case)),
            Some(&token),
            &decision(
                returned["assignment"]["version"].as_i64().unwrap(),
                "accept",
            ),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(accepted["status"], "accepted");
}

#[tokio::test]
async fn nobody_approves_their_own_refusal_and_the_setting_is_the_supervisors() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let (decision_id, proposed) = propose(&s, &token, case).await;
    let supervisor = s.account("baku", "supervisor", 0);
    // A supervisor who decides cases too proposed this one.
    with_sql(&s.database, |conn| {
        conn.execute(
            "UPDATE refusal_proposals SET proposed_by = ?1 WHERE decision_id = ?2",
            [&supervisor.id, &decision_id],
        )
        .unwrap()
    });
    let supervisor = s.login(supervisor).await;
    approve_or_return(
        &s,
        &supervisor,
        &decision_id,
        &answer("approve", "", &proposed["version"]),
    )
    .await
    .expect_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(detail(&s, &supervisor, id(case)).await["status"], "pending");

    // Four eyes is on unless the supervisor turns it off; an officer cannot.
    let settings = s
        .get("/api/v1/departments/baku/settings", &supervisor)
        .await
        .expect(StatusCode::OK);
    assert_eq!(settings["four_eyes_refusals"], true);
    let put = |token: &str| {
        s.request(
            Method::PUT,
            "/api/v1/departments/baku/settings",
            Some(token),
        )
        .json(&json!({ "four_eyes_refusals": false }))
    };
    s.send(put(&token))
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    s.send(put(&supervisor)).await.expect(StatusCode::OK);
    // The refusal already proposed stays a proposal.
    let list = s
        .get("/api/v1/departments/baku/approvals", &supervisor)
        .await
        .expect(StatusCode::OK);
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_answer_on_a_withdrawn_application_is_a_conflict() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let (decision_id, proposed) = propose(&s, &token, case).await;
    s.post(
        &format!(
            "/api/v1/tracking/{}/withdrawal",
            case["number"].as_str().unwrap()
        ),
        Some(&s.portal),
        &json!({ "date_of_birth": case["applicant"]["date_of_birth"] }),
    )
    .await
    .expect(StatusCode::OK);
    let supervisor = s.login(s.account("baku", "supervisor", 0)).await;
    let conflict = approve_or_return(
        &s,
        &supervisor,
        &decision_id,
        &answer("approve", "", &proposed["version"]),
    )
    .await
    .expect_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(conflict["cause"], "withdrawn");
    assert_eq!(conflict["current"]["status"], "withdrawn");
}

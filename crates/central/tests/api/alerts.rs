#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! Deadline alerts: the supervisor is shown every overdue case and the cases due within the
//! department's number of working days that nobody opened or that have no officer; a case its
//! officer opened is not raised until it is overdue.

use migdesk_central::database::Database;
use migdesk_central::testing::with_sql;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{Server, id, start};

fn day(offset_days: i64) -> String {
    let today = migdesk_central::clock::local_date(migdesk_central::clock::now());
    (today + chrono::Duration::days(offset_days))
        .format("%Y-%m-%d")
        .to_string()
}

/// The next working day after today, by the service's calendar.
fn next_working_day() -> String {
    let today = migdesk_central::clock::local_date(migdesk_central::clock::now());
    migdesk_domain::Calendar::builtin()
        .add_working_days(today, 1)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}

fn set(db: &Database, sql: &str, params: &[&(dyn rusqlite::ToSql + Sync)]) {
    with_sql(db, |conn| conn.execute(sql, params.to_vec()).unwrap());
}

async fn alerts(s: &Server, token: &str) -> Value {
    s.get("/api/v1/departments/baku/alerts", token)
        .await
        .expect(StatusCode::OK)
}

fn kind_of(alerts: &Value, case: &str) -> Option<String> {
    alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["application_id"] == case)
        .map(|a| a["kind"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn overdue_unassigned_and_unopened_cases_are_raised_and_an_opened_one_is_not() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(5).await;
    let [overdue, unopened, unassigned, opened, later] = [0, 1, 2, 3, 4].map(|i| id(&cases[i]));
    let soon = next_working_day();
    set(
        &s.database,
        "UPDATE applications SET due_date = ?1 WHERE id = ?2",
        &[&day(-3), &overdue],
    );
    for case in [unopened, unassigned, opened] {
        set(
            &s.database,
            "UPDATE applications SET due_date = ?1 WHERE id = ?2",
            &[&soon, &case],
        );
    }
    set(
        &s.database,
        "UPDATE applications SET officer_id = NULL WHERE id = ?1",
        &[&unassigned],
    );
    set(
        &s.database,
        "UPDATE applications SET due_date = ?1 WHERE id = ?2",
        &[&day(60), &later],
    );
    // The officer opens one of them on their desk, which reports it.
    let report = json!({ "events": [{
        "id": "opened-1", "kind": "opened", "application_id": opened,
        "at": migdesk_central::clock::format(migdesk_central::clock::now()),
    }]});
    s.post("/api/v1/audit", Some(&token), &report)
        .await
        .expect(StatusCode::OK);

    let supervisor = s.login(s.account("baku", "supervisor", 0)).await;
    let raised = alerts(&s, &supervisor).await;
    assert_eq!(raised["within_working_days"], 2);
    assert_eq!(kind_of(&raised, overdue).as_deref(), Some("overdue"));
    assert_eq!(kind_of(&raised, unopened).as_deref(), Some("unopened"));
    assert_eq!(kind_of(&raised, unassigned).as_deref(), Some("unassigned"));
    assert_eq!(
        kind_of(&raised, opened),
        None,
        "opened on its officer's desk"
    );
    assert_eq!(kind_of(&raised, later), None, "not due soon");
    let late = raised["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["application_id"] == overdue)
        .unwrap();
    assert!(late["working_days_left"].as_i64().unwrap() < 0, "{late}");
    assert!(late["officer"]["full_name"].is_string(), "{late}");
    // Overdue first, then by due date.
    let dues: Vec<&str> = raised["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["due_date"].as_str().unwrap())
        .collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "{dues:?}");

    // Set to today only: what is due tomorrow is no longer raised; overdue always is.
    let put = |body: Value| {
        s.request(
            Method::PUT,
            "/api/v1/departments/baku/settings",
            Some(&supervisor),
        )
        .json(&body)
    };
    s.send(put(
        json!({ "four_eyes_refusals": true, "alert_working_days": 21 }),
    ))
    .await
    .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    s.send(put(
        json!({ "four_eyes_refusals": true, "alert_working_days": 0 }),
    ))
    .await
    .expect(StatusCode::OK);
    let raised = alerts(&s, &supervisor).await;
    assert_eq!(raised["within_working_days"], 0);
    assert_eq!(kind_of(&raised, overdue).as_deref(), Some("overdue"));
    assert_eq!(kind_of(&raised, unopened), None);

    // Supervisors of the department only.
    s.get("/api/v1/departments/baku/alerts", &token)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let ganja = s.login(s.account("ganja", "supervisor", 0)).await;
    s.get("/api/v1/departments/baku/alerts", &ganja)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
}

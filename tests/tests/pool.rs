#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! The department's pool in the real window. The supervisor opens the department (`d`), goes to
//! the rule with `b` and moves it with the arrow keys to "the pool". The portal's route brings
//! two applications, which wait without an officer. An officer presses `p` on the queue: the
//! pool lists them, the soonest due first, the first claim under the keys; Enter claims it and
//! the case opens, assigned by `pool` in its history.

use migdesk_e2e::AppWindow;
use migdesk_e2e::central::{self, Centre};
use thirtyfour::Key;

#[tokio::test(flavor = "multi_thread")]
async fn an_officer_claims_a_pooled_application_with_p_and_enter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let staff = central::seed(&db, 8, 23, Some("baku"));
    let supervisor = staff.iter().find(|a| a.role == "supervisor").unwrap();
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    let centre = Centre::start(&db);

    // The supervisor: d, b, two arrows down to the pool.
    let boss = AppWindow::launch("pool_supervisor").await.unwrap();
    let rule = boss
        .sign_in_to_distribution_rule(&centre.base, &supervisor.username, &supervisor.password)
        .await
        .unwrap();
    assert_eq!(rule, "distribution-rule-least_open_work");
    for next in ["round_robin", "pool"] {
        boss.press_to(Key::Down, &format!("distribution-rule-{next}"))
            .await
            .unwrap();
    }
    central::wait_for_rule(&db, "baku", "pool").await;
    boss.close().await;

    // Two applications through the portal's route: nobody has them.
    let mut numbers: Vec<String> = central::simulate(&db, &centre.base, "baku", 2, 9);
    assert_eq!(numbers.len(), 2);
    let conn = rusqlite::Connection::open(&db).unwrap();
    // The soonest due first (then by number).
    let due = |number: &str| -> String {
        conn.query_row(
            "SELECT due_date FROM applications WHERE number = ?1",
            [number],
            |r| r.get(0),
        )
        .unwrap()
    };
    numbers.sort_by_key(|n| (due(n), n.clone()));
    let holder = |number: &str| -> Option<String> {
        conn.query_row(
            "SELECT officer_id FROM applications WHERE number = ?1",
            [number],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(holder(&numbers[0]), None);

    // The officer: p, then Enter on the first claim.
    let desk = AppWindow::launch("pool_officer").await.unwrap();
    desk.sign_in(&centre.base, &officer.username, &officer.password)
        .await;
    desk.sync_queue().await.unwrap();
    desk.expect_focus("queue-list").await.unwrap();
    desk.press("p").await;
    desk.by_test_id("pool-case").await.unwrap();
    desk.expect_focus_exactly("pool-claim").await.unwrap();
    let listed = desk
        .driver
        .find_all(thirtyfour::By::Css("[data-testid='pool-case']"))
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed[0].text().await.unwrap().contains(&numbers[0]));
    desk.screenshot("pool_listed").await.unwrap();
    desk.press(Key::Enter).await;
    desk.wait_for_text("case-number", &numbers[0])
        .await
        .unwrap();
    desk.screenshot("pool_claimed").await.unwrap();

    let officer_id: String = conn
        .query_row(
            "SELECT id FROM users WHERE username = ?1",
            [&officer.username],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(holder(&numbers[0]), Some(officer_id.clone()));
    assert_eq!(holder(&numbers[1]), None, "the other still waits");
    let by: String = conn
        .query_row(
            "SELECT json_extract(e.detail, '$.by') FROM events e JOIN applications a ON a.id = e.application_id
             WHERE a.number = ?1 AND e.kind = 'assigned'",
            [&numbers[0]],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(by, "pool");
    desk.close().await;
}

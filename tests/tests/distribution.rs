#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! New applications shared out by the department's rule, in the real window. The supervisor
//! opens the department (`d`), goes to the rule with `b`, moves it to "the fewest open cases"
//! with an arrow key, and marks an officer away today. An officer's desk is offline meanwhile
//! and keeps working. The simulator submits applications through the portal's route: each
//! lands with the officer who had the fewest open cases, none with the absent one; back online,
//! one sync brings the officer's new cases to their queue.

use std::collections::BTreeMap;

use migdesk_e2e::AppWindow;
use migdesk_e2e::central::{self, Cable, Centre};
use thirtyfour::Key;

/// Each Baku officer's id and pending cases, by user name.
fn open_cases(db: &std::path::Path) -> BTreeMap<String, (String, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT u.username, u.id, (SELECT COUNT(*) FROM applications a WHERE a.officer_id = u.id AND a.status = 'pending')
             FROM users u WHERE u.department_id = 'baku' AND u.role = 'officer'",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn new_applications_reach_the_least_busy_officers_and_never_the_absent_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let staff = central::seed(&db, 30, 17, Some("baku"));
    let supervisor = staff
        .iter()
        .find(|a| a.department == "baku" && a.role == "supervisor")
        .unwrap();
    // The department shares out in turn until its supervisor changes it.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE departments SET distribution_rule = 'round_robin' WHERE id = 'baku'",
            [],
        )
        .unwrap();
    let before = open_cases(&db);
    // The least busy officer works at the desk; the next least busy will be away.
    let mut by_load: Vec<(&String, &(String, i64))> = before.iter().collect();
    by_load.sort_by_key(|(_, (id, n))| (*n, id.clone()));
    let (desk_user, (desk_id, _)) = by_load[0];
    let (_, (away_id, _)) = by_load[1];
    let officer = staff.iter().find(|a| &a.username == desk_user).unwrap();

    let centre = Centre::start(&db);
    let cable = Cable::to(&centre.base);

    // The officer syncs, then works offline.
    let desk = AppWindow::launch("distribution_officer").await.unwrap();
    desk.sign_in(&cable.base, &officer.username, &officer.password)
        .await;
    desk.sync_queue().await.unwrap();
    let total_before: i64 = desk
        .wait_for_attr("queue-total", "data-total", |t| !t.is_empty())
        .await
        .unwrap()
        .parse()
        .unwrap();
    cable.pull();
    desk.open_selected_case().await;
    desk.wait_for_attr("case-screen", "data-case", |c| !c.is_empty())
        .await
        .unwrap();
    desk.press(Key::Escape).await;
    desk.expect_focus("queue-list").await.unwrap();

    // The supervisor: d, b, an arrow to "the fewest open cases".
    let boss = AppWindow::launch("distribution_supervisor").await.unwrap();
    let rule = boss
        .sign_in_to_distribution_rule(&centre.base, &supervisor.username, &supervisor.password)
        .await
        .unwrap();
    assert_eq!(rule, "distribution-rule-round_robin");
    boss.press_to(Key::Up, "distribution-rule-least_open_work")
        .await
        .unwrap();
    central::wait_for_rule(&db, "baku", "least_open_work").await;

    // The next least busy officer is away today: Edit on their row, the day, Add, Ctrl+Enter.
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(4 * 3600).unwrap())
        .date_naive();
    boss.click_css(&format!(
        "[data-testid='distribution-officer'][data-officer='{away_id}'] [data-testid='distribution-edit']"
    ))
    .await;
    boss.by_test_id("distribution-editor").await.unwrap();
    // The day as officers write it; Enter adds it (an empty "to" is the same day).
    boss.type_into("distribution-from", &today.format("%d.%m.%Y").to_string())
        .await;
    boss.press(Key::Enter).await;
    boss.by_test_id("distribution-absence").await.unwrap();
    boss.screenshot("distribution_editor").await.unwrap();
    boss.chord(Key::Control, Key::Enter).await;
    let row = format!("[data-testid='distribution-officer'][data-officer='{away_id}']");
    let started = std::time::Instant::now();
    loop {
        let away = match boss.by_css(&row).await {
            Ok(el) => el.attr("data-away").await.unwrap_or_default(),
            Err(_) => None,
        };
        if away.as_deref() == Some("true") {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "{away:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    boss.screenshot("distribution_set").await.unwrap();

    // Applications arrive through the portal's route.
    let numbers: Vec<String> = central::simulate(&db, &centre.base, "baku", 4, 4);
    assert_eq!(numbers.len(), 4);

    // Each went to the officer with the fewest open cases at that moment, never the absent one.
    let mut load: BTreeMap<String, i64> = before
        .values()
        .filter(|(id, _)| id != away_id)
        .map(|(id, n)| (id.clone(), *n))
        .collect();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut mine = Vec::new();
    for number in &numbers {
        let (to, by): (String, String) = conn
            .query_row(
                "SELECT json_extract(e.detail, '$.to'), json_extract(e.detail, '$.by') FROM events e JOIN applications a ON a.id = e.application_id WHERE a.number = ?1 AND e.kind = 'assigned'",
                [number],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let least = load
            .iter()
            .min_by_key(|(id, n)| (**n, (*id).clone()))
            .map(|(id, _)| id.clone())
            .unwrap();
        assert_eq!(
            (to.as_str(), by.as_str()),
            (least.as_str(), "least_open_work"),
            "{number}"
        );
        *load.get_mut(&to).unwrap() += 1;
        if &to == desk_id {
            mine.push(number.clone());
        }
    }
    assert!(!mine.is_empty(), "the least busy officer received nothing");

    // Back online, one sync brings them.
    cable.plug();
    desk.sync().await.unwrap();
    let expected = (total_before + i64::try_from(mine.len()).unwrap()).to_string();
    desk.wait_for_attr("queue-total", "data-total", |t| t == expected)
        .await
        .unwrap();
    desk.open_case_numbered(&mine[0]).await;
    desk.wait_for_text("case-number", &mine[0]).await.unwrap();
    desk.screenshot("distribution_new_case").await.unwrap();

    boss.close().await;
    desk.close().await;
}

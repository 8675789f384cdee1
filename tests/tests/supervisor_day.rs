#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! Two desks and one centre: an officer works offline (the cable pulled) and decides a case;
//! the supervisor, on the department view, moves that case and another with a reason, warned
//! first that the officer's desk may hold unsent work; back online, the officer's decision
//! arrives as a conflict both desks show; the supervisor applies it, the officer learns so, the
//! case's whole history is exported as CSV; and the centre refuses an officer who tries to move
//! a case (the officer's desk does not even offer it).

use migdesk_e2e::AppWindow;
use migdesk_e2e::central::{self, Cable, Centre};
use thirtyfour::components::SelectElement;

/// Presses keys where the focus is, which must be in the element with `data-testid` `id`.
async fn press_on(desk: &AppWindow, id: &str, keys: &str) {
    desk.expect_focus(id).await.unwrap();
    desk.press(keys).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_supervisor_moves_cases_and_resolves_the_conflict_an_offline_officer_caused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let staff: Vec<central::Account> = central::seed(&db, 16, 33, Some("shaki"))
        .into_iter()
        .filter(|a| a.department == "shaki")
        .collect();
    let officers: Vec<&central::Account> = staff.iter().filter(|a| a.role == "officer").collect();
    let supervisor = staff.iter().find(|a| a.role == "supervisor").unwrap();
    let id_of = |username: &str| -> String {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row(
                "SELECT id FROM users WHERE username = ?1",
                [username],
                |r| r.get(0),
            )
            .unwrap()
    };
    // The officer with the most open cases works offline; a colleague takes over.
    let (officer, colleague) = (officers[0], officers[1]);
    let (officer_id, colleague_id) = (id_of(&officer.username), id_of(&colleague.username));
    // A desk quiet for 3 s may hold unsent work (15 minutes in service).
    let centre = Centre::start_with(&db, &["--quiet-desk-seconds", "3"]);
    let cable = Cable::to(&centre.base);

    // The officer's desk, through the cable.
    let desk = AppWindow::launch("supervisor_day_officer").await.unwrap();
    desk.sign_in(&cable.base, &officer.username, &officer.password)
        .await;
    desk.sync_queue().await.unwrap();
    assert!(
        desk.by_test_id("queue-department").await.is_err(),
        "an officer is not offered the department view"
    );
    desk.open_selected_case().await;
    let decided = desk
        .wait_for_attr("case-screen", "data-case", |c| !c.is_empty())
        .await
        .unwrap();
    // The cable is pulled; the officer still decides, on the desk.
    cable.pull();
    press_on(&desk, "case-screen", "a").await;
    desk.by_test_id("decision-dialog").await.expect("dialog");
    desk.chord(thirtyfour::Key::Control, thirtyfour::Key::Enter)
        .await;
    desk.by_test_id("email-subject").await.expect("preview");
    desk.chord(thirtyfour::Key::Control, thirtyfour::Key::Enter)
        .await;
    desk.wait_for_attr("decision-state", "data-state", |s| s == "pending")
        .await
        .unwrap();
    press_on(
        &desk,
        "case-screen",
        &thirtyfour::Key::Escape.value().to_string(),
    )
    .await;

    // The supervisor's desk, on the centre directly.
    let boss = AppWindow::launch("supervisor_day_supervisor")
        .await
        .unwrap();
    boss.sign_in(&centre.base, &supervisor.username, &supervisor.password)
        .await;
    boss.sync_queue().await.unwrap();
    boss.click("queue-department").await;
    boss.click_css(&format!(
        "[data-testid='officer-row'][data-officer='{officer_id}'] [data-testid='officer-open']"
    ))
    .await;
    let decided_row = format!("[data-testid='supervised-case'][data-case='{decided}']");
    // The officer's desk has been quiet past the quiet period: its cases may hold unsent work.
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    boss.click("department-refresh").await;
    boss.click_css(&format!(
        "[data-testid='officer-row'][data-officer='{officer_id}'] [data-testid='officer-open']"
    ))
    .await;
    boss.wait_for_attr("supervised-case", "data-unsent", |u| u == "yes")
        .await
        .unwrap();
    // The department at the sizes officers use, in Russian and in Azerbaijani (the longest
    // words): each case on one line, the tables scrolling inside their panes.
    const TALLEST_ROW: &str = "return Math.max(...[...document.querySelectorAll(\
        \"[data-testid='supervised-case']\")].map((r) => r.getBoundingClientRect().height));";
    for (w, h) in [(1280, 800), (1920, 1080)] {
        boss.driver.set_window_rect(0, 0, w, h).await.unwrap();
        for lang in ["ru", "az"] {
            boss.click_css(&format!(".department-bar [data-testid='language-{lang}']"))
                .await;
            boss.wait_for_attr(&format!("language-{lang}"), "aria-pressed", |p| p == "true")
                .await
                .unwrap();
            let (page, window): (f64, f64) = boss
                .driver
                .execute(
                    "return [document.documentElement.scrollWidth, window.innerWidth];",
                    vec![],
                )
                .await
                .unwrap()
                .convert()
                .unwrap();
            assert!(page <= window, "{w}x{h} {lang}: the page is {page}px wide");
            let tallest: f64 = boss
                .driver
                .execute(TALLEST_ROW, vec![])
                .await
                .unwrap()
                .convert()
                .unwrap();
            assert!(
                tallest < 48.0,
                "{w}x{h} {lang}: a case row {tallest}px high wraps"
            );
            boss.screenshot(&format!("department-{w}x{h}-{lang}"))
                .await
                .unwrap();
        }
    }
    boss.driver.set_window_rect(0, 0, 1280, 800).await.unwrap();
    // Bulk: the case decided offline and one more.
    boss.click_css(&format!("{decided_row} [data-testid='select-case']"))
        .await;
    boss.click_css(&format!(
        "[data-testid='supervised-case']:not([data-case='{decided}']) [data-testid='select-case']"
    ))
    .await;
    let target = boss.by_test_id("reassign-officer").await.unwrap();
    SelectElement::new(&target)
        .await
        .unwrap()
        .select_by_value(&colleague_id)
        .await
        .unwrap();
    boss.type_into("reassign-reason", "Sick leave until Friday")
        .await;
    boss.click_css("[data-testid='reassign-submit']").await;
    let warning = boss.by_test_id("unsent-warning").await.unwrap();
    let number = boss
        .by_css(&decided_row)
        .await
        .unwrap()
        .attr("data-number")
        .await
        .unwrap()
        .unwrap();
    assert!(warning.text().await.unwrap().contains(&number));
    boss.screenshot("department-unsent-warning-az")
        .await
        .unwrap();
    boss.click("unsent-confirm").await;
    boss.wait_for_attr("reassign-done", "data-moved", |m| m == "2")
        .await
        .unwrap();

    // Back online, the officer's decision arrives as a conflict, shown on the officer's desk.
    cable.plug();
    desk.sync().await.unwrap();
    desk.wait_for_attr("queue-conflicts", "data-unseen", |n| n == "1")
        .await
        .unwrap();

    // ...and on the supervisor's, with the whole story; the supervisor applies it.
    boss.click("department-close").await;
    boss.sync().await.unwrap();
    boss.click("queue-department").await;
    let item = format!("[data-testid='supervisor-conflict'][data-case='{decided}']");
    let story = boss.by_css(&item).await.unwrap().text().await.unwrap();
    assert!(
        story.contains(&number) && story.contains(&officer.full_name),
        "{story}"
    );
    assert!(story.contains(&colleague.full_name), "{story}");
    boss.screenshot("department-conflict-az").await.unwrap();
    boss.click_css(&format!("{item} [data-testid='resolve-apply']"))
        .await;
    boss.click_css(&format!("{item} [data-testid='resolve-reason']"))
        .await;
    boss.expect_focus("resolve-reason").await.unwrap();
    boss.press("The officer had checked every document").await;
    boss.click_css(&format!("{item} [data-testid='resolve-confirm']"))
        .await;
    if let Err(e) = boss
        .wait_for_css_attr(&item, "data-resolved", |r| r == "apply")
        .await
    {
        boss.screenshot("department-conflict-unresolved")
            .await
            .unwrap();
        panic!("{e}");
    }

    // The case's whole history, exported.
    boss.click_css(&format!("{item} [data-testid='export-history']"))
        .await;
    let path = boss
        .by_css("[data-testid='export-done'] code")
        .await
        .unwrap()
        .prop("textContent")
        .await
        .unwrap()
        .unwrap();
    let csv = std::fs::read_to_string(&path).unwrap();
    for expected in [
        "opened",
        "reassigned",
        "Sick leave until Friday",
        "decision_conflict",
        "conflict_resolved",
        "The officer had checked every document",
        officer.full_name.as_str(),
        supervisor.full_name.as_str(),
    ] {
        assert!(csv.contains(expected), "{expected} missing from {csv}");
    }

    // The officer learns the answer at the next sync.
    desk.sync().await.unwrap();
    desk.click("queue-conflicts").await;
    desk.wait_for_attr("conflict-resolution", "data-action", |a| a == "apply")
        .await
        .unwrap();
    desk.screenshot("conflict-resolved-az").await.unwrap();

    // An officer who tries to move a case is refused by the centre.
    let token = central::token(&centre.base, officer).await;
    let refused = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/departments/shaki/assignments",
            centre.base
        ))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "applications": [{ "application_id": decided, "based_on_version": 1 }],
            "officer_id": officer_id,
            "reason": "I want it back",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    desk.close().await;
    boss.close().await;
    drop(centre);
}

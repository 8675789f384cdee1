#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! Casework around a decision, in the real window with two desks and one centre: internal
//! notes between an officer and the supervisor. The officer, offline (the cable pulled), writes
//! a note on a case with the keyboard alone; it waits on the desk; back online, one sync
//! delivers it once; the supervisor reads it on the same case, answers with a note of their
//! own, and the officer's next sync brings the answer.

use migdesk_e2e::AppWindow;
use migdesk_e2e::central::{self, Cable, Centre};
use thirtyfour::Key;

/// The case screen's notes, as (author and time line, words, delivery).
async fn notes(desk: &AppWindow) -> Vec<(String, String, String)> {
    let items = desk
        .driver
        .find_all(thirtyfour::By::Css("[data-testid='notes'] li"))
        .await
        .unwrap();
    let mut out = Vec::new();
    for li in items {
        let meta = li
            .find(thirtyfour::By::Css(".note-meta"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let text = li
            .find(thirtyfour::By::Css(".note-text"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let delivery = li.attr("data-delivery").await.unwrap().unwrap_or_default();
        out.push((meta, text, delivery));
    }
    out
}

/// Finds case `number` through the queue's search and opens it with Enter.
async fn open_case(desk: &AppWindow, number: &str) {
    desk.type_into("queue-search", number).await;
    desk.wait_for_attr("queue-total", "data-total", |t| t == "1")
        .await
        .unwrap();
    desk.wait_for_attr("queue-row", "data-number", |n| n == number)
        .await
        .unwrap();
    desk.open_selected_case().await;
    desk.wait_for_text("case-number", number).await.unwrap();
    desk.expect_focus("case-screen").await.unwrap();
}

/// Writes a note as a person does: `c` from the case screen, the words, Ctrl+Enter.
async fn write_note(desk: &AppWindow, words: &str) {
    desk.expect_focus("case-screen").await.unwrap();
    desk.press("c").await;
    desk.expect_focus("note-text").await.unwrap();
    desk.press(words).await;
    desk.chord(Key::Control, Key::Enter).await;
    desk.expect_focus("case-screen").await.unwrap();
}

/// Waits until the case screen shows `n` notes, the last delivered as `delivery`.
async fn wait_for_notes(
    desk: &AppWindow,
    n: usize,
    delivery: &str,
) -> Vec<(String, String, String)> {
    let started = std::time::Instant::now();
    loop {
        let shown = notes(desk).await;
        if shown.len() == n && shown.last().is_some_and(|l| l.2 == delivery) {
            return shown;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{shown:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_offline_officer_and_the_supervisor_exchange_notes_on_a_case() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let staff: Vec<central::Account> = central::seed(&db, 10, 21, Some("shaki"))
        .into_iter()
        .filter(|a| a.department == "shaki")
        .collect();
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    let supervisor = staff.iter().find(|a| a.role == "supervisor").unwrap();
    let centre = Centre::start(&db);
    let cable = Cable::to(&centre.base);

    let desk = AppWindow::launch("casework_officer").await.unwrap();
    desk.sign_in(&cable.base, &officer.username, &officer.password)
        .await;
    desk.sync_queue().await.unwrap();
    desk.open_selected_case().await;
    let number = desk
        .by_test_id("case-number")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    desk.expect_focus("case-screen").await.unwrap();

    // Offline, the officer writes a note; it is kept on the desk and says it waits.
    cable.pull();
    let words = "Pasportun surəti bulanıqdır; ərizəçi əslini gətirəcək.";
    write_note(&desk, words).await;
    let shown = wait_for_notes(&desk, 1, "pending").await;
    assert_eq!(shown[0].1, words);
    assert!(shown[0].0.contains(&officer.full_name), "{shown:?}");
    desk.screenshot("casework_note_offline").await.unwrap();
    let at_centre = || -> i64 {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM notes", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(at_centre(), 0);

    // Back online: one sync delivers it once.
    cable.plug();
    desk.press(Key::Escape).await;
    desk.sync().await.unwrap();
    assert_eq!(at_centre(), 1);
    desk.sync().await.unwrap();
    assert_eq!(at_centre(), 1, "sent exactly once");
    open_case(&desk, &number).await;
    wait_for_notes(&desk, 1, "kept").await;

    // The supervisor reads it on the same case and answers.
    let boss = AppWindow::launch("casework_supervisor").await.unwrap();
    boss.sign_in(&centre.base, &supervisor.username, &supervisor.password)
        .await;
    boss.sync_queue().await.unwrap();
    open_case(&boss, &number).await;
    let seen = wait_for_notes(&boss, 1, "kept").await;
    assert_eq!(seen[0].1, words);
    assert!(seen[0].0.contains(&officer.full_name), "{seen:?}");
    let answer = "Sabah zəng edin, sonra qərar verin.";
    write_note(&boss, answer).await;
    wait_for_notes(&boss, 2, "pending").await;
    boss.press(Key::Escape).await;
    boss.sync().await.unwrap();
    assert_eq!(at_centre(), 2);

    // The officer's next sync brings the answer, with the supervisor's name.
    desk.press(Key::Escape).await;
    desk.sync().await.unwrap();
    open_case(&desk, &number).await;
    let both = wait_for_notes(&desk, 2, "kept").await;
    assert_eq!(both[1].1, answer);
    assert!(both[1].0.contains(&supervisor.full_name), "{both:?}");
    let history = desk
        .by_test_id("history")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(history.contains(answer), "{history}");
    desk.screenshot("casework_notes_exchanged").await.unwrap();

    boss.close().await;
    desk.close().await;
}

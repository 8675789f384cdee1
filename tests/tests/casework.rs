#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! Casework around a decision, in the real window with two desks and one centre: internal
//! notes between an officer and the supervisor. The officer, offline (the cable pulled), writes
//! a note on a case with the keyboard alone and adds a paper scanned at the counter; both wait
//! on the desk; back online, one sync
//! delivers it once; the supervisor reads it on the same case, answers with a note of their
//! own, and the officer's next sync brings the answer. Then the deadline's clock: the officer
//! asks for a missing document with the keyboard, the queue says the deadline is stopped and
//! how many working days it keeps; the applicant sends the document, and after a sync the
//! queue shows the new due date. And the applicant's history: the same request filed again
//! shows on the case as a possible duplicate. After the decision: a supervisor reopens a
//! decided case on a court's order, the officer decides it again, previews the decision's letter
//! and, once the permit is issued (refused offline, recorded online), records its execution; the
//! applicant's tracking shows each step.

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
    desk.open_case_numbered(number).await;
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
    let (officer, supervisor) = central::seed_department(&db, 10, 21, "shaki");
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

    // Meanwhile the same applicant files the same request again at the centre (the intake
    // writes it there; the change feed then brings the officer's case again).
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute(
            "INSERT INTO applications (id, number, service, tier, submitted_at, due_date, department_id, status, officer_id, version, applicant, form, updated_at)
             SELECT 'again', 'MX-2026-999999', service, tier, '2026-11-30T08:00:00Z', due_date, department_id, 'pending', NULL, 1, applicant, '[]', '2026-11-30T08:00:00Z'
             FROM applications WHERE number = ?1",
            [&number],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO changes (application_id, department_id, officer_id, kind, at)
             SELECT id, department_id, officer_id, 'changed', '2026-11-30T08:00:00Z' FROM applications WHERE number = ?1",
            [&number],
        )
        .unwrap();
    }

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

    // Still offline, the applicant hands in a paper at the counter: the officer adds its scan
    // with the keys (i, the file, Ctrl+Enter); it is in the case at once, waiting to be sent.
    let scan = dir.path().join("counter-passport.jpg");
    std::fs::write(&scan, migdesk_docs::samples::jpeg(900, 1200)).unwrap();
    desk.press("i").await;
    desk.by_test_id("counter-dialog").await.unwrap();
    desk.expect_focus("counter-file").await.unwrap();
    desk.by_test_id("counter-file")
        .await
        .unwrap()
        .send_keys(scan.display().to_string())
        .await
        .unwrap();
    desk.chord(Key::Control, Key::Enter).await;
    dialog_closed(&desk, "counter-dialog").await;
    let panes = desk.text_of("pane-1-select").await;
    assert!(panes.contains("counter-passport.jpg"), "{panes}");
    desk.screenshot("casework_counter_offline").await.unwrap();
    let counter_at_centre = || -> i64 {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row(
                "SELECT COUNT(*) FROM documents WHERE file_name = 'counter-passport.jpg' AND added_by IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(counter_at_centre(), 0);

    // Back online: one sync delivers it once.
    cable.plug();
    desk.press(Key::Escape).await;
    desk.sync().await.unwrap();
    assert_eq!(at_centre(), 1);
    desk.sync().await.unwrap();
    assert_eq!(at_centre(), 1, "sent exactly once");
    assert_eq!(counter_at_centre(), 1, "the counter's scan too, once");
    open_case(&desk, &number).await;
    wait_for_notes(&desk, 1, "kept").await;
    // The case now shows the applicant's other application, flagged as a possible duplicate.
    let flagged = desk
        .by_css("[data-testid='applicant-history'] [data-duplicate='yes']")
        .await
        .unwrap();
    assert_eq!(
        flagged.attr("data-number").await.unwrap().as_deref(),
        Some("MX-2026-999999")
    );
    desk.by_test_id("possible-duplicate").await.unwrap();

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

    // The officer asks for a missing document (m, Space on the first one, Ctrl+Enter twice).
    desk.expect_focus("case-screen").await.unwrap();
    desk.press("m").await;
    desk.by_test_id("decision-dialog").await.unwrap();
    desk.press(" ").await;
    desk.chord(Key::Control, Key::Enter).await;
    desk.by_test_id("email-preview").await.unwrap();
    desk.chord(Key::Control, Key::Enter).await;
    desk.wait_for_attr("decision-state", "data-state", |s| s == "pending")
        .await
        .unwrap();
    desk.press(Key::Escape).await;
    desk.sync().await.unwrap();
    let (left, date_of_birth, owed): (i64, String, String) = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT a.paused_days_left, json_extract(a.applicant, '$.date_of_birth'),
                    json_extract(d.request, '$.missing_documents[0]')
             FROM applications a JOIN decisions d ON d.application_id = a.id WHERE a.number = ?1",
            [&number],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    desk.type_into("queue-search", &number).await;
    desk.wait_for_attr("queue-total", "data-total", |t| t == "1")
        .await
        .unwrap();
    let paused = desk
        .by_css("[data-testid='queue-row'] [data-testid='deadline-paused']")
        .await
        .unwrap();
    assert_eq!(
        paused.attr("data-days").await.unwrap(),
        Some(left.to_string())
    );
    desk.screenshot("casework_deadline_paused").await.unwrap();

    // The applicant sends it; the next sync brings the case back with its deadline running.
    let portal = central::portal_token(&db, "casework-portal");
    let content = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        b"%PDF-1.4\n% a scan\n",
    );
    reqwest::Client::new()
        .post(format!(
            "{}/api/v1/tracking/{number}/documents",
            centre.base
        ))
        .bearer_auth(&portal)
        .json(&serde_json::json!({
            "date_of_birth": date_of_birth,
            "documents": [{ "type": owed, "file_name": "scan.pdf", "content_base64": content }],
        }))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    desk.sync().await.unwrap();
    let due: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT due_date FROM applications WHERE number = ?1 AND paused_on IS NULL",
            [&number],
            |r| r.get(0),
        )
        .unwrap();
    let shown = format!("{}.{}.{}", &due[8..10], &due[5..7], &due[..4]);
    let started = std::time::Instant::now();
    loop {
        let row = desk
            .by_test_id("queue-row")
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if row.contains(&shown) {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the row shows {row:?}, not the new due date {shown}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        desk.driver
            .find_all(thirtyfour::By::Css("[data-testid='deadline-paused']"))
            .await
            .unwrap()
            .is_empty(),
        "the deadline runs again"
    );
    desk.screenshot("casework_deadline_running").await.unwrap();

    boss.close().await;
    desk.close().await;
}

/// Waits until the dialog `[data-testid=dialog]` has closed and handed the keys back to the
/// case screen itself.
async fn dialog_closed(desk: &AppWindow, dialog: &str) {
    let started = std::time::Instant::now();
    loop {
        let open = !desk.text_of(dialog).await.is_empty();
        let focus = desk.focused().await;
        if !open && focus == "case-screen" {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{dialog} open: {open}; the focus is on {focus}; {}",
            desk.text_of("error-notice").await
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Accepts the open case with the keys (a, Ctrl+Enter to the preview, Ctrl+Enter to confirm),
/// goes back to the queue and syncs.
async fn accept_and_sync(desk: &AppWindow) {
    desk.expect_focus("case-screen").await.unwrap();
    desk.press("a").await;
    desk.by_test_id("decision-dialog").await.unwrap();
    desk.chord(Key::Control, Key::Enter).await;
    desk.by_test_id("email-preview").await.unwrap();
    desk.chord(Key::Control, Key::Enter).await;
    desk.wait_for_attr("decision-state", "data-state", |s| s == "pending")
        .await
        .unwrap();
    desk.press(Key::Escape).await;
    desk.sync().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_supervisor_reopens_a_decided_case_and_the_officer_decides_again_and_executes_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let (officer, supervisor) = central::seed_department(&db, 8, 23, "shaki");
    let centre = Centre::start(&db);
    let cable = Cable::to(&centre.base);

    // The officer accepts a case; nothing after the decision is theirs but the execution.
    let desk = AppWindow::launch("appeals_officer").await.unwrap();
    desk.sign_in(&cable.base, &officer.username, &officer.password)
        .await;
    desk.sync_queue().await.unwrap();
    desk.open_selected_case().await;
    desk.by_test_id("case-number").await.unwrap();
    let number = desk.text_of("case-number").await;
    accept_and_sync(&desk).await;
    open_case(&desk, &number).await;
    desk.by_test_id("case-execute").await.unwrap();
    assert!(desk.text_of("case-reopen").await.is_empty());
    desk.press("u").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        desk.text_of("reopen-dialog").await.is_empty(),
        "u is a supervisor's key"
    );
    desk.press(Key::Escape).await;

    // A court orders a new decision: the supervisor reopens it with the keys alone.
    let boss = AppWindow::launch("appeals_supervisor").await.unwrap();
    boss.sign_in(&centre.base, &supervisor.username, &supervisor.password)
        .await;
    boss.sync_queue().await.unwrap();
    open_case(&boss, &number).await;
    boss.press("u").await;
    boss.by_test_id("reopen-dialog").await.unwrap();
    boss.expect_focus("reopen-ground").await.unwrap();
    boss.press(Key::Tab).await;
    boss.expect_focus("reopen-reference").await.unwrap();
    boss.press("2(103)-1234/2026").await;
    boss.press(Key::Tab).await;
    boss.press("Bakı İnzibati Məhkəməsinin qərarı ilə yenidən baxılsın.")
        .await;
    boss.screenshot("appeals_reopen_dialog").await.unwrap();
    boss.chord(Key::Control, Key::Enter).await;
    dialog_closed(&boss, "reopen-dialog").await;
    let history = boss.text_of("history").await;
    assert!(history.contains("2(103)-1234/2026"), "{history}");
    assert!(boss.text_of("case-reopen").await.is_empty());
    boss.screenshot("appeals_reopened").await.unwrap();
    let (status, reopened_by): (String, String) = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT a.status, u.username FROM applications a JOIN events e ON e.application_id = a.id
             JOIN users u ON u.id = e.actor_id WHERE a.number = ?1 AND e.kind = 'reopened'",
            [&number],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(status, "pending");
    assert_eq!(reopened_by, supervisor.username);

    // Back on the officer's desk after a sync: theirs to decide again.
    desk.sync().await.unwrap();
    open_case(&desk, &number).await;
    desk.by_test_id("decide-accept").await.unwrap();
    assert!(desk.text_of("history").await.contains("2(103)-1234/2026"));
    accept_and_sync(&desk).await;
    open_case(&desk, &number).await;

    // The letter the applicant received for the new decision, drawn on the desk.
    desk.press("l").await;
    desk.wait_for_attr("letter-dialog", "data-painted", |n| n != "0")
        .await
        .unwrap();
    desk.screenshot("appeals_letter").await.unwrap();
    desk.press(Key::Escape).await;
    dialog_closed(&desk, "letter-dialog").await;

    // The permit is issued. Offline, the desk says so and keeps nothing half-done.
    cable.pull();
    desk.press("e").await;
    desk.by_test_id("execution-dialog").await.unwrap();
    desk.expect_focus("execution-number").await.unwrap();
    desk.press("mi 0012345").await;
    desk.press(Key::Enter).await;
    desk.wait_for_attr("error-notice", "data-kind", |k| k == "offline")
        .await
        .unwrap();
    desk.screenshot("appeals_execution_offline").await.unwrap();
    cable.plug();
    desk.chord(Key::Control, Key::Enter).await;
    dialog_closed(&desk, "execution-dialog").await;
    let state = desk.text_of("execution-state").await;
    assert!(state.contains("MI 0012345"), "{state}");
    assert!(desk.text_of("case-execute").await.is_empty());
    desk.screenshot("appeals_executed").await.unwrap();

    // The applicant's tracking shows each step.
    let date_of_birth: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT json_extract(applicant, '$.date_of_birth') FROM applications WHERE number = ?1",
            [&number],
            |r| r.get(0),
        )
        .unwrap();
    let portal = central::portal_token(&db, "appeals-portal");
    let tracking: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/tracking?number={number}&date_of_birth={date_of_birth}",
            centre.base
        ))
        .bearer_auth(&portal)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let steps: Vec<&str> = tracking["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["received", "accepted", "reopened", "accepted", "executed"]
    );

    boss.close().await;
    desk.close().await;
}

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! Four eyes on refusals, in the real window with two desks and one centre. The officer, with
//! the cable pulled, refuses two cases with the keys; back online, one sync delivers them and
//! each case says it waits for the supervisor's approval. The supervisor, offline too, opens
//! the department with `d`, goes to the refusals with `p`, approves one with Enter and returns
//! the other with a note (Tab, Enter, the words, Ctrl+Enter); both wait on the desk. Plugged
//! in, one sync delivers both: the approved case is refused and its e-mail queued, the returned
//! one comes back to the officer with the note, theirs to decide again.

use migdesk_e2e::AppWindow;
use migdesk_e2e::central::{self, Cable, Centre};
use thirtyfour::Key;

/// Refuses the open case with the keys: `r`, the reason and the field it concerns, Ctrl+Enter
/// to the preview, Ctrl+Enter to confirm.
async fn refuse(desk: &AppWindow) {
    desk.expect_focus("case-screen").await.unwrap();
    desk.press("r").await;
    desk.by_test_id("decision-dialog").await.unwrap();
    desk.click("reason-form_incorrect").await;
    desk.click("reason-form_incorrect-field-surname").await;
    desk.chord(Key::Control, Key::Enter).await;
    desk.by_test_id("email-preview").await.unwrap();
    desk.expect_focus("decision-confirm").await.unwrap();
    desk.chord(Key::Control, Key::Enter).await;
    desk.wait_for_attr("decision-state", "data-state", |s| s == "pending")
        .await
        .unwrap();
}

/// The approvals in the department screen, as (case id, answer, delivery).
async fn approvals(desk: &AppWindow) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for li in desk
        .driver
        .find_all(thirtyfour::By::Css("[data-testid='approval']"))
        .await
        .unwrap()
    {
        let attr = async |name: &str| li.attr(name).await.unwrap().unwrap_or_default();
        out.push((
            attr("data-case").await,
            attr("data-answer").await,
            attr("data-delivery").await,
        ));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refusal_waits_for_the_supervisor_who_answers_offline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let (officer, supervisor) = central::seed_department(&db, 8, 31, "shaki");
    let centre = Centre::start(&db);
    let cable = Cable::to(&centre.base);
    let boss_cable = Cable::to(&centre.base);

    // The officer, offline, refuses two cases with the keys.
    let desk = AppWindow::launch("four_eyes_officer").await.unwrap();
    desk.sign_in(&cable.base, &officer.username, &officer.password)
        .await;
    desk.sync_queue().await.unwrap();
    cable.pull();
    desk.open_selected_case().await;
    let first = desk
        .wait_for_attr("case-screen", "data-case", |c| !c.is_empty())
        .await
        .unwrap();
    let first_number = desk.text_of("case-number").await;
    refuse(&desk).await;
    desk.press("n").await;
    let second = desk
        .wait_for_attr("case-screen", "data-case", |c| c != first)
        .await
        .unwrap();
    let second_number = desk.text_of("case-number").await;
    refuse(&desk).await;
    desk.press(Key::Escape).await;

    // Online again: one sync delivers both, and each case says it waits.
    cable.plug();
    desk.sync().await.unwrap();
    desk.open_case_numbered(&first_number).await;
    desk.wait_for_text("case-number", &first_number)
        .await
        .unwrap();
    desk.by_test_id("case-proposal").await.unwrap();
    assert!(desk.text_of("decide-accept").await.is_empty());
    desk.screenshot("four_eyes_officer_waiting").await.unwrap();
    desk.press(Key::Escape).await;

    // The supervisor syncs, then works offline: the department with d, the refusals with p.
    let boss = AppWindow::launch("four_eyes_supervisor").await.unwrap();
    boss.sign_in(&boss_cable.base, &supervisor.username, &supervisor.password)
        .await;
    boss.sync_queue().await.unwrap();
    boss_cable.pull();
    boss.expect_focus("queue-list").await.unwrap();
    boss.press("d").await;
    boss.by_test_id("department-approvals").await.unwrap();
    let listed = {
        let started = std::time::Instant::now();
        loop {
            let listed = approvals(&boss).await;
            if listed.len() == 2 {
                break listed;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "{listed:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    };
    let mut cases: Vec<&str> = listed.iter().map(|l| l.0.as_str()).collect();
    cases.sort_unstable();
    let mut expected = [first.as_str(), second.as_str()];
    expected.sort_unstable();
    assert_eq!(cases, expected);
    let email = boss.text_of("department-approvals").await;
    assert!(email.contains(&first_number), "{email}");
    boss.screenshot("four_eyes_approvals").await.unwrap();

    // p: the first refusal's approve button; Enter approves it.
    boss.press("p").await;
    boss.expect_focus_exactly("approval-approve").await.unwrap();
    let approved = listed[0].0.clone();
    boss.press(Key::Enter).await;
    boss.expect_focus_exactly("department-approvals")
        .await
        .unwrap();
    // p again: the other one; Tab to its return, Enter, the note, Ctrl+Enter.
    boss.press("p").await;
    boss.expect_focus_exactly("approval-approve").await.unwrap();
    boss.press(Key::Tab).await;
    boss.expect_focus_exactly("approval-return").await.unwrap();
    boss.press(Key::Enter).await;
    boss.expect_focus_exactly("approval-note").await.unwrap();
    boss.press("Pasportun ikinci səhifəsinə baxın.").await;
    boss.chord(Key::Control, Key::Enter).await;
    boss.expect_focus_exactly("department-approvals")
        .await
        .unwrap();
    let answered = approvals(&boss).await;
    for (case, answer, delivery) in &answered {
        let expected = if *case == approved {
            "approve"
        } else {
            "return"
        };
        assert_eq!((answer.as_str(), delivery.as_str()), (expected, "pending"));
    }
    boss.screenshot("four_eyes_answered_offline").await.unwrap();
    assert_eq!(
        central::decisions(&db, &approved, true).len(),
        1,
        "nothing reached the centre but the officer's proposal"
    );

    // Plugged in: one sync delivers both answers.
    boss_cable.plug();
    boss.press(Key::Escape).await;
    boss.sync().await.unwrap();
    boss.expect_focus("queue-list").await.unwrap();
    boss.press("d").await;
    boss.by_test_id("department-approvals").await.unwrap();
    let none = migdesk_e2e::translation("az", "approvals.none");
    let started = std::time::Instant::now();
    while !boss.text_of("department-approvals").await.contains(&none) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{}",
            boss.text_of("department-approvals").await
        );
        // The list is read when the screen opens; a sync still running then ends later, and
        // the supervisor refreshes.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        boss.click("department-refresh").await;
    }

    let conn = rusqlite::Connection::open(&db).unwrap();
    let state = |case: &str| -> (String, i64) {
        conn.query_row(
            "SELECT status, (SELECT COUNT(*) FROM notifications n WHERE n.application_id = a.id) FROM applications a WHERE id = ?1",
            [case],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    let returned = if approved == first { &second } else { &first };
    assert_eq!(state(&approved), ("refused".to_owned(), 1));
    assert_eq!(state(returned), ("pending".to_owned(), 0));

    // The officer's next sync: one case refused, the other theirs again with the note.
    desk.sync().await.unwrap();
    let returned_number = if returned == &first {
        &first_number
    } else {
        &second_number
    };
    desk.open_case_numbered(returned_number).await;
    desk.wait_for_text("case-number", returned_number)
        .await
        .unwrap();
    desk.by_test_id("decide-accept").await.unwrap();
    let history = desk.text_of("history").await;
    assert!(
        history.contains("Pasportun ikinci səhifəsinə baxın."),
        "{history}"
    );
    assert!(desk.text_of("case-proposal").await.is_empty());
    let came_back = desk.text_of("case-returned").await;
    assert!(
        came_back.contains("Pasportun ikinci səhifəsinə baxın.")
            && came_back.contains(&supervisor.full_name),
        "{came_back}"
    );
    desk.screenshot("four_eyes_returned").await.unwrap();
    // Back in the queue, its row says it came back.
    desk.press(Key::Escape).await;
    desk.wait_for_attr("queue-row", "data-sync", |s| s == "returned")
        .await
        .unwrap();
    desk.screenshot("four_eyes_queue_returned").await.unwrap();

    boss.close().await;
    desk.close().await;
}

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! An officer's day in the real window, against a real central service: filter the queue, open a
//! case and compare a PDF with an image side by side (rotate, zoom, the text panel), record each
//! of the three decisions after previewing the applicant's e-mail, go offline, decide twice
//! more, and while the desk is offline a supervisor moves one of those cases away. Back online,
//! four decisions are acknowledged and the fifth is a conflict the inbox explains. The centre
//! has every decision exactly once with its reasons. Screenshots in az/en/ru.

use std::time::Duration;

use migdesk_e2e::central::{self, Centre};
use migdesk_e2e::{AppWindow, translation};
use thirtyfour::Key;
use thirtyfour::components::SelectElement;

/// Presses keys on the case screen (its shortcuts), which must have the focus.
async fn press(desk: &AppWindow, keys: &str) {
    desk.expect_focus("case-screen").await.unwrap();
    desk.press(keys).await;
}

/// The case on screen, by its id.
async fn current_case(desk: &AppWindow) -> String {
    desk.wait_for_attr("case-screen", "data-case", |c| !c.is_empty())
        .await
        .unwrap()
}

/// Moves to the next case and waits for it.
async fn next_case(desk: &AppWindow, after: &str) -> String {
    press(desk, "n").await;
    desk.wait_for_attr("case-screen", "data-case", |c| c != after)
        .await
        .unwrap()
}

/// Opens the decision with its key, previews the e-mail with Ctrl+Enter (saving a screenshot
/// of the preview when named), confirms with Ctrl+Enter; returns the e-mail subject.
async fn decide(
    desk: &AppWindow,
    key: &str,
    screenshot: Option<&str>,
    fill: impl AsyncFnOnce(&AppWindow),
) -> String {
    press(desk, key).await;
    desk.by_test_id("decision-dialog").await.expect("dialog");
    fill(desk).await;
    desk.expect_focus("decision-dialog").await.unwrap();
    desk.chord(Key::Control, Key::Enter).await;
    let subject = desk
        .by_test_id("email-subject")
        .await
        .expect("preview")
        .text()
        .await
        .unwrap();
    if let Some(name) = screenshot {
        desk.screenshot(name).await.unwrap();
    }
    desk.expect_focus("decision-confirm").await.unwrap();
    desk.chord(Key::Control, Key::Enter).await;
    subject
}

/// Switches the UI language with the switch of the screen in front (`.case-bar` or
/// `.queue-bar`: the queue stays in the DOM behind an open case).
async fn language(desk: &AppWindow, bar: &str, lang: &str) {
    desk.click_css(&format!(".{bar} [data-testid='language-{lang}']"))
        .await;
}

/// A supervisor of the department moves a case to another officer, through the centre's API.
async fn reassign(
    base: &str,
    db: &std::path::Path,
    supervisor: &central::Account,
    case: &str,
    to: &str,
) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let version: i64 = conn
        .query_row(
            "SELECT version FROM applications WHERE id = ?1",
            [case],
            |r| r.get(0),
        )
        .unwrap();
    let officer: String = conn
        .query_row("SELECT id FROM users WHERE username = ?1", [to], |r| {
            r.get(0)
        })
        .unwrap();
    let token = central::token(base, supervisor).await;
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{base}/api/v1/departments/shaki/assignments"))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "applications": [{ "application_id": case, "based_on_version": version }],
            "officer_id": officer,
            "reason": "the officer is on leave",
        }))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_officer_decides_cases_online_and_offline_and_each_decision_arrives_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let staff = central::seed(&db, 24, 9, Some("shaki"));
    let shaki = |role: &'static str| {
        staff
            .iter()
            .filter(move |a| a.department == "shaki" && a.role == role)
    };
    let officer = shaki("officer").next().expect("a Shaki officer").clone();
    let colleague = shaki("officer")
        .nth(1)
        .expect("a second Shaki officer")
        .clone();
    let supervisor = shaki("supervisor")
        .next()
        .expect("a Shaki supervisor")
        .clone();
    let mut centre = Some(Centre::start(&db));
    let base = centre.as_ref().unwrap().base.clone();
    let desk = AppWindow::launch("officer_day").await.expect("desk");

    desk.sign_in(&base, &officer.username, &officer.password)
        .await;
    desk.sync_queue().await.unwrap();
    let all: usize = desk
        .wait_for_attr("queue-total", "data-total", |t| !t.is_empty())
        .await
        .unwrap()
        .parse()
        .unwrap();

    // A service filter narrows the queue to that service's cases; "all services" restores it.
    let service = desk.by_test_id("queue-service").await.unwrap();
    let service = SelectElement::new(&service).await.unwrap();
    service.select_by_index(1).await.unwrap();
    let narrowed: usize = desk
        // The total is empty while the filtered page loads: wait for the new figure.
        .wait_for_attr("queue-total", "data-total", |t| {
            !t.is_empty() && t != all.to_string()
        })
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(narrowed < all, "{narrowed} of {all}");
    let chosen = desk
        .by_css("[data-testid='queue-service'] option:checked")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    if narrowed > 0 {
        desk.wait_for_attr("queue-row", "data-number", |n| !n.is_empty())
            .await
            .unwrap();
        let shown = desk
            .by_css("[data-testid='queue-row'] span:nth-child(3)")
            .await
            .unwrap()
            .attr("title")
            .await
            .unwrap()
            .unwrap_or_default();
        assert_eq!(shown, chosen, "the first row is of the chosen service");
    }
    desk.screenshot("queue-filtered-az").await.unwrap();
    service.select_by_index(0).await.unwrap();
    desk.wait_for_attr("queue-total", "data-total", |t| t == all.to_string())
        .await
        .unwrap();

    // Enter opens the selected case (the first: the officer's own, earliest due).
    desk.open_selected_case().await;
    let first = current_case(&desk).await;

    // A PDF beside an image; both painted; then rotate one and zoom the other.
    desk.show_pdf_beside_image().await.unwrap();
    desk.screenshot("case-az").await.unwrap();
    desk.click("pane-2-rotate").await;
    desk.wait_for_attr("pane-2", "data-rotation", |r| r == "90")
        .await
        .unwrap();
    press(&desk, "1").await;
    press(&desk, "+").await;
    desk.wait_for_attr("pane-1", "data-zoom", |z| z == "1.25")
        .await
        .unwrap();
    desk.wait_for_attr("pane-1", "data-painted", |p| p == "yes")
        .await
        .unwrap();
    desk.screenshot("case-rotated-zoomed").await.unwrap();

    // The text panel: the application form's text, with the applicant's name marked.
    press(&desk, "t").await;
    desk.wait_for_attr("pane-1-text", "data-state", |s| s == "ready")
        .await
        .unwrap();
    desk.by_css("[data-testid='pane-1-text'] mark[data-field='name']")
        .await
        .expect("the applicant's name marked in the form's text");
    desk.screenshot("case-text-az").await.unwrap();
    press(&desk, "t").await;
    for lang in ["en", "ru"] {
        // The queue behind the case has a language switch too: use the case screen's.
        desk.click_css(&format!(".case-bar [data-testid='language-{lang}']"))
            .await;
        desk.wait_for_text(
            "case-back",
            &format!("← {}", translation(lang, "case.back")),
        )
        .await
        .unwrap();
        desk.screenshot(&format!("case-{lang}")).await.unwrap();
    }
    desk.click_css(".case-bar [data-testid='language-az']")
        .await;

    // Accept, with the e-mail preview: a, Ctrl+Enter (preview), Enter (confirm), on whatever
    // has the focus.
    press(&desk, "a").await;
    desk.expect_focus("decision-dialog").await.unwrap();
    desk.chord(Key::Control, Key::Enter).await;
    desk.by_test_id("email-body").await.expect("preview");
    desk.screenshot("decision-preview-az").await.unwrap();
    desk.expect_focus("decision-confirm").await.unwrap();
    desk.press(Key::Enter).await;
    desk.wait_for_attr("decision-state", "data-state", |s| s == "pending")
        .await
        .unwrap();
    desk.expect_focus("case-screen").await.unwrap();

    // Missing documents: the other document named in words (the dialog in English).
    let second = next_case(&desk, &first).await;
    language(&desk, "case-bar", "en").await;
    decide(
        &desk,
        "m",
        Some("decision-preview-en"),
        async |d: &AppWindow| {
            d.type_into("missing-other", "Notarial translation of the diploma")
                .await;
        },
    )
    .await;
    desk.wait_for_attr("decision-state", "data-state", |s| s == "pending")
        .await
        .unwrap();

    // Refuse: the form filled in incorrectly, the surname named (the dialog in Russian).
    let third = next_case(&desk, &second).await;
    language(&desk, "case-bar", "ru").await;
    decide(
        &desk,
        "r",
        Some("decision-preview-ru"),
        async |d: &AppWindow| {
            d.click("reason-form_incorrect").await;
            d.click("reason-form_incorrect-field-surname").await;
        },
    )
    .await;
    desk.wait_for_attr("decision-state", "data-state", |s| s == "pending")
        .await
        .unwrap();
    language(&desk, "case-bar", "az").await;

    // Offline: the centre stops; a decision is still recorded at once.
    drop(centre.take());
    let fourth = next_case(&desk, &third).await;
    let fourth_number = desk
        .by_test_id("case-number")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    decide(&desk, "a", None, async |_: &AppWindow| {}).await;
    desk.wait_for_attr("decision-state", "data-state", |s| s == "pending")
        .await
        .unwrap();
    // A fifth, which a supervisor will move away before this desk can send it.
    let fifth = next_case(&desk, &fourth).await;
    decide(&desk, "a", None, async |_: &AppWindow| {}).await;
    desk.wait_for_attr("decision-state", "data-state", |s| s == "pending")
        .await
        .unwrap();
    press(&desk, &Key::Escape.value().to_string()).await;
    desk.expect_focus("queue-list").await.unwrap();
    desk.click("queue-sync").await;
    desk.wait_for_attr("error-notice", "data-kind", |k| k == "offline")
        .await
        .unwrap();

    // Back online. Before the desk syncs, the supervisor moves the fifth case to a colleague.
    centre = Some(Centre::restart(&db, &base));
    reassign(&base, &db, &supervisor, &fifth, &colleague.username).await;
    desk.sync().await.unwrap();
    let status = desk
        .by_test_id("sync-status")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(status.contains('4'), "{status}");
    desk.screenshot("queue-after-sync-az").await.unwrap();

    // The fifth decision is a conflict, explained in words in each language; marked seen, kept.
    desk.wait_for_attr("queue-conflicts", "data-unseen", |n| n == "1")
        .await
        .unwrap();
    for lang in ["az", "en", "ru"] {
        language(&desk, "queue-bar", lang).await;
        desk.click("queue-conflicts").await;
        let story = desk
            .by_css(&format!(
                "[data-testid='conflict'][data-case='{fifth}'] [data-testid='conflict-story']"
            ))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(story.contains(&colleague.full_name), "{lang}: {story}");
        desk.screenshot(&format!("conflicts-{lang}")).await.unwrap();
        desk.click("conflicts-close").await;
    }
    language(&desk, "queue-bar", "az").await;
    desk.click("queue-conflicts").await;
    desk.click("conflict-seen").await;
    desk.wait_for_attr("queue-conflicts", "data-unseen", |n| n == "0")
        .await
        .unwrap();
    desk.wait_for_attr("conflict", "data-seen", |s| s == "true")
        .await
        .unwrap();
    desk.click("conflicts-close").await;

    // The case decided offline shows the centre's acknowledgement.
    desk.open_case_numbered(&fourth_number).await;
    if let Err(e) = desk
        .wait_for_attr("case-screen", "data-case", |c| c == fourth)
        .await
    {
        let _ = desk.screenshot("fourth-not-open").await;
        panic!("{e}");
    }
    desk.wait_for_attr("decision-state", "data-state", |s| s == "sent")
        .await
        .unwrap();
    desk.close().await;
    drop(centre);

    // At the centre: each decision once, with the right kind and reasons.
    std::thread::sleep(Duration::from_millis(200));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let decided = |case: &str| central::decisions(&db, case, true);
    for (case, kind) in [
        (&first, "accept"),
        (&second, "missing_documents"),
        (&third, "refuse"),
        (&fourth, "accept"),
    ] {
        let found = decided(case);
        assert_eq!(found.len(), 1, "{case}: {found:?}");
        assert_eq!(found[0]["kind"], kind, "{case}");
    }
    assert_eq!(
        decided(&second)[0]["missing_other"],
        "Notarial translation of the diploma"
    );
    assert_eq!(
        decided(&third)[0]["reasons"],
        serde_json::json!([{ "code": "form_incorrect", "fields": ["surname"], "documents": [] }])
    );
    // The fifth reached the centre once, kept as a conflict for the supervisor.
    let conflict: (String, i64) = conn
        .query_row(
            "SELECT outcome, status_code FROM decisions WHERE application_id = ?1",
            [&fifth],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(conflict, ("reassigned".to_owned(), 409));
    let total: i64 = conn
        .query_row("SELECT COUNT(*) FROM decisions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(total, 5, "nothing else reached the centre");
}

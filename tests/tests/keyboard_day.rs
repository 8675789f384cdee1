#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! An officer's decisions with the keyboard alone, keys going wherever the focus is: from the
//! queue, Enter, `a`, Ctrl+Enter, Ctrl+Enter accept a case (four keys, counted); `n` and the same
//! keys accept the next; a missing-documents decision naming one more document takes arrow keys
//! and Space. The centre has each decision once. No internal code is on the screen in az/en/ru,
//! and each screen is photographed at 1280×800 and 1920×1080 in Azerbaijani and Russian.

use migdesk_e2e::central::{self, Centre};
use migdesk_e2e::{AppWindow, translation};
use thirtyfour::Key;

/// Waits for the case on screen to have a pending decision, and for the focus to be back on it.
async fn decided(desk: &AppWindow) {
    desk.wait_for_attr("decision-state", "data-state", |s| s == "pending")
        .await
        .unwrap();
    desk.expect_focus("case-screen").await.unwrap();
}

/// Waits until `count` rows of the queue show their decision's delivery as `state`.
async fn waiting_rows(desk: &AppWindow, state: &str, count: usize) {
    let selector = format!("[data-testid='queue-row'][data-sync='{state}']");
    let start = std::time::Instant::now();
    let mut found = 0;
    while start.elapsed() < std::time::Duration::from_secs(10) {
        found = desk
            .driver
            .find_all(thirtyfour::By::Css(selector.as_str()))
            .await
            .map(|rows| rows.len())
            .unwrap_or(0);
        if found == count {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{found} rows show {state}, not {count}");
}

/// The case screen's visible text, without the document pickers (whose options name the
/// applicant's files as they were sent).
async fn case_text(desk: &AppWindow) -> String {
    let script = "const screen = document.querySelector(\"[data-testid='case-screen']\").cloneNode(true);\
                  screen.querySelectorAll('select, option').forEach((e) => e.remove());\
                  return screen.textContent;";
    desk.driver
        .execute(script, vec![])
        .await
        .unwrap()
        .convert::<String>()
        .unwrap()
}

/// A code-shaped word (`stay-extension`, `fee-receipt`) in `text`, if any.
fn code_in(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_lowercase() || c == '-'))
        .find(|w| {
            let parts: Vec<&str> = w.split('-').collect();
            parts.len() > 1 && parts.iter().all(|p| !p.is_empty())
        })
        .map(str::to_owned)
}

/// The language switch of `bar` as painted: each button's `aria-pressed` and background colour.
async fn switch_colours(desk: &AppWindow, bar: &str) -> Vec<(String, String)> {
    let script = "return [...document.querySelectorAll(`.${arguments[0]} .language-switch button`)]\
                  .map((b) => [b.getAttribute('aria-pressed'), getComputedStyle(b).backgroundColor]);";
    desk.driver
        .execute(script, vec![serde_json::json!(bar)])
        .await
        .unwrap()
        .convert::<Vec<(String, String)>>()
        .unwrap()
}

/// Photographs the screen in front at the window's current size, in Azerbaijani and Russian
/// (with the switch of `bar`, which shows the current language apart from the others), and
/// leaves it in Azerbaijani. The focus stays on the switch, as it would for a person who
/// clicked it.
async fn photograph(desk: &AppWindow, bar: &str, name: &str, size: &str) {
    for lang in ["ru", "az"] {
        desk.click_css(&format!(".{bar} [data-testid='language-{lang}']"))
            .await;
        desk.wait_for_attr(&format!("language-{lang}"), "aria-pressed", |p| p == "true")
            .await
            .unwrap();
        let buttons = switch_colours(desk, bar).await;
        let current: Vec<_> = buttons.iter().filter(|(p, _)| p == "true").collect();
        assert_eq!(current.len(), 1, "{bar}: {buttons:?}");
        assert!(
            buttons
                .iter()
                .all(|(p, colour)| p == "true" || colour != &current[0].1),
            "{bar}: the current language looks like the others: {buttons:?}"
        );
        desk.screenshot(&format!("{name}-{size}-{lang}"))
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_officer_decides_with_four_keys_and_no_codes_on_screen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let officer = central::seed(&db, 24, 11, Some("shaki"))
        .into_iter()
        .find(|a| a.department == "shaki" && a.role == "officer")
        .expect("a Shaki officer");
    let centre = Centre::start(&db);
    let desk = AppWindow::launch("keyboard_day").await.expect("desk");
    desk.sign_in(&centre.base, &officer.username, &officer.password)
        .await;
    desk.sync_queue().await.unwrap();
    desk.expect_focus("queue-list").await.unwrap();
    photograph(&desk, "queue-bar", "queue", "1280x800").await;
    // Back to the list, as a person would: a click on the selected row.
    desk.click_css("[data-testid='queue-row'][aria-selected='true']")
        .await;

    // Enter, a, Ctrl+Enter (the e-mail preview), Ctrl+Enter (confirm): four keys, no click.
    desk.expect_focus("queue-list").await.unwrap();
    let before = desk.keys_pressed();
    desk.open_selected_case().await;
    desk.expect_focus("case-screen").await.unwrap();
    let first = desk
        .wait_for_attr("case-screen", "data-case", |c| !c.is_empty())
        .await
        .unwrap();
    desk.press("a").await;
    desk.chord(Key::Control, Key::Enter).await;
    desk.by_test_id("email-preview").await.expect("the preview");
    desk.chord(Key::Control, Key::Enter).await;
    decided(&desk).await;
    assert_eq!(
        desk.keys_pressed() - before,
        4,
        "keys from the queue to an acceptance"
    );

    // No internal code on the case screen, in any language.
    for lang in ["az", "en", "ru"] {
        desk.click_css(&format!(".case-bar [data-testid='language-{lang}']"))
            .await;
        desk.wait_for_text(
            "case-back",
            &format!("← {}", translation(lang, "case.back")),
        )
        .await
        .unwrap();
        let text = case_text(&desk).await;
        assert_eq!(code_in(&text), None, "{lang}: {text}");
    }
    desk.click_css(".case-bar [data-testid='language-az']")
        .await;
    photograph(&desk, "case-bar", "case", "1280x800").await;

    // The next case: n, a, Ctrl+Enter, Enter.
    desk.expect_focus("case-screen").await.unwrap();
    let before = desk.keys_pressed();
    desk.press("n").await;
    let second = desk
        .wait_for_attr("case-screen", "data-case", |c| c != first)
        .await
        .unwrap();
    desk.expect_focus("case-screen").await.unwrap();
    desk.press("a").await;
    desk.chord(Key::Control, Key::Enter).await;
    desk.expect_focus("decision-confirm").await.unwrap();
    desk.press(Key::Enter).await;
    decided(&desk).await;
    assert_eq!(
        desk.keys_pressed() - before,
        4,
        "keys from one case to the next accepted"
    );

    // Missing documents naming one more document: n, m, Space on the first unticked one (the
    // focus starts there), Ctrl+Enter, Ctrl+Enter.
    let before = desk.keys_pressed();
    desk.press("n").await;
    let third = desk
        .wait_for_attr("case-screen", "data-case", |c| c != second)
        .await
        .unwrap();
    desk.expect_focus("case-screen").await.unwrap();
    desk.press("m").await;
    desk.by_test_id("decision-dialog").await.unwrap();
    let ticked = desk.focused().await;
    assert!(ticked.starts_with("missing-"), "the focus is on {ticked}");
    desk.press(" ").await;
    desk.chord(Key::Control, Key::Enter).await;
    desk.by_test_id("email-preview").await.expect("the preview");
    desk.screenshot("decision-missing-by-keys-az")
        .await
        .unwrap();
    desk.chord(Key::Control, Key::Enter).await;
    decided(&desk).await;
    assert!(
        desk.keys_pressed() - before <= 7,
        "keys for a missing-documents decision"
    );

    // Back to the queue (the focus on its list), its rows asked again: the three decisions
    // wait to be sent. `/` goes to the search and Esc back; `s` sends the decisions to the
    // centre, and the rows say so.
    desk.press(Key::Escape).await;
    desk.expect_focus("queue-list").await.unwrap();
    waiting_rows(&desk, "pending", 3).await;
    desk.press("/").await;
    desk.expect_focus("queue-search").await.unwrap();
    desk.press(Key::Escape).await;
    desk.expect_focus("queue-list").await.unwrap();
    desk.press("s").await;
    waiting_rows(&desk, "sent", 3).await;
    desk.wait_for_attr("sync-status", "data-state", |s| s == "done")
        .await
        .unwrap();

    // The large screen: the queue and the case at 1920×1080.
    desk.driver.set_window_rect(0, 0, 1920, 1080).await.unwrap();
    desk.expect_focus("queue-list").await.unwrap();
    photograph(&desk, "queue-bar", "queue", "1920x1080").await;
    desk.click_css("[data-testid='queue-row'][aria-selected='true']")
        .await;
    desk.open_selected_case().await;
    desk.wait_for_attr("case-screen", "data-case", |c| !c.is_empty())
        .await
        .unwrap();
    photograph(&desk, "case-bar", "case", "1920x1080").await;
    desk.close().await;
    drop(centre);

    // At the centre: each decision once, the third naming the document ticked by Space.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let decision = |case: &str| central::decisions(&db, case, false);
    for (case, kind) in [
        (&first, "accept"),
        (&second, "accept"),
        (&third, "missing_documents"),
    ] {
        let found = decision(case);
        assert_eq!(found.len(), 1, "{case}: {found:?}");
        assert_eq!(found[0]["kind"], kind, "{case}");
    }
    let named = decision(&third)[0]["missing_documents"].clone();
    let space_ticked = ticked.trim_start_matches("missing-");
    assert!(
        named.as_array().unwrap().iter().any(|d| d == space_ticked),
        "{named} names {space_ticked}, ticked with Space"
    );
    let total: i64 = conn
        .query_row("SELECT COUNT(*) FROM decisions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(total, 3, "nothing else reached the centre");
}

#[test]
fn code_shaped_words_are_found() {
    assert_eq!(
        code_in("Xidmət: stay-extension ·"),
        Some("stay-extension".into())
    );
    assert_eq!(code_in("Müddətin uzadılması — Qərar gözləyir"), None);
}

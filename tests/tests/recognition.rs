#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! A scanned passport read by the desk, in the real window with the real Tesseract: the
//! officer searches the queue for words printed only on the scan (nothing is found), opens the
//! case — the checklist reads the passport scan's zone by itself — shows the scan in the first
//! pane and presses `t`; the panel shows the recognised text, marked as such, with the
//! applicant's name checked in it and boxed on the scan.
//! Back in the queue the same search now finds the case. Screenshots in az and en.

use migdesk_e2e::AppWindow;
use migdesk_e2e::central::{self, Centre};
use thirtyfour::components::SelectElement;

/// A pending case of `username` whose passport copy is a scanned image and which has no other
/// identity page (whose text layer would print the same labels), by number.
fn case_with_scanned_passport(db: &std::path::Path, username: &str) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT a.number FROM applications a
         JOIN users u ON u.id = a.officer_id
         JOIN documents d ON d.application_id = a.id
         WHERE u.username = ?1 AND a.status = 'pending' AND d.type = 'passport-copy'
           AND (d.file_name LIKE '%.png' OR d.file_name LIKE '%.jpg')
           AND NOT EXISTS (SELECT 1 FROM documents o WHERE o.application_id = a.id
                           AND o.type IN ('id-copy', 'identity-document', 'trp-card-copy'))
         ORDER BY a.number LIMIT 1",
        [username],
        |r| r.get(0),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_officer_reads_a_scanned_passport_and_finds_it_by_a_word_on_the_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let (officer, _) = central::seed_department(&db, 10, 21, "shaki");
    let number = case_with_scanned_passport(&db, &officer.username);
    let centre = Centre::start(&db);

    let desk = AppWindow::launch("recognition").await.unwrap();
    desk.sign_in(&centre.base, &officer.username, &officer.password)
        .await;
    desk.sync_queue().await.unwrap();

    // Labels printed only on an identity page: no text the desk holds of this case has them.
    let labels = ["Surname", "Given", "expiry"];
    for label in labels {
        desk.type_into("queue-search", &format!("{number} {label}"))
            .await;
        desk.wait_for_attr("queue-total", "data-total", |t| t == "0")
            .await
            .unwrap();
    }

    desk.open_case_numbered(&number).await;
    desk.wait_for_text("case-number", &number).await.unwrap();
    // The checklist reads the passport scan's zone by itself as the case opens.
    let zone = desk
        .wait_for_attr("checklist-zone", "data-state", |s| s != "reading")
        .await
        .unwrap();
    assert!(zone == "checked" || zone == "none", "{zone}");
    desk.screenshot("recognised-checklist").await.unwrap();
    let select = desk.by_test_id("pane-1-select").await.unwrap();
    SelectElement::new(&select)
        .await
        .unwrap()
        .select_by_partial_text("passport-copy")
        .await
        .unwrap();
    desk.wait_for_attr("pane-1", "data-painted", |p| p == "yes")
        .await
        .unwrap();
    desk.expect_focus("case-screen").await.unwrap();
    desk.press("t").await;
    desk.wait_for_attr("pane-1-text", "data-state", |s| s == "ready")
        .await
        .unwrap();
    desk.by_css("[data-testid='pane-1-text'] [data-testid='recognised-note']")
        .await
        .expect("the text is marked as recognised");
    let text = desk
        .by_css("[data-testid='pane-1-text'] pre")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let label = labels
        .into_iter()
        .find(|l| text.contains(l))
        .unwrap_or_else(|| panic!("none of {labels:?} recognised in\n{text}"));
    // The applicant's values found are boxed on the scan itself.
    desk.by_css("[data-testid='pane-1'] .word-box[data-field='name']")
        .await
        .expect("the applicant's name boxed on the scan");
    desk.screenshot("recognised-az").await.unwrap();
    desk.by_css(".case-bar [data-testid='language-en']")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    desk.by_css("[data-testid='pane-1-text'] [data-testid='recognised-note']")
        .await
        .unwrap();
    desk.screenshot("recognised-en").await.unwrap();

    // Back in the queue, the word on the scan finds the case.
    desk.click("case-back").await;
    desk.type_into("queue-search", &format!("{number} {label}"))
        .await;
    desk.wait_for_attr("queue-total", "data-total", |t| t == "1")
        .await
        .unwrap();
    desk.wait_for_attr("queue-row", "data-number", |n| n == number)
        .await
        .unwrap();
    desk.screenshot("recognised-found").await.unwrap();
    desk.close().await;
}

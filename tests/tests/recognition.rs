#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! Scanned passports read by the desk, in the real window with the real Tesseract: the officer
//! opens a case — the checklist reads the passport scan's zone by itself — shows the scan in the
//! first pane and presses `t`; the panel shows the recognised text, marked as such, with the
//! applicant's name checked in it and boxed on the scan. Back in the queue a word printed only
//! on the scan finds the case; and a case the officer never opened is found the same way once
//! the desk has read its scan in the background after the sync (the status line shows the scans
//! recognised; a lock stops that work and the unlock takes it up again). Screenshots in az and
//! en. A PDF with a text layer and a page scanned without one shows the layer's text at once and
//! the scanned page's words after it once recognised. The scan, larger than the screen's copy,
//! is shown as that copy until the officer zooms in past it, then whole: the name's box stays
//! on the same words.

use std::time::Duration;

use migdesk_e2e::central::{self, Centre};
use migdesk_e2e::{AppWindow, PAGE_TIMEOUT, translation};
use thirtyfour::Key;
use thirtyfour::components::SelectElement;

/// Pane 1's page image once shown (its address and natural width), and where the applicant's
/// name is boxed on it, as fractions of the image's width and height from its top left corner.
async fn name_box_on_the_page(desk: &AppWindow) -> (String, u64, f64, f64) {
    let script = r#"
      const pane = document.querySelector("[data-testid='pane-1']");
      const img = pane && pane.querySelector(".page-image");
      const box = pane && pane.querySelector(".word-box[data-field='name']");
      if (!img || !box || !img.complete || pane.dataset.painted !== "yes") return null;
      const i = img.getBoundingClientRect();
      const b = box.getBoundingClientRect();
      return [img.src, img.naturalWidth, (b.left - i.left) / i.width, (b.top - i.top) / i.height];
    "#;
    for _ in 0..100 {
        let answer = desk.driver.execute(script, vec![]).await.unwrap();
        if let Ok((src, width, left, top)) = answer.convert::<(String, u64, f64, f64)>() {
            return (src, width, left, top);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("pane 1 shows no page with the name boxed");
}

/// The pending cases of `username` whose passport copy is a scanned image and which have no
/// other identity page (whose text layer would print the same labels), by number.
fn cases_with_scanned_passports(db: &std::path::Path, username: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT DISTINCT a.number FROM applications a
             JOIN users u ON u.id = a.officer_id
             JOIN documents d ON d.application_id = a.id
             WHERE u.username = ?1 AND a.status = 'pending' AND d.type = 'passport-copy'
               AND (d.file_name LIKE '%.png' OR d.file_name LIKE '%.jpg')
               AND NOT EXISTS (SELECT 1 FROM documents o WHERE o.application_id = a.id
                               AND o.type IN ('id-copy', 'identity-document', 'trp-card-copy'))
             ORDER BY a.number",
        )
        .unwrap();
    stmt.query_map([username], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Searches the queue for each of `searches` in turn as the officer types them, again and
/// again, until the queue shows `number` alone (the desk goes on reading scans meanwhile);
/// whether it did within `within`.
async fn found_in_time(
    desk: &AppWindow,
    searches: &[String],
    number: &str,
    within: Duration,
) -> bool {
    let start = std::time::Instant::now();
    for words in searches.iter().cycle() {
        if start.elapsed() > within {
            break;
        }
        desk.type_into("queue-search", words).await;
        let shown = desk
            .wait_for_attr("queue-total", "data-total", |t| t == "1")
            .await
            .is_ok()
            && desk
                .wait_for_attr("queue-row", "data-number", |n| n == number)
                .await
                .is_ok();
        if shown {
            return true;
        }
    }
    false
}

/// Shows the document of `doc_type` in the first pane, presses `t` as the officer does, and
/// waits for the panel's text marked as recognised: that text.
async fn recognised_text_in_the_first_pane(desk: &AppWindow, doc_type: &str) -> String {
    let select = desk.by_test_id("pane-1-select").await.unwrap();
    SelectElement::new(&select)
        .await
        .unwrap()
        .select_by_partial_text(doc_type)
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
    // A PDF's text layer is ready at once and its scanned pages are read meanwhile, perhaps
    // behind the background reading that follows a sync: up to four page times for the note
    // that says the panel holds recognised text.
    let mut marked = Err(String::new());
    for _ in 0..4 {
        marked = desk
            .wait_for_css_attr(
                "[data-testid='pane-1-text'] [data-testid='recognised-note']",
                "data-testid",
                |id| id == "recognised-note",
            )
            .await;
        if marked.is_ok() {
            break;
        }
    }
    if marked.is_err() {
        let panel = desk.text_of("pane-1-text").await;
        let _ = desk.screenshot("recognition-not-marked").await;
        panic!("the text is not marked as recognised: {marked:?}; the panel shows {panel:?}");
    }
    desk.by_css("[data-testid='pane-1-text'] pre")
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Waits until the desk has started no text recogniser for three seconds (a run goes from one
/// scan to the next within a fraction of one).
async fn stopped_recognising(desk: &AppWindow) {
    let recogniser = ["tesseract", "nice", "prlimit"];
    let start = std::time::Instant::now();
    let mut idle_since = std::time::Instant::now();
    while idle_since.elapsed() < Duration::from_secs(3) {
        assert!(
            start.elapsed() < 2 * PAGE_TIMEOUT,
            "the recognition went on while the desk was locked"
        );
        let processes = desk.memory_by_process().unwrap();
        if processes.iter().any(|p| recogniser.contains(&p.0.as_str())) {
            idle_since = std::time::Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The scans are recognised in the background after the sync, the status line showing how many
/// are done; a lock stops the work (its keys are gone) and the unlock takes it up again: the
/// queue shown after the unlock shows the work going on (a scan recognised since).
async fn scans_recognised_after_the_sync_and_after_a_lock(desk: &AppWindow, password: &str) {
    let done = "[data-testid='after-sync-progress'] progress";
    desk.wait_for_attr("after-sync-progress", "data-phase", |p| p == "recognising")
        .await
        .unwrap();
    desk.screenshot("after-sync-recognising").await.unwrap();
    desk.click("queue-lock").await;
    desk.wait_for_text("unlock-title", &translation("az", "unlock.title"))
        .await
        .unwrap();
    // The officer is away long enough for the work to notice the lock: it lets the scan it
    // was reading finish, then stops.
    stopped_recognising(desk).await;
    desk.expect_focus("unlock-password").await.unwrap();
    desk.press(password).await;
    desk.press(Key::Enter).await;
    desk.wait_for_text("queue-title", &translation("az", "queue.title"))
        .await
        .unwrap();
    let shown = match desk
        .wait_for_attr("after-sync-progress", "data-phase", |p| p == "recognising")
        .await
    {
        Ok(_) => desk.wait_for_css_attr(done, "value", |_| true).await,
        Err(e) => Err(e),
    };
    let first = shown.unwrap_or_else(|e| panic!("no work shown after the unlock: {e}"));
    // A scan recognised after the unlock, by the run the unlock took up.
    desk.wait_for_css_attr(done, "value", |v| v != first)
        .await
        .unwrap();
    desk.screenshot("after-sync-resumed").await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_officer_reads_a_scanned_passport_and_finds_it_by_a_word_on_the_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let (officer, _) = central::seed_department(&db, 10, 21, "shaki");
    let numbers = cases_with_scanned_passports(&db, &officer.username);
    let (number, unopened) = match &numbers[..] {
        [first, .., last] => (first.clone(), last.clone()),
        _ => panic!("two cases with scanned passports: {numbers:?}"),
    };
    let centre = Centre::start(&db);

    let desk = AppWindow::launch("recognition").await.unwrap();
    desk.sign_in(&centre.base, &officer.username, &officer.password)
        .await;
    desk.sync_queue().await.unwrap();
    scans_recognised_after_the_sync_and_after_a_lock(&desk, &officer.password).await;
    // Labels printed only on an identity page.
    let labels = ["Surname", "Given", "expiry"];

    desk.open_case_numbered(&number).await;
    desk.wait_for_text("case-number", &number).await.unwrap();
    // The checklist reads the passport scan's zone by itself as the case opens.
    let zone = desk
        .wait_for_attr("checklist-zone", "data-state", |s| s != "reading")
        .await
        .unwrap();
    assert!(zone == "checked" || zone == "none", "{zone}");
    desk.screenshot("recognised-checklist").await.unwrap();
    let text = recognised_text_in_the_first_pane(&desk, "passport-copy").await;
    let label = labels
        .into_iter()
        .find(|l| text.contains(l))
        .unwrap_or_else(|| panic!("none of {labels:?} recognised in\n{text}"));
    // The applicant's values found are boxed on the scan itself.
    desk.by_css("[data-testid='pane-1'] .word-box[data-field='name']")
        .await
        .expect("the applicant's name boxed on the scan");
    desk.screenshot("recognised-az").await.unwrap();
    // Fitted to the pane, the scan (1240 × 1754) is its screen copy, scaled to fit 1600 pixels.
    let (copy, copy_width, left, top) = name_box_on_the_page(&desk).await;
    assert!(copy.ends_with("/0/screen"), "{copy}");
    assert!(copy_width < 1240, "{copy}: {copy_width} pixels wide");
    // Zoomed in past the copy's pixels, the whole page; the name boxed on the same words.
    let mut whole = None;
    for _ in 0..8 {
        desk.expect_focus("case-screen").await.unwrap();
        desk.press("+").await;
        let shown = name_box_on_the_page(&desk).await;
        if !shown.0.ends_with("/screen") {
            whole = Some(shown);
            break;
        }
    }
    let (src, width, whole_left, whole_top) = whole.expect("the whole page once zoomed in");
    assert_eq!(width, 1240, "{src}");
    assert!(
        (whole_left - left).abs() < 0.005 && (whole_top - top).abs() < 0.005,
        "the name's box moved: ({left:.3}, {top:.3}) on the copy, ({whole_left:.3}, {whole_top:.3}) whole"
    );
    desk.screenshot("recognised-zoomed").await.unwrap();
    desk.click_css(".case-bar [data-testid='language-en']")
        .await;
    desk.by_css("[data-testid='pane-1-text'] [data-testid='recognised-note']")
        .await
        .unwrap();
    desk.screenshot("recognised-en").await.unwrap();

    // Back in the queue, the word on the scan finds the case.
    desk.click("case-back").await;
    assert!(
        found_in_time(&desk, &[format!("{number} {label}")], &number, PAGE_TIMEOUT).await,
        "{number} {label}"
    );
    desk.screenshot("recognised-found").await.unwrap();

    // A case never opened: its scan is read in the background after the sync.
    assert!(
        found_in_time(
            &desk,
            &labels.map(|l| format!("{unopened} {l}")),
            &unopened,
            Duration::from_secs(180)
        )
        .await,
        "{unopened}: its scan was not read in the background"
    );
    desk.close().await;
}

/// A pending case of `username` with a PDF whose text layer misses a scanned page: its number,
/// the document's type and the layer's first line.
fn case_with_a_page_scanned_without_text(
    db: &std::path::Path,
    username: &str,
) -> (String, String, String) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT a.number, d.type, b.bytes FROM applications a
             JOIN users u ON u.id = a.officer_id
             JOIN documents d ON d.application_id = a.id JOIN blobs b ON b.sha256 = d.sha256
             WHERE u.username = ?1 AND a.status = 'pending' AND d.file_name LIKE '%.pdf'
             ORDER BY a.number, d.type",
        )
        .unwrap();
    let documents = migdesk_docs::Documents::default();
    let rows = stmt
        .query_map([username], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (number, doc_type, bytes) = row.unwrap();
        let layer = documents.read_text(bytes).unwrap();
        if let (Some(text), false) = (layer.text, layer.scans_without_text.is_empty()) {
            let first = text.lines().next().unwrap().trim().to_owned();
            return (number, doc_type, first);
        }
    }
    panic!("no case of {username} has a PDF with a page scanned without text");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pdf_page_scanned_without_text_is_read_after_the_text_layer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let (officer, _) = central::seed_department(&db, 10, 21, "shaki");
    let (number, doc_type, first_line) =
        case_with_a_page_scanned_without_text(&db, &officer.username);
    let centre = Centre::start(&db);

    let desk = AppWindow::launch("recognition-mixed").await.unwrap();
    desk.sign_in(&centre.base, &officer.username, &officer.password)
        .await;
    desk.sync_queue().await.unwrap();
    desk.open_case_numbered(&number).await;
    desk.wait_for_text("case-number", &number).await.unwrap();
    // The layer's text at once; the scanned page's words after it once recognised (here, or
    // already in the background after the sync).
    let text = recognised_text_in_the_first_pane(&desk, &doc_type).await;
    assert!(
        text.trim_start().starts_with(&first_line) && text.len() > first_line.len() + 20,
        "{first_line:?} then the scanned page's words in\n{text}"
    );
    desk.screenshot("recognised-mixed-pdf").await.unwrap();
    desk.close().await;
}

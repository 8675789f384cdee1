#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! The hostile corpus through a case, in the real window: an applicant sends every broken and
//! hostile file of the document tests through the centre's applicant API; the officer syncs,
//! opens the case and shows each file. Each gives a clear message in its pane (or is drawn,
//! for the one PDF the viewer can draw), and afterwards the desk still answers at once: the
//! panes switch, and another case's documents are drawn. A large PDF pdf.js draws, sent after
//! them, is drawn from the parts of it pdf.js asks for, and its pages turn.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use migdesk_docs::samples;
use migdesk_e2e::central::{self, Centre};
use migdesk_e2e::{AppWindow, translation};
use thirtyfour::Key;
use thirtyfour::components::SelectElement;

/// The words of the technical detail that name each kind of document error.
fn detail_prefix(kind: &str) -> &'static str {
    match kind {
        "unsupported" => "this kind of file is not supported: ",
        "malformed" => "the file is damaged or not a valid document: ",
        "too_large" => "the document is too large to show safely: ",
        other => panic!("no hostile file should give {other}"),
    }
}

/// Shows document `id` in `pane` and waits until it is drawn or its pane shows an error;
/// returns the error's technical detail, or `None` when it was drawn.
async fn show(desk: &AppWindow, pane: &str, id: &str) -> Option<String> {
    let select = desk.by_test_id(&format!("{pane}-select")).await.unwrap();
    SelectElement::new(&select)
        .await
        .unwrap()
        .select_by_value(id)
        .await
        .unwrap();
    let shown = format!("[data-testid='{pane}'][data-document='{id}']");
    let started = std::time::Instant::now();
    loop {
        let el = desk.by_css(&shown).await.unwrap();
        if el.attr("data-painted").await.unwrap().as_deref() == Some("yes") {
            return None;
        }
        if let Ok(notice) = el
            .find(thirtyfour::By::Css("[data-testid='error-notice']"))
            .await
        {
            assert_eq!(
                notice.attr("data-kind").await.unwrap().as_deref(),
                Some("document")
            );
            let text = notice.text().await.unwrap();
            assert!(
                text.starts_with(&translation("az", "errors.document")),
                "{text:?}"
            );
            let detail = notice
                .find(thirtyfour::By::Css("code"))
                .await
                .unwrap()
                .prop("textContent")
                .await
                .unwrap()
                .unwrap_or_default();
            return Some(detail);
        }
        assert!(
            started.elapsed() < migdesk_e2e::PAGE_TIMEOUT,
            "{pane} showed neither {id} nor an error"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_hostile_file_gives_a_clear_message_and_the_desk_stays_responsive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let officer = central::seed(&db, 12, 21, Some("shaki"))
        .into_iter()
        .find(|a| a.department == "shaki" && a.role == "officer")
        .expect("a Shaki officer");
    let (number, date_of_birth): (String, String) = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT a.number, json_extract(a.applicant, '$.date_of_birth')
             FROM applications a JOIN users u ON u.id = a.officer_id
             WHERE u.username = ?1 AND a.status = 'pending' ORDER BY a.number LIMIT 1",
            [&officer.username],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let centre = Centre::start(&db);

    // The applicant sends the corpus. The centre refuses only the empty file, in words.
    let corpus = samples::hostile();
    let upload = |files: &[&samples::Sample]| {
        serde_json::json!({
            "date_of_birth": date_of_birth,
            "documents": files.iter().map(|s| serde_json::json!({
                "type": "passport-copy",
                "file_name": s.file_name,
                "content_base64": STANDARD.encode(&s.bytes),
            })).collect::<Vec<_>>(),
        })
    };
    let http = reqwest::Client::new();
    let url = format!("{}/api/v1/tracking/{number}/documents", centre.base);
    let portal = central::portal_token(&db, "e2e-portal");
    let (empty, sent): (Vec<_>, Vec<_>) = corpus.iter().partition(|s| s.bytes.is_empty());
    let refused = http
        .post(&url)
        .bearer_auth(&portal)
        .json(&upload(&empty))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let refused: serde_json::Value = refused.json().await.unwrap();
    assert!(
        refused.to_string().contains("empty.pdf is empty"),
        "{refused}"
    );
    // What the centre says it added of what the applicant sent.
    let send = |files: Vec<&samples::Sample>| {
        let request = http.post(&url).bearer_auth(&portal).json(&upload(&files));
        async move {
            let added: serde_json::Value = request
                .send()
                .await
                .unwrap()
                .error_for_status()
                .unwrap()
                .json()
                .await
                .unwrap();
            added["added"].as_array().unwrap().clone()
        }
    };
    let added = send(sent.clone()).await;
    let added = &added;
    assert_eq!(added.len(), sent.len());

    let desk = AppWindow::launch("hostile_case").await.unwrap();
    desk.sign_in(&centre.base, &officer.username, &officer.password)
        .await;
    desk.sync_queue().await.unwrap();
    desk.open_case_numbered(&number).await;
    desk.by_test_id("case-screen").await.unwrap();

    for (sample, meta) in sent.iter().zip(added) {
        assert_eq!(meta["file_name"], sample.file_name);
        let id = meta["id"].as_str().unwrap();
        let shown = show(&desk, "pane-1", id).await;
        match (sample.inspect, shown) {
            (None, None) => {}
            (Some(kind), Some(detail)) => assert!(
                detail.contains(detail_prefix(kind)),
                "{}: {detail:?}",
                sample.name
            ),
            (expected, shown) => panic!(
                "{}: expected {expected:?}, the pane showed {shown:?}",
                sample.name
            ),
        }
    }
    // A large PDF pdf.js draws (a stamp over its first scan) is read by the parts it needs, and
    // its pages turn.
    let scan = samples::page_image(2480, 3508);
    let jpeg = samples::encode(
        &image::DynamicImage::ImageLuma8(scan.clone()),
        image::ImageFormat::Jpeg,
    );
    let mut pages = vec![samples::ScanPage::default(); 4_800_000 / jpeg.len() + 2];
    pages[0].stamped = true;
    let large = samples::Sample {
        name: "large stamped scan",
        file_name: "large-stamped.pdf",
        bytes: samples::scanned_pdf_of_jpeg(&jpeg, scan.dimensions(), &pages),
        inspect: None,
    };
    assert!(large.bytes.len() > 4 * 1024 * 1024, "{}", large.bytes.len());
    let added_large = send(vec![&large]).await;
    // It arrives with the next sync.
    desk.click("case-back").await;
    desk.sync_queue().await.unwrap();
    desk.open_case_numbered(&number).await;
    let large_id = added_large[0]["id"].as_str().unwrap();
    assert_eq!(show(&desk, "pane-1", large_id).await, None, "drawn");
    desk.expect_focus("case-screen").await.unwrap();
    desk.press(Key::PageDown).await;
    desk.wait_for_attr("pane-1", "data-page", |p| p == "1")
        .await
        .unwrap();
    desk.wait_for_attr("pane-1", "data-painted", |p| p == "yes")
        .await
        .unwrap();
    desk.screenshot("case-large-pdf-by-parts").await.unwrap();

    // Two hostile files side by side, for the record.
    let id_of = |name: &str| {
        let at = sent.iter().position(|s| s.name == name).unwrap();
        added[at]["id"].as_str().unwrap().to_owned()
    };
    show(&desk, "pane-1", &id_of("PNG decompression bomb")).await;
    show(&desk, "pane-2", &id_of("text file named .pdf")).await;
    desk.screenshot("case-hostile-az").await.unwrap();

    // Still responsive: one pane and back, then another case's documents are drawn.
    desk.expect_focus("case-screen").await.unwrap();
    desk.press("p").await;
    desk.wait_for_attr("case-panes", "data-panes", |p| p == "one")
        .await
        .unwrap();
    desk.press(Key::Escape).await;
    desk.expect_focus("queue-list").await.unwrap();
    desk.type_into("queue-search", "").await;
    desk.wait_for_attr("queue-total", "data-total", |t| t != "1")
        .await
        .unwrap();
    let first = desk
        .wait_for_attr("queue-row", "data-number", |n| !n.is_empty())
        .await
        .unwrap();
    if first == number {
        desk.expect_focus("queue-list").await.unwrap();
        desk.press("j").await;
    }
    desk.open_selected_case().await;
    desk.wait_for_attr("case-screen", "data-case", |c| !c.is_empty())
        .await
        .unwrap();
    desk.show_pdf_beside_image().await.unwrap();

    desk.close().await;
    drop(centre);
}

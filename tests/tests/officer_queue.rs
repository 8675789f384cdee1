//! The officer's start of the day in the real window, against a real central service: sign in,
//! sync, the queue, search, lock and unlock — with screenshots in each language.

use migdesk_e2e::central::{self, Centre};
use migdesk_e2e::{AppWindow, translation};

#[tokio::test(flavor = "multi_thread")]
async fn an_officer_signs_in_syncs_searches_and_unlocks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let officer = central::seed(&db, 24, 5, Some("shaki"))
        .into_iter()
        .find(|a| a.department == "shaki" && a.role == "officer")
        .expect("a Shaki officer");
    let centre = Centre::start(&db);
    let desk = match AppWindow::launch("officer_queue").await {
        Ok(desk) => desk,
        Err(e) => panic!("could not start the desk: {e}"),
    };

    // A wrong password: the officer's language says so, nothing else happens.
    desk.wait_for_text("sign-in-title", &translation("az", "signIn.title"))
        .await
        .unwrap();
    desk.sign_in(&centre.base, &officer.username, "not-the-password")
        .await;
    desk.wait_for_attr("error-notice", "data-kind", |k| k == "unauthorized")
        .await
        .unwrap();

    desk.type_into("sign-in-password", &officer.password).await;
    desk.click("sign-in-submit").await;
    desk.wait_for_text("queue-title", &translation("az", "queue.title"))
        .await
        .unwrap();
    desk.wait_for_text("queue-user", &officer.full_name)
        .await
        .unwrap();

    // The first sync fills the queue from the centre.
    desk.click("queue-sync").await;
    let total: usize = desk
        .wait_for_attr("queue-total", "data-total", |t| {
            t.parse::<usize>().is_ok_and(|n| n > 0)
        })
        .await
        .unwrap()
        .parse()
        .unwrap();
    let first = desk
        .wait_for_attr("queue-row", "data-number", |n| !n.is_empty())
        .await
        .unwrap();
    desk.screenshot("queue-az").await.unwrap();

    // Searching by application number finds that one case.
    desk.type_into("queue-search", &first).await;
    desk.wait_for_attr("queue-total", "data-total", |t| t == "1")
        .await
        .unwrap();
    desk.type_into("queue-search", "").await;
    desk.wait_for_attr("queue-total", "data-total", |t| t == total.to_string())
        .await
        .unwrap();

    for lang in ["en", "ru"] {
        desk.click(&format!("language-{lang}")).await;
        desk.wait_for_text("queue-title", &translation(lang, "queue.title"))
            .await
            .unwrap();
        desk.screenshot(&format!("queue-{lang}")).await.unwrap();
    }
    desk.click("language-az").await;

    // Locked: the password opens the same work again.
    desk.click("queue-lock").await;
    desk.wait_for_text("unlock-title", &translation("az", "unlock.title"))
        .await
        .unwrap();
    desk.screenshot("unlock-az").await.unwrap();
    for lang in ["en", "ru"] {
        desk.click(&format!("language-{lang}")).await;
        desk.wait_for_text("unlock-title", &translation(lang, "unlock.title"))
            .await
            .unwrap();
        desk.screenshot(&format!("unlock-{lang}")).await.unwrap();
    }
    desk.click("language-az").await;
    desk.type_into("unlock-password", &officer.password).await;
    desk.click("unlock-submit").await;
    desk.wait_for_attr("queue-total", "data-total", |t| t == total.to_string())
        .await
        .unwrap();

    desk.close().await;
    drop(centre);
}

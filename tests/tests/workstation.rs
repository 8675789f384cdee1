#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! A workstation configured by IT (`desk.toml`), in the real window. A file with a misspelt key:
//! the desk says so — file, line, key — and offers no sign-in until IT corrects it. A file that
//! locks the desk to the department's centre, served over HTTPS with a certificate of the
//! department's own authority, and opens it in English: the officer types only a name and a
//! password and reaches the queue. An officer whose account IT disabled on the centre's command
//! line is told so at sign-in, in Azerbaijani. Screenshots of each.

use std::path::Path;
use std::time::Duration;

use migdesk_e2e::central::{self, Centre};
use migdesk_e2e::{AppWindow, Program, app_binary, translation};

/// The desk started with the workstation configuration `config`.
async fn desk_configured(test_name: &str, config: &Path) -> AppWindow {
    let app = app_binary().unwrap();
    let config = config.to_str().unwrap();
    let env = [("MIGDESK_CONFIG", config)];
    let data = tempfile::Builder::new()
        .prefix("migdesk-e2e-")
        .tempdir()
        .unwrap();
    let program = Program {
        path: &app,
        env: &env,
        display: true,
        start_within: Duration::from_secs(120),
    };
    AppWindow::launch_program(test_name, data, program)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workstation_configured_by_it_opens_locked_to_its_centre_or_says_what_to_correct() {
    let dir = tempfile::tempdir().unwrap();

    // A misspelt key: the window names the file, the line and the key, and nothing else.
    let wrong = dir.path().join("desk.toml");
    std::fs::write(
        &wrong,
        "server = \"https://localhost:1\"\nserver_lock = true\n",
    )
    .unwrap();
    let desk = desk_configured("workstation-wrong", &wrong).await;
    let shown = desk
        .by_test_id("configuration-error")
        .await
        .expect("the configuration error screen")
        .text()
        .await
        .unwrap();
    assert!(
        shown.contains("desk.toml") && shown.contains("server_lock"),
        "{shown}"
    );
    let sign_in = desk
        .driver
        .find_all(thirtyfour::By::Css("[data-testid='sign-in-username']"))
        .await
        .unwrap();
    assert!(
        sign_in.is_empty(),
        "no sign-in while the configuration is wrong"
    );
    desk.screenshot("workstation-configuration-error")
        .await
        .unwrap();
    desk.close().await;

    // Locked to the department's centre over HTTPS, in English.
    let db = dir.path().join("central.db");
    let (officer, _) = central::seed_department(&db, 10, 21, "shaki");
    let centre = Centre::start_tls(&db, dir.path());
    let ca = dir.path().join("ca.pem");
    let locked = dir.path().join("locked.toml");
    std::fs::write(
        &locked,
        format!(
            "server = {:?}\nserver_locked = true\nca_certificates = [{:?}]\ndefault_language = \"en\"\n",
            centre.base,
            ca.to_str().unwrap()
        ),
    )
    .unwrap();
    let desk = desk_configured("workstation-locked", &locked).await;
    desk.wait_for_text("sign-in-title", "Sign in")
        .await
        .unwrap();
    let offered = desk.text_of("sign-in-server-locked").await;
    assert!(offered.contains(&centre.base), "{offered}");
    // As the officer does it: the name field has the focus; name, Tab, password, Enter.
    desk.expect_focus("sign-in-username").await.unwrap();
    desk.press(&officer.username).await;
    desk.press(thirtyfour::Key::Tab).await;
    desk.press(&officer.password).await;
    desk.screenshot("workstation-locked-sign-in").await.unwrap();
    desk.press(thirtyfour::Key::Enter).await;
    desk.sync_queue().await.unwrap();
    desk.screenshot("workstation-locked-queue").await.unwrap();
    desk.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_officer_whose_account_it_disabled_is_told_so_at_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let (officer, _) = central::seed_department(&db, 6, 23, "shaki");
    let centre = Centre::start(&db);
    // IT disables the account on the centre's machine, as it would.
    let mut disable = std::process::Command::new(central::bin("migdesk-central"));
    disable
        .args(["user", "disable", "--db"])
        .arg(&db)
        .args(["--username", &officer.username]);
    let said = central::stdout_of(disable);
    assert!(said.contains("disabled"), "{said}");

    let desk = AppWindow::launch("account-disabled").await.unwrap();
    desk.sign_in(&centre.base, &officer.username, &officer.password)
        .await;
    desk.wait_for_attr("error-notice", "data-kind", |kind| {
        kind == "account_disabled"
    })
    .await
    .unwrap();
    // The officer's words first, in Azerbaijani; the centre's own below, as technical details.
    let said = desk
        .by_css("[data-testid='error-notice'] > p")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(said, translation("az", "errors.account_disabled"));
    desk.screenshot("account-disabled").await.unwrap();
    desk.close().await;
}

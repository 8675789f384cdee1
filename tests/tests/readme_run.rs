#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! The README's first command, as a newcomer runs it on a machine without a desktop session:
//! `MIGDESK_HEADLESS=1 bash scripts/run.sh` builds, seeds and starts a demo centre, and opens the
//! desk on a virtual display of its own, with a key store of its own. The sign-in screen offers
//! the demo centre and shows no error, and an account the command printed signs in and syncs.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use migdesk_e2e::{AppWindow, Program, free_port, workspace_root};

/// An officer's user name and password from the accounts the run command printed.
fn an_officer(accounts: &str) -> (String, String) {
    accounts
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|w| w.len() >= 5 && w[1] == "officer")
        .map(|w| (w[2].to_owned(), w[w.len() - 1].to_owned()))
        .unwrap_or_else(|| panic!("no officer among the printed accounts:\n{accounts}"))
}

/// The processes the run command started for this test: those whose environment names this
/// test's demo folder.
fn processes_of(demo: &Path) -> Vec<i32> {
    let marker = format!("MIGDESK_DEMO_DIR={}", demo.display());
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse::<i32>().ok()?;
            let environ = std::fs::read(entry.path().join("environ")).ok()?;
            environ
                .split(|b| *b == 0)
                .any(|v| v == marker.as_bytes())
                .then_some(pid)
        })
        .collect()
}

/// Stops whatever the run command left running.
fn stop_leftovers(demo: &Path) {
    for pid in processes_of(demo) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
    }
}

/// Resolves when the run command has stopped before opening the window (it failed: the
/// driver's log has its output), instead of waiting out the start-up time.
async fn run_command_ended(demo: &Path) -> String {
    let (mut seen, mut gone) = (false, 0);
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if processes_of(demo).is_empty() {
            gone += 1;
        } else {
            (seen, gone) = (true, 0);
        }
        if seen && gone >= 5 {
            let log = migdesk_e2e::artifacts_dir().join("readme_run.tauri-driver.log");
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(30).collect();
            return tail.into_iter().rev().collect::<Vec<_>>().join("\n");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_readme_run_command_gives_a_desk_to_sign_in_to() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let addr = format!("127.0.0.1:{}", free_port().unwrap());
    let server = format!("http://{addr}");
    // WebDriver starts the app, so it starts the command: a script that runs it as the README
    // writes it, passing on the arguments WebDriver adds.
    let script = dir.path().join("readme-run");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nMIGDESK_HEADLESS=1 exec bash '{}' \"$@\"\n",
            workspace_root().join("scripts/run.sh").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let demo_dir = demo.display().to_string();
    // Its own port and demo folder, so the test never meets a developer's demo.
    let env = [
        ("MIGDESK_CENTRAL_ADDR", addr.as_str()),
        ("MIGDESK_DEMO_DIR", demo_dir.as_str()),
    ];
    let data = tempfile::Builder::new()
        .prefix("migdesk-e2e-")
        .tempdir()
        .unwrap();
    let program = Program {
        path: &script,
        env: &env,
        // No display: the command opens a virtual one itself.
        display: false,
        // It builds what changed and seeds the demo centre first.
        start_within: Duration::from_secs(600),
    };
    let launched = tokio::select! {
        launched = AppWindow::launch_program("readme_run", data, program) => launched,
        output = run_command_ended(&demo) => Err(format!("it stopped:\n{output}")),
    };
    let desk = match launched {
        Ok(desk) => desk,
        Err(e) => {
            stop_leftovers(&demo);
            panic!("the run command did not open the desk: {e}");
        }
    };

    // The sign-in screen offers the demo centre and says nothing is wrong.
    let offered = desk
        .by_test_id("sign-in-server")
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(offered.as_deref(), Some(server.as_str()));
    let errors = desk
        .driver
        .find_all(thirtyfour::By::Css("[data-testid='error-notice']"))
        .await
        .unwrap();
    assert!(errors.is_empty(), "the first screen shows an error");
    desk.screenshot("readme-run-sign-in-az").await.unwrap();

    // An account the command printed signs in (the focus starts on the user name, the server
    // being offered) and syncs, with the key store the command gave the desk.
    let accounts = std::fs::read_to_string(demo.join("accounts.txt")).unwrap();
    let (username, password) = an_officer(&accounts);
    desk.sign_in(&server, &username, &password).await;
    desk.sync_queue().await.unwrap();
    desk.expect_focus("queue-list").await.unwrap();
    desk.screenshot("readme-run-queue-az").await.unwrap();
    let keyring = demo.join("keyring/keyrings");
    assert!(
        keyring
            .read_dir()
            .map(|mut d| d.next().is_some())
            .unwrap_or(false),
        "the demo key store keeps the desk's keys in {}",
        keyring.display()
    );

    desk.close().await;
    stop_leftovers(&demo);
}

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! The installed desk updates itself (`scripts/installed.sh` runs this against
//! `/usr/bin/migdesk`, installed from the package, with a newer desk built and signed beside
//! it). IT publishes the newer desk signed with a wrong key: the officer is told what is new,
//! presses install, and the desk refuses the package and stays as it is. IT withdraws it and
//! publishes it signed with the right key: the desk installs it, restarts as the newer desk, and
//! its cache — the cases, the session — is intact. Screenshots of each step.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use migdesk_e2e::central::{self, Centre, bin};
use migdesk_e2e::{AppWindow, translation};

/// What `scripts/installed.sh` gives this test.
fn given(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by scripts/installed.sh"))
}

fn installed_version() -> String {
    let out = Command::new("dpkg-query")
        .args(["-W", "-f=${Version}", "migdesk"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// `migdesk-central release ARGS --db DB`, as IT runs it.
fn release(db: &Path, args: &[&str]) {
    let out = Command::new(bin("migdesk-central"))
        .arg("release")
        .arg(args[0])
        .arg("--db")
        .arg(db)
        .args(&args[1..])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "release {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Waits for this test's child `pid` (`hang`: until it ends); its exit status, or `None` while
/// it runs.
fn wait(pid: u32, hang: bool) -> Option<rustix::process::WaitStatus> {
    use rustix::process::{Pid, WaitOptions, waitpid};
    let pid = Pid::from_raw(i32::try_from(pid).ok()?)?;
    let options = if hang {
        WaitOptions::empty()
    } else {
        WaitOptions::NOHANG
    };
    waitpid(Some(pid), options)
        .ok()
        .flatten()
        .map(|(_, status)| status)
}

/// How the restarted desk `pid` ended, or `None` while it runs.
fn ended(pid: u32) -> Option<String> {
    if let Some(status) = wait(pid, false) {
        return Some(match (status.exit_status(), status.terminating_signal()) {
            (Some(code), _) => format!("it exited with status {code}"),
            (_, Some(signal)) => format!("it was killed by signal {signal}"),
            _ => format!("{status:?}"),
        });
    }
    // Not this test's child (still the older desk's, which should have ended): only gone or not.
    (!Path::new(&format!("/proc/{pid}")).exists())
        .then(|| "it is gone (not this test's child: how it ended is unknown)".to_owned())
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "installs a package on this machine: run by scripts/installed.sh against the installed desk"]
async fn the_installed_desk_refuses_a_wrongly_signed_desk_then_installs_the_signed_one_and_restarts_as_it()
 {
    let (package, signature, wrong, next) = (
        given("MIGDESK_UPDATE_PACKAGE"),
        given("MIGDESK_UPDATE_SIGNATURE"),
        given("MIGDESK_UPDATE_WRONG_SIGNATURE"),
        given("MIGDESK_UPDATE_VERSION"),
    );
    // A desk that restarts itself leaves its new process to the nearest subreaper when the old
    // one exits: this test, so that process's end can be waited for and told.
    let me = i32::try_from(std::process::id()).unwrap();
    rustix::process::set_child_subreaper(rustix::process::Pid::from_raw(me)).unwrap();
    let before = installed_version();
    assert_ne!(before, next, "the test starts from the older desk");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let officer = central::seed(&db, 12, 7, Some("shaki"))
        .into_iter()
        .find(|a| a.department == "shaki" && a.role == "officer")
        .unwrap();
    let centre = Centre::start(&db);
    let notes = dir.path().join("notes.toml");
    std::fs::write(
        &notes,
        "az = \"Yenilik: sənədlərdə axtarış.\"\nen = \"New: search in documents.\"\nru = \"Новое: поиск в документах.\"\n",
    )
    .unwrap();
    let publish = |signature: &str| {
        release(
            &db,
            &[
                "publish",
                "--version",
                &next,
                "--bundle",
                &package,
                "--signature",
                signature,
                "--notes",
                notes.to_str().unwrap(),
            ],
        );
    };
    publish(&wrong);

    let desk = AppWindow::launch("installed_update").await.unwrap();
    desk.wait_for_text("sign-in-title", &translation("az", "signIn.title"))
        .await
        .unwrap();
    desk.sign_in(&centre.base, &officer.username, &officer.password)
        .await;
    desk.sync_queue().await.unwrap();
    let total = desk
        .wait_for_attr("queue-total", "data-total", |t| {
            t.parse::<usize>().is_ok_and(|n| n > 0)
        })
        .await
        .unwrap();

    // Told in Azerbaijani what is new; installing the wrongly signed package is refused.
    desk.wait_for_attr("update-offer", "data-version", |v| v == next)
        .await
        .unwrap();
    assert_eq!(
        desk.text_of("update-notes").await,
        "Yenilik: sənədlərdə axtarış."
    );
    desk.screenshot("update-offered").await.unwrap();
    desk.click("update-install").await;
    desk.wait_for_css_attr(
        "[data-testid=update-offer] [data-testid=error-notice]",
        "data-kind",
        |k| k == "update",
    )
    .await
    .unwrap();
    desk.screenshot("update-refused").await.unwrap();
    assert_eq!(installed_version(), before, "nothing was installed");

    // IT withdraws it and publishes the same desk signed with the right key.
    release(&db, &["withdraw", "--version", &next]);
    publish(&signature);
    let [old] = desk.app_processes().unwrap()[..] else {
        panic!("one desk running");
    };
    desk.click("update-install").await;

    // The package goes in, and the desk restarts as the newer desk.
    let deadline = Instant::now() + Duration::from_secs(180);
    let restarted = loop {
        let running: Vec<u32> = desk
            .app_processes()
            .unwrap()
            .into_iter()
            .filter(|p| *p != old)
            .collect();
        if installed_version() == next && !running.is_empty() {
            break running;
        }
        assert!(
            Instant::now() < deadline,
            "no restart as {next}: installed {}, processes {:?}; what the driver and the desk wrote last:\n{}",
            installed_version(),
            desk.app_processes(),
            desk.driver_log_tail(40)
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    // It keeps running as the newer desk (not a start that failed at once). Its parent, the
    // older desk, has ended: it is this test's child now, and its status says why it ended.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for &pid in &restarted {
        if let Some(how) = ended(pid) {
            panic!(
                "the restarted desk {pid} ended: {how}; what the driver and the desk wrote last:\n{}",
                desk.driver_log_tail(40)
            );
        }
        let _ = Command::new("kill").arg(pid.to_string()).status();
        let _ = wait(pid, true);
    }
    let data = desk.close_keeping_data().await.unwrap();

    // Started again, the newer desk opens the same cache: unlock, and the cases are there.
    let desk = AppWindow::launch_in("installed_update-after", data)
        .await
        .unwrap();
    desk.wait_for_text("unlock-title", &translation("az", "unlock.title"))
        .await
        .unwrap();
    desk.type_into("unlock-password", &officer.password).await;
    desk.click("unlock-submit").await;
    desk.wait_for_attr("queue-total", "data-total", |t| t == total)
        .await
        .unwrap();
    desk.screenshot("updated-queue").await.unwrap();
    assert!(
        desk.by_test_id("update-offer").await.is_err(),
        "the newer desk is offered nothing"
    );
    desk.close().await;
}

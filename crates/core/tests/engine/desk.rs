#![allow(clippy::unwrap_used)] // Test helpers may unwrap: a failure is the test failing.

//! The desk facade the shell holds, against the real central service on a loopback port, with
//! a real encrypted cache: sign in, sync, queue, lock and unlock, restart, sign out.

use std::sync::Arc;
use std::time::Duration;

use crate::common;
use common::Centre;

use migdesk_core::desk::Desk;
use migdesk_core::ipc::SignInRequest;
use migdesk_core::queue::QueueQuery;
use migdesk_core::secrets::{MemorySecrets, SecretStore};
use migdesk_core::sync::Phase;
use migdesk_core::{DeskResult, ErrorKind};

/// One keyring shared by two desks over the same folder (the app started twice).
struct Shared(Arc<MemorySecrets>);

impl SecretStore for Shared {
    fn get(&self, name: &str) -> DeskResult<Option<String>> {
        self.0.get(name)
    }
    fn set(&self, name: &str, value: &str) -> DeskResult<()> {
        self.0.set(name, value)
    }
    fn delete(&self, name: &str) -> DeskResult<()> {
        self.0.delete(name)
    }
}

/// A department's centre, seeded and serving, one of its officers, and a workstation's folder
/// and keyring (every desk made over them is the app started again on that workstation); the
/// temporary folder holding both, and the centre's database file.
async fn workstation(
    cases: usize,
    seed: u64,
    department: &str,
) -> (
    tempfile::TempDir,
    std::path::PathBuf,
    Centre,
    migdesk_central::seed::Account,
    std::path::PathBuf,
    Arc<MemorySecrets>,
) {
    let dir = tempfile::tempdir().unwrap();
    let options = common::options(cases, seed, department);
    let (central_db, staff) = common::seeded(dir.path(), &options);
    let officer = staff.into_iter().find(|a| a.role == "officer").unwrap();
    let centre = Centre::start(&central_db).await;
    let data = dir.path().join("desk");
    (dir, central_db, centre, officer, data, Arc::default())
}

/// What the officer types to sign in at `centre`.
fn sign_in_request(centre: &Centre, officer: &migdesk_central::seed::Account) -> SignInRequest {
    SignInRequest {
        server: centre.base.clone(),
        username: officer.username.clone(),
        password: officer.password.clone(),
    }
}

/// A desk over the workstation folder `data` whose keyring is `keyring`: made again over the
/// same two, it is the app started again.
fn desk_over(data: &std::path::Path, keyring: &Arc<MemorySecrets>) -> Desk {
    Desk::new(
        data,
        Box::new(Shared(keyring.clone())),
        Duration::from_secs(600),
    )
}

#[tokio::test]
async fn an_officers_session_from_sign_in_to_sign_out() {
    let (_dir, central_db, centre, officer, data, keyring) = workstation(10, 21, "shaki").await;
    let mut desk = desk_over(&data, &keyring);

    // A new workstation: nobody signed in, nothing to show, no cache made yet.
    let session = desk.session().unwrap();
    assert!(!session.signed_in && session.server.is_none());
    assert_eq!(
        desk.queue(&QueueQuery::default()).unwrap_err().kind,
        ErrorKind::Locked
    );
    assert!(!data.join("cache.db").exists());

    let request = |password: &str| SignInRequest {
        server: centre.base.clone(),
        username: officer.username.clone(),
        password: password.to_owned(),
    };
    assert_eq!(
        desk.sign_in(request("wrong")).await.unwrap_err().kind,
        ErrorKind::Unauthorized
    );
    let session = desk.sign_in(request(&officer.password)).await.unwrap();
    assert!(session.signed_in && !session.locked);
    assert_eq!(session.role, Some(migdesk_api::Role::Officer));
    assert_eq!(session.server.as_deref(), Some(centre.base.as_str()));
    // Signed in, not synced yet: an empty queue that says it never synced.
    let before = desk.queue(&QueueQuery::default()).unwrap();
    assert_eq!((before.total, before.last_sync), (0, None));

    // Sync runs on its own connection; the queue then holds the officer's cases, and says when
    // they came.
    let asked = chrono::Utc::now() - chrono::Duration::seconds(1);
    let job = desk.sync_job().unwrap();
    let report = job.run(|_| {}).await.unwrap();
    assert!(report.changes > 0);
    let mine = QueueQuery {
        mine: true,
        ..QueueQuery::default()
    };
    let page = desk.queue(&mine).unwrap();
    assert!(page.total > 0 && !page.rows.is_empty());
    let synced = chrono::DateTime::parse_from_rfc3339(page.last_sync.as_deref().unwrap()).unwrap();
    assert!(synced >= asked && synced <= chrono::Utc::now(), "{synced}");
    // The centre's audit trail names this workstation on what it read (the documents).
    let named: Vec<String> = rusqlite::Connection::open(&central_db)
        .unwrap()
        .prepare("SELECT DISTINCT desk FROM audit_log WHERE action = 'document_read'")
        .unwrap()
        .query_map([], |r| r.get::<_, Option<String>>(0))
        .unwrap()
        .map(|d| d.unwrap().unwrap_or_default())
        .collect();
    assert_eq!(named.len(), 1, "{named:?}");
    assert!(named[0].contains('/') && named[0].len() > 9, "{named:?}");
    // Each document the sync brought is recorded as read once: named to the centre before the
    // downloads, and not again by them.
    let (reads, documents): (i64, i64) = rusqlite::Connection::open(&central_db)
        .unwrap()
        .query_row(
            "SELECT COUNT(*), COUNT(DISTINCT subject) FROM audit_log WHERE action = 'document_read'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(report.documents_downloaded > 0);
    let downloaded = i64::try_from(report.documents_downloaded).unwrap();
    assert_eq!((reads, documents), (downloaded, downloaded));

    // Locked: no work until the password is given again.
    assert!(desk.lock().unwrap().locked);
    assert_eq!(desk.queue(&mine).unwrap_err().kind, ErrorKind::Locked);
    assert_eq!(desk.sync_job().unwrap_err().kind, ErrorKind::Locked);
    assert_eq!(
        desk.unlock("wrong").unwrap_err().kind,
        ErrorKind::Unauthorized
    );
    assert!(!desk.unlock(&officer.password).unwrap().locked);
    assert_eq!(desk.queue(&mine).unwrap().total, page.total);

    // The app starts again, offline: the session is there, locked; the password opens the
    // cached work.
    drop(desk);
    centre.stop().await;
    let mut desk = desk_over(&data, &keyring);
    let session = desk.session().unwrap();
    assert!(session.signed_in && session.locked);
    desk.unlock(&officer.password).unwrap();
    assert_eq!(desk.queue(&mine).unwrap().total, page.total);

    // Signing out (offline too) leaves the server remembered and nobody signed in.
    let session = desk.sign_out().await.unwrap();
    assert!(!session.signed_in);
    assert!(session.server.is_some());
    assert_eq!(desk.queue(&mine).unwrap_err().kind, ErrorKind::Locked);
}

/// The app starts over a cache damaged on disk: the first screens do not wait for the whole
/// file to be checked, and once the check has found the damage nothing more is read from or
/// written to the cache: every call says it is damaged and how to repair it.
#[tokio::test]
async fn a_cache_damaged_on_disk_is_refused_once_its_check_beside_the_first_screens_finds_it() {
    let (_dir, _, centre, officer, data, keyring) = workstation(6, 29, "shaki").await;
    let new_desk = || desk_over(&data, &keyring);
    let mut desk = new_desk();
    desk.sign_in(sign_in_request(&centre, &officer))
        .await
        .unwrap();
    // Synced, and the documents' text read after, as the app does.
    common::sync(&mut desk).await;
    desk.cache_checked().unwrap();
    drop(desk);

    // Bytes in the middle of the file (the cases' and texts' pages) turn bad.
    let file = data.join("cache.db");
    let mut bytes = std::fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 64] {
        *b ^= 0x5a;
    }
    std::fs::write(&file, bytes).unwrap();

    let mut desk = new_desk();
    let _ = desk.session();
    let err = desk.cache_checked().unwrap_err();
    assert_eq!(err.kind, ErrorKind::CacheDamaged, "{err:?}");
    assert!(err.message.contains("repair"), "{}", err.message);
    assert_eq!(desk.session().unwrap_err().kind, ErrorKind::CacheDamaged);
    assert_eq!(
        desk.unlock(&officer.password).unwrap_err().kind,
        ErrorKind::CacheDamaged
    );
    // Never unlocked, it gives no work and starts no sync.
    assert_eq!(
        desk.queue(&QueueQuery::default()).unwrap_err().kind,
        ErrorKind::Locked
    );
    assert_eq!(desk.sync_job().unwrap_err().kind, ErrorKind::Locked);
}

#[tokio::test]
async fn the_configured_server_is_offered_before_and_after_signing_in() {
    let (_dir, _, centre, officer, data, keyring) = workstation(4, 23, "lankaran").await;
    let configured = format!("{}/", centre.base);
    let new_desk = || desk_over(&data, &keyring);

    // A new workstation offers the configured centre (trimmed); blank means none.
    let mut desk = new_desk().offering_server(Some(format!("  {configured} ")));
    assert_eq!(
        desk.session().unwrap().server.as_deref(),
        Some(&*configured)
    );
    assert_eq!(
        new_desk()
            .offering_server(Some("  ".into()))
            .session()
            .unwrap()
            .server,
        None
    );

    // Signed in and out again elsewhere, the configuration still comes first; without one,
    // the server last used here is offered.
    desk.sign_in(sign_in_request(&centre, &officer))
        .await
        .unwrap();
    desk.sign_out().await.unwrap();
    drop(desk);
    let mut again = new_desk().offering_server(Some(configured.clone()));
    assert_eq!(
        again.session().unwrap().server.as_deref(),
        Some(&*configured)
    );
    drop(again);
    assert_eq!(
        new_desk().session().unwrap().server.as_deref(),
        Some(&*centre.base)
    );
}

#[tokio::test]
async fn a_decided_case_leaves_the_desk_after_the_workstations_period_at_the_end_of_a_sync() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, staff) = common::seeded(dir.path(), &common::options(6, 23, "shaki"));
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    let centre = Centre::start(&central_db).await;
    // A period of no days: a case goes as soon as the centre has acknowledged its decision.
    let mut desk = Desk::new(
        &dir.path().join("desk"),
        Box::new(MemorySecrets::default()),
        Duration::from_secs(600),
    )
    .purging_after(0);
    desk.sign_in(sign_in_request(&centre, officer))
        .await
        .unwrap();
    let first = desk.sync_job().unwrap().run(|_| {}).await.unwrap();
    assert_eq!(first.cases_purged, 0, "nothing decided yet");
    let mine = QueueQuery {
        mine: true,
        status: Some(migdesk_api::Status::Pending),
        ..QueueQuery::default()
    };
    let (rows, before) = {
        let page = desk.queue(&mine).unwrap();
        (page.rows, page.total)
    };
    let case = rows.first().expect("a pending case").id.clone();
    desk.decide(
        &case,
        &migdesk_domain::decision::Decision::new(migdesk_domain::decision::DecisionKind::Accept),
    )
    .unwrap();

    let report = desk.sync_job().unwrap().run(|_| {}).await.unwrap();
    assert_eq!((report.decisions_sent, report.cases_purged), (1, 1));
    assert_eq!(desk.queue(&mine).unwrap().total, before - 1);
    assert_eq!(
        desk.case(&case).unwrap_err().kind,
        ErrorKind::Invalid,
        "the case is no longer on this desk"
    );
    centre.stop().await;
}

#[tokio::test]
async fn a_401_during_sync_asks_for_the_password_again_and_keeps_the_work() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, staff) = common::seeded(dir.path(), &common::options(6, 23, "shaki"));
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    let centre = Centre::start(&central_db).await;
    let keyring = Arc::new(MemorySecrets::default());
    let mut desk = Desk::new(
        &dir.path().join("desk"),
        Box::new(Shared(keyring.clone())),
        Duration::from_secs(600),
    );
    let request = sign_in_request(&centre, officer);
    desk.sign_in(request.clone()).await.unwrap();
    let outcome = desk.sync_job().unwrap().run(|_| {}).await;
    desk.after_sync(outcome).unwrap();
    let mine = QueueQuery {
        mine: true,
        ..QueueQuery::default()
    };
    let cached = desk.queue(&mine).unwrap().total;
    let case = desk.queue(&mine).unwrap().rows[0].id.clone();
    let decision =
        migdesk_domain::decision::Decision::new(migdesk_domain::decision::DecisionKind::Accept);
    desk.decide(&case, &decision).unwrap();

    // The centre ends the session (revoked by an administrator).
    rusqlite::Connection::open(&central_db)
        .unwrap()
        .execute("DELETE FROM tokens", [])
        .unwrap();
    let outcome = desk.sync_job().unwrap().run(|_| {}).await;
    let err = desk.after_sync(outcome).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unauthorized);
    assert!(err.message.contains("sign in again"), "{}", err.message);
    let session = desk.session().unwrap();
    assert!(!session.signed_in, "the desk asks for the password again");
    assert_eq!(keyring.get("session-token").unwrap(), None);

    // Signing in again finds the cases and sends the decision.
    desk.sign_in(request).await.unwrap();
    assert_eq!(desk.queue(&mine).unwrap().total, cached);
    let outcome = desk.sync_job().unwrap().run(|_| {}).await;
    assert_eq!(desk.after_sync(outcome).unwrap().decisions_sent, 1);
}

/// A centre that answers sign-outs at once and never answers anything else.
async fn stalling_centre() -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let n = client.read(&mut buf).await.unwrap_or(0);
                if buf[..n].starts_with(b"DELETE") {
                    let _ = client
                        .write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
                        .await;
                } else {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn signing_out_stops_a_running_sync_before_it_writes_again() {
    let (_dir, _, centre, officer, data, keyring) = workstation(4, 25, "shaki").await;
    let mut desk = desk_over(&data, &keyring);
    desk.sign_in(sign_in_request(&centre, &officer))
        .await
        .unwrap();
    // The centre stops answering (the network hangs) while a sync runs.
    let key = migdesk_core::secrets::cache_key(keyring.as_ref(), false).unwrap();
    let stalled = format!("http://{}", stalling_centre().await);
    migdesk_core::cache::Store::open(&migdesk_core::cache::file_in(&data), &key)
        .unwrap()
        .conn_for_tests()
        .execute(
            "UPDATE meta SET value = ?1 WHERE key = 'server'",
            [&stalled],
        )
        .unwrap();
    let running = tokio::spawn(desk.sync_job().unwrap().run(|_| {}));

    desk.sign_out().await.unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(60), running)
        .await
        .expect("the sync stopped")
        .unwrap();
    let err = outcome.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotSignedIn, "{err:?}");
    assert!(err.message.contains("signed out"), "{}", err.message);
}

#[tokio::test]
async fn the_queue_counts_the_officers_cases_due_today_or_the_next_working_day() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, staff) = common::seeded(dir.path(), &common::options(10, 51, "shaki"));
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    let today = chrono::Local::now().date_naive();
    let next = migdesk_domain::Calendar::builtin()
        .add_working_days(today, 1)
        .unwrap();
    let conn = rusqlite::Connection::open(&central_db).unwrap();
    let mine: Vec<String> = conn
        .prepare(
            "SELECT a.id FROM applications a JOIN users u ON u.id = a.officer_id
             WHERE u.username = ?1 AND a.status = 'pending' ORDER BY a.number",
        )
        .unwrap()
        .query_map([&officer.username], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(mine.len() >= 4, "{mine:?}");
    // Push every case far out, then: one due today, one the next working day, one overdue.
    conn.execute(
        "UPDATE applications SET due_date = '2099-01-01' WHERE id IN (SELECT value FROM json_each(?1))",
        [serde_json::to_string(&mine).unwrap()],
    )
    .unwrap();
    for (id, due) in [
        (&mine[0], today),
        (&mine[1], next),
        (&mine[2], today - chrono::Duration::days(10)),
    ] {
        conn.execute(
            "UPDATE applications SET due_date = ?1 WHERE id = ?2",
            [due.format("%Y-%m-%d").to_string(), id.clone()],
        )
        .unwrap();
    }
    drop(conn);
    let centre = Centre::start(&central_db).await;
    let mut desk = common::synced_desk_of(&dir.path().join("desk"), &centre, officer).await;
    let page = desk.queue(&QueueQuery::default()).unwrap();
    assert_eq!(
        page.due_soon, 2,
        "today and the next working day, not the overdue one"
    );
    // Whatever the query shows.
    let searched = desk
        .queue(&QueueQuery {
            search: Some("no such applicant".into()),
            ..QueueQuery::default()
        })
        .unwrap();
    assert_eq!((searched.total, searched.due_soon), (0, 2));
    centre.stop().await;
}

/// After a sync, the reading of the documents' text tells how far it got: every file the sync
/// brought counted once, and last a message with nothing left to read, which the window's
/// indicator waits for to go away.
#[tokio::test]
async fn the_text_reading_after_a_sync_reports_each_file_then_that_nothing_is_left() {
    let (_dir, _, centre, officer, data, keyring) = workstation(6, 31, "shaki").await;
    let mut desk = desk_over(&data, &keyring);
    desk.sign_in(sign_in_request(&centre, &officer))
        .await
        .unwrap();
    let report = desk.sync_job().unwrap().run(|_| {}).await.unwrap();
    assert!(report.documents_downloaded > 0);
    let mut heard = Vec::new();
    let read = desk
        .text_job()
        .unwrap()
        .run(|p| heard.push(p))
        .await
        .unwrap();
    assert_eq!(read, report.documents_downloaded);
    assert!(heard.iter().all(|p| p.phase == Phase::Reading), "{heard:?}");
    assert_eq!(heard[0].documents_total, report.documents_downloaded);
    assert!(
        heard.iter().any(|p| p.documents_done == read),
        "the files read counted up to all of them: {heard:?}"
    );
    let last = heard.last().unwrap();
    assert_eq!((last.documents_done, last.documents_total), (0, 0));

    // Nothing new: a run says at once that nothing is left.
    let mut again = Vec::new();
    desk.text_job()
        .unwrap()
        .run(|p| again.push(p))
        .await
        .unwrap();
    assert!(again.iter().all(|p| p.documents_total == 0), "{again:?}");
    assert!(!again.is_empty());
}

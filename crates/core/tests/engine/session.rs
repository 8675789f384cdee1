#![allow(clippy::unwrap_used)] // Test helpers may unwrap: a failure is the test failing.

//! Sign-in, sign-out and the idle lock against the real central service on a loopback port,
//! with a real encrypted cache file.

use std::time::{Duration, Instant};

use crate::common;
use common::Centre;

use migdesk_central::seed::Account;
use migdesk_core::ErrorKind;
use migdesk_core::cache::{CacheKey, Meta, Store};
use migdesk_core::secrets::{self, MemorySecrets, SecretStore};
use migdesk_core::session::{self, IdleLock};
use migdesk_core::sync::{self, Central};
use migdesk_domain::decision::{Decision, DecisionKind};

fn seeded(dir: &std::path::Path) -> (std::path::PathBuf, Vec<Account>) {
    let (path, staff) = common::seeded(dir, &common::options(8, 11, "shaki"));
    let officers = staff.into_iter().filter(|a| a.role == "officer").collect();
    (path, officers)
}

async fn session_is_valid(central: &Central, token: &str) -> bool {
    reqwest::Client::new()
        .get(format!("{}/api/v1/session", central.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .is_success()
}

/// `account` signed in on the desk and its first sync done: the session's token and user id.
async fn signed_in_and_synced(
    store: &mut Store,
    keyring: &MemorySecrets,
    central: &Central,
    account: &Account,
) -> (String, String) {
    let user = session::sign_in(
        store,
        keyring,
        central,
        &account.username,
        &account.password,
    )
    .await
    .unwrap();
    let token = keyring.get(secrets::SESSION_TOKEN).unwrap().unwrap();
    sync::run(store, central, &token, &user.id, 4, |_| {})
        .await
        .unwrap();
    (token, user.id)
}

#[tokio::test]
async fn an_officer_unlocks_offline_and_signing_out_ends_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, officers) = seeded(dir.path());
    let centre = Centre::start(&central_db).await;
    let central = Central::new(&centre.base).unwrap();
    let keyring = MemorySecrets::default();
    let mut store = Store::open(&dir.path().join("cache.db"), &CacheKey::random()).unwrap();

    // A wrong password at the centre: a clear error, nothing stored.
    let err = session::sign_in(
        &mut store,
        &keyring,
        &central,
        &officers[0].username,
        "nope",
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unauthorized);
    assert_eq!(keyring.get(secrets::SESSION_TOKEN).unwrap(), None);

    let user = session::sign_in(
        &mut store,
        &keyring,
        &central,
        &officers[0].username,
        &officers[0].password,
    )
    .await
    .unwrap();
    assert_eq!(
        store.meta(Meta::UserId).unwrap().as_deref(),
        Some(user.id.as_str())
    );
    let token = keyring.get(secrets::SESSION_TOKEN).unwrap().unwrap();
    assert!(session_is_valid(&central, &token).await);

    // The network goes; the desk idles and locks; the password opens it again, offline.
    centre.stop().await;
    let t0 = Instant::now();
    let mut lock = IdleLock::new(Duration::from_secs(300), false, t0);
    assert!(lock.is_locked(t0 + Duration::from_secs(300)));
    let now = chrono::Utc::now();
    let err = lock
        .unlock(&store, "not the password", t0, now)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unauthorized);
    lock.unlock(&store, &officers[0].password, t0, now).unwrap();
    assert!(!lock.is_locked(t0));

    // Back online: signing out ends the session at the centre and on the desk.
    let centre = Centre::start(&central_db).await;
    let central = Central::new(&centre.base).unwrap();
    session::sign_out(&mut store, &keyring, Some(&central), false)
        .await
        .unwrap();
    assert_eq!(keyring.get(secrets::SESSION_TOKEN).unwrap(), None);
    assert!(!session_is_valid(&central, &token).await);
    let err = lock
        .unlock(&store, &officers[0].password, t0, now)
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotSignedIn);
    centre.stop().await;
}

#[tokio::test]
async fn another_officer_cannot_sign_in_over_unsent_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, officers) = seeded(dir.path());
    let centre = Centre::start(&central_db).await;
    let central = Central::new(&centre.base).unwrap();
    let keyring = MemorySecrets::default();
    let mut store = Store::open(&dir.path().join("cache.db"), &CacheKey::random()).unwrap();
    let (first, second) = (&officers[0], &officers[1]);

    let user = session::sign_in(
        &mut store,
        &keyring,
        &central,
        &first.username,
        &first.password,
    )
    .await
    .unwrap();
    let me = user.id.clone();
    let token = keyring.get(secrets::SESSION_TOKEN).unwrap().unwrap();
    sync::run(&mut store, &central, &token, &me, 4, |_| {})
        .await
        .unwrap();
    let case: String = store
        .conn_for_tests()
        .query_row(
            "SELECT id FROM cases WHERE mine = 1 AND status = 'pending' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    sync::record_decision(&mut store, &case, &Decision::new(DecisionKind::Accept)).unwrap();
    session::sign_out(&mut store, &keyring, Some(&central), false)
        .await
        .unwrap();

    // The second officer is refused while the first one's decision waits...
    let err = session::sign_in(
        &mut store,
        &keyring,
        &central,
        &second.username,
        &second.password,
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unauthorized);
    assert!(err.message.contains("1 decisions"), "{}", err.message);
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
            .unwrap(),
        1
    );

    // ...and once it has reached the centre, signs in to an empty queue of their own.
    session::sign_in(
        &mut store,
        &keyring,
        &central,
        &first.username,
        &first.password,
    )
    .await
    .unwrap();
    let token = keyring.get(secrets::SESSION_TOKEN).unwrap().unwrap();
    assert_eq!(
        sync::push(&mut store, &central, &token).await.unwrap(),
        (1, 0)
    );
    session::sign_in(
        &mut store,
        &keyring,
        &central,
        &second.username,
        &second.password,
    )
    .await
    .unwrap();
    assert_eq!(store.count("SELECT COUNT(*) FROM cases").unwrap(), 0);
    assert_eq!(store.meta(Meta::Cursor).unwrap(), None);
    assert_eq!(
        store.count("SELECT COUNT(*) FROM outbox").unwrap(),
        1,
        "the record of what was sent stays"
    );
    centre.stop().await;
}

#[tokio::test]
async fn a_disabled_account_is_told_so_and_its_unsent_decision_stays() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, officers) = seeded(dir.path());
    let centre = Centre::start(&central_db).await;
    let central = Central::new(&centre.base).unwrap();
    let keyring = MemorySecrets::default();
    let mut store = Store::open(&dir.path().join("cache.db"), &CacheKey::random()).unwrap();
    let officer = &officers[0];
    let (token, user_id) = signed_in_and_synced(&mut store, &keyring, &central, officer).await;
    let case: String = store
        .conn_for_tests()
        .query_row(
            "SELECT id FROM cases WHERE mine = 1 AND status = 'pending' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    sync::record_decision(&mut store, &case, &Decision::new(DecisionKind::Accept)).unwrap();

    // IT disables the account while the decision waits to be sent: the session is over.
    let conn = migdesk_central::db::open(&central_db).unwrap();
    migdesk_central::admin::disable_user(
        &migdesk_central::sql::Conn::sqlite(&conn),
        &officer.username,
        "administrator it",
    )
    .unwrap();
    let sent = sync::run(&mut store, &central, &token, &user_id, 4, |_| {})
        .await
        .unwrap_err();
    assert_eq!(sent.kind, ErrorKind::Unauthorized, "{sent}");

    // Its right password is told the account is disabled; a wrong one learns nothing of it.
    let again = session::sign_in(
        &mut store,
        &keyring,
        &central,
        &officer.username,
        &officer.password,
    )
    .await
    .unwrap_err();
    assert_eq!(again.kind, ErrorKind::AccountDisabled, "{again}");
    assert!(again.message.contains("disabled"), "{again}");
    let wrong = session::sign_in(&mut store, &keyring, &central, &officer.username, "nope")
        .await
        .unwrap_err();
    assert_eq!(wrong.kind, ErrorKind::Unauthorized);
    assert_eq!(
        store
            .count("SELECT count(*) FROM outbox WHERE state = 'pending'")
            .unwrap(),
        1,
        "the decision is kept"
    );
}

/// Sets `account`'s password at the centre, as a server answering for the officer with another
/// password would behave.
fn set_password_at_centre(central_db: &std::path::Path, account: &Account, password: &str) {
    rusqlite::Connection::open(central_db)
        .unwrap()
        .execute(
            "UPDATE users SET password_hash = ?1 WHERE username = ?2",
            [
                migdesk_domain::password::hash(password).unwrap(),
                account.username.clone(),
            ],
        )
        .unwrap();
}

#[tokio::test]
async fn the_lock_screen_is_no_way_around_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, officers) = seeded(dir.path());
    let centre = Centre::start(&central_db).await;
    let central = Central::new(&centre.base).unwrap();
    let keyring = MemorySecrets::default();
    let mut store = Store::open(&dir.path().join("cache.db"), &CacheKey::random()).unwrap();
    let (victim, other) = (&officers[0], &officers[1]);
    let sign_in = async |store: &mut Store, who: &Account, password: &str| {
        session::sign_in(store, &keyring, &central, &who.username, password).await
    };

    let user = sign_in(&mut store, victim, &victim.password).await.unwrap();
    let token = keyring.get(secrets::SESSION_TOKEN).unwrap().unwrap();
    sync::run(&mut store, &central, &token, &user.id, 4, |_| {})
        .await
        .unwrap();
    let case: String = store
        .conn_for_tests()
        .query_row(
            "SELECT id FROM cases WHERE mine = 1 AND status = 'pending' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    sync::record_decision(&mut store, &case, &Decision::new(DecisionKind::Accept)).unwrap();

    // Signed out from the lock screen: the cached cases go, the decision is held.
    session::sign_out(&mut store, &keyring, Some(&central), true)
        .await
        .unwrap();
    assert_eq!(store.count("SELECT COUNT(*) FROM cases").unwrap(), 0);
    assert_eq!(store.count("SELECT COUNT(*) FROM documents").unwrap(), 0);
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
            .unwrap(),
        1
    );

    // A server that lets the victim's name in with another password gets nothing: no cases,
    // no decision to mark as sent.
    set_password_at_centre(&central_db, victim, "another-password-7");
    let err = sign_in(&mut store, victim, "another-password-7")
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Unauthorized);
    assert!(err.message.contains("lock screen"), "{}", err.message);
    assert_eq!(keyring.get(secrets::SESSION_TOKEN).unwrap(), None);
    // Nor does another officer.
    assert_eq!(
        sign_in(&mut store, other, &other.password)
            .await
            .unwrap_err()
            .kind,
        ErrorKind::Unauthorized
    );

    // The officer, with the password the desk knew, sends it.
    set_password_at_centre(&central_db, victim, &victim.password);
    sign_in(&mut store, victim, &victim.password).await.unwrap();
    assert_eq!(store.meta(Meta::HeldFor).unwrap(), None);
    let token = keyring.get(secrets::SESSION_TOKEN).unwrap().unwrap();
    assert_eq!(
        sync::push(&mut store, &central, &token).await.unwrap(),
        (1, 0)
    );
    centre.stop().await;
}

#[tokio::test]
async fn a_desk_holds_one_centres_data_and_sends_each_officers_work_only_under_their_session() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, officers) = seeded(dir.path());
    let centre = Centre::start(&central_db).await;
    let central = Central::new(&centre.base).unwrap();
    let keyring = MemorySecrets::default();
    let mut store = Store::open(&dir.path().join("cache.db"), &CacheKey::random()).unwrap();
    let first = &officers[0];
    signed_in_and_synced(&mut store, &keyring, &central, first).await;
    let pinned = store.meta(Meta::CentralInstance).unwrap().unwrap();
    assert_eq!(pinned.len(), 32);
    let case: String = store
        .conn_for_tests()
        .query_row("SELECT id FROM cases WHERE mine = 1 LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    sync::record_decision(&mut store, &case, &Decision::new(DecisionKind::Accept)).unwrap();
    session::sign_out(&mut store, &keyring, Some(&central), false)
        .await
        .unwrap();

    // The same officer at another centre (another instance): refused while the decision for
    // the first centre waits; the cached cases are not shown there.
    let other_db = dir.path().join("other.db");
    std::fs::copy(&central_db, &other_db).unwrap();
    rusqlite::Connection::open(&other_db)
        .unwrap()
        .execute(
            "UPDATE instance SET id = 'ffffffffffffffffffffffffffffffff'",
            [],
        )
        .unwrap();
    let other_centre = Centre::start(&other_db).await;
    let elsewhere = Central::new(&other_centre.base).unwrap();
    let err = session::sign_in(
        &mut store,
        &keyring,
        &elsewhere,
        &first.username,
        &first.password,
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("another centre"), "{}", err.message);
    assert_eq!(store.meta(Meta::CentralInstance).unwrap(), Some(pinned));
    assert!(store.count("SELECT COUNT(*) FROM cases").unwrap() > 0);
    other_centre.stop().await;

    // Back at the first centre the decision goes under its officer's session.
    session::sign_in(
        &mut store,
        &keyring,
        &central,
        &first.username,
        &first.password,
    )
    .await
    .unwrap();
    let token = keyring.get(secrets::SESSION_TOKEN).unwrap().unwrap();
    assert_eq!(
        sync::push(&mut store, &central, &token).await.unwrap(),
        (1, 0)
    );
    centre.stop().await;
}

#[test]
fn wiping_keeps_unsent_decisions_unless_told_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let documents = tempfile::tempdir().unwrap();
    let data = dir.path().join("desk");
    std::fs::create_dir_all(&data).unwrap();
    let keyring = MemorySecrets::default();
    keyring.set(secrets::SESSION_TOKEN, "token").unwrap();
    let key = secrets::cache_key(&keyring, true).unwrap();
    let mut store = Store::open(&migdesk_core::cache::file_in(&data), &key).unwrap();
    store
        .keep_file_for_tests("abc", b"a scanned passport".to_vec())
        .unwrap();
    assert!(store.files_folder().read_dir().unwrap().count() == 1);
    store
        .conn_for_tests()
        .execute(
            "INSERT INTO outbox (id, case_id, request, recorded_at, state) VALUES ('d1', 'c1', '{}', '2026-11-20T10:00:00Z', 'pending')",
            [],
        )
        .unwrap();
    let export = documents.path().join("MX-1-history.csv");
    std::fs::write(&export, "at,event\n").unwrap();
    store.record_export(Some("c1"), &export).unwrap();
    drop(store);
    let webview = migdesk_core::wipe::webview_dir(&data);
    std::fs::create_dir_all(webview.join("localstorage")).unwrap();
    std::fs::write(webview.join("localstorage/file"), "az").unwrap();

    // A decision waits: nothing is removed.
    let err = migdesk_core::wipe::wipe(&data, &keyring, false).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Invalid);
    assert!(err.message.contains("1 decisions"), "{}", err.message);
    assert!(migdesk_core::cache::file_in(&data).exists() && webview.exists() && export.exists());
    assert!(keyring.get(secrets::CACHE_KEY).unwrap().is_some());

    // Told to, everything goes: cache, documents, WebView storage, exports, token and key.
    let wiped = migdesk_core::wipe::wipe(&data, &keyring, true).unwrap();
    assert_eq!((wiped.exports, wiped.discarded_unsent), (1, 1));
    assert!(!migdesk_core::cache::file_in(&data).exists());
    assert!(!webview.exists() && !export.exists());
    assert_eq!(keyring.get(secrets::CACHE_KEY).unwrap(), None);
    assert_eq!(keyring.get(secrets::SESSION_TOKEN).unwrap(), None);
    assert_eq!(
        std::fs::read_dir(&data).unwrap().count(),
        0,
        "the data folder is empty"
    );
}

/// A department signing in at once, more desks than the centre checks passwords at a time: the
/// centre tells the others at once that it is busy (429, `Retry-After: 1`), and each desk waits
/// and tries again by itself until it is in — none shows the officer the centre's refusal.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_department_signing_in_at_once_gets_in_while_the_centre_is_busy() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let (central_db, officers) = seeded(dir.path());
    // No waiting for a free password check: whoever finds none is told at once.
    let config = migdesk_central::Config {
        password_check_wait: Duration::ZERO,
        ..migdesk_central::Config::default()
    };
    let centre = Centre::start_with(&central_db, config).await;
    let busy = Arc::new(AtomicUsize::new(0));
    let counted = busy.clone();
    let central = Central::new(&centre.base)
        .unwrap()
        .observed(sync::observe::Observer(Arc::new(move |exchange| {
            if exchange.status.map(|s| s.as_u16()) == Some(429) {
                counted.fetch_add(1, Ordering::Relaxed);
            }
        })));
    // More sign-ins at once than the centre's password checks (one a core).
    let desks = 4 * std::thread::available_parallelism().map_or(2, usize::from) + 4;
    let mut signing = tokio::task::JoinSet::new();
    for officer in officers.iter().cycle().take(desks).cloned() {
        let central = central.clone();
        signing.spawn(async move {
            central
                .sign_in(&officer.username, &officer.password)
                .await
                .map(|session| session.user.id)
        });
    }
    let mut signed_in = 0;
    while let Some(done) = signing.join_next().await {
        done.unwrap()
            .expect("a desk told to wait signs in by itself");
        signed_in += 1;
    }
    assert_eq!(signed_in, desks);
    assert!(
        busy.load(Ordering::Relaxed) > 0,
        "the centre was busy for some of them"
    );
    centre.stop().await;
}

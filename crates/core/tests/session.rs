#![allow(clippy::unwrap_used)] // Test helpers may unwrap: a failure is the test failing.

//! Sign-in, sign-out and the idle lock against the real central service on a loopback port,
//! with a real encrypted cache file.

use std::time::{Duration, Instant};

mod common;
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
    session::sign_out(&mut store, &keyring, Some(&central))
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
    session::sign_out(&mut store, &keyring, Some(&central))
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

#![allow(clippy::unwrap_used)] // Test helpers may unwrap: a failure is the test failing.

//! The centre misbehaving between the desk and itself: a small fault-injecting proxy on a
//! loopback port answers some requests with 500, stalls some and drops others. Work goes on
//! offline, pushes succeed later, and the centre holds each decision exactly once.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::common;
use common::Centre;
use migdesk_core::cache::{CacheKey, Store};
use migdesk_core::sync::{self, Central};
use migdesk_domain::decision::{Decision, DecisionKind};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Forwards connections to `upstream`; of every four, one gets a 500, one is dropped after the
/// request arrives (before or after reaching the centre), one stalls past the client's patience,
/// one goes through.
async fn start_proxy(upstream: SocketAddr, faults: Arc<AtomicU64>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let counter = Arc::new(AtomicU64::new(0));
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let faults = faults.clone();
            tokio::spawn(async move {
                match n % 4 {
                    0 => {
                        faults.fetch_add(1, Ordering::SeqCst);
                        let mut buf = [0u8; 4096];
                        let _ = client.read(&mut buf).await;
                        let body = r#"{"kind":"internal","message":"injected"}"#;
                        let _ = client
                            .write_all(format!("HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).as_bytes())
                            .await;
                    }
                    1 => {
                        // Forward the request, then drop the connection before the answer:
                        // the centre may have acted, the desk does not know.
                        faults.fetch_add(1, Ordering::SeqCst);
                        let Ok(mut server) = TcpStream::connect(upstream).await else {
                            return;
                        };
                        let mut buf = vec![0u8; 65536];
                        if let Ok(n) = client.read(&mut buf).await {
                            let _ = server.write_all(&buf[..n]).await;
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    }
                    2 => {
                        faults.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_secs(3)).await;
                    }
                    _ => {
                        let Ok(mut server) = TcpStream::connect(upstream).await else {
                            return;
                        };
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread")]
async fn decisions_get_through_a_misbehaving_network_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = common::options(10, 21, "ganja");
    options.documents = false;
    let (central_db, staff) = common::seeded(dir.path(), &options);
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();

    let centre = Centre::start(&central_db).await;
    let direct = Central::new(&centre.base).unwrap();
    let migdesk_api::SessionResponse { token, user, .. } = direct
        .sign_in(&officer.username, &officer.password)
        .await
        .unwrap();
    let me = user.id.clone();
    let mut store = Store::open(&dir.path().join("cache.db"), &CacheKey::random()).unwrap();
    sync::pull_changes(&mut store, &direct, &token, &me, |_| {})
        .await
        .unwrap();
    let cases: Vec<String> = store
        .conn_for_tests()
        .prepare("SELECT id FROM cases WHERE mine = 1 AND status = 'pending'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!cases.is_empty());
    // Decided offline.
    for id in &cases {
        sync::record_decision(&mut store, id, &Decision::new(DecisionKind::Accept)).unwrap();
    }

    let faults = Arc::new(AtomicU64::new(0));
    let proxy = start_proxy(centre.addr(), faults.clone()).await;
    let flaky = Central::with_timeout(&format!("http://{proxy}"), Duration::from_secs(1)).unwrap();
    let mut rounds = 0;
    while store
        .count("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
        .unwrap()
        > 0
    {
        rounds += 1;
        assert!(rounds < 60, "the outbox never emptied");
        store
            .conn_for_tests()
            .execute("UPDATE outbox SET next_attempt_at = NULL", [])
            .unwrap();
        let _ = sync::push(&mut store, &flaky, &token).await;
        // Pulls fail too, and must leave the cache consistent.
        let _ = sync::pull_changes(&mut store, &flaky, &token, &me, |_| {}).await;
    }
    assert!(
        faults.load(Ordering::SeqCst) >= 3,
        "the proxy injected no faults"
    );
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM outbox WHERE state = 'sent'")
            .unwrap(),
        cases.len() as i64
    );

    let conn = rusqlite::Connection::open(&central_db).unwrap();
    let decided: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM decisions WHERE outcome = 'applied'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let notifications: i64 = conn
        .query_row("SELECT COUNT(*) FROM notifications", [], |r| r.get(0))
        .unwrap();
    assert_eq!(decided, cases.len() as i64, "each decision exactly once");
    assert_eq!(
        notifications,
        cases.len() as i64,
        "each applicant told exactly once"
    );
}

/// A server that answers every decision 201 with the decision's own id and case but the case
/// version it was based on — as if it had recorded the decision without applying it.
async fn start_echoing_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 8192];
                // Headers, then as many body bytes as they announce.
                let body = loop {
                    let Ok(n) = client.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&request).into_owned();
                    let Some((head, body)) = text.split_once("\r\n\r\n") else {
                        continue;
                    };
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        break (head.to_owned(), body.to_owned());
                    }
                };
                let (head, body) = body;
                let case = head
                    .split_whitespace()
                    .nth(1)
                    .and_then(|path| path.split('/').nth(4))
                    .unwrap_or_default()
                    .to_owned();
                let request: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                let answer = json!({
                    "id": request["id"], "application_id": case, "status": "accepted",
                    "version": request["based_on_version"], "notification_id": 1,
                })
                .to_string();
                let _ = client
                    .write_all(format!("HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}", answer.len()).as_bytes())
                    .await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_2xx_that_does_not_name_the_version_it_applied_never_marks_a_decision_sent() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = common::options(4, 22, "ganja");
    options.documents = false;
    let (central_db, staff) = common::seeded(dir.path(), &options);
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    let centre = Centre::start(&central_db).await;
    let direct = Central::new(&centre.base).unwrap();
    let migdesk_api::SessionResponse { token, user, .. } = direct
        .sign_in(&officer.username, &officer.password)
        .await
        .unwrap();
    let mut store = Store::open(&dir.path().join("cache.db"), &CacheKey::random()).unwrap();
    sync::pull_changes(&mut store, &direct, &token, &user.id, |_| {})
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

    let fake = Central::new(&format!("http://{}", start_echoing_server().await)).unwrap();
    assert_eq!(sync::push(&mut store, &fake, &token).await.unwrap(), (0, 0));
    let (state, error): (String, String) = store
        .conn_for_tests()
        .query_row("SELECT state, last_error FROM outbox", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(state, "pending");
    assert!(error.contains("not this one"), "{error}");

    // The real centre, answering with the version it made, settles it.
    sync::retry_now(&store).unwrap();
    assert_eq!(
        sync::push(&mut store, &direct, &token).await.unwrap(),
        (1, 0)
    );
}

/// A centre whose clock is `ahead` seconds ahead of this computer's: it signs anyone in.
async fn start_centre_ahead_by(ahead: i64) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 8192];
                let _ = client.read(&mut buf).await;
                let date = (chrono::Utc::now() + chrono::Duration::seconds(ahead)).to_rfc2822();
                let name = json!({ "az": "Bakı", "en": "Baku", "ru": "Баку" });
                let body = json!({
                    "token": "t", "expires_at": "2030-01-01T00:00:00Z", "instance_id": "0123456789abcdef0123456789abcdef",
                    "user": { "id": "u1", "username": "aysel", "full_name": "Aysel Məmmədova", "role": "officer",
                              "department": { "id": "baku", "name": name } },
                })
                .to_string();
                let _ = client
                    .write_all(format!("HTTP/1.1 201 Created\r\ndate: {date}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).as_bytes())
                    .await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_desk_clock_far_from_the_centres_is_reported_at_sign_in() {
    use migdesk_core::secrets::MemorySecrets;
    use migdesk_core::session;
    let dir = tempfile::tempdir().unwrap();
    let keyring = MemorySecrets::default();
    for (ahead, reported) in [(3600, true), (-1800, true), (30, false)] {
        let mut store = Store::open(
            &dir.path().join(format!("cache-{ahead}.db")),
            &CacheKey::random(),
        )
        .unwrap();
        let centre =
            Central::new(&format!("http://{}", start_centre_ahead_by(ahead).await)).unwrap();
        session::sign_in(&mut store, &keyring, &centre, "aysel", "password")
            .await
            .unwrap();
        let off = session::clock_off_by(&store).unwrap();
        match off {
            Some(seconds) => assert!(
                reported && (seconds - ahead).abs() <= 2,
                "{ahead}: {seconds}"
            ),
            None => assert!(!reported, "{ahead}: not reported"),
        }
    }
}

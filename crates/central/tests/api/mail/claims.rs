//! Each applicant's e-mail is sent at most once without a person deciding: claimed before it is
//! sent, never sent again after a cut-off attempt, listed for the department's supervisors and
//! queued again only by one of them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use migdesk_central::clock;
use migdesk_central::database::Database;
use migdesk_central::db;
use migdesk_central::mail::{self, MAX_ATTEMPTS, Mailer, SmtpConfig};
use migdesk_central::testing::with_sql;
use reqwest::{Method, StatusCode};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::{accepted_case, delivered, free_port, start_smtpd};
use crate::common::{Server, id, rows, start};

fn mailer(port: u16) -> Mailer {
    Mailer::new(&SmtpConfig {
        url: format!("smtp://127.0.0.1:{port}"),
        from: "DMX <no-reply@migration.gov.az>".into(),
    })
    .expect("a relay on the loopback")
}

fn execute(db: &Database, sql: &str) {
    with_sql(db, |conn| conn.execute_batch(sql)).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn requeue(s: &Server, token: &str, notification: i64) -> crate::common::Reply {
    s.send(s.request(
        Method::POST,
        &format!("/api/v1/notifications/{notification}/requeue"),
        Some(token),
    ))
    .await
}

/// Finding: `deliver_due` read the queued e-mails, sent them, then marked them: two deliveries
/// at once (two instances of the centre on one database) both sent each e-mail.
#[tokio::test]
async fn an_email_is_sent_once_when_two_deliveries_run_at_once() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(3).await;
    for case in &cases[..3] {
        s.post(
            &format!("/api/v1/applications/{}/decisions", id(case)),
            Some(&token),
            &crate::common::decision(crate::common::version(case), "accept"),
        )
        .await
        .expect(StatusCode::CREATED);
    }
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("mail");
    let (_smtpd, port) = start_smtpd(&maildir);
    let m = mailer(port);
    // Two instances, each with its own connections to the one database.
    let one = db::Db::open(&s.database).await.unwrap();
    let two = db::Db::open(&s.database).await.unwrap();
    let (a, b) = tokio::join!(mail::deliver_due(&one, &m), mail::deliver_due(&two, &m));
    assert_eq!(a.unwrap() + b.unwrap(), 3);
    assert_eq!(delivered(&maildir).len(), 3);
    assert_eq!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM notifications WHERE state = 'sent' AND attempts = 1"
        ),
        3
    );
    let (a, b) = tokio::join!(mail::deliver_due(&one, &m), mail::deliver_due(&two, &m));
    assert_eq!(a.unwrap() + b.unwrap(), 0);
    assert_eq!(delivered(&maildir).len(), 3);
}

/// Finding: a crash between sending and recording sent the e-mail again at the next start.
/// Now an e-mail the centre stopped sending half-way stays `sending`: never sent again by
/// itself, shown to the department's supervisors once its claim is old.
#[tokio::test]
async fn an_email_whose_sending_was_cut_off_is_not_sent_again_but_shown_to_a_supervisor() {
    let s = start().await;
    let (officer, case) = accepted_case(&s).await;
    // The centre claimed it ten minutes ago and stopped before it recorded the outcome.
    execute(
        &s.database,
        &format!(
            "UPDATE notifications SET state = 'sending', attempts = 1,
             claimed_at = '{}', message_id = '<cut-off@migdesk-central>'",
            clock::format(clock::now() - chrono::Duration::minutes(10))
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("mail");
    let (_smtpd, port) = start_smtpd(&maildir);
    let database = db::Db::open(&s.database).await.unwrap();
    assert_eq!(
        mail::deliver_due(&database, &mailer(port)).await.unwrap(),
        0
    );
    assert!(delivered(&maildir).is_empty());
    assert_eq!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM notifications WHERE state = 'sending'"
        ),
        1
    );

    let supervisor = s.login(s.account("baku", "supervisor", 0)).await;
    let list = s
        .get(
            "/api/v1/departments/baku/notifications?state=sending",
            &supervisor,
        )
        .await
        .expect(StatusCode::OK);
    let listed = list.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{list}");
    assert_eq!(listed[0]["application_id"], id(&case));
    assert_eq!(listed[0]["application_number"], case["number"]);
    assert_eq!(listed[0]["state"], "sending");
    assert_eq!(listed[0]["attempts"], 1);
    assert_eq!(listed[0]["message_id"], "<cut-off@migdesk-central>");
    assert!(listed[0]["claimed_at"].is_string());
    let failed_only = s
        .get(
            "/api/v1/departments/baku/notifications?state=failed",
            &supervisor,
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(failed_only, serde_json::json!([]));

    // Officers, and supervisors of another department, do not see the list.
    s.get("/api/v1/departments/baku/notifications", &officer)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let other = s.login(s.account("ganja", "supervisor", 0)).await;
    s.get("/api/v1/departments/baku/notifications", &other)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    s.get(
        "/api/v1/departments/baku/notifications?state=lost",
        &supervisor,
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "bad_request");

    // One claimed a moment ago is being sent: not listed, and not to be queued again.
    execute(
        &s.database,
        &format!(
            "UPDATE notifications SET claimed_at = '{}'",
            clock::format(clock::now())
        ),
    );
    let list = s
        .get("/api/v1/departments/baku/notifications", &supervisor)
        .await
        .expect(StatusCode::OK);
    assert_eq!(list, serde_json::json!([]));
    let notification = rows(&s.database, "SELECT id FROM notifications");
    requeue(&s, &supervisor, notification)
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
}

/// A relay that takes the whole message and hangs up before it answers: the centre cannot know
/// whether it was sent, so it does not send it again.
#[tokio::test]
async fn a_relay_that_hangs_up_after_the_message_leaves_it_unknown_and_unsent_again() {
    let s = start().await;
    accepted_case(&s).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    let relay = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            let (read, mut write) = socket.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 relay ready\r\n").await.unwrap();
            let mut in_data = false;
            while let Ok(Some(line)) = lines.next_line().await {
                if in_data {
                    if line == "." {
                        // The message has arrived whole: hang up without a word.
                        break;
                    }
                    continue;
                }
                let reply: &[u8] = match line.get(..4).unwrap_or("").to_ascii_uppercase().as_str() {
                    "EHLO" => b"250-relay\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 go on\r\n"
                    }
                    _ => b"250 ok\r\n",
                };
                write.write_all(reply).await.unwrap();
            }
        }
    });
    let database = db::Db::open(&s.database).await.unwrap();
    assert_eq!(
        mail::deliver_due(&database, &mailer(port)).await.unwrap(),
        0
    );
    assert_eq!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM notifications WHERE state = 'sending' AND error LIKE 'outcome unknown%'"
        ),
        1
    );
    assert_eq!(
        mail::deliver_due(&database, &mailer(port)).await.unwrap(),
        0
    );
    assert_eq!(connections.load(Ordering::SeqCst), 1, "tried again");
    relay.abort();
}

/// After every attempt failed the e-mail is `failed` with the last error; a supervisor of the
/// case's department queues it again (in the case's history), and it is sent once.
#[tokio::test]
async fn a_failed_email_queued_again_by_a_supervisor_is_sent_once() {
    let s = start().await;
    let (officer, case) = accepted_case(&s).await;
    execute(
        &s.database,
        &format!("UPDATE notifications SET attempts = {}", MAX_ATTEMPTS - 1),
    );
    let database = db::Db::open(&s.database).await.unwrap();
    assert_eq!(
        mail::deliver_due(&database, &mailer(free_port()))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        rows(
            &s.database,
            &format!(
                "SELECT COUNT(*) FROM notifications WHERE state = 'failed' AND attempts = {MAX_ATTEMPTS} AND error IS NOT NULL"
            )
        ),
        1
    );
    let supervisor = s.login(s.account("baku", "supervisor", 0)).await;
    let list = s
        .get(
            "/api/v1/departments/baku/notifications?state=failed",
            &supervisor,
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(list[0]["state"], "failed");
    assert_eq!(list[0]["attempts"], MAX_ATTEMPTS);
    assert!(
        list[0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("relay")),
        "{list}"
    );
    let notification = list[0]["id"].as_i64().unwrap();

    requeue(&s, &officer, notification)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let other = s.login(s.account("ganja", "supervisor", 0)).await;
    requeue(&s, &other, notification)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    requeue(&s, &supervisor, notification + 1000)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    let queued = requeue(&s, &supervisor, notification)
        .await
        .expect(StatusCode::OK);
    assert_eq!(queued["state"], "queued");
    assert_eq!(queued["id"], notification);
    assert_eq!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM notifications WHERE state = 'queued' AND attempts = 0 AND error IS NULL"
        ),
        1
    );
    // In the case's history, with who and what it was.
    assert_eq!(
        rows(
            &s.database,
            &format!(
                "SELECT COUNT(*) FROM events WHERE kind = 'notification_requeued' AND application_id = '{}'
                 AND {} = 'failed'",
                id(&case),
                migdesk_central::sql::json_text(s.database.engine(), "detail", "previous_state")
            )
        ),
        1
    );
    // The contract names it: the desk reads it as a known event, not an unknown one.
    let detail = s
        .get(&format!("/api/v1/applications/{}", id(&case)), &supervisor)
        .await
        .expect(StatusCode::OK);
    let requeued = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "notification_requeued")
        .expect("the requeue in the history");
    assert_eq!(requeued["detail"]["previous_state"], "failed");
    let csv = s
        .get(
            &format!("/api/v1/applications/{}/history.csv", id(&case)),
            &supervisor,
        )
        .await;
    let csv = String::from_utf8_lossy(&csv.bytes);
    assert!(csv.contains("notification_requeued"), "{csv}");
    assert!(csv.contains("queued again: it was failed"), "{csv}");
    // Only once: queued already.
    requeue(&s, &supervisor, notification)
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");

    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("mail");
    let (_smtpd, port) = start_smtpd(&maildir);
    assert_eq!(
        mail::deliver_due(&database, &mailer(port)).await.unwrap(),
        1
    );
    assert_eq!(
        mail::deliver_due(&database, &mailer(port)).await.unwrap(),
        0
    );
    assert_eq!(delivered(&maildir).len(), 1);
    requeue(&s, &supervisor, notification)
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
}

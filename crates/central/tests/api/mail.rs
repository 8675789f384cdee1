//! E-mail delivery through a real SMTP server (aiosmtpd, writing a maildir).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use migdesk_central::db;
use migdesk_central::mail::{self, Mailer, SmtpConfig};
use reqwest::StatusCode;

use crate::common::{Server, decision, id, rows, start, version};

mod claims;

struct Smtpd(Child);

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start_smtpd(maildir: &std::path::Path) -> (Smtpd, u16) {
    let port = free_port();
    // Debian's interpreter, where python3-aiosmtpd is installed (another python3 may come first
    // in PATH).
    let python = if std::path::Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    };
    let mut child = Command::new(python)
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 with aiosmtpd (Debian python3-aiosmtpd; scripts/test.sh installs it)");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (Smtpd(child), port);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("aiosmtpd did not start on port {port}");
}

fn delivered(maildir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(maildir.join("new"))
        .map(|d| {
            d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// A Baku officer's case, accepted: one e-mail is queued for its applicant.
async fn accepted_case(s: &Server) -> (String, serde_json::Value) {
    let (_, token, cases) = s.busy_officer(1).await;
    let case = cases[0].clone();
    s.post(
        &format!("/api/v1/applications/{}/decisions", id(&case)),
        Some(&token),
        &decision(version(&case), "accept"),
    )
    .await
    .expect(StatusCode::CREATED);
    (token, case)
}

#[tokio::test]
async fn decisions_reach_the_applicant_through_a_real_smtp_server() {
    let s = start().await;
    let (token, case) = accepted_case(&s).await;

    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("mail");
    let (_smtpd, port) = start_smtpd(&maildir);
    let mailer = Mailer::new(&SmtpConfig {
        url: format!("smtp://127.0.0.1:{port}"),
        from: "DMX <no-reply@migration.gov.az>".into(),
    })
    .unwrap();
    let database = db::Db::open(&s.database).await.unwrap();
    let sent = mail::deliver_due(&database, &mailer).await.unwrap();
    assert_eq!(sent, 1);

    let messages = delivered(&maildir);
    assert_eq!(messages.len(), 1);
    let raw = &messages[0];
    assert!(
        raw.contains(case["applicant"]["email"].as_str().unwrap()),
        "{raw}"
    );
    // The message carries the Message-ID its claim recorded.
    let message_id: String = migdesk_central::testing::with_sql(&s.database, |conn| {
        conn.query_row("SELECT message_id FROM notifications", [], |r| r.get(0))
            .unwrap()
    });
    assert!(
        message_id.starts_with('<') && message_id.ends_with("@migdesk-central>"),
        "{message_id}"
    );
    assert!(raw.contains(&format!("Message-ID: {message_id}")), "{raw}");
    assert_eq!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM notifications WHERE state = 'sent' AND sent_at IS NOT NULL"
        ),
        1
    );
    // Sent once: nothing more is due.
    assert_eq!(mail::deliver_due(&database, &mailer).await.unwrap(), 0);
    assert_eq!(delivered(&maildir).len(), 1);
    let notes = s
        .get(
            &format!("/api/v1/applications/{}/notifications", id(&case)),
            &token,
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(notes[0]["state"], "sent");
}

#[tokio::test]
async fn an_unreachable_relay_keeps_the_email_queued_with_the_error() {
    let s = start().await;
    accepted_case(&s).await;
    let dead_port = free_port();
    let mailer = Mailer::new(&SmtpConfig {
        url: format!("smtp://127.0.0.1:{dead_port}"),
        from: "no-reply@migration.gov.az".into(),
    })
    .unwrap();
    let database = db::Db::open(&s.database).await.unwrap();
    assert_eq!(mail::deliver_due(&database, &mailer).await.unwrap(), 0);
    assert_eq!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM notifications WHERE state = 'queued' AND attempts = 1 AND error IS NOT NULL AND next_attempt_at IS NOT NULL"
        ),
        1
    );
    // Not due again until the pause has passed.
    assert_eq!(mail::deliver_due(&database, &mailer).await.unwrap(), 0);
    assert_eq!(rows(&s.database, "SELECT attempts FROM notifications"), 1);
}

#[test]
fn only_plain_smtp_urls_are_accepted() {
    let cfg = |url: &str| SmtpConfig {
        url: url.into(),
        from: "a@b.az".into(),
    };
    assert!(Mailer::new(&cfg("smtp://relay.local:25")).is_ok());
    assert!(Mailer::new(&cfg("http://relay.local")).is_err());
    assert!(Mailer::new(&cfg("smtp://:25")).is_err());
    assert!(Mailer::new(&cfg("smtp://relay:port")).is_err());
    assert!(
        Mailer::new(&SmtpConfig {
            url: "smtp://relay".into(),
            from: "not an address".into()
        })
        .is_err()
    );
}

#[tokio::test]
async fn each_decision_e_mail_carries_its_letter() {
    let s = start().await;
    let (_, case) = accepted_case(&s).await;
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("mail");
    let (_smtpd, port) = start_smtpd(&maildir);
    let mailer = Mailer::new(&SmtpConfig {
        url: format!("smtp://127.0.0.1:{port}"),
        from: "DMX <no-reply@migration.gov.az>".into(),
    })
    .unwrap()
    .with_letters(mail::Letters {
        catalogue: std::sync::Arc::new(migdesk_domain::Catalogue::builtin()),
        tracking_address: "https://portal.example/track".into(),
    });
    let database = db::Db::open(&s.database).await.unwrap();
    assert_eq!(mail::deliver_due(&database, &mailer).await.unwrap(), 1);
    let messages = delivered(&maildir);
    let raw = &messages[0];
    assert!(raw.contains("multipart/mixed"), "{raw}");
    assert!(raw.contains("Content-Type: application/pdf"), "{raw}");
    let number = case["number"].as_str().unwrap();
    assert!(raw.contains(&format!("letter-{number}.pdf")), "{raw}");
}

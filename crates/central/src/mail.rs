//! Delivery of the applicants' e-mails. Every decision queues one (see `migdesk_domain::decision::render_email`); when an SMTP
//! relay is configured, this loop sends what is queued and records the outcome. Without one the
//! e-mails stay queued, readable through the API. A failed attempt is retried with a growing
//! pause; after [`MAX_ATTEMPTS`] the e-mail is marked failed, with the last error kept.

use std::time::Duration;

use chrono::Utc;
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rusqlite::params;

use crate::clock;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};

pub const MAX_ATTEMPTS: i64 = 8;
const BATCH: i64 = 50;

/// Where and as whom to send.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// `smtp://host:port`: a relay on the department's network, spoken to in plain SMTP.
    pub url: String,
    pub from: String,
}

#[derive(Debug, Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(config: &SmtpConfig) -> ApiResult<Self> {
        let rest = config.url.strip_prefix("smtp://").ok_or_else(|| {
            ApiError::bad_request(format!(
                "{}: only smtp://HOST:PORT (a relay on the local network) is supported",
                config.url
            ))
        })?;
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (
                h.to_owned(),
                p.parse::<u16>()
                    .map_err(|_| ApiError::bad_request(format!("{}: bad port", config.url)))?,
            ),
            None => (rest.to_owned(), 25),
        };
        if host.is_empty() {
            return Err(ApiError::bad_request(format!("{}: no host", config.url)));
        }
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(port)
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = config
            .from
            .parse::<Mailbox>()
            .map_err(|e| ApiError::bad_request(format!("{}: {e}", config.from)))?;
        Ok(Self { transport, from })
    }
}

struct Pending {
    id: i64,
    to: String,
    subject: String,
    body: String,
    attempts: i64,
}

/// Sends what is due; returns how many were sent.
pub async fn deliver_due(db: &Db, mailer: &Mailer) -> ApiResult<usize> {
    let now = clock::format(clock::now());
    let due: Vec<Pending> = db
        .run(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT id, to_address, subject, body, attempts FROM notifications
                 WHERE state = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= ?1) ORDER BY id LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![now, BATCH], |r| {
                Ok(Pending {
                    id: r.get(0)?,
                    to: r.get(1)?,
                    subject: r.get(2)?,
                    body: r.get(3)?,
                    attempts: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await?;
    let mut sent = 0;
    for p in due {
        let outcome = send_one(mailer, &p).await;
        if outcome.is_ok() {
            sent += 1;
        }
        let now = Utc::now();
        let (id, attempts) = (p.id, p.attempts + 1);
        db.run(move |conn| {
            match outcome {
                Ok(()) => conn.execute(
                    "UPDATE notifications SET state = 'sent', sent_at = ?1, attempts = ?2, error = NULL WHERE id = ?3",
                    params![clock::format(now), attempts, id],
                )?,
                Err(e) => {
                    let state = if attempts >= MAX_ATTEMPTS { "failed" } else { "queued" };
                    let pause = chrono::Duration::seconds(15 * 2i64.pow(attempts.min(10) as u32));
                    conn.execute(
                        "UPDATE notifications SET state = ?1, attempts = ?2, error = ?3, next_attempt_at = ?4 WHERE id = ?5",
                        params![state, attempts, e, clock::format(now + pause), id],
                    )?
                }
            };
            Ok(())
        })
        .await?;
    }
    Ok(sent)
}

async fn send_one(mailer: &Mailer, p: &Pending) -> Result<(), String> {
    let to =
        p.to.parse::<Mailbox>()
            .map_err(|e| format!("bad address {}: {e}", p.to))?;
    let message = Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(p.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(p.body.clone())
        .map_err(|e| e.to_string())?;
    mailer
        .transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Sends queued e-mails every `every` until the process ends.
pub async fn run(db: Db, mailer: Mailer, every: Duration) {
    loop {
        if let Err(ApiError { body, .. }) = deliver_due(&db, &mailer).await {
            tracing::warn!(error = %body.message, "delivering notifications failed");
        }
        tokio::time::sleep(every).await;
    }
}

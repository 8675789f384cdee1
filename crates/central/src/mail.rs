//! Delivery of the applicants' e-mails. Every decision queues one (see
//! `migdesk_domain::decision::render_email`); when an SMTP relay is configured, this loop sends
//! what is queued and records the outcome. Without one the e-mails stay queued, readable through
//! the API.
//!
//! **Each e-mail is sent at most once without a person deciding.** Just before sending, a
//! delivery claims it: one immediate write transaction moves it from `queued` to `sending`, with
//! the claim's time and a Message-ID made for this attempt (also the message's `Message-ID`
//! header). Only e-mails still queued and due are claimed, one at a time, so two deliveries —
//! two instances of the centre on one database, or a loop that overlaps itself — never both
//! send one. After the relay takes it, it is `sent`. When the relay refuses it or cannot be
//! reached (the e-mail certainly did not leave), it is queued again after a growing pause; after
//! [`MAX_ATTEMPTS`] it is `failed` with the last error. When the outcome is unknown — the
//! connection broke after the message began, or the centre stopped between claiming and
//! recording — it stays `sending`: never sent again by itself, listed for the department's
//! supervisors once its claim is older than [`SENDING_UNKNOWN_AFTER_SECONDS`], who may queue it
//! again (`api/notifications.rs`) after looking for its Message-ID in the relay's log.

use std::time::Duration;

use crate::sql::OptionalExtension;
use chrono::Utc;
use lettre::Message;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::extension::ClientId;
use rusqlite::params;

use crate::clock;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};

pub use migdesk_api::SENDING_UNKNOWN_AFTER_SECONDS;

pub const MAX_ATTEMPTS: i64 = 8;
const BATCH: usize = 50;
/// How long connecting to the relay and greeting it may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// How long handing one message to the relay may take, once connected.
const SEND_TIMEOUT: Duration = Duration::from_secs(60);
// An attempt ends (sent, refused or unknown) long before its claim looks cut off, so a
// supervisor never queues again an e-mail a delivery is still sending.
const _: () = assert!(
    CONNECT_TIMEOUT.as_secs() + SEND_TIMEOUT.as_secs() < SENDING_UNKNOWN_AFTER_SECONDS as u64
);

/// Where and as whom to send.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// `smtp://host:port`: a relay on the department's network, spoken to in plain SMTP.
    pub url: String,
    pub from: String,
}

#[derive(Debug, Clone)]
pub struct Mailer {
    host: String,
    port: u16,
    from: Mailbox,
    /// With these, each decision's e-mail carries its letter as a PDF.
    letters: Option<Letters>,
}

/// What rendering a decision letter needs.
#[derive(Debug, Clone)]
pub struct Letters {
    pub catalogue: std::sync::Arc<migdesk_domain::Catalogue>,
    pub tracking_address: String,
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
        let from = config
            .from
            .parse::<Mailbox>()
            .map_err(|e| ApiError::bad_request(format!("{}: {e}", config.from)))?;
        Ok(Self {
            host,
            port,
            from,
            letters: None,
        })
    }

    /// Attaches each decision's letter (`letter.pdf`) to its e-mail.
    #[must_use]
    pub fn with_letters(mut self, letters: Letters) -> Self {
        self.letters = Some(letters);
        self
    }
}

/// An e-mail this delivery claimed.
struct Claimed {
    id: i64,
    message_id: String,
    to: String,
    subject: String,
    body: String,
    /// Attempts made, this one included.
    attempts: i64,
    /// The decision's letter, when the mailer attaches letters: its file name and bytes.
    letter: Option<(String, Vec<u8>)>,
}

/// What became of one attempt.
#[derive(Debug)]
enum Outcome {
    Sent,
    /// Certainly not sent: the message could not be made, the relay could not be reached, or
    /// it answered with a refusal.
    NotSent(String),
    /// Perhaps sent: the connection broke or stalled after the message began.
    Unknown(String),
}

/// Claims the next e-mail due — queued, its pause over — if there is one. One write
/// transaction, so no other delivery (of this instance or another) claims it. One at a time, each just before it is sent, so a
/// claim's age says how long its attempt has run (a batch claimed at once would age while it
/// waits its turn, and look cut off).
async fn claim_next(db: &Db, letters: Option<Letters>) -> ApiResult<Option<Claimed>> {
    let now = clock::format(clock::now());
    db.write(move |tx| {
        // On PostgreSQL, instances delivering at once pass over each other's claims.
        let skip_claimed = match tx.engine() {
            crate::sql::Engine::Sqlite => "",
            crate::sql::Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let due: Option<(i64, String, String, String, i64, String, String)> = tx
            .query_row(
                &format!("SELECT id, to_address, subject, body, attempts, application_id, decision_id FROM notifications
                 WHERE state = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= ?1)
                 ORDER BY id LIMIT 1{skip_claimed}"),
                params![now],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((id, to, subject, body, attempts, application_id, decision_id)) = due else {
            return Ok(None);
        };
        let message_id = format!("<{}@migdesk-central>", uuid::Uuid::new_v4());
        let taken = tx.execute(
            "UPDATE notifications SET state = 'sending', claimed_at = ?1, message_id = ?2,
                 attempts = attempts + 1
             WHERE id = ?3 AND state = 'queued'",
            params![now, message_id, id],
        )?;
        if taken != 1 {
            return Ok(None);
        }
        let letter = match &letters {
            Some(l) => crate::letter::render(
                tx,
                &l.catalogue,
                &application_id,
                &decision_id,
                &l.tracking_address,
            )?
            .map(|bytes| (crate::letter::file_name(tx, &application_id), bytes)),
            None => None,
        };
        Ok(Some(Claimed {
            id,
            message_id,
            to,
            subject,
            body,
            attempts: attempts + 1,
            letter,
        }))
    })
    .await
}

/// Records the outcome of the attempt `c`, if the e-mail still carries its claim.
async fn record(db: &Db, c: &Claimed, outcome: Outcome) -> ApiResult<()> {
    let now = Utc::now();
    let (id, message_id, attempts) = (c.id, c.message_id.clone(), c.attempts);
    db.write(move |tx| {
        match &outcome {
            Outcome::Sent => tx.execute(
                "UPDATE notifications SET state = 'sent', sent_at = ?1, error = NULL
                 WHERE id = ?2 AND message_id = ?3 AND state = 'sending'",
                params![clock::format(now), id, message_id],
            )?,
            Outcome::NotSent(e) => {
                let state = if attempts >= MAX_ATTEMPTS {
                    "failed"
                } else {
                    "queued"
                };
                let pause = chrono::Duration::seconds(15 * 2i64.pow(attempts.min(10) as u32));
                tx.execute(
                    "UPDATE notifications SET state = ?1, error = ?2, next_attempt_at = ?3
                     WHERE id = ?4 AND message_id = ?5 AND state = 'sending'",
                    params![state, e, clock::format(now + pause), id, message_id],
                )?
            }
            Outcome::Unknown(e) => {
                tracing::warn!(id, %message_id, error = %e,
                    "an applicant's e-mail may or may not have been sent: left for a supervisor");
                tx.execute(
                    "UPDATE notifications SET error = ?1
                     WHERE id = ?2 AND message_id = ?3 AND state = 'sending'",
                    params![format!("outcome unknown: {e}"), id, message_id],
                )?
            }
        };
        Ok(())
    })
    .await
}

/// Sends what is due (at most a batch of [`BATCH`] a call); returns how many were sent.
pub async fn deliver_due(db: &Db, mailer: &Mailer) -> ApiResult<usize> {
    let mut sent = 0;
    for _ in 0..BATCH {
        let Some(c) = claim_next(db, mailer.letters.clone()).await? else {
            break;
        };
        let outcome = send_one(mailer, &c).await;
        if matches!(outcome, Outcome::Sent) {
            sent += 1;
        }
        record(db, &c, outcome).await?;
    }
    Ok(sent)
}

async fn send_one(mailer: &Mailer, c: &Claimed) -> Outcome {
    let to = match c.to.parse::<Mailbox>() {
        Ok(to) => to,
        Err(e) => return Outcome::NotSent(format!("bad address {}: {e}", c.to)),
    };
    let builder = Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(c.subject.clone())
        .message_id(Some(c.message_id.clone()));
    let made = match &c.letter {
        None => builder.header(ContentType::TEXT_PLAIN).body(c.body.clone()),
        Some((name, bytes)) => builder.multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(c.body.clone()))
                .singlepart(Attachment::new(name.clone()).body(
                    bytes.clone(),
                    ContentType::parse("application/pdf").unwrap_or(ContentType::TEXT_PLAIN),
                )),
        ),
    };
    let message = match made {
        Ok(m) => m,
        Err(e) => return Outcome::NotSent(e.to_string()),
    };
    // Connecting and greeting come before anything of the message: failing there, it did not
    // leave.
    let hello = ClientId::default();
    let connecting = AsyncSmtpConnection::connect_tokio1(
        (mailer.host.as_str(), mailer.port),
        Some(CONNECT_TIMEOUT),
        &hello,
        None,
        None,
    );
    let mut conn = match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => return Outcome::NotSent(format!("cannot reach the relay: {e}")),
        Err(_) => return Outcome::NotSent("the relay did not answer in time".into()),
    };
    let bytes = message.formatted();
    let sent = tokio::time::timeout(SEND_TIMEOUT, conn.send(message.envelope(), &bytes)).await;
    match sent {
        Ok(Ok(_)) => {
            let _ = conn.quit().await;
            Outcome::Sent
        }
        // A reply with a refusal code (at any step, the end of the message included), or a
        // message the relay's extensions cannot carry: the relay did not take it.
        Ok(Err(e)) if e.is_transient() || e.is_permanent() || e.is_client() => {
            conn.abort().await;
            Outcome::NotSent(e.to_string())
        }
        Ok(Err(e)) => {
            conn.abort().await;
            Outcome::Unknown(e.to_string())
        }
        Err(_) => Outcome::Unknown("the relay stopped answering while the message was sent".into()),
    }
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

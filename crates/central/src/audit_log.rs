//! The centre's own audit trail (`audit_log`, migration 009): who read a case, a document's
//! bytes, a case's e-mails, the department's undelivered e-mails or a history export; every
//! sign-in, refused ones included; a supervisor queueing an e-mail again; and every event the
//! desks report (`POST /audit`), with the desk's time beside the centre's.
//!
//! Each row is chained to the one before: `hash = SHA-256(prev_hash ‖ canonical fields)` (hex),
//! the first row's `prev_hash` being [`GENESIS`]. Rows are appended only inside a write
//! transaction (the request's own, or one of their own through [`record`]): SQLite's one writer,
//! or PostgreSQL's serializable transaction, run again when a concurrent one took the tip
//! first. `prev_hash` is unique besides, so the chain cannot fork. [`verify`] walks the chain and names the first
//! row that does not fit (`migdesk-central audit verify --db PATH`).
//!
//! What the chain cannot show: rows cut from its end (nothing follows them). Whoever needs that
//! keeps the last hash `verify` prints somewhere the centre's administrators cannot write.
//!
//! A request may say which desk sent it (`X-Migdesk-Desk`, [`Desk`]); a value of more than
//! [`MAX_DESK_CHARS`] characters or with control characters is not kept (NULL).

use std::convert::Infallible;
use std::path::Path;

use crate::sql::{Conn, OptionalExtension};
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use chrono::{DateTime, Duration, Utc};
use rusqlite::{OpenFlags, params};
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::clock;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The header a desk names itself in.
pub const DESK_HEADER: &str = "x-migdesk-desk";
pub const MAX_DESK_CHARS: usize = 100;
/// A desk's clock may run this far ahead before its reported time is flagged `future`.
pub const FUTURE_TOLERANCE_SECONDS: i64 = 5 * 60;
/// A desk works offline for at most this long: a reported time older is flagged `stale`.
pub const OFFLINE_WINDOW_DAYS: i64 = 30;

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignIn,
    /// Wrong user name or password.
    SignInFailed,
    /// Refused before the password was checked: too many failures for the user name.
    SignInThrottled,
    CaseRead,
    DocumentRead,
    /// The e-mails of one case.
    NotificationsRead,
    /// The internal notes of one case.
    NotesRead,
    /// A decision's letter to the applicant.
    LetterRead,
    /// The applicant's other applications, from one case.
    ApplicantHistoryRead,
    /// The department's undelivered e-mails.
    UndeliveredRead,
    /// The department's pool of cases no officer has.
    PoolRead,
    HistoryExported,
    NotificationRequeued,
    /// Reported by a desk: the officer opened the case.
    DeskOpened,
    /// Reported by a desk: the officer recorded a decision.
    DeskDecided,
    /// A supervisor set how the department's new applications are shared out.
    DistributionSet,
    /// An administrator, on the centre's command line (`migdesk-central user …`).
    UserAdded,
    UserDisabled,
    UserEnabled,
    PasswordReset,
    DepartmentAdded,
    /// A new desk published for the desks to install (`migdesk-central release publish`).
    DeskReleasePublished,
    /// A published desk taken back (`migdesk-central release withdraw`).
    DeskReleaseWithdrawn,
    /// A desk downloaded a published desk's package.
    DeskReleaseDownloaded,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SignIn => "sign_in",
            Action::SignInFailed => "sign_in_failed",
            Action::SignInThrottled => "sign_in_throttled",
            Action::CaseRead => "case_read",
            Action::DocumentRead => "document_read",
            Action::NotificationsRead => "notifications_read",
            Action::NotesRead => "notes_read",
            Action::LetterRead => "letter_read",
            Action::ApplicantHistoryRead => "applicant_history_read",
            Action::UndeliveredRead => "undelivered_read",
            Action::PoolRead => "pool_read",
            Action::HistoryExported => "history_exported",
            Action::NotificationRequeued => "notification_requeued",
            Action::DeskOpened => "desk_opened",
            Action::DeskDecided => "desk_decided",
            Action::DistributionSet => "distribution_set",
            Action::UserAdded => "user_added",
            Action::UserDisabled => "user_disabled",
            Action::UserEnabled => "user_enabled",
            Action::PasswordReset => "password_reset",
            Action::DepartmentAdded => "department_added",
            Action::DeskReleasePublished => "desk_release_published",
            Action::DeskReleaseWithdrawn => "desk_release_withdrawn",
            Action::DeskReleaseDownloaded => "desk_release_downloaded",
        }
    }
}

/// Why a desk's reported time is doubtful.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// More than [`FUTURE_TOLERANCE_SECONDS`] ahead of the centre's clock.
    Future,
    /// Older than the offline window ([`OFFLINE_WINDOW_DAYS`]).
    Stale,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Future => "future",
            Flag::Stale => "stale",
        }
    }

    /// The flag a time reported at `now` earns, if any.
    pub fn for_reported(reported: DateTime<Utc>, now: DateTime<Utc>) -> Option<Self> {
        if reported > now + Duration::seconds(FUTURE_TOLERANCE_SECONDS) {
            Some(Flag::Future)
        } else if reported < now - Duration::days(OFFLINE_WINDOW_DAYS) {
            Some(Flag::Stale)
        } else {
            None
        }
    }
}

/// The desk a request says it comes from (`X-Migdesk-Desk`), when the value is fit to keep: at
/// most [`MAX_DESK_CHARS`] characters, none of them control characters, not blank.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Desk(pub Option<String>);

impl Desk {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let value = headers
            .get(DESK_HEADER)
            .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
            .map(str::trim)
            .filter(|v| {
                !v.is_empty()
                    && v.chars().count() <= MAX_DESK_CHARS
                    && !v.chars().any(char::is_control)
            });
        Self(value.map(str::to_owned))
    }
}

/// The header of [`Desk`], as the OpenAPI document describes it on the routes that keep it.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct DeskHeader {
    /// The desk's own name for itself, kept with what the request did in the centre's audit
    /// trail. Any value is taken; one longer than 100 characters, blank, or holding control
    /// characters is not kept.
    #[param(rename = "X-Migdesk-Desk")]
    pub desk: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Desk {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_headers(&parts.headers))
    }
}

/// One row to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub action: Action,
    /// Who: the user's id, when known.
    pub actor_id: Option<String>,
    /// The user name as given at a sign-in.
    pub username: Option<String>,
    pub desk: Option<String>,
    pub application_id: Option<String>,
    /// What else was acted on: a document's or an e-mail's id, a department, a desk's event id.
    pub subject: Option<String>,
    /// A desk's own time for the event it reports.
    pub reported_at: Option<String>,
    pub flag: Option<Flag>,
}

impl Entry {
    pub fn new(action: Action) -> Self {
        Self {
            action,
            actor_id: None,
            username: None,
            desk: None,
            application_id: None,
            subject: None,
            reported_at: None,
            flag: None,
        }
    }

    /// `caller` did `action`, from `desk`.
    pub fn by(caller: &Caller, desk: &Desk, action: Action) -> Self {
        Self {
            actor_id: Some(caller.user_id.clone()),
            desk: desk.0.clone(),
            ..Self::new(action)
        }
    }

    pub fn on_case(self, application_id: &str) -> Self {
        Self {
            application_id: Some(application_id.to_owned()),
            ..self
        }
    }

    pub fn subject(self, subject: impl Into<String>) -> Self {
        Self {
            subject: Some(subject.into()),
            ..self
        }
    }
}

/// A row as stored, without its hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fields {
    id: i64,
    at: String,
    actor_id: Option<String>,
    username: Option<String>,
    desk: Option<String>,
    action: String,
    application_id: Option<String>,
    subject: Option<String>,
    reported_at: Option<String>,
    flag: Option<String>,
}

/// The row's fields in the one form its hash covers: a JSON array in column order, absent
/// values as `null` (so no two rows share a form, whatever their text holds).
fn canonical(f: &Fields) -> String {
    serde_json::json!([
        f.id,
        f.at,
        f.actor_id,
        f.username,
        f.desk,
        f.action,
        f.application_id,
        f.subject,
        f.reported_at,
        f.flag,
    ])
    .to_string()
}

fn chain_hash(prev_hash: &str, fields: &Fields) -> String {
    let mut sha = Sha256::new();
    sha.update(prev_hash.as_bytes());
    sha.update(canonical(fields).as_bytes());
    hex::encode(sha.finalize())
}

/// Appends `entry`, recorded at `at`, to the chain inside the write transaction `tx`; its id.
pub fn append(tx: &Conn<'_>, entry: &Entry, at: &str) -> ApiResult<i64> {
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (id, prev_hash) = last.map_or((1, GENESIS.to_owned()), |(id, hash)| (id + 1, hash));
    let fields = Fields {
        id,
        at: at.to_owned(),
        actor_id: entry.actor_id.clone(),
        username: entry.username.clone(),
        desk: entry.desk.clone(),
        action: entry.action.as_str().to_owned(),
        application_id: entry.application_id.clone(),
        subject: entry.subject.clone(),
        reported_at: entry.reported_at.clone(),
        flag: entry.flag.map(|f| f.as_str().to_owned()),
    };
    let hash = chain_hash(&prev_hash, &fields);
    tx.execute(
        "INSERT INTO audit_log (id, at, actor_id, username, desk, action, application_id, subject,
             reported_at, flag, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            fields.id,
            fields.at,
            fields.actor_id,
            fields.username,
            fields.desk,
            fields.action,
            fields.application_id,
            fields.subject,
            fields.reported_at,
            fields.flag,
            prev_hash,
            hash
        ],
    )?;
    Ok(id)
}

/// Appends `entry` now; durable when this returns (committed with the other rows being
/// recorded at the same moment, see [`Db::write_grouped`]).
pub async fn record(db: &Db, entry: Entry) -> ApiResult<()> {
    db.write_grouped(move |tx| {
        append(tx, &entry, &clock::format(clock::now()))?;
        Ok(())
    })
    .await
}

/// What walking the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every row follows the one before and matches its hash.
    Intact { rows: u64, last_hash: String },
    /// The first row that does not, and why.
    Broken { id: i64, why: String },
}

/// Walks the whole chain, oldest first.
pub fn verify(conn: &Conn<'_>) -> ApiResult<Verdict> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor_id, username, desk, action, application_id, subject, reported_at,
                flag, prev_hash, hash
         FROM audit_log ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let (mut expected_id, mut expected_prev, mut count) = (1i64, GENESIS.to_owned(), 0u64);
    while let Some(r) = rows.next()? {
        let fields = Fields {
            id: r.get(0)?,
            at: r.get(1)?,
            actor_id: r.get(2)?,
            username: r.get(3)?,
            desk: r.get(4)?,
            action: r.get(5)?,
            application_id: r.get(6)?,
            subject: r.get(7)?,
            reported_at: r.get(8)?,
            flag: r.get(9)?,
        };
        let (prev_hash, hash): (String, String) = (r.get(10)?, r.get(11)?);
        let broken = |why: &str| {
            Ok(Verdict::Broken {
                id: fields.id,
                why: why.to_owned(),
            })
        };
        if fields.id != expected_id {
            return broken("the row before it is missing");
        }
        if prev_hash != expected_prev {
            return broken("it does not follow the row before it (prev_hash)");
        }
        if chain_hash(&prev_hash, &fields) != hash {
            return broken("its fields do not match its hash");
        }
        expected_id = fields.id + 1;
        expected_prev = hash;
        count += 1;
    }
    Ok(Verdict::Intact {
        rows: count,
        last_hash: expected_prev,
    })
}

/// Verifies the chain of the database file at `path`, opened read-only and left unchanged.
pub fn verify_file(path: &Path) -> ApiResult<Verdict> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| ApiError::internal(format!("cannot open {}: {e}", path.display())))?;
    let has_log: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'audit_log')",
        [],
        |r| r.get(0),
    )?;
    if !has_log {
        return Err(ApiError::internal(format!(
            "{} has no audit log (a database the centre has not opened since migration 009)",
            path.display()
        )));
    }
    verify(&Conn::sqlite(&conn))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> rusqlite::Connection {
        let conn = crate::db::open_in_memory().unwrap();
        {
            let c = Conn::sqlite(&conn);
            let tx = c.transaction().unwrap();
            for i in 0..n {
                let entry = Entry {
                    actor_id: Some(format!("u{i}")),
                    desk: (i % 2 == 0).then(|| "desk \"7\", [a]".to_owned()),
                    ..Entry::new(Action::CaseRead).on_case("app-1")
                };
                append(&tx, &entry, "2026-11-30T10:00:00Z").unwrap();
            }
            tx.commit().unwrap();
        }
        conn
    }

    fn tamper(conn: &Conn<'_>, sql: &str) {
        conn.execute_batch(&format!(
            "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {sql}"
        ))
        .unwrap();
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(
            verify(&Conn::sqlite(&chain(0))).unwrap(),
            Verdict::Intact {
                rows: 0,
                last_hash: GENESIS.to_owned()
            }
        );
        let conn = chain(5);
        let Verdict::Intact { rows, last_hash } = verify(&Conn::sqlite(&conn)).unwrap() else {
            panic!("broken")
        };
        assert_eq!(rows, 5);
        let stored: String = conn
            .query_row("SELECT hash FROM audit_log WHERE id = 5", [], |r| r.get(0))
            .unwrap();
        assert_eq!(last_hash, stored);
    }

    #[test]
    fn the_service_cannot_change_or_remove_a_row() {
        let conn = chain(2);
        assert!(
            conn.execute("UPDATE audit_log SET actor_id = 'x' WHERE id = 1", [])
                .is_err()
        );
        assert!(
            conn.execute("DELETE FROM audit_log WHERE id = 1", [])
                .is_err()
        );
    }

    #[test]
    fn a_changed_removed_or_forged_row_is_named() {
        let conn = chain(5);
        tamper(
            &Conn::sqlite(&conn),
            "UPDATE audit_log SET desk = NULL WHERE id = 3",
        );
        assert!(matches!(
            verify(&Conn::sqlite(&conn)).unwrap(),
            Verdict::Broken { id: 3, .. }
        ));

        let conn = chain(5);
        tamper(&Conn::sqlite(&conn), "DELETE FROM audit_log WHERE id = 2");
        assert!(matches!(
            verify(&Conn::sqlite(&conn)).unwrap(),
            Verdict::Broken { id: 3, .. }
        ));

        // A row rewritten with a hash recomputed over its new fields still breaks the row
        // after it, which was chained to the old hash.
        let conn = chain(5);
        let forged = Fields {
            id: 2,
            at: "2026-11-30T10:00:00Z".into(),
            actor_id: Some("someone else".into()),
            username: None,
            desk: None,
            action: "case_read".into(),
            application_id: Some("app-1".into()),
            subject: None,
            reported_at: None,
            flag: None,
        };
        let prev: String = conn
            .query_row("SELECT hash FROM audit_log WHERE id = 1", [], |r| r.get(0))
            .unwrap();
        tamper(
            &Conn::sqlite(&conn),
            &format!(
                "UPDATE audit_log SET actor_id = 'someone else', desk = NULL, hash = '{}' WHERE id = 2",
                chain_hash(&prev, &forged)
            ),
        );
        assert!(matches!(
            verify(&Conn::sqlite(&conn)).unwrap(),
            Verdict::Broken { id: 3, .. }
        ));
    }

    #[test]
    fn the_chain_cannot_fork() {
        let conn = chain(1);
        let c = Conn::sqlite(&conn);
        let tx = c.transaction().unwrap();
        // A second row claiming the first one's predecessor is refused.
        let forked = tx.execute(
            "INSERT INTO audit_log (id, at, action, prev_hash, hash) VALUES (9, 'x', 'case_read', ?1, 'y')",
            [GENESIS],
        );
        assert!(forked.is_err());
    }

    #[test]
    fn reported_times_far_ahead_or_beyond_the_offline_window_are_flagged() {
        let now = clock::now();
        assert_eq!(Flag::for_reported(now, now), None);
        assert_eq!(Flag::for_reported(now + Duration::minutes(4), now), None);
        assert_eq!(
            Flag::for_reported(now + Duration::minutes(6), now),
            Some(Flag::Future)
        );
        assert_eq!(Flag::for_reported(now - Duration::days(29), now), None);
        assert_eq!(
            Flag::for_reported(now - Duration::days(31), now),
            Some(Flag::Stale)
        );
    }

    #[test]
    fn a_desk_names_itself_in_a_header_fit_to_keep() {
        let desk = |value: &[u8]| {
            let mut headers = HeaderMap::new();
            headers.insert(
                DESK_HEADER,
                axum::http::HeaderValue::from_bytes(value).unwrap(),
            );
            Desk::from_headers(&headers).0
        };
        assert_eq!(desk(b"ws-042 (Aysel)"), Some("ws-042 (Aysel)".to_owned()));
        assert_eq!(desk("masa-ə".as_bytes()), Some("masa-ə".to_owned()));
        assert_eq!(desk(&[b'x'; 101]), None);
        assert_eq!(desk(b"   "), None);
        assert_eq!(desk(b"a\tb"), None);
        assert_eq!(desk(&[0xff, 0xfe]), None);
        assert_eq!(Desk::from_headers(&HeaderMap::new()).0, None);
    }
}

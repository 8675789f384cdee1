//! Accounts: Argon2 password hashes, bearer tokens (stored as SHA-256), sign-in throttling, and
//! the `Caller` extractor every protected route takes.

use crate::sql::{Conn, OptionalExtension};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use rusqlite::params;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::clock;
use crate::error::{ApiError, ApiResult};
use migdesk_api::Role;

/// Failures allowed before sign-in for a user name is paused.
pub const FREE_FAILURES: i64 = 5;
/// The longest pause after repeated failures.
pub const MAX_LOCK_SECONDS: i64 = 15 * 60;

pub use migdesk_domain::password::{hash as hash_password, verify as verify_password};

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Issues a new bearer token for the user; returns it with its expiry. Times are kept to the
/// second and a token is valid while its expiry lies after the current second, so the expiry is
/// the whole second after `now + ttl`: a token lives at least `ttl`, never up to a second less.
pub fn issue_token(
    conn: &Conn<'_>,
    user_id: &str,
    now: DateTime<Utc>,
    ttl: Duration,
) -> ApiResult<(String, String)> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let expires_at = clock::format(now + ttl + Duration::seconds(1));
    conn.execute(
        "INSERT INTO tokens (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash(&token), user_id, clock::format(now), expires_at],
    )?;
    Ok((token, expires_at))
}

/// Seconds the user name must still wait before another attempt, if it is paused.
pub fn throttled_for(
    conn: &Conn<'_>,
    username: &str,
    now: DateTime<Utc>,
) -> ApiResult<Option<u64>> {
    let locked: Option<Option<String>> = conn
        .query_row(
            "SELECT locked_until FROM login_throttle WHERE username = ?1",
            [username],
            |r| r.get(0),
        )
        .optional()?;
    Ok(locked
        .flatten()
        .and_then(|t| clock::parse(&t))
        .filter(|until| *until > now)
        .map(|until| {
            // Whole seconds, rounded up: the pause's end is kept to the second, so from a time
            // with a fraction it is 29.000… s away and must still read 30 (milliseconds rounded
            // up lost it when the fraction was over .999).
            let left = until - now;
            let whole = left.num_seconds();
            (whole + i64::from(left > Duration::seconds(whole))).max(1) as u64
        }))
}

/// A user name's failures are forgotten after this long without one.
pub const FAILURES_FORGOTTEN_AFTER_SECONDS: i64 = 60 * 60;

/// Begins a sign-in attempt in one step with the throttle check (one closure on the database,
/// so one step): the attempt counts as a failure until it succeeds and [`clear_failures`] runs.
/// Parallel attempts therefore cannot all pass the check before any is recorded: at most
/// [`FREE_FAILURES`] of a flood reach the password check. Returns the seconds to wait when the
/// user name is paused.
pub fn begin_attempt(
    conn: &Conn<'_>,
    username: &str,
    now: DateTime<Utc>,
) -> ApiResult<Option<u64>> {
    if let Some(wait) = throttled_for(conn, username, now)? {
        return Ok(Some(wait));
    }
    record_failure(conn, username, now)?;
    Ok(None)
}

/// Records a failed attempt; after [`FREE_FAILURES`] each further failure doubles the pause.
/// Failures older than [`FAILURES_FORGOTTEN_AFTER_SECONDS`] no longer count.
pub fn record_failure(conn: &Conn<'_>, username: &str, now: DateTime<Utc>) -> ApiResult<()> {
    let before: Option<(i64, Option<String>)> = conn
        .query_row(
            "SELECT failures, last_failure_at FROM login_throttle WHERE username = ?1",
            [username],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let forgotten = |last: &Option<String>| {
        last.as_deref()
            .and_then(clock::parse)
            .is_none_or(|at| now - at > Duration::seconds(FAILURES_FORGOTTEN_AFTER_SECONDS))
    };
    let failures = match before {
        Some((n, last)) if !forgotten(&last) => n + 1,
        _ => 1,
    };
    let locked_until = (failures >= FREE_FAILURES).then(|| {
        let exponent = (failures - FREE_FAILURES).min(10) as u32;
        let seconds = (30i64 * 2i64.pow(exponent)).min(MAX_LOCK_SECONDS);
        clock::format(now + Duration::seconds(seconds))
    });
    conn.execute(
        "INSERT INTO login_throttle (username, failures, locked_until, last_failure_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(username) DO UPDATE SET failures = excluded.failures,
             locked_until = excluded.locked_until, last_failure_at = excluded.last_failure_at",
        params![username, failures, locked_until, clock::format(now)],
    )?;
    Ok(())
}

pub fn clear_failures(conn: &Conn<'_>, username: &str) -> ApiResult<()> {
    conn.execute("DELETE FROM login_throttle WHERE username = ?1", [username])?;
    Ok(())
}

/// The signed-in user making a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub full_name: String,
    pub role: Role,
    pub department_id: String,
    pub token_hash: String,
}

impl Caller {
    pub fn require_supervisor(&self) -> ApiResult<()> {
        match self.role {
            Role::Supervisor => Ok(()),
            Role::Officer => Err(ApiError::forbidden("only a supervisor may do this")),
        }
    }
}

pub(crate) fn bearer(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_owned())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state).await?;
        state.db.read(move |conn| session.caller(conn)).await
    }
}

/// The session a request names, not yet checked: a route that reads the database anyway checks
/// it in the same read ([`Session::caller`]) instead of a read of its own before (a document
/// download, the hottest route, saves a round trip to the database's threads).
#[derive(Debug)]
pub struct Session {
    hash: String,
}

impl Session {
    /// The signed-in user, if the session is current and the account enabled.
    pub fn caller(&self, conn: &Conn<'_>) -> ApiResult<Caller> {
        let now = clock::format(clock::now());
        conn.query_row(
            "SELECT u.id, u.full_name, u.role, u.department_id FROM tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = ?1 AND t.expires_at > ?2 AND u.disabled_at IS NULL",
            params![self.hash, now],
            |r| {
                Ok(Caller {
                    user_id: r.get(0)?,
                    full_name: r.get(1)?,
                    role: Role::parse(&r.get::<_, String>(2)?).unwrap_or(Role::Officer),
                    department_id: r.get(3)?,
                    token_hash: self.hash.clone(),
                })
            },
        )
        .optional()?
        .ok_or_else(|| ApiError::unauthorized("the session has expired or was ended: sign in again"))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)
            .ok_or_else(|| ApiError::unauthorized("sign in first: no bearer token"))?;
        Ok(Self {
            hash: token_hash(&token),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_pauses_after_repeated_failures_and_grows() {
        let raw = crate::db::open_in_memory().unwrap();
        let conn = crate::sql::Conn::sqlite(&raw);
        let now = clock::now();
        for _ in 0..FREE_FAILURES - 1 {
            record_failure(&conn, "someone", now).unwrap();
        }
        assert_eq!(throttled_for(&conn, "someone", now).unwrap(), None);
        record_failure(&conn, "someone", now).unwrap();
        assert_eq!(throttled_for(&conn, "someone", now).unwrap(), Some(30));
        record_failure(&conn, "someone", now).unwrap();
        assert_eq!(throttled_for(&conn, "someone", now).unwrap(), Some(60));
        assert_eq!(
            throttled_for(&conn, "someone", now + Duration::seconds(61)).unwrap(),
            None
        );
        clear_failures(&conn, "someone").unwrap();
        assert_eq!(throttled_for(&conn, "someone", now).unwrap(), None);
        // A failure in the last thousandth of a second still pauses for 30 seconds.
        let edge = clock::parse("2026-12-02T10:00:00Z").unwrap() + Duration::microseconds(999_500);
        for _ in 0..FREE_FAILURES {
            record_failure(&conn, "edge", edge).unwrap();
        }
        assert_eq!(throttled_for(&conn, "edge", edge).unwrap(), Some(30));
    }

    #[test]
    fn failures_are_forgotten_after_a_quiet_hour() {
        let raw = crate::db::open_in_memory().unwrap();
        let conn = crate::sql::Conn::sqlite(&raw);
        let then = clock::now();
        for _ in 0..FREE_FAILURES {
            record_failure(&conn, "someone", then).unwrap();
        }
        assert!(throttled_for(&conn, "someone", then).unwrap().is_some());
        // Two hours later the pause is over, and the next failure counts as the first.
        let later = then + Duration::hours(2);
        assert_eq!(begin_attempt(&conn, "someone", later).unwrap(), None);
        let failures: i64 = conn
            .query_row(
                "SELECT failures FROM login_throttle WHERE username = 'someone'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(failures, 1);
        assert_eq!(throttled_for(&conn, "someone", later).unwrap(), None);
    }

    #[test]
    fn an_attempt_counts_as_a_failure_from_its_start() {
        let raw = crate::db::open_in_memory().unwrap();
        let conn = crate::sql::Conn::sqlite(&raw);
        let now = clock::now();
        // Attempts begun together: each one begins after the previous one is counted.
        let passed = (0..20)
            .filter(|_| begin_attempt(&conn, "someone", now).unwrap().is_none())
            .count();
        assert_eq!(passed as i64, FREE_FAILURES);
    }
}

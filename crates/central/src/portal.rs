//! The applicant portal's access: its own credential and the rate limits on the routes the
//! public reaches through it.
//!
//! The applicant routes (tracking, sending documents, withdrawing) are called by the applicant
//! portal, a trusted service that authenticates the applicant itself. It presents a bearer token
//! issued by `migdesk-central portal-token` (stored hashed, revocable); an application number
//! and a date of birth alone never authorise anything. Every call that presents a credential is
//! counted per client address (before the credential is checked, so guessing credentials is
//! slowed too) and per credential; beyond the limit the answer is 429 with `Retry-After`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::sql::{Conn, OptionalExtension};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use rand::RngCore;
use rusqlite::params;

use crate::AppState;
use crate::auth::{bearer, token_hash};
use crate::clock;
use crate::error::{ApiError, ApiResult};

/// Issues a new portal credential under `name`; the token is shown once and stored hashed.
/// A name already in use (even revoked) is refused: credentials are never reused.
pub fn issue(conn: &Conn<'_>, name: &str) -> ApiResult<String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    issue_from(conn, name, bytes)
}

/// Issues the credential `name` made of `bytes` (the demo seed's are derived from its seed, as
/// its passwords are, so the same seed gives the same demo).
pub fn issue_from(conn: &Conn<'_>, name: &str, bytes: [u8; 32]) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_request(
            "a portal credential needs a name of at most 100 characters",
        ));
    }
    let token = format!("portal-{}", hex::encode(bytes));
    let inserted = conn.execute(
        "INSERT INTO portal_tokens (name, token_hash, created_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        params![name, token_hash(&token), clock::format(clock::now())],
    )?;
    if inserted == 0 {
        return Err(ApiError::bad_request(format!(
            "a portal credential named {name:?} already exists; revoke it and choose a new name"
        )));
    }
    Ok(token)
}

/// Revokes the credential `name`; `false` when there is none (or it was already revoked).
pub fn revoke(conn: &Conn<'_>, name: &str) -> ApiResult<bool> {
    let changed = conn.execute(
        "UPDATE portal_tokens SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
        params![name.trim(), clock::format(clock::now())],
    )?;
    Ok(changed == 1)
}

/// Calls allowed per minute, per client address and per portal credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortalLimits {
    pub per_address_per_minute: u32,
    pub per_credential_per_minute: u32,
}

impl Default for PortalLimits {
    fn default() -> Self {
        Self {
            per_address_per_minute: 120,
            per_credential_per_minute: 1200,
        }
    }
}

/// Token buckets by key: each holds up to a minute's allowance and refills continuously.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    /// Takes one call for `key` allowed `per_minute` times a minute; `Err(seconds)` to wait.
    pub fn take(&self, key: &str, per_minute: u32, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(per_minute.max(1));
        let per_second = capacity / 60.0;
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Forget keys idle long enough to be full again, so the map does not grow for ever.
        if buckets.len() > 10_000 {
            buckets.retain(|_, (_, at)| now.duration_since(*at) < Duration::from_secs(60));
        }
        let (tokens, at) = buckets.entry(key.to_owned()).or_insert((capacity, now));
        let refilled = (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(capacity);
        *at = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            Ok(())
        } else {
            *tokens = refilled;
            Err(((1.0 - refilled) / per_second).ceil().max(1.0) as u64)
        }
    }
}

/// A call from the applicant portal, its credential checked and its rate counted.
#[derive(Debug, Clone)]
pub struct Portal {
    /// The credential's name.
    pub name: String,
}

fn too_many(seconds: u64) -> ApiError {
    ApiError::too_many_requests("too many requests from the applicant portal: wait", seconds)
}

impl FromRequestParts<AppState> for Portal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let limits = state.config.portal_limits;
        let now = Instant::now();
        let address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
        let token = bearer(parts).ok_or_else(|| {
            ApiError::unauthorized("the applicant portal's credential is required")
        })?;
        // Counted before the credential is checked, so guessing credentials is slowed too.
        state
            .portal_limiter
            .take(
                &format!("address:{address}"),
                limits.per_address_per_minute,
                now,
            )
            .map_err(too_many)?;
        let hash = token_hash(&token);
        let name = state
            .db
            .read(move |conn| {
                Ok(conn
                    .query_row(
                        "SELECT name FROM portal_tokens WHERE token_hash = ?1 AND revoked_at IS NULL",
                        [hash],
                        |r| r.get::<_, String>(0),
                    )
                    .optional()?)
            })
            .await?
            .ok_or_else(|| {
                ApiError::unauthorized("this is not a valid applicant portal credential")
            })?;
        state
            .portal_limiter
            .take(
                &format!("portal:{name}"),
                limits.per_credential_per_minute,
                now,
            )
            .map_err(too_many)?;
        Ok(Portal { name })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_minute_then_asks_to_wait_and_refills() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        for _ in 0..6 {
            assert_eq!(limiter.take("a", 6, t0), Ok(()));
        }
        assert_eq!(
            limiter.take("a", 6, t0),
            Err(10),
            "one call every ten seconds"
        );
        assert_eq!(limiter.take("b", 6, t0), Ok(()), "keys are counted apart");
        assert_eq!(limiter.take("a", 6, t0 + Duration::from_secs(10)), Ok(()));
    }

    #[test]
    fn credentials_are_stored_hashed_named_once_and_revocable() {
        let raw = crate::db::open_in_memory().unwrap();
        let conn = crate::sql::Conn::sqlite(&raw);
        let token = issue(&conn, "e-gov").unwrap();
        let stored: String = conn
            .query_row("SELECT token_hash FROM portal_tokens", [], |r| r.get(0))
            .unwrap();
        assert_ne!(stored, token);
        assert_eq!(stored, token_hash(&token));
        assert!(issue(&conn, "e-gov").is_err(), "a name is used once");
        assert!(revoke(&conn, "e-gov").unwrap());
        assert!(!revoke(&conn, "e-gov").unwrap());
    }
}

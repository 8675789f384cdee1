//! Signing in and out at the centre. A centre checking as many passwords as it can at once
//! tells further sign-ins to come back in a second (429, `Retry-After: 1`), as when a whole
//! department signs in at eight: the desk waits and tries again by itself, as the officer would,
//! instead of showing them the centre's words.

use std::time::{Duration, Instant};

use migdesk_api::{SessionRequest, SessionResponse};
use reqwest::{Method, StatusCode};

use super::{Central, offline};
use crate::error::{DeskError, DeskResult, ErrorKind};

/// How long a sign-in keeps trying while the centre says it is busy.
const SIGN_IN_PATIENCE: Duration = Duration::from_secs(60);

/// The longest `Retry-After` the desk waits by itself. The centre's busy answer says 1 s; a
/// user name paused after failed sign-ins waits 30 s or more, which the officer is told.
const BUSY_PAUSE: Duration = Duration::from_secs(5);

/// How long to wait before signing in again, when `resp` says the centre is busy: its
/// `Retry-After` and up to a second more, so that desks told together do not all come back in
/// the same instant.
fn busy_pause(resp: &reqwest::Response) -> Option<Duration> {
    if resp.status() != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
        .filter(|after| *after <= BUSY_PAUSE)?;
    Some(after + Duration::from_millis(rand::random_range(0..1000)))
}

impl Central {
    /// Signs in.
    pub async fn sign_in(&self, username: &str, password: &str) -> DeskResult<SessionResponse> {
        Ok(self.sign_in_timed(username, password).await?.0)
    }

    /// Signs in, and says how far the centre's clock is ahead of this computer's (seconds,
    /// negative when behind), from the answer's `Date` header — to within the second the
    /// header shows and the time the answer took.
    pub async fn sign_in_timed(
        &self,
        username: &str,
        password: &str,
    ) -> DeskResult<(SessionResponse, Option<i64>)> {
        let body = SessionRequest {
            username: username.to_owned(),
            password: password.to_owned(),
        };
        let started = Instant::now();
        let resp = loop {
            let resp = self
                .sent(self.request(Method::POST, None, "/session").json(&body))
                .await
                .map_err(offline)?;
            match busy_pause(&resp) {
                Some(pause) if started.elapsed() + pause <= SIGN_IN_PATIENCE => {
                    tokio::time::sleep(pause).await;
                }
                _ => break resp,
            }
        };
        // Said only to whoever gave the account's right password.
        if resp.status() == StatusCode::FORBIDDEN {
            let error = Self::error_of(resp).await;
            return Err(DeskError::new(ErrorKind::AccountDisabled, error.message));
        }
        let resp = Self::success(resp).await?;
        let offset = resp
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|d| d.to_str().ok())
            .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
            .map(|centre| centre.timestamp() - chrono::Utc::now().timestamp());
        Ok((Self::body("session", resp).await?, offset))
    }

    /// Ends the session at the centre.
    pub async fn sign_out(&self, token: &str) -> DeskResult<()> {
        let resp = self
            .sent(self.request(Method::DELETE, Some(token), "/session"))
            .await
            .map_err(offline)?;
        if resp.status().is_success() || resp.status() == StatusCode::UNAUTHORIZED {
            Ok(())
        } else {
            Err(Self::error_of(resp).await)
        }
    }
}

//! The officer's session on this desk: sign in against the centre (the token goes to the OS
//! keyring), sign out, and the idle lock, which needs the officer's password again — offline
//! too, against a salted Argon2 verifier kept in the encrypted cache.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use migdesk_api::UserProfile;

use crate::cache::{Meta, Store};
use crate::error::{DeskError, DeskResult, ErrorKind};
use crate::secrets::{self, SecretStore};
use crate::sync::Central;

/// How far this computer's clock may be from the centre's before the officer is told.
pub const CLOCK_TOLERANCE_SECONDS: i64 = 5 * 60;

/// Idle time after which the desk locks, unless configured otherwise.
pub const DEFAULT_IDLE_LOCK: Duration = Duration::from_secs(10 * 60);
/// Wrong unlock passwords allowed before each further try must wait.
const FREE_TRIES: u32 = 3;
/// The longest wait between unlock tries.
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);

const VERIFIER: Meta = Meta::UnlockVerifier;
const FAILURES: Meta = Meta::UnlockFailures;
const NOT_BEFORE: Meta = Meta::UnlockNotBefore;

/// Signs in at the centre and makes this desk the officer's: the token goes to the keyring,
/// the server address and profile to the cache, and an unlock verifier for offline unlocking.
///
/// The cache belongs to one officer at one centre (its instance id, pinned at the first
/// sign-in). Another officer, or the same name at another centre, finds the cached cases
/// dropped — unless decisions of the previous profile have not reached their centre, which are
/// never dropped: then signing in is refused (conflicts stay with their owner and do not stop
/// it). Decisions held when the desk was signed out from its lock screen are released only to
/// the same officer with the password the desk knew then.
pub async fn sign_in(
    store: &mut Store,
    keyring: &dyn SecretStore,
    central: &Central,
    username: &str,
    password: &str,
) -> DeskResult<UserProfile> {
    let (session, clock_offset) = central.sign_in_timed(username, password).await?;
    let (token, user, instance) = (session.token, session.user, session.instance_id);
    let id = user.id.as_str();
    let pinned = store.meta(Meta::CentralInstance)?;
    let previous = store.meta(Meta::UserId)?;
    let same_profile =
        previous.as_deref() == Some(id) && pinned.as_deref().is_none_or(|p| p == instance);
    if let Some(owner) = store.meta(Meta::HeldFor)? {
        let held = store.pending_of(&owner)?;
        let known = store
            .meta(VERIFIER)?
            .is_some_and(|v| migdesk_domain::password::verify(password, &v));
        if held > 0 && !(same_profile && known) {
            return Err(DeskError::new(
                ErrorKind::Unauthorized,
                format!(
                    "this desk was signed out from its lock screen holding {held} decisions or notes that have not reached the centre; only their officer can send them, signing in to the same centre with the password this desk knew then"
                ),
            ));
        }
        store.delete_meta(Meta::HeldFor)?;
    }
    if previous.is_some() && !same_profile {
        let unsent = store.pending_of_others(id, &instance)?;
        if unsent > 0 {
            return Err(DeskError::new(
                ErrorKind::Unauthorized,
                format!(
                    "this desk holds {unsent} decisions or notes of another officer ({}) or another centre that have not reached it; they must be sent first",
                    previous.as_deref().unwrap_or_default()
                ),
            ));
        }
        store.forget_cases()?;
    }
    keyring.set(secrets::SESSION_TOKEN, &token)?;
    store.set_meta(Meta::Server, &central.base)?;
    store.set_meta(Meta::CentralInstance, &instance)?;
    store.set_meta(Meta::UserId, id)?;
    store.set_meta(Meta::UserName, &user.full_name)?;
    let profile = serde_json::to_string(&user).map_err(|e| DeskError::internal(e.to_string()))?;
    store.set_meta(Meta::User, &profile)?;
    store.set_meta(VERIFIER, &verifier(password)?)?;
    store.set_meta(FAILURES, "0")?;
    store.delete_meta(NOT_BEFORE)?;
    match clock_offset {
        Some(seconds) => store.set_meta(Meta::ClockOffset, &seconds.to_string())?,
        None => store.delete_meta(Meta::ClockOffset)?,
    }
    Ok(user)
}

/// How far off this computer's clock is from the centre's, when it is off by more than
/// [`CLOCK_TOLERANCE_SECONDS`]: decisions carry the time they were made, and deadlines run by
/// the day. Measured at sign-in; positive when this computer is behind.
pub fn clock_off_by(store: &Store) -> DeskResult<Option<i64>> {
    Ok(store
        .meta(Meta::ClockOffset)?
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|s| s.abs() > CLOCK_TOLERANCE_SECONDS))
}

/// The signed-in user's profile as the centre gave it at sign-in.
pub fn profile(store: &Store) -> DeskResult<Option<UserProfile>> {
    store
        .meta(Meta::User)?
        .map(|u| {
            serde_json::from_str(&u)
                .map_err(|e| DeskError::internal(format!("the stored profile: {e}")))
        })
        .transpose()
}

/// Signs out: the centre ends the session when it can be reached (otherwise the token simply
/// expires there) and the token leaves the keyring. Recorded decisions stay and are sent after
/// the officer's next sign-in.
///
/// From the lock screen (`locked`), where nobody has shown the officer's password, signing out
/// also drops the cached cases, and the officer's unsent decisions are held: the desk keeps the
/// password's verifier so that only the same officer, with that password, sends them. Otherwise
/// the verifier goes and the cases stay for the officer's return.
pub async fn sign_out(
    store: &mut Store,
    keyring: &dyn SecretStore,
    central: Option<&Central>,
    locked: bool,
) -> DeskResult<()> {
    if let (Some(central), Some(token)) = (central, keyring.get(secrets::SESSION_TOKEN)?) {
        // Best effort: signing out must work offline too.
        let _ = central.sign_out(&token).await;
    }
    keyring.delete(secrets::SESSION_TOKEN)?;
    match store.meta(Meta::UserId)?.filter(|_| locked) {
        Some(owner) => {
            store.forget_cases()?;
            store.set_meta(Meta::HeldFor, &owner)?;
        }
        None => store.delete_meta(VERIFIER)?,
    }
    Ok(())
}

fn verifier(password: &str) -> DeskResult<String> {
    migdesk_domain::password::hash(password).map_err(|e| DeskError::internal(e.to_string()))
}

/// The idle lock. The desk starts locked when a session exists, locks after `idle` without
/// activity, and opens again with the officer's password. Wrong passwords are counted in the
/// cache, so restarting the desk does not reset the wait.
#[derive(Debug)]
pub struct IdleLock {
    idle: Duration,
    last_activity: Instant,
    locked: bool,
}

impl IdleLock {
    pub fn new(idle: Duration, locked: bool, now: Instant) -> Self {
        Self {
            idle,
            last_activity: now,
            locked,
        }
    }

    /// Whether the desk is locked at `now` (it locks itself once idle too long).
    pub fn is_locked(&mut self, now: Instant) -> bool {
        if now.saturating_duration_since(self.last_activity) >= self.idle {
            self.locked = true;
        }
        self.locked
    }

    /// The officer did something. Refused when the desk is (or has just become) locked.
    pub fn touch(&mut self, now: Instant) -> DeskResult<()> {
        if self.is_locked(now) {
            return Err(DeskError::new(ErrorKind::Locked, "the desk is locked"));
        }
        self.last_activity = now;
        Ok(())
    }

    pub fn lock(&mut self) {
        self.locked = true;
    }

    /// The idle time after which the desk locks.
    pub fn idle(&self) -> Duration {
        self.idle
    }

    /// Unlocks with the officer's password, checked against the verifier in the cache (no
    /// network needed). After three wrong tries each further try waits, doubling up to 15 min.
    pub fn unlock(
        &mut self,
        store: &Store,
        password: &str,
        now: Instant,
        wall: DateTime<Utc>,
    ) -> DeskResult<()> {
        let Some(stored) = store.meta(VERIFIER)? else {
            return Err(DeskError::new(
                ErrorKind::NotSignedIn,
                "nobody is signed in on this desk: sign in",
            ));
        };
        if let Some(not_before) = store
            .meta(NOT_BEFORE)?
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .filter(|t| *t > wall)
        {
            let millis = (not_before.with_timezone(&Utc) - wall).num_milliseconds();
            let wait = (millis + 999) / 1000;
            return Err(DeskError::new(
                ErrorKind::Locked,
                format!("too many wrong passwords: try again in {wait} s"),
            ));
        }
        if !migdesk_domain::password::verify(password, &stored) {
            let failures = store
                .meta(FAILURES)?
                .and_then(|f| f.parse::<u32>().ok())
                .unwrap_or(0)
                + 1;
            store.set_meta(FAILURES, &failures.to_string())?;
            if let Some(wait) = wait_after(failures) {
                let until = wall + chrono::Duration::from_std(wait).unwrap_or_default();
                store.set_meta(
                    NOT_BEFORE,
                    &until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                )?;
            }
            return Err(DeskError::new(
                ErrorKind::Unauthorized,
                "the password is not right",
            ));
        }
        store.set_meta(FAILURES, "0")?;
        store.delete_meta(NOT_BEFORE)?;
        self.locked = false;
        self.last_activity = now;
        Ok(())
    }
}

/// How long to wait after the n-th wrong password in a row.
fn wait_after(failures: u32) -> Option<Duration> {
    let over = failures.checked_sub(FREE_TRIES)?;
    if over == 0 {
        return None;
    }
    let secs = 15u64.saturating_mul(1 << (over - 1).min(10));
    Some(Duration::from_secs(secs).min(MAX_WAIT))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::CacheKey;

    fn store_with_password(password: &str) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("c.db"), &CacheKey::random()).unwrap();
        store
            .set_meta(VERIFIER, &verifier(password).unwrap())
            .unwrap();
        (dir, store)
    }

    #[test]
    fn the_desk_locks_after_the_idle_time_and_activity_postpones_it() {
        let t0 = Instant::now();
        let idle = Duration::from_secs(600);
        let mut lock = IdleLock::new(idle, false, t0);
        lock.touch(t0 + Duration::from_secs(500)).unwrap();
        assert!(
            !lock.is_locked(t0 + Duration::from_secs(1000)),
            "activity at 500 s"
        );
        let err = lock.touch(t0 + Duration::from_secs(1100)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Locked);
        assert!(lock.is_locked(t0 + Duration::from_secs(1101)));
    }

    #[test]
    fn unlocking_needs_the_right_password_and_works_without_a_network() {
        let (_dir, store) = store_with_password("S3cret parol");
        let t0 = Instant::now();
        let mut lock = IdleLock::new(DEFAULT_IDLE_LOCK, true, t0);
        let err = lock.unlock(&store, "wrong", t0, Utc::now()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unauthorized);
        assert!(lock.is_locked(t0));
        lock.unlock(&store, "S3cret parol", t0, Utc::now()).unwrap();
        assert!(!lock.is_locked(t0));
        assert_eq!(store.meta(FAILURES).unwrap().as_deref(), Some("0"));
    }

    #[test]
    fn repeated_wrong_passwords_make_the_next_try_wait_even_after_a_restart() {
        let (_dir, store) = store_with_password("right");
        let t0 = Instant::now();
        let wall = Utc::now();
        let mut lock = IdleLock::new(DEFAULT_IDLE_LOCK, true, t0);
        for _ in 0..FREE_TRIES + 1 {
            let err = lock.unlock(&store, "wrong", t0, wall).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Unauthorized);
        }
        // A restarted desk (a new lock) still has to wait, even with the right password.
        let mut lock = IdleLock::new(DEFAULT_IDLE_LOCK, true, t0);
        let err = lock
            .unlock(&store, "right", t0, wall + chrono::Duration::seconds(5))
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Locked);
        assert!(err.message.contains("10 s"), "{}", err.message);
        lock.unlock(&store, "right", t0, wall + chrono::Duration::seconds(16))
            .unwrap();
        assert!(!lock.is_locked(t0));
    }

    #[test]
    fn waits_double_and_are_capped() {
        assert_eq!(wait_after(1), None);
        assert_eq!(wait_after(FREE_TRIES), None);
        assert_eq!(wait_after(FREE_TRIES + 1), Some(Duration::from_secs(15)));
        assert_eq!(wait_after(FREE_TRIES + 2), Some(Duration::from_secs(30)));
        assert_eq!(wait_after(FREE_TRIES + 30), Some(MAX_WAIT));
    }

    #[test]
    fn without_a_session_there_is_nothing_to_unlock() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("c.db"), &CacheKey::random()).unwrap();
        let mut lock = IdleLock::new(DEFAULT_IDLE_LOCK, true, Instant::now());
        let err = lock
            .unlock(&store, "x", Instant::now(), Utc::now())
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::NotSignedIn);
    }
}

//! Document reads a desk announced (`POST /document-reads`): their rows are in the audit trail
//! already, durable, and each waits here for its download (`GET /documents/{id}`) by the same
//! user from the same desk, which then writes no row of its own. A sync's hundreds of downloads
//! cost one durable write, not one each.
//!
//! Kept in memory, bounded in number and in time: a read not found here (the centre restarted,
//! another instance of it took the announcement, it waited too long, or the bound was reached)
//! is recorded by its download as any other. Each announcement serves one download; a resumed
//! download records itself.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long an announced read waits for its download.
pub const WAIT: Duration = Duration::from_secs(30 * 60);

/// The most announced reads kept at once, over every desk.
pub const MOST: usize = 200_000;

/// Who announced the read of which document: the user, the desk, the document.
type Key = (String, Option<String>, String);

#[derive(Debug, Default)]
pub struct AnnouncedReads {
    waiting: Mutex<HashMap<Key, Instant>>,
}

impl AnnouncedReads {
    /// Keeps reads whose audit rows are durable, until their downloads. When [`MOST`] are
    /// waiting, those past [`WAIT`] go; if that frees no room, the rest are not kept (their
    /// downloads record themselves).
    pub fn keep(&self, user: &str, desk: Option<&str>, documents: &[String], now: Instant) {
        let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
        for document in documents {
            if waiting.len() >= MOST {
                waiting.retain(|_, since| now.duration_since(*since) < WAIT);
                if waiting.len() >= MOST {
                    return;
                }
            }
            let key = (user.to_owned(), desk.map(str::to_owned), document.clone());
            waiting.insert(key, now);
        }
    }

    /// Whether this download's read was announced by the same user and desk within [`WAIT`];
    /// the announcement is used up either way.
    pub fn take(&self, user: &str, desk: Option<&str>, document: &str, now: Instant) -> bool {
        let key = (
            user.to_owned(),
            desk.map(str::to_owned),
            document.to_owned(),
        );
        self.waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key)
            .is_some_and(|since| now.duration_since(since) < WAIT)
    }

    /// How many announced reads wait.
    pub fn len(&self) -> usize {
        self.waiting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn an_announced_read_serves_one_download_by_the_same_user_and_desk() {
        let reads = AnnouncedReads::default();
        let now = Instant::now();
        reads.keep("ali", Some("desk-1"), &docs(&["a", "b"]), now);
        assert!(
            !reads.take("vali", Some("desk-1"), "a", now),
            "another user"
        );
        assert!(!reads.take("ali", Some("desk-2"), "a", now), "another desk");
        assert!(!reads.take("ali", None, "a", now), "no desk named");
        assert!(reads.take("ali", Some("desk-1"), "a", now));
        assert!(!reads.take("ali", Some("desk-1"), "a", now), "used up");
        assert!(
            !reads.take("ali", Some("desk-1"), "c", now),
            "never announced"
        );
        assert_eq!(reads.len(), 1);
    }

    #[test]
    fn an_announcement_waits_no_longer_than_its_time() {
        let reads = AnnouncedReads::default();
        let then = Instant::now();
        reads.keep("ali", None, &docs(&["a"]), then);
        assert!(!reads.take("ali", None, "a", then + WAIT));
        assert!(reads.is_empty(), "used up even when too old");
    }

    #[test]
    fn past_the_bound_old_announcements_make_room_and_fresh_ones_are_not_dropped() {
        let reads = AnnouncedReads::default();
        let then = Instant::now();
        let many: Vec<String> = (0..MOST).map(|n| n.to_string()).collect();
        reads.keep("ali", None, &many, then);
        assert_eq!(reads.len(), MOST);
        // Full of fresh ones: a newer announcement is not kept, and none of them is lost.
        reads.keep("vali", None, &docs(&["new"]), then);
        assert!(!reads.take("vali", None, "new", then));
        assert_eq!(reads.len(), MOST);
        // Once they are old, they make room.
        let later = then + WAIT;
        reads.keep("vali", None, &docs(&["new"]), later);
        assert_eq!(reads.len(), 1);
        assert!(reads.take("vali", None, "new", later));
    }
}

//! The change feed: every change to the cases that concern this desk, page by page, each page
//! committed with the cursor after it.

use std::time::{Duration, Instant};

use super::central::Central;
use crate::cache::{Meta, Store};
use crate::error::{DeskError, DeskResult, ErrorKind};

/// What following the feed did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pulled {
    pub changes: u64,
    /// The centre's feed had another history (restored from a backup): the desk started again
    /// from the beginning and will send again every decision the centre acknowledged.
    pub restarted: bool,
    /// Time spent waiting for pages and decoding them, and writing them.
    pub pages_time: Duration,
    pub writes_time: Duration,
}

/// Pulls every change since the stored cursor; each page commits with its cursor. A position
/// the centre no longer knows (410 after a restore) starts the feed again from the beginning,
/// keeping the outbox.
pub async fn pull_changes(
    store: &mut Store,
    central: &Central,
    token: &str,
    me: &str,
    mut progress: impl FnMut(u64),
) -> DeskResult<Pulled> {
    let mut pulled = Pulled::default();
    loop {
        let cursor = store.meta(Meta::Cursor)?.filter(|c| !c.is_empty());
        let from_start = cursor.is_none();
        let asked = Instant::now();
        let page = central.changes(token, cursor).await?;
        pulled.pages_time += asked.elapsed();
        let Some(page) = page else {
            if from_start || pulled.restarted {
                return Err(DeskError::new(
                    ErrorKind::Central,
                    "the centre refuses to give its change feed from the start",
                ));
            }
            store.restart_feed()?;
            pulled.restarted = true;
            continue;
        };
        let writing = Instant::now();
        store.apply_feed_page(&page.changes, &page.next_cursor, me)?;
        pulled.writes_time += writing.elapsed();
        pulled.changes += page.changes.len() as u64;
        progress(pulled.changes);
        if !page.has_more {
            return Ok(pulled);
        }
    }
}

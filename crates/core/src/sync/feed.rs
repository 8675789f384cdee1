//! The change feed: every change to the cases that concern this desk, page by page, each page
//! committed with the cursor after it.

use super::central::Central;
use crate::cache::{Meta, Store};
use crate::error::DeskResult;

/// Pulls every change since the stored cursor; each page commits with its cursor.
pub async fn pull_changes(
    store: &mut Store,
    central: &Central,
    token: &str,
    me: &str,
    mut progress: impl FnMut(u64),
) -> DeskResult<u64> {
    let mut total = 0;
    loop {
        let cursor = store.meta(Meta::Cursor)?.filter(|c| !c.is_empty());
        let page = central.changes(token, cursor).await?;
        store.apply_feed_page(&page.changes, &page.next_cursor, me)?;
        total += page.changes.len() as u64;
        progress(total);
        if !page.has_more {
            return Ok(total);
        }
    }
}

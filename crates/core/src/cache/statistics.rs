//! The department's statistics as the centre last answered them, per question, for reading
//! offline (see `crate::statistics`).

use rusqlite::{OptionalExtension, params};

use super::meta::Meta;
use super::{Store, map_sql};
use crate::error::DeskResult;

/// How many questions' figures are kept for each user; the oldest go first.
const KEPT: i64 = 20;

impl Store {
    /// Keeps the figures (JSON) answered to `query` at `fetched_at`, for the signed-in user.
    pub(crate) fn keep_statistics(
        &mut self,
        query: &str,
        figures: &str,
        fetched_at: &str,
    ) -> DeskResult<()> {
        let tx = self.transaction()?;
        let owner = Meta::UserId.get(&tx)?.unwrap_or_default();
        tx.execute(
            "INSERT INTO statistics (owner, query, figures, fetched_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (owner, query) DO UPDATE SET figures = excluded.figures, fetched_at = excluded.fetched_at",
            params![owner, query, figures, fetched_at],
        )
        .map_err(map_sql)?;
        tx.execute(
            "DELETE FROM statistics WHERE owner = ?1 AND query NOT IN
               (SELECT query FROM statistics WHERE owner = ?1 ORDER BY fetched_at DESC LIMIT ?2)",
            params![owner, KEPT],
        )
        .map_err(map_sql)?;
        tx.commit().map_err(map_sql)
    }

    /// The signed-in user's figures for `query` (JSON) and when they came; else the latest
    /// figures kept for any question.
    pub(crate) fn kept_statistics(&self, query: &str) -> DeskResult<Option<(String, String)>> {
        self.conn
            .query_row(
                "SELECT figures, fetched_at FROM statistics
                 WHERE owner IS (SELECT value FROM meta WHERE key = ?1)
                 ORDER BY query = ?2 DESC, fetched_at DESC LIMIT 1",
                params![Meta::UserId.key(), query],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(map_sql)
    }
}

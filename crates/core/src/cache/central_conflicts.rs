//! Table `central_conflicts`: the centre's list of conflicts that concern this user, replaced
//! whole by each sync; only whether the officer has seen each one is the desk's own.

use migdesk_api::ConflictRecord;

use super::{Store, map_sql};
use crate::error::{DeskError, DeskResult};

impl Store {
    /// The centre's records by decision id, each with whether it was marked seen here.
    pub(crate) fn central_conflicts(&self) -> DeskResult<Vec<(ConflictRecord, bool)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, detail, seen_at IS NOT NULL FROM central_conflicts")
            .map_err(map_sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, bool>(2)?,
                ))
            })
            .map_err(map_sql)?;
        rows.map(|row| {
            let (id, detail, seen) = row.map_err(map_sql)?;
            let record = serde_json::from_str(&detail)
                .map_err(|e| DeskError::internal(format!("conflict {id}: {e}")))?;
            Ok((record, seen))
        })
        .collect()
    }

    /// Keeps the centre's list of conflicts: replaced whole, each one's `seen` kept.
    pub(crate) fn keep_central_conflicts(&mut self, records: &[ConflictRecord]) -> DeskResult<()> {
        let tx = self.transaction()?;
        let mut listed = Vec::new();
        for record in records {
            let id = record.decision_id.as_str();
            let detail =
                serde_json::to_string(record).map_err(|e| DeskError::internal(e.to_string()))?;
            tx.execute(
                "INSERT INTO central_conflicts (id, case_id, detail) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET case_id = excluded.case_id, detail = excluded.detail",
                rusqlite::params![id, record.application_id, detail],
            )
            .map_err(map_sql)?;
            listed.push(id);
        }
        tx.execute(
            "DELETE FROM central_conflicts WHERE id NOT IN (SELECT value FROM json_each(?1))",
            [serde_json::to_string(&listed).map_err(|e| DeskError::internal(e.to_string()))?],
        )
        .map_err(map_sql)?;
        tx.commit().map_err(map_sql)
    }
}

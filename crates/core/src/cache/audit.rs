//! Table `audit`: what the officer did on this desk (a case opened, a decision recorded), kept
//! until the centre has taken it (`pushed_at`) or refused it for good (`refused`).

use migdesk_api::{DeskEvent, DeskEventKind};
use rusqlite::{Connection, params};

use super::{Meta, Store, map_sql, now, of_session};
use crate::error::DeskResult;

/// The kinds the centre's audit report takes; any other stays on the desk, marked refused.
const REPORTED: &str = "('opened', 'decided')";

pub(crate) fn insert_audit(
    conn: &Connection,
    kind: &str,
    case_id: Option<&str>,
    detail: &serde_json::Value,
) -> DeskResult<()> {
    conn.execute(
        "INSERT INTO audit (at, kind, case_id, detail, event_id, owner, instance) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            now(),
            kind,
            case_id,
            detail.to_string(),
            uuid::Uuid::new_v4().to_string(),
            Meta::UserId.get(conn)?,
            Meta::CentralInstance.get(conn)?,
        ],
    )
    .map(|_| ())
    .map_err(map_sql)
}

impl Store {
    /// Records an event of the officer's (a case opened, a decision recorded) for the audit
    /// trail; `sync` reports it to the centre.
    pub fn audit(
        &self,
        kind: &str,
        case_id: Option<&str>,
        detail: &serde_json::Value,
    ) -> DeskResult<()> {
        insert_audit(&self.conn, kind, case_id, detail)
    }

    /// Records a file exported from this profile (a case's history, the department's
    /// statistics), so that wiping the workstation removes it too. Kept on the desk only: the
    /// centre does not take the kind.
    pub fn record_export(&self, case_id: Option<&str>, path: &std::path::Path) -> DeskResult<()> {
        insert_audit(
            &self.conn,
            "exported",
            case_id,
            &serde_json::json!({ "path": path.to_string_lossy() }),
        )
    }

    /// The files exported from this profile.
    pub(crate) fn exports(&self) -> DeskResult<Vec<std::path::PathBuf>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT DISTINCT json_extract(detail, '$.path') FROM audit
                 WHERE kind = 'exported' AND json_extract(detail, '$.path') IS NOT NULL",
            )
            .map_err(map_sql)?;
        stmt.query_map([], |r| Ok(std::path::PathBuf::from(r.get::<_, String>(0)?)))
            .and_then(Iterator::collect)
            .map_err(map_sql)
    }

    /// Marks as refused the unreported events of kinds the centre does not take, so they are
    /// not offered again.
    pub(crate) fn refuse_unreportable_audit(&self) -> DeskResult<()> {
        self.conn
            .execute(
                &format!(
                    "UPDATE audit SET refused = '\"' || kind || '\" is not an audit event kind (opened, decided)'
                     WHERE pushed_at IS NULL AND refused IS NULL AND case_id IS NOT NULL AND kind NOT IN {REPORTED}"
                ),
                [],
            )
            .map(|_| ())
            .map_err(map_sql)
    }

    /// The signed-in officer's oldest events not reported yet, at most `limit`, each with its row
    /// id (another officer's wait for their own session).
    pub(crate) fn unreported_audit(&self, limit: usize) -> DeskResult<Vec<(i64, DeskEvent)>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT id, event_id, kind, case_id, at FROM audit
                 WHERE pushed_at IS NULL AND refused IS NULL AND case_id IS NOT NULL AND kind IN {REPORTED}
                 AND {} ORDER BY id LIMIT ?1",
                of_session("audit")
            ))
            .map_err(map_sql)?;
        stmt.query_map([limit as i64], |r| {
            let kind: String = r.get(2)?;
            Ok((
                r.get(0)?,
                DeskEvent {
                    id: r.get(1)?,
                    kind: if kind == "opened" {
                        DeskEventKind::Opened
                    } else {
                        DeskEventKind::Decided
                    },
                    application_id: r.get(3)?,
                    at: r.get(4)?,
                },
            ))
        })
        .and_then(Iterator::collect)
        .map_err(map_sql)
    }

    /// Keeps the centre's answer to each event: taken (`None`) or refused with its words.
    pub(crate) fn settle_audit(&mut self, outcomes: &[(i64, Option<String>)]) -> DeskResult<()> {
        let tx = self.transaction()?;
        for (rowid, refused) in outcomes {
            match refused {
                None => tx.execute(
                    "UPDATE audit SET pushed_at = ?2 WHERE id = ?1",
                    params![rowid, now()],
                ),
                Some(answer) => tx.execute(
                    "UPDATE audit SET refused = ?2 WHERE id = ?1",
                    params![rowid, answer],
                ),
            }
            .map_err(map_sql)?;
        }
        tx.commit().map_err(map_sql)
    }
}

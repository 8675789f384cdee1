//! The audit trail: cases opened and decisions recorded on this desk, reported to the centre
//! oldest first, each marked once the centre has it.

use migdesk_api::{AuditReport, DeskEvent, DeskEventKind};
use rusqlite::params;

use super::central::Central;
use crate::cache::{Store, now, sql};
use crate::error::DeskResult;

/// Events of a kind the contract has no name for (written by an older or newer desk) are kept,
/// marked refused with the reason, and never sent.
fn refuse_unknown_kinds(store: &mut Store) -> DeskResult<()> {
    store
        .conn
        .execute(
            "UPDATE audit SET refused = '\"' || kind || '\" is not an audit event kind (opened, decided)'
             WHERE pushed_at IS NULL AND refused IS NULL AND case_id IS NOT NULL AND kind NOT IN ('opened', 'decided')",
            [],
        )
        .map_err(sql)?;
    Ok(())
}

/// Reports the audit trail to the centre. An event the centre refuses (400/404) is kept with
/// the centre's answer and not sent again, so one bad event never stops the sync. Returns how
/// many were reported.
pub async fn push_audit(store: &mut Store, central: &Central, token: &str) -> DeskResult<u64> {
    refuse_unknown_kinds(store)?;
    let mut total = 0;
    loop {
        let batch: Vec<(i64, DeskEvent)> = {
            let mut stmt = store
                .conn
                .prepare("SELECT id, event_id, kind, case_id, at FROM audit WHERE pushed_at IS NULL AND refused IS NULL AND case_id IS NOT NULL AND kind IN ('opened', 'decided') ORDER BY id LIMIT 200")
                .map_err(sql)?;
            let rows = stmt
                .query_map([], |r| {
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
                .map_err(sql)?;
            rows.collect::<Result<_, _>>().map_err(sql)?
        };
        if batch.is_empty() {
            return Ok(total);
        }
        let report = AuditReport {
            events: batch.iter().map(|(_, e)| e.clone()).collect(),
        };
        let mut outcomes: Vec<(i64, Option<String>)> = Vec::with_capacity(batch.len());
        match central.report_audit(token, &report).await? {
            None => outcomes.extend(batch.iter().map(|(rowid, _)| (*rowid, None))),
            // Something in the batch was refused: find which, one event at a time.
            Some(_) => {
                for (rowid, event) in batch {
                    let one = AuditReport {
                        events: vec![event],
                    };
                    outcomes.push((rowid, central.report_audit(token, &one).await?));
                }
            }
        }
        let tx = store.transaction()?;
        for (rowid, refused) in &outcomes {
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
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        total += outcomes.iter().filter(|(_, r)| r.is_none()).count() as u64;
    }
}

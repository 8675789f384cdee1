//! The audit trail: cases opened and decisions recorded on this desk, reported to the centre
//! oldest first, each marked once the centre has it.

use migdesk_api::AuditReport;

use super::central::Central;
use crate::cache::Store;
use crate::error::DeskResult;

/// Reports the audit trail to the centre. An event the centre refuses (400/404) is kept with
/// the centre's answer and not sent again, so one bad event never stops the sync. Returns how
/// many were reported.
pub async fn push_audit(store: &mut Store, central: &Central, token: &str) -> DeskResult<u64> {
    store.refuse_unreportable_audit()?;
    let mut total = 0;
    loop {
        let batch = store.unreported_audit(200)?;
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
        store.settle_audit(&outcomes)?;
        total += outcomes.iter().filter(|(_, r)| r.is_none()).count() as u64;
    }
}

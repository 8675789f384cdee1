//! The outbox: every decision the officer records, kept durable from the moment it is made
//! until the centre has answered it, and sent exactly once (the request id makes a repeat
//! harmless). Nothing is ever deleted from it.

use migdesk_api::DecisionRequest;
use migdesk_domain::decision::Decision;
use rusqlite::{OptionalExtension, params};

use super::central::{Central, DecisionAnswer};
use crate::cache::{Store, now, sql};
use crate::error::{DeskError, DeskResult, ErrorKind};

/// Where a recorded decision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting to be sent (or sent without an answer, to be tried again).
    Pending,
    /// The centre recorded it.
    Sent,
    /// The centre kept it as a conflict (the case moved on).
    Conflict,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sent => "sent",
            OutboxState::Conflict => "conflict",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            OutboxState::Pending,
            OutboxState::Sent,
            OutboxState::Conflict,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

/// Records a decision: durable at once, in one transaction with its outbox entry and its audit
/// event. Returns the decision's id.
pub fn record_decision(
    store: &mut Store,
    case_id: &str,
    decision: &Decision,
) -> DeskResult<String> {
    let tx = store.transaction()?;
    let version: Option<i64> = tx
        .query_row(
            "SELECT version FROM cases WHERE id = ?1 AND mine = 1",
            [case_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(sql)?;
    let version = version.ok_or_else(|| {
        DeskError::new(
            ErrorKind::Central,
            format!("{case_id} is not in this desk's queue"),
        )
    })?;
    let id = uuid::Uuid::new_v4();
    let request = DecisionRequest::new(id, version, decision.clone(), now());
    let text = serde_json::to_string(&request).map_err(|e| DeskError::internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO outbox (id, case_id, request, recorded_at, state) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            id.to_string(),
            case_id,
            text,
            now(),
            OutboxState::Pending.as_str()
        ],
    )
    .map_err(sql)?;
    crate::cache::insert_audit(
        &tx,
        "decided",
        Some(case_id),
        &serde_json::json!({ "decision_id": id.to_string(), "kind": request.kind }),
    )?;
    tx.commit().map_err(sql)?;
    Ok(id.to_string())
}

/// The officer asked to sync now: decisions waiting out a backoff after a failed attempt are
/// tried in this sync rather than at their scheduled time. Returns how many were waiting.
pub fn retry_now(store: &Store) -> DeskResult<usize> {
    store
        .conn
        .execute(
            "UPDATE outbox SET next_attempt_at = NULL WHERE state = 'pending' AND next_attempt_at IS NOT NULL",
            [],
        )
        .map_err(sql)
}

/// Sends pending decisions. A 409, or a refusal for good (400, 403, 404, 422), becomes a
/// conflict kept with the decision and the centre's words; a network failure, 429 or 5xx leaves
/// it pending for a later attempt with exponential backoff and jitter. Returns (sent,
/// conflicts).
pub async fn push(store: &mut Store, central: &Central, token: &str) -> DeskResult<(u64, u64)> {
    let due: Vec<(String, String, String, i64)> = {
        let mut stmt = store
            .conn
            .prepare(
                "SELECT id, case_id, request, attempts FROM outbox WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?1) ORDER BY recorded_at",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([now()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)?
    };
    let (mut sent, mut conflicts) = (0, 0);
    for (id, case_id, request, attempts) in due {
        let request: DecisionRequest = serde_json::from_str(&request)
            .map_err(|e| DeskError::internal(format!("decision {id}: {e}")))?;
        let (state, response, error) =
            match central.send_decision(token, &case_id, &request).await? {
                DecisionAnswer::Recorded(answer) => (OutboxState::Sent, Some(answer), None),
                DecisionAnswer::Conflict(answer) => (OutboxState::Conflict, Some(answer), None),
                DecisionAnswer::NotDelivered(why) => (OutboxState::Pending, None, Some(why)),
            };
        let attempts = attempts + 1;
        let backoff = {
            let base = 2u64.saturating_pow(attempts.min(10) as u32);
            let jitter = rand::random::<u64>() % (base + 1);
            chrono::Utc::now() + chrono::Duration::seconds((base + jitter).min(600) as i64)
        };
        store
            .conn
            .execute(
                "UPDATE outbox SET state = ?2, response = ?3, last_error = ?4, attempts = ?5, next_attempt_at = ?6,
                   acknowledged_at = CASE WHEN ?2 = 'sent' THEN ?7 ELSE acknowledged_at END WHERE id = ?1",
                params![
                    id,
                    state.as_str(),
                    response,
                    error,
                    attempts,
                    (state == OutboxState::Pending)
                        .then(|| backoff.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                    now()
                ],
            )
            .map_err(sql)?;
        match state {
            OutboxState::Sent => sent += 1,
            OutboxState::Conflict => conflicts += 1,
            OutboxState::Pending => {}
        }
    }
    Ok((sent, conflicts))
}

//! `GET /changes`: the change feed of the cases that concern the caller, paged by an opaque
//! cursor, gap-free and in commit order.

use crate::sql::Conn;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rusqlite::params;

use super::NeedsSession;
use crate::AppState;
use crate::auth::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::snapshots::Snapshot;
use migdesk_api::{Assignment, ChangeKind, ChangesPage, ChangesQuery, Role};
use serde::Serialize;
use std::sync::Arc;

pub use migdesk_api::CHANGES_DEFAULT_LIMIT as DEFAULT_LIMIT;
pub use migdesk_api::CHANGES_MAX_LIMIT as MAX_LIMIT;

/// The cursor after the change numbered `seq` of feed epoch `epoch`: `c2:<epoch>:<seq>`, as
/// the contract's pattern says.
pub fn encode_cursor(epoch: &str, seq: i64) -> String {
    format!("c2:{epoch}:{seq}")
}

/// A position in the feed: the epoch it belongs to (`None` for a cursor written before epochs,
/// `c1:<seq>`) and the change number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub epoch: Option<String>,
    pub seq: i64,
}

/// The position a cursor names. Desks that synced before cursors were written plainly hold the
/// `c1:` text in base64url; it is read too.
pub fn decode_cursor(cursor: &str) -> Option<Position> {
    let plain = match URL_SAFE_NO_PAD.decode(cursor) {
        Ok(bytes) if !cursor.starts_with("c1:") && !cursor.starts_with("c2:") => {
            String::from_utf8(bytes).ok()?
        }
        _ => cursor.to_owned(),
    };
    let (epoch, digits) = if let Some(rest) = plain.strip_prefix("c2:") {
        let (epoch, digits) = rest.split_once(':')?;
        let hex = epoch.len() == 16
            && epoch
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !hex {
            return None;
        }
        (Some(epoch.to_owned()), digits)
    } else {
        (None, plain.strip_prefix("c1:")?)
    };
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(Position {
        epoch,
        seq: digits.parse::<i64>().ok()?,
    })
}

/// Why a desk's position cannot be continued, if it cannot: it belongs to another history of
/// the feed (a restore from a backup made a new epoch, or the position lies beyond the feed's
/// end, as after a restore nobody marked). The desk then syncs again from the start.
fn stale_position(
    conn: &Conn<'_>,
    position: &Position,
    epoch: &str,
) -> ApiResult<Option<&'static str>> {
    let restored: bool =
        conn.query_row("SELECT restored_at IS NOT NULL FROM instance", [], |r| {
            r.get(0)
        })?;
    let last: i64 = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| {
        r.get(0)
    })?;
    Ok(match &position.epoch {
        Some(e) if e != epoch => Some("the change feed was restored from a backup"),
        None if restored => Some("the change feed was restored from a backup"),
        _ if position.seq > last => Some("the change feed ends before this position"),
        _ => None,
    })
}

/// A page of the change feed as sent: [`ChangesPage`] with each case's serialised snapshot in
/// place of its [`ApplicationDetail`](migdesk_api::ApplicationDetail). The same JSON: the
/// feed's test in `applicant_history` compares a case with the case route's, and the desk reads
/// every page as a `ChangesPage`.
#[derive(Debug, Serialize)]
pub struct PageOut {
    changes: Vec<ChangeOut>,
    next_cursor: String,
    has_more: bool,
}

/// [`Change`](migdesk_api::Change) with its case as a snapshot; fields in its order.
#[derive(Debug, Serialize)]
struct ChangeOut {
    kind: ChangeKind,
    at: String,
    application_id: String,
    #[serde(serialize_with = "snapshot_json")]
    application: Option<Arc<Snapshot>>,
    assignment: Assignment,
}

fn snapshot_json<S: serde::Serializer>(
    snapshot: &Option<Arc<Snapshot>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match snapshot {
        Some(s) => serde::Serialize::serialize(&s.json, serializer),
        None => serializer.serialize_none(),
    }
}

/// Changes that concern the caller, oldest first: for an officer, the cases assigned to them
/// and those moved away from them; for a supervisor, every case of the department. Reading the
/// same cursor twice gives the same changes; each carries the case as it is now.
#[utoipa::path(get, path = "/api/v1/changes", tag = "cases", params(ChangesQuery), security(("bearer" = [])),
    responses((status = 200, body = ChangesPage), (status = 400, body = ErrorBody), NeedsSession,
        (status = 410, body = ErrorBody, description = "The cursor belongs to another history of the feed (a restore from a backup): sync again without one")))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ChangesQuery>,
) -> ApiResult<Response> {
    let position =
        match query.cursor.as_deref() {
            None | Some("") => None,
            Some(c) => Some(decode_cursor(c).ok_or_else(|| {
                ApiError::bad_request("the cursor is not one this service issued")
            })?),
        };
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let snapshots = state.snapshots.clone();
    state
        .db
        .feed(move |tx| {
            let epoch: String = tx.query_row("SELECT epoch FROM instance", [], |r| r.get(0))?;
            if let Some(p) = &position
                && let Some(why) = stale_position(tx, p, &epoch)?
            {
                return Err(ApiError::gone(format!("{why}: sync again from the start")));
            }
            let after = position.as_ref().map_or(0, |p| p.seq);
            let rows: Vec<(i64, String, String, String)> = {
                let (sql, key) = match caller.role {
                    Role::Supervisor => (
                        "SELECT seq, application_id, kind, at FROM changes WHERE department_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                        caller.department_id.clone(),
                    ),
                    Role::Officer => (
                        "SELECT seq, application_id, kind, at FROM changes
                         WHERE seq IN (SELECT seq FROM changes WHERE officer_id = ?1 AND seq > ?2
                                       UNION SELECT seq FROM changes WHERE previous_officer_id = ?1 AND seq > ?2)
                         ORDER BY seq LIMIT ?3",
                        caller.user_id.clone(),
                    ),
                };
                let mut stmt = tx.prepare_cached(sql)?;
                let mapped = stmt.query_map(params![key, after, i64::from(limit) + 1], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?;
                mapped.collect::<Result<_, _>>()?
            };
            let has_more = rows.len() > limit as usize;
            let mut changes = Vec::with_capacity(rows.len().min(limit as usize));
            let mut last = after;
            let rows = &rows[..rows.len().min(limit as usize)];
            // The page's cases as they are now, read together; a case that no longer concerns
            // the caller (moved to another officer or department) goes with its assignment only.
            let ids: Vec<&str> = rows.iter().map(|(_, id, _, _)| id.as_str()).collect();
            let snapshots = snapshots.current(tx, &epoch, &ids)?;
            for (seq, application_id, kind, at) in rows.iter().cloned() {
                last = seq;
                let Some(snapshot) = snapshots.get(&application_id) else { continue };
                let concerns_caller = match caller.role {
                    Role::Supervisor => snapshot.department_id == caller.department_id,
                    Role::Officer => snapshot.officer_id.as_deref() == Some(caller.user_id.as_str()),
                };
                changes.push(ChangeOut {
                    kind: ChangeKind::parse(&kind).unwrap_or(ChangeKind::Changed),
                    at,
                    application_id,
                    assignment: snapshot.assignment.clone(),
                    application: concerns_caller.then(|| snapshot.clone()),
                });
            }
            // Written when it changes (to the second): a sync's pages that follow within the
            // same second write nothing, so commit without a flush of the disk.
            tx.execute(
                "UPDATE users SET last_sync_at = ?1 WHERE id = ?2 AND last_sync_at IS DISTINCT FROM ?1",
                params![clock::format(clock::now()), caller.user_id],
            )?;
            Ok(PageOut {
                changes,
                next_cursor: encode_cursor(&epoch, last),
                has_more,
            })
        })
        .await
        .and_then(PageOut::into_json)
}

impl PageOut {
    /// The page's JSON, written into a buffer the size of its snapshots (axum's `Json` grows
    /// one from 128 bytes, copying a 1.6 MB page a dozen times on the way).
    fn into_json(self) -> ApiResult<Response> {
        let snapshots: usize = self
            .changes
            .iter()
            .filter_map(|c| c.application.as_ref())
            .map(|s| s.json.get().len())
            .sum();
        let mut body = Vec::with_capacity(snapshots + 256 * self.changes.len() + 256);
        serde_json::to_writer(&mut body, &self)
            .map_err(|e| ApiError::internal(format!("cannot write the page: {e}")))?;
        Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPOCH: &str = "0123456789abcdef";

    fn at(epoch: Option<&str>, seq: i64) -> Option<Position> {
        Some(Position {
            epoch: epoch.map(str::to_owned),
            seq,
        })
    }

    #[test]
    fn cursors_round_trip_and_reject_forgeries() {
        for seq in [0, 1, 42, i64::MAX] {
            assert_eq!(
                decode_cursor(&encode_cursor(EPOCH, seq)),
                at(Some(EPOCH), seq)
            );
        }
        for bad in [
            "garbage!",
            "",
            "c1:",
            "c1:-1",
            "c1:+1",
            "c1:1x",
            "c2:1",
            "c2::1",
            "c2:0123456789ABCDEF:1",
            "c2:0123456789abcde:1",
            "c2:0123456789abcdef:",
            "c1:99999999999999999999",
            "zz",
        ] {
            assert_eq!(decode_cursor(bad), None, "{bad}");
        }
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("c1:-5")), None);
    }

    #[test]
    fn cursors_written_before_epochs_still_read() {
        assert_eq!(encode_cursor(EPOCH, 42), "c2:0123456789abcdef:42");
        assert_eq!(decode_cursor("c1:42"), at(None, 42));
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("c1:7")), at(None, 7));
    }
}

//! The queue's reads over table `cases` and its search index `cases_fts`: each case's entry
//! (number, names, identifiers and its documents' text, folded the Azerbaijani way, with the
//! names' and other scripts' words' keys across scripts, `migdesk_domain::translit`) and the
//! statements behind one page of the queue.

use migdesk_api::{ApplicationDetail, Status};
use migdesk_domain::fold::fold;
use migdesk_domain::translit;
use rusqlite::{params, params_from_iter, types::Value as SqlValue};

use super::{Store, map_sql};
use crate::error::DeskResult;
use crate::queue::{QueueQuery, QueueRow, Sort, SyncState};

/// How much of one document's text goes into the search index.
const INDEXED_CHARS_PER_DOCUMENT: usize = 20_000;

/// Indexes a case for search: number, names (Latin and as written), passport, FIN, e-mail, and
/// the text of its documents that has been read so far.
pub(crate) fn index(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    app: &ApplicationDetail,
) -> DeskResult<()> {
    let a = &app.applicant;
    let mut parts: Vec<String> = [
        Some(&app.number),
        Some(&a.name_latin),
        Some(&a.name_native),
        a.passport_number.as_ref(),
        a.fin.as_ref(),
        Some(&a.email),
    ]
    .into_iter()
    .flatten()
    .map(|v| fold(v))
    .collect();
    // The names' keys across scripts: a name typed in Cyrillic finds it written in Latin.
    parts.push(translit::name_key(&format!(
        "{} {}",
        a.name_latin, a.name_native
    )));
    let mut stmt = tx
        .prepare_cached(
            "SELECT t.text FROM documents d JOIN document_text t ON t.sha256 = d.sha256
             WHERE d.case_id = ?1 AND t.text IS NOT NULL ORDER BY d.id",
        )
        .map_err(map_sql)?;
    let texts = stmt
        .query_map([id], |r| r.get::<_, String>(0))
        .map_err(map_sql)?;
    for text in texts {
        let text = text.map_err(map_sql)?;
        let cut: String = text.chars().take(INDEXED_CHARS_PER_DOCUMENT).collect();
        parts.push(fold(&cut));
        // Words in Cyrillic, Georgian or Persian found by their Latin key too.
        parts.push(translit::search_keys(&cut));
    }
    let text = parts.join(" ");
    // The entry shares its case's rowid: replacing it is a lookup by key, not a scan.
    let rowid: i64 = tx
        .query_row("SELECT rowid FROM cases WHERE id = ?1", [id], |r| r.get(0))
        .map_err(map_sql)?;
    tx.execute("DELETE FROM cases_fts WHERE rowid = ?1", [rowid])
        .map_err(map_sql)?;
    tx.execute(
        "INSERT INTO cases_fts (rowid, case_id, text) VALUES (?1, ?2, ?3)",
        params![rowid, id, text],
    )
    .map_err(map_sql)?;
    Ok(())
}

/// Indexes a case again from its stored description (its documents' text has arrived).
pub(crate) fn reindex(tx: &rusqlite::Transaction<'_>, id: &str) -> DeskResult<()> {
    let detail: String = tx
        .query_row("SELECT detail FROM cases WHERE id = ?1", [id], |r| r.get(0))
        .map_err(map_sql)?;
    let app: ApplicationDetail = serde_json::from_str(&detail)
        .map_err(|e| crate::DeskError::internal(format!("case {id}: {e}")))?;
    index(tx, id, &app)
}

/// A status column as the cache holds it (written from the contract's enum).
fn status_column(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Status> {
    let text: String = r.get(idx)?;
    Status::parse(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("{text:?} is not a case status").into(),
        )
    })
}

/// Turns what the officer typed into an FTS5 query: each folded word as a prefix, or its key
/// across scripts as a prefix (`Гусейнов` finds `Hüseynov`, `Huseynov` finds `Гусейнов`).
fn fts_query(search: &str) -> Option<String> {
    let words: Vec<String> = fold(search)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let key = translit::name_key(w);
            if key.is_empty() || key == w || key.contains(' ') {
                format!("\"{w}\"*")
            } else {
                format!("(\"{w}\"* OR \"{key}\"*)")
            }
        })
        .collect();
    // Explicit ANDs: FTS5 refuses a bare phrase after a parenthesised group.
    (!words.is_empty()).then(|| words.join(" AND "))
}

/// The SQL behind one page of the queue: the count, the page, and their parameters.
#[derive(Debug, Clone)]
pub struct Statements {
    pub count: String,
    pub page: String,
    pub args: Vec<SqlValue>,
}

/// Builds the statements for a query (public so that the benchmark can run the very same SQL
/// in the sqlite3 command-line tool).
pub fn statements(q: &QueueQuery, today: &str) -> Statements {
    let mut conditions = Vec::new();
    let mut args: Vec<SqlValue> = Vec::new();
    if q.mine {
        conditions.push("c.mine = 1".to_owned());
    }
    if let Some(s) = &q.service {
        args.push(s.clone().into());
        conditions.push(format!("c.service = ?{}", args.len()));
    }
    if let Some(s) = q.status {
        args.push(s.as_str().to_owned().into());
        conditions.push(format!("c.status = ?{}", args.len()));
    }
    if q.overdue {
        args.push(today.to_owned().into());
        conditions.push(format!(
            "c.status = 'pending' AND c.due_date < ?{}",
            args.len()
        ));
    }
    if let Some(fts) = q.search.as_deref().and_then(fts_query) {
        args.push(fts.into());
        conditions.push(format!(
            "c.rowid IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?{})",
            args.len()
        ));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let order = match q.sort {
        Sort::Due => "c.due_date",
        Sort::Submitted => "c.submitted_at",
        Sort::Number => "c.number",
        Sort::Applicant => "c.applicant_key",
    };
    let dir = if q.descending { "DESC" } else { "ASC" };
    let limit = if q.limit == 0 { 100 } else { q.limit.min(1000) };
    Statements {
        count: format!("SELECT COUNT(*) FROM cases c {filter}"),
        page: format!(
            "SELECT c.id, c.number, c.applicant, c.service, c.status, c.submitted_at, c.due_date,
                COALESCE((SELECT CASE WHEN o.state = 'sent' AND c.status = 'pending' THEN
                     -- A refusal the supervisor returned: the officer's to decide again.
                     CASE WHEN EXISTS (SELECT 1 FROM json_each(c.detail, '$.history') h
                                       WHERE json_extract(h.value, '$.kind') = 'refusal_returned'
                                         AND json_extract(h.value, '$.detail.decision_id') = o.id)
                          THEN '{returned}' END
                   ELSE o.state END
                 FROM outbox o WHERE o.case_id = c.id AND {mine} ORDER BY o.recorded_at DESC LIMIT 1),
                 CASE WHEN c.proposal IS NOT NULL THEN '{awaiting}' END),
                c.paused_days_left
         FROM cases c {filter} ORDER BY {order} {dir}, c.number {dir} LIMIT {limit} OFFSET {}",
            q.offset,
            mine = super::of_session("o"),
            awaiting = SyncState::AWAITING_APPROVAL,
            returned = SyncState::RETURNED,
        ),
        args,
    }
}

impl Store {
    /// The signed-in officer's cases waiting for a decision due from `from` to `until`
    /// (YYYY-MM-DD, both included).
    pub(crate) fn due_between(&self, from: &str, until: &str) -> DeskResult<i64> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM cases WHERE mine = 1 AND status = 'pending' AND due_date >= ?1 AND due_date <= ?2",
                [from, until],
                |r| r.get(0),
            )
            .map_err(map_sql)
    }

    /// One page of the queue as stored (the calendar's figures left for the caller), and how
    /// many rows match in all.
    pub(crate) fn queue_page(
        &self,
        q: &QueueQuery,
        today: &str,
    ) -> DeskResult<(Vec<QueueRow>, i64)> {
        let Statements {
            count,
            page: page_sql,
            args,
        } = statements(q, today);
        let total: i64 = self
            .conn
            .query_row(&count, params_from_iter(args.iter()), |r| r.get(0))
            .map_err(map_sql)?;
        let mut stmt = self.conn.prepare(&page_sql).map_err(map_sql)?;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| {
                Ok(QueueRow {
                    id: r.get(0)?,
                    number: r.get(1)?,
                    applicant: r.get(2)?,
                    service: r.get(3)?,
                    status: status_column(r, 4)?,
                    submitted_at: r.get(5)?,
                    due_date: r.get(6)?,
                    sync_state: SyncState::of_outbox(r.get::<_, Option<String>>(7)?.as_deref()),
                    working_days_left: None,
                    paused_days_left: r
                        .get::<_, Option<i64>>(8)?
                        .map(|d| i32::try_from(d).unwrap_or(i32::MAX)),
                    overdue: false,
                })
            })
            .and_then(Iterator::collect)
            .map_err(map_sql)?;
        Ok((rows, total))
    }
}

//! The officer's queue over the cache: filter, sort, page, and full-text search with
//! Azerbaijani folding, so that "ismayıllı" finds "İSMAYILLI".

use migdesk_api::{ApplicationDetail, Status};
use migdesk_domain::fold::fold;
use rusqlite::{params, params_from_iter, types::Value as SqlValue};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cache::{Store, sql};
use crate::error::DeskResult;

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
    let mut stmt = tx
        .prepare_cached(
            "SELECT t.text FROM documents d JOIN document_text t ON t.sha256 = d.sha256
             WHERE d.case_id = ?1 AND t.text IS NOT NULL ORDER BY d.id",
        )
        .map_err(sql)?;
    let texts = stmt
        .query_map([id], |r| r.get::<_, String>(0))
        .map_err(sql)?;
    for text in texts {
        let text = text.map_err(sql)?;
        let cut: String = text.chars().take(INDEXED_CHARS_PER_DOCUMENT).collect();
        parts.push(fold(&cut));
    }
    let text = parts.join(" ");
    // The entry shares its case's rowid: replacing it is a lookup by key, not a scan.
    let rowid: i64 = tx
        .query_row("SELECT rowid FROM cases WHERE id = ?1", [id], |r| r.get(0))
        .map_err(sql)?;
    tx.execute("DELETE FROM cases_fts WHERE rowid = ?1", [rowid])
        .map_err(sql)?;
    tx.execute(
        "INSERT INTO cases_fts (rowid, case_id, text) VALUES (?1, ?2, ?3)",
        params![rowid, id, text],
    )
    .map_err(sql)?;
    Ok(())
}

/// Indexes a case again from its stored description (its documents' text has arrived).
pub(crate) fn reindex(tx: &rusqlite::Transaction<'_>, id: &str) -> DeskResult<()> {
    let detail: String = tx
        .query_row("SELECT detail FROM cases WHERE id = ?1", [id], |r| r.get(0))
        .map_err(sql)?;
    let app: ApplicationDetail = serde_json::from_str(&detail)
        .map_err(|e| crate::DeskError::internal(format!("case {id}: {e}")))?;
    index(tx, id, &app)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Due,
    Submitted,
    Number,
    Applicant,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QueueQuery {
    pub service: Option<String>,
    pub status: Option<Status>,
    /// Only cases past their due date.
    pub overdue: bool,
    /// Only the caller's own cases.
    pub mine: bool,
    pub search: Option<String>,
    pub sort: Sort,
    pub descending: bool,
    pub offset: u32,
    pub limit: u32,
}

/// Where this desk's latest decision on a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// No decision recorded here.
    None,
    /// Recorded, waiting to be sent.
    Pending,
    /// The centre has it.
    Sent,
    /// The centre kept it as a conflict.
    Conflict,
}

impl SyncState {
    fn of_outbox(state: Option<&str>) -> Self {
        match state.and_then(crate::sync::OutboxState::parse) {
            None => SyncState::None,
            Some(crate::sync::OutboxState::Pending) => SyncState::Pending,
            Some(crate::sync::OutboxState::Sent) => SyncState::Sent,
            Some(crate::sync::OutboxState::Conflict) => SyncState::Conflict,
        }
    }
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QueueRow {
    pub id: String,
    pub number: String,
    pub applicant: String,
    pub service: String,
    pub status: Status,
    pub submitted_at: String,
    pub due_date: String,
    pub sync_state: SyncState,
    /// Working days from today to the due date (negative: overdue by that many), from the
    /// calendar table; `None` when the table does not cover the dates.
    pub working_days_left: Option<i32>,
    /// Past its due date and still waiting for a decision.
    pub overdue: bool,
}

fn calendar() -> &'static migdesk_domain::Calendar {
    static CALENDAR: std::sync::OnceLock<migdesk_domain::Calendar> = std::sync::OnceLock::new();
    CALENDAR.get_or_init(migdesk_domain::Calendar::builtin)
}

/// Working days left until `due` (both `yyyy-mm-dd…`), by the calendar table.
pub(crate) fn working_days_left(today: &str, due: &str) -> Option<i32> {
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok();
    let days = calendar()
        .working_days_left(date(today)?, date(due)?)
        .ok()?;
    i32::try_from(days).ok()
}

/// Turns what the officer typed into an FTS5 query: each folded word as a prefix.
fn fts_query(search: &str) -> Option<String> {
    let words: Vec<String> = fold(search)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
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
        Sort::Applicant => "c.applicant COLLATE az",
    };
    let dir = if q.descending { "DESC" } else { "ASC" };
    let limit = if q.limit == 0 { 100 } else { q.limit.min(1000) };
    Statements {
        count: format!("SELECT COUNT(*) FROM cases c {filter}"),
        page: format!(
            "SELECT c.id, c.number, c.applicant, c.service, c.status, c.submitted_at, c.due_date,
                (SELECT o.state FROM outbox o WHERE o.case_id = c.id ORDER BY o.recorded_at DESC LIMIT 1)
         FROM cases c {filter} ORDER BY {order} {dir}, c.number {dir} LIMIT {limit} OFFSET {}",
            q.offset
        ),
        args,
    }
}

/// One page of the queue, and how many rows match in all.
pub fn list(store: &Store, q: &QueueQuery, today: &str) -> DeskResult<(Vec<QueueRow>, i64)> {
    let Statements {
        count,
        page: page_sql,
        args,
    } = statements(q, today);
    let total: i64 = store
        .conn
        .query_row(&count, params_from_iter(args.iter()), |r| r.get(0))
        .map_err(sql)?;
    let mut stmt = store.conn.prepare(&page_sql).map_err(sql)?;
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
                overdue: false,
            })
        })
        .map_err(sql)?
        .collect::<Result<Vec<QueueRow>, _>>()
        .map_err(sql)?;
    let rows = rows
        .into_iter()
        .map(|row| QueueRow {
            working_days_left: working_days_left(today, &row.due_date),
            overdue: row.status == Status::Pending && row.due_date.as_str() < today,
            ..row
        })
        .collect();
    Ok((rows, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::CacheKey;
    use serde_json::json;

    fn case(
        tx: &rusqlite::Transaction<'_>,
        id: &str,
        number: &str,
        latin: &str,
        native: &str,
        due: &str,
        service: &str,
    ) {
        let app: ApplicationDetail = serde_json::from_value(json!({
            "id": id, "number": number, "service": service, "tier": "standard",
            "submitted_at": "2026-11-01T10:00:00Z", "due_date": due, "department_id": "baku",
            "status": "pending", "assignment": { "officer": null, "version": 1 },
            "applicant": {
                "name_latin": latin, "name_native": native, "passport_number": format!("P{number}"),
                "date_of_birth": "1990-01-01", "nationality": "AZE", "email": "a@example.org", "language": "az"
            },
            "form": [], "documents": [], "history": []
        }))
        .unwrap();
        tx.execute(
            "INSERT INTO cases (id, number, service, status, due_date, submitted_at, officer_id, version, mine, detail, synced_at, applicant)
             VALUES (?1, ?2, ?3, 'pending', ?4, '2026-11-01T10:00:00Z', 'me', 1, 1, ?5, '', ?6)",
            params![id, number, service, due, serde_json::to_string(&app).unwrap(), latin],
        )
        .unwrap();
        index(tx, id, &app).unwrap();
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("c.db"), &CacheKey::random()).unwrap();
        let tx = store.conn.transaction().unwrap();
        case(
            &tx,
            "1",
            "MX-1",
            "Chingiz ISMAYILLI",
            "Çingiz İSMAYILLI",
            "2026-11-20",
            "trp-issue",
        );
        case(
            &tx,
            "2",
            "MX-2",
            "Aysel Mammadova",
            "Aysel Məmmədova",
            "2026-12-01",
            "work-permit-issue",
        );
        case(
            &tx,
            "3",
            "MX-3",
            "Ivan Petrov",
            "Иван Петров",
            "2026-11-25",
            "trp-issue",
        );
        case(
            &tx,
            "4",
            "MX-4",
            "Ilham Aliyev",
            "İlham Əliyev",
            "2026-11-10",
            "stay-extension",
        );
        tx.commit().unwrap();
        (dir, store)
    }

    fn ids(rows: &[QueueRow]) -> Vec<&str> {
        rows.iter().map(|r| r.id.as_str()).collect()
    }

    #[test]
    fn search_folds_azerbaijani_case_and_diacritics() {
        let (_d, s) = store();
        for typed in [
            "ismayıllı",
            "İSMAYILLI",
            "ismayilli",
            "Çingiz",
            "cingiz ism",
        ] {
            let q = QueueQuery {
                search: Some(typed.into()),
                ..Default::default()
            };
            assert_eq!(
                ids(&list(&s, &q, "2026-11-21").unwrap().0),
                vec!["1"],
                "{typed}"
            );
        }
        let q = QueueQuery {
            search: Some("məmməd".into()),
            ..Default::default()
        };
        assert_eq!(ids(&list(&s, &q, "2026-11-21").unwrap().0), vec!["2"]);
        let q = QueueQuery {
            search: Some("петр".into()),
            ..Default::default()
        };
        assert_eq!(ids(&list(&s, &q, "2026-11-21").unwrap().0), vec!["3"]);
        let q = QueueQuery {
            search: Some("PMX-4".into()),
            ..Default::default()
        };
        assert_eq!(ids(&list(&s, &q, "2026-11-21").unwrap().0), vec!["4"]);
        let q = QueueQuery {
            search: Some("\"); DROP TABLE cases; --".into()),
            ..Default::default()
        };
        assert!(list(&s, &q, "2026-11-21").is_ok());
    }

    #[test]
    fn filters_sorting_and_paging() {
        let (_d, s) = store();
        let q = QueueQuery {
            overdue: true,
            ..Default::default()
        };
        assert_eq!(ids(&list(&s, &q, "2026-11-21").unwrap().0), vec!["4", "1"]);
        let q = QueueQuery {
            service: Some("trp-issue".into()),
            sort: Sort::Due,
            descending: true,
            ..Default::default()
        };
        assert_eq!(ids(&list(&s, &q, "2026-11-21").unwrap().0), vec!["3", "1"]);
        let q = QueueQuery {
            sort: Sort::Applicant,
            ..Default::default()
        };
        // Aysel, Chingiz, Ilham, Ivan: Azerbaijani order (C before I; I before İ is tested in domain).
        assert_eq!(
            ids(&list(&s, &q, "2026-11-21").unwrap().0),
            vec!["2", "1", "4", "3"]
        );
        let q = QueueQuery {
            sort: Sort::Number,
            limit: 2,
            offset: 2,
            ..Default::default()
        };
        let (rows, total) = list(&s, &q, "2026-11-21").unwrap();
        assert_eq!((ids(&rows), total), (vec!["3", "4"], 4));
    }

    #[test]
    fn rows_carry_the_working_days_left_by_the_calendar() {
        let (_d, s) = store();
        let q = QueueQuery {
            sort: Sort::Number,
            ..QueueQuery::default()
        };
        let (rows, _) = list(&s, &q, "2026-11-21").unwrap();
        let left = |number: &str| {
            rows.iter()
                .find(|r| r.number == number)
                .unwrap()
                .working_days_left
        };
        // Due Friday 20 November, seen on Saturday 21: overdue, though no working day has
        // passed since.
        assert_eq!(left("MX-1"), Some(0));
        assert!(rows.iter().find(|r| r.number == "MX-1").unwrap().overdue);
        assert!(!rows.iter().find(|r| r.number == "MX-2").unwrap().overdue);
        // Due Tuesday 1 December: Mon 23 … Fri 27, Mon 30, Tue 1 = 7 working days.
        assert_eq!(left("MX-2"), Some(7));
        // Outside the calendar table: no guess.
        assert_eq!(working_days_left("2026-11-21", "2031-01-01"), None);
    }
}

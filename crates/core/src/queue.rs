//! The officer's queue over the cache: filter, sort, page, and full-text search with
//! Azerbaijani folding, so that "ismayıllı" finds "İSMAYILLI".

use migdesk_api::Status;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cache::Store;
use crate::error::DeskResult;

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
    /// A refusal on the case waits for a supervisor's approval (four eyes).
    AwaitingApproval,
    /// The supervisor returned this desk's refusal with a note: the case is the officer's to
    /// decide again.
    Returned,
}

impl SyncState {
    /// How the queue's statement names [`SyncState::AwaitingApproval`].
    pub(crate) const AWAITING_APPROVAL: &str = "awaiting_approval";
    /// How the queue's statement names [`SyncState::Returned`].
    pub(crate) const RETURNED: &str = "returned";

    pub(crate) fn of_outbox(state: Option<&str>) -> Self {
        match state {
            Some(Self::AWAITING_APPROVAL) => return SyncState::AwaitingApproval,
            Some(Self::RETURNED) => return SyncState::Returned,
            _ => {}
        }
        match state.and_then(crate::cache::OutboxState::parse) {
            None => SyncState::None,
            Some(crate::cache::OutboxState::Pending) => SyncState::Pending,
            Some(crate::cache::OutboxState::Sent) => SyncState::Sent,
            Some(crate::cache::OutboxState::Conflict) => SyncState::Conflict,
        }
    }
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
    /// Set while the deadline is stopped (the applicant owes documents): the working days it
    /// keeps for when they arrive.
    pub paused_days_left: Option<i32>,
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

pub use crate::cache::{Statements, statements};

/// The next working day after `today` (YYYY-MM-DD) by the calendar table; `today` itself when
/// the table does not reach that far.
pub(crate) fn next_working_day(today: &str) -> String {
    chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d")
        .ok()
        .and_then(|d| calendar().add_working_days(d, 1).ok())
        .map_or_else(|| today.to_owned(), |d| d.format("%Y-%m-%d").to_string())
}

/// One page of the queue, and how many rows match in all.
pub fn list(store: &Store, q: &QueueQuery, today: &str) -> DeskResult<(Vec<QueueRow>, i64)> {
    let (rows, total) = store.queue_page(q, today)?;
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
    use migdesk_api::Change;
    use serde_json::json;

    /// A case of "me" as the change feed brings it.
    fn case(id: &str, number: &str, latin: &str, native: &str, due: &str, service: &str) -> Change {
        let assignment = json!({ "officer": { "id": "me", "full_name": "Me" }, "version": 1 });
        serde_json::from_value(json!({
            "kind": "created", "at": "2026-11-01T10:00:00Z", "application_id": id,
            "assignment": assignment,
            "application": {
                "id": id, "number": number, "service": service, "tier": "standard",
                "submitted_at": "2026-11-01T10:00:00Z", "due_date": due, "department_id": "baku",
                "status": "pending", "assignment": assignment,
                "applicant": {
                    "name_latin": latin, "name_native": native, "passport_number": format!("P{number}"),
                    "date_of_birth": "1990-01-01", "nationality": "AZE", "email": "a@example.org", "language": "az"
                },
                "form": [], "documents": [], "history": []
            }
        }))
        .unwrap()
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("c.db"), &CacheKey::random()).unwrap();
        let changes = [
            case(
                "1",
                "MX-1",
                "Chingiz ISMAYILLI",
                "Çingiz İSMAYILLI",
                "2026-11-20",
                "trp-issue",
            ),
            case(
                "2",
                "MX-2",
                "Aysel Mammadova",
                "Aysel Məmmədova",
                "2026-12-01",
                "work-permit-issue",
            ),
            case(
                "3",
                "MX-3",
                "Ivan Petrov",
                "Иван Петров",
                "2026-11-25",
                "trp-issue",
            ),
            case(
                "4",
                "MX-4",
                "Ilham Aliyev",
                "İlham Əliyev",
                "2026-11-10",
                "stay-extension",
            ),
        ];
        store.apply_feed_page(&changes, "c1:4", "me").unwrap();
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
        // A name typed in another script or transliteration: `Алиев` is `Aliyev`.
        for typed in ["Алиев", "ƏLİYEV", "Ismaiilli"] {
            let q = QueueQuery {
                search: Some(typed.into()),
                ..Default::default()
            };
            let expected = if typed == "Ismaiilli" { "1" } else { "4" };
            assert_eq!(
                ids(&list(&s, &q, "2026-11-21").unwrap().0),
                vec![expected],
                "{typed}"
            );
        }
        // A number typed as written, next to a word that keys differently (`shk` keys `sk`).
        let q = QueueQuery {
            search: Some("shk MX-4".into()),
            ..Default::default()
        };
        assert_eq!(
            ids(&list(&s, &q, "2026-11-21").unwrap().0),
            Vec::<&str>::new()
        );
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
    fn every_order_walks_an_index_instead_of_sorting_every_case() {
        let (_d, s) = store();
        for sort in [Sort::Due, Sort::Submitted, Sort::Number, Sort::Applicant] {
            for (descending, mine) in [(false, false), (true, false), (false, true), (true, true)] {
                let q = QueueQuery {
                    sort,
                    descending,
                    mine,
                    ..Default::default()
                };
                let page = statements(&q, "2026-11-21").page;
                let plan: Vec<(i64, String)> = s
                    .conn_for_tests()
                    .prepare(&format!("EXPLAIN QUERY PLAN {page}"))
                    .unwrap()
                    .query_map([], |r| Ok((r.get(1)?, r.get(3)?)))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                // The page's own order (parent 0), and no full read of a table for each row.
                assert!(
                    !plan.iter().any(|(parent, step)| {
                        (*parent == 0 && step.contains("TEMP B-TREE FOR ORDER BY"))
                            || step.starts_with("SCAN o")
                    }),
                    "{sort:?} descending {descending} mine {mine}: {plan:?}"
                );
            }
        }
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

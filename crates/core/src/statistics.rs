//! The department's statistics for its supervisor: computed by the centre, kept in the cache as
//! last answered so that they can be read offline, and any of their tables written as CSV.

use std::path::{Path, PathBuf};

pub use migdesk_api::{Statistics, StatisticsQuery};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cache::Store;
use crate::error::{DeskError, DeskResult, ErrorKind};
use crate::supervision::{Supervision, write_export};
use crate::sync::central::path_id;

/// The figures the department screen shows, and where they come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StatisticsView {
    pub figures: Statistics,
    /// When the centre answered them (RFC 3339).
    pub fetched_at: String,
    /// The centre could not be reached: these are the figures kept from `fetched_at`, which may
    /// be for another period or service than asked (the figures say which).
    pub offline: bool,
}

/// Which of the statistics' tables a CSV file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StatisticsTable {
    Weeks,
    Officers,
    Services,
    Backlog,
    Reasons,
    Fields,
    Documents,
}

impl StatisticsTable {
    fn name(self) -> &'static str {
        match self {
            Self::Weeks => "weeks",
            Self::Officers => "officers",
            Self::Services => "services",
            Self::Backlog => "backlog",
            Self::Reasons => "reasons",
            Self::Fields => "fields",
            Self::Documents => "documents",
        }
    }
}

/// A table as the screen shows it (headings and cells in the officer's language), to be written
/// as a CSV file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct StatisticsExport {
    pub table: StatisticsTable,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The most rows, columns and characters a cell an exported table may have.
const MAX_ROWS: usize = 5_000;
const MAX_COLUMNS: usize = 20;
const MAX_CELL: usize = 500;

impl Supervision {
    /// The department's figures, from the centre.
    pub async fn statistics(&self, query: &StatisticsQuery) -> DeskResult<Statistics> {
        self.central
            .get_query(
                &self.token,
                &format!("/departments/{}/statistics", path_id(&self.department)?),
                query,
            )
            .await
    }
}

fn key(query: &StatisticsQuery) -> String {
    serde_json::to_string(query).unwrap_or_default()
}

/// What the screen shows after asking the centre: its figures, kept for later; or, when the
/// centre cannot be reached, the figures kept last (for this question if asked before).
pub(crate) fn received(
    store: &mut Store,
    query: &StatisticsQuery,
    answer: DeskResult<Statistics>,
) -> DeskResult<StatisticsView> {
    match answer {
        Ok(figures) => {
            let fetched_at = crate::cache::now();
            let json =
                serde_json::to_string(&figures).map_err(|e| DeskError::internal(e.to_string()))?;
            store.keep_statistics(&key(query), &json, &fetched_at)?;
            Ok(StatisticsView {
                figures,
                fetched_at,
                offline: false,
            })
        }
        Err(e) if e.kind == ErrorKind::Offline => {
            let Some((json, fetched_at)) = store.kept_statistics(&key(query))? else {
                return Err(e);
            };
            Ok(StatisticsView {
                figures: serde_json::from_str(&json)
                    .map_err(|e| DeskError::internal(e.to_string()))?,
                fetched_at,
                offline: true,
            })
        }
        Err(e) => Err(e),
    }
}

/// A cell as written: text a spreadsheet would run as a formula is kept as text.
fn cell(text: &str) -> String {
    let formula = text.starts_with(['=', '+', '@', '\t', '\r'])
        || (text.starts_with('-') && text.parse::<f64>().is_err());
    if formula {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// The table as CSV (UTF-8 with a byte order mark, so spreadsheets read the letters right).
pub fn csv_of(export: &StatisticsExport) -> DeskResult<Vec<u8>> {
    let columns = export.header.len();
    let fits = (1..=MAX_COLUMNS).contains(&columns)
        && export.rows.len() <= MAX_ROWS
        && export.rows.iter().all(|r| r.len() == columns)
        && export
            .rows
            .iter()
            .chain(std::iter::once(&export.header))
            .flatten()
            .all(|c| c.chars().count() <= MAX_CELL);
    if !fits {
        return Err(DeskError::new(
            ErrorKind::Invalid,
            format!(
                "a table to export has 1 to {MAX_COLUMNS} columns, every row as many, at most {MAX_ROWS} rows and {MAX_CELL} characters a cell"
            ),
        ));
    }
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    for row in std::iter::once(&export.header).chain(&export.rows) {
        out.write_record(row.iter().map(|c| cell(c)))
            .map_err(|e| DeskError::internal(e.to_string()))?;
    }
    out.into_inner()
        .map_err(|e| DeskError::internal(e.to_string()))
}

/// Writes the table into `folder` as `statistics-<table>-<local time>.csv` and remembers the
/// file, so that wiping the workstation removes it too.
pub(crate) fn export(
    store: &Store,
    export: &StatisticsExport,
    folder: &Path,
) -> DeskResult<PathBuf> {
    let bytes = csv_of(export)?;
    let path = write_export(
        folder,
        &format!("statistics-{}", export.table.name()),
        &bytes,
    )?;
    store.record_export(None, &path)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(header: &[&str], rows: &[&[&str]]) -> StatisticsExport {
        StatisticsExport {
            table: StatisticsTable::Officers,
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        }
    }

    #[test]
    fn a_table_is_written_as_csv_with_formulas_kept_as_text() {
        let bytes = csv_of(&table(
            &["Əməkdaş", "Qəbul"],
            &[
                &["Aysel Məmmədova, böyük", "12"],
                &["=HYPERLINK(\"x\")", "-3"],
            ],
        ))
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "\u{feff}Əməkdaş,Qəbul\n\"Aysel Məmmədova, böyük\",12\n\"'=HYPERLINK(\"\"x\"\")\",-3\n"
        );
    }

    #[test]
    fn a_ragged_or_huge_table_is_refused() {
        let ragged = csv_of(&table(&["a", "b"], &[&["1"]])).unwrap_err();
        assert_eq!(ragged.kind, ErrorKind::Invalid);
        assert!(csv_of(&table(&[], &[])).is_err());
        let long = "x".repeat(MAX_CELL + 1);
        assert!(csv_of(&table(&["a"], &[&[long.as_str()]])).is_err());
    }
}

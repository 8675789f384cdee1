//! One SQL interface over the centre's two engines: [`Conn`] runs a statement on SQLite
//! (rusqlite) or on PostgreSQL (tokio-postgres, driven from the blocking thread the work runs
//! on), so the handlers, the seed and the administration commands are written once.
//!
//! Statements are written for both: `?N` placeholders (sent to PostgreSQL as `$N`), the types of
//! the schema (`BIGINT`/`INTEGER` numbers, `TEXT`, `BLOB`/`BYTEA`), and standard SQL; where the
//! engines differ, the code asks [`Conn::engine`]. Values cross as SQLite's five kinds — a
//! parameter is anything rusqlite can bind, a column is read as anything rusqlite can read —
//! and PostgreSQL's are converted to and from them by the column's type (`BIGINT`, `INTEGER`,
//! `BOOLEAN` and `NUMERIC` as integers, `TEXT` and `JSON` as text, `BYTEA` as bytes).

use std::cell::Cell;

use rusqlite::ToSql;
use rusqlite::types::{FromSql, ValueRef};

mod postgres;

pub(crate) use postgres::PgConn;
use postgres::{PgCell, failed_in, pg_execute, pg_query};

/// The text at `key` of the JSON object in `column`, in `engine`'s SQL (NULL where it has none).
pub fn json_text(engine: Engine, column: &str, key: &str) -> String {
    match engine {
        Engine::Sqlite => format!("json_extract({column}, '$.{key}')"),
        Engine::Postgres => format!("(CAST({column} AS json) ->> '{key}')"),
    }
}

/// Which engine a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A failed statement.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A query for one row found none (see [`OptionalExtension::optional`]).
    #[error("the query returned no rows")]
    NoRows,
    #[error(transparent)]
    Sqlite(rusqlite::Error),
    #[error("{}{}", postgres_words(source), statement.as_deref().map(|s| format!(" (in: {s})")).unwrap_or_default())]
    Postgres {
        source: tokio_postgres::Error,
        /// The statement that failed (its start).
        statement: Option<String>,
    },
    /// A column or parameter that does not fit the type asked for.
    #[error("column {column}: {message}")]
    Value { column: usize, message: String },
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => Error::NoRows,
            e => Error::Sqlite(e),
        }
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(source: tokio_postgres::Error) -> Self {
        Error::Postgres {
            source,
            statement: None,
        }
    }
}

/// PostgreSQL's own words for a failed statement (its code and message), not only "db error".
fn postgres_words(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} {}", db.code().code(), db.message()),
        None => e.to_string(),
    }
}

impl Error {
    /// Whether the statement failed because a concurrent transaction won (a serialization
    /// failure or a deadlock): the transaction is run again.
    pub fn is_lost_race(&self) -> bool {
        use tokio_postgres::error::SqlState;
        matches!(self, Error::Postgres { source, .. } if matches!(
            source.code(),
            Some(&SqlState::T_R_SERIALIZATION_FAILURE | &SqlState::T_R_DEADLOCK_DETECTED)
        ))
    }

    /// A column whose stored value cannot be read as what it should hold.
    pub fn column(column: usize, e: impl std::fmt::Display) -> Self {
        Error::Value {
            column,
            message: e.to_string(),
        }
    }

    /// Whether the statement broke a `UNIQUE` or primary key constraint.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            Error::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            }
            Error::Postgres { source: e, .. } => {
                e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
            }
            _ => false,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// `None` for a query that found no row, as rusqlite's extension of the same name.
pub trait OptionalExtension<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A statement's parameters: `rusqlite::params![…]`, or an array of one type.
pub trait Params {
    fn list(&self) -> Vec<&dyn ToSql>;
}

impl Params for &[&dyn ToSql] {
    fn list(&self) -> Vec<&dyn ToSql> {
        self.to_vec()
    }
}

impl Params for [&(dyn ToSql + Send + Sync); 0] {
    fn list(&self) -> Vec<&dyn ToSql> {
        Vec::new()
    }
}

macro_rules! array_params {
    ($($n:literal)*) => {$(
        impl<T: ToSql> Params for [T; $n] {
            fn list(&self) -> Vec<&dyn ToSql> {
                self.iter().map(|v| v as &dyn ToSql).collect()
            }
        }
    )*};
}

array_params!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);

impl<T: ToSql> Params for Vec<T> {
    fn list(&self) -> Vec<&dyn ToSql> {
        self.iter().map(|v| v as &dyn ToSql).collect()
    }
}

impl std::fmt::Debug for Conn<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn").finish_non_exhaustive()
    }
}

/// A connection (or a transaction on one) that runs the centre's statements.
pub struct Conn<'a> {
    inner: Inner<'a>,
    /// PostgreSQL: how many transactions (and savepoints inside them) are open.
    depth: Cell<u32>,
}

enum Inner<'a> {
    Sqlite(&'a rusqlite::Connection),
    Postgres {
        conn: &'a PgConn,
        rt: &'a tokio::runtime::Handle,
    },
}

impl<'a> Conn<'a> {
    /// Statements on a SQLite connection (or an open transaction on it).
    pub fn sqlite(conn: &'a rusqlite::Connection) -> Self {
        Conn {
            inner: Inner::Sqlite(conn),
            depth: Cell::new(0),
        }
    }

    /// Statements on a PostgreSQL connection of the pool, waited for on `rt` from a thread that
    /// may block.
    pub(crate) fn postgres(conn: &'a PgConn, rt: &'a tokio::runtime::Handle) -> Self {
        Conn {
            inner: Inner::Postgres { conn, rt },
            depth: Cell::new(0),
        }
    }

    /// Begins a transaction (a savepoint inside one already open), rolled back unless
    /// [`Transaction::commit`]ted.
    pub fn transaction(&self) -> Result<Transaction<'_, 'a>> {
        let open = match self.inner {
            Inner::Sqlite(conn) => u32::from(!conn.is_autocommit()),
            Inner::Postgres { .. } => self.depth.get(),
        };
        let level = open + 1;
        if open == 0 {
            self.execute_batch("BEGIN")?;
        } else {
            self.execute_batch(&format!("SAVEPOINT migdesk_{level}"))?;
        }
        self.depth.set(level);
        Ok(Transaction {
            conn: self,
            level,
            done: false,
        })
    }

    /// Marks a transaction begun outside (by [`crate::db::Db`]) as open.
    pub(crate) fn opened(&self) {
        self.depth.set(self.depth.get() + 1);
    }

    pub fn engine(&self) -> Engine {
        match self.inner {
            Inner::Sqlite(_) => Engine::Sqlite,
            Inner::Postgres { .. } => Engine::Postgres,
        }
    }

    /// A table of the JSON array of texts in the parameter `param` (`"?1"`), with one column
    /// `value`: for `… IN (SELECT value FROM {})`.
    pub fn json_values(&self, param: &str) -> String {
        match self.engine() {
            Engine::Sqlite => format!("json_each({param})"),
            Engine::Postgres => {
                format!("json_array_elements_text(CAST({param} AS json)) AS json_values(value)")
            }
        }
    }

    /// The text at `key` of the JSON object in `column` (NULL where it has none).
    pub fn json_text(&self, column: &str, key: &str) -> String {
        json_text(self.engine(), column, key)
    }

    /// The JSON array of `expr` over a group of rows (`[]` for none).
    pub fn json_group_array(&self, expr: &str) -> String {
        match self.engine() {
            Engine::Sqlite => format!("json_group_array({expr})"),
            Engine::Postgres => format!("COALESCE(json_agg({expr}), CAST('[]' AS json))"),
        }
    }

    /// A JSON array of the expressions `items`.
    pub fn json_array(&self, items: &str) -> String {
        match self.engine() {
            Engine::Sqlite => format!("json_array({items})"),
            Engine::Postgres => format!("json_build_array({items})"),
        }
    }

    /// The order rows of a table they are only added to (never changed or deleted) were
    /// written in: SQLite's `rowid`, PostgreSQL's `ctid`.
    pub fn written_order(&self, alias: &str) -> String {
        match self.engine() {
            Engine::Sqlite => format!("{alias}.rowid"),
            Engine::Postgres => format!("{alias}.ctid"),
        }
    }

    /// The SQLite connection underneath, for what only SQLite has (incremental BLOB reads,
    /// online backup).
    pub fn as_sqlite(&self) -> Option<&'a rusqlite::Connection> {
        match self.inner {
            Inner::Sqlite(conn) => Some(conn),
            Inner::Postgres { .. } => None,
        }
    }

    /// Runs one statement; the rows it changed.
    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        match &self.inner {
            Inner::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                Ok(stmt.execute(rusqlite::params_from_iter(params.list()))?)
            }
            Inner::Postgres { conn, rt } => pg_execute(conn, rt, sql, &params),
        }
    }

    /// Runs statements without parameters, separated by `;`.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.inner {
            Inner::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Inner::Postgres { conn, rt } => Ok(rt
                .block_on(conn.client.batch_execute(sql))
                .map_err(failed_in(conn, sql))?),
        }
    }

    /// The first row of a query, through `map`; [`Error::NoRows`] when there is none.
    pub fn query_row<T, P, F>(&self, sql: &str, params: P, map: F) -> Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        match &self.inner {
            Inner::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(params.list()))?;
                let row = rows.next()?.ok_or(Error::NoRows)?;
                map(&Row(RowInner::Sqlite(row)))
            }
            Inner::Postgres { conn, rt } => {
                let rows = pg_query(conn, rt, sql, &params)?;
                let row = rows.first().ok_or(Error::NoRows)?;
                map(&Row(RowInner::Postgres(row)))
            }
        }
    }

    /// A statement to run with parameters (prepared once per connection).
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_>> {
        match &self.inner {
            Inner::Sqlite(conn) => Ok(Statement(StatementInner::Sqlite(conn.prepare_cached(sql)?))),
            Inner::Postgres { conn, rt } => Ok(Statement(StatementInner::Postgres {
                conn,
                rt,
                sql: sql.to_owned(),
            })),
        }
    }

    /// The same as [`Conn::prepare`] (every statement is cached).
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'_>> {
        self.prepare(sql)
    }
}

impl std::fmt::Debug for Transaction<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction").finish_non_exhaustive()
    }
}

/// An open transaction (or savepoint); statements run on it through `Deref`.
pub struct Transaction<'t, 'a> {
    conn: &'t Conn<'a>,
    level: u32,
    done: bool,
}

impl<'a> std::ops::Deref for Transaction<'_, 'a> {
    type Target = Conn<'a>;

    fn deref(&self) -> &Conn<'a> {
        self.conn
    }
}

impl Transaction<'_, '_> {
    /// Commits (releases the savepoint).
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        self.conn.depth.set(self.level - 1);
        if self.level == 1 {
            self.conn.execute_batch("COMMIT")
        } else {
            self.conn
                .execute_batch(&format!("RELEASE SAVEPOINT migdesk_{}", self.level))
        }
    }
}

impl Drop for Transaction<'_, '_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        self.conn.depth.set(self.level - 1);
        let undo = if self.level == 1 {
            "ROLLBACK".to_owned()
        } else {
            format!(
                "ROLLBACK TO SAVEPOINT migdesk_{0}; RELEASE SAVEPOINT migdesk_{0}",
                self.level
            )
        };
        if let Err(e) = self.conn.execute_batch(&undo) {
            tracing::error!(error = %e, "cannot roll back a transaction");
        }
    }
}

impl std::fmt::Debug for Statement<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Statement").finish_non_exhaustive()
    }
}

/// A prepared statement.
pub struct Statement<'c>(StatementInner<'c>);

enum StatementInner<'c> {
    Sqlite(rusqlite::CachedStatement<'c>),
    Postgres {
        conn: &'c PgConn,
        rt: &'c tokio::runtime::Handle,
        sql: String,
    },
}

impl Statement<'_> {
    /// Every row of the query, each through `map`.
    pub fn query_map<T, P, F>(
        &mut self,
        params: P,
        mut map: F,
    ) -> Result<std::vec::IntoIter<Result<T>>>
    where
        P: Params,
        F: FnMut(&Row<'_>) -> Result<T>,
    {
        let mut out = Vec::new();
        match &mut self.0 {
            StatementInner::Sqlite(stmt) => {
                let mut rows = stmt.query(rusqlite::params_from_iter(params.list()))?;
                loop {
                    match rows.next() {
                        Ok(Some(row)) => out.push(map(&Row(RowInner::Sqlite(row)))),
                        Ok(None) => break,
                        Err(e) => {
                            out.push(Err(e.into()));
                            break;
                        }
                    }
                }
            }
            StatementInner::Postgres { conn, rt, sql } => {
                for row in &pg_query(conn, rt, sql, &params)? {
                    out.push(map(&Row(RowInner::Postgres(row))));
                }
            }
        }
        Ok(out.into_iter())
    }

    /// The first row of the query, through `map`; [`Error::NoRows`] when there is none.
    pub fn query_row<T, P, F>(&mut self, params: P, map: F) -> Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        let mut rows = self.query(params)?;
        let row = rows.next()?.ok_or(Error::NoRows)?;
        map(&row)
    }

    /// The rows of the query, one at a time.
    pub fn query<P: Params>(&mut self, params: P) -> Result<Rows<'_>> {
        match &mut self.0 {
            StatementInner::Sqlite(stmt) => Ok(Rows(RowsInner::Sqlite(
                stmt.query(rusqlite::params_from_iter(params.list()))?,
            ))),
            StatementInner::Postgres { conn, rt, sql } => Ok(Rows(RowsInner::Postgres {
                rows: pg_query(conn, rt, sql, &params)?.into_iter(),
                current: None,
            })),
        }
    }

    /// Runs the statement; the rows it changed.
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        match &mut self.0 {
            StatementInner::Sqlite(stmt) => {
                Ok(stmt.execute(rusqlite::params_from_iter(params.list()))?)
            }
            StatementInner::Postgres { conn, rt, sql } => pg_execute(conn, rt, sql, &params),
        }
    }
}

impl std::fmt::Debug for Rows<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rows").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Row<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Row").finish_non_exhaustive()
    }
}

/// The rows of a query.
pub struct Rows<'s>(RowsInner<'s>);

enum RowsInner<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Postgres {
        rows: std::vec::IntoIter<tokio_postgres::Row>,
        current: Option<tokio_postgres::Row>,
    },
}

impl Rows<'_> {
    /// The next row, or `None` after the last.
    #[allow(
        clippy::should_implement_trait,
        reason = "each row borrows the rows (a lending iterator), as rusqlite's `Rows::next`"
    )]
    pub fn next(&mut self) -> Result<Option<Row<'_>>> {
        match &mut self.0 {
            RowsInner::Sqlite(rows) => Ok(rows.next()?.map(|r| Row(RowInner::Sqlite(r)))),
            RowsInner::Postgres { rows, current } => {
                *current = rows.next();
                Ok(current.as_ref().map(|r| Row(RowInner::Postgres(r))))
            }
        }
    }
}

/// One row of a query.
pub struct Row<'r>(RowInner<'r>);

enum RowInner<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r tokio_postgres::Row),
}

/// A column by position (from 0) or by name.
pub trait RowIndex: Copy {
    fn position(self, row: &tokio_postgres::Row) -> Option<usize>;
    fn number(self) -> usize;
    fn sqlite<'r>(self, row: &'r rusqlite::Row<'_>) -> rusqlite::Result<ValueRef<'r>>;
}

impl RowIndex for usize {
    fn position(self, _: &tokio_postgres::Row) -> Option<usize> {
        Some(self)
    }
    fn number(self) -> usize {
        self
    }
    fn sqlite<'r>(self, row: &'r rusqlite::Row<'_>) -> rusqlite::Result<ValueRef<'r>> {
        row.get_ref(self)
    }
}

impl RowIndex for &str {
    fn position(self, row: &tokio_postgres::Row) -> Option<usize> {
        row.columns().iter().position(|c| c.name() == self)
    }
    fn number(self) -> usize {
        usize::MAX
    }
    fn sqlite<'r>(self, row: &'r rusqlite::Row<'_>) -> rusqlite::Result<ValueRef<'r>> {
        row.get_ref(self)
    }
}

impl Row<'_> {
    /// A column as `T` (anything rusqlite reads: numbers, text, bytes, options of them).
    pub fn get<I: RowIndex, T: FromSql>(&self, idx: I) -> Result<T> {
        match &self.0 {
            RowInner::Sqlite(row) => {
                let value = idx.sqlite(row)?;
                T::column_result(value).map_err(|e| Error::column(idx.number(), e))
            }
            RowInner::Postgres(row) => {
                let i = idx
                    .position(row)
                    .filter(|i| *i < row.len())
                    .ok_or_else(|| Error::column(idx.number(), "no such column"))?;
                let PgCell(value) = row.try_get::<_, PgCell>(i)?;
                T::column_result(ValueRef::from(&value)).map_err(|e| Error::column(i, e))
            }
        }
    }
}

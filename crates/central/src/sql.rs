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

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Mutex;

use bytes::{BufMut, BytesMut};
use rusqlite::ToSql;
use rusqlite::types::{FromSql, ToSqlOutput, Value, ValueRef};
use tokio_postgres::types::{IsNull, Type};

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
    #[error("{source}{}", statement.as_deref().map(|s| format!(" (in: {s})")).unwrap_or_default())]
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

/// PostgreSQL's error, with the statement it came from.
fn failed_in(sql: &str) -> impl FnOnce(tokio_postgres::Error) -> Error + '_ {
    move |source| Error::Postgres {
        source,
        statement: Some(sql.chars().take(300).collect()),
    }
}

impl Error {
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

/// A PostgreSQL connection of the centre's pool, with its prepared statements.
pub(crate) struct PgConn {
    pub(crate) client: tokio_postgres::Client,
    statements: Mutex<HashMap<String, tokio_postgres::Statement>>,
}

/// Prepared statements kept per connection; beyond this many (statements built with
/// `format!`), the cache starts again.
const STATEMENT_CACHE: usize = 512;

impl PgConn {
    pub(crate) fn new(client: tokio_postgres::Client) -> Self {
        Self {
            client,
            statements: Mutex::new(HashMap::new()),
        }
    }
}

impl std::fmt::Debug for PgConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgConn").finish_non_exhaustive()
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
            Inner::Postgres { conn, rt } => {
                let stmt = prepared(conn, rt, sql)?;
                let binds = binds(&params.list())?;
                let n = rt
                    .block_on(conn.client.execute(&stmt, &bind_refs(&binds)))
                    .map_err(failed_in(sql))?;
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            }
        }
    }

    /// Runs statements without parameters, separated by `;`.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.inner {
            Inner::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Inner::Postgres { conn, rt } => Ok(rt
                .block_on(conn.client.batch_execute(sql))
                .map_err(failed_in(sql))?),
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
            StatementInner::Postgres { conn, rt, sql } => {
                let stmt = prepared(conn, rt, sql)?;
                let binds = binds(&params.list())?;
                let n = rt
                    .block_on(conn.client.execute(&stmt, &bind_refs(&binds)))
                    .map_err(failed_in(sql))?;
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            }
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

/// `?N` and `?` placeholders as PostgreSQL's `$N` (string literals, quoted names and comments
/// left alone).
pub(crate) fn postgres_placeholders(sql: &str) -> Cow<'_, str> {
    if !sql.contains('?') {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 1;
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    let mut comment = false;
    while let Some(c) = chars.next() {
        if comment {
            out.push(c);
            comment = c != '\n';
            continue;
        }
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                out.push(c);
            }
            '-' if chars.peek() == Some(&'-') => {
                comment = true;
                out.push(c);
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    digits.push(d);
                    chars.next();
                }
                let n = if digits.is_empty() {
                    next
                } else {
                    digits.parse().unwrap_or(next)
                };
                next = next.max(n + 1);
                out.push('$');
                out.push_str(&n.to_string());
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn prepared(
    conn: &PgConn,
    rt: &tokio::runtime::Handle,
    sql: &str,
) -> Result<tokio_postgres::Statement> {
    let mut cache = conn
        .statements
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(stmt) = cache.get(sql) {
        return Ok(stmt.clone());
    }
    let stmt = rt
        .block_on(conn.client.prepare(&postgres_placeholders(sql)))
        .map_err(failed_in(sql))?;
    if cache.len() >= STATEMENT_CACHE {
        cache.clear();
    }
    cache.insert(sql.to_owned(), stmt.clone());
    Ok(stmt)
}

fn pg_query(
    conn: &PgConn,
    rt: &tokio::runtime::Handle,
    sql: &str,
    params: &impl Params,
) -> Result<Vec<tokio_postgres::Row>> {
    let stmt = prepared(conn, rt, sql)?;
    let binds = binds(&params.list())?;
    rt.block_on(conn.client.query(&stmt, &bind_refs(&binds)))
        .map_err(failed_in(sql))
}

fn binds(params: &[&dyn ToSql]) -> Result<Vec<Bind>> {
    params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let value = match p.to_sql().map_err(|e| Error::column(i, e))? {
                ToSqlOutput::Borrowed(v) => owned(v),
                ToSqlOutput::Owned(v) => v,
                other => {
                    return Err(Error::column(
                        i,
                        format!("{other:?} cannot be sent to PostgreSQL"),
                    ));
                }
            };
            Ok(Bind(value))
        })
        .collect()
}

fn owned(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

fn bind_refs(binds: &[Bind]) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
    binds
        .iter()
        .map(|b| b as &(dyn tokio_postgres::types::ToSql + Sync))
        .collect()
}

/// A parameter on its way to PostgreSQL, written as the type the statement expects there.
#[derive(Debug)]
struct Bind(Value);

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl tokio_postgres::types::ToSql for Bind {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        match (&self.0, ty) {
            (Value::Null, _) => return Ok(IsNull::Yes),
            (Value::Integer(i), &Type::INT8) => out.put_i64(*i),
            (Value::Integer(i), &Type::INT4) => out.put_i32(i32::try_from(*i)?),
            (Value::Integer(i), &Type::INT2) => out.put_i16(i16::try_from(*i)?),
            (Value::Integer(i), &Type::BOOL) => out.put_u8(u8::from(*i != 0)),
            (Value::Integer(i), &Type::FLOAT8) => out.put_f64(i.to_string().parse()?),
            (Value::Real(r), &Type::FLOAT8) => out.put_f64(*r),
            (Value::Integer(i), t) if is_text(t) => put_text(t, &i.to_string(), out),
            (Value::Real(r), t) if is_text(t) => put_text(t, &r.to_string(), out),
            (Value::Text(s), t) if is_text(t) => put_text(t, s, out),
            (Value::Text(s), &Type::INT8) => out.put_i64(s.parse()?),
            (Value::Blob(b), &Type::BYTEA) => out.put_slice(b),
            (v, t) => return Err(format!("{v:?} cannot be sent as PostgreSQL's {t}").into()),
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

fn is_text(ty: &Type) -> bool {
    [
        Type::TEXT,
        Type::VARCHAR,
        Type::BPCHAR,
        Type::NAME,
        Type::UNKNOWN,
        Type::JSON,
        Type::JSONB,
    ]
    .contains(ty)
}

fn put_text(ty: &Type, text: &str, out: &mut BytesMut) {
    if *ty == Type::JSONB {
        // jsonb's binary form: a version byte, then the text.
        out.put_u8(1);
    }
    out.put_slice(text.as_bytes());
}

/// A column read from PostgreSQL as one of SQLite's kinds of value.
struct PgCell(Value);

impl<'a> tokio_postgres::types::FromSql<'a> for PgCell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Self, BoxError> {
        let value = match *ty {
            Type::INT8 => Value::Integer(i64::from_be_bytes(raw.try_into()?)),
            Type::INT4 => Value::Integer(i32::from_be_bytes(raw.try_into()?).into()),
            Type::INT2 => Value::Integer(i16::from_be_bytes(raw.try_into()?).into()),
            Type::OID => Value::Integer(u32::from_be_bytes(raw.try_into()?).into()),
            Type::BOOL => Value::Integer(i64::from(raw.first().is_some_and(|b| *b != 0))),
            Type::FLOAT8 => Value::Real(f64::from_be_bytes(raw.try_into()?)),
            Type::FLOAT4 => Value::Real(f32::from_be_bytes(raw.try_into()?).into()),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => Value::Blob(raw.to_vec()),
            Type::JSONB => {
                Value::Text(std::str::from_utf8(raw.get(1..).unwrap_or_default())?.to_owned())
            }
            _ => Value::Text(std::str::from_utf8(raw)?.to_owned()),
        };
        Ok(PgCell(value))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Self, BoxError> {
        Ok(PgCell(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// PostgreSQL's binary `NUMERIC` (what `SUM` of integers gives): an integer when it has no
/// fraction, else a real.
fn numeric(raw: &[u8]) -> std::result::Result<Value, BoxError> {
    let word = |i: usize| -> std::result::Result<u16, BoxError> {
        Ok(u16::from_be_bytes(
            raw.get(i * 2..i * 2 + 2)
                .ok_or("a short NUMERIC")?
                .try_into()?,
        ))
    };
    let digits = word(0)?;
    let weight = i32::from(word(1)?.cast_signed());
    let sign = word(2)?;
    let scale = word(3)?;
    if sign == 0xC000 {
        return Ok(Value::Real(f64::NAN));
    }
    let negative = sign == 0x4000;
    if scale == 0 {
        let mut n: i128 = 0;
        for i in 0..digits {
            n = n * 10_000 + i128::from(word(4 + usize::from(i))?);
        }
        let exponent = weight - i32::from(digits) + 1;
        for _ in 0..exponent.max(0) {
            n *= 10_000;
        }
        let n = if negative { -n } else { n };
        return Ok(Value::Integer(i64::try_from(n)?));
    }
    let mut value: f64 = 0.0;
    for i in 0..digits {
        let d = f64::from(word(4 + usize::from(i))?);
        value += d * 10_000f64.powi(weight - i32::from(i));
    }
    Ok(Value::Real(if negative { -value } else { value }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_outside_literals() {
        assert_eq!(
            postgres_placeholders("SELECT a FROM t WHERE a = ?1 AND b = ?2 OR c = ?1"),
            "SELECT a FROM t WHERE a = $1 AND b = $2 OR c = $1"
        );
        assert_eq!(
            postgres_placeholders("INSERT INTO t VALUES (?, ?, '?', \"?\") -- ?\n, ?"),
            "INSERT INTO t VALUES ($1, $2, '?', \"?\") -- ?\n, $3"
        );
        assert_eq!(postgres_placeholders("SELECT 1"), "SELECT 1");
    }

    #[test]
    fn numeric_sums_read_as_integers_or_reals() {
        // 12345678 = 1234·10000 + 5678: two digits, weight 1.
        let raw = [0, 2, 0, 1, 0, 0, 0, 0, 0x04, 0xD2, 0x16, 0x2E];
        assert!(matches!(numeric(&raw).unwrap(), Value::Integer(12_345_678)));
        // 20000 = 2·10000: one digit, weight 1 (trailing zero groups are left out).
        let raw = [0, 1, 0, 1, 0x40, 0, 0, 0, 0, 2];
        assert!(matches!(numeric(&raw).unwrap(), Value::Integer(-20_000)));
        // 1.5 = 1 + 5000·10000⁻¹, scale 1.
        let raw = [0, 2, 0, 0, 0, 0, 0, 1, 0, 1, 0x13, 0x88];
        assert!(matches!(numeric(&raw).unwrap(), Value::Real(r) if (r - 1.5).abs() < 1e-9));
        // Zero: no digits.
        let raw = [0, 0, 0, 0, 0, 0, 0, 0];
        assert!(matches!(numeric(&raw).unwrap(), Value::Integer(0)));
    }
}

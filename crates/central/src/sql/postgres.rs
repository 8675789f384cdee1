//! PostgreSQL's side of [`super::Conn`]: the pool's connections with their prepared
//! statements, placeholders, and values converted to and from SQLite's five kinds.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::{BufMut, BytesMut};
use rusqlite::ToSql;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use tokio_postgres::types::{IsNull, Type};

use super::{Error, Params, Result};

/// A PostgreSQL connection of the centre's pool, with its prepared statements.
pub(crate) struct PgConn {
    pub(crate) client: tokio_postgres::Client,
    statements: Mutex<HashMap<String, tokio_postgres::Statement>>,
    /// A statement failed because a concurrent transaction won (a serialization failure or a
    /// deadlock): the transaction may be run again.
    lost_race: AtomicBool,
}

/// Prepared statements kept per connection; beyond this many (statements built with
/// `format!`), the cache starts again.
const STATEMENT_CACHE: usize = 512;

impl PgConn {
    pub(crate) fn new(client: tokio_postgres::Client) -> Self {
        Self {
            client,
            statements: Mutex::new(HashMap::new()),
            lost_race: AtomicBool::new(false),
        }
    }

    /// Whether a statement since the last call failed because a concurrent transaction won,
    /// so that running the transaction again may succeed.
    pub(crate) fn take_lost_race(&self) -> bool {
        self.lost_race.swap(false, Ordering::Relaxed)
    }

    /// Whether a statement failed because a concurrent transaction won (left noted).
    pub(crate) fn lost_race(&self) -> bool {
        self.lost_race.load(Ordering::Relaxed)
    }
}

impl std::fmt::Debug for PgConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgConn").finish_non_exhaustive()
    }
}

/// PostgreSQL's error, with the statement it came from; a lost race is noted on `conn`.
pub(super) fn failed_in<'a>(
    conn: &'a PgConn,
    sql: &'a str,
) -> impl FnOnce(tokio_postgres::Error) -> Error + 'a {
    move |source| {
        let error = Error::Postgres {
            source,
            statement: Some(sql.chars().take(300).collect()),
        };
        if error.is_lost_race() {
            conn.lost_race.store(true, Ordering::Relaxed);
        }
        error
    }
}

/// `?N` and `?` placeholders as PostgreSQL's `$N` (string literals, quoted names and comments
/// left alone).
fn postgres_placeholders(sql: &str) -> Cow<'_, str> {
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
        .map_err(failed_in(conn, sql))?;
    if cache.len() >= STATEMENT_CACHE {
        cache.clear();
    }
    cache.insert(sql.to_owned(), stmt.clone());
    Ok(stmt)
}

/// Runs one statement; the rows it changed.
pub(super) fn pg_execute(
    conn: &PgConn,
    rt: &tokio::runtime::Handle,
    sql: &str,
    params: &impl Params,
) -> Result<usize> {
    let stmt = prepared(conn, rt, sql)?;
    let binds = binds(&params.list())?;
    let n = rt
        .block_on(conn.client.execute(&stmt, &bind_refs(&binds)))
        .map_err(failed_in(conn, sql))?;
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

pub(super) fn pg_query(
    conn: &PgConn,
    rt: &tokio::runtime::Handle,
    sql: &str,
    params: &impl Params,
) -> Result<Vec<tokio_postgres::Row>> {
    let stmt = prepared(conn, rt, sql)?;
    let binds = binds(&params.list())?;
    rt.block_on(conn.client.query(&stmt, &bind_refs(&binds)))
        .map_err(failed_in(conn, sql))
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
pub(super) struct PgCell(pub(super) Value);

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

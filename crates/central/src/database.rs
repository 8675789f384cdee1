//! Where the centre keeps its data, named by a URL — `sqlite:PATH` (one file: the demo, the
//! tests, a department's own server) or `postgres://USER@HOST:PORT/NAME` (the national service:
//! several instances on one database) — and bringing that database's schema up to date.
//!
//! Each engine has its migrations in the repository: SQLite's in `migrations/` (applied by
//! [`crate::db::open`], counted in `PRAGMA user_version`), PostgreSQL's in
//! `migrations/postgres/` (a baseline equal to SQLite's 001–022, then one file for each later
//! SQLite migration), counted in the table `migdesk_migrations`. PostgreSQL's are applied in one
//! transaction under an advisory lock, so instances started together migrate once, and a
//! migration that fails leaves the schema as it was.

use std::path::PathBuf;
use std::str::FromStr;

use crate::clock;
use crate::error::{ApiError, ApiResult};

/// A database the centre can keep its data in. Shown (`Display`, and `Debug` too) without a
/// PostgreSQL URL's password.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// One SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by its connection URL (which may hold a password: never printed).
    Postgres(String),
}

impl Database {
    /// The engine that keeps this database.
    pub fn engine(&self) -> crate::sql::Engine {
        match self {
            Database::Sqlite(_) => crate::sql::Engine::Sqlite,
            Database::Postgres(_) => crate::sql::Engine::Postgres,
        }
    }
}

impl FromStr for Database {
    type Err = String;

    fn from_str(url: &str) -> Result<Self, String> {
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err("sqlite: needs the database file's path (sqlite:PATH)".to_owned());
            }
            return Ok(Database::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            tokio_postgres::Config::from_str(url)
                .map_err(|e| format!("the PostgreSQL URL cannot be read: {e}"))?;
            return Ok(Database::Postgres(url.to_owned()));
        }
        Err(format!(
            "{} names no database the centre keeps its data in: give sqlite:PATH or postgres://USER@HOST:PORT/NAME",
            url.split_once("://").map_or(url, |(scheme, _)| scheme)
        ))
    }
}

impl std::fmt::Display for Database {
    /// The database as a person may read it: a PostgreSQL URL without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "the SQLite file {}", path.display()),
            Database::Postgres(url) => {
                let Ok(config) = tokio_postgres::Config::from_str(url) else {
                    return write!(f, "a PostgreSQL database");
                };
                let host = config
                    .get_hosts()
                    .first()
                    .map(|h| match h {
                        tokio_postgres::config::Host::Tcp(name) => name.clone(),
                        tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
                    })
                    .unwrap_or_else(|| "localhost".to_owned());
                let port = config.get_ports().first().copied().unwrap_or(5432);
                write!(
                    f,
                    "the PostgreSQL database {} on {host}:{port}",
                    config.get_dbname().unwrap_or("(default)")
                )?;
                if let Some(user) = config.get_user() {
                    write!(f, " as {user}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// PostgreSQL's migrations: (number, script), in order.
const POSTGRES_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/postgres/001_baseline.sql")),
    (
        2,
        include_str!("../migrations/postgres/002_commit_order.sql"),
    ),
    (
        3,
        include_str!("../migrations/postgres/003_changes_by_application.sql"),
    ),
    (4, include_str!("../migrations/postgres/004_feed_stamp.sql")),
];

/// The SQLite migrations the PostgreSQL baseline stands for.
const POSTGRES_BASELINE_EQUALS_SQLITE: i64 = 22;

/// What migrating did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    /// The schema's version after it, counted in SQLite's migrations (PostgreSQL's baseline
    /// counts for the SQLite migrations it stands for).
    pub version: i64,
    /// How many migrations were applied now (none: it was up to date).
    pub applied: usize,
}

/// Brings `database`'s schema up to date (creating a SQLite file that does not exist).
pub async fn migrate(database: &Database) -> ApiResult<Migrated> {
    match database {
        Database::Sqlite(path) => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || {
                let before = if path.exists() {
                    user_version(&rusqlite::Connection::open(&path)?)?
                } else {
                    0
                };
                let after = user_version(&crate::db::open(&path)?)?;
                Ok(Migrated {
                    version: after,
                    applied: usize::try_from(after - before).unwrap_or(0),
                })
            })
            .await
            .map_err(|e| ApiError::internal(format!("migrating stopped: {e}")))?
        }
        Database::Postgres(url) => migrate_postgres(database, url).await,
    }
}

fn user_version(conn: &rusqlite::Connection) -> ApiResult<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Any number that no other program takes PostgreSQL's advisory lock with: the migrations'.
const MIGRATION_LOCK: i64 = 0x006d_6967_6465_736b;

/// A PostgreSQL client for `url`, its connection driven on the runtime.
pub async fn connect_postgres(database: &Database, url: &str) -> ApiResult<tokio_postgres::Client> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| ApiError::bad_request(format!("cannot connect to {database}: {e}")))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "the PostgreSQL connection ended");
        }
    });
    Ok(client)
}

async fn migrate_postgres(database: &Database, url: &str) -> ApiResult<Migrated> {
    let failed = |e: tokio_postgres::Error| {
        let detail = e
            .as_db_error()
            .map_or_else(|| e.to_string(), |db| db.message().to_owned());
        ApiError::internal(format!("migrating {database} failed: {detail}"))
    };
    let mut client = connect_postgres(database, url).await?;
    let tx = client.transaction().await.map_err(failed)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(failed)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS migdesk_migrations (
             version    BIGINT PRIMARY KEY,
             applied_at TEXT NOT NULL
         )",
    )
    .await
    .map_err(failed)?;
    let done: Vec<i64> = tx
        .query("SELECT version FROM migdesk_migrations", &[])
        .await
        .map_err(failed)?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let mut applied = 0;
    for (version, script) in POSTGRES_MIGRATIONS {
        if done.contains(version) {
            continue;
        }
        tx.batch_execute(script).await.map_err(failed)?;
        tx.execute(
            "INSERT INTO migdesk_migrations (version, applied_at) VALUES ($1, $2)",
            &[version, &clock::format(clock::now())],
        )
        .await
        .map_err(failed)?;
        applied += 1;
    }
    tx.commit().await.map_err(failed)?;
    let last = POSTGRES_MIGRATIONS.last().map_or(0, |(v, _)| *v);
    Ok(Migrated {
        version: POSTGRES_BASELINE_EQUALS_SQLITE + last - 1,
        applied,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sqlite_migration_has_its_postgresql_one() {
        let sqlite = i64::try_from(crate::db::MIGRATIONS.len()).unwrap_or(0);
        let postgres = i64::try_from(POSTGRES_MIGRATIONS.len()).unwrap_or(0);
        assert_eq!(
            POSTGRES_BASELINE_EQUALS_SQLITE + postgres - 1,
            sqlite,
            "a SQLite migration was added without its PostgreSQL migration in migrations/postgres/"
        );
        for (i, (version, _)) in POSTGRES_MIGRATIONS.iter().enumerate() {
            assert_eq!(*version, i64::try_from(i).unwrap_or(0) + 1);
        }
    }

    #[test]
    fn urls_name_an_engine_and_a_password_is_never_shown() {
        assert_eq!(
            "sqlite:/var/lib/c.db".parse::<Database>(),
            Ok(Database::Sqlite("/var/lib/c.db".into()))
        );
        assert_eq!(
            "sqlite://rel/c.db".parse::<Database>(),
            Ok(Database::Sqlite("rel/c.db".into()))
        );
        let pg: Database = "postgres://centre:s3cret@db.example:6543/migdesk"
            .parse()
            .unwrap();
        let shown = pg.to_string();
        assert_eq!(
            shown,
            "the PostgreSQL database migdesk on db.example:6543 as centre"
        );
        assert!(!format!("{shown} {pg:?}").contains("s3cret"));
        let wrong = "mysql://root@db/x".parse::<Database>().unwrap_err();
        assert!(wrong.starts_with("mysql names no database"), "{wrong}");
        assert!(wrong.contains("sqlite:PATH") && wrong.contains("postgres://"));
        assert!("sqlite:".parse::<Database>().is_err());
    }
}

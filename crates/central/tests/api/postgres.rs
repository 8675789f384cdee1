#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! The centre's schema on a real PostgreSQL (the throwaway cluster `scripts/test.sh` starts,
//! named by `MIGDESK_TEST_POSTGRES`): `migdesk-central migrate` makes the same tables, columns,
//! indexes and append-only audit log as SQLite's migrations, once, even with two instances
//! migrating at once.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_migdesk-central");

/// A new, empty database in the test cluster: its URL.
async fn fresh_database() -> String {
    let server = std::env::var("MIGDESK_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!("MIGDESK_TEST_POSTGRES is not set: run scripts/test.sh, which starts PostgreSQL")
    });
    let name = format!("migdesk_{}", hex::encode(rand::random::<[u8; 6]>()));
    let client = connect(&server).await;
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let (base, _) = server.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

fn migrate(url: &str) -> Output {
    Command::new(BIN)
        .args(["migrate", "--database", url])
        .output()
        .unwrap()
}

/// Each table's columns in order, each with whether it may be null.
type Columns = BTreeMap<String, Vec<(String, bool)>>;

fn sqlite_schema() -> (Columns, BTreeSet<String>) {
    let dir = tempfile::tempdir().unwrap();
    let conn = migdesk_central::db::open(&dir.path().join("c.db")).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut columns = Columns::new();
    for table in tables {
        let cols = conn
            .prepare(&format!("PRAGMA table_xinfo({table})"))
            .unwrap()
            .query_map([], |r| {
                let (name, not_null, pk): (String, bool, i64) = (r.get(1)?, r.get(3)?, r.get(5)?);
                Ok((name, !(not_null || pk > 0)))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        columns.insert(table, cols);
    }
    let indexes = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (columns, indexes)
}

async fn postgres_schema(client: &tokio_postgres::Client) -> (Columns, BTreeSet<String>) {
    let mut columns = Columns::new();
    for row in client
        .query(
            "SELECT table_name::text, column_name::text, is_nullable = 'YES'
             FROM information_schema.columns
             WHERE table_schema = 'public'
               -- PostgreSQL's own: the changes waiting for their feed position.
               AND table_name NOT IN ('migdesk_migrations', 'changes_pending')
             ORDER BY table_name, ordinal_position",
            &[],
        )
        .await
        .unwrap()
    {
        columns
            .entry(row.get(0))
            .or_default()
            .push((row.get(1), row.get(2)));
    }
    let indexes = client
        .query(
            "SELECT indexname::text FROM pg_indexes
             WHERE schemaname = 'public'
               AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    (columns, indexes)
}

#[tokio::test]
async fn migrate_makes_on_postgresql_the_schema_sqlites_migrations_make() {
    let url = fresh_database().await;
    let first = migrate(&url);
    let said = String::from_utf8_lossy(&first.stderr).into_owned();
    assert!(first.status.success(), "{said}");
    assert!(said.contains("now at migration 25 (4 applied)"), "{said}");
    // The password-less URL is shown as the database, never as typed.
    assert!(said.contains("the PostgreSQL database migdesk_"), "{said}");

    let client = connect(&url).await;
    let (pg_columns, pg_indexes) = postgres_schema(&client).await;
    let (sqlite_columns, sqlite_indexes) = sqlite_schema();
    assert_eq!(
        pg_columns.keys().collect::<Vec<_>>(),
        sqlite_columns.keys().collect::<Vec<_>>()
    );
    for (table, columns) in &sqlite_columns {
        assert_eq!(&pg_columns[table], columns, "the columns of {table}");
    }
    assert_eq!(pg_indexes, sqlite_indexes);

    // Again: nothing to do.
    let again = migrate(&url);
    let said = String::from_utf8_lossy(&again.stderr).into_owned();
    assert!(again.status.success(), "{said}");
    assert!(said.contains("is up to date (migration 25)"), "{said}");
    let applied: i64 = client
        .query_one("SELECT COUNT(*) FROM migdesk_migrations", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(applied, 4);
}

#[tokio::test]
async fn the_audit_log_is_append_only_on_postgresql_too() {
    let url = fresh_database().await;
    assert!(migrate(&url).status.success());
    let client = connect(&url).await;
    client
        .batch_execute(
            "INSERT INTO audit_log (at, action, prev_hash, hash)
             VALUES ('2026-12-03T10:00:00Z', 'sign_in', 'genesis', 'h1')",
        )
        .await
        .unwrap();
    for change in ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"] {
        let refused = client.batch_execute(change).await.unwrap_err();
        let message = refused.as_db_error().map(|e| e.message().to_owned());
        assert_eq!(
            message.as_deref(),
            Some("the audit log is append-only"),
            "{change}"
        );
    }
}

#[tokio::test]
async fn two_instances_migrating_at_once_migrate_once() {
    let url = fresh_database().await;
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| migrate(&url));
        let b = s.spawn(|| migrate(&url));
        (a.join().unwrap(), b.join().unwrap())
    });
    for out in [&a, &b] {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&a.stderr),
        String::from_utf8_lossy(&b.stderr)
    );
    assert_eq!(said.matches("(4 applied)").count(), 1, "{said}");
    assert_eq!(said.matches("is up to date").count(), 1, "{said}");
}

#[test]
fn a_database_that_cannot_be_reached_or_named_is_said_so_without_its_password() {
    // Port 1 on loopback: nothing listens there.
    let out = migrate("postgres://centre:s3cret@127.0.0.1:1/migdesk");
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success());
    assert!(
        said.contains("cannot connect to the PostgreSQL database migdesk on 127.0.0.1:1 as centre"),
        "{said}"
    );
    assert!(!said.contains("s3cret"), "{said}");
    let out = migrate("mysql://root@db/x");
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success());
    assert!(said.contains("sqlite:PATH or postgres://"), "{said}");
}

#[test]
fn migrate_creates_and_updates_a_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("c.db").display());
    let first = migrate(&url);
    let said = String::from_utf8_lossy(&first.stderr).into_owned();
    assert!(first.status.success(), "{said}");
    assert!(said.contains("now at migration 25 (25 applied)"), "{said}");
    let again = migrate(&url);
    assert!(String::from_utf8_lossy(&again.stderr).contains("is up to date (migration 25)"));
}

/// One page of the change feed after `cursor` through `base`: (changes, next cursor, more).
async fn feed_page(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    cursor: &str,
) -> (usize, String, bool) {
    let page: serde_json::Value = client
        .get(format!("{base}/api/v1/changes?cursor={cursor}&limit=7"))
        .bearer_auth(token)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        page["changes"].as_array().unwrap().len(),
        page["next_cursor"].as_str().unwrap().to_owned(),
        page["has_more"].as_bool().unwrap(),
    )
}

/// Two instances serve one PostgreSQL database. Officers write notes through both at once
/// while their supervisor follows the change feed through both: every change is read once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_serve_one_database_and_the_feed_passes_no_change() {
    use migdesk_central::{Config, testing};
    const NOTES: usize = 12;
    let database = testing::postgres_database(None);
    let report = testing::seed_database(&database, &migdesk_central::seed::SeedOptions::new(24, 7));
    let a = testing::Running::start_database(&database, Config::default()).await;
    let b = testing::Running::start_database(&database, Config::default()).await;
    let bases = [a.base.clone(), b.base.clone()];
    let client = reqwest::Client::new();
    let in_baku = |role: &str| {
        report
            .accounts
            .iter()
            .filter(|a| a.department == "baku" && a.role == role)
            .cloned()
            .collect::<Vec<_>>()
    };
    let supervisor = testing::token(&client, &bases[1], &in_baku("supervisor")[0]).await;
    let changes = || -> i64 {
        testing::with_sql(&database, |conn| {
            conn.query_row(
                "SELECT COUNT(*) FROM changes WHERE department_id = 'baku'",
                [],
                |r| r.get(0),
            )
        })
        .unwrap()
    };
    // The supervisor's desk is up to date.
    let mut cursor = String::new();
    loop {
        let (_, next, more) = feed_page(&client, &bases[0], &supervisor, &cursor).await;
        cursor = next;
        if !more {
            break;
        }
    }
    let before = changes();

    let cases: Vec<(String, String)> = testing::with_sql(&database, |conn| {
        conn.prepare(
            "SELECT id, officer_id FROM applications
             WHERE department_id = 'baku' AND officer_id IS NOT NULL ORDER BY id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()
    })
    .unwrap();
    let mut writers = tokio::task::JoinSet::new();
    let mut written = 0;
    for (i, officer) in in_baku("officer").into_iter().enumerate() {
        let mine: Vec<String> = cases
            .iter()
            .filter(|(_, o)| *o == officer.id)
            .map(|(id, _)| id.clone())
            .collect();
        if mine.is_empty() {
            continue;
        }
        written += NOTES;
        let (client, bases) = (client.clone(), bases.clone());
        writers.spawn(async move {
            let token = testing::token(&client, &bases[i % 2], &officer).await;
            for n in 0..NOTES {
                let base = &bases[(i + n) % 2];
                let case = &mine[n % mine.len()];
                client
                    .post(format!("{base}/api/v1/applications/{case}/notes"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({
                        "id": uuid::Uuid::new_v4(),
                        "text": format!("qeyd {n}"),
                        "written_at": "2026-12-04T09:30:00+04:00",
                    }))
                    .send()
                    .await
                    .and_then(reqwest::Response::error_for_status)
                    .unwrap();
            }
        });
    }
    assert!(written >= 2 * NOTES, "at least two officers write");

    // The supervisor syncs all the while, through either instance.
    let mut read = 0;
    let mut turn = 0;
    loop {
        let writing = !writers.is_empty();
        if writing && let Some(done) = writers.try_join_next() {
            done.unwrap();
        }
        let (n, next, more) = feed_page(&client, &bases[turn % 2], &supervisor, &cursor).await;
        turn += 1;
        read += n;
        cursor = next;
        if !writing && !more {
            break;
        }
    }
    let after = changes();
    assert_eq!(
        after - before,
        i64::try_from(written).unwrap(),
        "one change a note"
    );
    assert_eq!(
        i64::try_from(read).unwrap(),
        after - before,
        "every change read once, none passed"
    );
    a.stop().await;
    b.stop().await;
}

/// The pools of two instances of the centre on one new PostgreSQL database seeded with
/// `cases` applications.
async fn two_pools(cases: usize) -> [migdesk_central::db::Db; 2] {
    use migdesk_central::{db::Db, testing};
    let database = testing::postgres_database(None);
    testing::seed_database(
        &database,
        &migdesk_central::seed::SeedOptions::new(cases, 7),
    );
    [
        Db::open(&database).await.unwrap(),
        Db::open(&database).await.unwrap(),
    ]
}

/// Writes from two instances are not serialised by any lock: each is a serializable
/// transaction, run again when a concurrent one wins. Many read-modify-writes of one row from
/// both pools at once lose no update, and none fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_writes_from_two_instances_lose_no_update() {
    const WRITES: i64 = 60;
    let instances = two_pools(2).await;
    instances[0]
        .run(|c| {
            Ok(c.execute_batch(
                "CREATE TABLE tally (id INTEGER PRIMARY KEY, n BIGINT NOT NULL);
                 INSERT INTO tally VALUES (1, 0)",
            )?)
        })
        .await
        .unwrap();
    let mut writers = tokio::task::JoinSet::new();
    for i in 0..WRITES {
        let db = instances[usize::try_from(i).unwrap() % 2].clone();
        writers.spawn(async move {
            db.write(|c| {
                let n: i64 = c.query_row("SELECT n FROM tally WHERE id = 1", [], |r| r.get(0))?;
                // Long enough for the others to read the same value.
                std::thread::sleep(std::time::Duration::from_millis(3));
                c.execute("UPDATE tally SET n = ?1 WHERE id = 1", [n + 1])?;
                Ok(())
            })
            .await
        });
    }
    while let Some(done) = writers.join_next().await {
        done.unwrap()
            .expect("a write that lost a race is run again");
    }
    let n: i64 = instances[1]
        .read(|c| Ok(c.query_row("SELECT n FROM tally WHERE id = 1", [], |r| r.get(0))?))
        .await
        .unwrap();
    assert_eq!(n, WRITES, "every increment counted once");
}

/// The audit chain has one tip across instances: rows appended through two pools at once each
/// follow the one before, none fails, and the chain verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_audit_rows_from_two_instances_keep_one_chain() {
    use migdesk_central::audit_log::{self, Action, Entry, Verdict};
    const ROWS: u64 = 60;
    let instances = two_pools(2).await;
    let mut writers = tokio::task::JoinSet::new();
    for i in 0..ROWS {
        let db = instances[usize::try_from(i).unwrap() % 2].clone();
        writers.spawn(async move {
            let entry = Entry {
                username: Some(format!("user{i}")),
                ..Entry::new(Action::SignInFailed)
            };
            audit_log::record(&db, entry).await
        });
    }
    while let Some(done) = writers.join_next().await {
        done.unwrap()
            .expect("an audit row that lost the race for the tip is appended again");
    }
    let verdict = instances[0].read(audit_log::verify).await.unwrap();
    match verdict {
        Verdict::Intact { rows, .. } => assert_eq!(rows, ROWS, "every row in one chain"),
        Verdict::Broken { id, why } => panic!("the chain broke at row {id}: {why}"),
    }
}

/// The feed's order is the order changes commit in, across instances: writers on two pools (two
/// instances) each add a change and then take their time before committing, while a reader
/// follows the feed as the change route does. A change whose position was handed out before a
/// later one committed would be passed by the reader's cursor and never read.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_writer_is_never_passed_by_a_cursor() {
    const WRITES: i64 = 40;
    let instances = two_pools(4).await;
    let case: String = instances[0]
        .read(|c| Ok(c.query_row("SELECT id FROM applications LIMIT 1", [], |r| r.get(0))?))
        .await
        .unwrap();
    // Where the feed stands once the seed's changes have their positions.
    let start: i64 = instances[0]
        .feed(|c| {
            Ok(
                c.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| {
                    r.get(0)
                })?,
            )
        })
        .await
        .unwrap();
    let mut writers = tokio::task::JoinSet::new();
    for i in 0..WRITES {
        let (db, case) = (
            instances[usize::try_from(i).unwrap() % 2].clone(),
            case.clone(),
        );
        writers.spawn(async move {
            db.write(move |c| {
                migdesk_central::store::record_change(
                    c,
                    &case,
                    "baku",
                    None,
                    None,
                    migdesk_api::ChangeKind::Changed,
                    "2026-12-04T10:00:00Z",
                )?;
                // Some take long between taking their position and committing.
                std::thread::sleep(std::time::Duration::from_millis(
                    u64::try_from((i * 7) % 5 * 15).unwrap(),
                ));
                Ok(())
            })
            .await
            .unwrap();
        });
    }
    let mut cursor = start;
    let mut read = Vec::new();
    let mut turn = 0;
    loop {
        let writing = !writers.is_empty();
        if writing && let Some(done) = writers.try_join_next() {
            done.unwrap();
        }
        let after = cursor;
        let page: Vec<i64> = instances[turn % 2]
            .feed(move |c| {
                Ok(
                    c.prepare("SELECT seq FROM changes WHERE seq > ?1 ORDER BY seq LIMIT 5")?
                        .query_map([after], |r| r.get(0))?
                        .collect::<Result<_, _>>()?,
                )
            })
            .await
            .unwrap();
        turn += 1;
        cursor = page.last().copied().unwrap_or(cursor);
        read.extend(page);
        if !writing && cursor == after {
            break;
        }
    }
    let committed: Vec<i64> = instances[1]
        .read(move |c| {
            Ok(
                c.prepare("SELECT seq FROM changes WHERE seq > ?1 ORDER BY seq")?
                    .query_map([start], |r| r.get(0))?
                    .collect::<Result<_, _>>()?,
            )
        })
        .await
        .unwrap();
    assert_eq!(committed.len(), usize::try_from(WRITES).unwrap());
    assert_eq!(read, committed, "every change read, in order, none passed");
}

/// A PostgreSQL centre backed up while it serves (`pg_dump` of one snapshot) and restored into
/// a new database (`pg_restore`), then marked restored: the same applications, and a desk's
/// cursor from before answered 410, so the desk syncs again from the start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_backup_restores_into_a_new_database_and_desks_start_again() {
    use migdesk_central::database::Database;
    use migdesk_central::{Config, testing};
    let database = testing::postgres_database(None);
    let report = testing::seed_database(&database, &migdesk_central::seed::SeedOptions::new(12, 7));
    let centre = testing::Running::start_database(&database, Config::default()).await;
    let officer = report
        .accounts
        .iter()
        .find(|a| a.role == "officer")
        .unwrap();
    let client = reqwest::Client::new();
    let token = testing::token(&client, &centre.base, officer).await;
    let (_, cursor, _) = feed_page(&client, &centre.base, &token, "").await;
    let url = |db: &Database| match db {
        Database::Postgres(url) => url.clone(),
        Database::Sqlite(_) => unreachable!("a PostgreSQL database"),
    };

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("centre.dump");
    let backup = || {
        Command::new(BIN)
            .args(["backup", "--database", &url(&database), "--out"])
            .arg(&out)
            .output()
            .unwrap()
    };
    let backed = backup();
    let said = String::from_utf8_lossy(&backed.stderr).into_owned();
    assert!(backed.status.success(), "{said}");
    assert!(said.contains("pg_restore"), "says how to restore: {said}");
    assert!(!said.contains("password"), "{said}");
    let again = backup();
    assert!(!again.status.success(), "never over another backup");
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    let restored = testing::postgres_database(None);
    let pg_restore = Command::new("pg_restore")
        .args(["--no-owner", "--dbname", &url(&restored)])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        pg_restore.status.success(),
        "{}",
        String::from_utf8_lossy(&pg_restore.stderr)
    );
    let marked = Command::new(BIN)
        .args(["restored", "--database", &url(&restored)])
        .output()
        .unwrap();
    assert!(
        marked.status.success(),
        "{}",
        String::from_utf8_lossy(&marked.stderr)
    );
    let count = |db: &Database| -> i64 {
        testing::with_sql(db, |c| {
            c.query_row("SELECT COUNT(*) FROM applications", [], |r| r.get(0))
        })
        .unwrap()
    };
    assert_eq!(count(&restored), count(&database));
    assert!(count(&restored) >= 12);

    let back = testing::Running::start_database(&restored, Config::default()).await;
    let gone = client
        .get(format!("{}/api/v1/changes?cursor={cursor}", back.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), reqwest::StatusCode::GONE);
    let (n, _, _) = feed_page(&client, &back.base, &token, "").await;
    assert!(n > 0, "the desk syncs again from the start");
    centre.stop().await;
    back.stop().await;
}

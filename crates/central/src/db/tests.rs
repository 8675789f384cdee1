//! The database handle's guarantees, on SQLite files and in memory.

use super::*;

#[test]
fn migrations_are_valid() {
    assert!(Migrations::from_slice(MIGRATIONS).validate().is_ok());
}

#[test]
fn opening_twice_is_harmless() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("central.db");
    drop(open(&path).unwrap());
    let conn = open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

fn file_db(dir: &tempfile::TempDir) -> Db {
    let conn = open(&dir.path().join("central.db")).unwrap();
    conn.execute_batch("CREATE TABLE t (x INTEGER) STRICT")
        .unwrap();
    Db::new(conn)
}

async fn count(db: &Db) -> i64 {
    db.read(|c| Ok(c.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))?))
        .await
        .unwrap()
}

/// Small writes made at the same moment share a commit, and each call returns only once
/// its own row is durable; a write that fails fails its group, never silently.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn grouped_writes_are_each_durable_when_they_return() {
    let dir = tempfile::tempdir().unwrap();
    let db = file_db(&dir);
    let calls: Vec<_> = (0..64)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                db.write_grouped(move |tx| {
                    tx.execute("INSERT INTO t (x) VALUES (?1)", [i])?;
                    Ok(())
                })
                .await?;
                // Returned: the row is there for any other connection.
                let seen: i64 = db
                    .read(move |c| {
                        Ok(c.query_row("SELECT COUNT(*) FROM t WHERE x = ?1", [i], |r| r.get(0))?)
                    })
                    .await?;
                Ok::<_, ApiError>(seen)
            })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), 1);
    }
    assert_eq!(count(&db).await, 64);

    let failed = db
        .write_grouped(|tx| {
            tx.execute("INSERT INTO nowhere (x) VALUES (1)", [])?;
            Ok(())
        })
        .await;
    assert!(failed.is_err());
    assert_eq!(count(&db).await, 64);
}

/// Finding: a panic inside one request poisoned the one mutex, and every later request
/// failed with "the database lock was poisoned".
#[tokio::test]
async fn a_panic_in_one_request_never_poisons_the_database_for_the_others() {
    let dir = tempfile::tempdir().unwrap();
    for db in [file_db(&dir), Db::new(open_in_memory().unwrap())] {
        db.run(|c| Ok(c.execute_batch("CREATE TABLE IF NOT EXISTS t (x INTEGER) STRICT")?))
            .await
            .unwrap();
        let failed = db.run(|_| -> ApiResult<()> { panic!("a bug") }).await;
        assert!(failed.is_err());
        // A write that panics half-way leaves nothing behind: its transaction was rolled
        // back as it unwound.
        let failed = db
            .write(|tx| -> ApiResult<()> {
                tx.execute("INSERT INTO t (x) VALUES (1)", [])?;
                panic!("a bug after a write")
            })
            .await;
        assert!(failed.is_err());
        // A closure that began a transaction by hand and panicked: the next user finds it
        // rolled back.
        let failed = db
            .run(|c| -> ApiResult<()> {
                c.execute_batch("BEGIN; INSERT INTO t (x) VALUES (2);")?;
                panic!("a bug inside a hand-made transaction")
            })
            .await;
        assert!(failed.is_err());
        let failed = db
            .read(|_| -> ApiResult<()> { panic!("a bug in a read") })
            .await;
        assert!(failed.is_err());
        // Everyone after goes on.
        db.write(|tx| Ok(tx.execute("INSERT INTO t (x) VALUES (3)", [])?))
            .await
            .unwrap();
        assert_eq!(count(&db).await, 1);
        let autocommit = db
            .run(|c| Ok(c.as_sqlite().is_some_and(Connection::is_autocommit)))
            .await
            .unwrap();
        assert!(autocommit);
        // Every reader is back in the pool after its panic.
        for _ in 0..READERS * 2 {
            assert_eq!(count(&db).await, 1);
        }
    }
}

/// Finding: reads and writes shared one connection behind one mutex, so a long read held
/// every write up. A read holds its reader (and its snapshot) until the write it waits for
/// has committed: on one shared connection that write could never happen.
#[tokio::test]
async fn a_long_read_does_not_hold_up_a_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = file_db(&dir);
    let (reading, reading_rx) = tokio::sync::oneshot::channel::<()>();
    let (written, written_rx) = std::sync::mpsc::channel::<()>();
    let long_read = tokio::spawn({
        let db = db.clone();
        async move {
            db.read(move |c| {
                let before: i64 = c.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))?;
                let _ = reading.send(());
                written_rx
                    .recv_timeout(std::time::Duration::from_secs(30))
                    .map_err(|_| ApiError::internal("the write waited for the read"))?;
                // Still the snapshot the read began with.
                let after: i64 = c.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))?;
                Ok((before, after))
            })
            .await
        }
    });
    reading_rx.await.unwrap();
    db.write(|tx| Ok(tx.execute("INSERT INTO t (x) VALUES (1)", [])?))
        .await
        .unwrap();
    written.send(()).unwrap();
    assert_eq!(long_read.await.unwrap().unwrap(), (0, 0));
    // The next read sees the write.
    assert_eq!(count(&db).await, 1);
}

#[tokio::test]
async fn a_reader_refuses_to_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = file_db(&dir);
    let wrote = db
        .read(|c| Ok(c.execute("INSERT INTO t (x) VALUES (1)", [])?))
        .await;
    assert!(wrote.is_err());
    assert_eq!(count(&db).await, 0);
}

#[tokio::test]
async fn a_reader_maps_the_file_and_still_sees_each_commit() {
    let dir = tempfile::tempdir().unwrap();
    let db = file_db(&dir);
    let mapped: i64 = db
        .read(|c| Ok(c.query_row("PRAGMA mmap_size", [], |r| r.get(0))?))
        .await
        .unwrap();
    assert_eq!(mapped, READER_MMAP_BYTES, "the build of SQLite maps files");
    // Pages read through the map still follow the log's commits.
    for n in 1..=3 {
        db.write(|tx| Ok(tx.execute("INSERT INTO t (x) VALUES (1)", [])?))
            .await
            .unwrap();
        assert_eq!(count(&db).await, n);
    }
}

#[test]
fn every_commit_is_durable_before_it_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let conn = open(&dir.path().join("central.db")).unwrap();
    let synchronous: i64 = conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(synchronous, 2, "synchronous=FULL");
}

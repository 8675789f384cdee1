//! The write-ahead log's checkpoints during a sync's downloads, on a thread and connection of
//! their own. SQLite copies the log into the database file after a commit that leaves it long
//! (a thousand pages), in the committing call: a batch of 16 MB of verified files was written
//! three times before its commit returned (into the log, read back, into the file), and the
//! downloads waited. With [`Store::checkpoint_aside`], the sync's connection leaves checkpoints
//! to a thread, which copies the log after each batch while the next one downloads and is
//! written; the connection itself checkpoints only a log grown far beyond (a sync cancelled
//! before it gave its checkpoints back, a thread that could not keep up).
//! A checkpoint is crash-safe wherever it stops: the log stays the truth until it is copied.

use std::path::Path;
use std::sync::mpsc;

use super::{CacheKey, Store, map_sql, unlock};
use crate::error::DeskResult;

/// SQLite's default: a commit leaving the log this many pages long checkpoints it.
const AUTOCHECKPOINT_PAGES: i64 = 1000;
/// While the thread checkpoints: the connection's own checkpoint only past 128 MiB of log.
const ASIDE_PAGES: i64 = 32 * 1024;

/// A thread that checkpoints the cache's log when told; it ends, after one last checkpoint,
/// when this is dropped.
#[derive(Debug)]
pub(crate) struct Checkpoints {
    tell: Option<mpsc::Sender<()>>,
}

impl Checkpoints {
    /// Asks for a checkpoint (after a commit); requests that arrive meanwhile make one.
    pub(crate) fn nudge(&self) {
        if let Some(tell) = &self.tell {
            // A thread that stopped (its connection failed) leaves the log to the sync's
            // connection: past 128 MiB, and again as usual after `Store::checkpoints_back`.
            let _ = tell.send(());
        }
    }
}

/// Copies the log into the database until `told` closes.
fn run(path: &Path, key: &CacheKey, told: &mpsc::Receiver<()>) {
    let Ok(conn) = unlock(path, key) else {
        return;
    };
    let checkpoint = || {
        // PASSIVE: copies what no reader still needs, never waits for a writer or a reader.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    };
    while told.recv().is_ok() {
        while told.try_recv().is_ok() {}
        checkpoint();
    }
    checkpoint();
}

impl Store {
    /// Leaves this connection's checkpoints to a thread that checkpoints when nudged (the
    /// connection's own wait for a log of 128 MiB); [`Store::checkpoints_back`] undoes it.
    /// Where no thread can start, nothing changes.
    pub(crate) fn checkpoint_aside(&self) -> DeskResult<Checkpoints> {
        let (tell, told) = mpsc::channel();
        let (path, key) = (self.path.clone(), self.key.clone());
        let started = std::thread::Builder::new()
            .name("cache-checkpoint".into())
            .spawn(move || run(&path, &key, &told));
        if started.is_err() {
            return Ok(Checkpoints { tell: None });
        }
        self.conn
            .pragma_update(None, "wal_autocheckpoint", ASIDE_PAGES)
            .map_err(map_sql)?;
        Ok(Checkpoints { tell: Some(tell) })
    }

    /// Gives this connection its checkpoints back; the thread makes its last one and ends.
    pub(crate) fn checkpoints_back(&self, checkpoints: Checkpoints) -> DeskResult<()> {
        drop(checkpoints);
        self.conn
            .pragma_update(None, "wal_autocheckpoint", AUTOCHECKPOINT_PAGES)
            .map_err(map_sql)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    /// `n` files of `size` random bytes, named from `first` on.
    fn files(first: usize, n: usize, size: usize) -> Vec<(String, Vec<u8>)> {
        (first..first + n)
            .map(|i| {
                let mut body = vec![0u8; size];
                rand::fill(&mut body[..]);
                (format!("{i:064x}"), body)
            })
            .collect()
    }

    fn file_size(path: &Path) -> u64 {
        std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
    }

    #[test]
    fn the_log_is_copied_aside_when_nudged_and_the_connection_checkpoints_again_after() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        let store = Store::open(&path, &CacheKey::random()).unwrap();
        let before = file_size(&path);

        let checkpoints = store.checkpoint_aside().unwrap();
        for (sha, body) in files(0, 8, 1 << 20) {
            store.keep_partial(&sha, &body).unwrap();
        }
        // The commits alone left the eight megabytes in the log.
        assert!(
            file_size(&path) < before + (1 << 20),
            "the committing connection checkpointed: {} bytes",
            file_size(&path)
        );
        checkpoints.nudge();
        let waited = Instant::now();
        while file_size(&path) < before + (8 << 20) && waited.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            file_size(&path) >= before + (8 << 20),
            "the thread did not copy the log: {} bytes",
            file_size(&path)
        );

        store.checkpoints_back(checkpoints).unwrap();
        let grown = file_size(&path);
        for (sha, body) in files(8, 8, 1 << 20) {
            store.keep_partial(&sha, &body).unwrap();
        }
        assert!(
            file_size(&path) >= grown + (8 << 20),
            "the connection's own checkpoints came back: {} bytes",
            file_size(&path)
        );
        // Everything written reads back.
        assert_eq!(store.count("SELECT count(*) FROM partials").unwrap(), 16);
    }
}

//! `migdesk-cli sync` killed with SIGKILL at random moments, fifty times, while decisions are
//! being recorded: afterwards the cache passes its integrity check, sync resumes and finishes,
//! finished documents are not downloaded again, and every recorded decision reaches the centre
//! exactly once.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use migdesk_core::cache::Store;
use migdesk_core::secrets::{self, OsKeyring};
use migdesk_core::sync;
use migdesk_domain::decision::{Decision, DecisionKind};
use migdesk_e2e::central::{self, Centre, bin};
use serde_json::Value;

const KILLS: usize = 50;

fn cli(data: &Path) -> Command {
    let mut c = Command::new(bin("migdesk-cli"));
    c.arg("--data-dir").arg(data);
    c
}

/// A small deterministic generator, so a failing run can be repeated.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

fn blobs(store: &Store) -> BTreeSet<String> {
    store
        .conn_for_tests()
        .prepare("SELECT sha256 FROM files")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn sync_survives_fifty_sigkills_without_losing_or_repeating_anything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    // Enough cases that the officer's documents take several batches to download: a sync as
    // fast as the desk's now finished 80 cases' in one run before most kills landed.
    let officer = central::seed(&db, 200, 4, Some("lankaran"))
        .into_iter()
        .find(|a| a.department == "lankaran" && a.role == "officer")
        .expect("a Lankaran officer");
    let (user, password) = (officer.username, officer.password);
    let centre = Centre::start(&db);
    let base = centre.base.clone();

    let data = dir.path().join("desk");
    let mut login = cli(&data)
        .args(["login", "--server", &base, "--username", &user])
        .stdin(Stdio::piped())
        .spawn()
        .expect("login");
    login
        .stdin
        .take()
        .expect("stdin")
        .write_all(password.as_bytes())
        .expect("password");
    assert!(login.wait().expect("login").success());

    let keyring = OsKeyring {
        profile: secrets::profile_for(&data),
    };
    let key = secrets::cache_key(&keyring, false).expect("the cache key");
    let cache = data.join("cache.db");

    let mut rng = Lcg(0x5eed);
    let mut recorded: Vec<String> = Vec::new();
    let mut kept = BTreeSet::new();
    let mut rounds_that_progressed = 0;
    for round in 0..KILLS {
        // Between kills, the officer works: every fifth round one decision is recorded.
        {
            let mut store = Store::open(&cache, &key)
                .unwrap_or_else(|e| panic!("round {round}: the cache does not open: {e:?}"));
            let now = blobs(&store);
            assert!(
                now.is_superset(&kept),
                "round {round}: a finished document disappeared"
            );
            if now.len() > kept.len() {
                rounds_that_progressed += 1;
            }
            kept = now;
            if round % 5 == 4 {
                let case: Option<String> = store
                    .conn_for_tests()
                    .query_row(
                        "SELECT id FROM cases WHERE mine = 1 AND status = 'pending' AND id NOT IN (SELECT case_id FROM outbox) LIMIT 1",
                        [],
                        |r| r.get(0),
                    )
                    .ok();
                if let Some(case) = case {
                    recorded.push(
                        sync::record_decision(
                            &mut store,
                            &case,
                            &Decision::new(DecisionKind::Accept),
                        )
                        .expect("record"),
                    );
                }
            }
        }
        let mut syncing = cli(&data)
            .arg("sync")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sync");
        // Early rounds die young (during start-up and the first downloads), later ones later.
        std::thread::sleep(Duration::from_millis(40 + rng.next(80 + round as u64 * 40)));
        let _ = syncing.kill(); // SIGKILL
        let _ = syncing.wait();
    }

    // The kills landed mid-sync: documents arrived over several interrupted runs.
    assert!(
        rounds_that_progressed >= 2,
        "only {rounds_that_progressed} interrupted runs made progress"
    );

    // Afterwards: the cache is whole, sync resumes and finishes.
    let missing_before = {
        let store = Store::open(&cache, &key).expect("the cache passes its integrity check");
        let check: String = store
            .conn_for_tests()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("check");
        assert_eq!(check, "ok");
        sync::status(&store, "2000-01-01")
            .expect("status")
            .documents_missing
    };
    let out = cli(&data).args(["--json", "sync"]).output().expect("sync");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        report["documents_downloaded"].as_i64(),
        Some(missing_before),
        "finished documents were downloaded again: {report}"
    );

    let store = Store::open(&cache, &key).expect("open");
    let status = sync::status(&store, "2000-01-01").expect("status");
    assert_eq!(status.documents_missing, 0);
    assert_eq!(status.unsent_decisions, 0);
    assert!(
        !recorded.is_empty(),
        "no decision was recorded during the loop"
    );

    // Every recorded decision reached the centre exactly once.
    let central = rusqlite::Connection::open(&db).expect("central db");
    for id in &recorded {
        let n: i64 = central
            .query_row("SELECT COUNT(*) FROM decisions WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .expect("count");
        assert_eq!(n, 1, "decision {id}");
        let state: String = store
            .conn_for_tests()
            .query_row("SELECT state FROM outbox WHERE id = ?1", [id], |r| r.get(0))
            .expect("outbox");
        assert_eq!(state, "sent");
    }
    let applied: i64 = central
        .query_row("SELECT COUNT(*) FROM decisions", [], |r| r.get(0))
        .expect("count");
    assert_eq!(applied as usize, recorded.len());
}

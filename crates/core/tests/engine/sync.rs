#![allow(clippy::unwrap_used)] // Test helpers may unwrap: a failure is the test failing.

//! Sync against the real central service over HTTP on a loopback port, with a real encrypted
//! cache file. The centre keeps its data in the run's engine (SQLite, or PostgreSQL when
//! `MIGDESK_TEST_ENGINE=postgres`).

use crate::common;
use common::Centre;

use migdesk_central::database::Database;
use migdesk_central::seed::Account;
use migdesk_central::testing::with_sql;
use migdesk_core::cache::{self, CacheKey, Store};
use migdesk_core::conflicts::{self, ConflictCause};
use migdesk_core::sync::{self, Central};
use migdesk_domain::decision::{Decision, DecisionKind};
use serde_json::json;

struct Fixture {
    dir: tempfile::TempDir,
    key: CacheKey,
    central: Database,
    accounts: Vec<Account>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (central, accounts) = common::seeded_database(dir.path(), &common::options(12, 5, "shaki"));
    Fixture {
        dir,
        key: CacheKey::random(),
        central,
        accounts,
    }
}

impl Fixture {
    fn officer(&self, nth: usize) -> &Account {
        self.accounts
            .iter()
            .filter(|a| a.department == "shaki" && a.role == "officer")
            .nth(nth)
            .unwrap()
    }
    fn supervisor(&self) -> &Account {
        self.accounts
            .iter()
            .find(|a| a.department == "shaki" && a.role == "supervisor")
            .unwrap()
    }
    fn cache(&self) -> Store {
        Store::open(&cache::file_in(self.dir.path()), &self.key).unwrap()
    }
    fn central_count(&self, sql: &str) -> i64 {
        with_sql(&self.central, |conn| conn.query_row(sql, [], |r| r.get(0))).unwrap()
    }
}

async fn full_sync(store: &mut Store, central: &Central, token: &str, me: &str) -> (u64, u64) {
    let report = sync::run(store, central, token, me, 4, |_| {})
        .await
        .unwrap();
    // And the documents' text after it, as the app reads it.
    sync::read_texts(store, |_| {}).await.unwrap();
    (report.changes, report.documents_downloaded)
}

/// A case of the caller's that waits for a decision: (id, version).
fn pending_case(store: &Store) -> (String, i64) {
    store
        .conn_for_tests()
        .query_row(
            "SELECT id, version FROM cases WHERE mine = 1 AND status = 'pending' LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
}

async fn signed_in(f: &Fixture, centre: &Centre) -> (Central, String, String, Store) {
    let central = Central::new(&centre.base).unwrap();
    let officer = f.officer(0);
    let migdesk_api::SessionResponse { token, user, .. } = central
        .sign_in(&officer.username, &officer.password)
        .await
        .unwrap();
    let me = user.id.clone();
    let store = f.cache();
    (central, token, me, store)
}

#[tokio::test]
async fn first_incremental_and_no_change_syncs() {
    let f = fixture();
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    let (central, token, me, mut store) = signed_in(&f, &centre).await;

    let mut events = Vec::new();
    let report = sync::run(&mut store, &central, &token, &me, 4, |p| events.push(p))
        .await
        .unwrap();
    let (changes, docs) = (report.changes, report.documents_downloaded);
    // Progress: the feed's count climbs to the changes applied; the downloads' bytes climb to
    // the announced total, with a rate and an estimate that reaches zero.
    let feed: Vec<u64> = events
        .iter()
        .filter(|p| p.phase == sync::Phase::Changes)
        .map(|p| p.changes)
        .collect();
    assert_eq!(feed.last(), Some(&changes));
    assert!(feed.windows(2).all(|w| w[0] <= w[1]));
    let downloads: Vec<_> = events
        .iter()
        .filter(|p| p.phase == sync::Phase::Documents)
        .collect();
    let last = downloads.last().unwrap();
    assert_eq!(downloads[0].bytes, 0);
    assert_eq!(
        (last.documents_done, last.bytes),
        (docs, report.bytes_downloaded)
    );
    assert_eq!(last.documents_total, docs);
    assert_eq!(last.bytes_total, report.bytes_downloaded);
    assert!(last.bytes_per_second > 0.0);
    assert_eq!(last.seconds_remaining, Some(0.0));
    assert!(downloads.windows(2).all(|w| w[0].bytes <= w[1].bytes));
    // The sync read no text: that comes after it, once for each document; then a search finds
    // words only the documents hold.
    assert_eq!(
        store.count("SELECT COUNT(*) FROM document_text").unwrap(),
        0
    );
    let mut reading = Vec::new();
    let read = sync::read_texts(&mut store, |p| reading.push(p))
        .await
        .unwrap();
    assert_eq!(read, docs);
    let last = reading.last().unwrap();
    assert_eq!(
        (last.phase, last.documents_done, last.documents_total),
        (sync::Phase::Reading, docs, docs)
    );
    assert_eq!(
        sync::read_texts(&mut store, |_| {}).await.unwrap(),
        0,
        "read once"
    );
    assert_eq!(
        store.count("SELECT COUNT(*) FROM document_text").unwrap(),
        store.count("SELECT COUNT(*) FROM files").unwrap()
    );
    let with_form = store
        .count("SELECT COUNT(DISTINCT d.case_id) FROM documents d JOIN document_text t ON t.sha256 = d.sha256 WHERE t.text LIKE '%Elektron ərizə forması%'")
        .unwrap();
    assert!(with_form > 0);
    let (_, found) = migdesk_core::queue::list(
        &store,
        &migdesk_core::queue::QueueQuery {
            // The printed form's title, typed in capitals: Azerbaijani folding finds it.
            search: Some("ELEKTRON ƏRİZƏ FORMASI".into()),
            ..Default::default()
        },
        "2026-11-20",
    )
    .unwrap();
    assert_eq!(found, with_form);
    let mine = f.central_count(&format!(
        "SELECT COUNT(*) FROM applications WHERE officer_id = '{me}'"
    ));
    assert_eq!(changes as i64, mine);
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM cases WHERE mine = 1")
            .unwrap(),
        mine
    );
    assert!(docs > 0);
    assert_eq!(
        store.count("SELECT COUNT(*) FROM documents d LEFT JOIN files f ON f.sha256 = d.sha256 WHERE f.sha256 IS NULL").unwrap(),
        0
    );

    // Nothing changed: nothing moves.
    assert_eq!(full_sync(&mut store, &central, &token, &me).await, (0, 0));

    // The applicant withdraws one case: one change arrives.
    let (id, number, dob): (String, String, String) = with_sql(&f.central, |conn| {
        conn.query_row(
            &format!(
                "SELECT id, number, {} FROM applications WHERE officer_id = '{me}' LIMIT 1",
                conn.json_text("applicant", "date_of_birth")
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    })
    .unwrap();
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/tracking/{number}/withdrawal",
            centre.base
        ))
        .bearer_auth(
            with_sql(&f.central, |conn| {
                migdesk_central::portal::issue(conn, "portal")
            })
            .unwrap(),
        )
        .json(&json!({ "date_of_birth": dob }))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    assert_eq!(full_sync(&mut store, &central, &token, &me).await, (1, 0));
    let status: String = store
        .conn_for_tests()
        .query_row("SELECT status FROM cases WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(status, "withdrawn");
    centre.stop().await;
}

#[tokio::test]
async fn a_decision_made_offline_reaches_the_centre_exactly_once() {
    let f = fixture();
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    let (central, token, me, mut store) = signed_in(&f, &centre).await;
    full_sync(&mut store, &central, &token, &me).await;
    let case_id = pending_case(&store).0;

    // The network goes away.
    centre.stop().await;
    let decision =
        sync::record_decision(&mut store, &case_id, &Decision::new(DecisionKind::Accept)).unwrap();
    assert_eq!(
        sync::push(&mut store, &central, &token).await.unwrap(),
        (0, 0)
    );
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND attempts = 1")
            .unwrap(),
        1
    );

    // It comes back (on another port); the retry waits for its backoff, so clear it as time would.
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    let central = Central::new(&centre.base).unwrap();
    store
        .conn_for_tests()
        .execute("UPDATE outbox SET next_attempt_at = NULL", [])
        .unwrap();
    assert_eq!(
        sync::push(&mut store, &central, &token).await.unwrap(),
        (1, 0)
    );
    assert_eq!(
        sync::push(&mut store, &central, &token).await.unwrap(),
        (0, 0)
    );
    assert_eq!(
        f.central_count(&format!(
            "SELECT COUNT(*) FROM decisions WHERE id = '{decision}'"
        )),
        1
    );
    assert_eq!(
        f.central_count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = '{case_id}' AND status = 'accepted'"
        )),
        1
    );

    // A replay of the same request (say, the answer was lost) is answered, not applied twice.
    store
        .conn_for_tests()
        .execute(
            "UPDATE outbox SET state = 'pending', next_attempt_at = NULL",
            [],
        )
        .unwrap();
    assert_eq!(
        sync::push(&mut store, &central, &token).await.unwrap(),
        (1, 0)
    );
    assert_eq!(
        f.central_count(&format!(
            "SELECT COUNT(*) FROM decisions WHERE application_id = '{case_id}'"
        )),
        1
    );
    centre.stop().await;
}

#[tokio::test]
async fn a_note_written_offline_reaches_the_centre_exactly_once() {
    let f = fixture();
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    let (central, token, me, mut store) = signed_in(&f, &centre).await;
    full_sync(&mut store, &central, &token, &me).await;
    let case_id = pending_case(&store).0;
    assert_eq!(
        sync::record_note(&mut store, &case_id, " \n ")
            .unwrap_err()
            .kind,
        migdesk_core::ErrorKind::Invalid,
        "an empty note is refused on the desk"
    );

    // The network goes away; the note is kept and waits.
    centre.stop().await;
    let note = sync::record_note(
        &mut store,
        &case_id,
        "  Ərizəçi pasportun əslini gətirəcək. ",
    )
    .unwrap();
    assert_eq!(
        sync::push_notes(&mut store, &central, &token)
            .await
            .unwrap(),
        (0, 0)
    );
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM notes_outbox WHERE state = 'pending' AND attempts = 1 AND last_error IS NOT NULL AND next_attempt_at IS NOT NULL")
            .unwrap(),
        1
    );

    // It comes back (on another port); the retry waits for its backoff, so clear it as time would.
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    let central = Central::new(&centre.base).unwrap();
    sync::retry_now(&store).unwrap();
    assert_eq!(
        sync::push_notes(&mut store, &central, &token)
            .await
            .unwrap(),
        (1, 0)
    );
    assert_eq!(
        sync::push_notes(&mut store, &central, &token)
            .await
            .unwrap(),
        (0, 0)
    );
    let at_centre = |sql: &str| f.central_count(&sql.replace("{note}", &note));
    assert_eq!(
        at_centre(
            "SELECT COUNT(*) FROM notes WHERE id = '{note}' AND text = 'Ərizəçi pasportun əslini gətirəcək.'"
        ),
        1
    );
    // A replay (the answer was lost) is answered, not kept twice.
    store
        .conn_for_tests()
        .execute("UPDATE notes_outbox SET state = 'pending'", [])
        .unwrap();
    assert_eq!(
        sync::push_notes(&mut store, &central, &token)
            .await
            .unwrap(),
        (1, 0)
    );
    assert_eq!(at_centre("SELECT COUNT(*) FROM notes"), 1);
    assert_eq!(
        at_centre(
            "SELECT COUNT(*) FROM events WHERE kind = 'note_added' AND detail LIKE '%{note}%'"
        ),
        1
    );

    // A note the centre refuses for good (the case is not one this officer may read) is kept
    // with the centre's words and not sent again.
    let refused = sync::record_note(&mut store, &case_id, "x").unwrap();
    store
        .conn_for_tests()
        .execute(
            "UPDATE notes_outbox SET case_id = 'no-such-application' WHERE id = ?1",
            [&refused],
        )
        .unwrap();
    assert_eq!(
        sync::push_notes(&mut store, &central, &token)
            .await
            .unwrap(),
        (0, 1)
    );
    let why: String = store
        .conn_for_tests()
        .query_row(
            "SELECT last_error FROM notes_outbox WHERE id = ?1 AND state = 'refused'",
            [&refused],
            |r| r.get(0),
        )
        .unwrap();
    assert!(why.contains("no-such-application"), "{why}");
    assert_eq!(
        sync::push_notes(&mut store, &central, &token)
            .await
            .unwrap(),
        (0, 0)
    );
    centre.stop().await;
}

/// Records a decision on a pending case while offline, and meanwhile the supervisor moves that
/// case to another officer. Returns the case's id.
async fn decided_offline_then_moved_away(
    f: &Fixture,
    centre: &Centre,
    central: &Central,
    store: &mut Store,
) -> String {
    let (case_id, version) = pending_case(store);
    sync::record_decision(store, &case_id, &Decision::new(DecisionKind::Accept)).unwrap();
    move_to_colleague(f, centre, central, &case_id, version).await;
    case_id
}

/// The supervisor moves the case (seen at `version`) to the second officer.
async fn move_to_colleague(
    f: &Fixture,
    centre: &Centre,
    central: &Central,
    case_id: &str,
    version: i64,
) {
    let sup = f.supervisor();
    let sup_token = central
        .sign_in(&sup.username, &sup.password)
        .await
        .unwrap()
        .token;
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v1/departments/shaki/assignments", centre.base))
        .bearer_auth(&sup_token)
        .json(&json!({ "applications": [{ "application_id": case_id, "based_on_version": version }], "officer_id": f.officer(1).id, "reason": "balancing" }))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
}

#[tokio::test]
async fn a_damaged_cache_is_repaired_and_resynced_without_losing_the_unsent_decision() {
    let f = fixture();
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    let (central, token, me, mut store) = signed_in(&f, &centre).await;
    full_sync(&mut store, &central, &token, &me).await;
    let queue = store
        .count("SELECT COUNT(*) FROM cases WHERE mine = 1")
        .unwrap();
    let case_id = pending_case(&store).0;
    let decision =
        sync::record_decision(&mut store, &case_id, &Decision::new(DecisionKind::Accept)).unwrap();
    store
        .conn_for_tests()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    drop(store);

    // A page in the middle of the file (the documents' texts and search entries) goes bad on
    // disk.
    let path = cache::file_in(f.dir.path());
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid..mid + 32].iter_mut().for_each(|b| *b = !*b);
    std::fs::write(&path, bytes).unwrap();
    let err = Store::open(&path, &f.key).unwrap_err();
    assert_eq!(err.kind, migdesk_core::ErrorKind::CacheDamaged);

    let (mut store, report) = cache::repair(&path, &f.key).unwrap();
    assert_eq!(report.decisions_kept, 1);
    assert_eq!(
        store.count("SELECT COUNT(*) FROM cases").unwrap(),
        0,
        "a fresh cache"
    );
    let (changes, docs) = full_sync(&mut store, &central, &token, &me).await;
    assert!(changes as i64 >= queue && docs > 0);
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM cases WHERE mine = 1")
            .unwrap(),
        queue
    );
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM outbox WHERE state = 'sent'")
            .unwrap(),
        1
    );
    assert_eq!(
        f.central_count(&format!(
            "SELECT COUNT(*) FROM decisions WHERE id = '{decision}'"
        )),
        1
    );
    assert_eq!(
        f.central_count(&format!(
            "SELECT COUNT(*) FROM applications WHERE id = '{case_id}' AND status = 'accepted'"
        )),
        1
    );
    centre.stop().await;
}

#[tokio::test]
async fn a_case_reassigned_while_offline_ends_as_a_visible_conflict() {
    let f = fixture();
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    let (central, token, me, mut store) = signed_in(&f, &centre).await;
    full_sync(&mut store, &central, &token, &me).await;
    let case_id = decided_offline_then_moved_away(&f, &centre, &central, &mut store).await;

    // Back online: the decision reaches the centre as a conflict and stays, visible.
    assert_eq!(
        sync::push(&mut store, &central, &token).await.unwrap(),
        (0, 1)
    );
    sync::pull_changes(&mut store, &central, &token, &me, |_| {})
        .await
        .unwrap();
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM outbox WHERE state = 'conflict'")
            .unwrap(),
        1
    );
    let response: String = store
        .conn_for_tests()
        .query_row("SELECT response FROM outbox", [], |r| r.get(0))
        .unwrap();
    assert!(response.contains("reassigned"), "{response}");
    assert_eq!(
        store
            .count(&format!("SELECT mine FROM cases WHERE id = '{case_id}'"))
            .unwrap(),
        0
    );
    assert_eq!(sync::status(&store, "2000-01-01").unwrap().conflicts, 1);
    assert_eq!(
        f.central_count("SELECT COUNT(*) FROM decisions WHERE outcome = 'reassigned'"),
        1
    );
    centre.stop().await;
}

#[tokio::test]
async fn an_unsent_decision_on_a_case_moved_away_still_reaches_the_centre_as_a_conflict() {
    let f = fixture();
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    let (central, token, me, mut store) = signed_in(&f, &centre).await;
    full_sync(&mut store, &central, &token, &me).await;
    let case_id = decided_offline_then_moved_away(&f, &centre, &central, &mut store).await;
    // Pull before push: the case leaves the queue, and the decision waits to be sent. The desk
    // does not settle it alone: the centre must hear of it to show the supervisor.
    sync::pull_changes(&mut store, &central, &token, &me, |_| {})
        .await
        .unwrap();
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
            .unwrap(),
        1
    );
    assert_eq!(
        sync::push(&mut store, &central, &token).await.unwrap(),
        (0, 1)
    );
    assert_eq!(
        store.count("SELECT COUNT(*) FROM outbox").unwrap(),
        1,
        "never dropped"
    );
    assert_eq!(
        f.central_count(&format!(
            "SELECT COUNT(*) FROM decisions WHERE application_id = '{case_id}' AND outcome = 'reassigned'"
        )),
        1
    );

    // The conflicts inbox tells the story: who has the case now, since when, what was decided.
    let inbox = conflicts::list(&store).unwrap();
    assert_eq!(inbox.len(), 1);
    let c = &inbox[0];
    assert_eq!(c.case_id, case_id);
    assert_eq!(c.cause, ConflictCause::Reassigned);
    assert_eq!(c.kind, migdesk_domain::decision::DecisionKind::Accept);
    assert_eq!(c.now_with.as_deref(), Some(f.officer(1).full_name));
    assert!(c.changed_at.is_some(), "{c:?}");
    assert_eq!(c.status_now, Some(migdesk_api::Status::Pending));
    assert!(!c.number.is_empty() && !c.applicant.is_empty(), "{c:?}");
    assert!(!c.seen);
    conflicts::mark_seen(&store, &c.id).unwrap();
    let inbox = conflicts::list(&store).unwrap();
    assert!(inbox[0].seen, "seen, and still listed");
    assert_eq!(
        conflicts::mark_seen(&store, "no-such-decision")
            .unwrap_err()
            .kind,
        migdesk_core::ErrorKind::Invalid
    );
    centre.stop().await;
}

#[tokio::test]
async fn acknowledged_cases_are_purged_after_the_period_and_nothing_else() {
    let f = fixture();
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    let (central, token, me, mut store) = signed_in(&f, &centre).await;
    full_sync(&mut store, &central, &token, &me).await;
    let cases_before = store.count("SELECT COUNT(*) FROM cases").unwrap();
    let blobs_before = store.count("SELECT COUNT(*) FROM files").unwrap();
    let ids: Vec<String> = store
        .conn_for_tests()
        .prepare("SELECT id FROM cases WHERE mine = 1 AND status = 'pending' LIMIT 2")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids.len(), 2);
    sync::record_decision(&mut store, &ids[0], &Decision::new(DecisionKind::Accept)).unwrap();
    sync::push(&mut store, &central, &token).await.unwrap();
    // The second decision stays unsent (recorded after the push).
    sync::record_decision(&mut store, &ids[1], &Decision::new(DecisionKind::Accept)).unwrap();

    // Not yet: the period has not passed.
    assert_eq!(
        store.purge_acknowledged(chrono::Duration::days(7)).unwrap(),
        0
    );
    store
        .conn_for_tests()
        .execute(
            "UPDATE outbox SET acknowledged_at = '2000-01-01T00:00:00Z' WHERE state = 'sent'",
            [],
        )
        .unwrap();
    // A case waiting for a decision again (a supervisor reopened it) is not purged however
    // old its first decision.
    let set_status = |store: &migdesk_core::cache::Store, status: &str| {
        store
            .conn_for_tests()
            .execute(
                "UPDATE cases SET status = ?1 WHERE id = ?2",
                [status, ids[0].as_str()],
            )
            .unwrap();
    };
    set_status(&store, "pending");
    assert_eq!(
        store.purge_acknowledged(chrono::Duration::days(7)).unwrap(),
        0
    );
    set_status(&store, "accepted");
    assert_eq!(
        store.purge_acknowledged(chrono::Duration::days(7)).unwrap(),
        1
    );
    assert_eq!(
        store
            .count(&format!(
                "SELECT COUNT(*) FROM cases WHERE id = '{}'",
                ids[0]
            ))
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .count(&format!(
                "SELECT COUNT(*) FROM cases WHERE id = '{}'",
                ids[1]
            ))
            .unwrap(),
        1,
        "unsent work stays"
    );
    assert_eq!(
        store.count("SELECT COUNT(*) FROM cases").unwrap(),
        cases_before - 1
    );
    let files_after = store.count("SELECT COUNT(*) FROM files").unwrap();
    assert!(files_after < blobs_before);
    assert_eq!(
        std::fs::read_dir(store.files_folder()).unwrap().count() as i64,
        files_after,
        "the purged cases' files left the disk"
    );
    assert_eq!(
        store.count("SELECT COUNT(*) FROM outbox").unwrap(),
        2,
        "the record of what was sent stays"
    );
    centre.stop().await;
}

#[tokio::test]
async fn the_audit_trail_reaches_the_centre_once() {
    let f = fixture();
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    let (central, token, me, mut store) = signed_in(&f, &centre).await;
    full_sync(&mut store, &central, &token, &me).await;
    let case_id = pending_case(&store).0;
    store.audit("opened", Some(&case_id), &json!({})).unwrap();
    sync::record_decision(&mut store, &case_id, &Decision::new(DecisionKind::Accept)).unwrap();

    assert_eq!(
        sync::push_audit(&mut store, &central, &token)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        sync::push_audit(&mut store, &central, &token)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        f.central_count(&format!("SELECT COUNT(*) FROM desk_audit WHERE application_id = '{case_id}' AND user_id = '{me}'")),
        2
    );
    // A lost answer means a resend: the centre still keeps each event once.
    store
        .conn_for_tests()
        .execute("UPDATE audit SET pushed_at = NULL", [])
        .unwrap();
    assert_eq!(
        sync::push_audit(&mut store, &central, &token)
            .await
            .unwrap(),
        2
    );
    assert_eq!(f.central_count("SELECT COUNT(*) FROM desk_audit"), 2);
    centre.stop().await;
}

#[tokio::test]
async fn an_audit_event_the_centre_refuses_is_kept_and_does_not_stop_the_others() {
    let f = fixture();
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    let (central, token, me, mut store) = signed_in(&f, &centre).await;
    full_sync(&mut store, &central, &token, &me).await;
    let case_id = pending_case(&store).0;
    store.audit("opened", Some(&case_id), &json!({})).unwrap();
    // A kind the contract does not name (an older or newer desk): kept, refused, never sent.
    store.audit("printed", Some(&case_id), &json!({})).unwrap();
    store.audit("opened", Some(&case_id), &json!({})).unwrap();

    assert_eq!(
        sync::push_audit(&mut store, &central, &token)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        f.central_count(&format!(
            "SELECT COUNT(*) FROM desk_audit WHERE application_id = '{case_id}'"
        )),
        2
    );
    let refused: String = store
        .conn_for_tests()
        .query_row(
            "SELECT refused FROM audit WHERE kind = 'printed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(refused.contains("not an audit event kind"), "{refused}");
    // Not sent again, and the next sync goes through.
    assert_eq!(
        sync::push_audit(&mut store, &central, &token)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM audit WHERE kind = 'printed'")
            .unwrap(),
        1,
        "kept"
    );
    centre.stop().await;
}

#[tokio::test]
async fn no_personal_data_is_readable_in_the_cache_files() {
    let f = fixture();
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    let (central, token, me, mut store) = signed_in(&f, &centre).await;
    full_sync(&mut store, &central, &token, &me).await;
    let people: Vec<(String, String)> = store
        .conn_for_tests()
        .prepare("SELECT json_extract(detail, '$.applicant.name_latin'), json_extract(detail, '$.applicant.passport_number') FROM cases")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!people.is_empty());
    // A stretch of each document's own bytes, past the format's header.
    let stretches: Vec<Vec<u8>> = store
        .conn_for_tests()
        .prepare("SELECT sha256 FROM files")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .take(4)
        .map(|sha| {
            let bytes = store.file_for_tests(&sha.unwrap()).unwrap();
            let at = bytes.len() / 2;
            bytes[at..(at + 24).min(bytes.len())].to_vec()
        })
        .collect();
    assert!(!stretches.is_empty());
    let store_files = store.count("SELECT COUNT(*) FROM files").unwrap();
    let folder = store.files_folder();
    drop(store);
    let mut bytes = Vec::new();
    for suffix in ["", "-wal"] {
        if let Ok(b) = std::fs::read(format!(
            "{}{suffix}",
            f.dir.path().join("cache.db").display()
        )) {
            bytes.extend(b);
        }
    }
    let mut sealed = 0i64;
    for entry in std::fs::read_dir(&folder).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
        sealed += 1;
    }
    assert_eq!(sealed, store_files, "one sealed file a document");
    assert!(bytes.len() > 10_000);
    for stretch in &stretches {
        assert!(
            !bytes
                .windows(stretch.len())
                .any(|w| w == stretch.as_slice()),
            "a document's bytes found as they are"
        );
    }
    for (name, passport) in people {
        for needle in [name.as_bytes(), passport.as_bytes()] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} found in plain text",
                String::from_utf8_lossy(needle)
            );
        }
    }
    centre.stop().await;
}

#[tokio::test]
async fn one_bad_document_does_not_stop_the_sync() {
    let f = fixture();
    // One document's bytes are damaged at the centre: they no longer match its SHA-256.
    let (damaged, original): (String, Vec<u8>) = with_sql(&f.central, |conn| {
        conn.query_row(
            "SELECT sha256, bytes FROM blobs ORDER BY sha256 LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    })
    .unwrap();
    let mut garbled = original.clone();
    garbled[0] ^= 0xFF;
    let set_bytes = |bytes: &[u8]| {
        with_sql(&f.central, |conn| {
            conn.execute(
                "UPDATE blobs SET bytes = ?2 WHERE sha256 = ?1",
                rusqlite::params![damaged, bytes],
            )
        })
        .unwrap();
    };
    set_bytes(&garbled);
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    // The supervisor's desk holds every case of the department, so the damaged one too.
    let client = Central::new(&centre.base).unwrap();
    let sup = f.supervisor();
    let session = client.sign_in(&sup.username, &sup.password).await.unwrap();
    let (token, me) = (session.token, session.user.id);
    let mut store = f.cache();

    let report = sync::run(&mut store, &client, &token, &me, 4, |_| {})
        .await
        .expect("the sync finishes despite the damaged document");
    assert_eq!(report.documents_failed, 1, "{report:?}");
    let expected = f.central_count("SELECT COUNT(DISTINCT sha256) FROM documents");
    assert_eq!(report.documents_downloaded as i64, expected - 1);
    let reason: String = store
        .conn_for_tests()
        .query_row(
            "SELECT reason FROM fetch_failures WHERE sha256 = ?1",
            [&damaged],
            |r| r.get(0),
        )
        .unwrap();
    assert!(reason.contains("corrupted"), "{reason}");
    assert_eq!(
        sync::status(&store, "2026-01-01")
            .unwrap()
            .documents_missing,
        1,
        "the damaged one is still missing, nothing else"
    );

    // Repaired at the centre: the next sync fetches it and forgets the failure.
    set_bytes(&original);
    let again = sync::run(&mut store, &client, &token, &me, 4, |_| {})
        .await
        .unwrap();
    assert_eq!((again.documents_downloaded, again.documents_failed), (1, 0));
    assert_eq!(
        store.count("SELECT COUNT(*) FROM fetch_failures").unwrap(),
        0
    );
    centre.stop().await;
}

#[tokio::test]
async fn a_decision_the_centre_refuses_for_good_goes_to_the_inbox_not_round_again() {
    let f = fixture();
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    // A supervisor's desk holds the department's cases; one of them is made to look like the
    // supervisor's own (as a desk with a stale or tampered cache would), so the centre refuses
    // the decision on it with 403: no retry will ever change that answer.
    let central = Central::new(&centre.base).unwrap();
    let sup = f.supervisor();
    let session = central.sign_in(&sup.username, &sup.password).await.unwrap();
    let (token, me) = (session.token, session.user.id);
    let mut store = f.cache();
    full_sync(&mut store, &central, &token, &me).await;
    let case_id: String = store
        .conn_for_tests()
        .query_row(
            "SELECT id FROM cases WHERE status = 'pending' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    store
        .conn_for_tests()
        .execute("UPDATE cases SET mine = 1 WHERE id = ?1", [&case_id])
        .unwrap();
    sync::record_decision(&mut store, &case_id, &Decision::new(DecisionKind::Accept)).unwrap();

    assert_eq!(
        sync::push(&mut store, &central, &token).await.unwrap(),
        (0, 1),
        "kept as a conflict, not left pending"
    );
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
            .unwrap(),
        0
    );
    let inbox = conflicts::list(&store).unwrap();
    let refused = inbox.iter().find(|c| c.case_id == case_id).unwrap();
    assert_eq!(refused.cause, ConflictCause::Rejected);
    assert!(
        refused.message.contains("not assigned"),
        "{}",
        refused.message
    );
    // The centre kept it too, so the department's supervisor sees it, in the centre's words;
    // this desk learns of it with the next sync and shows it once.
    let listed = central.conflicts(&token).await.unwrap();
    let kept = listed
        .iter()
        .find(|c| c.decision_id == refused.id)
        .expect("kept at the centre");
    assert_eq!(kept.cause, ConflictCause::Rejected);
    assert_eq!(kept.message.as_deref(), Some(refused.message.as_str()));
    full_sync(&mut store, &central, &token, &me).await;
    let inbox = conflicts::list(&store).unwrap();
    assert_eq!(inbox.iter().filter(|c| c.id == refused.id).count(), 1);
    centre.stop().await;
}

#[tokio::test]
async fn a_case_moved_to_another_officer_leaves_this_desk_when_nothing_unsent_concerns_it() {
    let f = fixture();
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    let (central, token, me, mut store) = signed_in(&f, &centre).await;
    full_sync(&mut store, &central, &token, &me).await;
    let (case_id, version) = pending_case(&store);
    let documents: i64 = store
        .count(&format!(
            "SELECT COUNT(*) FROM documents WHERE case_id = '{case_id}'"
        ))
        .unwrap();
    assert!(documents > 0);

    move_to_colleague(&f, &centre, &central, &case_id, version).await;
    full_sync(&mut store, &central, &token, &me).await;

    for table in ["cases", "documents"] {
        let column = if table == "cases" { "id" } else { "case_id" };
        assert_eq!(
            store
                .count(&format!(
                    "SELECT COUNT(*) FROM {table} WHERE {column} = '{case_id}'"
                ))
                .unwrap(),
            0,
            "{table}: the applicant's data left this desk with the case"
        );
    }
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM files WHERE sha256 NOT IN (SELECT sha256 FROM documents)")
            .unwrap(),
        0,
        "no file is kept for a case this desk no longer holds"
    );
    centre.stop().await;
}

#[tokio::test]
async fn a_centre_restored_from_a_backup_gets_back_every_decision_it_lost() {
    if migdesk_central::testing::engine() == migdesk_central::sql::Engine::Postgres {
        eprintln!(
            "SQLite only: the centre is restored from a backup file (VACUUM INTO) and served from it"
        );
        return;
    }
    let f = fixture();
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    let (central, token, me, mut store) = signed_in(&f, &centre).await;
    full_sync(&mut store, &central, &token, &me).await;
    let cases_before = store.count("SELECT COUNT(*) FROM cases").unwrap();

    // The centre's backup is taken; then the officer decides and the centre acknowledges.
    let backup = f.dir.path().join("backup.db");
    with_sql(&f.central, |conn| {
        conn.execute("VACUUM INTO ?1", [backup.to_str().unwrap()])
    })
    .unwrap();
    let (case_id, _) = pending_case(&store);
    let decision =
        sync::record_decision(&mut store, &case_id, &Decision::new(DecisionKind::Accept)).unwrap();
    let report = sync::run(&mut store, &central, &token, &me, 4, |_| {})
        .await
        .unwrap();
    assert_eq!(report.decisions_sent, 1);
    assert!(!report.feed_restarted);
    drop(centre);

    // The centre is restored from the backup (the decision is lost there) and marked so.
    let conn = rusqlite::Connection::open(&backup).unwrap();
    migdesk_central::instance::restored(&migdesk_central::sql::Conn::sqlite(&conn)).unwrap();
    drop(conn);
    let restored = Centre::start(&backup).await;
    let central = Central::new(&restored.base).unwrap();
    let held = |sql: &str| -> i64 {
        rusqlite::Connection::open(&backup)
            .unwrap()
            .query_row(sql, [&decision], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(held("SELECT COUNT(*) FROM decisions WHERE id = ?1"), 0);

    // The next sync starts the feed again and delivers the decision once more.
    let report = sync::run(&mut store, &central, &token, &me, 4, |_| {})
        .await
        .unwrap();
    assert!(report.feed_restarted);
    assert_eq!(report.decisions_sent, 1, "{report:?}");
    assert_eq!(held("SELECT COUNT(*) FROM decisions WHERE id = ?1"), 1);
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM outbox WHERE state = 'sent'")
            .unwrap(),
        1
    );
    assert_eq!(
        store.count("SELECT COUNT(*) FROM cases").unwrap(),
        cases_before,
        "every case came again from the start"
    );
    // And the sync after that is an ordinary one: it brings the decision's own change (the
    // case accepted) and sends nothing again.
    let report = sync::run(&mut store, &central, &token, &me, 4, |_| {})
        .await
        .unwrap();
    assert!(!report.feed_restarted);
    assert_eq!((report.changes, report.decisions_sent), (1, 0));
}

#[tokio::test]
async fn another_officer_signs_in_while_the_first_has_conflicts_which_stay_with_their_owner() {
    use migdesk_core::secrets::MemorySecrets;
    use migdesk_core::session;
    let f = fixture();
    let centre = Centre::start_database(&f.central, migdesk_central::Config::default()).await;
    let central = Central::new(&centre.base).unwrap();
    let keyring = MemorySecrets::default();
    let mut store = f.cache();
    let (first, second) = (f.officer(0), f.officer(1));
    let sign_in = async |store: &mut Store, who: &Account| {
        session::sign_in(store, &keyring, &central, &who.username, &who.password)
            .await
            .unwrap();
        migdesk_core::secrets::SecretStore::get(&keyring, migdesk_core::secrets::SESSION_TOKEN)
            .unwrap()
            .unwrap()
    };
    let token = sign_in(&mut store, first).await;
    full_sync(&mut store, &central, &token, &first.id).await;
    decided_offline_then_moved_away(&f, &centre, &central, &mut store).await;
    assert_eq!(
        sync::push(&mut store, &central, &token).await.unwrap(),
        (0, 1)
    );
    session::sign_out(&mut store, &keyring, Some(&central), false)
        .await
        .unwrap();

    // The colleague signs in: the conflict does not stop it and is not theirs. They see it only
    // as the centre tells it of the case they now hold, as the first officer's decision.
    let token = sign_in(&mut store, second).await;
    full_sync(&mut store, &central, &token, &second.id).await;
    let theirs = conflicts::list(&store).unwrap();
    assert!(
        theirs
            .iter()
            .all(|c| !c.on_this_desk && c.decided_by.as_deref() == Some(first.full_name)),
        "{theirs:?}"
    );
    assert_eq!(sync::status(&store, "2000-01-01").unwrap().conflicts, 0);
    session::sign_out(&mut store, &keyring, Some(&central), false)
        .await
        .unwrap();

    // Its owner finds it again.
    sign_in(&mut store, first).await;
    let mine = conflicts::list(&store).unwrap();
    assert_eq!(mine.len(), 1);
    assert!(mine[0].on_this_desk);
    assert_eq!(mine[0].cause, ConflictCause::Reassigned);
    centre.stop().await;
}

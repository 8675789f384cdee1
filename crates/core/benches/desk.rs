//! `scripts/bench.sh desk`: the desk's offline engine, each figure next to a reference tool
//! measured in the same run. Prints; asserts nothing (the machine may be shared and noisy).
//!
//! 1. First sync of a department (change feed, documents verified and stored in the encrypted
//!    cache) next to curl downloading the same documents with the same parallelism (named to
//!    the centre first, as the desk does, so that both pay one audit write for their reads),
//!    next to curl saving them and the file system flushed (what a durable copy costs at
//!    least: the network's and the disk's floor), and next to the same work done with standard
//!    tools one step after another (curl saving the files, OpenSSL hashing and encrypting them,
//!    the file system flushed); then the documents' text read for search, which the app does
//!    after the sync.
//! 2. Queue queries over a 100,000-case encrypted cache next to the very same SQL in the
//!    sqlite3 command-line tool over a plain copy of the same data.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use migdesk_api::Change;
use migdesk_central::seed::SeedOptions;
use migdesk_central::testing;
use migdesk_core::cache::{CacheKey, Store};
use migdesk_core::queue::{self, QueueQuery, Sort};
use migdesk_core::sync::{self, Central};
use migdesk_domain::Catalogue;
use rusqlite::types::Value as SqlValue;
use serde_json::json;

const SYNC_CASES: usize = 80;
const CONCURRENCY: usize = 4;
const ROUNDS: usize = 3;
const QUEUE_CASES: usize = 100_000;
const QUERY_ROUNDS: usize = 5;
const TODAY: &str = "2026-11-20";

fn best(times: &[Duration]) -> Duration {
    times.iter().copied().min().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Names the documents to the centre before they are downloaded, as the desk does, so that the
/// centre records their reads in one write.
async fn name_documents(central: &Central, token: &str, ids: &[String]) {
    for chunk in ids.chunks(migdesk_api::MAX_DOCUMENT_READS) {
        central
            .announce_reads(token, chunk)
            .await
            .expect("announce");
    }
}

/// First sync of a supervisor's desk (the whole department) vs `curl --parallel`.
async fn first_sync(dir: &Path) {
    eprintln!("seeding {SYNC_CASES} applications with their files…");
    let central_db = dir.join("central.db");
    let mut options = SeedOptions::new(SYNC_CASES, 7);
    options.department = Some("shaki".into());
    let report = testing::seed_file(&central_db, &options);
    let supervisor = report
        .accounts
        .iter()
        .find(|a| a.department == "shaki" && a.role == "supervisor")
        .expect("a supervisor");
    let running = testing::Running::start(&central_db).await;
    let base = running.base.clone();
    let central = Central::new(&base).expect("central");
    let migdesk_api::SessionResponse { token, user, .. } = central
        .sign_in(&supervisor.username, &supervisor.password)
        .await
        .expect("sign in");
    let me = user.id.clone();

    let mut ours = Vec::new();
    let mut phases = Vec::new();
    let mut texts = Vec::new();
    let (mut bytes, mut documents) = (0, 0);
    for round in 0..ROUNDS {
        let path = dir.join(format!("sync-{round}.db"));
        let mut store = Store::open(&path, &CacheKey::random()).expect("cache");
        let start = Instant::now();
        let report = sync::run(&mut store, &central, &token, &me, CONCURRENCY, |_| {})
            .await
            .expect("sync");
        ours.push(start.elapsed());
        phases.push(report.timings);
        (bytes, documents) = (report.bytes_downloaded, report.documents_downloaded);
        // Then the documents' text, as the app reads it after a sync (in the background).
        let start = Instant::now();
        let read = sync::read_texts(&mut store, |_| {}).await.expect("texts");
        texts.push(start.elapsed());
        assert_eq!(read, documents, "each document's text read once");
    }

    let ids: Vec<String> = {
        let conn = rusqlite::Connection::open(&central_db).expect("open");
        let mut stmt = conn.prepare("SELECT id FROM documents").expect("prepare");
        stmt.query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("ids")
    };
    let config = dir.join("curl.conf");
    let lines: String = ids
        .iter()
        .map(|id| format!("url = \"{base}/api/v1/documents/{id}\"\noutput = \"/dev/null\"\n"))
        .collect();
    std::fs::write(&config, lines).expect("curl config");
    let mut theirs = Vec::new();
    for _ in 0..ROUNDS {
        let start = Instant::now();
        name_documents(&central, &token, &ids).await;
        let status = tokio::process::Command::new("curl")
            .args([
                "--silent",
                "--show-error",
                "--fail",
                "--parallel",
                "--parallel-max",
            ])
            .arg(CONCURRENCY.to_string())
            .arg("--header")
            .arg(format!("Authorization: Bearer {token}"))
            .arg("--config")
            .arg(&config)
            .stderr(std::process::Stdio::null())
            .status()
            .await
            .expect("curl is installed by scripts/bench.sh");
        assert!(status.success(), "curl failed: {status}");
        theirs.push(start.elapsed());
    }
    // The same work with standard tools, one step after another: curl saving each file, then
    // OpenSSL hashing every file (SHA-256) and encrypting them all (AES-256-CTR: `openssl enc`
    // has no GCM), then the file system flushed. What the desk's guarantees cost at least with
    // the tools at hand; the desk does the same steps while the downloads go on.
    let tools = dir.join("tools");
    let saved: String = ids
        .iter()
        .map(|id| {
            format!(
                "url = \"{base}/api/v1/documents/{id}\"\noutput = \"{}\"\n",
                tools.join("plain").join(id).display()
            )
        })
        .collect();
    let saving = dir.join("curl-saving.conf");
    std::fs::write(&saving, saved).expect("curl config");
    // The network's and the disk's floor: curl saving the same files, then the file system
    // flushed, which the desk must also do before a document counts (the row above writes
    // nothing).
    let saved_durably = format!(
        "set -e\n\
         curl --silent --show-error --fail --parallel --parallel-max {CONCURRENCY} \
             --header \"Authorization: Bearer $1\" --config \"$2\"\n\
         sync --file-system \"$3/plain\"\n"
    );
    let steps = format!(
        "set -e\n\
         curl --silent --show-error --fail --parallel --parallel-max {CONCURRENCY} \
             --header \"Authorization: Bearer $1\" --config \"$2\"\n\
         cd \"$3/plain\"\n\
         openssl dgst -sha256 -- * >/dev/null\n\
         cat -- * | openssl enc -aes-256-ctr -K {:064x} -iv {:032x} -out ../sealed\n\
         sync --file-system ../sealed\n",
        0x5eed_u64, 0x1u64
    );
    let tools_run = Tools {
        central: &central,
        token: &token,
        ids: &ids,
        config: &saving,
        dir: &tools,
    };
    let saved = tools_run.best_of(&saved_durably).await;
    let with_tools = tools_run.best_of(&steps).await;
    let fastest = (0..ours.len()).min_by_key(|&i| ours[i]).unwrap_or(0);
    let t = phases.get(fastest).copied().unwrap_or_default();
    let (ours, theirs) = (best(&ours), best(&theirs));
    let mb = bytes as f64 / 1e6;
    println!(
        "first sync: {SYNC_CASES} cases, {documents} documents, {mb:.1} MB, {CONCURRENCY} at a time"
    );
    // The sync (`what`) next to a reference (`name`, `theirs`): times, rates and their ratio.
    let against = |what: &str, name: &str, theirs: Duration| {
        println!(
            "  {what:<47} {:>8.1} ms {:>7.1} MB/s   {name:<38} {:>8.1} ms {:>7.1} MB/s   ratio {:.2}",
            ms(ours),
            mb / ours.as_secs_f64(),
            ms(theirs),
            mb / theirs.as_secs_f64(),
            ours.as_secs_f64() / theirs.as_secs_f64()
        );
    };
    against(
        "migdesk sync (feed + verified, encrypted store)",
        "curl --parallel (download only)",
        theirs,
    );
    against(
        "the same, against downloading and flushing",
        "curl saving the files, then sync",
        saved,
    );
    against(
        "the same, against the same work with tools",
        "curl, then openssl dgst + enc, sync",
        with_tools,
    );
    println!("  where the sync's time went (its fastest round):");
    for (phase, time) in [
        ("decisions, audit trail, conflicts list", t.exchanges),
        ("feed pages (request + JSON decoding)", t.feed_pages),
        ("feed writes (cases, search entries)", t.feed_writes),
        (
            "waiting for document bytes (hashed, then sealed)",
            t.download,
        ),
        ("flushing the sealed files, naming them", t.store),
    ] {
        println!(
            "    {phase:<52} {:>8.1} ms {:>5.1} %",
            ms(time),
            100.0 * time.as_secs_f64() / ours.as_secs_f64()
        );
    }
    println!(
        "    {:<52} {:>8.1} ms   ({} durable commits, within the writing above)",
        "commits",
        ms(t.commit),
        t.commits
    );
    let read = texts.get(fastest).copied().unwrap_or_default();
    println!(
        "  then, after the sync, the {documents} documents' text read for search {:>8.1} ms   (the app: in the background, the cases open meanwhile)",
        ms(read)
    );
}

/// The documents downloaded with standard tools, a shell script's steps timed from the
/// documents' naming to the script's end, in a folder emptied before each round.
struct Tools<'a> {
    central: &'a Central,
    token: &'a str,
    ids: &'a [String],
    /// curl's configuration: each document's address and the file it is saved to.
    config: &'a Path,
    /// The folder the files are saved under (`plain/`).
    dir: &'a Path,
}

impl Tools<'_> {
    /// The fastest of [`ROUNDS`] runs of `steps` (given the token, curl's configuration and
    /// the folder as `$1`, `$2`, `$3`).
    async fn best_of(&self, steps: &str) -> Duration {
        let mut times = Vec::new();
        for _ in 0..ROUNDS {
            let _ = std::fs::remove_dir_all(self.dir);
            std::fs::create_dir_all(self.dir.join("plain")).expect("mkdir");
            let start = Instant::now();
            name_documents(self.central, self.token, self.ids).await;
            let status = tokio::process::Command::new("bash")
                .arg("-c")
                .arg(steps)
                .arg("steps")
                .arg(self.token)
                .arg(self.config)
                .arg(self.dir)
                .status()
                .await
                .expect("bash");
            assert!(status.success(), "the tools failed: {status}");
            times.push(start.elapsed());
        }
        best(&times)
    }
}

const GIVEN: [&str; 8] = [
    "Çingiz", "Aysel", "Şəhla", "İlqar", "Günel", "Ömər", "Ilkin", "Xədicə",
];
const FAMILY: [&str; 8] = [
    "İSMAYILLI",
    "MƏMMƏDOVA",
    "QULİYEV",
    "ƏLİYEVA",
    "HÜSEYNOV",
    "ŞÜKÜROVA",
    "Ivanov",
    "Öztürk",
];

/// A synthetic application as the change feed describes it.
fn application(n: usize, services: &[String]) -> Change {
    let name = format!("{} {}", GIVEN[n % 8], FAMILY[(n / 8) % 8]);
    let due = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("date")
        + chrono::Duration::days((n % 120) as i64);
    let officer = if n.is_multiple_of(3) { "me" } else { "other" };
    serde_json::from_value(json!({
        "kind": "created",
        "at": "2026-09-01T10:00:00Z",
        "application_id": format!("app-{n}"),
        "assignment": { "officer": { "id": officer, "full_name": officer }, "version": 1 },
        "application": {
            "id": format!("app-{n}"),
            "number": format!("MX-2026-{n:06}"),
            "service": services[n % services.len()],
            "status": if n.is_multiple_of(5) { "accepted" } else { "pending" },
            "due_date": due.to_string(),
            "submitted_at": format!("2026-09-{:02}T10:00:00Z", 1 + n % 28),
            "tier": "standard",
            "department_id": "baku",
            "assignment": { "officer": { "id": officer, "full_name": officer }, "version": 1 },
            "applicant": {
                "name_latin": name,
                "name_native": name,
                "passport_number": format!("C{:08}", n * 7919 % 100_000_000),
                "fin": format!("{:07X}", n * 2_654_435 % 0xFFF_FFFF),
                "date_of_birth": "1990-01-01",
                "nationality": "AZE",
                "email": format!("applicant{n}@example.az"),
                "language": "az",
            },
            "form": [],
            "documents": [],
            "history": [],
        }
    }))
    .expect("a change of the contract")
}

/// A literal for the sqlite3 command line.
fn literal(v: &SqlValue) -> String {
    match v {
        SqlValue::Text(t) => format!("'{}'", t.replace('\'', "''")),
        SqlValue::Integer(i) => i.to_string(),
        SqlValue::Real(r) => r.to_string(),
        SqlValue::Null => "NULL".into(),
        SqlValue::Blob(_) => unreachable!("no blobs in queue queries"),
    }
}

/// `?N` placeholders replaced by literals, highest first so ?1 does not eat ?10.
fn inline(sql: &str, args: &[SqlValue]) -> String {
    let mut out = sql.to_owned();
    for (i, v) in args.iter().enumerate().rev() {
        out = out.replace(&format!("?{}", i + 1), &literal(v));
    }
    out
}

/// Wall time of one sqlite3 process running `script` over `db`.
fn sqlite3_run(db: &Path, script: &str) -> Duration {
    let script_path = db.with_extension("sql");
    std::fs::write(&script_path, script).expect("script");
    let start = Instant::now();
    let out = std::process::Command::new("sqlite3")
        .arg(db)
        .arg(format!(".read {}", script_path.display()))
        .stdout(std::process::Stdio::null())
        .output()
        .expect("sqlite3 is installed by scripts/bench.sh");
    let elapsed = start.elapsed();
    assert!(
        out.status.success(),
        "sqlite3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    elapsed
}

/// Time per run of `statements` in the sqlite3 tool: one process runs them `REPEAT` times, and
/// the time of a process that opens the same file and runs a trivial statement as often is
/// subtracted (start-up, schema), best of `QUERY_ROUNDS`.
fn sqlite3_time(db: &Path, statements: &[String]) -> Duration {
    const REPEAT: u32 = 20;
    let body: String = statements
        .iter()
        .map(|s| format!("{};\n", s.trim()))
        .collect();
    let script = body.repeat(REPEAT as usize);
    let baseline = "SELECT COUNT(*) FROM meta;\n".repeat(REPEAT as usize);
    let runs: Vec<Duration> = (0..QUERY_ROUNDS)
        .map(|_| sqlite3_run(db, &script).saturating_sub(sqlite3_run(db, &baseline)) / REPEAT)
        .collect();
    best(&runs)
}

fn queue_queries(dir: &Path) {
    let catalogue = Catalogue::builtin();
    let services: Vec<String> = catalogue.services.iter().map(|s| s.code.clone()).collect();
    let path = dir.join("queue.db");
    let key = CacheKey::random();
    let mut store = Store::open(&path, &key).expect("cache");
    eprintln!("filling an encrypted cache with {QUEUE_CASES} cases…");
    let start = Instant::now();
    for chunk in (0..QUEUE_CASES).collect::<Vec<_>>().chunks(2000) {
        let changes: Vec<Change> = chunk.iter().map(|n| application(*n, &services)).collect();
        store
            .apply_feed_page(&changes, &chunk[0].to_string(), "me")
            .expect("apply");
    }
    eprintln!("filled in {:.1} s", start.elapsed().as_secs_f64());

    // A plain copy of the same data for the reference tool.
    let plain = dir.join("queue-plain.db");
    store
        .conn_for_tests()
        .execute_batch(&format!(
            "ATTACH DATABASE '{}' AS plain KEY ''; SELECT sqlcipher_export('plain'); DETACH DATABASE plain;",
            plain.display()
        ))
        .expect("plain export");

    let cases: Vec<(&str, QueueQuery)> = vec![
        (
            "my queue, by due date, first page",
            QueueQuery {
                mine: true,
                status: Some(migdesk_api::Status::Pending),
                ..QueueQuery::default()
            },
        ),
        (
            "my overdue cases",
            QueueQuery {
                mine: true,
                overdue: true,
                ..QueueQuery::default()
            },
        ),
        (
            "one service, page 50",
            QueueQuery {
                service: Some(services[0].clone()),
                offset: 5000,
                ..QueueQuery::default()
            },
        ),
        (
            "by applicant (Azerbaijani order)",
            QueueQuery {
                mine: true,
                sort: Sort::Applicant,
                ..QueueQuery::default()
            },
        ),
        (
            "search \"ismayıllı çingiz\"",
            QueueQuery {
                search: Some("ismayıllı çingiz".into()),
                ..QueueQuery::default()
            },
        ),
        (
            "search an application number prefix",
            QueueQuery {
                search: Some("mx-2026-0421".into()),
                ..QueueQuery::default()
            },
        ),
    ];
    println!(
        "queue queries over {QUEUE_CASES} cached cases (count + page of 100), best of {QUERY_ROUNDS}:"
    );
    let mut ours = Vec::new();
    let mut reference_sql = Vec::new();
    for (_, q) in &cases {
        let mut times = Vec::new();
        for _ in 0..QUERY_ROUNDS {
            let start = Instant::now();
            let (rows, total) = queue::list(&store, q, TODAY).expect("query");
            std::hint::black_box((rows, total));
            times.push(start.elapsed());
        }
        ours.push(best(&times));
        let s = queue::statements(q, TODAY);
        reference_sql.push([inline(&s.count, &s.args), inline(&s.page, &s.args)]);
    }
    drop(store);
    for (i, (label, _)) in cases.iter().enumerate() {
        let reference = sqlite3_time(&plain, &reference_sql[i]);
        println!(
            "  {label:<36} migdesk (encrypted) {:>8.2} ms   sqlite3 CLI (plain copy) {:>8.2} ms   ratio {:.2}",
            ms(ours[i]),
            ms(reference),
            ours[i].as_secs_f64() / reference.as_secs_f64().max(1e-6)
        );
    }
    println!("  (the applicant sort reads the stored Azerbaijani sort key and its index, in both)");
    // Opening the cache again, as the CLI does (its integrity checked first) and as the desk
    // does on unlock (checked on a thread of its own, waited for here after the clock stopped).
    let mut checked = Vec::new();
    let mut aside = Vec::new();
    for _ in 0..QUERY_ROUNDS {
        let start = Instant::now();
        let store = Store::open(&path, &key).expect("reopen");
        checked.push(start.elapsed());
        drop(store);
        let start = Instant::now();
        let (store, mut check) = Store::open_checking_aside(&path, &key).expect("reopen");
        aside.push(start.elapsed());
        check.wait().expect("the cache is whole");
        drop(store);
    }
    let (checked, aside) = (best(&checked), best(&aside));
    let best_of = |script: &str| {
        best(
            &(0..QUERY_ROUNDS)
                .map(|_| sqlite3_run(&plain, script))
                .collect::<Vec<_>>(),
        )
    };
    let plain_check = best_of("PRAGMA quick_check;");
    let plain_open = best_of("SELECT COUNT(*) FROM meta;");
    println!("opening the cache of {QUEUE_CASES} cases, best of {QUERY_ROUNDS}:");
    println!(
        "  {:<36} migdesk (encrypted) {:>8.2} ms   sqlite3 CLI quick_check (plain) {:>8.2} ms   ratio {:.2}",
        "integrity checked first (CLI)",
        ms(checked),
        ms(plain_check),
        checked.as_secs_f64() / plain_check.as_secs_f64().max(1e-6)
    );
    println!(
        "  {:<36} migdesk (encrypted) {:>8.2} ms   sqlite3 CLI open + query (plain) {:>8.2} ms   ratio {:.2}",
        "checked aside (the desk's unlock)",
        ms(aside),
        ms(plain_open),
        aside.as_secs_f64() / plain_open.as_secs_f64().max(1e-6)
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root: PathBuf = dir.path().to_path_buf();
    // `cargo bench --bench desk -- sync` (or `queue`) runs one part.
    let parts: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |part: &str| parts.is_empty() || parts.iter().any(|p| p == part);
    if wanted("sync") {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(first_sync(&root));
    }
    if wanted("queue") {
        queue_queries(&root);
    }
}

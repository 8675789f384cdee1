//! `scripts/bench.sh central`: the central service's change feed for 10,000 applications and its
//! document download throughput, each next to nginx serving the same bytes as static files in
//! the same run; and a department's statistics over a year of 100,000 decisions, next to the
//! `sqlite3` tool running the plain SQL of the same counts on the same file. Prints each figure
//! and the ratio (ours / reference); asserts nothing.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use migdesk_central::seed::{self, SeedOptions};
use migdesk_central::testing;
use serde_json::Value;

const FEED_CASES: usize = 10_000;
const DOC_CASES: usize = 60;
const PAGE: usize = 1000;
const CONCURRENCY: usize = 8;
const ROUNDS: usize = 3;
/// The documents take ~20 ms a round: more rounds, so that the best of them is not one
/// scheduler's hiccup (both sides alike).
const DOC_ROUNDS: usize = 10;
const STAT_DECISIONS: usize = 100_000;

struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-QUIT", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

fn start_nginx(root: &Path, work: &Path) -> (Nginx, String) {
    let port = free_port();
    let conf = work.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "user root;\nworker_processes 1;\ndaemon off;\npid {work}/nginx.pid;\nerror_log {work}/nginx-error.log;\n\
             events {{ worker_connections 256; }}\n\
             http {{ access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;\n\
               client_body_temp_path {work}; proxy_temp_path {work}; fastcgi_temp_path {work}; uwsgi_temp_path {work}; scgi_temp_path {work};\n\
               server {{ listen 127.0.0.1:{port}; root {root}; location / {{ default_type application/octet-stream; }} }} }}\n",
            work = work.display(),
            root = root.display(),
        ),
    )
    .expect("nginx.conf");
    let mut child = Command::new("nginx")
        .args([
            "-c",
            conf.to_str().expect("utf-8 path"),
            "-p",
            work.to_str().expect("utf-8 path"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx is installed by scripts/bench.sh");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (Nginx(child), format!("http://127.0.0.1:{port}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!(
        "nginx did not start; see {}",
        work.join("nginx-error.log").display()
    );
}

fn seeded(dir: &Path, name: &str, options: &SeedOptions) -> (PathBuf, Vec<seed::Account>) {
    let path = dir.join(name);
    let report = testing::seed_file(&path, options);
    (path, report.accounts)
}

/// Downloads every URL with `CONCURRENCY` workers; returns total bytes.
async fn fetch_all(client: &reqwest::Client, urls: Vec<String>, token: Option<&str>) -> u64 {
    let queue = Arc::new(Mutex::new(urls));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (client, queue, token) = (client.clone(), queue.clone(), token.map(str::to_owned));
        workers.spawn(async move {
            let mut bytes = 0u64;
            loop {
                let Some(url) = queue.lock().expect("queue").pop() else {
                    break;
                };
                let mut rb = client.get(url);
                if let Some(t) = &token {
                    rb = rb.bearer_auth(t);
                }
                let resp = rb.send().await.expect("get");
                assert!(resp.status().is_success(), "{}", resp.status());
                bytes += resp.bytes().await.expect("body").len() as u64;
            }
            bytes
        });
    }
    let mut total = 0;
    while let Some(r) = workers.join_next().await {
        total += r.expect("worker");
    }
    total
}

fn best(times: &[Duration]) -> Duration {
    times.iter().copied().min().unwrap_or_default()
}

fn row(what: &str, ours: Duration, reference: Duration, unit: &str, amount: f64) {
    row_against(what, ours, ("nginx", reference), unit, amount);
}

fn row_against(
    what: &str,
    ours: Duration,
    (tool, reference): (&str, Duration),
    unit: &str,
    amount: f64,
) {
    let per = |d: Duration| amount / d.as_secs_f64();
    println!(
        "{what:<44} migdesk-central {:>9.1} ms ({:>8.1} {unit})   {tool} {:>9.1} ms ({:>8.1} {unit})   ratio {:.2}",
        ours.as_secs_f64() * 1000.0,
        per(ours),
        reference.as_secs_f64() * 1000.0,
        per(reference),
        ours.as_secs_f64() / reference.as_secs_f64(),
    );
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let client = reqwest::Client::new();

    eprintln!("seeding {FEED_CASES} applications (no files) and {DOC_CASES} with files…");
    let t = Instant::now();
    let mut feed_options = SeedOptions::new(FEED_CASES, 1);
    feed_options.documents = false;
    feed_options.department = Some("baku".into());
    let (feed_db, feed_accounts) = seeded(dir.path(), "feed.db", &feed_options);
    let (doc_db, doc_accounts) = seeded(dir.path(), "docs.db", &SeedOptions::new(DOC_CASES, 2));
    eprintln!("seeded in {:.1} s", t.elapsed().as_secs_f64());
    eprintln!("seeding a year of {STAT_DECISIONS} decided applications in one department…");
    let t = Instant::now();
    let stat_options = SeedOptions {
        documents: false,
        department: Some("baku".into()),
        decided_history: STAT_DECISIONS,
        ..SeedOptions::new(100, 3)
    };
    let (stat_db, stat_accounts) = seeded(dir.path(), "statistics.db", &stat_options);
    eprintln!("seeded in {:.1} s", t.elapsed().as_secs_f64());

    let static_root = dir.path().join("static");
    std::fs::create_dir_all(static_root.join("feed")).expect("mkdir");
    std::fs::create_dir_all(static_root.join("documents")).expect("mkdir");

    let statistics = runtime.block_on(statistics(&client, &stat_db, &stat_accounts));

    runtime.block_on(async {
        // The change feed: a supervisor's first sync of the whole department, page by page.
        let feed_central = testing::Running::start(&feed_db).await;
        let base = feed_central.base.clone();
        let supervisor = feed_accounts.iter().find(|a| a.department == "baku" && a.role == "supervisor").expect("supervisor");
        let token = testing::token(&client, &base, supervisor).await;
        let mut pages: Vec<Vec<u8>> = Vec::new();
        let mut feed_times = Vec::new();
        for round in 0..ROUNDS {
            let start = Instant::now();
            let mut cursor = String::new();
            let mut count = 0;
            loop {
                let resp = client
                    .get(format!("{base}/api/v1/changes?limit={PAGE}&cursor={cursor}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .expect("feed");
                let bytes = resp.bytes().await.expect("body").to_vec();
                let page: Value = serde_json::from_slice(&bytes).expect("json");
                count += page["changes"].as_array().expect("changes").len();
                cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
                if round == 0 {
                    pages.push(bytes);
                }
                if !page["has_more"].as_bool().expect("has_more") {
                    break;
                }
            }
            feed_times.push(start.elapsed());
            assert_eq!(count, FEED_CASES);
        }
        let feed_bytes: usize = pages.iter().map(Vec::len).sum();
        for (i, p) in pages.iter().enumerate() {
            std::fs::write(static_root.join("feed").join(format!("{i}.json")), p).expect("write page");
        }

        // Documents: every file of the seeded department, downloaded with 8 connections.
        let doc_central = testing::Running::start(&doc_db).await;
        let doc_base = doc_central.base.clone();
        let sup2 = doc_accounts.iter().find(|a| a.department == "baku" && a.role == "supervisor").expect("supervisor");
        let token2 = testing::token(&client, &doc_base, sup2).await;
        let conn = rusqlite::Connection::open(&doc_db).expect("open");
        let docs: Vec<(String, String)> = conn
            .prepare("SELECT d.id, d.sha256 FROM documents d JOIN applications a ON a.id = d.application_id WHERE a.department_id = 'baku'")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        for (id, sha) in &docs {
            let bytes: Vec<u8> = conn.query_row("SELECT bytes FROM blobs WHERE sha256 = ?1", [sha], |r| r.get(0)).expect("blob");
            std::fs::write(static_root.join("documents").join(id), bytes).expect("write doc");
        }

        let (_nginx, nginx) = start_nginx(&static_root, dir.path());

        let mut nginx_feed = Vec::new();
        for _ in 0..ROUNDS {
            let start = Instant::now();
            for i in 0..pages.len() {
                let b = client.get(format!("{nginx}/feed/{i}.json")).send().await.expect("get").bytes().await.expect("body");
                let _: Value = serde_json::from_slice(&b).expect("json");
            }
            nginx_feed.push(start.elapsed());
        }

        let ours_urls: Vec<String> = docs.iter().map(|(id, _)| format!("{doc_base}/api/v1/documents/{id}")).collect();
        let nginx_urls: Vec<String> = docs.iter().map(|(id, _)| format!("{nginx}/documents/{id}")).collect();
        let mut ours_docs = Vec::new();
        let mut announced_docs = Vec::new();
        let mut nginx_docs = Vec::new();
        let mut total = 0;
        let ids: Vec<String> = docs.iter().map(|(id, _)| id.clone()).collect();
        for _ in 0..DOC_ROUNDS {
            let start = Instant::now();
            total = fetch_all(&client, ours_urls.clone(), Some(&token2)).await;
            ours_docs.push(start.elapsed());
            // As the desk downloads them: named first (their reads recorded in one write per
            // 500), the announcement inside the time.
            let start = Instant::now();
            for chunk in ids.chunks(migdesk_api::MAX_DOCUMENT_READS) {
                let resp = client
                    .post(format!("{doc_base}/api/v1/document-reads"))
                    .bearer_auth(&token2)
                    .json(&migdesk_api::DocumentReads { documents: chunk.to_vec() })
                    .send()
                    .await
                    .expect("announce");
                assert!(resp.status().is_success(), "{}", resp.status());
            }
            let announced = fetch_all(&client, ours_urls.clone(), Some(&token2)).await;
            announced_docs.push(start.elapsed());
            assert_eq!(announced, total);
            let start = Instant::now();
            let t2 = fetch_all(&client, nginx_urls.clone(), None).await;
            nginx_docs.push(start.elapsed());
            assert_eq!(t2, total);
        }

        let ours_feed = best(&feed_times);
        let ref_feed = best(&nginx_feed);
        println!();
        println!("central service benchmark (best of {ROUNDS}, of {DOC_ROUNDS} for the documents; loopback, same client)");
        row(
            &format!("change feed, {FEED_CASES} applications ({} pages, {:.1} MB)", pages.len(), feed_bytes as f64 / 1e6),
            ours_feed,
            ref_feed,
            "cases/s",
            FEED_CASES as f64,
        );
        // The first round builds every case's snapshot (a centre's first feed read after a
        // start, or of cases changed since); the later ones reuse them.
        row(
            "  its first round (each case serialised then)",
            feed_times[0],
            ref_feed,
            "cases/s",
            FEED_CASES as f64,
        );
        let ours_dl = best(&ours_docs);
        let ref_dl = best(&nginx_docs);
        // Each read recorded by its own download, durable before its bytes (a client that does
        // not name the documents first); then as the desk does.
        row(
            &format!("documents, {} files ({:.1} MB), {CONCURRENCY} connections", docs.len(), total as f64 / 1e6),
            ours_dl,
            ref_dl,
            "MB/s",
            total as f64 / 1e6,
        );
        row(
            "  named first, as the desk does (one audit write)",
            best(&announced_docs),
            ref_dl,
            "MB/s",
            total as f64 / 1e6,
        );
        let (ours, (tool, reference), decisions) = statistics;
        row_against(
            &format!("statistics, a year of {decisions} decisions"),
            ours,
            (tool, reference),
            "decisions/s",
            decisions as f64,
        );
    });
}

/// The department's statistics for the last year over HTTP, best of `ROUNDS`; and the `sqlite3`
/// tool running the plain SQL of the same counts (by week and outcome, by officer, by service,
/// in time, the open cases) on the same file. Returns both times and the decisions counted.
async fn statistics(
    client: &reqwest::Client,
    db: &Path,
    accounts: &[seed::Account],
) -> (Duration, (&'static str, Duration), i64) {
    let running = testing::Running::start(db).await;
    let supervisor = accounts
        .iter()
        .find(|a| a.department == "baku" && a.role == "supervisor")
        .expect("supervisor");
    let token = testing::token(client, &running.base, supervisor).await;
    let today = migdesk_central::clock::local_date(migdesk_central::clock::now());
    let from = today - chrono::Days::new(364);
    let url = format!(
        "{}/api/v1/departments/baku/statistics?from={from}&to={today}",
        running.base
    );
    let mut ours = Vec::new();
    let mut decisions = 0;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let body: Value = client
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("statistics")
            .json()
            .await
            .expect("json");
        ours.push(start.elapsed());
        decisions = ["accepted", "missing_documents", "refused"]
            .iter()
            .map(|k| body["decided"][k].as_i64().expect("count"))
            .sum();
    }
    running.stop().await;
    // The same counts in plain SQL over the same table the centre reads (`decided_facts`).
    let decided = format!(
        "SELECT decided_on AS day, kind, officer_id AS officer, service, due_date AS due
         FROM decided_facts
         WHERE department_id = 'baku' AND decided_on BETWEEN '{from}' AND '{today}'"
    );
    let sql = format!(
        "WITH d AS ({decided}) SELECT date(day, 'weekday 0', '-6 days') AS week, kind, count(*) FROM d GROUP BY 1, 2;\n\
         WITH d AS ({decided}) SELECT officer, kind, count(*) FROM d GROUP BY 1, 2;\n\
         WITH d AS ({decided}) SELECT service, kind, count(*) FROM d GROUP BY 1, 2;\n\
         WITH d AS ({decided}) SELECT count(*), sum(day <= due) FROM d;\n\
         SELECT count(*) FROM applications WHERE department_id = 'baku' AND status = 'pending';\n"
    );
    let mut reference = Vec::new();
    for _ in 0..ROUNDS {
        let start = Instant::now();
        // Waits for a lock rather than failing: the centre just stopped may still be closing
        // its connections (the last one checkpoints the log).
        let out = Command::new("sqlite3")
            .args(["-cmd", ".timeout 5000"])
            .arg(db)
            .arg(&sql)
            .output()
            .expect("sqlite3 is installed by scripts/bench.sh");
        reference.push(start.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    (best(&ours), ("sqlite3", best(&reference)), decisions)
}

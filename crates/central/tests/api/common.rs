use std::sync::OnceLock;

use migdesk_central::Config;
use migdesk_central::database::Database;
use migdesk_central::seed::{self, Account};
use migdesk_central::testing;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

pub const CASES: usize = 24;

struct Template {
    _dir: tempfile::TempDir,
    database: Database,
    accounts: Vec<Account>,
    portal: String,
}

/// A seeded database each test's server starts from a copy of, on the run's engine.
fn make_template(options: &seed::SeedOptions) -> Template {
    let dir = tempfile::tempdir().expect("tempdir");
    let database = testing::new_database(dir.path(), "template.db");
    let report = testing::seed_database(&database, options);
    Template {
        _dir: dir,
        database,
        accounts: report.accounts,
        portal: report.portal_token,
    }
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| make_template(&seed::SeedOptions::new(CASES, 7)))
}

/// The decided applications of the past year that [`start_with_history`] seeds.
pub const HISTORY: usize = 400;

fn history_template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        make_template(&seed::SeedOptions {
            decided_history: HISTORY,
            ..seed::SeedOptions::new(CASES, 7)
        })
    })
}

/// A running server on its own copy of the seeded database.
pub struct Server {
    pub base: String,
    pub client: reqwest::Client,
    pub accounts: Vec<Account>,
    /// The server's database: a file for SQLite, or one of the test cluster's.
    pub database: Database,
    /// The demo applicant portal's credential, for the applicant routes.
    pub portal: String,
    _running: testing::Running,
    _dir: tempfile::TempDir,
}

pub async fn start() -> Server {
    start_with(Config::default()).await
}

pub async fn start_with(config: Config) -> Server {
    start_from(template(), config).await
}

/// A running server whose database also holds a past year of decided applications.
pub async fn start_with_history() -> Server {
    start_from(history_template(), Config::default()).await
}

async fn start_from(t: &Template, config: Config) -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let database = testing::copy_database(&t.database, dir.path(), "central.db");
    let running = testing::Running::start_database(&database, config).await;
    Server {
        base: running.base.clone(),
        client: reqwest::Client::new(),
        accounts: t.accounts.clone(),
        database,
        portal: t.portal.clone(),
        _running: running,
        _dir: dir,
    }
}

/// A reply: status, headers and body (JSON when it parses).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }
    /// Asserts the status and returns the JSON body.
    pub fn expect(&self, status: StatusCode) -> Value {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.bytes)
        );
        self.json()
    }
    /// Asserts an error reply in the API's shape and returns it.
    pub fn expect_error(&self, status: StatusCode, kind: &str) -> Value {
        let body = self.expect(status);
        assert_eq!(body["kind"], kind, "{body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
        body
    }
}

impl Server {
    pub fn account(&self, department: &str, role: &str, nth: usize) -> &Account {
        self.accounts
            .iter()
            .filter(|a| a.department == department && a.role == role)
            .nth(nth)
            .unwrap_or_else(|| panic!("no {role} #{nth} in {department}"))
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let mut rb = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        rb
    }

    pub async fn send(&self, rb: RequestBuilder) -> Reply {
        let resp = rb.send().await.expect("request");
        Reply {
            status: resp.status(),
            headers: resp.headers().clone(),
            bytes: resp.bytes().await.expect("body").to_vec(),
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.send(self.request(Method::GET, path, Some(token)))
            .await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.send(self.request(Method::POST, path, token).json(body))
            .await
    }

    pub async fn login(&self, account: &Account) -> String {
        testing::token(&self.client, &self.base, account).await
    }

    /// Every change the token's owner sees, following the cursor to the end.
    pub async fn all_changes(&self, token: &str) -> (Vec<Value>, String) {
        let mut cursor = String::new();
        let mut all = Vec::new();
        loop {
            let page = self
                .get(&format!("/api/v1/changes?cursor={cursor}&limit=5"), token)
                .await
                .expect(StatusCode::OK);
            all.extend(page["changes"].as_array().expect("changes").iter().cloned());
            cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
            if !page["has_more"].as_bool().expect("has_more") {
                return (all, cursor);
            }
        }
    }

    /// The officer's pending cases (full detail), from the feed.
    pub async fn pending_cases(&self, token: &str) -> Vec<Value> {
        let (changes, _) = self.all_changes(token).await;
        let mut seen = std::collections::HashSet::new();
        changes
            .into_iter()
            .rev()
            .filter_map(|c| c.get("application").cloned().filter(|a| !a.is_null()))
            .filter(|a| seen.insert(a["id"].as_str().unwrap_or_default().to_owned()))
            .filter(|a| a["status"] == "pending")
            .collect()
    }

    /// Turns four eyes on refusals on or off for the department, as its supervisor.
    pub async fn four_eyes(&self, department: &str, on: bool) {
        let token = self.login(self.account(department, "supervisor", 0)).await;
        let rb = self
            .request(
                Method::PUT,
                &format!("/api/v1/departments/{department}/settings"),
                Some(&token),
            )
            .json(&json!({ "four_eyes_refusals": on }));
        self.send(rb).await.expect(StatusCode::OK);
    }

    /// The other officers of Baku, besides the one with `officer_id`.
    pub fn other_officers(&self, officer_id: &str) -> impl Iterator<Item = &Account> {
        self.accounts
            .iter()
            .filter(move |a| a.department == "baku" && a.role == "officer" && a.id != officer_id)
    }

    /// A Baku officer with at least `n` pending cases, signed in.
    pub async fn busy_officer(&self, n: usize) -> (&Account, String, Vec<Value>) {
        for i in 0.. {
            let account = self.account("baku", "officer", i);
            let token = self.login(account).await;
            let cases = self.pending_cases(&token).await;
            if cases.len() >= n {
                return (account, token, cases);
            }
        }
        unreachable!()
    }
}

/// The public steps of the case's tracking, as the applicant portal reads them.
pub async fn tracking_steps(s: &Server, case: &Value) -> Vec<String> {
    let tracking = s
        .get(
            &format!(
                "/api/v1/tracking?number={}&date_of_birth={}",
                case["number"].as_str().expect("number"),
                case["applicant"]["date_of_birth"]
                    .as_str()
                    .expect("date of birth")
            ),
            &s.portal,
        )
        .await
        .expect(StatusCode::OK);
    tracking["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["step"].as_str().expect("step").to_owned())
        .collect()
}

/// The officer refuses `case` with these reasons and note; the decision's id and the centre's
/// answer (201).
pub async fn refuse(
    s: &Server,
    token: &str,
    case: &Value,
    reasons: Value,
    note: &str,
) -> (String, Value) {
    let mut refusal = decision(version(case), "refuse");
    refusal["reasons"] = reasons;
    refusal["note"] = json!(note);
    let reply = s
        .post(
            &format!("/api/v1/applications/{}/decisions", id(case)),
            Some(token),
            &refusal,
        )
        .await
        .expect(StatusCode::CREATED);
    (refusal["id"].as_str().unwrap_or_default().to_owned(), reply)
}

pub fn decision(based_on_version: i64, kind: &str) -> Value {
    json!({
        "id": uuid::Uuid::new_v4(),
        "based_on_version": based_on_version,
        "kind": kind,
        "decided_at": migdesk_central::clock::format(migdesk_central::clock::now()),
    })
}

pub fn version(case: &Value) -> i64 {
    case["assignment"]["version"].as_i64().expect("version")
}

pub fn id(case: &Value) -> &str {
    case["id"].as_str().expect("id")
}

pub fn rows(db: &Database, sql: &str) -> i64 {
    testing::with_sql(db, |conn| conn.query_row(sql, [], |r| r.get(0))).expect("count")
}

/// The command-line arguments that name `db`: `--db PATH` or `--database URL`.
pub fn db_args(db: &Database) -> [std::ffi::OsString; 2] {
    match db {
        Database::Sqlite(path) => ["--db".into(), path.into()],
        Database::Postgres(url) => ["--database".into(), url.into()],
    }
}

/// Whether this run is on PostgreSQL, where the test's subject (a command on the database
/// file) does not exist yet: said on standard error, and the test ends there.
pub fn sqlite_only(why: &str) -> bool {
    let postgres = migdesk_central::testing::engine() == migdesk_central::sql::Engine::Postgres;
    if postgres {
        eprintln!("SQLite only: {why}");
    }
    postgres
}

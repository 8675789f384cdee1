//! Who loads the centre: officers' desks (each the real sync engine over its own encrypted
//! cache), each department's supervisor moving cases between its officers, and the applicant
//! portal filing new applications. Each runs on a thread of its own, as a workstation would,
//! and every call it makes to the centre is timed by route in [`Stats`].

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use migdesk_api::Status;
use migdesk_core::cache::{CacheKey, Store};
use migdesk_core::queue::{self, QueueQuery};
use migdesk_core::supervision::{CaseRef, Reassignment, Supervision};
use migdesk_core::sync::observe::{Exchange, Observer};
use migdesk_core::sync::{self, Central};
use migdesk_domain::Catalogue;
use migdesk_domain::decision::{Decision, DecisionKind, ReasonCode, RefusalReason};
use serde_json::json;

/// Every call's time by route (`GET /api/v1/documents/{id}`), and what failed.
#[derive(Default)]
pub struct Stats {
    pub times: BTreeMap<String, Vec<Duration>>,
    /// Failed calls by route: no answer, a server error, or a refusal other than a conflict.
    pub failed: BTreeMap<String, u64>,
    /// 409 answers: a decision or a move on a case that changed meanwhile (deliberate here).
    pub conflicts: u64,
    /// 429 answers: the centre checks a few passwords at a time and tells the rest to try again
    /// (they do, as a person would).
    pub busy: u64,
    /// Failed calls by their answer's status (0: no answer).
    pub failed_statuses: BTreeMap<u16, u64>,
    /// What went wrong, the first few.
    pub errors: Vec<String>,
}

impl Stats {
    pub fn record(&mut self, route: String, status: Option<u16>, elapsed: Duration) {
        match status {
            Some(409) => self.conflicts += 1,
            Some(429) => self.busy += 1,
            Some(s) if s < 400 => {}
            _ => {
                *self.failed.entry(route.clone()).or_default() += 1;
                *self.failed_statuses.entry(status.unwrap_or(0)).or_default() += 1;
            }
        }
        self.times.entry(route).or_default().push(elapsed);
    }

    pub fn error(&mut self, what: String) {
        if self.errors.len() < 20 {
            self.errors.push(what);
        }
    }
}

pub type Shared = Arc<Mutex<Stats>>;

/// The contract's routes, to name a call by its route rather than its ids.
pub struct Routes(Vec<Vec<String>>);

impl Routes {
    pub fn of_contract() -> Self {
        let spec: serde_json::Value =
            serde_json::from_str(include_str!("../../../central/openapi.json"))
                .expect("openapi.json");
        let paths = spec["paths"].as_object().expect("paths");
        Self(
            paths
                .keys()
                .map(|p| p.split('/').map(str::to_owned).collect())
                .collect(),
        )
    }

    pub fn name(&self, method: &str, path: &str) -> String {
        let parts: Vec<&str> = path.split('/').collect();
        let template = self.0.iter().find(|t| {
            t.len() == parts.len()
                && t.iter()
                    .zip(&parts)
                    .all(|(t, p)| t.starts_with('{') || t == p)
        });
        format!(
            "{method} {}",
            template.map_or(path.to_owned(), |t| t.join("/"))
        )
    }
}

fn observer(stats: &Shared, routes: &Arc<Routes>) -> Observer {
    let (stats, routes) = (stats.clone(), routes.clone());
    Observer(Arc::new(move |e: &Exchange| {
        let route = routes.name(e.method.as_str(), &e.path);
        stats
            .lock()
            .expect("stats")
            .record(route, e.status.map(|s| s.as_u16()), e.elapsed);
    }))
}

/// Signs in. The desk's client waits out a busy centre (429, `Retry-After: 1`) by itself for a
/// minute; past that, or told a user name is paused, this tries again after a pause as the
/// officer would, for up to five minutes.
fn sign_in(
    rt: &tokio::runtime::Runtime,
    central: &Central,
    account: &Account,
    stats: &Shared,
) -> Option<migdesk_api::SessionResponse> {
    let start = Instant::now();
    loop {
        match rt.block_on(central.sign_in(&account.username, &account.password)) {
            Ok(session) => return Some(session),
            Err(e) if e.message.contains("429") && start.elapsed() < Duration::from_secs(300) => {
                rt.block_on(async {
                    tokio::time::sleep(Duration::from_millis(rand::random_range(250..1500))).await
                });
            }
            Err(e) => {
                stats
                    .lock()
                    .expect("stats")
                    .error(format!("{} signing in: {e}", account.username));
                return None;
            }
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// When the phases end: every desk's first sync; the rounds (desks, supervisors, portal).
/// Awaited on each actor's own runtime, never blocking its thread: a runtime that stops while
/// its thread waits leaves its pooled connections unwatched, and a connection the balancer
/// closed meanwhile is then reused and fails (no desk's runtime stops while the desk waits).
pub struct Phases {
    pub first_sync: tokio::sync::Barrier,
    pub rounds: tokio::sync::Barrier,
}

pub struct Account {
    pub username: String,
    pub password: String,
}

/// What one desk did.
#[derive(Default)]
pub struct DeskOutcome {
    pub first_sync: Option<Duration>,
    /// The ids of the decisions it recorded.
    pub decisions: Vec<String>,
    pub me: String,
    /// Its queue in its cache at the end: (case, status).
    pub queue: BTreeMap<String, Status>,
    /// Decisions still waiting in its outbox at the end.
    pub unsent: u64,
}

/// The decisions a desk makes, in turn: accept, missing documents, refuse.
fn decision(n: usize) -> Decision {
    match n % 3 {
        0 => Decision::new(DecisionKind::Accept),
        1 => Decision {
            missing_other: Some("Bank arayışı / bank statement".into()),
            ..Decision::new(DecisionKind::MissingDocuments)
        },
        _ => Decision {
            reasons: vec![RefusalReason {
                code: ReasonCode::Other,
                fields: Vec::new(),
                documents: Vec::new(),
            }],
            note: "Məlumatlar ziddiyyətlidir (load run)".into(),
            ..Decision::new(DecisionKind::Refuse)
        },
    }
}

/// An officer's desk: signs in, first sync; each round decides `decisions` of its pending cases
/// and syncs; after the rounds, a last sync; then reads its queue from its cache.
#[allow(clippy::too_many_arguments)]
pub fn desk(
    base: &str,
    account: &Account,
    dir: &Path,
    rounds: usize,
    decisions: usize,
    phases: &Phases,
    stats: &Shared,
    routes: &Arc<Routes>,
) -> DeskOutcome {
    let rt = runtime();
    let mut outcome = DeskOutcome::default();
    let central = Central::new(base)
        .expect("client")
        .naming(&format!("load-{}", account.username))
        .observed(observer(stats, routes));
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        stats
            .lock()
            .expect("stats")
            .error(format!("{} {what}: {e}", account.username));
    };
    let session = sign_in(&rt, &central, account, stats);
    let mut store = Store::open(
        &dir.join(format!("{}.db", account.username)),
        &CacheKey::random(),
    )
    .expect("the desk's cache");
    let run = |store: &mut Store, session: &migdesk_api::SessionResponse| {
        rt.block_on(sync::run(
            store,
            &central,
            &session.token,
            &session.user.id,
            4,
            |_| {},
        ))
    };
    if let Some(session) = &session {
        outcome.me = session.user.id.clone();
        let start = Instant::now();
        match run(&mut store, session) {
            Ok(_) => outcome.first_sync = Some(start.elapsed()),
            Err(e) => failed("first sync", &e),
        }
    }
    rt.block_on(phases.first_sync.wait());
    let today = chrono::Local::now().date_naive().to_string();
    if let Some(session) = &session {
        for round in 0..rounds {
            let pending = QueueQuery {
                mine: true,
                status: Some(Status::Pending),
                limit: 1000,
                ..QueueQuery::default()
            };
            let (rows, _) = queue::list(&store, &pending, &today).expect("the desk's queue");
            let open = rows
                .iter()
                .filter(|r| r.sync_state == queue::SyncState::None);
            for (n, row) in open.take(decisions).enumerate() {
                match sync::record_decision(&mut store, &row.id, &decision(round * decisions + n)) {
                    Ok(id) => outcome.decisions.push(id),
                    Err(e) => failed("deciding", &e),
                }
            }
            if let Err(e) = run(&mut store, session) {
                failed("syncing", &e);
            }
        }
    }
    rt.block_on(phases.rounds.wait());
    if let Some(session) = &session {
        if let Err(e) = run(&mut store, session) {
            failed("last sync", &e);
        }
        let mine = QueueQuery {
            mine: true,
            limit: 1000,
            ..QueueQuery::default()
        };
        let (rows, _) = queue::list(&store, &mine, &today).expect("the desk's queue");
        outcome.unsent = rows
            .iter()
            .filter(|r| r.sync_state == queue::SyncState::Pending)
            .count() as u64;
        outcome.queue = rows.into_iter().map(|r| (r.id, r.status)).collect();
    }
    outcome
}

/// A department's supervisor: each round moves up to `moves` open cases from one officer to
/// the next, in turn.
#[allow(clippy::too_many_arguments)]
pub fn supervisor(
    base: &str,
    account: &Account,
    officers: &[String],
    rounds: usize,
    moves: usize,
    phases: &Phases,
    stats: &Shared,
    routes: &Arc<Routes>,
) {
    let rt = runtime();
    let central = Central::new(base)
        .expect("client")
        .naming(&format!("load-{}", account.username))
        .observed(observer(stats, routes));
    let error = |e: String| stats.lock().expect("stats").error(e);
    let supervision = sign_in(&rt, &central, account, stats)
        .and_then(|s| Supervision::for_session(central.clone(), s.token, &s.user).ok());
    rt.block_on(phases.first_sync.wait());
    if let Some(supervision) = supervision.filter(|_| officers.len() > 1) {
        for round in 0..rounds {
            rt.block_on(async { tokio::time::sleep(Duration::from_millis(200)).await });
            let from = &officers[round % officers.len()];
            let to = &officers[(round + 1) % officers.len()];
            let cases = match rt.block_on(supervision.officer_cases(from)) {
                Ok(c) => c.cases,
                Err(e) => {
                    error(format!("{} reading {from}'s cases: {e}", account.username));
                    continue;
                }
            };
            let request = Reassignment {
                cases: cases
                    .iter()
                    .take(moves)
                    .map(|c| CaseRef {
                        id: c.id.clone(),
                        version: c.version,
                    })
                    .collect(),
                officer_id: to.clone(),
                reason: "Yükün bərabərləşdirilməsi (load run)".into(),
            };
            if request.cases.is_empty() {
                continue;
            }
            // A case decided meanwhile is a conflict (409), counted by the observer.
            let _ = rt.block_on(supervision.reassign(&request));
        }
    }
    rt.block_on(phases.rounds.wait());
}

/// The applicant portal: each round files `per_round` applications to each department.
pub fn portal(
    base: &str,
    credential: &str,
    departments: &[String],
    rounds: usize,
    per_round: usize,
    phases: &Phases,
    stats: &Shared,
) -> u64 {
    let rt = runtime();
    let client = reqwest::Client::new();
    let catalogue = Catalogue::builtin();
    let services: Vec<_> = catalogue.services.iter().collect();
    let route = "POST /api/v1/intake/applications".to_owned();
    let mut filed = 0;
    rt.block_on(phases.first_sync.wait());
    for round in 0..rounds {
        for (d, department) in departments.iter().enumerate() {
            for k in 0..per_round {
                let service = services[(round + d + k) % services.len()];
                let n = (round * departments.len() + d) * per_round + k;
                let body = json!({
                    "id": uuid::Uuid::new_v4(),
                    "department_id": department,
                    "service": service.code,
                    "tier": service.tiers[0].code,
                    "applicant": {
                        "name_latin": format!("Aysel Load{n}"), "name_native": format!("Aysel Load{n}"),
                        "passport_number": format!("C {:07}", n), "date_of_birth": "1990-04-12",
                        "nationality": "TUR", "email": format!("load{n}@example.org"), "language": "az"
                    },
                    "form": [
                        { "key": "personal", "fields": [
                            { "key": "surname", "value": format!("Load{n}") },
                            { "key": "given_names", "value": "Aysel" },
                            { "key": "date_of_birth", "value": "12.04.1990" },
                            { "key": "nationality", "value": "TUR" },
                            { "key": "passport_number", "value": format!("C {:07}", n) }
                        ]},
                        { "key": "contact", "fields": [{ "key": "email", "value": format!("load{n}@example.org") }] }
                    ],
                    "documents": [
                        { "type": service.required_documents[0], "file_name": "form.pdf",
                          "content_base64": base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.4\n% the form\n") }
                    ]
                });
                let start = Instant::now();
                let sent = rt.block_on(
                    client
                        .post(format!("{base}/api/v1/intake/applications"))
                        .bearer_auth(credential)
                        .json(&body)
                        .send(),
                );
                let status = sent.as_ref().ok().map(|r| r.status().as_u16());
                let mut stats = stats.lock().expect("stats");
                stats.record(route.clone(), status, start.elapsed());
                match sent {
                    Ok(r) if r.status().is_success() => filed += 1,
                    Ok(r) => {
                        let status = r.status();
                        let text = rt.block_on(r.text()).unwrap_or_default();
                        stats.error(format!("intake: {status} {text}"));
                    }
                    Err(e) => stats.error(format!("intake: {e}")),
                }
            }
        }
        rt.block_on(async { tokio::time::sleep(Duration::from_millis(200)).await });
    }
    rt.block_on(phases.rounds.wait());
    filed
}

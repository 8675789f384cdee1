//! `scripts/bench.sh load`: every department's desks syncing together against one centre.
//! Prints; asserts nothing but the run's own correctness checks (the machine may be shared and
//! noisy, and the figures are ratios to the SQLite centre measured in the same run).
//!
//! `LOAD_DEPARTMENTS` (8) departments × `LOAD_DESKS` (50) officers' desks over `LOAD_CASES`
//! (20,000) applications, each with a small text PDF for each document its service requires.
//! Each desk is the real sync engine over its own encrypted cache, on a thread of its own: it
//! signs in and syncs for the first time, all at once; then for `LOAD_ROUNDS` (3) rounds it
//! decides `LOAD_DECISIONS` (2) of its cases (accept, missing documents, refuse, in turn) and
//! syncs, while each department's supervisor moves `LOAD_MOVES` (3) cases between officers and
//! the applicant portal files `LOAD_INTAKE` (2) applications a department; then a last sync.
//! Checked at the end: every decision the desks recorded is at the centre exactly once, every
//! desk's cached queue is the centre's view of it, and no call failed but deliberate conflicts.
//!
//! The centres (`LOAD_ENGINES`, default all three): `sqlite` (one `serve` on a SQLite file),
//! `postgres` (one on PostgreSQL) and `postgres-2` (two on one PostgreSQL, behind nginx); the
//! PostgreSQL ones need the cluster `scripts/bench.sh load` starts (`MIGDESK_TEST_POSTGRES`).

mod actors;
mod centre;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actors::{Account, DeskOutcome, Phases, Routes, Stats};
use migdesk_central::database::Database;
use migdesk_central::seed::{SeedOptions, SeedReport};
use migdesk_central::testing;

fn size(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Sizes {
    departments: usize,
    desks: usize,
    cases: usize,
    rounds: usize,
    decisions: usize,
    moves: usize,
    intake: usize,
}

/// One engine's run: what the desks did and every call's time.
struct Run {
    name: &'static str,
    wall: Duration,
    first_sync_wall: Duration,
    first_syncs: Vec<Duration>,
    stats: Stats,
    checks: Vec<(String, bool)>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn seed(database: &Database, sizes: &Sizes) -> SeedReport {
    let mut options = SeedOptions::new(sizes.cases, 11);
    options.light_documents = true;
    options.departments = Some(sizes.departments);
    options.officers_per_department = Some(sizes.desks);
    testing::seed_database(database, &options)
}

/// The centre's decisions, each desk's recorded ones among them exactly once, and each desk's
/// queue against the centre's.
fn check(database: &Database, outcomes: &[DeskOutcome]) -> Vec<(String, bool)> {
    let recorded: Vec<&String> = outcomes.iter().flat_map(|o| &o.decisions).collect();
    let (at_centre, by_outcome, queues) = testing::with_sql(database, |conn| {
        let ids: Vec<String> = conn
            .prepare("SELECT id FROM decisions")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("decisions");
        let mut by_outcome = BTreeMap::new();
        let rows: Vec<(String, i64)> = conn
            .prepare("SELECT outcome, COUNT(*) FROM decisions GROUP BY outcome")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .expect("outcomes");
        by_outcome.extend(rows);
        let queues: Vec<(String, String, String)> = conn
            .prepare("SELECT officer_id, id, status FROM applications WHERE officer_id IS NOT NULL")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .expect("queues");
        (ids, by_outcome, queues)
    });
    let mut counted: BTreeMap<&str, usize> = BTreeMap::new();
    for id in &at_centre {
        *counted.entry(id.as_str()).or_default() += 1;
    }
    let once = recorded
        .iter()
        .filter(|id| counted.get(id.as_str()) == Some(&1))
        .count();
    let mut centre: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
    for (officer, id, status) in &queues {
        centre
            .entry(officer.as_str())
            .or_default()
            .insert(id.clone(), status.clone());
    }
    let signed_in: Vec<&DeskOutcome> = outcomes.iter().filter(|o| !o.me.is_empty()).collect();
    let matching = signed_in
        .iter()
        .filter(|o| {
            let theirs = centre.get(o.me.as_str()).cloned().unwrap_or_default();
            let ours: BTreeMap<String, String> = o
                .queue
                .iter()
                .map(|(id, s)| {
                    let s = serde_json::to_value(s).expect("status");
                    (id.clone(), s.as_str().unwrap_or_default().to_owned())
                })
                .collect();
            ours == theirs
        })
        .count();
    let unsent: u64 = outcomes.iter().map(|o| o.unsent).sum();
    let desks = outcomes.len();
    let outcomes: Vec<String> = by_outcome.iter().map(|(k, v)| format!("{k} {v}")).collect();
    vec![
        (
            format!(
                "decisions at the centre exactly once: {once} of {} recorded ({} rows at the centre: {})",
                recorded.len(),
                at_centre.len(),
                outcomes.join(", ")
            ),
            once == recorded.len()
                && at_centre.len() == recorded.len()
                && at_centre.iter().collect::<BTreeSet<_>>().len() == at_centre.len(),
        ),
        (
            format!("decisions left unsent on the desks: {unsent}"),
            unsent == 0,
        ),
        (
            format!(
                "desks whose cached queue is the centre's view of it: {matching} of {desks} ({} signed in)",
                signed_in.len(),
            ),
            matching == desks,
        ),
    ]
}

/// Runs the load against `instances` centres on `database`, seeded as `report` says.
fn run(
    name: &'static str,
    database: &Database,
    instances: usize,
    report: &SeedReport,
    sizes: &Sizes,
) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let centre = centre::start(database, instances, dir.path());
    let routes = Arc::new(Routes::of_contract());
    let stats = Arc::new(Mutex::new(Stats::default()));
    // The departments the seed staffed and spread the applications over.
    let served: Vec<String> = migdesk_central::seed::DEPARTMENTS
        .iter()
        .take(sizes.departments.max(1))
        .map(|d| d.id.to_owned())
        .collect();
    let officers: Vec<&migdesk_central::seed::Account> = report
        .accounts
        .iter()
        .filter(|a| a.role == "officer" && served.iter().any(|d| d == a.department))
        .collect();
    let supervisors: Vec<&migdesk_central::seed::Account> = report
        .accounts
        .iter()
        .filter(|a| a.role == "supervisor" && served.iter().any(|d| d == a.department))
        .collect();
    let phases = Arc::new(Phases {
        first_sync: tokio::sync::Barrier::new(officers.len() + supervisors.len() + 2),
        rounds: tokio::sync::Barrier::new(officers.len() + supervisors.len() + 1),
    });
    eprintln!(
        "{name}: {} desks and {} supervisors sign in and sync…",
        officers.len(),
        supervisors.len()
    );
    let started = Instant::now();
    let (outcomes, first_sync_wall, filed) = std::thread::scope(|scope| {
        let mut desks = Vec::new();
        for a in &officers {
            let account = Account {
                username: a.username.clone(),
                password: a.password.clone(),
            };
            let (base, dir, phases, stats, routes) =
                (&centre.base, dir.path(), &phases, &stats, &routes);
            desks.push(
                std::thread::Builder::new()
                    .stack_size(4 << 20)
                    .spawn_scoped(scope, move || {
                        actors::desk(
                            base,
                            &account,
                            dir,
                            sizes.rounds,
                            sizes.decisions,
                            phases,
                            stats,
                            routes,
                        )
                    })
                    .expect("a desk's thread"),
            );
        }
        for a in &supervisors {
            let account = Account {
                username: a.username.clone(),
                password: a.password.clone(),
            };
            let theirs: Vec<String> = officers
                .iter()
                .filter(|o| o.department == a.department)
                .map(|o| o.id.clone())
                .collect();
            let (base, phases, stats, routes) = (&centre.base, &phases, &stats, &routes);
            scope.spawn(move || {
                actors::supervisor(
                    base,
                    &account,
                    &theirs,
                    sizes.rounds,
                    sizes.moves,
                    phases,
                    stats,
                    routes,
                );
            });
        }
        let portal = {
            let (base, phases, stats, served) = (&centre.base, &phases, &stats, &served);
            scope.spawn(move || {
                actors::portal(
                    base,
                    &report.portal_token,
                    served,
                    sizes.rounds,
                    sizes.intake,
                    phases,
                    stats,
                )
            })
        };
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(phases.first_sync.wait());
        let first_sync_wall = started.elapsed();
        eprintln!(
            "{name}: first syncs done in {:.1} s; {} rounds of decisions, moves and new applications…",
            first_sync_wall.as_secs_f64(),
            sizes.rounds
        );
        let outcomes: Vec<DeskOutcome> = desks
            .into_iter()
            .map(|d| d.join().expect("a desk panicked"))
            .collect();
        (
            outcomes,
            first_sync_wall,
            portal.join().expect("the portal panicked"),
        )
    });
    let wall = started.elapsed();
    drop(centre);
    let mut checks = check(database, &outcomes);
    checks.push((
        format!(
            "new applications filed through the intake: {filed} of {}",
            sizes.rounds * sizes.intake * served.len()
        ),
        filed as usize == sizes.rounds * sizes.intake * served.len(),
    ));
    let mut first_syncs: Vec<Duration> = outcomes.iter().filter_map(|o| o.first_sync).collect();
    first_syncs.sort();
    let stats = Arc::try_unwrap(stats)
        .ok()
        .expect("every actor has stopped")
        .into_inner()
        .expect("stats");
    checks.push((
        format!(
            "calls failed: {} {:?} ({} conflicts, deliberate; {} sign-ins told to wait, tried again)",
            stats.failed.values().sum::<u64>(),
            stats.failed_statuses,
            stats.conflicts,
            stats.busy
        ),
        stats.failed.is_empty(),
    ));
    Run {
        name,
        wall,
        first_sync_wall,
        first_syncs,
        stats,
        checks,
    }
}

fn calls(run: &Run) -> usize {
    run.stats.times.values().map(Vec::len).sum()
}

fn print(run: &Run) {
    let calls = calls(run);
    println!(
        "{}: {calls} calls in {:.1} s, {:.0} calls/s; first sync of every desk at once: {:.1} s",
        run.name,
        run.wall.as_secs_f64(),
        calls as f64 / run.wall.as_secs_f64(),
        run.first_sync_wall.as_secs_f64()
    );
    let f = &run.first_syncs;
    println!(
        "  first sync per desk: p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        ms(percentile(f, 0.5)),
        ms(percentile(f, 0.95)),
        ms(f.last().copied().unwrap_or_default())
    );
    println!(
        "  {:<58} {:>7} {:>9} {:>9} {:>9} {:>6}",
        "route (time to the answer's headers)", "calls", "p50 ms", "p95 ms", "p99 ms", "failed"
    );
    for (route, times) in &run.stats.times {
        let mut t = times.clone();
        t.sort();
        println!(
            "  {route:<58} {:>7} {:>9.1} {:>9.1} {:>9.1} {:>6}",
            t.len(),
            ms(percentile(&t, 0.5)),
            ms(percentile(&t, 0.95)),
            ms(percentile(&t, 0.99)),
            run.stats.failed.get(route).copied().unwrap_or(0)
        );
    }
    for (check, ok) in &run.checks {
        println!("  {} {check}", if *ok { "ok  " } else { "FAIL" });
    }
    for e in &run.stats.errors {
        println!("  error: {e}");
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let sizes = Sizes {
        departments: size("LOAD_DEPARTMENTS", 8),
        desks: size("LOAD_DESKS", 50),
        cases: size("LOAD_CASES", 20_000),
        rounds: size("LOAD_ROUNDS", 3),
        decisions: size("LOAD_DECISIONS", 2),
        moves: size("LOAD_MOVES", 3),
        intake: size("LOAD_INTAKE", 2),
    };
    let engines =
        std::env::var("LOAD_ENGINES").unwrap_or_else(|_| "sqlite,postgres,postgres-2".into());
    let postgres = std::env::var_os("MIGDESK_TEST_POSTGRES").is_some();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut runs = Vec::new();
    for engine in engines.split(',').map(str::trim) {
        let (name, instances): (&'static str, usize) = match engine {
            "sqlite" => ("SQLite, one instance", 1),
            "postgres" => ("PostgreSQL, one instance", 1),
            "postgres-2" => ("PostgreSQL, two instances behind nginx", 2),
            other => panic!("LOAD_ENGINES: {other:?} is none of sqlite, postgres, postgres-2"),
        };
        let database = if engine == "sqlite" {
            Database::Sqlite(dir.path().join("central.db"))
        } else if postgres {
            testing::postgres_database(None)
        } else {
            eprintln!("{name}: skipped (no PostgreSQL: run it through scripts/bench.sh load)");
            continue;
        };
        eprintln!(
            "{name}: seeding {} applications over {} departments of {} officers…",
            sizes.cases, sizes.departments, sizes.desks
        );
        let seeding = Instant::now();
        let report = seed(&database, &sizes);
        eprintln!("{name}: seeded in {:.1} s", seeding.elapsed().as_secs_f64());
        let run = run(name, &database, instances, &report, &sizes);
        print(&run);
        runs.push(run);
    }
    let Some(base) = runs.first() else {
        return;
    };
    println!(
        "\n{} departments × {} desks, {} applications, {} rounds; ratios to {}",
        sizes.departments, sizes.desks, sizes.cases, sizes.rounds, base.name
    );
    println!(
        "  {:<42} {:>9} {:>7} {:>16} {:>7} {:>16} {:>7} {:>7}",
        "centre",
        "calls/s",
        "ratio",
        "first sync p50",
        "ratio",
        "first sync p95",
        "ratio",
        "failed"
    );
    let rate = |r: &Run| calls(r) as f64 / r.wall.as_secs_f64();
    for run in &runs {
        let (p50, p95) = (
            percentile(&run.first_syncs, 0.5),
            percentile(&run.first_syncs, 0.95),
        );
        let (b50, b95) = (
            percentile(&base.first_syncs, 0.5),
            percentile(&base.first_syncs, 0.95),
        );
        println!(
            "  {:<42} {:>9.0} {:>7.2} {:>13.0} ms {:>7.2} {:>13.0} ms {:>7.2} {:>7}",
            run.name,
            rate(run),
            rate(run) / rate(base),
            ms(p50),
            p50.as_secs_f64() / b50.as_secs_f64().max(1e-9),
            ms(p95),
            p95.as_secs_f64() / b95.as_secs_f64().max(1e-9),
            run.stats.failed.values().sum::<u64>()
        );
    }
    if runs.iter().any(|r| r.checks.iter().any(|(_, ok)| !ok)) {
        eprintln!("a load run's checks failed: see FAIL above");
        std::process::exit(1);
    }
}

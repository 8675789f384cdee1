//! The central service as a real process for end-to-end tests: seeded with the `seed`
//! command, served on a free loopback port, stopped with SIGTERM.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::target_dir;

/// A binary of this workspace, built by `scripts/test.sh`.
pub fn bin(name: &str) -> PathBuf {
    let path = target_dir().join("debug").join(name);
    assert!(
        path.is_file(),
        "{} is not built: run scripts/test.sh (or cargo build --workspace --bins)",
        path.display()
    );
    path
}

/// A staff account printed by `migdesk-central seed`.
#[derive(Debug, Clone)]
pub struct Account {
    pub department: String,
    pub role: String,
    pub username: String,
    pub full_name: String,
    pub password: String,
}

/// Seeds `db` and returns the staff accounts it printed.
pub fn seed(db: &Path, cases: u32, seed: u64, department: Option<&str>) -> Vec<Account> {
    let mut command = Command::new(bin("migdesk-central"));
    command.args(["seed", "--db"]).arg(db).args([
        "--cases",
        &cases.to_string(),
        "--seed",
        &seed.to_string(),
    ]);
    if let Some(d) = department {
        command.args(["--department", d]);
    }
    stdout_of(command)
        .lines()
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let role = *cols.get(1)?;
            (cols.len() >= 5 && (role == "officer" || role == "supervisor")).then(|| Account {
                department: cols[0].to_owned(),
                role: role.to_owned(),
                username: cols[2].to_owned(),
                full_name: cols[3..cols.len() - 1].join(" "),
                password: cols[cols.len() - 1].to_owned(),
            })
        })
        .collect()
}

/// Seeds `db` with `cases` applications all routed to `department`; returns an officer and the
/// supervisor of that department.
pub fn seed_department(db: &Path, cases: u32, seed_: u64, department: &str) -> (Account, Account) {
    let staff: Vec<Account> = seed(db, cases, seed_, Some(department))
        .into_iter()
        .filter(|a| a.department == department)
        .collect();
    let of = |role: &str| {
        staff
            .iter()
            .find(|a| a.role == role)
            .unwrap_or_else(|| panic!("no {role} in {department}"))
            .clone()
    };
    (of("officer"), of("supervisor"))
}

/// A new applicant portal credential on `db`, issued by the service's own command
/// (`migdesk-central portal-token`), for the applicant routes.
pub fn portal_token(db: &Path, name: &str) -> String {
    let mut command = Command::new(bin("migdesk-central"));
    command
        .args(["portal-token", "--db"])
        .arg(db)
        .args(["--name", name]);
    stdout_of(command).trim().to_owned()
}

/// What a command of the service printed; it must succeed.
pub fn stdout_of(mut command: Command) -> String {
    let out = command.output().expect("migdesk-central");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Sends `count` new applications for `department` through the portal's intake route of the
/// centre at `base` (`migdesk-central simulate`, as fast as it goes, from RNG `seed`); answers
/// their numbers, in the order they arrived.
pub fn simulate(db: &Path, base: &str, department: &str, count: u32, seed: u64) -> Vec<String> {
    let mut simulate = Command::new(bin("migdesk-central"));
    simulate
        .args(["simulate", "--db"])
        .arg(db)
        .args(["--server", base, "--rate", "600/min"])
        .args(["--count", &count.to_string(), "--department", department])
        .args(["--seed", &seed.to_string()]);
    stdout_of(simulate)
        .lines()
        .filter_map(|l| l.split('\t').next().map(str::to_owned))
        .collect()
}

/// Signs `account` in at the centre's API directly (as another program would); returns the
/// bearer token.
pub async fn token(base: &str, account: &Account) -> String {
    let session: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({ "username": account.username, "password": account.password }))
        .send()
        .await
        .expect("sign in")
        .json()
        .await
        .expect("session JSON");
    session["token"].as_str().expect("a token").to_owned()
}

/// A running `migdesk-central serve`; stopped when dropped.
#[derive(Debug)]
pub struct Centre {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Centre {
    pub fn start(db: &Path) -> Self {
        Self::start_on(db, "127.0.0.1:0", &[])
    }

    /// Starts with more `serve` options (e.g. `--quiet-desk-seconds 2`).
    pub fn start_with(db: &Path, options: &[&str]) -> Self {
        Self::start_on(db, "127.0.0.1:0", options)
    }

    /// Starts over HTTPS (`https://localhost:PORT`) with a certificate of an authority of its
    /// own, made in `dir`; the authority's certificate is `dir/ca.pem`.
    pub fn start_tls(db: &Path, dir: &Path) -> Self {
        migdesk_core::testing::authority(dir);
        let (cert, key) = (dir.join("centre.pem"), dir.join("centre.key"));
        let path = |p: &Path| p.to_str().expect("a UTF-8 path").to_owned();
        Self::start_with(db, &["--tls-cert", &path(&cert), "--tls-key", &path(&key)])
    }

    /// Starts again where a stopped centre was (the desk remembers the address).
    pub fn restart(db: &Path, base: &str) -> Self {
        Self::start_on(db, base.trim_start_matches("http://"), &[])
    }

    fn start_on(db: &Path, listen: &str, options: &[&str]) -> Self {
        let mut child = Command::new(bin("migdesk-central"))
            .args(["serve", "--db"])
            .arg(db)
            .args(["--listen", listen])
            .args(options)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start migdesk-central");
        let mut line = String::new();
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        out.read_line(&mut line).expect("first line");
        // Over HTTPS by the name its certificate is for: `https://localhost:PORT`.
        let base = match line.split("https://").nth(1) {
            Some(rest) => rest
                .split("/api")
                .next()
                .and_then(|a| a.rsplit(':').next())
                .map(|port| format!("https://localhost:{port}")),
            None => line
                .split("http://")
                .nth(1)
                .and_then(|r| r.split("/api").next())
                .map(|a| format!("http://{a}")),
        }
        .unwrap_or_else(|| panic!("unexpected first line: {line}"));
        Self { child, base }
    }
}

impl Drop for Centre {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// A network cable between a desk and the centre: a loopback TCP relay that can be pulled (new
/// connections are refused and open ones cut) and plugged in again, while the centre itself
/// keeps serving other desks.
#[derive(Debug)]
pub struct Cable {
    /// `http://127.0.0.1:PORT` of the relay: give this address to the desk.
    pub base: String,
    plugged: std::sync::Arc<std::sync::atomic::AtomicBool>,
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Cable {
    /// A relay in front of `central_base` (`http://127.0.0.1:PORT`), plugged in.
    pub fn to(central_base: &str) -> Self {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        let target = central_base.trim_start_matches("http://").to_owned();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("relay port");
        let base = format!("http://{}", listener.local_addr().expect("relay address"));
        let plugged = Arc::new(AtomicBool::new(true));
        let generation = Arc::new(AtomicU64::new(0));
        let (p, g) = (plugged.clone(), generation.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !p.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let Ok(server) = std::net::TcpStream::connect(&target) else {
                    continue;
                };
                let born = g.load(Ordering::SeqCst);
                for (from, to) in [
                    (client.try_clone(), server.try_clone()),
                    (server.try_clone(), client.try_clone()),
                ] {
                    let (Ok(mut from), Ok(mut to)) = (from, to) else {
                        continue;
                    };
                    let (p, g) = (p.clone(), g.clone());
                    std::thread::spawn(move || {
                        use std::io::{Read, Write};
                        let _ = from.set_read_timeout(Some(std::time::Duration::from_millis(100)));
                        let mut buf = [0u8; 16 * 1024];
                        loop {
                            if !p.load(Ordering::SeqCst) || g.load(Ordering::SeqCst) != born {
                                break;
                            }
                            match from.read(&mut buf) {
                                Ok(0) => break,
                                Ok(n) => {
                                    if to.write_all(&buf[..n]).is_err() {
                                        break;
                                    }
                                }
                                Err(e)
                                    if matches!(
                                        e.kind(),
                                        std::io::ErrorKind::WouldBlock
                                            | std::io::ErrorKind::TimedOut
                                    ) => {}
                                Err(_) => break,
                            }
                        }
                        let _ = from.shutdown(std::net::Shutdown::Both);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        Self {
            base,
            plugged,
            generation,
        }
    }

    /// Pulls the cable: the desk is offline.
    pub fn pull(&self) {
        use std::sync::atomic::Ordering;
        self.plugged.store(false, Ordering::SeqCst);
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Plugs it in again.
    pub fn plug(&self) {
        self.plugged
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// The decisions the centre holds for a case, as the desks sent them (their request bodies);
/// with `applied_only`, only those it applied (answered 201).
pub fn decisions(db: &Path, case: &str, applied_only: bool) -> Vec<serde_json::Value> {
    let conn = rusqlite::Connection::open(db).expect("the centre's database");
    let sql = if applied_only {
        "SELECT request FROM decisions WHERE application_id = ?1 AND status_code = 201"
    } else {
        "SELECT request FROM decisions WHERE application_id = ?1"
    };
    let mut stmt = conn.prepare(sql).expect("query");
    stmt.query_map([case], |r| r.get::<_, String>(0))
        .expect("rows")
        .map(|r| serde_json::from_str(&r.expect("row")).expect("a JSON request"))
        .collect()
}

/// Waits until the department's rule of distribution, as the centre keeps it, is `rule`.
pub async fn wait_for_rule(db: &Path, department: &str, rule: &str) {
    let read = || -> String {
        rusqlite::Connection::open(db)
            .and_then(|c| {
                c.query_row(
                    "SELECT distribution_rule FROM departments WHERE id = ?1",
                    [department],
                    |r| r.get(0),
                )
            })
            .unwrap_or_default()
    };
    let started = std::time::Instant::now();
    while read() != rule {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "{department}'s rule is still {:?}, not {rule}",
            read()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

//! `migdesk-cli` against a real central service process, with the real Secret Service (the test
//! command runs GNOME Keyring in a session of its own).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use migdesk_core::secrets::{self, OsKeyring, SecretStore};
use migdesk_e2e::central::{Centre, bin, seed};
use serde_json::Value;

fn cli(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    cli_configured(data, None, args, stdin)
}

/// `migdesk-cli` with the workstation configuration `config` (`MIGDESK_CONFIG`).
fn cli_configured(
    data: &Path,
    config: Option<&Path>,
    args: &[&str],
    stdin: Option<&str>,
) -> Output {
    let mut command = Command::new(bin("migdesk-cli"));
    if let Some(config) = config {
        command.env("MIGDESK_CONFIG", config);
    }
    let mut child = command
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("migdesk-cli");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("wait")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&out.stdout)))
}

fn files_contain(dir: &Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir).expect("dir").flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            files_contain(&p, needle)
        } else {
            std::fs::read(&p)
                .map(|b| b.windows(needle.len()).any(|w| w == needle))
                .unwrap_or(false)
        }
    })
}

#[test]
fn sign_in_sync_status_sign_out_and_wipe_keep_secrets_in_the_keyring() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let officer = seed(&db, 30, 9, None)
        .into_iter()
        .find(|a| a.department == "baku" && a.role == "officer")
        .expect("a Baku officer");
    let (user, password) = (officer.username, officer.password);
    let centre = Centre::start(&db);
    let data = dir.path().join("desk");

    let wrong = cli(
        &data,
        &[
            "--json",
            "login",
            "--server",
            &centre.base,
            "--username",
            &user,
        ],
        Some("wrong\n"),
    );
    assert!(!wrong.status.success());
    assert_eq!(json(&wrong)["kind"], "unauthorized");

    let login = cli(
        &data,
        &[
            "--json",
            "login",
            "--server",
            &centre.base,
            "--username",
            &user,
        ],
        Some(&format!("{password}\n")),
    );
    assert!(
        login.status.success(),
        "{}",
        String::from_utf8_lossy(&login.stdout)
    );
    assert_eq!(json(&login)["user"]["username"], user.as_str());

    // The token and the cache key are in the real Secret Service, and in no file.
    let keyring = OsKeyring {
        profile: secrets::profile_for(&data),
    };
    let token = keyring
        .get(secrets::SESSION_TOKEN)
        .expect("keyring")
        .expect("a token");
    let key = keyring
        .get(secrets::CACHE_KEY)
        .expect("keyring")
        .expect("a cache key");
    assert!(
        !files_contain(&data, token.as_bytes()),
        "the token is in a file"
    );
    assert!(
        !files_contain(&data, key.as_bytes()),
        "the key is in a file"
    );

    let sync = cli(&data, &["--json", "sync"], None);
    assert!(
        sync.status.success(),
        "{}",
        String::from_utf8_lossy(&sync.stdout)
    );
    let report = json(&sync);
    assert!(report["changes"].as_u64().expect("changes") > 0, "{report}");
    assert!(
        report["documents_downloaded"].as_u64().expect("documents") > 0,
        "{report}"
    );

    let status = json(&cli(&data, &["--json", "status"], None));
    assert!(status["queue"].as_i64().expect("queue") > 0, "{status}");
    assert_eq!(status["unsent_decisions"], 0);
    assert_eq!(status["documents_missing"], 0);
    assert!(status["last_sync"].is_string());
    let text = cli(&data, &["status"], None);
    assert!(String::from_utf8_lossy(&text.stdout).contains("Queue:"));

    // Offline: a clear error, nothing lost.
    drop(centre);
    let offline = cli(&data, &["--json", "sync"], None);
    assert!(!offline.status.success());
    assert_eq!(json(&offline)["kind"], "offline");
    assert_eq!(
        json(&cli(&data, &["--json", "status"], None))["queue"],
        status["queue"]
    );

    // Signing out works offline: the token leaves the keyring, the cached work stays.
    let logout = cli(&data, &["--json", "logout"], None);
    assert!(
        logout.status.success(),
        "{}",
        String::from_utf8_lossy(&logout.stdout)
    );
    assert_eq!(keyring.get(secrets::SESSION_TOKEN).expect("keyring"), None);
    assert!(keyring.get(secrets::CACHE_KEY).expect("keyring").is_some());
    assert_eq!(
        json(&cli(&data, &["--json", "status"], None))["queue"],
        status["queue"]
    );
    assert_eq!(
        json(&cli(&data, &["--json", "sync"], None))["kind"],
        "not_signed_in"
    );

    let wipe = cli(&data, &["--json", "wipe"], None);
    assert!(wipe.status.success());
    assert_eq!(keyring.get(secrets::SESSION_TOKEN).expect("keyring"), None);
    assert_eq!(keyring.get(secrets::CACHE_KEY).expect("keyring"), None);
    assert!(!data.join("cache.db").exists());
    let after = cli(&data, &["--json", "status"], None);
    assert!(!after.status.success());
    assert_eq!(json(&after)["kind"], "cache_key");
}

/// A workstation as IT sets it up: `desk.toml` names the centre (served over HTTPS with a
/// certificate of the department's own authority) and that authority. Without the authority
/// the sign-in fails on the certificate, saying so; with it, it works and needs no `--server`;
/// locked, another centre is refused; a misspelt key stops the command, naming file and line.
#[test]
fn a_workstation_configured_by_it_signs_in_over_https_to_its_centre_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let officer = seed(&db, 4, 9, None)
        .into_iter()
        .find(|a| a.department == "baku" && a.role == "officer")
        .expect("a Baku officer");
    let centre = Centre::start_tls(&db, dir.path());
    assert!(
        centre.base.starts_with("https://localhost:"),
        "{}",
        centre.base
    );
    let config = dir.path().join("desk.toml");
    let password = format!("{}\n", officer.password);
    let login = |extra: &[&str]| {
        let mut args = vec!["--json", "login", "--username", officer.username.as_str()];
        args.extend_from_slice(extra);
        cli_configured(
            &dir.path().join("desk"),
            Some(&config),
            &args,
            Some(&password),
        )
    };

    std::fs::write(&config, format!("server = {:?}\n", centre.base)).unwrap();
    let untrusted = login(&[]);
    assert!(!untrusted.status.success());
    let answer = json(&untrusted);
    assert_eq!(answer["kind"], "invalid", "{answer}");
    assert!(
        answer["message"].as_str().unwrap().contains("not trusted"),
        "{answer}"
    );

    let ca = dir.path().join("ca.pem");
    std::fs::write(
        &config,
        format!(
            "server = {:?}\nserver_locked = true\nca_certificates = [{:?}]\n",
            centre.base,
            ca.to_str().unwrap()
        ),
    )
    .unwrap();
    let signed_in = login(&[]);
    assert!(
        signed_in.status.success(),
        "{}",
        String::from_utf8_lossy(&signed_in.stdout)
    );
    assert_eq!(json(&signed_in)["signed_in"], true);

    let elsewhere = login(&["--server", "https://central.example"]);
    assert!(!elsewhere.status.success());
    assert!(
        json(&elsewhere)["message"]
            .as_str()
            .unwrap()
            .contains("signs in only to"),
        "{}",
        json(&elsewhere)
    );

    std::fs::write(
        &config,
        format!("server = {:?}\nserver_lock = true\n", centre.base),
    )
    .unwrap();
    let misspelt = login(&[]);
    assert!(!misspelt.status.success());
    let message = json(&misspelt)["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("desk.toml, line 2") && message.contains("server_lock"),
        "{message}"
    );
}

/// A forwarding HTTP proxy on a loopback port, as a department's: it passes each connection to
/// the host its first request names and keeps the request lines it saw. Dropped, it stops
/// accepting.
struct Proxy {
    address: String,
    seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Proxy {
    fn start() -> Self {
        use std::io::{BufRead, BufReader};
        use std::net::{TcpListener, TcpStream};
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = format!("http://{}", listener.local_addr().expect("address"));
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let log = log.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(client.try_clone().expect("clone"));
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() {
                        return;
                    }
                    log.lock().expect("log").push(line.trim().to_owned());
                    // "POST http://127.0.0.1:PORT/api/v1/session HTTP/1.1": the upstream host.
                    let Some(host) = line
                        .split_whitespace()
                        .nth(1)
                        .and_then(|uri| uri.strip_prefix("http://"))
                        .and_then(|rest| rest.split('/').next())
                    else {
                        return;
                    };
                    let Ok(mut upstream) = TcpStream::connect(host) else {
                        return;
                    };
                    let mut down = upstream.try_clone().expect("clone");
                    let mut back = client;
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut down, &mut back);
                    });
                    // The first line, what was read after it, then the rest as it comes.
                    let _ = upstream.write_all(line.as_bytes());
                    let _ = upstream.write_all(reader.buffer());
                    let consumed = reader.buffer().len();
                    reader.consume(consumed);
                    let _ = std::io::copy(&mut reader.into_inner(), &mut upstream);
                    let _ = upstream.shutdown(std::net::Shutdown::Write);
                });
            }
        });
        Self { address, seen }
    }
}

#[test]
fn a_workstation_behind_its_proxy_reaches_the_centre_through_it_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let officer = seed(&db, 4, 12, None)
        .into_iter()
        .find(|a| a.department == "baku" && a.role == "officer")
        .expect("a Baku officer");
    let centre = Centre::start(&db);
    let proxy = Proxy::start();
    let config = dir.path().join("desk.toml");
    std::fs::write(
        &config,
        format!("server = {:?}\nproxy = {:?}\n", centre.base, proxy.address),
    )
    .expect("write");
    let password = format!("{}\n", officer.password);
    let login = |data: &str| {
        cli_configured(
            &dir.path().join(data),
            Some(&config),
            &["--json", "login", "--username", officer.username.as_str()],
            Some(&password),
        )
    };

    let signed_in = login("desk");
    assert!(
        signed_in.status.success(),
        "{}",
        String::from_utf8_lossy(&signed_in.stdout)
    );
    let seen = proxy.seen.lock().expect("log").clone();
    assert!(
        seen.iter()
            .any(|l| l.starts_with(&format!("POST {}/api/v1/session", centre.base))),
        "the sign-in went through the proxy: {seen:?}"
    );

    // The proxy named but not answering: the centre, though it answers, is not reached.
    std::fs::write(
        &config,
        format!(
            "server = {:?}\nproxy = \"http://127.0.0.1:9\"\n",
            centre.base
        ),
    )
    .expect("write");
    let offline = login("other-desk");
    assert!(!offline.status.success());
    assert_eq!(json(&offline)["kind"], "offline", "{}", json(&offline));
}

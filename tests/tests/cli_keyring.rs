//! `migdesk-cli` against a real central service process, with the real Secret Service (the test
//! command runs GNOME Keyring in a session of its own).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use migdesk_core::secrets::{self, OsKeyring, SecretStore};
use migdesk_e2e::target_dir;
use serde_json::Value;

fn bin(name: &str) -> PathBuf {
    let path = target_dir().join("debug").join(name);
    assert!(
        path.is_file(),
        "{} is not built: run scripts/test.sh (or cargo build --workspace --bins)",
        path.display()
    );
    path
}

struct Centre {
    child: Child,
    base: String,
}

impl Drop for Centre {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn start_centre(db: &Path) -> Centre {
    let mut child = Command::new(bin("migdesk-central"))
        .args(["serve", "--db"])
        .arg(db)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start migdesk-central");
    let mut line = String::new();
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    out.read_line(&mut line).expect("first line");
    let base = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split("/api").next())
        .map(|a| format!("http://{a}"))
        .unwrap_or_else(|| panic!("unexpected first line: {line}"));
    Centre { child, base }
}

/// (user name, password) of the first Baku officer in the seed output.
fn seed(db: &Path) -> (String, String) {
    let out = Command::new(bin("migdesk-central"))
        .args(["seed", "--db"])
        .arg(db)
        .args(["--cases", "30", "--seed", "9"])
        .output()
        .expect("seed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let line = text
        .lines()
        .find(|l| l.starts_with("baku") && l.contains(" officer "))
        .expect("a Baku officer");
    let cols: Vec<&str> = line.split_whitespace().collect();
    (
        cols[2].to_owned(),
        cols.last().expect("password").to_string(),
    )
}

fn cli(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(bin("migdesk-cli"))
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
    let (user, password) = seed(&db);
    let centre = start_centre(&db);
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

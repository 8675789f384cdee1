use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_migdesk-central");

#[test]
fn seed_prints_accounts_and_refuses_to_seed_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let out = Command::new(BIN)
        .args(["seed", "--db"])
        .arg(&db)
        .args(["--cases", "4", "--seed", "3"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("4 applications"), "{text}");
    for dep in migdesk_central::seed::DEPARTMENTS {
        assert!(
            text.contains(&format!("{:<10} supervisor", dep.id)),
            "{} has no supervisor:\n{text}",
            dep.id
        );
    }
    let again = Command::new(BIN)
        .args(["seed", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds data"));
}

#[test]
fn seeding_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let db = dir.path().join(name);
        let out = Command::new(BIN)
            .args(["seed", "--db"])
            .arg(&db)
            .args(["--cases", "3", "--seed", "11"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let conn = rusqlite::Connection::open(&db).unwrap();
        let numbers: Vec<String> = conn
            .prepare("SELECT number || applicant || form FROM applications ORDER BY number")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let blobs: Vec<String> = conn
            .prepare("SELECT sha256 FROM blobs ORDER BY sha256")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        // The first line names the file; the accounts that follow must be the same.
        let text = String::from_utf8(out.stdout).unwrap();
        let accounts = text.lines().skip(1).collect::<Vec<_>>().join("\n");
        (accounts, numbers, blobs)
    };
    assert_eq!(run("a.db"), run("b.db"));
}

#[test]
fn serve_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert!(
        Command::new(BIN)
            .args(["seed", "--db"])
            .arg(&db)
            .args(["--cases", "2"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let mut child = Command::new(BIN)
        .args(["serve", "--db"])
        .arg(&db)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_owned();
    let body = std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            reqwest::get(format!("http://{addr}/api/v1/openapi.json"))
                .await
                .unwrap()
                .status()
        })
    })
    .join()
    .unwrap();
    assert_eq!(body, reqwest::StatusCode::OK);
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn a_broken_catalogue_file_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("catalogue.toml");
    std::fs::write(
        &bad,
        migdesk_domain::catalogue::DEFAULT_CATALOGUE.replacen(
            "\"passport-copy\", \"visa-entry-stamp\"",
            "\"pasport\"",
            1,
        ),
    )
    .unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--db"])
        .arg(dir.path().join("x.db"))
        .arg("--catalogue")
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("catalogue.toml") && err.contains("\"pasport\""),
        "{err}"
    );
}

#[test]
fn the_seed_files_earlier_decided_applications_that_cases_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let out = Command::new(BIN)
        .args(["seed", "--db"])
        .arg(&db)
        .args(["--cases", "40", "--seed", "5", "--history", "0"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let earlier: Vec<String> = conn
        .prepare("SELECT number FROM applications WHERE officer_id IS NULL AND status IN ('accepted', 'refused')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!earlier.is_empty(), "some applicants applied before");
    let pending: Vec<String> = conn
        .prepare("SELECT id FROM applications WHERE status = 'pending'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut listed = Vec::new();
    for id in &pending {
        for related in migdesk_central::store::applicant_history(
            &migdesk_central::sql::Conn::sqlite(&conn),
            id,
        )
        .unwrap()
        {
            assert!(related.decision.is_some(), "{related:?}");
            assert!(!related.possible_duplicate, "{related:?}");
            listed.push(related.number);
        }
    }
    listed.sort();
    let mut expected = earlier.clone();
    expected.sort();
    assert_eq!(
        listed, expected,
        "each earlier application is listed on its applicant's case"
    );
}

#[test]
fn backup_copies_what_is_committed_while_a_writer_is_busy_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let run = |args: &[&std::ffi::OsStr]| Command::new(BIN).args(args).output().unwrap();
    let seeded = run(&[
        "seed".as_ref(),
        "--db".as_ref(),
        db.as_os_str(),
        "--cases".as_ref(),
        "4".as_ref(),
    ]);
    assert!(seeded.status.success());
    let count = |path: &std::path::Path, sql: &str| -> i64 {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    };
    let applications = count(&db, "SELECT COUNT(*) FROM applications");
    // A writer in the middle of its transaction: the backup neither waits for it nor holds
    // what it has not committed.
    let writer = rusqlite::Connection::open(&db).unwrap();
    writer
        .execute_batch(
            "BEGIN IMMEDIATE; CREATE TABLE unfinished(x); INSERT INTO unfinished VALUES (1);",
        )
        .unwrap();
    let out = dir.path().join("central-backup.db");
    let backup = |out: &std::path::Path| {
        run(&[
            "backup".as_ref(),
            "--db".as_ref(),
            db.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ])
    };
    let taken = backup(&out);
    let said = String::from_utf8_lossy(&taken.stderr).into_owned();
    assert!(taken.status.success(), "{said}");
    assert!(
        said.contains(&format!("backed up {applications} applications")),
        "{said}"
    );
    assert_eq!(
        count(&out, "SELECT COUNT(*) FROM applications"),
        applications
    );
    assert_eq!(
        count(
            &out,
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'unfinished'"
        ),
        0
    );
    writer.execute_batch("COMMIT").unwrap();
    let verified = run(&[
        "audit".as_ref(),
        "verify".as_ref(),
        "--db".as_ref(),
        out.as_os_str(),
    ]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    // Nothing but the backup is left beside it.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("backup"))
        .collect();
    assert_eq!(names, ["central-backup.db"]);

    // A second backup to the same file is refused and leaves the first as it was.
    let before = std::fs::read(&out).unwrap();
    let again = backup(&out);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    assert_eq!(std::fs::read(&out).unwrap(), before);
    // A folder that does not exist is named.
    let nowhere = backup(&dir.path().join("missing").join("b.db"));
    assert!(!nowhere.status.success());
    assert!(String::from_utf8_lossy(&nowhere.stderr).contains("does not exist"));
    // The backup restored: a new epoch of the change feed.
    let restored = run(&["restored".as_ref(), "--db".as_ref(), out.as_os_str()]);
    assert!(restored.status.success());
    assert!(String::from_utf8_lossy(&restored.stderr).contains("epoch"));
}

//! The administrators' commands, run as IT runs them (the `migdesk-central` program on the
//! database a serving centre uses), and what they change for the people signing in.

use std::process::Command;

use migdesk_central::database::Database;
use migdesk_central::testing::with_sql;
use reqwest::StatusCode;
use serde_json::json;

use crate::common;

const BIN: &str = env!("CARGO_BIN_EXE_migdesk-central");

/// Runs the program on the database; answers its standard output, or its error text when it
/// failed.
fn admin(db: &Database, args: &[&str]) -> Result<String, String> {
    let (group, command) = args.split_at(2);
    let out = Command::new(BIN)
        .args(group)
        .args(common::db_args(db))
        .args(command)
        .env("SUDO_USER", "it.kamran")
        .output()
        .expect("the program runs");
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).expect("UTF-8"))
    } else {
        assert!(out.stdout.is_empty(), "nothing printed as if it had worked");
        Err(String::from_utf8(out.stderr).expect("UTF-8"))
    }
}

async fn sign_in(s: &common::Server, username: &str, password: &str) -> common::Reply {
    let body = json!({"username": username, "password": password});
    s.post("/api/v1/session", None, &body).await
}

#[tokio::test]
async fn it_adds_a_department_and_an_officer_who_signs_in_then_resets_and_disables_the_account() {
    let s = common::start().await;
    let db = &s.database;

    admin(
        db,
        &[
            "department",
            "add",
            "--id",
            "sumgait",
            "--name-az",
            "Sumqayıt Regional Miqrasiya İdarəsi",
            "--name-en",
            "Sumgait Regional Migration Department",
            "--name-ru",
            "Сумгайытское региональное управление миграции",
            "--districts",
            "Sumgait, Khizi",
        ],
    )
    .unwrap();
    let departments = admin(db, &["department", "list"]).unwrap();
    assert!(
        departments.contains("sumgait\t0\tSumqayıt Regional Miqrasiya İdarəsi\tSumgait, Khizi"),
        "{departments}"
    );

    let added = admin(
        db,
        &[
            "user",
            "add",
            "--username",
            "leyla.aliyeva",
            "--name",
            "Leyla Əliyeva",
            "--role",
            "officer",
            "--department",
            "sumgait",
        ],
    )
    .unwrap();
    let first = added.trim();
    assert_eq!(first.len(), 16, "{added}");
    let reply = sign_in(&s, "leyla.aliyeva", first).await;
    let session = reply.expect(StatusCode::OK);
    assert_eq!(session["user"]["department"]["id"], "sumgait", "{session}");
    assert_eq!(session["user"]["role"], "officer");
    let token = session["token"].as_str().unwrap().to_owned();
    s.get("/api/v1/session", &token)
        .await
        .expect(StatusCode::OK);
    let listed = admin(db, &["user", "list", "--department", "sumgait"]).unwrap();
    assert!(
        listed.contains("leyla.aliyeva\tofficer\tsumgait\tactive"),
        "{listed}"
    );

    // A new password: the old one and the session it opened stop working.
    let second = admin(
        db,
        &["user", "reset-password", "--username", "leyla.aliyeva"],
    )
    .unwrap();
    let second = second.trim();
    assert_ne!(second, first);
    s.get("/api/v1/session", &token)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    sign_in(&s, "leyla.aliyeva", first)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let token = sign_in(&s, "leyla.aliyeva", second)
        .await
        .expect(StatusCode::OK)["token"]
        .as_str()
        .unwrap()
        .to_owned();

    // Disabled: the session ends, the right password is told the account is disabled, a wrong
    // one learns nothing more than before.
    let disabled = admin(db, &["user", "disable", "--username", "leyla.aliyeva"]).unwrap();
    assert_eq!(disabled.trim(), "disabled leyla.aliyeva; sessions ended: 1");
    s.get("/api/v1/session", &token)
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let refused = sign_in(&s, "leyla.aliyeva", second)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    assert!(
        refused["message"].as_str().unwrap().contains("disabled"),
        "{refused}"
    );
    sign_in(&s, "leyla.aliyeva", "not-the-password")
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let listed = admin(db, &["user", "list"]).unwrap();
    assert!(
        listed.contains("leyla.aliyeva\tofficer\tsumgait\tdisabled 20"),
        "{listed}"
    );
    assert!(
        admin(db, &["department", "list"])
            .unwrap()
            .contains("sumgait\t0\t")
    );

    // Enabled again: the password it had works.
    assert_eq!(
        admin(db, &["user", "enable", "--username", "leyla.aliyeva"])
            .unwrap()
            .trim(),
        "enabled leyla.aliyeva"
    );
    sign_in(&s, "leyla.aliyeva", second)
        .await
        .expect(StatusCode::OK);

    // Each change is in the audit trail, by the account that ran the command, and the chain holds.
    let trail: Vec<(String, String, String)> = with_sql(&s.database, |conn| {
        conn.prepare(
            "SELECT action, username, subject FROM audit_log
             WHERE action IN ('department_added', 'user_added', 'password_reset', 'user_disabled', 'user_enabled') ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    });
    let by = "administrator it.kamran".to_owned();
    let user = "u-sumgait-leyla-aliyeva".to_owned();
    assert_eq!(
        trail,
        [
            ("department_added".into(), by.clone(), "sumgait".into()),
            ("user_added".into(), by.clone(), user.clone()),
            ("password_reset".into(), by.clone(), user.clone()),
            ("user_disabled".into(), by.clone(), user.clone()),
            ("user_enabled".into(), by, user),
        ]
    );
    // `audit verify` reads a SQLite file.
    if let Database::Sqlite(path) = db {
        let verified = Command::new(BIN)
            .args(["audit", "verify", "--db"])
            .arg(path)
            .output()
            .unwrap();
        assert!(
            verified.status.success(),
            "{}",
            String::from_utf8_lossy(&verified.stderr)
        );
    }
}

#[tokio::test]
async fn mistakes_are_refused_in_words_and_change_nothing() {
    let s = common::start().await;
    let db = &s.database;
    let before = admin(db, &["user", "list"]).unwrap();
    let officer = s.account("baku", "officer", 0).username.clone();
    for (args, says) in [
        (
            vec![
                "user",
                "add",
                "--username",
                "new.one",
                "--name",
                "A B",
                "--role",
                "officer",
                "--department",
                "atlantis",
            ],
            "there is no department atlantis",
        ),
        (
            vec![
                "user",
                "add",
                "--username",
                officer.as_str(),
                "--name",
                "A B",
                "--role",
                "officer",
                "--department",
                "baku",
            ],
            "there is already an account",
        ),
        (
            vec![
                "user",
                "add",
                "--username",
                "Bad Name",
                "--name",
                "A B",
                "--role",
                "officer",
                "--department",
                "baku",
            ],
            "user name \"Bad Name\" must be",
        ),
        (
            vec![
                "user",
                "add",
                "--username",
                "new.one",
                "--name",
                "  ",
                "--role",
                "officer",
                "--department",
                "baku",
            ],
            "the full name is blank",
        ),
        (
            vec!["user", "disable", "--username", "nobody"],
            "there is no account nobody",
        ),
        (
            vec!["user", "reset-password", "--username", "nobody"],
            "there is no account nobody",
        ),
        (
            vec!["user", "list", "--department", "atlantis"],
            "there is no department atlantis",
        ),
        (
            vec![
                "department",
                "add",
                "--id",
                "baku",
                "--name-az",
                "B",
                "--name-en",
                "B",
                "--name-ru",
                "Б",
            ],
            "there is already a department baku",
        ),
        (
            vec![
                "department",
                "add",
                "--id",
                "x y",
                "--name-az",
                "B",
                "--name-en",
                "B",
                "--name-ru",
                "Б",
            ],
            "department id \"x y\" must be",
        ),
        (
            vec![
                "department",
                "add",
                "--id",
                "ganja2",
                "--name-az",
                "G",
                "--name-en",
                "",
                "--name-ru",
                "Г",
            ],
            "English name is blank",
        ),
    ] {
        let error = admin(db, &args).unwrap_err();
        assert!(error.contains(says), "{args:?}: {error}");
    }
    // Two user names that would make one id both get an account.
    for username in ["a.rzayev", "a-rzayev"] {
        let args = [
            "user",
            "add",
            "--username",
            username,
            "--name",
            "Ali Rzayev",
            "--role",
            "officer",
            "--department",
            "baku",
        ];
        admin(db, &args).unwrap();
    }
    let before: String = before
        .lines()
        .chain(
            admin(db, &["user", "list", "--department", "baku"])
                .unwrap()
                .lines()
                .filter(|l| l.contains("rzayev")),
        )
        .map(|l| format!("{l}\n"))
        .collect();
    admin(db, &["user", "disable", "--username", &officer]).unwrap();
    let again = admin(db, &["user", "disable", "--username", &officer]).unwrap_err();
    assert!(again.contains("already disabled"), "{again}");
    let enabled = admin(db, &["user", "enable", "--username", "nobody"]).unwrap_err();
    assert!(enabled.contains("there is no account nobody"), "{enabled}");
    let after = admin(db, &["user", "list"]).unwrap();
    let others = |listed: &str| {
        let mut lines: Vec<String> = listed
            .lines()
            .filter(|l| !l.starts_with(&format!("{officer}\t")))
            .map(str::to_owned)
            .collect();
        lines.sort();
        lines
    };
    assert_eq!(
        others(&after),
        others(&before),
        "only the one account disabled changed"
    );
    let ids: Vec<String> = with_sql(&s.database, |conn| {
        conn.prepare("SELECT id FROM users WHERE username LIKE 'a_rzayev' ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    });
    assert_eq!(ids, ["u-baku-a-rzayev", "u-baku-a-rzayev-2"]);
}

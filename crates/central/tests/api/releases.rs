//! Desk releases: IT publishes a signed package with `migdesk-central release publish` on the
//! database a serving centre uses; signed-in desks older than it are offered it and download
//! exactly the bytes published; what cannot be right is refused before any desk sees it.

#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use migdesk_central::database::Database;
use reqwest::StatusCode;

use crate::common;

const BIN: &str = env!("CARGO_BIN_EXE_migdesk-central");

/// A signature shaped as `tauri signer sign --app-version VERSION` writes it. The centre only
/// reads its trusted comment; the desk checks the signature itself against its built-in key.
fn signature_for(version: &str) -> String {
    let text = format!(
        "untrusted comment: signature from tauri secret key\nRUQAAAAAAAAAAAAA\ntrusted comment: timestamp:1764720000\tfile:migdesk_{version}_amd64.deb\tversion:{version}\nAAAA\n"
    );
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A file that starts as every .deb does.
fn package(marker: &str) -> Vec<u8> {
    let mut bytes =
        b"!<arch>\ndebian-binary   1764720000  0     0     100644  4         `\n2.0\n".to_vec();
    bytes.extend(marker.as_bytes().repeat(1000));
    bytes
}

const NOTES: &str = "az = \"Yeni: sənədlərdə axtarış.\"\nen = \"New: search in documents.\"\nru = \"Новое: поиск в документах.\"\n";

/// `migdesk-central release COMMAND --db DB ARGS`, as IT runs it: its standard output, or its
/// error text.
fn release(command: &str, db: &Database, args: &[&OsStr]) -> Result<String, String> {
    let out = Command::new(BIN)
        .args(["release", command])
        .args(common::db_args(db))
        .args(args)
        .env("SUDO_USER", "it.kamran")
        .output()
        .unwrap();
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).unwrap())
    } else {
        assert!(out.stdout.is_empty());
        Err(String::from_utf8(out.stderr).unwrap())
    }
}

/// `release publish` with these files.
fn publish(
    db: &Database,
    dir: &Path,
    version: &str,
    package: &[u8],
    signature: &str,
    notes: &str,
) -> Result<String, String> {
    let (p, s, n) = (dir.join("p.deb"), dir.join("p.sig"), dir.join("notes.toml"));
    std::fs::write(&p, package).unwrap();
    std::fs::write(&s, signature).unwrap();
    std::fs::write(&n, notes).unwrap();
    let os = |text: &'static str| OsStr::new(text);
    release(
        "publish",
        db,
        &[
            os("--version"),
            OsStr::new(version),
            os("--bundle"),
            p.as_os_str(),
            os("--signature"),
            s.as_os_str(),
            os("--notes"),
            n.as_os_str(),
        ],
    )
}

#[tokio::test]
async fn a_published_desk_is_offered_to_older_desks_and_downloaded_as_published() {
    let s = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let officer = s.account("baku", "officer", 0).clone();
    let token = s.login(&officer).await;

    // Nothing published: every desk is the newest.
    let none = s
        .get("/api/v1/desk/update?current_version=0.1.0", &token)
        .await;
    assert_eq!(none.status, StatusCode::NO_CONTENT);

    let v2 = package("v0.2.0");
    let said = publish(
        &s.database,
        dir.path(),
        "0.2.0",
        &v2,
        &signature_for("0.2.0"),
        NOTES,
    )
    .unwrap();
    assert!(said.contains("published desk 0.2.0"), "{said}");

    let offered = s
        .get("/api/v1/desk/update?current_version=0.1.9", &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(offered["version"], "0.2.0");
    assert_eq!(offered["notes"]["ru"], "Новое: поиск в документах.");
    assert_eq!(offered["signature"], signature_for("0.2.0"));
    assert_eq!(offered["size"], v2.len());
    assert_eq!(offered["path"], "/api/v1/desk/releases/0.2.0/package");
    // Versions compare as numbers: 0.10.0 is newer than 0.2.0, so it is offered nothing.
    for current in ["0.2.0", "0.10.0", "1.0.0"] {
        let reply = s
            .get(
                &format!("/api/v1/desk/update?current_version={current}"),
                &token,
            )
            .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{current}");
    }

    let downloaded = s.get("/api/v1/desk/releases/0.2.0/package", &token).await;
    assert_eq!(downloaded.status, StatusCode::OK);
    assert_eq!(downloaded.bytes, v2);
    assert_eq!(
        downloaded.headers["content-type"],
        "application/vnd.debian.binary-package"
    );
    s.get("/api/v1/desk/releases/0.3.0/package", &token)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    s.get("/api/v1/desk/update?current_version=latest", &token)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    let anonymous = s
        .send(s.request(
            reqwest::Method::GET,
            "/api/v1/desk/update?current_version=0.1.0",
            None,
        ))
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    // Who published and who downloaded is in the audit trail.
    assert_eq!(
        common::rows(
            &s.database,
            "SELECT count(*) FROM audit_log WHERE action = 'desk_release_published' AND username LIKE '%it.kamran' AND subject = '0.2.0'"
        ),
        1
    );
    assert_eq!(
        common::rows(
            &s.database,
            "SELECT count(*) FROM audit_log WHERE action = 'desk_release_downloaded' AND subject = '0.2.0'"
        ),
        1
    );
}

#[tokio::test]
async fn what_cannot_be_right_is_refused_before_any_desk_sees_it() {
    let s = common::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = &s.database;
    let good = package("v1");
    let sig = signature_for("1.0.0");
    let mistakes: [(&str, &[u8], String, &str, &str); 6] = [
        ("1.0", &good, sig.clone(), NOTES, "not a desk version"),
        (
            "1.0.0",
            b"MZ not a deb",
            sig.clone(),
            NOTES,
            "not a Debian package",
        ),
        (
            "1.0.0",
            &good,
            "hello".into(),
            NOTES,
            "not a minisign signature",
        ),
        (
            "1.0.0",
            &good,
            signature_for("0.9.0"),
            NOTES,
            "made for version 0.9.0, not 1.0.0",
        ),
        (
            "1.0.0",
            &good,
            sig.clone(),
            "az = \"x\"\nen = \"y\"\nru = \" \"\n",
            "no `ru` text",
        ),
        (
            "1.0.0",
            &good,
            sig.clone(),
            "az = \"x\"\n",
            "keys az, en and ru",
        ),
    ];
    for (version, package, signature, notes, says) in mistakes {
        let e = publish(db, dir.path(), version, package, &signature, notes).unwrap_err();
        assert!(e.contains(says), "{says}: {e}");
    }
    assert_eq!(
        common::rows(&s.database, "SELECT count(*) FROM desk_releases"),
        0
    );

    publish(db, dir.path(), "1.0.0", &good, &sig, NOTES).unwrap();
    let again = publish(db, dir.path(), "1.0.0", &package("other"), &sig, NOTES).unwrap_err();
    assert!(again.contains("already published"), "{again}");
    let officer = s.account("baku", "officer", 0).clone();
    let token = s.login(&officer).await;
    let kept = s.get("/api/v1/desk/releases/1.0.0/package", &token).await;
    assert_eq!(kept.bytes, good, "a published package is never replaced");

    // Withdrawn (IT signed it with the wrong key, say), it is offered to nobody, and the
    // version can be published again.
    let version = [OsStr::new("--version"), OsStr::new("1.0.0")];
    release("withdraw", db, &version).unwrap();
    let none = s
        .get("/api/v1/desk/update?current_version=0.1.0", &token)
        .await;
    assert_eq!(none.status, StatusCode::NO_CONTENT);
    let again = release("withdraw", db, &version).unwrap_err();
    assert!(again.contains("is not published"), "{again}");
    publish(db, dir.path(), "1.0.0", &package("other"), &sig, NOTES).unwrap();
    let listed = release("list", db, &[]).unwrap();
    assert!(listed.contains("\n1.0.0\t"), "{listed}");
    assert_eq!(
        common::rows(
            &s.database,
            "SELECT count(*) FROM audit_log WHERE action = 'desk_release_withdrawn'"
        ),
        1
    );
}

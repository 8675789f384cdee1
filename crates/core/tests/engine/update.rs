#![allow(clippy::unwrap_used)] // Test helpers may unwrap: a failure is the test failing.

//! A newer desk published on the real centre: the signed-in desk is offered it with its notes,
//! and the package is downloaded — exactly the bytes published — only once no decision waits to
//! be sent. (Checking its signature against the built-in key, installing and restarting are the
//! shell's: `scripts/installed.sh` shows them on the installed desk.)

use crate::common;
use common::{Centre, pending_cases, sync, synced_desk_of};

use base64::Engine as _;
use migdesk_api::ReleaseNotes;
use migdesk_core::ErrorKind;
use migdesk_domain::decision::{Decision, DecisionKind};

fn publish(db: &std::path::Path, version: &str, package: &[u8]) {
    let trusted = format!("timestamp:1764720000\tfile:migdesk.deb\tversion:{version}");
    let signature = base64::engine::general_purpose::STANDARD.encode(format!(
        "untrusted comment: signature from tauri secret key\nRUQA\ntrusted comment: {trusted}\nAAAA\n"
    ));
    let notes = ReleaseNotes {
        az: "Yeni: sənədlərdə axtarış.".into(),
        en: "New: search in documents.".into(),
        ru: "Новое: поиск в документах.".into(),
    };
    let conn = migdesk_central::db::open(db).unwrap();
    migdesk_central::releases::publish(
        &migdesk_central::sql::Conn::sqlite(&conn),
        package,
        &signature,
        version,
        &notes,
        "it",
    )
    .unwrap();
}

#[tokio::test]
async fn a_newer_desk_is_offered_and_downloaded_only_when_nothing_waits_to_be_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, staff) = common::seeded(dir.path(), &common::options(6, 31, "shaki"));
    let centre = Centre::start(&central_db).await;
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    let mut desk = synced_desk_of(&dir.path().join("desk"), &centre, officer).await;

    // Nothing published: nothing offered.
    assert!(
        desk.updates()
            .unwrap()
            .offer("0.1.0")
            .await
            .unwrap()
            .is_none()
    );

    let mut package = b"!<arch>\ndebian-binary   0  0  0  100644  4  `\n2.0\n".to_vec();
    package.extend(std::iter::repeat_n(7u8, 300_000));
    publish(&central_db, "0.2.0", &package);

    // A decision recorded offline waits: the offer says so and the download is refused.
    let case = pending_cases(&mut desk)[0].clone();
    desk.decide(&case, &Decision::new(DecisionKind::Accept))
        .unwrap();
    let updates = desk.updates().unwrap();
    let update = updates.offer("0.1.0").await.unwrap().unwrap();
    let offer = updates.offered(update.clone());
    assert_eq!(offer.version, "0.2.0");
    assert_eq!(offer.notes.az, "Yeni: sənədlərdə axtarış.");
    assert_eq!(offer.unsent, 1);
    let waits = updates.download(update).await.unwrap_err();
    assert_eq!(waits.kind, ErrorKind::Update);
    assert!(
        waits.message.contains("1 decisions or notes"),
        "{}",
        waits.message
    );

    // Once it reached the centre, the package comes down as published.
    sync(&mut desk).await;
    let updates = desk.updates().unwrap();
    let update = updates.offer("0.1.0").await.unwrap().unwrap();
    assert_eq!(updates.offered(update.clone()).unsent, 0);
    let downloaded = updates.download(update).await.unwrap();
    assert_eq!(downloaded.bytes, package);
    assert_eq!(
        downloaded.url,
        format!("{}/api/v1/desk/releases/0.2.0/package", centre.base)
    );

    // The desk that is already 0.2.0 (or newer) is offered nothing.
    assert!(updates.offer("0.2.0").await.unwrap().is_none());
    assert!(updates.offer("0.10.0").await.unwrap().is_none());
    // The decision recorded before is at the centre exactly once.
    let at_centre: i64 = rusqlite::Connection::open(&central_db)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM decisions WHERE application_id = ?1",
            [&case],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(at_centre, 1, "the decision reached the centre once");
}

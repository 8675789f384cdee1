#![allow(clippy::unwrap_used)] // Test helpers may unwrap: a failure is the test failing.

//! After the decision, from two desks against the real centre: the supervisor reopens a
//! decided case and it returns to its officer, who decides again; the officer records an
//! accepted case's execution; neither is possible offline, and nothing is kept half-done.

use crate::common;
use common::{Centre, pending_cases, sync, synced_desk_of};

use migdesk_api::{ReopenGround, Status};
use migdesk_core::ErrorKind;
use migdesk_core::appeals::{Issued, Reopening};
use migdesk_domain::decision::{Decision, DecisionKind};

fn today() -> String {
    chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(4 * 3600).unwrap())
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn a_reopened_case_returns_to_its_officer_and_an_accepted_one_is_executed() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, staff) = common::seeded(dir.path(), &common::options(12, 8, "shaki"));
    let centre = Centre::start(&central_db).await;
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    let supervisor = staff.iter().find(|a| a.role == "supervisor").unwrap();
    let mut desk = synced_desk_of(&dir.path().join("desk"), &centre, officer).await;
    let cases = pending_cases(&mut desk);
    let (reopened, executed) = (cases[0].clone(), cases[1].clone());
    for id in [&reopened, &executed] {
        desk.decide(id, &Decision::new(DecisionKind::Accept))
            .unwrap();
    }
    sync(&mut desk).await;

    // The officer may record the execution of their accepted case, not reopen it.
    let view = desk.case(&reopened).unwrap();
    assert_eq!(view.status, Status::Accepted);
    assert!(view.can_execute && !view.can_reopen && !view.can_decide);

    // The supervisor reopens it on their own desk, with the court order's number.
    let mut boss = synced_desk_of(&dir.path().join("boss"), &centre, supervisor).await;
    let seen = boss.case(&reopened).unwrap();
    assert!(seen.can_reopen);
    let reopening = Reopening {
        ground: ReopenGround::CourtOrder,
        reference: "2(103)-1234/2026".into(),
        reason: "Məhkəmə qərarı ilə ərizəyə yenidən baxılmalıdır.".into(),
        version: seen.version,
    };
    let blank = Reopening {
        reference: "  ".into(),
        ..reopening.clone()
    };
    let appeals = boss.appeals().unwrap();
    assert_eq!(
        appeals.reopen(&reopened, &blank).await.unwrap_err().kind,
        ErrorKind::Invalid
    );
    let answer = appeals.reopen(&reopened, &reopening).await.unwrap();
    let shown = boss.receive_case(&answer).unwrap();
    assert_eq!(shown.status, Status::Pending);
    assert!(!shown.can_reopen);
    let event = shown.history.last().unwrap();
    assert_eq!(event.kind, "reopened");
    assert_eq!(event.ground, Some(ReopenGround::CourtOrder));
    assert_eq!(event.text.as_deref(), Some("2(103)-1234/2026"));
    assert_eq!(event.actor.as_deref(), Some(supervisor.full_name));
    // Done twice on what is now an old version, nothing happens.
    assert_eq!(
        appeals
            .reopen(&reopened, &reopening)
            .await
            .unwrap_err()
            .kind,
        ErrorKind::Central
    );
    // An officer's desk asks; the centre refuses.
    assert_eq!(
        desk.appeals()
            .unwrap()
            .reopen(&executed, &reopening)
            .await
            .unwrap_err()
            .kind,
        ErrorKind::Central
    );

    // The officer's next sync brings it back: waiting for a decision, theirs to make again.
    sync(&mut desk).await;
    let back = desk.case(&reopened).unwrap();
    assert_eq!(back.status, Status::Pending);
    assert!(back.can_decide, "the first decision no longer stands");
    assert!(back.decision.is_none());
    assert!(pending_cases(&mut desk).contains(&reopened));
    desk.decide(&reopened, &Decision::new(DecisionKind::Accept))
        .unwrap();
    let report = desk.sync_job().unwrap().run(|_| {}).await.unwrap();
    assert_eq!((report.decisions_sent, report.conflicts), (1, 0));
    let decided = desk.case(&reopened).unwrap();
    assert_eq!(decided.status, Status::Accepted);

    // The letter of the decision that now stands, as the applicant received it.
    let standing = decided.letter_decision.clone().unwrap();
    assert_eq!(standing, decided.decision.as_ref().unwrap().id);
    let letter = desk
        .appeals()
        .unwrap()
        .letter(&reopened, &standing)
        .await
        .unwrap();
    let pdf = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        &letter.pdf_base64,
    )
    .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(letter.file_name.ends_with(".pdf") && letter.file_name.contains(&decided.number));

    // The other accepted case: its permit is issued.
    let mine = desk.appeals().unwrap();
    let wrong = Issued {
        document_number: "AB/12".into(),
        issued_on: today(),
    };
    assert_eq!(
        mine.execute(&executed, &wrong).await.unwrap_err().kind,
        ErrorKind::Invalid
    );
    let issued = Issued {
        document_number: "mi 0012345".into(),
        issued_on: today(),
    };
    let answer = mine.execute(&executed, &issued).await.unwrap();
    let shown = desk.receive_case(&answer).unwrap();
    let execution = shown.execution.as_ref().unwrap();
    assert_eq!(execution.document_number, "MI 0012345");
    assert_eq!(execution.by, officer.full_name);
    assert!(!shown.can_execute);
    assert_eq!(shown.history.last().unwrap().kind, "executed");
    // The supervisor's desk learns it through the feed, and cannot reopen it any more.
    sync(&mut boss).await;
    let seen = boss.case(&executed).unwrap();
    assert!(seen.execution.is_some() && !seen.can_reopen);

    // Offline: refused at once, and the cached case is as it was.
    centre.stop().await;
    let before = desk.case(&reopened).unwrap();
    assert_eq!(
        desk.appeals()
            .unwrap()
            .execute(&reopened, &issued)
            .await
            .unwrap_err()
            .kind,
        ErrorKind::Offline
    );
    assert_eq!(desk.case(&reopened).unwrap(), before);
}

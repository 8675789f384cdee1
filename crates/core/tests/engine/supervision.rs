#![allow(clippy::unwrap_used)] // Test helpers may unwrap: a failure is the test failing.

//! The supervisor's desk and two officers' desks against one real central service: the
//! department's load, a move with the unsent-work signal, a decision made on a case that moved
//! away arriving as a conflict that all three see, the supervisor's answer reaching the officer,
//! the case's history as CSV, and an officer refused all of it.

use std::path::Path;
use std::time::Duration;

use crate::common;
use common::{Centre, sync};

use migdesk_api::AlertKind;
use migdesk_central::seed::Account;
use migdesk_core::ErrorKind;
use migdesk_core::conflicts::{ConflictCause, ResolutionAction};
use migdesk_core::department::DepartmentSettingsView;
use migdesk_core::desk::Desk;
use migdesk_core::distribution::{DistributionChange, OfficerIntakeChange};
use migdesk_core::ipc::SignInRequest;
use migdesk_core::queue::QueueQuery;
use migdesk_core::secrets::MemorySecrets;
use migdesk_core::supervision::{CaseRef, Reassignment, Resolution};
use migdesk_domain::decision::{Decision, DecisionKind};

async fn desk_for(dir: &Path, name: &str, centre: &Centre, account: &Account) -> Desk {
    let mut desk = Desk::new(
        &dir.join(name),
        Box::new(MemorySecrets::default()),
        Duration::from_secs(600),
    );
    desk.sign_in(SignInRequest {
        server: centre.base.clone(),
        username: account.username.clone(),
        password: account.password.clone(),
    })
    .await
    .unwrap();
    sync(&mut desk).await;
    desk
}

#[tokio::test]
async fn a_moved_case_decided_offline_is_resolved_by_the_supervisor_and_everyone_sees_how() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, staff) = common::seeded(dir.path(), &common::options(16, 5, "shaki"));
    let centre = Centre::start(&central_db).await;
    let officers: Vec<&Account> = staff.iter().filter(|a| a.role == "officer").collect();
    let supervisor = staff.iter().find(|a| a.role == "supervisor").unwrap();
    let (first, second) = (officers[0], officers[1]);

    let mut officer = desk_for(dir.path(), "officer", &centre, first).await;
    let mut boss = desk_for(dir.path(), "supervisor", &centre, supervisor).await;

    // Officers are not offered supervision, and the centre refuses it to them anyway.
    assert_eq!(officer.supervision().unwrap_err().kind, ErrorKind::Invalid);

    // The department's load: each officer, and when their desk last synced.
    let sup = boss.supervision().unwrap();
    let load = sup.workload().await.unwrap();
    let mine = load
        .officers
        .iter()
        .find(|o| o.officer_id == first.id)
        .unwrap();
    assert!(mine.open > 0 && mine.last_sync_at.is_some(), "{mine:?}");

    // The officer decides a case; the decision waits on the desk (no sync yet).
    let page = officer
        .queue(&QueueQuery {
            mine: true,
            status: Some(migdesk_api::Status::Pending),
            ..QueueQuery::default()
        })
        .unwrap();
    let case_id = page.rows[0].id.clone();
    officer.case(&case_id).unwrap();
    officer
        .decide(
            &case_id,
            &Decision {
                kind: DecisionKind::Accept,
                missing_documents: Vec::new(),
                missing_other: None,
                reasons: Vec::new(),
                note: String::new(),
            },
        )
        .unwrap();

    // The supervisor moves it, with a reason; the desk has synced since the case last
    // changed, so nothing signals unsent work on it.
    let cases = sup.officer_cases(&first.id).await.unwrap();
    let listed = cases.cases.iter().find(|c| c.id == case_id).unwrap();
    assert!(!listed.may_hold_unsent_work, "{listed:?}");
    let empty_reason = Reassignment {
        cases: vec![CaseRef {
            id: case_id.clone(),
            version: listed.version,
        }],
        officer_id: second.id.clone(),
        reason: "  ".into(),
    };
    assert_eq!(
        sup.reassign(&empty_reason).await.unwrap_err().kind,
        ErrorKind::Invalid
    );
    let moved = sup
        .reassign(&Reassignment {
            reason: "the officer is on leave from Monday".into(),
            ..empty_reason
        })
        .await
        .unwrap();
    assert_eq!(moved.moved, 1);

    // The officer's desk syncs: the decision arrives as a conflict, kept and told.
    sync(&mut officer).await;
    let own = officer.conflicts().unwrap();
    let conflict = own.iter().find(|c| c.case_id == case_id).unwrap().clone();
    assert!(conflict.on_this_desk && conflict.decided_by.is_none());
    assert_eq!(conflict.cause, ConflictCause::Reassigned);
    assert!(conflict.resolution.is_none());

    // The supervisor and the officer who has the case now see it, with who decided.
    sync(&mut boss).await;
    let listed = boss.conflicts().unwrap();
    let seen_by_boss = listed.iter().find(|c| c.id == conflict.id).unwrap();
    assert!(!seen_by_boss.on_this_desk);
    assert_eq!(seen_by_boss.decided_by.as_deref(), Some(first.full_name));
    assert_eq!(seen_by_boss.now_with.as_deref(), Some(second.full_name));
    let mut colleague = desk_for(dir.path(), "colleague", &centre, second).await;
    let theirs = colleague.conflicts().unwrap();
    assert!(
        theirs
            .iter()
            .any(|c| c.id == conflict.id && !c.on_this_desk)
    );
    // Marked seen on the colleague's desk, it stays listed.
    let after = colleague.conflict_seen(&conflict.id).unwrap();
    assert!(after.iter().any(|c| c.id == conflict.id && c.seen));

    // Discarding needs a reason; applying settles it.
    let sup = boss.supervision().unwrap();
    let no_reason = Resolution {
        action: ResolutionAction::Discard,
        reason: String::new(),
    };
    assert_eq!(
        sup.resolve(&conflict.id, &no_reason)
            .await
            .unwrap_err()
            .kind,
        ErrorKind::Invalid
    );
    let list = sup
        .resolve(
            &conflict.id,
            &Resolution {
                action: ResolutionAction::Apply,
                reason: "the officer had checked every document".into(),
            },
        )
        .await
        .unwrap();
    let listed = boss.receive_conflicts(list).unwrap();
    let resolved = listed.iter().find(|c| c.id == conflict.id).unwrap();
    let resolution = resolved.resolution.as_ref().unwrap();
    assert_eq!(resolution.action, ResolutionAction::Apply);
    assert_eq!(resolution.by, supervisor.full_name);
    assert_eq!(resolved.status_now, Some(migdesk_api::Status::Accepted));

    // The officer who decided learns the answer at the next sync.
    sync(&mut officer).await;
    let own = officer.conflicts().unwrap();
    let answered = own.iter().find(|c| c.id == conflict.id).unwrap();
    assert_eq!(
        answered.resolution.as_ref().map(|r| r.action),
        Some(ResolutionAction::Apply)
    );

    // The case's whole story, as CSV.
    let exports = dir.path().join("exports");
    let file = sup.export_history(&case_id, &exports).await.unwrap();
    assert!(file.starts_with(&exports));
    let csv = std::fs::read_to_string(&file).unwrap();
    for expected in [
        "reassigned",
        "the officer is on leave from Monday",
        "decision_conflict",
        "conflict_resolved",
        "the officer had checked every document",
        "opened",
    ] {
        assert!(csv.contains(expected), "{expected} missing from {csv}");
    }
    assert!(
        std::fs::read_dir(&exports).unwrap().all(|e| e
            .unwrap()
            .path()
            .extension()
            .is_some_and(|x| x == "csv")),
        "no partial file left behind"
    );

    // With the centre gone, supervision says so and the inbox still answers.
    centre.stop().await;
    assert_eq!(sup.workload().await.unwrap_err().kind, ErrorKind::Offline);
    assert!(!boss.conflicts().unwrap().is_empty());
}

#[tokio::test]
async fn a_supervisor_sees_an_email_that_failed_and_sends_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = common::options(6, 7, "shaki");
    options.documents = false;
    let (central_db, staff) = common::seeded(dir.path(), &options);
    let centre = Centre::start(&central_db).await;
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    let supervisor = staff.iter().find(|a| a.role == "supervisor").unwrap();
    let mut desk = desk_for(dir.path(), "officer", &centre, officer).await;
    let mine = QueueQuery {
        mine: true,
        ..QueueQuery::default()
    };
    let case = desk.queue(&mine).unwrap().rows[0].id.clone();
    desk.decide(&case, &Decision::new(DecisionKind::Accept))
        .unwrap();
    sync(&mut desk).await;
    // The relay refused it every time.
    let central = rusqlite::Connection::open(&central_db).unwrap();
    let email: i64 = central
        .query_row(
            "UPDATE notifications SET state = 'failed', attempts = 8, error = '550 mailbox unavailable'
             WHERE application_id = ?1 RETURNING id",
            [&case],
            |r| r.get(0),
        )
        .unwrap();

    let boss = desk_for(dir.path(), "supervisor", &centre, supervisor)
        .await
        .supervision()
        .unwrap();
    let undelivered = boss.undelivered().await.unwrap();
    assert_eq!(undelivered.len(), 1);
    assert_eq!(undelivered[0].id, email);
    assert_eq!(
        undelivered[0].state,
        migdesk_core::supervision::UndeliveredState::Failed
    );
    assert_eq!(
        undelivered[0].last_error.as_deref(),
        Some("550 mailbox unavailable")
    );

    let after = boss
        .requeue(migdesk_core::supervision::EmailId(email))
        .await
        .unwrap();
    assert!(after.is_empty());
    let state: String = central
        .query_row(
            "SELECT state FROM notifications WHERE id = ?1",
            [email],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(state, "queued");
}

#[tokio::test]
async fn the_supervisor_reads_the_departments_alerts_and_sets_how_far_ahead() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, staff) = common::seeded(dir.path(), &common::options(8, 41, "shaki"));
    // One case long overdue.
    let conn = rusqlite::Connection::open(&central_db).unwrap();
    let overdue: String = conn
        .query_row(
            "SELECT id FROM applications WHERE status = 'pending' AND department_id = 'shaki' AND officer_id IS NOT NULL ORDER BY number LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute(
        "UPDATE applications SET due_date = '2026-01-05' WHERE id = ?1",
        [&overdue],
    )
    .unwrap();
    drop(conn);
    let centre = Centre::start(&central_db).await;
    let supervisor = staff.iter().find(|a| a.role == "supervisor").unwrap();
    let mut boss = common::synced_desk_of(&dir.path().join("boss"), &centre, supervisor).await;
    let supervision = boss.supervision().unwrap();
    let alerts = supervision.alerts().await.unwrap();
    assert_eq!(alerts.within_working_days, 2);
    let raised = alerts.alerts.iter().find(|a| a.case_id == overdue).unwrap();
    assert_eq!(raised.kind, AlertKind::Overdue);
    assert!(raised.working_days_left < 0 && raised.officer.is_some());

    let kept = supervision
        .set_settings(DepartmentSettingsView {
            four_eyes_refusals: false,
            alert_working_days: 5,
        })
        .await
        .unwrap();
    assert_eq!(kept.alert_working_days, 5);
    assert_eq!(supervision.settings().await.unwrap(), kept);
    assert_eq!(supervision.alerts().await.unwrap().within_working_days, 5);
    centre.stop().await;
}

#[tokio::test]
async fn the_supervisor_sets_how_new_applications_are_shared_out() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, staff) = common::seeded(dir.path(), &common::options(6, 43, "shaki"));
    let centre = Centre::start(&central_db).await;
    let supervisor = staff.iter().find(|a| a.role == "supervisor").unwrap();
    let mut boss = common::synced_desk_of(&dir.path().join("boss"), &centre, supervisor).await;
    let supervision = boss.supervision().unwrap();
    let before = supervision.distribution().await.unwrap();
    assert_eq!(before.rule, migdesk_api::DistributionRule::LeastOpenWork);
    let officer = before.officers[0].officer_id.clone();
    let total: i64 = before.officers.iter().map(|o| o.open_cases).sum();
    assert_eq!(total, 6, "every pending case is some officer's");

    let away = migdesk_api::Absence {
        from: "2026-01-01".into(),
        to: "2099-12-31".into(),
    };
    let kept = supervision
        .set_distribution(DistributionChange {
            rule: migdesk_api::DistributionRule::RoundRobin,
            officers: vec![OfficerIntakeChange {
                officer_id: officer.clone(),
                services: vec!["trp-issue".into()],
                absences: vec![away.clone()],
            }],
        })
        .await
        .unwrap();
    assert_eq!(kept, supervision.distribution().await.unwrap());
    assert_eq!(kept.rule, migdesk_api::DistributionRule::RoundRobin);
    let o = kept
        .officers
        .iter()
        .find(|o| o.officer_id == officer)
        .unwrap();
    assert_eq!(
        (o.services.clone(), o.absences.clone()),
        (vec!["trp-issue".to_owned()], vec![away])
    );
    assert!(o.away_today);

    // A range backwards is refused on the desk, before any call; a service the catalogue does
    // not know, by the centre in words; nothing of either is kept.
    let backwards = supervision
        .set_distribution(DistributionChange {
            rule: migdesk_api::DistributionRule::LeastOpenWork,
            officers: vec![OfficerIntakeChange {
                officer_id: officer.clone(),
                services: vec![],
                absences: vec![migdesk_api::Absence {
                    from: "2026-12-10".into(),
                    to: "2026-12-01".into(),
                }],
            }],
        })
        .await
        .unwrap_err();
    assert_eq!(backwards.kind, ErrorKind::Invalid);
    let unknown = supervision
        .set_distribution(DistributionChange {
            rule: migdesk_api::DistributionRule::LeastOpenWork,
            officers: vec![OfficerIntakeChange {
                officer_id: officer,
                services: vec!["flying-licence".into()],
                absences: vec![],
            }],
        })
        .await
        .unwrap_err();
    assert!(unknown.message.contains("flying-licence"), "{unknown:?}");
    assert_eq!(supervision.distribution().await.unwrap(), kept);
    centre.stop().await;
}

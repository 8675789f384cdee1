#![allow(clippy::unwrap_used)] // Test helpers may unwrap: a failure is the test failing.

//! Four eyes on refusals, from two desks against the real centre: the officer's refusal waits
//! for the supervisor, whose answers are kept offline and delivered by the next sync; a returned
//! refusal lets the officer decide again, an approved one refuses the case; an answer on a case
//! that moved meanwhile goes to the inbox.

use crate::common;
use common::{Centre, pending_cases, sync, synced_desk_of};

use migdesk_api::{ApprovalAction, ConflictCause, Status};
use migdesk_core::ErrorKind;
use migdesk_core::approvals::ProposalAnswer;
use migdesk_core::casework::NoteDelivery;
use migdesk_core::queue::SyncState;
use migdesk_domain::decision::{Decision, DecisionKind, ReasonCode, RefusalReason};

fn refusal() -> Decision {
    let mut refusal = Decision::new(DecisionKind::Refuse);
    refusal.reasons = vec![RefusalReason {
        code: ReasonCode::FormIncorrect,
        fields: vec!["passport_number".into()],
        documents: Vec::new(),
    }];
    refusal.note = "Pasport nömrəsi formada səhv yazılıb.".into();
    refusal
}

fn answer(decision_id: &str, action: ApprovalAction, note: &str) -> ProposalAnswer {
    ProposalAnswer {
        decision_id: decision_id.into(),
        action,
        note: note.into(),
    }
}

#[tokio::test]
async fn a_refusal_waits_for_the_supervisor_whose_answers_are_kept_offline() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, staff) = common::seeded(dir.path(), &common::options(12, 21, "shaki"));
    let centre = Centre::start(&central_db).await;
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    let supervisor = staff.iter().find(|a| a.role == "supervisor").unwrap();
    let mut desk = synced_desk_of(&dir.path().join("desk"), &centre, officer).await;
    let cases = pending_cases(&mut desk);
    let (returned, approved) = (cases[0].clone(), cases[1].clone());
    for id in [&returned, &approved] {
        desk.decide(id, &refusal()).unwrap();
    }
    let report = sync(&mut desk).await;
    assert_eq!((report.decisions_sent, report.conflicts), (2, 0));

    // The officer's case says it waits, and takes no other decision meanwhile.
    let view = desk.case(&returned).unwrap();
    assert_eq!(view.status, Status::Pending);
    let proposal = view
        .proposal
        .clone()
        .expect("the refusal waits for approval");
    assert_eq!(proposal.proposed_by, officer.full_name);
    assert!(!proposal.can_approve && !proposal.can_answer);
    assert!(!view.can_decide);
    assert!(
        view.history.iter().any(|h| h.kind == "refusal_proposed"),
        "{:?}",
        view.history
    );
    // The queue says which cases wait for the supervisor.
    let state_in_queue = |desk: &mut migdesk_core::desk::Desk, id: &str| {
        desk.queue(&migdesk_core::queue::QueueQuery::default())
            .unwrap()
            .rows
            .into_iter()
            .find(|r| r.id == id)
            .map(|r| r.sync_state)
    };
    assert_eq!(
        state_in_queue(&mut desk, &returned),
        Some(SyncState::AwaitingApproval)
    );
    // An officer has no answers to give.
    assert_eq!(
        desk.answer_proposal(
            &returned,
            &answer(&proposal.decision_id, ApprovalAction::Approve, "")
        )
        .unwrap_err()
        .kind,
        ErrorKind::Invalid
    );

    // The supervisor's desk lists both, with the e-mail the applicant will read.
    let mut boss = synced_desk_of(&dir.path().join("boss"), &centre, supervisor).await;
    let list = boss.approvals().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let waiting = list.iter().find(|a| a.case_id == returned).unwrap();
    assert!(waiting.proposal.can_approve && waiting.proposal.can_answer);
    assert!(
        waiting.proposal.email_body.contains("passport_number"),
        "{}",
        waiting.proposal.email_body
    );
    let approved_id = list
        .iter()
        .find(|a| a.case_id == approved)
        .unwrap()
        .proposal
        .decision_id
        .clone();

    // Offline, the supervisor answers both; a return needs a note.
    let addr = centre.base.trim_start_matches("http://").to_owned();
    centre.stop().await;
    assert_eq!(
        boss.answer_proposal(
            &returned,
            &answer(&proposal.decision_id, ApprovalAction::Return, "  ")
        )
        .unwrap_err()
        .kind,
        ErrorKind::Invalid
    );
    boss.answer_proposal(
        &returned,
        &answer(
            &proposal.decision_id,
            ApprovalAction::Return,
            "Pasportun ikinci səhifəsinə baxın.",
        ),
    )
    .unwrap();
    let list = boss
        .answer_proposal(
            &approved,
            &answer(&approved_id, ApprovalAction::Approve, ""),
        )
        .unwrap();
    for item in &list {
        let given = item.proposal.answer.as_ref().expect("answered here");
        assert_eq!(given.delivery, NoteDelivery::Pending);
        assert!(!item.proposal.can_answer);
    }
    assert_eq!(
        boss.answer_proposal(
            &approved,
            &answer(&approved_id, ApprovalAction::Approve, "")
        )
        .unwrap_err()
        .kind,
        ErrorKind::Invalid,
        "one answer a proposal"
    );
    assert!(boss.sync_job().unwrap().run(|_| {}).await.is_err());

    // The network returns: one sync delivers both, exactly once.
    let centre = Centre::start_at(&central_db, migdesk_central::Config::default(), &addr).await;
    let report = sync(&mut boss).await;
    assert_eq!((report.approvals_sent, report.approvals_refused), (2, 0));
    assert!(boss.approvals().unwrap().is_empty());
    assert_eq!(sync(&mut boss).await.approvals_sent, 0);

    sync(&mut desk).await;
    assert_eq!(
        state_in_queue(&mut desk, &returned),
        Some(SyncState::Returned)
    );
    let back = desk.case(&returned).unwrap();
    assert_eq!(back.status, Status::Pending);
    assert!(back.proposal.is_none() && back.can_decide, "{back:?}");
    let came_back = back
        .returned
        .clone()
        .expect("the supervisor's note on the case");
    assert_eq!(came_back.note, "Pasportun ikinci səhifəsinə baxın.");
    assert_eq!(came_back.by, supervisor.full_name);
    let note = back
        .history
        .iter()
        .find(|h| h.kind == "refusal_returned")
        .unwrap();
    assert_eq!(
        note.text.as_deref(),
        Some("Pasportun ikinci səhifəsinə baxın.")
    );
    assert_eq!(note.actor.as_deref(), Some(supervisor.full_name));
    let refused = desk.case(&approved).unwrap();
    assert_eq!(refused.status, Status::Refused);
    assert_eq!(
        refused.letter_decision.as_deref(),
        Some(approved_id.as_str())
    );
    // The officer decides the returned case again.
    desk.decide(&returned, &Decision::new(DecisionKind::Accept))
        .unwrap();
    sync(&mut desk).await;
    let decided = desk.case(&returned).unwrap();
    assert_eq!(decided.status, Status::Accepted);
    assert!(decided.returned.is_none(), "a new decision followed");
    assert_eq!(state_in_queue(&mut desk, &returned), Some(SyncState::Sent));
    centre.stop().await;
}

#[tokio::test]
async fn an_answer_on_a_case_that_moved_meanwhile_goes_to_the_inbox() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, staff) = common::seeded(dir.path(), &common::options(12, 22, "shaki"));
    let centre = Centre::start(&central_db).await;
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    let supervisor = staff.iter().find(|a| a.role == "supervisor").unwrap();
    let mut desk = synced_desk_of(&dir.path().join("desk"), &centre, officer).await;
    let case_id = pending_cases(&mut desk)[0].clone();
    desk.decide(&case_id, &refusal()).unwrap();
    sync(&mut desk).await;
    let mut boss = synced_desk_of(&dir.path().join("boss"), &centre, supervisor).await;
    let decision_id = boss.approvals().unwrap()[0].proposal.decision_id.clone();
    boss.answer_proposal(&case_id, &answer(&decision_id, ApprovalAction::Approve, ""))
        .unwrap();

    // Meanwhile the applicant withdraws the application.
    let portal = migdesk_central::testing::portal_token(&central_db, "portal");
    let case = desk.case(&case_id).unwrap();
    let withdrawn = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/tracking/{}/withdrawal",
            centre.base, case.number
        ))
        .bearer_auth(portal)
        .json(&serde_json::json!({ "date_of_birth": case.applicant.date_of_birth }))
        .send()
        .await
        .unwrap();
    assert!(withdrawn.status().is_success(), "{withdrawn:?}");

    let report = sync(&mut boss).await;
    assert_eq!((report.approvals_sent, report.approvals_refused), (0, 1));
    let inbox = boss.conflicts().unwrap();
    let conflict = inbox.iter().find(|c| c.id == decision_id).unwrap();
    assert_eq!(conflict.answer, Some(ApprovalAction::Approve));
    assert_eq!(conflict.cause, ConflictCause::Withdrawn);
    assert!(!conflict.seen && conflict.on_this_desk);
    assert!(!conflict.message.is_empty());
    // A withdrawn case waits for nobody's approval any more.
    assert!(boss.approvals().unwrap().is_empty());
    let seen = boss.conflict_seen(&decision_id).unwrap();
    assert!(seen.iter().find(|c| c.id == decision_id).unwrap().seen);
    // Nothing is sent twice.
    assert_eq!(sync(&mut boss).await.approvals_refused, 0);
    sync(&mut desk).await;
    assert_eq!(desk.case(&case_id).unwrap().status, Status::Withdrawn);
    centre.stop().await;
}

#![allow(clippy::unwrap_used)] // Test helpers may unwrap: a failure is the test failing.

//! Documents brought to the counter, on the desk against the real centre: a scanned file is
//! checked like any applicant file and refused with the reason when it fails (nothing kept); a
//! good one is in the case and its checklist at once, a refusal may cite it, and one sync
//! delivers the file before the decision, once, with who added it.

use crate::common;
use common::{Centre, synced_desk_of};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use migdesk_api::Status;
use migdesk_core::ErrorKind;
use migdesk_core::case::{ChecklistState, DocumentState, DocumentView, checklist};
use migdesk_core::casework::{CounterDocument, NoteDelivery};
use migdesk_core::queue::QueueQuery;
use migdesk_domain::decision::{Decision, DecisionKind, ReasonCode, RefusalReason};

#[tokio::test]
async fn a_scan_from_the_counter_counts_at_once_and_reaches_the_centre_before_the_refusal_citing_it()
 {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, staff) = common::seeded(dir.path(), &common::options(6, 9, "shaki"));
    let centre = Centre::start(&central_db).await;
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    let mut desk = synced_desk_of(&dir.path().join("desk"), &centre, officer).await;
    let case_id = desk
        .queue(&QueueQuery {
            mine: true,
            status: Some(Status::Pending),
            ..QueueQuery::default()
        })
        .unwrap()
        .rows[0]
        .id
        .clone();
    let before = desk.case(&case_id).unwrap();
    let doc_type = before.checklist[0].doc_type.clone();
    let scan = |bytes: &[u8], doc_type: &str| CounterDocument {
        doc_type: doc_type.to_owned(),
        file_name: "counter-scan.jpg".into(),
        content_base64: STANDARD.encode(bytes),
    };

    // A file that is not what it must be is refused with the reason, and nothing is kept.
    let bomb = desk
        .add_counter_document(
            &case_id,
            &scan(migdesk_docs::samples::png_bomb(), &doc_type),
        )
        .unwrap_err();
    assert_eq!(bomb.kind, ErrorKind::Document, "{bomb:?}");
    let not_a_type = desk
        .add_counter_document(
            &case_id,
            &scan(&migdesk_docs::samples::jpeg(400, 300), "shoe-size"),
        )
        .unwrap_err();
    assert_eq!(not_a_type.kind, ErrorKind::Invalid);
    assert_eq!(desk.case(&case_id).unwrap().documents, before.documents);

    // A good scan is in the case at once, waiting to be sent, and counts in the checklist.
    let view = desk
        .add_counter_document(
            &case_id,
            &scan(&migdesk_docs::samples::jpeg(800, 600), &doc_type),
        )
        .unwrap();
    assert_eq!(view.documents.len(), before.documents.len() + 1);
    let added = view.documents.last().unwrap();
    assert_eq!(added.delivery, Some(NoteDelivery::Pending));
    assert_eq!(added.added_by.as_deref(), Some(officer.full_name));
    assert_eq!(added.format.as_deref(), Some("JPEG"));
    let line = view
        .checklist
        .iter()
        .find(|c| c.doc_type == doc_type)
        .unwrap();
    assert!(line.document_ids.contains(&added.id));

    // A refusal may cite it before the centre has it.
    let mut refusal = Decision::new(DecisionKind::Refuse);
    refusal.reasons = vec![RefusalReason {
        code: ReasonCode::Contradictory,
        fields: vec!["surname".into()],
        documents: vec![added.id.clone()],
    }];
    desk.decide(&case_id, &refusal).unwrap();

    let report = desk.sync_job().unwrap().run(|_| {}).await.unwrap();
    assert_eq!(
        (
            report.counter_documents_sent,
            report.decisions_sent,
            report.conflicts
        ),
        (1, 1, 0)
    );
    let added_by: String = rusqlite::Connection::open(&central_db)
        .unwrap()
        .query_row(
            "SELECT u.username FROM documents d JOIN users u ON u.id = d.added_by WHERE d.id = ?1",
            [&added.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(added_by, officer.username);
    let after = desk.case(&case_id).unwrap();
    let kept = after.documents.iter().find(|d| d.id == added.id).unwrap();
    assert_eq!(kept.delivery, Some(NoteDelivery::Kept));
    assert_eq!(kept.added_by.as_deref(), Some(officer.full_name));
    // Sent once: the next sync has nothing to send.
    let again = desk.sync_job().unwrap().run(|_| {}).await.unwrap();
    assert_eq!(again.counter_documents_sent, 0);
    centre.stop().await;
}

fn doc(
    id: &str,
    doc_type: &str,
    state: DocumentState,
    delivery: Option<NoteDelivery>,
) -> DocumentView {
    DocumentView {
        id: id.into(),
        doc_type: doc_type.into(),
        file_name: format!("{id}.pdf"),
        size: 1,
        state,
        format: None,
        problem: None,
        added_by: None,
        delivery,
    }
}

#[test]
fn the_checklist_counts_readable_copies_and_not_a_counter_file_the_centre_refused() {
    let required = vec![
        "passport".to_owned(),
        "photo".to_owned(),
        "contract".to_owned(),
    ];
    let documents = vec![
        doc("a", "passport", DocumentState::Unreadable, None),
        doc(
            "b",
            "passport",
            DocumentState::Ready,
            Some(NoteDelivery::Pending),
        ),
        doc("c", "photo", DocumentState::Unreadable, None),
        doc(
            "d",
            "contract",
            DocumentState::Ready,
            Some(NoteDelivery::Refused),
        ),
    ];
    let states: Vec<ChecklistState> = checklist(&required, &documents)
        .into_iter()
        .map(|c| c.state)
        .collect();
    assert_eq!(
        states,
        [
            ChecklistState::Present,
            ChecklistState::Unreadable,
            ChecklistState::Absent
        ]
    );
}

#![allow(clippy::unwrap_used)] // Test helpers may unwrap: a failure is the test failing.

//! The case view and decisions, against the real central service on a loopback port: the
//! checklist and history of a synced case, the e-mail preview, each kind of decision recorded
//! offline-first and delivered once, the preview matching what the centre queued, and the
//! documents served to the viewer.

use std::path::{Path, PathBuf};

use crate::common;
use common::{Centre, synced_desk_of};

use migdesk_central::seed::Account;
use migdesk_core::ErrorKind;
use migdesk_core::case::{ChecklistState, DeliveryState, DocumentState};
use migdesk_core::casework::NoteDelivery;
use migdesk_core::crosscheck::{KeyField, TextState};
use migdesk_core::desk::Desk;
use migdesk_core::queue::QueueQuery;
use migdesk_domain::Catalogue;
use migdesk_domain::decision::{Decision, DecisionKind, ReasonCode, RefusalReason};

fn decision(kind: DecisionKind) -> Decision {
    Decision {
        kind,
        missing_documents: Vec::new(),
        missing_other: None,
        reasons: Vec::new(),
        note: String::new(),
    }
}

/// A Shaki officer's desk, signed in and synced with a centre seeded with 12 cases from `seed`;
/// returns the centre, the desk, the centre's database and the officer.
async fn synced_desk(dir: &Path, seed: u64) -> (Centre, Desk, PathBuf, Account) {
    let (centre, desk, central_db, staff) = synced_desk_and_staff(dir, seed).await;
    let officer = staff.into_iter().find(|a| a.role == "officer").unwrap();
    (centre, desk, central_db, officer)
}

/// [`synced_desk`], with the department's staff (the desk's officer is the first officer).
async fn synced_desk_and_staff(dir: &Path, seed: u64) -> (Centre, Desk, PathBuf, Vec<Account>) {
    let (central_db, staff) = common::seeded(dir, &common::options(12, seed, "shaki"));
    let officer = staff.iter().find(|a| a.role == "officer").unwrap().clone();
    let centre = Centre::start(&central_db).await;
    let desk = synced_desk_of(&dir.join("desk"), &centre, &officer).await;
    (centre, desk, central_db, staff)
}

#[tokio::test]
async fn an_officer_opens_cases_previews_the_emails_and_each_decision_arrives_once() {
    let dir = tempfile::tempdir().unwrap();
    let (centre, mut desk, central_db, officer) = synced_desk(dir.path(), 7).await;
    let mine = desk
        .queue(&QueueQuery {
            mine: true,
            status: Some(migdesk_api::Status::Pending),
            ..QueueQuery::default()
        })
        .unwrap();
    assert!(mine.rows.len() >= 3, "{} cases", mine.rows.len());
    let catalogue = Catalogue::builtin();

    // The case view: the form, the checklist of the service's required documents, the history,
    // and the officer responsible.
    let first = desk.case(&mine.rows[0].id).unwrap();
    assert_eq!(first.number, mine.rows[0].number);
    assert!(first.mine && first.can_decide && first.decision.is_none());
    assert!(!first.form.is_empty() && first.form.iter().all(|g| !g.fields.is_empty()));
    assert_eq!(
        first.officer.as_ref().map(|o| o.full_name.as_str()),
        Some(officer.full_name)
    );
    let required = &catalogue
        .service(&first.service)
        .unwrap()
        .required_documents;
    let listed: Vec<&str> = first
        .checklist
        .iter()
        .map(|c| c.doc_type.as_str())
        .collect();
    assert_eq!(
        listed,
        required.iter().map(String::as_str).collect::<Vec<_>>()
    );
    for item in &first.checklist {
        let submitted = first.documents.iter().any(|d| d.doc_type == item.doc_type);
        assert_eq!(item.state == ChecklistState::Absent, !submitted, "{item:?}");
    }
    let kinds: Vec<&str> = first.history.iter().map(|h| h.kind.as_str()).collect();
    assert!(kinds.starts_with(&["received", "assigned"]), "{kinds:?}");
    assert_eq!(first.history[1].to.as_deref(), Some(officer.full_name));
    let viewed = desk.case(&mine.rows[0].id).map(|_| ()).is_ok();
    assert!(viewed);

    // A decision that breaks a rule is refused on the desk, before anything is recorded.
    let mut bad = decision(DecisionKind::MissingDocuments);
    bad.missing_documents = vec!["no_such_document".into()];
    let err = desk.decide(&first.id, &bad).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Invalid, "{err:?}");
    assert!(err.message.contains("no_such_document"), "{}", err.message);
    assert_eq!(
        desk.preview_decision(&first.id, &bad).unwrap_err().kind,
        ErrorKind::Invalid
    );

    // Three decisions, each previewed first; the preview is in the applicant's language.
    let accept = decision(DecisionKind::Accept);
    let second = desk.case(&mine.rows[1].id).unwrap();
    let mut missing = decision(DecisionKind::MissingDocuments);
    missing.missing_documents = vec![second.checklist[0].doc_type.clone()];
    missing.missing_other = Some("Notarial translation of the diploma".into());
    let third = desk.case(&mine.rows[2].id).unwrap();
    let mut refuse = decision(DecisionKind::Refuse);
    refuse.reasons = vec![
        RefusalReason {
            code: ReasonCode::FormIncorrect,
            fields: vec![third.form[0].fields[0].key.clone()],
            documents: Vec::new(),
        },
        RefusalReason {
            code: ReasonCode::Contradictory,
            fields: Vec::new(),
            documents: vec![third.documents[0].id.clone()],
        },
    ];
    refuse.note = "The surname differs between the form and the passport.".into();

    let mut previews = Vec::new();
    for (case, d) in [(&first, &accept), (&second, &missing), (&third, &refuse)] {
        let email = desk.preview_decision(&case.id, d).unwrap();
        assert!(email.subject.contains(&case.number), "{email:?}");
        let lang = migdesk_domain::Lang::parse(&case.applicant.language).unwrap();
        let service = catalogue.service(&case.service).unwrap();
        assert!(email.body.contains(service.name.get(lang)), "{email:?}");
        assert!(email.body.contains(officer.full_name), "{email:?}");
        let after = desk.decide(&case.id, d).unwrap();
        let recorded = after.decision.clone().unwrap();
        assert_eq!(recorded.kind, d.kind);
        assert_eq!(recorded.state, DeliveryState::Pending, "waiting to send");
        assert!(!after.can_decide);
        previews.push((case.id.clone(), recorded.id, email));
    }
    assert!(
        previews[1]
            .2
            .body
            .contains("Notarial translation of the diploma")
    );
    // A second decision on the same case is refused while the first waits to be sent.
    assert_eq!(
        desk.decide(&first.id, &accept).unwrap_err().kind,
        ErrorKind::Invalid
    );

    // The next sync delivers all three; the desk shows them acknowledged.
    let report = desk.sync_job().unwrap().run(|_| {}).await.unwrap();
    assert_eq!(report.decisions_sent, 3);
    for (case_id, _, _) in &previews {
        let view = desk.case(case_id).unwrap();
        assert_eq!(view.decision.unwrap().state, DeliveryState::Sent);
        if view.proposal.is_some() {
            // The refusal waits for the supervisor (four eyes): the case too.
            assert_eq!(view.status, migdesk_api::Status::Pending);
        } else {
            assert_ne!(
                view.status,
                migdesk_api::Status::Pending,
                "the feed brought the new status"
            );
        }
    }
    assert!(desk.case(&previews[2].0).unwrap().proposal.is_some());
    centre.stop().await;

    // At the centre: each decision once, with its reasons, and the e-mail queued for the
    // applicant is word for word the one the officer previewed.
    let db = rusqlite::Connection::open(&central_db).unwrap();
    for ((case_id, decision_id, email), sent) in previews.iter().zip([&accept, &missing, &refuse]) {
        let (count, request): (i64, String) = db
            .query_row(
                "SELECT COUNT(*), max(request) FROM decisions WHERE application_id = ?1",
                [case_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(count, 1, "{case_id}: exactly once");
        let request: serde_json::Value = serde_json::from_str(&request).unwrap();
        assert_eq!(request["id"], *decision_id);
        assert_eq!(
            serde_json::from_value::<Vec<RefusalReason>>(request["reasons"].clone()).unwrap(),
            sent.reasons
        );
        assert_eq!(
            request["missing_documents"],
            serde_json::json!(sent.missing_documents)
        );
        // The refusal's e-mail waits with its proposal for the supervisor to read.
        let (subject, body): (String, String) = db
            .query_row(
                "SELECT subject, body FROM notifications WHERE decision_id = ?1
                 UNION ALL SELECT email_subject, email_body FROM refusal_proposals WHERE decision_id = ?1",
                [decision_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(subject, email.subject);
        assert_eq!(body, email.body);
    }
}

#[tokio::test]
async fn documents_reach_the_viewer_as_they_are_or_converted() {
    let dir = tempfile::tempdir().unwrap();
    let (centre, mut desk, _, _) = synced_desk(dir.path(), 11).await;
    let all = desk
        .queue(&QueueQuery {
            mine: true,
            limit: 1000,
            ..QueueQuery::default()
        })
        .unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for row in &all.rows {
        let case = desk.case(&row.id).unwrap();
        for doc in &case.documents {
            assert_eq!(doc.state, DocumentState::Ready, "{doc:?}");
            let format = doc.format.clone().unwrap();
            let (source, viewer) = desk.document_source(&doc.id).unwrap();
            let bytes = source.bytes.clone();
            let layout = viewer.layout(&source).unwrap();
            assert_eq!(layout.format, format);
            assert!(layout.page_count >= 1);
            assert_eq!(layout.bytes, bytes.len() as u64);
            // Any part of the file, read alone (cut at its end): what pdf.js asks of a large PDF.
            let end = bytes.len() as u64;
            assert_eq!(
                desk.document_bytes(&doc.id, 10..100).unwrap(),
                bytes[10..100.min(bytes.len())]
            );
            assert_eq!(
                desk.document_bytes(&doc.id, end - 5..end + 100).unwrap(),
                bytes[bytes.len() - 5..]
            );
            let last = layout.page_count as usize - 1;
            // Before the page was ever served: what the desk answers without the whole file.
            let alone = desk.prepared_page(&doc.id, last, None).unwrap();
            let served = viewer.page(&source, last).unwrap();
            match format.as_str() {
                "PDF" if layout.pdf => {
                    assert_eq!(served.mime, "application/pdf");
                    assert_eq!(served.bytes, bytes, "pdf.js gets the file as it is");
                }
                "PDF" => {
                    // Scans only: each page shown as its image, the demo's JPEG scans as the
                    // file holds them — read alone from the cache once the layout is known,
                    // for the page and for its thumbnail.
                    assert_eq!(served.mime, "image/jpeg");
                    assert!(served.bytes.starts_with(b"\xFF\xD8"));
                    assert_eq!(alone, Some(served.clone()), "read alone");
                    let (scan, _) = desk.scan_page(&doc.id, last).unwrap().unwrap();
                    assert_eq!((scan.jpeg, scan.page), (served.bytes.clone(), last));
                    assert!(!desk.page_needs_conversion(&doc.id, last, None).unwrap());
                }
                "TIFF" => {
                    assert_eq!(served.mime, "image/png");
                    assert!(served.bytes.starts_with(b"\x89PNG"));
                    assert!(desk.scan_page(&doc.id, last).unwrap().is_none());
                    assert_eq!(alone, None, "converted from the whole file");
                }
                "JPEG" if layout.page_count == 1 => {
                    assert_eq!(served.mime, "image/jpeg");
                }
                _ => {}
            }
            seen.insert(if format == "PDF" && !layout.pdf {
                "PDF of scans".to_owned()
            } else {
                format
            });
        }
    }
    assert!(
        ["PDF", "PDF of scans", "TIFF", "JPEG"]
            .iter()
            .all(|kind| seen.contains(*kind)),
        "the demo cases hold each kind of document: {seen:?}"
    );
    let err = desk.document_source("no-such-document").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Document);
    let err = desk.document_bytes("no-such-document", 0..10).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Document);
    let doc = &desk.case(&all.rows[0].id).unwrap().documents[0];
    // More than pdf.js asks for at once, or backwards (as a request's path may say).
    let backwards = std::ops::Range { start: 10, end: 5 };
    for asked in [0..9 * 1024 * 1024, backwards] {
        let err = desk.document_bytes(&doc.id, asked.clone()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Invalid, "{asked:?}: {err:?}");
    }
    centre.stop().await;
}

/// Prefetching a case prepares what its case screen shows first: the layout of its first two
/// documents, and the first page of those the viewer gets converted.
#[tokio::test]
async fn a_prefetched_case_has_its_first_documents_prepared() {
    let dir = tempfile::tempdir().unwrap();
    let (centre, mut desk, _central_db, _officer) = synced_desk(dir.path(), 12).await;
    let queue = desk
        .queue(&QueueQuery {
            limit: 2,
            ..QueueQuery::default()
        })
        .unwrap();
    let (selected, next) = (&queue.rows[0].id, &queue.rows[1].id);
    let case = desk.case(next).unwrap();
    let first_two: Vec<_> = case.documents.iter().take(2).collect();
    assert_eq!(
        first_two.len(),
        2,
        "the demo cases have two documents or more"
    );
    let prefetch = desk.prefetch_case(next).unwrap();
    let viewer = prefetch.viewer().clone();
    let hashes: Vec<String> = prefetch
        .reads()
        .iter()
        .map(|read| read.sha256().to_owned())
        .collect();
    assert_eq!(hashes.len(), 2);
    for (doc, sha256) in first_two.iter().zip(&hashes) {
        let (own, _) = desk.document_source(&doc.id).unwrap();
        assert_eq!(
            own.sha256, *sha256,
            "in the order the case screen shows them"
        );
        assert!(!viewer.is_prepared(sha256));
    }
    let prefetched = prefetch.run();
    assert_eq!(prefetched.prepared, 2);
    for sha256 in &hashes {
        assert!(viewer.is_prepared(sha256));
    }
    // pdf.js is wanted when one of the two is a PDF it draws; a case prepared before still says
    // so, with nothing read again.
    let drawn_by_pdfjs = hashes
        .iter()
        .any(|sha256| viewer.ready_layout(sha256).is_some_and(|layout| layout.pdf));
    assert_eq!(prefetched.pdf, drawn_by_pdfjs);
    let again = desk.prefetch_case(next).unwrap();
    assert!(
        again.reads().is_empty(),
        "nothing left to read for a prepared case"
    );
    assert_eq!(
        again.run(),
        migdesk_core::desk::Prefetched {
            prepared: 0,
            pdf: drawn_by_pdfjs
        }
    );
    // The desk's own viewer is the one prepared: opening the case finds the layouts there.
    let (source, own_viewer) = desk.document_source(&first_two[0].id).unwrap();
    assert!(own_viewer.is_prepared(&source.sha256));
    let sources: Vec<_> = first_two
        .iter()
        .map(|doc| desk.document_source(&doc.id).unwrap().0)
        .collect();
    // Prepared is found by the document's hash alone, and not read again.
    for doc in &first_two {
        let layout = desk.prepared_layout(&doc.id).unwrap().expect("layout");
        let page = desk.prepared_page(&doc.id, 0, None).unwrap();
        // pdf.js and the WebView read a PDF and a JPEG whole; pages shown page by page are kept.
        let page_by_page = !layout.pdf && ["PDF", "TIFF"].contains(&layout.format.as_str());
        assert_eq!(page.is_some(), page_by_page, "{layout:?}");
    }
    assert_eq!(desk.prepared_layout("no-such-document").unwrap(), None);
    // Another case was not touched.
    let other = desk.case(selected).unwrap();
    let (other_source, _) = desk.document_source(&other.documents[0].id).unwrap();
    if !sources.iter().any(|s| s.sha256 == other_source.sha256) {
        assert!(!own_viewer.is_prepared(&other_source.sha256));
    }
    assert!(
        desk.prefetch_case("no-such-case")
            .unwrap()
            .reads()
            .is_empty()
    );
    centre.stop().await;
}

/// A file is unreadable in the case only when it cannot be opened: a PDF whose text alone
/// defeats the text reader is still shown (the text panel says why), a truncated one is not.
#[tokio::test]
async fn a_pdf_whose_text_cannot_be_read_is_still_shown() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let (centre, mut desk, central_db, officer) = synced_desk(dir.path(), 13).await;
    let (case_id, number, date_of_birth): (String, String, String) =
        rusqlite::Connection::open(&central_db)
            .unwrap()
            .query_row(
                "SELECT a.id, a.number, json_extract(a.applicant, '$.date_of_birth')
                 FROM applications a JOIN users u ON u.id = a.officer_id
                 WHERE u.username = ?1 AND a.status = 'pending' ORDER BY a.number LIMIT 1",
                [&officer.username],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
    let hostile = migdesk_docs::samples::hostile();
    let by_name = |name: &str| hostile.iter().find(|s| s.name == name).unwrap();
    let (unreadable_text, truncated) = (
        by_name("PDF text in an undefined font"),
        by_name("truncated PDF"),
    );
    let files: Vec<_> = [unreadable_text, truncated]
        .iter()
        .map(|s| {
            serde_json::json!({
                "type": "passport-copy",
                "file_name": s.file_name,
                "content_base64": base64::engine::general_purpose::STANDARD.encode(&s.bytes),
            })
        })
        .collect();
    let upload = serde_json::json!({ "date_of_birth": date_of_birth, "documents": files });
    reqwest::Client::new()
        .post(format!(
            "{}/api/v1/tracking/{number}/documents",
            centre.base
        ))
        .bearer_auth(migdesk_central::testing::portal_token(
            &central_db,
            "portal",
        ))
        .json(&upload)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    // Synced, and no text read after it: the case reads its documents' text as it opens.
    desk.sync_job().unwrap().run(|_| {}).await.unwrap();

    let case = desk.case(&case_id).unwrap();
    let doc = |file: &str| case.documents.iter().find(|d| d.file_name == file).unwrap();
    let shown = doc(unreadable_text.file_name);
    assert_eq!(shown.state, DocumentState::Ready, "{shown:?}");
    let text = desk.document_text(&shown.id).unwrap();
    assert_eq!(text.state, TextState::Problem, "{text:?}");
    assert!(text.problem.unwrap().contains("could not be read"));
    let broken = doc(truncated.file_name);
    assert_eq!(broken.state, DocumentState::Unreadable, "{broken:?}");
    assert!(
        broken
            .problem
            .as_deref()
            .unwrap()
            .starts_with("the file is damaged")
    );
    centre.stop().await;
}

#[tokio::test]
async fn the_text_panel_finds_the_applicants_values_in_text_documents() {
    let dir = tempfile::tempdir().unwrap();
    // Synced, and no text read after it (the app reads it in the background): the panel reads
    // each document it is asked for that is not read yet.
    let (centre, mut desk, _central_db, _officer) = synced_desk(dir.path(), 11).await;
    let mine = desk.queue(&QueueQuery::default()).unwrap();
    let (mut ready, mut no_text) = (0, 0);
    for row in &mine.rows {
        let case = desk.case(&row.id).unwrap();
        for doc in &case.documents {
            let text = desk.document_text(&doc.id).unwrap();
            assert_eq!(text.document_id, doc.id);
            match text.state {
                TextState::Ready => {
                    ready += 1;
                    // Every check names one of this applicant's values; every highlight
                    // covers text that folds to a value that was found.
                    assert!(!text.checks.is_empty());
                    let units: Vec<u16> = text.text.encode_utf16().collect();
                    for h in &text.highlights {
                        let marked =
                            String::from_utf16(&units[h.start as usize..h.end as usize]).unwrap();
                        assert!(
                            text.checks.iter().any(|c| c.field == h.field && c.found),
                            "{marked:?} highlighted for a value not found"
                        );
                    }
                    let name_found = text
                        .checks
                        .iter()
                        .any(|c| c.field == KeyField::Name && c.found);
                    assert!(
                        name_found,
                        "the applicant's name in {} ({}): {:?}",
                        doc.file_name, case.applicant.name_latin, text.text
                    );
                }
                TextState::NoText => no_text += 1,
                other => panic!("{} after a full sync: {other:?}", doc.file_name),
            }
        }
    }
    assert!(ready > 0 && no_text > 0, "ready {ready}, scans {no_text}");
    assert_eq!(
        desk.document_text("no-such-document").unwrap_err().kind,
        ErrorKind::Invalid
    );
    centre.stop().await;
}

#[tokio::test]
async fn notes_between_an_officer_and_the_supervisor_travel_with_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let (centre, mut desk, _, staff) = synced_desk_and_staff(dir.path(), 5).await;
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    let supervisor = staff.iter().find(|a| a.role == "supervisor").unwrap();
    let case_id = desk
        .queue(&QueueQuery {
            mine: true,
            status: Some(migdesk_api::Status::Pending),
            ..QueueQuery::default()
        })
        .unwrap()
        .rows[0]
        .id
        .clone();
    let view = desk
        .add_note(
            &case_id,
            "Pasportun surəti bulanıqdır; ərizəçi ilə danışdım.",
        )
        .unwrap();
    let [written] = view.notes.as_slice() else {
        panic!("{:?}", view.notes)
    };
    assert_eq!(written.delivery, NoteDelivery::Pending);
    assert_eq!(written.author.as_deref(), Some(officer.full_name));
    assert_eq!(written.origin, migdesk_api::NoteOrigin::Desk);
    assert_eq!(
        desk.add_note(&case_id, "   ").unwrap_err().kind,
        ErrorKind::Invalid
    );
    assert_eq!(
        desk.add_note("no-such-case", "x").unwrap_err().kind,
        ErrorKind::Invalid
    );

    let report = desk.sync_job().unwrap().run(|_| {}).await.unwrap();
    assert_eq!((report.notes_sent, report.notes_refused), (1, 0));
    let view = desk.case(&case_id).unwrap();
    let [kept] = view.notes.as_slice() else {
        panic!(
            "one note, not the desk's and the centre's copy: {:?}",
            view.notes
        )
    };
    assert_eq!(kept.id, written.id);
    assert_eq!(kept.delivery, NoteDelivery::Kept);
    assert_eq!(
        kept.written_at, written.written_at,
        "the time it was written"
    );
    let in_history = view
        .history
        .iter()
        .find(|h| h.kind == "note_added")
        .expect("the note in the history");
    assert_eq!(in_history.text.as_deref(), Some(kept.text.as_str()));
    assert_eq!(in_history.actor.as_deref(), Some(officer.full_name));

    // The department's supervisor reads it on their own desk and answers.
    let mut boss = synced_desk_of(&dir.path().join("boss"), &centre, supervisor).await;
    let seen = boss.case(&case_id).unwrap();
    assert_eq!(seen.notes.len(), 1);
    assert_eq!(seen.notes[0].text, kept.text);
    assert_eq!(seen.notes[0].author.as_deref(), Some(officer.full_name));
    boss.add_note(&case_id, "Sabah yenidən baxın.").unwrap();
    boss.sync_job().unwrap().run(|_| {}).await.unwrap();

    desk.sync_job().unwrap().run(|_| {}).await.unwrap();
    let view = desk.case(&case_id).unwrap();
    let texts: Vec<(&str, Option<&str>)> = view
        .notes
        .iter()
        .map(|n| (n.text.as_str(), n.author.as_deref()))
        .collect();
    assert_eq!(
        texts,
        vec![
            (kept.text.as_str(), Some(officer.full_name)),
            ("Sabah yenidən baxın.", Some(supervisor.full_name)),
        ]
    );
    assert!(
        view.can_decide,
        "a note never takes the case from its officer"
    );
    centre.stop().await;
}

#[tokio::test]
async fn the_deadline_stops_while_the_applicant_owes_documents_and_runs_again_when_they_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let (centre, mut desk, central_db, _) = synced_desk(dir.path(), 9).await;
    let pending = |desk: &mut Desk| {
        desk.queue(&QueueQuery {
            mine: true,
            status: Some(migdesk_api::Status::Pending),
            ..QueueQuery::default()
        })
        .unwrap()
    };
    let row = pending(&mut desk).rows[0].clone();
    assert_eq!(row.paused_days_left, None);
    let case = desk.case(&row.id).unwrap();
    let owed = case.checklist[0].doc_type.clone();
    let mut missing = decision(DecisionKind::MissingDocuments);
    missing.missing_documents = vec![owed.clone()];
    desk.decide(&row.id, &missing).unwrap();
    desk.sync_job().unwrap().run(|_| {}).await.unwrap();

    // The queue and the case say the deadline is stopped, with the days it keeps.
    let left = desk.case(&row.id).unwrap().paused_days_left;
    let kept: i64 = rusqlite::Connection::open(&central_db)
        .unwrap()
        .query_row(
            "SELECT paused_days_left FROM applications WHERE id = ?1",
            [&row.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, Some(i32::try_from(kept).unwrap()));
    let listed = desk
        .queue(&QueueQuery {
            mine: true,
            status: Some(migdesk_api::Status::MissingDocuments),
            ..QueueQuery::default()
        })
        .unwrap();
    let paused_row = listed.rows.iter().find(|r| r.id == row.id).unwrap();
    assert_eq!(paused_row.paused_days_left, left);
    let history = desk.case(&row.id).unwrap().history;
    let paused_event = history
        .iter()
        .find(|h| h.kind == "deadline_paused")
        .unwrap();
    assert_eq!(paused_event.working_days, left);

    // The applicant sends the document: the case waits for the officer again, its deadline
    // running with the days it kept.
    let portal = migdesk_central::testing::portal_token(&central_db, "test portal");
    let content = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        b"%PDF-1.4\n% a scan\n",
    );
    let sent = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/tracking/{}/documents",
            centre.base, case.number
        ))
        .bearer_auth(&portal)
        .json(&serde_json::json!({
            "date_of_birth": case.applicant.date_of_birth,
            "documents": [{ "type": owed, "file_name": "scan.pdf", "content_base64": content }],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), reqwest::StatusCode::CREATED);
    desk.sync_job().unwrap().run(|_| {}).await.unwrap();
    let again = desk.case(&row.id).unwrap();
    assert_eq!(again.status, migdesk_api::Status::Pending);
    assert_eq!(again.paused_days_left, None);
    let resumed = again
        .history
        .iter()
        .find(|h| h.kind == "deadline_resumed")
        .unwrap();
    assert_eq!(resumed.due_date.as_deref(), Some(again.due_date.as_str()));
    assert_eq!(resumed.working_days, left);
    let row = pending(&mut desk)
        .rows
        .into_iter()
        .find(|r| r.id == row.id)
        .unwrap();
    assert_eq!(row.paused_days_left, None);
    assert_eq!(row.due_date, again.due_date);
    assert_eq!(row.sync_state, migdesk_core::queue::SyncState::None);

    // The officer decides again: the missing-documents decision no longer stands in the way.
    assert!(again.can_decide, "{:?}", again.decision);
    assert!(again.decision.is_none());
    desk.decide(&row.id, &decision(DecisionKind::Accept))
        .unwrap();
    let report = desk.sync_job().unwrap().run(|_| {}).await.unwrap();
    assert_eq!((report.decisions_sent, report.conflicts), (1, 0));
    assert_eq!(
        desk.case(&row.id).unwrap().status,
        migdesk_api::Status::Accepted
    );
    centre.stop().await;
}

#[tokio::test]
async fn the_applicants_other_applications_come_with_the_case_and_stay_offline() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, staff) = common::seeded(dir.path(), &common::options(12, 13, "shaki"));
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    // The same applicant files the same request again while the first waits.
    let db = rusqlite::Connection::open(&central_db).unwrap();
    let (case_id, service, applicant): (String, String, String) = db
        .query_row(
            "SELECT a.id, a.service, a.applicant FROM applications a JOIN users u ON u.id = a.officer_id
             WHERE u.username = ?1 AND a.status = 'pending' ORDER BY a.number LIMIT 1",
            [&officer.username],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    db.execute(
        "INSERT INTO applications (id, number, service, tier, submitted_at, due_date, department_id, status, officer_id, version, applicant, form, updated_at)
         VALUES ('again', 'MX-2026-999999', ?1, 'standard', '2026-11-30T08:00:00Z', '2026-12-20', 'baku', 'pending', NULL, 1, ?2, '[]', '2026-11-30T08:00:00Z')",
        rusqlite::params![service, applicant],
    )
    .unwrap();
    drop(db);
    let centre = Centre::start(&central_db).await;
    let mut desk = synced_desk_of(&dir.path().join("desk"), &centre, officer).await;
    centre.stop().await;

    // Offline, the case still shows it, flagged.
    let view = desk.case(&case_id).unwrap();
    let [again] = view.applicant_history.as_slice() else {
        panic!("{:?}", view.applicant_history)
    };
    assert_eq!(again.number, "MX-2026-999999");
    assert_eq!(again.service, service);
    assert!(again.possible_duplicate && again.same_passport);
    assert_eq!(again.decision, None);
}

/// A stored file whose text is not read yet and that turned bad on disk: the case still opens
/// (reading its text as it opens fails quietly), and the text panel says the text is not read.
#[tokio::test]
async fn a_case_opens_with_a_damaged_file_its_reading_had_not_reached() {
    let dir = tempfile::tempdir().unwrap();
    // Synced, and no text read after it.
    let (centre, mut desk, _central_db, _officer) = synced_desk(dir.path(), 17).await;
    let files = dir.path().join("desk").join("cache.files");
    let mut names: Vec<_> = std::fs::read_dir(&files)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for file in &names {
        let mut bytes = std::fs::read(file).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(file, bytes).unwrap();
    }
    let mine = desk.queue(&QueueQuery::default()).unwrap();
    let row = mine.rows.first().unwrap();
    let case = desk.case(&row.id).unwrap();
    assert!(!case.documents.is_empty());
    for doc in &case.documents {
        let text = desk.document_text(&doc.id).unwrap();
        assert_eq!(text.state, TextState::NotRead, "{doc:?}");
    }
    centre.stop().await;
}

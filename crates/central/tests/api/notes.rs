//! Internal notes on a case: kept once by the desk's id, in the history, brought by the feed to
//! whoever holds the case, readable only to those who may read the case.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{Server, id, rows, start, version};

fn note(text: &str) -> Value {
    json!({
        "id": uuid::Uuid::new_v4(),
        "text": text,
        "written_at": "2026-12-01T09:30:00+04:00",
    })
}

/// The newest copy of a case in the feed after `cursor`, with the cursor after it.
async fn fed(s: &Server, token: &str, cursor: &str, case_id: &str) -> (Option<Value>, String) {
    let page = s
        .get(&format!("/api/v1/changes?cursor={cursor}"), token)
        .await
        .expect(StatusCode::OK);
    let case = page["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .rev()
        .find(|c| c["application_id"] == case_id)
        .map(|c| c["application"].clone());
    (
        case,
        page["next_cursor"].as_str().expect("cursor").to_owned(),
    )
}

fn notes_in(history: &Value) -> Vec<String> {
    history
        .as_array()
        .expect("history")
        .iter()
        .filter(|e| e["kind"] == "note_added")
        .map(|e| e["detail"]["text"].as_str().expect("text").to_owned())
        .collect()
}

#[tokio::test]
async fn a_note_is_kept_once_and_reaches_the_supervisor_and_back() {
    let s = start().await;
    let (officer, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let path = format!("/api/v1/applications/{}/notes", id(case));
    let sup = s.login(s.account("baku", "supervisor", 0)).await;
    let (_, sup_cursor) = s.all_changes(&sup).await;
    let (_, officer_cursor) = s.all_changes(&token).await;

    let body = note("  Pasportun surəti bulanıqdır, ərizəçi ilə əlaqə saxladım.\n");
    let kept = s
        .post(&path, Some(&token), &body)
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(kept["id"], body["id"]);
    assert_eq!(
        kept["text"],
        "Pasportun surəti bulanıqdır, ərizəçi ilə əlaqə saxladım."
    );
    assert_eq!(kept["author"]["id"], officer.id.as_str());
    assert_eq!(kept["origin"], "desk");
    assert_eq!(kept["written_at"], "2026-12-01T05:30:00Z", "kept in UTC");
    // A repeat (the desk did not hear the answer) is the same note, kept once.
    let again = s
        .post(&path, Some(&token), &body)
        .await
        .expect(StatusCode::OK);
    assert_eq!(again, kept);
    assert_eq!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM notes WHERE origin = 'desk'"
        ),
        1
    );
    // The same id with other words is refused, not merged.
    let mut other = body.clone();
    other["text"] = json!("something else");
    let refused = s
        .post(&path, Some(&token), &other)
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(refused["cause"], "id_reused");

    // Listed, in the history, and the case's version did not move.
    let listed = s.get(&path, &token).await.expect(StatusCode::OK);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0], kept);
    let detail = s
        .get(&format!("/api/v1/applications/{}", id(case)), &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        version(&detail),
        version(case),
        "a note never makes a decision stale"
    );
    assert_eq!(
        notes_in(&detail["history"]),
        vec![kept["text"].as_str().unwrap()]
    );

    // The supervisor's feed brings the case with the note; the supervisor answers with one.
    let (seen, _) = fed(&s, &sup, &sup_cursor, id(case)).await;
    assert_eq!(
        notes_in(&seen.expect("in the supervisor's feed")["history"]).len(),
        1
    );
    let reply = note("Zəng edin, sabah yenidən baxarıq.");
    let reply_kept = s
        .post(&path, Some(&sup), &reply)
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        reply_kept["author"]["full_name"],
        s.account("baku", "supervisor", 0).full_name
    );
    let (seen, _) = fed(&s, &token, &officer_cursor, id(case)).await;
    let history = seen.expect("in the officer's feed")["history"].clone();
    assert_eq!(notes_in(&history).len(), 2);
    let last = history.as_array().unwrap().last().unwrap();
    assert_eq!(
        last["actor"]["full_name"],
        s.account("baku", "supervisor", 0).full_name
    );
    assert_eq!(last["detail"]["written_at"], "2026-12-01T05:30:00Z");

    // A decision made on the version the officer had still applies.
    s.post(
        &format!("/api/v1/applications/{}/decisions", id(case)),
        Some(&token),
        &crate::common::decision(version(case), "accept"),
    )
    .await
    .expect(StatusCode::CREATED);
}

#[tokio::test]
async fn notes_are_read_and_written_only_by_those_who_may_read_the_case() {
    let s = start().await;
    let (officer, _token, cases) = s.busy_officer(1).await;
    let path = format!("/api/v1/applications/{}/notes", id(&cases[0]));
    let colleague = s.other_officers(&officer.id).next().unwrap();
    let colleague = s.login(colleague).await;
    let ganja = s.login(s.account("ganja", "supervisor", 0)).await;
    for token in [&colleague, &ganja] {
        s.post(&path, Some(token), &note("x"))
            .await
            .expect_error(StatusCode::NOT_FOUND, "not_found");
        s.get(&path, token)
            .await
            .expect_error(StatusCode::NOT_FOUND, "not_found");
    }
    s.post(&path, None, &note("x"))
        .await
        .expect_error(StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(rows(&s.database, "SELECT COUNT(*) FROM notes"), 0);
}

#[tokio::test]
async fn a_bad_note_is_refused_and_stores_nothing() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let path = format!("/api/v1/applications/{}/notes", id(&cases[0]));
    let mut bad = vec![
        note(" \n "),
        note(&"ə".repeat(migdesk_api::NOTE_MAX_CHARS + 1)),
        json!({ "id": uuid::Uuid::new_v4(), "text": "x", "written_at": "yesterday" }),
        json!({ "id": "not-a-uuid", "text": "x", "written_at": "2026-12-01T09:30:00Z" }),
    ];
    let mut extra = note("x");
    extra["to_applicant"] = json!(true);
    bad.push(extra);
    for body in &bad {
        s.post(&path, Some(&token), body)
            .await
            .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    }
    assert_eq!(rows(&s.database, "SELECT COUNT(*) FROM notes"), 0);
    assert_eq!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM events WHERE kind = 'note_added'"
        ),
        0
    );
}

#[tokio::test]
async fn a_reassignments_reason_is_a_note_and_notes_are_in_the_history_export() {
    let s = start().await;
    let sup_account = s.account("baku", "supervisor", 0);
    let sup = s.login(sup_account).await;
    let (officer, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let path = format!("/api/v1/applications/{}/notes", id(case));
    s.post(
        &path,
        Some(&token),
        &note("=cmd|' /C calc'!A0 ərizəçi zəng etdi"),
    )
    .await
    .expect(StatusCode::CREATED);
    let target = s.other_officers(&officer.id).next().unwrap();
    crate::supervision::reassign(&s, &sup, case, &target.id).await;

    let notes = s.get(&path, &sup).await.expect(StatusCode::OK);
    let notes = notes.as_array().unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[1]["origin"], "reassignment");
    assert_eq!(notes[1]["text"], "annual leave");
    assert_eq!(notes[1]["author"]["id"], sup_account.id.as_str());
    // The officer who held the case still reads its notes; the one who has it now too.
    s.get(&path, &token).await.expect(StatusCode::OK);
    let new_holder = s.login(target).await;
    assert_eq!(
        s.get(&path, &new_holder).await.expect(StatusCode::OK),
        json!(notes)
    );

    let csv = s
        .get(
            &format!("/api/v1/applications/{}/history.csv", id(case)),
            &sup,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = String::from_utf8(csv.bytes).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let line = reader
        .records()
        .map(Result::unwrap)
        .find(|l| &l[3] == "note_added")
        .expect("the note in the export");
    assert_eq!(&line[1], officer.full_name);
    assert!(
        line[4].starts_with("internal note: =cmd"),
        "the note's words follow a label, so no cell begins with them: {line:?}"
    );
    assert!(line[4].contains("ərizəçi zəng etdi"), "{line:?}");
}

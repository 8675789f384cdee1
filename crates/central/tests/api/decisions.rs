use base64::Engine;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{decision, id, rows, start, version};

fn path(case: &Value) -> String {
    format!("/api/v1/applications/{}/decisions", id(case))
}

#[tokio::test]
async fn accept_is_recorded_once_and_replays_answer_the_same() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let req = decision(version(case), "accept");

    let first = s
        .post(&path(case), Some(&token), &req)
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(first["status"], "accepted");
    assert_eq!(first["version"], version(case) + 1);
    let replay = s
        .post(&path(case), Some(&token), &req)
        .await
        .expect(StatusCode::OK);
    assert_eq!(replay, first);

    assert_eq!(
        rows(
            &s.database,
            &format!(
                "SELECT COUNT(*) FROM decisions WHERE application_id = '{}'",
                id(case)
            )
        ),
        1
    );
    assert_eq!(
        rows(
            &s.database,
            &format!(
                "SELECT COUNT(*) FROM notifications WHERE application_id = '{}'",
                id(case)
            )
        ),
        1
    );

    let detail = s
        .get(&format!("/api/v1/applications/{}", id(case)), &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(detail["status"], "accepted");
    let last = detail["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "decided");
    assert_eq!(last["detail"]["decision_id"], req["id"]);

    // The applicant's e-mail, in the applicant's language, names the responsible official.
    let notes = s
        .get(
            &format!("/api/v1/applications/{}/notifications", id(case)),
            &token,
        )
        .await
        .expect(StatusCode::OK);
    let note = &notes[0];
    assert_eq!(note["state"], "queued");
    assert_eq!(note["to"], case["applicant"]["email"]);
    assert_eq!(note["language"], case["applicant"]["language"]);
    assert!(
        note["subject"]
            .as_str()
            .unwrap()
            .contains(case["number"].as_str().unwrap())
    );
    let me = s
        .get("/api/v1/session", &token)
        .await
        .expect(StatusCode::OK);
    assert!(
        note["body"]
            .as_str()
            .unwrap()
            .contains(me["full_name"].as_str().unwrap())
    );

    // The feed tells the officer's other desk.
    let (changes, _) = s.all_changes(&token).await;
    assert!(
        changes
            .iter()
            .any(|c| c["kind"] == "changed" && c["application_id"] == case["id"])
    );
}

#[tokio::test]
async fn missing_documents_lists_them_and_the_case_returns_when_they_arrive() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let required: Vec<String> = migdesk_domain::Catalogue::builtin()
        .service(case["service"].as_str().unwrap())
        .unwrap()
        .required_documents
        .clone();
    let missing = required.last().unwrap().clone();
    let mut req = decision(version(case), "missing_documents");
    req["missing_documents"] = json!([missing]);
    req["missing_other"] = json!("Notarial translation of the birth certificate");
    let res = s
        .post(&path(case), Some(&token), &req)
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(res["status"], "missing_documents");

    let notes = s
        .get(
            &format!("/api/v1/applications/{}/notifications", id(case)),
            &token,
        )
        .await
        .expect(StatusCode::OK);
    let lang =
        migdesk_domain::Lang::parse(case["applicant"]["language"].as_str().unwrap()).unwrap();
    let doc_name = migdesk_domain::Catalogue::builtin()
        .document_type(&missing)
        .unwrap()
        .name
        .get(lang)
        .to_owned();
    let body = notes[0]["body"].as_str().unwrap();
    assert!(body.contains(&doc_name), "{body}");
    assert!(body.contains("Notarial translation"), "{body}");

    // The deadline stops while the applicant owes documents, keeping the working days left.
    let calendar = migdesk_domain::Calendar::builtin();
    let today = migdesk_central::clock::local_date(migdesk_central::clock::now());
    let due =
        chrono::NaiveDate::parse_from_str(case["due_date"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    // Negative when the case is already late: time lost stays lost.
    let left = calendar.working_days_left(today, due).unwrap();
    let paused = s
        .get(&format!("/api/v1/applications/{}", id(case)), &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        paused["paused"],
        json!({ "since": today.format("%Y-%m-%d").to_string(), "working_days_left": left })
    );
    let event = paused["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "deadline_paused")
        .expect("the pause in the history");
    assert_eq!(event["detail"]["working_days_left"], left);

    // The applicant sends the document: the case is pending again, with a new version.
    let file = base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.4\n% a scan\n");
    let sent = s
        .post(
            &format!(
                "/api/v1/tracking/{}/documents",
                case["number"].as_str().unwrap()
            ),
            Some(&s.portal),
            &json!({
                "date_of_birth": case["applicant"]["date_of_birth"],
                "documents": [{ "type": missing, "file_name": "scan.pdf", "content_base64": file }],
            }),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(sent["status"], "pending");
    assert_eq!(sent["added"][0]["mime_type"], "application/pdf");
    let detail = s
        .get(&format!("/api/v1/applications/{}", id(case)), &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(detail["status"], "pending");
    assert_eq!(version(&detail), version(case) + 2);
    // The deadline runs again from today with the days it kept.
    let days = u32::try_from(left.unsigned_abs()).unwrap();
    let resumed_due = if left >= 0 {
        calendar.add_working_days(today, days)
    } else {
        calendar.working_days_before(today, days)
    }
    .unwrap()
    .format("%Y-%m-%d")
    .to_string();
    assert_eq!(
        calendar
            .working_days_left(
                today,
                chrono::NaiveDate::parse_from_str(&resumed_due, "%Y-%m-%d").unwrap()
            )
            .unwrap(),
        left
    );
    assert!(detail.get("paused").is_none(), "{}", detail["paused"]);
    assert_eq!(detail["due_date"], resumed_due.as_str());
    let event = detail["history"].as_array().unwrap().last().unwrap();
    assert_eq!(event["kind"], "deadline_resumed");
    assert_eq!(event["detail"]["due_date"], resumed_due.as_str());
    assert_eq!(event["detail"]["working_days_left"], left);

    // Accepted at last: nothing is owed, nothing stops.
    s.post(
        &path(case),
        Some(&token),
        &decision(version(&detail), "accept"),
    )
    .await
    .expect(StatusCode::CREATED);
    assert_eq!(
        rows(
            &s.database,
            &format!(
                "SELECT COUNT(*) FROM applications WHERE id = '{}' AND paused_on IS NULL AND due_date = '{resumed_due}'",
                id(case)
            )
        ),
        1
    );
}

#[tokio::test]
async fn refusal_needs_reasons_that_fit_the_case() {
    let s = start().await;
    // Applied at once: this department has no second pair of eyes on refusals.
    s.four_eyes("baku", false).await;
    let (_, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let doc_id = case["documents"][0]["id"].clone();

    let mut no_reasons = decision(version(case), "refuse");
    no_reasons["note"] = json!("x");
    s.post(&path(case), Some(&token), &no_reasons)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");

    let mut unknown_field = decision(version(case), "refuse");
    unknown_field["reasons"] = json!([{ "code": "form_incorrect", "fields": ["shoe_size"] }]);
    s.post(&path(case), Some(&token), &unknown_field)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");

    let mut other_without_note = decision(version(case), "refuse");
    other_without_note["reasons"] = json!([{ "code": "other" }]);
    s.post(&path(case), Some(&token), &other_without_note)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");

    // The refused requests were kept as such (for the supervisor), and applied to nothing.
    assert_eq!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM decisions WHERE outcome <> 'rejected'"
        ),
        0
    );
    assert_eq!(rows(&s.database, "SELECT COUNT(*) FROM notifications"), 0);

    let mut good = decision(version(case), "refuse");
    good["reasons"] = json!([
        { "code": "form_incorrect", "fields": ["passport_number"] },
        { "code": "contradictory", "fields": ["surname"], "documents": [doc_id] },
    ]);
    good["note"] = json!("The passport number on the form differs from the passport copy.");
    let res = s
        .post(&path(case), Some(&token), &good)
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(res["status"], "refused");
    let notes = s
        .get(
            &format!("/api/v1/applications/{}/notifications", id(case)),
            &token,
        )
        .await
        .expect(StatusCode::OK);
    let body = notes[0]["body"].as_str().unwrap();
    assert!(body.contains("passport_number"), "{body}");
    assert!(
        body.contains("The passport number on the form differs"),
        "{body}"
    );
}

#[tokio::test]
async fn each_conflict_has_its_cause_and_is_kept() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(4).await;

    // already_decided
    let a = &cases[0];
    s.post(&path(a), Some(&token), &decision(version(a), "accept"))
        .await
        .expect(StatusCode::CREATED);
    let again = s
        .post(&path(a), Some(&token), &decision(version(a) + 1, "accept"))
        .await;
    assert_eq!(
        again.expect_error(StatusCode::CONFLICT, "conflict")["cause"],
        "already_decided"
    );

    // stale_version: the applicant sent a document meanwhile.
    let b = &cases[1];
    let file = base64::engine::general_purpose::STANDARD.encode(b"\x89PNG\r\n\x1a\nrest");
    s.post(
        &format!("/api/v1/tracking/{}/documents", b["number"].as_str().unwrap()),
        Some(&s.portal),
        &json!({ "date_of_birth": b["applicant"]["date_of_birth"], "documents": [{ "type": "photos", "file_name": "p.png", "content_base64": file }] }),
    )
    .await
    .expect(StatusCode::CREATED);
    let stale = s
        .post(&path(b), Some(&token), &decision(version(b), "accept"))
        .await;
    let body = stale.expect_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(body["cause"], "stale_version");
    assert_eq!(body["current"]["assignment"]["version"], version(b) + 1);

    // reassigned: the supervisor moved the case while the officer was offline.
    let c = &cases[2];
    let sup = s.login(s.account("baku", "supervisor", 0)).await;
    let me = s
        .get("/api/v1/session", &token)
        .await
        .expect(StatusCode::OK);
    let other = s
        .accounts
        .iter()
        .find(|a| {
            a.department == "baku" && a.role == "officer" && a.id != me["id"].as_str().unwrap()
        })
        .unwrap();
    s.post(
        "/api/v1/departments/baku/assignments",
        Some(&sup),
        &json!({ "applications": [{ "application_id": id(c), "based_on_version": version(c) }], "officer_id": other.id, "reason": "leave" }),
    )
    .await
    .expect(StatusCode::OK);
    let offline = decision(version(c), "accept");
    let moved = s.post(&path(c), Some(&token), &offline).await;
    let body = moved.expect_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(body["cause"], "reassigned");
    assert_eq!(
        body["current"]["assignment"]["officer"]["id"],
        other.id.as_str()
    );
    // Kept, and the replay answers the same.
    let replay = s.post(&path(c), Some(&token), &offline).await;
    assert_eq!(replay.expect(StatusCode::CONFLICT), body);
    assert_eq!(
        rows(
            &s.database,
            &format!(
                "SELECT COUNT(*) FROM decisions WHERE outcome = 'reassigned' AND application_id = '{}'",
                id(c)
            )
        ),
        1
    );
    let history = s
        .get(&format!("/api/v1/applications/{}", id(c)), &sup)
        .await
        .expect(StatusCode::OK)["history"]
        .clone();
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "decision_conflict")
    );

    // withdrawn
    let d = &cases[3];
    s.post(
        &format!(
            "/api/v1/tracking/{}/withdrawal",
            d["number"].as_str().unwrap()
        ),
        Some(&s.portal),
        &json!({ "date_of_birth": d["applicant"]["date_of_birth"] }),
    )
    .await
    .expect(StatusCode::OK);
    let w = s
        .post(&path(d), Some(&token), &decision(version(d), "accept"))
        .await;
    assert_eq!(
        w.expect_error(StatusCode::CONFLICT, "conflict")["cause"],
        "withdrawn"
    );

    // id_reused: the same id for a different decision.
    let mut reused = decision(version(a), "refuse");
    reused["id"] = offline["id"].clone();
    reused["reasons"] = json!([{ "code": "other" }]);
    reused["note"] = json!("x");
    let r = s.post(&path(c), Some(&token), &reused).await;
    assert_eq!(
        r.expect_error(StatusCode::CONFLICT, "conflict")["cause"],
        "id_reused"
    );
}

#[tokio::test]
async fn only_the_assigned_officer_decides() {
    let s = start().await;
    let (officer, _, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let colleague = s
        .accounts
        .iter()
        .find(|a| a.department == "baku" && a.role == "officer" && a.id != officer.id)
        .unwrap();
    let token = s.login(colleague).await;
    // A colleague's case is not theirs to read, so not to decide either: it answers as missing.
    s.post(
        &path(case),
        Some(&token),
        &decision(version(case), "accept"),
    )
    .await
    .expect_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(rows(&s.database, "SELECT COUNT(*) FROM decisions"), 0);
}

#[tokio::test]
async fn decisions_rejected_for_good_are_kept_and_the_supervisor_sees_them() {
    let s = start().await;
    let (officer, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    // A refusal without a reason does not fit the case: the same answer to every repeat.
    let refusal = decision(version(case), "refuse");
    let first = s
        .post(&path(case), Some(&token), &refusal)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    let again = s.post(&path(case), Some(&token), &refusal).await;
    assert_eq!(again.expect(StatusCode::BAD_REQUEST), first);
    assert_eq!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM decisions WHERE outcome = 'rejected' AND status_code = 400"
        ),
        1,
        "kept once"
    );

    // The department's supervisor sees it, in the centre's words, and can only hand it on.
    let sup = s.login(s.account("baku", "supervisor", 0)).await;
    let listed = s
        .get("/api/v1/conflicts", &sup)
        .await
        .expect(StatusCode::OK);
    let kept = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["decision_id"] == refusal["id"])
        .expect("listed to the supervisor");
    assert_eq!(kept["cause"], "rejected");
    assert_eq!(kept["message"], first["message"]);
    assert_eq!(kept["decided_by"]["id"], officer.id.as_str());
    let mine = s
        .get("/api/v1/conflicts", &token)
        .await
        .expect(StatusCode::OK);
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .any(|c| c["decision_id"] == refusal["id"] && c["cause"] == "rejected"),
        "and to the officer who made it: {mine}"
    );
    let resolution = format!(
        "/api/v1/conflicts/{}/resolution",
        refusal["id"].as_str().unwrap()
    );
    s.post(
        &resolution,
        Some(&sup),
        &json!({ "action": "apply", "reason": "" }),
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    let answered = s
        .post(
            &resolution,
            Some(&sup),
            &json!({ "action": "hand_over", "reason": "decide it again with the reasons" }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(answered["resolution"]["action"], "hand_over");

    // The case is untouched and its history says what happened.
    let detail = s
        .get(&format!("/api/v1/applications/{}", id(case)), &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(detail["status"], "pending");
    assert!(
        detail["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "decision_conflict" && e["detail"]["cause"] == "rejected"),
        "{}",
        detail["history"]
    );
    // The officer decides again, properly.
    s.post(
        &path(case),
        Some(&token),
        &decision(version(case), "accept"),
    )
    .await
    .expect(StatusCode::CREATED);
}

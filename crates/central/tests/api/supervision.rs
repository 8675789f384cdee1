use reqwest::StatusCode;
use serde_json::json;

use crate::common::{id, rows, start, version};

#[tokio::test]
async fn workload_counts_each_officers_open_cases() {
    let s = start().await;
    let sup = s.login(s.account("baku", "supervisor", 0)).await;
    let w = s
        .get("/api/v1/departments/baku/workload", &sup)
        .await
        .expect(StatusCode::OK);
    let officers = w["officers"].as_array().unwrap();
    assert_eq!(
        officers.len(),
        s.accounts
            .iter()
            .filter(|a| a.department == "baku" && a.role == "officer")
            .count()
    );
    let total: i64 = officers.iter().map(|o| o["open"].as_i64().unwrap()).sum();
    assert_eq!(
        total,
        rows(
            &s.database,
            "SELECT COUNT(*) FROM applications WHERE department_id = 'baku' AND status = 'pending'"
        )
    );
    for o in officers {
        assert!(o["overdue"].as_i64().unwrap() <= o["open"].as_i64().unwrap());
    }
    // A desk that synced shows when.
    let (officer, token, _) = s.busy_officer(1).await;
    s.get("/api/v1/changes", &token)
        .await
        .expect(StatusCode::OK);
    let w = s
        .get("/api/v1/departments/baku/workload", &sup)
        .await
        .expect(StatusCode::OK);
    let mine = w["officers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["officer"]["id"] == officer.id.as_str())
        .unwrap()
        .clone();
    assert!(mine["last_sync_at"].as_str().is_some(), "{mine}");
}

#[tokio::test]
async fn officers_and_other_departments_are_refused() {
    let s = start().await;
    let officer = s.login(s.account("baku", "officer", 0)).await;
    s.get("/api/v1/departments/baku/workload", &officer)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let body = json!({ "applications": [{ "application_id": "x", "based_on_version": 1 }], "officer_id": "y", "reason": "z" });
    s.post(
        "/api/v1/departments/baku/assignments",
        Some(&officer),
        &body,
    )
    .await
    .expect_error(StatusCode::FORBIDDEN, "forbidden");
    let ganja_sup = s.login(s.account("ganja", "supervisor", 0)).await;
    s.get("/api/v1/departments/baku/workload", &ganja_sup)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    s.post(
        "/api/v1/departments/baku/assignments",
        Some(&ganja_sup),
        &body,
    )
    .await
    .expect_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn bulk_reassignment_moves_all_or_nothing_and_records_why() {
    let s = start().await;
    let (officer, token, cases) = s.busy_officer(2).await;
    let sup = s.login(s.account("baku", "supervisor", 0)).await;
    let target = s.other_officers(&officer.id).next().unwrap();
    let (a, b) = (&cases[0], &cases[1]);

    // One stale version: nothing moves.
    let stale = json!({
        "applications": [
            { "application_id": id(a), "based_on_version": version(a) },
            { "application_id": id(b), "based_on_version": version(b) - 1 },
        ],
        "officer_id": target.id, "reason": "sick leave",
    });
    let r = s
        .post("/api/v1/departments/baku/assignments", Some(&sup), &stale)
        .await;
    assert_eq!(
        r.expect_error(StatusCode::CONFLICT, "conflict")["cause"],
        "stale_version"
    );
    assert_eq!(
        rows(
            &s.database,
            &format!(
                "SELECT COUNT(*) FROM applications WHERE officer_id = '{}' AND id IN ('{}','{}')",
                target.id,
                id(a),
                id(b)
            )
        ),
        0
    );

    let ok = json!({
        "applications": [
            { "application_id": id(a), "based_on_version": version(a) },
            { "application_id": id(b), "based_on_version": version(b) },
        ],
        "officer_id": target.id, "reason": "sick leave",
    });
    let moved = s
        .post("/api/v1/departments/baku/assignments", Some(&sup), &ok)
        .await
        .expect(StatusCode::OK);
    assert_eq!(moved["moved"].as_array().unwrap().len(), 2);

    // History says who, when and why.
    let detail = s
        .get(&format!("/api/v1/applications/{}", id(a)), &sup)
        .await
        .expect(StatusCode::OK);
    let last = detail["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "reassigned");
    assert_eq!(last["detail"]["reason"], "sick leave");
    assert_eq!(last["detail"]["to"], target.id.as_str());
    assert_eq!(
        last["actor"]["full_name"],
        s.account("baku", "supervisor", 0).full_name
    );

    // The old officer's feed says the case left; the new officer's says it arrived.
    let (old_feed, _) = s.all_changes(&token).await;
    let left = old_feed
        .iter()
        .find(|c| c["kind"] == "reassigned" && c["application_id"] == a["id"])
        .unwrap();
    assert!(left["application"].is_null());
    assert_eq!(left["assignment"]["officer"]["id"], target.id.as_str());
    let new_token = s.login(target).await;
    let (new_feed, _) = s.all_changes(&new_token).await;
    assert!(
        new_feed
            .iter()
            .any(|c| c["kind"] == "reassigned" && c["application"]["id"] == a["id"])
    );
}

#[tokio::test]
async fn reassignment_input_is_checked() {
    let s = start().await;
    let sup = s.login(s.account("baku", "supervisor", 0)).await;
    let (_, _, cases) = s.busy_officer(1).await;
    let a = &cases[0];
    let ganja_officer = s.account("ganja", "officer", 0);
    let cases_body = |officer: &str, reason: &str| json!({ "applications": [{ "application_id": id(a), "based_on_version": version(a) }], "officer_id": officer, "reason": reason });
    s.post(
        "/api/v1/departments/baku/assignments",
        Some(&sup),
        &cases_body(&ganja_officer.id, "x"),
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    let baku_officer = s.account("baku", "officer", 1);
    s.post(
        "/api/v1/departments/baku/assignments",
        Some(&sup),
        &cases_body(&baku_officer.id, "  "),
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    let long = s
        .post(
            "/api/v1/departments/baku/assignments",
            Some(&sup),
            &cases_body(&baku_officer.id, &"ə".repeat(1001)),
        )
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    assert!(
        long["message"]
            .as_str()
            .unwrap()
            .contains("longer than 1000"),
        "{long}"
    );
    s.post(
        "/api/v1/departments/baku/assignments",
        Some(&sup),
        &json!({ "applications": [], "officer_id": baku_officer.id, "reason": "x" }),
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "bad_request");
}

/// A supervisor moves `case` (fresh from the feed) to `target`.
pub(crate) async fn reassign(
    s: &crate::common::Server,
    sup: &str,
    case: &serde_json::Value,
    target: &str,
) {
    let body = json!({
        "applications": [{ "application_id": id(case), "based_on_version": version(case) }],
        "officer_id": target, "reason": "annual leave",
    });
    s.post("/api/v1/departments/baku/assignments", Some(sup), &body)
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn an_officers_cases_say_which_may_hold_unsent_work() {
    let s = start().await;
    let sup = s.login(s.account("baku", "supervisor", 0)).await;
    let (officer, token, cases) = s.busy_officer(2).await;
    let path = format!("/api/v1/departments/baku/officers/{}/cases", officer.id);
    // `busy_officer` read the feed, as the officer's desk does when it syncs: nothing has
    // changed since.
    let listed = s.get(&path, &sup).await.expect(StatusCode::OK);
    assert_eq!(listed["officer"]["id"], officer.id.as_str());
    let all = listed["cases"].as_array().unwrap();
    assert_eq!(
        all.len() as i64,
        rows(
            &s.database,
            &format!(
                "SELECT COUNT(*) FROM applications WHERE officer_id = '{}' AND status IN ('pending', 'missing_documents')",
                officer.id
            )
        )
    );
    assert!(
        all.iter().all(|c| c["may_hold_unsent_work"] == false),
        "{listed}"
    );

    // The applicant sends a document to one case: the officer's desk has not seen that change.
    let changed = &cases[0];
    let number = changed["number"].as_str().unwrap();
    let dob = changed["applicant"]["date_of_birth"].as_str().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    s.post(
        &format!("/api/v1/tracking/{number}/documents"),
        Some(&s.portal),
        &json!({ "date_of_birth": dob, "documents": [{ "type": "passport-copy", "file_name": "p.png",
            "content_base64": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABc3UWCgAAAABJRU5ErkJggg==" }] }),
    )
    .await
    .expect(StatusCode::CREATED);
    let listed = s.get(&path, &sup).await.expect(StatusCode::OK);
    for c in listed["cases"].as_array().unwrap() {
        assert_eq!(
            c["may_hold_unsent_work"] == true,
            c["application_id"] == changed["id"],
            "{c}"
        );
    }
    // Once the desk syncs, it has seen everything.
    s.all_changes(&token).await;
    let listed = s.get(&path, &sup).await.expect(StatusCode::OK);
    assert!(
        listed["cases"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["may_hold_unsent_work"] == false)
    );

    // No such officer here, and officers may not look.
    s.get("/api/v1/departments/baku/officers/nobody/cases", &sup)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    s.get(&path, &token)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn a_conflict_is_listed_to_all_concerned_and_resolved_once_by_a_supervisor() {
    let s = start().await;
    let sup = s.login(s.account("baku", "supervisor", 0)).await;
    let (officer, token, cases) = s.busy_officer(3).await;
    let target = s.other_officers(&officer.id).next().unwrap();
    let bystander = s.other_officers(&officer.id).nth(1).unwrap();
    let target_token = s.login(target).await;
    let bystander_token = s.login(bystander).await;

    // Three decisions made offline on cases moved meanwhile: three conflicts.
    let mut conflicts = Vec::new();
    for case in &cases[..3] {
        reassign(&s, &sup, case, &target.id).await;
        let d = crate::common::decision(version(case), "accept");
        s.post(
            &format!("/api/v1/applications/{}/decisions", id(case)),
            Some(&token),
            &d,
        )
        .await
        .expect_error(StatusCode::CONFLICT, "conflict");
        conflicts.push(d["id"].as_str().unwrap().to_owned());
    }

    // The supervisor, the officer who decided and the officer who has the case see them;
    // another officer does not.
    for t in [&sup, &token, &target_token] {
        let listed = s.get("/api/v1/conflicts", t).await.expect(StatusCode::OK);
        let ids: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["decision_id"].as_str().unwrap())
            .collect();
        for c in &conflicts {
            assert!(ids.contains(&c.as_str()), "{listed}");
        }
    }
    let listed = s
        .get("/api/v1/conflicts", &bystander_token)
        .await
        .expect(StatusCode::OK);
    assert!(listed.as_array().unwrap().is_empty(), "{listed}");
    let first = s
        .get("/api/v1/conflicts", &sup)
        .await
        .expect(StatusCode::OK)[0]
        .clone();
    assert_eq!(first["cause"], "reassigned");
    assert_eq!(first["decided_by"]["id"], officer.id.as_str());
    assert_eq!(first["now_with"]["id"], target.id.as_str());
    assert_eq!(first["kind"], "accept");
    assert!(first["resolution"].is_null());

    let resolve = |n: usize, body: serde_json::Value, t: String| {
        let path = format!("/api/v1/conflicts/{}/resolution", conflicts[n]);
        let s = &s;
        async move { s.post(&path, Some(&t), &body).await }
    };
    // Officers may not resolve; discarding needs a reason.
    resolve(0, json!({ "action": "apply" }), token.clone())
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
    resolve(
        0,
        json!({ "action": "discard", "reason": " " }),
        sup.clone(),
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "bad_request");

    // Apply: the case takes the offline decision, signed by the officer who made it.
    let applied = resolve(0, json!({ "action": "apply" }), sup.clone())
        .await
        .expect(StatusCode::OK);
    assert_eq!(applied["resolution"]["action"], "apply");
    assert_eq!(applied["status"], "accepted");
    let case0 = id(&cases[0]);
    assert_eq!(
        rows(
            &s.database,
            &format!(
                "SELECT COUNT(*) FROM notifications WHERE application_id = '{case0}' AND decision_id = '{}'",
                conflicts[0]
            )
        ),
        1
    );
    // Answered once.
    resolve(
        0,
        json!({ "action": "discard", "reason": "x" }),
        sup.clone(),
    )
    .await
    .expect_error(StatusCode::CONFLICT, "conflict");

    // Hand over: the case stays with the officer who has it, undecided.
    let handed = resolve(
        1,
        json!({ "action": "hand_over", "reason": "decide it yourself" }),
        sup.clone(),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(handed["status"], "pending");
    assert_eq!(handed["resolution"]["reason"], "decide it yourself");
    // Discard, with its reason.
    let discarded = resolve(
        2,
        json!({ "action": "discard", "reason": "documents were forged" }),
        sup.clone(),
    )
    .await
    .expect(StatusCode::OK);
    assert_eq!(discarded["resolution"]["action"], "discard");

    // The officer who decided sees each answer.
    let mine = s
        .get("/api/v1/conflicts", &token)
        .await
        .expect(StatusCode::OK);
    let answered: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["resolution"]["action"].as_str())
        .collect();
    assert_eq!(answered.len(), 3, "{mine}");

    // After a hand-over the officer who has the case decides it.
    let case = &cases[1];
    let after_hand_over = s
        .get(&format!("/api/v1/applications/{}", id(case)), &target_token)
        .await
        .expect(StatusCode::OK);
    s.post(
        &format!("/api/v1/applications/{}/decisions", id(case)),
        Some(&target_token),
        &crate::common::decision(version(&after_hand_over), "accept"),
    )
    .await
    .expect(StatusCode::CREATED);
}

#[tokio::test]
async fn a_cases_history_exports_as_csv_for_supervisors_only() {
    let s = start().await;
    let sup = s.login(s.account("baku", "supervisor", 0)).await;
    let (officer, token, cases) = s.busy_officer(1).await;
    let target = s.other_officers(&officer.id).next().unwrap();
    let case = &cases[0];
    // Opened on the desk, moved, decided offline (a conflict), applied by the supervisor.
    s.post(
        "/api/v1/audit",
        Some(&token),
        &json!({ "events": [{ "id": "desk-1", "application_id": id(case), "kind": "opened",
            "at": migdesk_central::clock::format(migdesk_central::clock::now()) }] }),
    )
    .await
    .expect(StatusCode::OK);
    reassign(&s, &sup, case, &target.id).await;
    let d = crate::common::decision(version(case), "accept");
    s.post(
        &format!("/api/v1/applications/{}/decisions", id(case)),
        Some(&token),
        &d,
    )
    .await
    .expect_error(StatusCode::CONFLICT, "conflict");
    s.post(
        &format!("/api/v1/conflicts/{}/resolution", d["id"].as_str().unwrap()),
        Some(&sup),
        // A reason a spreadsheet would run as a formula, were it not neutralised.
        &json!({ "action": "apply", "reason": "=HYPERLINK(\"http://x.invalid\",\"checked\")" }),
    )
    .await
    .expect(StatusCode::OK);

    let path = format!("/api/v1/applications/{}/history.csv", id(case));
    let resp = s.get(&path, &sup).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.headers["content-type"], "text/csv; charset=utf-8");
    let text = String::from_utf8(resp.bytes.clone()).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["time", "who", "role", "event", "details", "reason"]
    );
    let lines: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let events: Vec<&str> = lines.iter().map(|l| &l[3]).collect();
    for expected in [
        "received",
        "assigned",
        "opened",
        "reassigned",
        "decision_conflict",
        "conflict_resolved",
        "decided",
    ] {
        assert!(
            events.contains(&expected),
            "{expected} missing from {events:?}"
        );
    }
    let moved = lines.iter().find(|l| &l[3] == "reassigned").unwrap();
    assert_eq!(&moved[1], s.account("baku", "supervisor", 0).full_name);
    assert_eq!(&moved[5], "annual leave");
    assert!(moved[4].contains(target.full_name), "{moved:?}");
    let opened = lines.iter().find(|l| &l[3] == "opened").unwrap();
    assert_eq!(&opened[1], officer.full_name);
    let resolved = lines.iter().find(|l| &l[3] == "conflict_resolved").unwrap();
    assert_eq!(
        &resolved[5], "'=HYPERLINK(\"http://x.invalid\",\"checked\")",
        "a formula is exported as text"
    );
    let times: Vec<&str> = lines.iter().map(|l| &l[0]).collect();
    assert!(times.is_sorted(), "{times:?}");

    // Officers may not export.
    s.get(&path, &token)
        .await
        .expect_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn a_quiet_desk_may_hold_unsent_work_on_every_case() {
    let s = crate::common::start_with(migdesk_central::Config {
        quiet_desk_seconds: 2,
        ..migdesk_central::Config::default()
    })
    .await;
    let sup = s.login(s.account("baku", "supervisor", 0)).await;
    let (officer, _token, _) = s.busy_officer(1).await;
    let path = format!("/api/v1/departments/baku/officers/{}/cases", officer.id);
    let flags = |v: &serde_json::Value| -> Vec<bool> {
        v["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["may_hold_unsent_work"].as_bool().unwrap())
            .collect()
    };
    let fresh = flags(&s.get(&path, &sup).await.expect(StatusCode::OK));
    assert!(!fresh.is_empty() && fresh.iter().all(|f| !f), "{fresh:?}");
    // Not heard from for longer than the quiet period: any case may hold a decision.
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    let quiet = flags(&s.get(&path, &sup).await.expect(StatusCode::OK));
    assert!(quiet.iter().all(|f| *f), "{quiet:?}");
}

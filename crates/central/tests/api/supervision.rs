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
            &s.db_path,
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
    let target = s
        .accounts
        .iter()
        .find(|a| a.department == "baku" && a.role == "officer" && a.id != officer.id)
        .unwrap();
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
            &s.db_path,
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
    s.post(
        "/api/v1/departments/baku/assignments",
        Some(&sup),
        &json!({ "applications": [], "officer_id": baku_officer.id, "reason": "x" }),
    )
    .await
    .expect_error(StatusCode::BAD_REQUEST, "bad_request");
}

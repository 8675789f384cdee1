use reqwest::{Method, StatusCode};
use sha2::{Digest, Sha256};

use crate::common::{id, start};

#[tokio::test]
async fn the_feed_pages_resumes_and_is_idempotent() {
    let s = start().await;
    let (_, token, _) = s.busy_officer(1).await;
    let (all, cursor) = s.all_changes(&token).await;
    assert!(!all.is_empty());
    // Everything an officer sees is assigned to them.
    let me = s
        .get("/api/v1/session", &token)
        .await
        .expect(StatusCode::OK);
    for c in &all {
        assert_eq!(c["assignment"]["officer"]["id"], me["id"], "{c}");
        assert_eq!(c["kind"], "created");
        assert_eq!(c["application"]["department_id"], "baku");
    }
    // No change since: an empty page and the same cursor.
    let again = s
        .get(&format!("/api/v1/changes?cursor={cursor}"), &token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(again["changes"].as_array().unwrap().len(), 0);
    assert_eq!(again["next_cursor"], cursor.as_str());
    // Reading from the start again gives the same changes.
    let (twice, cursor2) = s.all_changes(&token).await;
    assert_eq!(twice, all);
    assert_eq!(cursor2, cursor);
}

#[tokio::test]
async fn a_supervisor_sees_the_whole_department_and_nothing_else() {
    let s = start().await;
    let sup = s.login(s.account("baku", "supervisor", 0)).await;
    let (all, _) = s.all_changes(&sup).await;
    let baku_cases = crate::common::rows(
        &s.database,
        "SELECT COUNT(*) FROM applications WHERE department_id = 'baku'",
    );
    assert_eq!(all.len() as i64, baku_cases);
    assert!(
        all.iter()
            .all(|c| c["application"]["department_id"] == "baku")
    );
}

#[tokio::test]
async fn cases_and_documents_do_not_leak_across_departments() {
    let s = start().await;
    let (_, baku_token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let doc = case["documents"][0]["id"].as_str().unwrap();

    let ganja = s.login(s.account("ganja", "officer", 0)).await;
    s.get(&format!("/api/v1/applications/{}", id(case)), &ganja)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    s.get(&format!("/api/v1/documents/{doc}"), &ganja)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    s.get(
        &format!("/api/v1/applications/{}/notifications", id(case)),
        &ganja,
    )
    .await
    .expect_error(StatusCode::NOT_FOUND, "not_found");
    let (ganja_changes, _) = s.all_changes(&ganja).await;
    assert!(
        ganja_changes
            .iter()
            .all(|c| c["application_id"] != case["id"])
    );

    // The same department may read it.
    let detail = s
        .get(&format!("/api/v1/applications/{}", id(case)), &baku_token)
        .await
        .expect(StatusCode::OK);
    assert_eq!(detail["number"], case["number"]);
    let history: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(history, vec!["received", "assigned"]);
}

#[tokio::test]
async fn documents_download_with_etag_and_ranges() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let doc = &cases[0]["documents"][0];
    let path = format!("/api/v1/documents/{}", doc["id"].as_str().unwrap());
    let sha = doc["sha256"].as_str().unwrap();

    let full = s.get(&path, &token).await;
    assert_eq!(full.status, StatusCode::OK);
    assert_eq!(hex::encode(Sha256::digest(&full.bytes)), sha);
    assert_eq!(full.bytes.len() as i64, doc["size"].as_i64().unwrap());
    assert_eq!(full.headers["etag"], format!("\"{sha}\"").as_str());
    assert_eq!(
        full.headers["content-type"],
        doc["mime_type"].as_str().unwrap()
    );
    assert_eq!(full.headers["accept-ranges"], "bytes");

    let not_modified = s
        .send(
            s.request(Method::GET, &path, Some(&token))
                .header("if-none-match", format!("\"{sha}\"")),
        )
        .await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    assert!(not_modified.bytes.is_empty());

    // Resume: the second half.
    let half = full.bytes.len() / 2;
    let rest = s
        .send(
            s.request(Method::GET, &path, Some(&token))
                .header("range", format!("bytes={half}-")),
        )
        .await;
    assert_eq!(rest.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(rest.bytes, full.bytes[half..]);
    assert_eq!(
        rest.headers["content-range"],
        format!("bytes {half}-{}/{}", full.bytes.len() - 1, full.bytes.len()).as_str()
    );

    let beyond = s
        .send(
            s.request(Method::GET, &path, Some(&token))
                .header("range", format!("bytes={}-", full.bytes.len())),
        )
        .await;
    beyond.expect_error(StatusCode::RANGE_NOT_SATISFIABLE, "range_not_satisfiable");
    assert_eq!(
        beyond.headers["content-range"],
        format!("bytes */{}", full.bytes.len()).as_str()
    );

    s.get(
        "/api/v1/documents/00000000-0000-0000-0000-000000000000",
        &token,
    )
    .await
    .expect_error(StatusCode::NOT_FOUND, "not_found");
}

/// A large document is read on the database's blocking threads, not the request's (a small one
/// there): the whole file, a small range of it and a large range come back byte for byte.
#[tokio::test]
async fn a_large_document_downloads_whole_and_in_ranges() {
    use base64::Engine;
    let s = start().await;
    let mut body = crate::intake::application("baku");
    // 1.5 MiB that compress to nothing alike: the bytes of a counter, hashed.
    let mut bytes = b"%PDF-1.4\n".to_vec();
    let mut block = Sha256::digest(b"migdesk");
    while bytes.len() < 3 * 512 * 1024 {
        block = Sha256::digest(block);
        bytes.extend_from_slice(&block);
    }
    body["documents"][0]["content_base64"] = base64::engine::general_purpose::STANDARD
        .encode(&bytes)
        .into();
    crate::intake::submit(&s, &body)
        .await
        .expect(StatusCode::CREATED);
    let application = body["id"].as_str().unwrap().to_owned();
    let document: String = migdesk_central::testing::with_sql(&s.database, |conn| {
        conn.query_row(
            "SELECT id FROM documents WHERE application_id = ?1 AND file_name = 'form.pdf'",
            [&application],
            |r| r.get(0),
        )
        .unwrap()
    });
    let path = format!("/api/v1/documents/{document}");
    let supervisor = s.login(s.account("baku", "supervisor", 0)).await;

    let whole = s.get(&path, &supervisor).await;
    assert_eq!(whole.status, StatusCode::OK);
    assert_eq!(whole.bytes, bytes);
    let ranged = |from: usize, to: usize| {
        s.send(
            s.request(Method::GET, &path, Some(&supervisor))
                .header("range", format!("bytes={from}-{to}")),
        )
    };
    for (from, to) in [
        (bytes.len() - 100, bytes.len() - 1),
        (1000, 1000 + 700 * 1024),
    ] {
        let part = ranged(from, to).await;
        assert_eq!(part.status, StatusCode::PARTIAL_CONTENT, "{from}-{to}");
        assert_eq!(part.bytes, bytes[from..=to], "{from}-{to}");
    }
}

#[tokio::test]
async fn seeded_documents_are_real_files_of_their_declared_type() {
    let s = start().await;
    let sup = s.login(s.account("baku", "supervisor", 0)).await;
    let (all, _) = s.all_changes(&sup).await;
    let mut kinds = std::collections::BTreeSet::new();
    for c in all.iter().take(6) {
        for d in c["application"]["documents"].as_array().unwrap() {
            let bytes = s
                .get(
                    &format!("/api/v1/documents/{}", d["id"].as_str().unwrap()),
                    &sup,
                )
                .await
                .bytes;
            let mime = d["mime_type"].as_str().unwrap();
            kinds.insert(mime.to_owned());
            match mime {
                "application/pdf" => assert!(bytes.starts_with(b"%PDF-")),
                "image/jpeg" => assert!(image::load_from_memory(&bytes).is_ok()),
                "image/png" | "image/tiff" => {
                    assert!(image::load_from_memory(&bytes).is_ok(), "{mime}")
                }
                other => panic!("unexpected type {other}"),
            }
        }
    }
    assert!(
        kinds.contains("application/pdf") && kinds.contains("image/jpeg"),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn tracking_tells_the_applicant_status_and_responsible_department_not_the_officer() {
    let s = start().await;
    let (officer, _, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let number = case["number"].as_str().unwrap();
    let dob = case["applicant"]["date_of_birth"].as_str().unwrap();
    let t = s
        .send(s.request(
            Method::GET,
            &format!("/api/v1/tracking?number={number}&date_of_birth={dob}"),
            Some(&s.portal),
        ))
        .await
        .expect(StatusCode::OK);
    assert_eq!(t["status"], "pending");
    assert_eq!(t["department"]["id"], officer.department);
    assert!(
        !t.to_string().contains(officer.full_name),
        "the public answer names no officer: {t}"
    );
    let wrong = s
        .send(s.request(
            Method::GET,
            &format!("/api/v1/tracking?number={number}&date_of_birth=1900-01-01"),
            Some(&s.portal),
        ))
        .await;
    wrong.expect_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn desks_report_their_audit_trail_once() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(1).await;
    let event = serde_json::json!({ "events": [
        { "id": "desk-1", "kind": "opened", "application_id": cases[0]["id"], "at": "2026-11-20T10:00:00Z" },
        { "id": "desk-2", "kind": "decided", "application_id": cases[0]["id"], "at": "2026-11-20T10:05:00Z" },
    ]});
    let first = s
        .post("/api/v1/audit", Some(&token), &event)
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (first["recorded"].as_i64(), first["repeated"].as_i64()),
        (Some(2), Some(0))
    );
    let again = s
        .post("/api/v1/audit", Some(&token), &event)
        .await
        .expect(StatusCode::OK);
    assert_eq!(
        (again["recorded"].as_i64(), again["repeated"].as_i64()),
        (Some(0), Some(2))
    );
    assert_eq!(
        crate::common::rows(&s.database, "SELECT COUNT(*) FROM desk_audit"),
        2
    );

    let bad_kind = serde_json::json!({ "events": [{ "id": "x", "kind": "deleted", "application_id": cases[0]["id"], "at": "2026-11-20T10:00:00Z" }] });
    s.post("/api/v1/audit", Some(&token), &bad_kind)
        .await
        .expect_error(StatusCode::BAD_REQUEST, "bad_request");
    let ganja = s.login(s.account("ganja", "officer", 0)).await;
    s.post("/api/v1/audit", Some(&ganja), &event)
        .await
        .expect_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(
        crate::common::rows(&s.database, "SELECT COUNT(*) FROM desk_audit"),
        2
    );
}

#[tokio::test]
async fn a_feed_restored_from_a_backup_sends_desks_back_to_the_start() {
    let s = start().await;
    let (_, token, _) = s.busy_officer(1).await;
    let (all, cursor) = s.all_changes(&token).await;
    assert!(cursor.starts_with("c2:"), "{cursor}");
    let at = |cursor: &str| format!("/api/v1/changes?cursor={cursor}");

    // A position beyond the feed's end (the sequence restarted below it after a restore nobody
    // marked) is refused, not answered with an empty page that would skip every new change.
    let (prefix, _) = cursor.rsplit_once(':').unwrap();
    s.get(&at(&format!("{prefix}:999999")), &token)
        .await
        .expect_error(StatusCode::GONE, "gone");

    // The operator marks the restore: the old position belongs to another epoch.
    let epoch = migdesk_central::testing::with_sql(&s.database, |conn| {
        migdesk_central::instance::restored(conn).unwrap()
    });
    let gone = s
        .get(&at(&cursor), &token)
        .await
        .expect_error(StatusCode::GONE, "gone");
    assert!(
        gone["message"].as_str().unwrap().contains("from the start"),
        "{gone}"
    );
    // So does a cursor written before epochs existed.
    s.get(&at("c1:1"), &token)
        .await
        .expect_error(StatusCode::GONE, "gone");

    // From the start, the same changes come again, under the new epoch.
    let (again, new_cursor) = s.all_changes(&token).await;
    assert_eq!(again, all);
    assert!(
        new_cursor.starts_with(&format!("c2:{epoch}:")),
        "{new_cursor}"
    );
}

#[tokio::test]
async fn an_officer_reads_only_the_cases_assigned_to_them_now_or_before() {
    let s = start().await;
    let (me, token, mine) = s.busy_officer(2).await;
    let colleague = s.other_officers(&me.id).next().unwrap();
    let theirs = s.pending_cases(&s.login(colleague).await).await;
    let (case, other) = (&mine[0], &theirs[0]);
    let doc = |c: &serde_json::Value| c["documents"][0]["id"].as_str().unwrap().to_owned();
    let routes = |c: &serde_json::Value| {
        [
            format!("/api/v1/applications/{}", id(c)),
            format!("/api/v1/applications/{}/notifications", id(c)),
            format!("/api/v1/documents/{}", doc(c)),
        ]
    };
    // Every read route: my case yes, my colleague's case no, as if it did not exist.
    for path in routes(case) {
        s.get(&path, &token).await.expect(StatusCode::OK);
    }
    for path in routes(other) {
        s.get(&path, &token)
            .await
            .expect_error(StatusCode::NOT_FOUND, "not_found");
    }
    // Nor can I decide it.
    s.post(
        &format!("/api/v1/applications/{}/decisions", id(other)),
        Some(&token),
        &crate::common::decision(crate::common::version(other), "accept"),
    )
    .await
    .expect_error(StatusCode::NOT_FOUND, "not_found");

    // A case moved away from me stays readable: I handled it.
    let sup = s.login(s.account("baku", "supervisor", 0)).await;
    s.post(
        "/api/v1/departments/baku/assignments",
        Some(&sup),
        &serde_json::json!({
            "applications": [{ "application_id": id(case), "based_on_version": crate::common::version(case) }],
            "officer_id": colleague.id, "reason": "balancing",
        }),
    )
    .await
    .expect(StatusCode::OK);
    for path in routes(case) {
        s.get(&path, &token).await.expect(StatusCode::OK);
    }
    // The supervisor reads both.
    for path in routes(case).into_iter().chain(routes(other)) {
        s.get(&path, &sup).await.expect(StatusCode::OK);
    }
}

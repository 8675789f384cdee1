#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! The decision letter: a PDF in the applicant's language that `pdftotext` reads back with the
//! applicant's name, the decision, its reasons and the route to dispute it, every Azerbaijani
//! and Russian letter intact, its font embedded; only for a decision applied to the case, and
//! only to those who may read the case.

use std::process::Command;

use migdesk_central::database::Database;
use migdesk_central::testing::with_sql;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{self, Server, id, rows, start};

/// What `tool` prints about the file at `path` (`args` before it, `after` behind it).
fn run(tool: &str, args: &[&str], path: &std::path::Path, after: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .arg(path)
        .args(after)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (Debian's poppler-utils) runs: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Gives the case's applicant a name in their own script and a language, as an application
/// filed so would have.
fn applicant(db: &Database, case_id: &str, native: &str, lang: &str) {
    with_sql(db, |conn| {
        let text: String = conn
            .query_row(
                "SELECT applicant FROM applications WHERE id = ?1",
                [case_id],
                |r| r.get(0),
            )
            .unwrap();
        let mut applicant: serde_json::Value = serde_json::from_str(&text).unwrap();
        applicant["name_native"] = native.into();
        applicant["language"] = lang.into();
        conn.execute(
            "UPDATE applications SET applicant = ?1 WHERE id = ?2",
            [applicant.to_string().as_str(), case_id],
        )
        .unwrap()
    });
}

async fn refuse(s: &Server, token: &str, case: &Value) -> String {
    let doc_id = case["documents"][0]["id"].as_str().unwrap();
    let (decision_id, proposed) = common::refuse(
        s,
        token,
        case,
        json!([{ "code": "contradictory", "fields": ["surname"], "documents": [doc_id] }]),
        "Soyad pasportda başqa cür yazılıb.",
    )
    .await;
    // Four eyes (Baku's default): the refusal applies, and its letter exists, once approved.
    assert_eq!(proposed["awaiting_approval"], true, "{proposed}");
    let supervisor = s.login(s.account("baku", "supervisor", 0)).await;
    let approved = s
        .post(
            &format!("/api/v1/approvals/{decision_id}"),
            Some(&supervisor),
            &json!({
                "action": "approve",
                "based_on_version": proposed["version"],
                "answered_at": migdesk_central::clock::format(migdesk_central::clock::now()),
            }),
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(approved["status"], "refused", "{approved}");
    decision_id
}

async fn letter(
    s: &Server,
    token: &str,
    case_id: &str,
    decision_id: &str,
) -> (StatusCode, Vec<u8>) {
    let reply = s
        .get(
            &format!("/api/v1/applications/{case_id}/decisions/{decision_id}/letter.pdf"),
            token,
        )
        .await;
    (reply.status, reply.bytes)
}

#[tokio::test]
async fn a_refusal_letter_reads_back_in_the_applicants_language_with_its_font_embedded() {
    let s = start().await;
    let (_, token, cases) = s.busy_officer(2).await;
    let dir = tempfile::tempdir().unwrap();

    for (case, native, lang, expected) in [
        (
            &cases[0],
            "Şükür Əliyeva Güləş qızı",
            "az",
            vec![
                "Şükür Əliyeva Güləş qızı",
                "qəbulundan aşağıdakı səbəblərə görə imtina edilmişdir",
                "Təqdim edilmiş məlumatlar ziddiyyətlidir: surname",
                "Soyad pasportda başqa cür yazılıb.",
                "Qərardan necə şikayət etmək olar",
                "inzibati şikayət",
                "məhkəməyə",
            ],
        ),
        (
            &cases[1],
            "Ольга Щербакова-Ёлкина",
            "ru",
            vec![
                "Ольга Щербакова-Ёлкина",
                "отказано по причинам",
                "Представленные сведения противоречивы: surname",
                "Как обжаловать решение",
                "административную жалобу",
                "административный суд",
            ],
        ),
    ] {
        applicant(&s.database, id(case), native, lang);
        let fresh = s
            .get(&format!("/api/v1/applications/{}", id(case)), &token)
            .await
            .expect(StatusCode::OK);
        let decision_id = refuse(&s, &token, &fresh).await;
        let (status, bytes) = letter(&s, &token, id(case), &decision_id).await;
        assert_eq!(status, StatusCode::OK);
        assert!(bytes.starts_with(b"%PDF-"));
        let path = dir.path().join(format!("{lang}.pdf"));
        std::fs::write(&path, &bytes).unwrap();
        let text = run("pdftotext", &["-enc", "UTF-8"], &path, &["-"]);
        // Words wrapped across lines still read as one text.
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for words in expected {
            assert!(flat.contains(words), "{words:?} not in:\n{text}");
        }
        assert!(flat.contains(fresh["number"].as_str().unwrap()), "{text}");
        assert!(
            flat.contains(&migdesk_central::letter::verification_code(&decision_id)),
            "{text}"
        );
        assert!(
            flat.contains(migdesk_central::letter::DEFAULT_TRACKING_ADDRESS),
            "{text}"
        );
        // The applicant's tracking shows the same code beside the decision.
        let tracking = s
            .get(
                &format!(
                    "/api/v1/tracking?number={}&date_of_birth={}",
                    fresh["number"].as_str().unwrap(),
                    fresh["applicant"]["date_of_birth"].as_str().unwrap()
                ),
                &s.portal,
            )
            .await
            .expect(StatusCode::OK);
        let refused = tracking["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|step| step["step"] == "refused")
            .unwrap();
        assert_eq!(
            refused["letter_code"].as_str().unwrap(),
            migdesk_central::letter::verification_code(&decision_id)
        );
        // The same decision, the same letter.
        assert_eq!(letter(&s, &token, id(case), &decision_id).await.1, bytes);

        let fonts = run("pdffonts", &[], &path, &[]);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{fonts}");
        for row in rows {
            let columns: Vec<&str> = row.split_whitespace().collect();
            // name type encoding emb sub uni object ID: embedded, subset, mapped to Unicode.
            let flags = &columns[columns.len() - 5..columns.len() - 2];
            assert_eq!(flags, ["yes", "yes", "yes"], "{fonts}");
        }
    }
    assert_eq!(
        rows(
            &s.database,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'letter_read'"
        ),
        4
    );
}

#[tokio::test]
async fn a_letter_is_only_for_an_applied_decision_and_those_who_may_read_the_case() {
    let s = start().await;
    let (officer, token, cases) = s.busy_officer(1).await;
    let case = &cases[0];
    let decision_id = refuse(&s, &token, case).await;

    // No such decision on this case.
    let (status, _) = letter(&s, &token, id(case), "00000000-0000-4000-8000-000000000000").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A colleague, or a supervisor elsewhere, finds no such case.
    let colleague = s.other_officers(&officer.id).next().unwrap();
    let colleague = s.login(colleague).await;
    assert_eq!(
        letter(&s, &colleague, id(case), &decision_id).await.0,
        StatusCode::NOT_FOUND
    );
    let elsewhere = s.login(s.account("ganja", "supervisor", 0)).await;
    assert_eq!(
        letter(&s, &elsewhere, id(case), &decision_id).await.0,
        StatusCode::NOT_FOUND
    );
    // The department's supervisor reads it.
    let sup = s.login(s.account("baku", "supervisor", 0)).await;
    assert_eq!(
        letter(&s, &sup, id(case), &decision_id).await.0,
        StatusCode::OK
    );
}

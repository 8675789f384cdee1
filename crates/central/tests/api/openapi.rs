use std::path::PathBuf;

use reqwest::{Method, StatusCode};

use crate::common::start;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

fn generated() -> String {
    let mut text = serde_json::to_string_pretty(&migdesk_central::openapi()).expect("serialise");
    text.push('\n');
    text
}

#[test]
fn the_committed_contract_is_the_one_the_server_implements() {
    let generated = generated();
    if std::env::var_os("MIGDESK_BLESS").is_some() {
        std::fs::write(committed_path(), &generated).expect("write");
        return;
    }
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "crates/central/openapi.json is stale: regenerate it with `MIGDESK_BLESS=1 cargo test -p migdesk-central --test api openapi` and review the diff"
    );
    let doc: serde_json::Value = serde_json::from_str(&generated).expect("json");
    assert!(doc["openapi"].as_str().expect("version").starts_with("3.1"));
}

#[tokio::test]
async fn every_documented_operation_is_routed_and_served_document_matches() {
    let s = start().await;
    let token = s.login(s.account("baku", "officer", 0)).await;
    let served = s
        .get("/api/v1/openapi.json", &token)
        .await
        .expect(StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&generated()).expect("json");
    assert_eq!(served, doc);

    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let concrete = path.replace("{id}", "x").replace("{number}", "x");
        for method in ["get", "post", "put", "delete", "patch"] {
            if item.get(method).is_none() {
                continue;
            }
            operations += 1;
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let reply = s
                .send(
                    s.request(m, &concrete, Some(&token))
                        .header("content-type", "application/json")
                        .body("{}"),
                )
                .await;
            assert_ne!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            assert_ne!(
                reply.json()["message"],
                "no such route",
                "{method} {path} is documented but not routed"
            );
            // Every documented error answers in the documented shape.
            if !reply.status.is_success() && reply.status != StatusCode::NOT_MODIFIED {
                assert!(
                    reply.json()["kind"].is_string(),
                    "{method} {path}: {}",
                    reply.status
                );
            }
        }
    }
    assert!(operations >= 13, "{operations}");
}

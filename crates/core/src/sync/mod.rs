//! Sync with the central service: pull the change feed and documents into the cache, push
//! recorded decisions from the outbox. Every step commits before the next, so a process killed
//! at any moment resumes where it stopped and never loses a recorded decision.

use std::time::Duration;

use reqwest::StatusCode;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::cache::{Store, now, sql};
use crate::error::{DeskError, DeskResult, ErrorKind};

/// The centre, as the desk speaks to it.
#[derive(Debug, Clone)]
pub struct Central {
    pub base: String,
    client: reqwest::Client,
}

fn offline(e: reqwest::Error) -> DeskError {
    DeskError::new(
        ErrorKind::Offline,
        format!("the central service cannot be reached: {e}"),
    )
}

/// Whether an address names this computer (localhost, 127.0.0.0/8, ::1).
fn is_loopback(base: &str) -> bool {
    let Some(host) = reqwest::Url::parse(base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
    else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

impl Central {
    pub fn new(base: &str) -> DeskResult<Self> {
        Self::with_timeout(base, Duration::from_secs(60))
    }

    /// A client that gives up on a request after `timeout` (a stalled centre is offline).
    pub fn with_timeout(base: &str, timeout: Duration) -> DeskResult<Self> {
        let base = base.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(DeskError::new(
                ErrorKind::Central,
                format!("{base} is not an http(s) address"),
            ));
        }
        // Personal data and tokens cross this connection: plain http only to this computer.
        if base.starts_with("http://") && !is_loopback(&base) {
            return Err(DeskError::invalid(format!(
                "{base}: this centre must be reached over HTTPS (https://…); plain http:// is \
                 allowed only for a centre on this computer (localhost, 127.0.0.1)"
            )));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .timeout(timeout)
            .build()
            .map_err(|e| DeskError::internal(e.to_string()))?;
        Ok(Self { base, client })
    }

    async fn error_of(resp: reqwest::Response) -> DeskError {
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        let message = body["message"].as_str().unwrap_or("no message").to_owned();
        let kind = if status == StatusCode::UNAUTHORIZED {
            ErrorKind::Unauthorized
        } else {
            ErrorKind::Central
        };
        DeskError::new(kind, format!("the centre answered {status}: {message}"))
    }

    /// Signs in; returns the token and the user's profile.
    pub async fn sign_in(&self, username: &str, password: &str) -> DeskResult<(String, Value)> {
        let resp = self
            .client
            .post(format!("{}/api/v1/session", self.base))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .map_err(offline)?;
        if !resp.status().is_success() {
            return Err(Self::error_of(resp).await);
        }
        let body: Value = resp.json().await.map_err(offline)?;
        let token = body["token"]
            .as_str()
            .ok_or_else(|| DeskError::new(ErrorKind::Central, "no token in the answer"))?;
        Ok((token.to_owned(), body["user"].clone()))
    }
}

impl Central {
    /// Sends a request with the session's token; a 2xx answer, or the centre's error.
    async fn answered(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<&Value>,
    ) -> DeskResult<reqwest::Response> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let resp = request.send().await.map_err(offline)?;
        if resp.status().is_success() {
            Ok(resp)
        } else {
            Err(Self::error_of(resp).await)
        }
    }

    async fn json_of<T: serde::de::DeserializeOwned>(resp: reqwest::Response) -> DeskResult<T> {
        resp.json().await.map_err(|e| {
            DeskError::new(
                ErrorKind::Central,
                format!("the centre's answer did not fit: {e}"),
            )
        })
    }

    /// `GET path` as JSON, with the session's token.
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
    ) -> DeskResult<T> {
        let resp = self
            .answered(reqwest::Method::GET, token, path, None)
            .await?;
        Self::json_of(resp).await
    }

    /// `POST path` with a JSON body; the answer as JSON.
    pub async fn post_json<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
        body: &Value,
    ) -> DeskResult<T> {
        let resp = self
            .answered(reqwest::Method::POST, token, path, Some(body))
            .await?;
        Self::json_of(resp).await
    }

    /// `GET path` as bytes, with the file name the centre suggests (`Content-Disposition`).
    pub async fn get_bytes(
        &self,
        token: &str,
        path: &str,
    ) -> DeskResult<(Vec<u8>, Option<String>)> {
        let resp = self
            .answered(reqwest::Method::GET, token, path, None)
            .await?;
        let name = resp
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split("filename=\"").nth(1))
            .and_then(|v| v.split('"').next())
            .map(str::to_owned);
        Ok((resp.bytes().await.map_err(offline)?.to_vec(), name))
    }
}

impl Central {
    /// Ends the session at the centre.
    pub async fn sign_out(&self, token: &str) -> DeskResult<()> {
        let resp = self
            .client
            .delete(format!("{}/api/v1/session", self.base))
            .bearer_auth(token)
            .send()
            .await
            .map_err(offline)?;
        if resp.status().is_success() || resp.status() == StatusCode::UNAUTHORIZED {
            Ok(())
        } else {
            Err(Self::error_of(resp).await)
        }
    }
}

/// What a sync did, for the UI and the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SyncReport {
    #[ts(type = "number")]
    pub changes: u64,
    #[ts(type = "number")]
    pub documents_downloaded: u64,
    #[ts(type = "number")]
    pub bytes_downloaded: u64,
    #[ts(type = "number")]
    pub decisions_sent: u64,
    #[ts(type = "number")]
    pub conflicts: u64,
    #[ts(type = "number")]
    pub audit_events_sent: u64,
    /// Documents whose text layer was read for search (including those without one).
    #[ts(type = "number")]
    pub documents_read: u64,
}

/// What a sync is doing, for the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Sending recorded decisions.
    Sending,
    /// Following the change feed.
    Changes,
    /// Downloading documents.
    Documents,
    /// Reading the text layer of documents that arrived, for search.
    Reading,
    /// Reporting the audit trail.
    Audit,
}

/// Progress while syncing: counts, bytes, the download rate and the time it still needs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ts_rs::TS)]
pub struct Progress {
    pub phase: Phase,
    /// Changes applied from the feed so far.
    #[ts(type = "number")]
    pub changes: u64,
    #[ts(type = "number")]
    pub documents_done: u64,
    #[ts(type = "number")]
    pub documents_total: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub bytes_total: u64,
    /// Bytes per second since the downloads began.
    pub bytes_per_second: f64,
    /// Seconds until the downloads finish at the current rate; `None` until there is a rate.
    pub seconds_remaining: Option<f64>,
}

impl Progress {
    fn new(phase: Phase) -> Self {
        Self {
            phase,
            changes: 0,
            documents_done: 0,
            documents_total: 0,
            bytes: 0,
            bytes_total: 0,
            bytes_per_second: 0.0,
            seconds_remaining: None,
        }
    }

    /// Updates the rate and the estimate from the bytes received in `elapsed`.
    fn measure(&mut self, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        if secs <= 0.0 || self.bytes == 0 {
            return;
        }
        self.bytes_per_second = self.bytes as f64 / secs;
        let left = self.bytes_total.saturating_sub(self.bytes) as f64;
        self.seconds_remaining = Some(left / self.bytes_per_second);
    }
}

/// Pulls every change since the stored cursor; each page commits with its cursor.
pub async fn pull_changes(
    store: &mut Store,
    central: &Central,
    token: &str,
    me: &str,
    mut progress: impl FnMut(u64),
) -> DeskResult<u64> {
    let mut total = 0;
    loop {
        let cursor = store.meta("cursor")?.unwrap_or_default();
        let resp = central
            .client
            .get(format!("{}/api/v1/changes", central.base))
            .query(&[("cursor", cursor.as_str()), ("limit", "200")])
            .bearer_auth(token)
            .send()
            .await
            .map_err(offline)?;
        if !resp.status().is_success() {
            return Err(Central::error_of(resp).await);
        }
        let page: Value = resp.json().await.map_err(offline)?;
        let changes = page["changes"].as_array().cloned().unwrap_or_default();
        let next = page["next_cursor"].as_str().unwrap_or(&cursor).to_owned();
        apply_changes(store, &changes, &next, me)?;
        total += changes.len() as u64;
        progress(total);
        if !page["has_more"].as_bool().unwrap_or(false) {
            return Ok(total);
        }
    }
}

/// Applies one page of the change feed and stores the cursor after it, in one transaction.
pub fn apply_changes(
    store: &mut Store,
    changes: &[Value],
    cursor: &str,
    me: &str,
) -> DeskResult<()> {
    let tx = store.conn.transaction().map_err(sql)?;
    for change in changes {
        apply_change(&tx, change, me)?;
    }
    for (key, value) in [("cursor", cursor.to_owned()), ("last_sync", now())] {
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )
        .map_err(sql)?;
    }
    tx.commit().map_err(sql)
}

fn apply_change(tx: &rusqlite::Transaction<'_>, change: &Value, me: &str) -> DeskResult<()> {
    let id = change["application_id"].as_str().unwrap_or_default();
    let Some(app) = change.get("application").filter(|a| !a.is_null()) else {
        // The case left this desk: it leaves the queue.
        tx.execute(
            "UPDATE cases SET mine = 0, officer_id = ?2, version = ?3 WHERE id = ?1",
            params![
                id,
                change["assignment"]["officer"]["id"].as_str(),
                change["assignment"]["version"].as_i64().unwrap_or(0)
            ],
        )
        .map_err(sql)?;
        // Unsent decisions on it stay pending: the next push delivers them and the centre keeps
        // each as a conflict it can show the supervisor. Nothing is settled on the desk alone.
        return Ok(());
    };
    let officer = app["assignment"]["officer"]["id"].as_str();
    tx.execute(
        "INSERT INTO cases (id, number, service, status, due_date, submitted_at, officer_id, version, mine, detail, synced_at, applicant)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT(id) DO UPDATE SET number = excluded.number, service = excluded.service, status = excluded.status,
           due_date = excluded.due_date, submitted_at = excluded.submitted_at, officer_id = excluded.officer_id,
           version = excluded.version, mine = excluded.mine, detail = excluded.detail, synced_at = excluded.synced_at,
           applicant = excluded.applicant",
        params![
            id,
            app["number"].as_str().unwrap_or_default(),
            app["service"].as_str().unwrap_or_default(),
            app["status"].as_str().unwrap_or_default(),
            app["due_date"].as_str().unwrap_or_default(),
            app["submitted_at"].as_str().unwrap_or_default(),
            officer,
            app["assignment"]["version"].as_i64().unwrap_or(0),
            i64::from(officer == Some(me)),
            app.to_string(),
            now(),
            app["applicant"]["name_latin"].as_str().unwrap_or_default(),
        ],
    )
    .map_err(sql)?;
    for d in app["documents"].as_array().into_iter().flatten() {
        tx.execute(
            "INSERT OR IGNORE INTO documents (id, case_id, type, file_name, mime_type, size, sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                d["id"].as_str(),
                id,
                d["type"].as_str().unwrap_or_default(),
                d["file_name"].as_str().unwrap_or_default(),
                d["mime_type"].as_str().unwrap_or_default(),
                d["size"].as_i64().unwrap_or(0),
                d["sha256"].as_str().unwrap_or_default(),
            ],
        )
        .map_err(sql)?;
    }
    crate::queue::index(tx, id, app)
}

/// Documents whose bytes are not in the cache yet: (id, sha256, size).
fn missing_documents(store: &Store) -> DeskResult<Vec<(String, String, i64)>> {
    let mut stmt = store
        .conn
        .prepare("SELECT d.id, d.sha256, d.size FROM documents d LEFT JOIN blobs b ON b.sha256 = d.sha256 WHERE b.sha256 IS NULL GROUP BY d.sha256")
        .map_err(sql)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(sql)?;
    rows.collect::<Result<_, _>>().map_err(sql)
}

/// Downloads missing documents, `concurrency` at a time; verifies SHA-256; resumes partial
/// downloads with `Range`. Returns (documents, bytes).
pub async fn pull_documents(
    store: &mut Store,
    central: &Central,
    token: &str,
    concurrency: usize,
    mut progress: impl FnMut(Progress),
) -> DeskResult<(u64, u64)> {
    let todo = missing_documents(store)?;
    let started = std::time::Instant::now();
    let mut p = Progress::new(Phase::Documents);
    p.documents_total = todo.len() as u64;
    p.bytes_total = todo.iter().map(|(_, _, size)| (*size).max(0) as u64).sum();
    progress(p);
    let mut waiting = todo.into_iter();
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        while tasks.len() < concurrency.max(1) {
            let Some((id, sha, _)) = waiting.next() else {
                break;
            };
            let partial: Option<Vec<u8>> = store
                .conn
                .query_row(
                    "SELECT bytes FROM partials WHERE sha256 = ?1",
                    [&sha],
                    |r| r.get(0),
                )
                .optional()
                .map_err(sql)?;
            let (central, token) = (central.clone(), token.to_owned());
            tasks.spawn(async move {
                let result = fetch(&central, &token, &id, partial.unwrap_or_default()).await;
                (sha, result)
            });
        }
        let Some(joined) = tasks.join_next().await else {
            return Ok((p.documents_done, p.bytes));
        };
        let (sha, result) = joined.map_err(|e| DeskError::internal(e.to_string()))?;
        let body = match result {
            Ok(body) => body,
            Err((received, e)) => {
                if !received.is_empty() {
                    store
                        .conn
                        .execute(
                            "INSERT INTO partials (sha256, bytes) VALUES (?1, ?2) ON CONFLICT(sha256) DO UPDATE SET bytes = excluded.bytes",
                            params![sha, received],
                        )
                        .map_err(sql)?;
                }
                return Err(e);
            }
        };
        let actual = hex::encode(Sha256::digest(&body));
        let tx = store.conn.transaction().map_err(sql)?;
        tx.execute("DELETE FROM partials WHERE sha256 = ?1", [&sha])
            .map_err(sql)?;
        if actual == sha {
            tx.execute(
                "INSERT OR IGNORE INTO blobs (sha256, bytes) VALUES (?1, ?2)",
                params![sha, body],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        if actual != sha {
            return Err(DeskError::new(
                ErrorKind::Central,
                format!("document {sha} arrived corrupted (checksum {actual})"),
            ));
        }
        p.documents_done += 1;
        p.bytes += body.len() as u64;
        p.measure(started.elapsed());
        progress(p);
    }
}

/// Downloads one document, continuing from `have`; on failure returns what arrived.
async fn fetch(
    central: &Central,
    token: &str,
    id: &str,
    mut have: Vec<u8>,
) -> Result<Vec<u8>, (Vec<u8>, DeskError)> {
    let mut req = central
        .client
        .get(format!("{}/api/v1/documents/{id}", central.base))
        .bearer_auth(token);
    if !have.is_empty() {
        req = req.header("range", format!("bytes={}-", have.len()));
    }
    let mut resp = match req.send().await {
        Ok(r) => r,
        Err(e) => return Err((have, offline(e))),
    };
    match resp.status() {
        StatusCode::OK => have.clear(),
        StatusCode::PARTIAL_CONTENT => {}
        StatusCode::RANGE_NOT_SATISFIABLE => {
            return Err((
                Vec::new(),
                DeskError::new(ErrorKind::Central, "stale partial download"),
            ));
        }
        _ => return Err((Vec::new(), Central::error_of(resp).await)),
    }
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => have.extend_from_slice(&c),
            Ok(None) => return Ok(have),
            Err(e) => return Err((have, offline(e))),
        }
    }
}

/// Reads the text layer of each stored document not read yet — off the async threads, under
/// the document limits — and adds it to the search index of the cases that hold it. A file
/// that cannot be read keeps its reason and is not tried again; when the reader is saturated
/// (stuck jobs from hostile files), the rest waits for the next sync.
pub async fn read_texts(
    store: &mut Store,
    documents: &migdesk_docs::Documents,
    mut progress: impl FnMut(Progress),
) -> DeskResult<u64> {
    let todo: Vec<String> = {
        let mut stmt = store
            .conn
            .prepare("SELECT b.sha256 FROM blobs b LEFT JOIN document_text t ON t.sha256 = b.sha256 WHERE t.sha256 IS NULL")
            .map_err(sql)?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)?
    };
    let mut p = Progress::new(Phase::Reading);
    p.documents_total = todo.len() as u64;
    for sha in todo {
        let bytes: Vec<u8> = store
            .conn
            .query_row("SELECT bytes FROM blobs WHERE sha256 = ?1", [&sha], |r| {
                r.get(0)
            })
            .map_err(sql)?;
        let reader = documents.clone();
        // When the text reader fails on a file, whether the file itself opens (the viewer may
        // still draw it) decides if the case calls it unreadable. Other failures (too large,
        // unsupported, too slow) are the file's own.
        let result =
            tokio::task::spawn_blocking(move || match reader.extract_text(bytes.clone()) {
                Err(e @ (migdesk_docs::DocError::Busy | migdesk_docs::DocError::Cancelled)) => {
                    Err(e)
                }
                Err(e @ migdesk_docs::DocError::Malformed { .. }) => {
                    Ok((None, Some(e.to_string()), reader.inspect(bytes).is_ok()))
                }
                Err(e) => Ok((None, Some(e.to_string()), false)),
                Ok(text) => Ok((text, None, true)),
            })
            .await
            .map_err(|e| DeskError::internal(e.to_string()))?;
        let Ok((text, problem, viewable)) = result else {
            break;
        };
        let tx = store.conn.transaction().map_err(sql)?;
        tx.execute(
            "INSERT OR REPLACE INTO document_text (sha256, text, problem, viewable) VALUES (?1, ?2, ?3, ?4)",
            params![sha, text, problem, viewable],
        )
        .map_err(sql)?;
        if text.is_some() {
            let cases: Vec<String> = {
                let mut stmt = tx
                    .prepare("SELECT DISTINCT d.case_id FROM documents d JOIN cases c ON c.id = d.case_id WHERE d.sha256 = ?1")
                    .map_err(sql)?;
                let rows = stmt.query_map([&sha], |r| r.get(0)).map_err(sql)?;
                rows.collect::<Result<_, _>>().map_err(sql)?
            };
            for case in cases {
                crate::queue::reindex(&tx, &case)?;
            }
        }
        tx.commit().map_err(sql)?;
        p.documents_done += 1;
        progress(p);
    }
    Ok(p.documents_done)
}

/// Records a decision: durable at once, in one transaction with its outbox entry.
pub fn record_decision(store: &mut Store, case_id: &str, mut request: Value) -> DeskResult<String> {
    let tx = store.conn.transaction().map_err(sql)?;
    let version: Option<i64> = tx
        .query_row(
            "SELECT version FROM cases WHERE id = ?1 AND mine = 1",
            [case_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(sql)?;
    let version = version.ok_or_else(|| {
        DeskError::new(
            ErrorKind::Central,
            format!("{case_id} is not in this desk's queue"),
        )
    })?;
    let id = uuid::Uuid::new_v4().to_string();
    request["id"] = json!(id);
    request["based_on_version"] = json!(version);
    request["decided_at"] = json!(now());
    tx.execute(
        "INSERT INTO outbox (id, case_id, request, recorded_at, state) VALUES (?1, ?2, ?3, ?4, 'pending')",
        params![id, case_id, request.to_string(), now()],
    )
    .map_err(sql)?;
    crate::cache::insert_audit(
        &tx,
        "decided",
        Some(case_id),
        &json!({ "decision_id": id, "kind": request["kind"] }),
    )?;
    tx.commit().map_err(sql)?;
    Ok(id)
}

/// The officer asked to sync now: decisions waiting out a backoff after a failed attempt are
/// tried in this sync rather than at their scheduled time. Returns how many were waiting.
pub fn retry_now(store: &Store) -> DeskResult<usize> {
    store
        .conn
        .execute(
            "UPDATE outbox SET next_attempt_at = NULL WHERE state = 'pending' AND next_attempt_at IS NOT NULL",
            [],
        )
        .map_err(sql)
}

/// Sends pending decisions. A 409 becomes a conflict kept with the decision; a network failure
/// or 5xx leaves it pending for a later attempt with exponential backoff and jitter.
pub async fn push(store: &mut Store, central: &Central, token: &str) -> DeskResult<(u64, u64)> {
    let due: Vec<(String, String, String, i64)> = {
        let mut stmt = store
            .conn
            .prepare(
                "SELECT id, case_id, request, attempts FROM outbox WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?1) ORDER BY recorded_at",
            )
            .map_err(sql)?;
        let rows = stmt
            .query_map([now()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .map_err(sql)?;
        rows.collect::<Result<_, _>>().map_err(sql)?
    };
    let (mut sent, mut conflicts) = (0, 0);
    for (id, case_id, request, attempts) in due {
        let body: Value =
            serde_json::from_str(&request).map_err(|e| DeskError::internal(e.to_string()))?;
        let result = central
            .client
            .post(format!(
                "{}/api/v1/applications/{case_id}/decisions",
                central.base
            ))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await;
        let (state, response, error) = match result {
            Ok(resp) if resp.status().is_success() => ("sent", resp.text().await.ok(), None),
            Ok(resp) if resp.status() == StatusCode::CONFLICT => {
                ("conflict", resp.text().await.ok(), None)
            }
            Ok(resp) if resp.status() == StatusCode::UNAUTHORIZED => {
                return Err(Central::error_of(resp).await);
            }
            Ok(resp) => (
                "pending",
                None,
                Some(format!("the centre answered {}", resp.status())),
            ),
            Err(e) => ("pending", None, Some(e.to_string())),
        };
        let attempts = attempts + 1;
        let backoff = {
            let base = 2u64.saturating_pow(attempts.min(10) as u32);
            let jitter = rand::random::<u64>() % (base + 1);
            chrono::Utc::now() + chrono::Duration::seconds((base + jitter).min(600) as i64)
        };
        store
            .conn
            .execute(
                "UPDATE outbox SET state = ?2, response = ?3, last_error = ?4, attempts = ?5, next_attempt_at = ?6,
                   acknowledged_at = CASE WHEN ?2 = 'sent' THEN ?7 ELSE acknowledged_at END WHERE id = ?1",
                params![
                    id,
                    state,
                    response,
                    error,
                    attempts,
                    (state == "pending").then(|| backoff.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                    now()
                ],
            )
            .map_err(sql)?;
        match state {
            "sent" => sent += 1,
            "conflict" => conflicts += 1,
            _ => {}
        }
    }
    Ok((sent, conflicts))
}

/// Reports the audit trail (cases opened, decisions recorded) to the centre, oldest first; each
/// event is marked once the centre has it. An event the centre refuses (400/404) is kept with
/// the centre's answer and not sent again, so one bad event never stops the sync. Returns how
/// many were reported.
pub async fn push_audit(store: &mut Store, central: &Central, token: &str) -> DeskResult<u64> {
    let mut total = 0;
    loop {
        let batch: Vec<(i64, Value)> = {
            let mut stmt = store
                .conn
                .prepare("SELECT id, event_id, kind, case_id, at FROM audit WHERE pushed_at IS NULL AND refused IS NULL AND case_id IS NOT NULL ORDER BY id LIMIT 200")
                .map_err(sql)?;
            let rows = stmt
                .query_map([], |r| {
                    let (id, kind, case, at): (String, String, String, String) =
                        (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
                    Ok((
                        r.get(0)?,
                        json!({ "id": id, "kind": kind, "application_id": case, "at": at }),
                    ))
                })
                .map_err(sql)?;
            rows.collect::<Result<_, _>>().map_err(sql)?
        };
        if batch.is_empty() {
            return Ok(total);
        }
        let events: Vec<&Value> = batch.iter().map(|(_, e)| e).collect();
        let mut outcomes: Vec<(i64, Option<String>)> = Vec::with_capacity(batch.len());
        match report_events(central, token, &events).await? {
            None => outcomes.extend(batch.iter().map(|(rowid, _)| (*rowid, None))),
            // Something in the batch was refused: find which, one event at a time.
            Some(_) => {
                for (rowid, event) in &batch {
                    let refused = report_events(central, token, &[event]).await?;
                    outcomes.push((*rowid, refused));
                }
            }
        }
        let tx = store.conn.transaction().map_err(sql)?;
        for (rowid, refused) in &outcomes {
            match refused {
                None => tx.execute(
                    "UPDATE audit SET pushed_at = ?2 WHERE id = ?1",
                    params![rowid, now()],
                ),
                Some(answer) => tx.execute(
                    "UPDATE audit SET refused = ?2 WHERE id = ?1",
                    params![rowid, answer],
                ),
            }
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        total += outcomes.iter().filter(|(_, r)| r.is_none()).count() as u64;
    }
}

/// Sends audit events. `Ok(None)`: the centre has them; `Ok(Some(answer))`: it refused them
/// (400/404); `Err`: the network, the session or the centre failed, and the sync stops.
async fn report_events(
    central: &Central,
    token: &str,
    events: &[&Value],
) -> DeskResult<Option<String>> {
    let resp = central
        .client
        .post(format!("{}/api/v1/audit", central.base))
        .bearer_auth(token)
        .json(&json!({ "events": events }))
        .send()
        .await
        .map_err(offline)?;
    match resp.status() {
        s if s.is_success() => Ok(None),
        StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND => {
            Ok(Some(Central::error_of(resp).await.message))
        }
        _ => Err(Central::error_of(resp).await),
    }
}

/// One whole sync, in the order that protects the officer's work: decisions first (they are
/// the officer's work; everything else can be fetched again), then the change feed, the
/// documents and their text, decisions recorded meanwhile, the audit trail, and the centre's
/// list of the conflicts that concern this user.
pub async fn run(
    store: &mut Store,
    central: &Central,
    token: &str,
    me: &str,
    concurrency: usize,
    mut progress: impl FnMut(Progress),
) -> DeskResult<SyncReport> {
    let mut report = SyncReport::default();
    progress(Progress::new(Phase::Sending));
    let (sent, conflicts) = push(store, central, token).await?;
    report.decisions_sent = sent;
    report.conflicts = conflicts;
    report.changes = pull_changes(store, central, token, me, |changes| {
        progress(Progress {
            changes,
            ..Progress::new(Phase::Changes)
        });
    })
    .await?;
    let changes = report.changes;
    let (docs, bytes) = pull_documents(store, central, token, concurrency, |p| {
        progress(Progress { changes, ..p });
    })
    .await?;
    report.documents_downloaded = docs;
    report.bytes_downloaded = bytes;
    let reader = migdesk_docs::Documents::default();
    report.documents_read = read_texts(store, &reader, |p| {
        progress(Progress { changes, ..p });
    })
    .await?;
    progress(Progress::new(Phase::Sending));
    let (sent, conflicts) = push(store, central, token).await?;
    report.decisions_sent += sent;
    report.conflicts += conflicts;
    progress(Progress::new(Phase::Audit));
    report.audit_events_sent = push_audit(store, central, token).await?;
    let conflicts = crate::supervision::fetch_conflicts(central, token).await?;
    crate::conflicts::keep_centre(store, &conflicts.0)?;
    Ok(report)
}

/// What the desk holds, for `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub queue: i64,
    pub overdue: i64,
    pub unsent_decisions: i64,
    pub conflicts: i64,
    pub documents_missing: i64,
    pub last_sync: Option<String>,
}

pub fn status(store: &Store, today: &str) -> DeskResult<Status> {
    Ok(Status {
        queue: store.count("SELECT COUNT(*) FROM cases WHERE mine = 1 AND status = 'pending'")?,
        overdue: store
            .conn
            .query_row("SELECT COUNT(*) FROM cases WHERE mine = 1 AND status = 'pending' AND due_date < ?1", [today], |r| r.get(0))
            .map_err(sql)?,
        unsent_decisions: store.count("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")?,
        conflicts: store.count("SELECT COUNT(*) FROM outbox WHERE state = 'conflict'")?,
        documents_missing: store.count(
            "SELECT COUNT(DISTINCT d.sha256) FROM documents d LEFT JOIN blobs b ON b.sha256 = d.sha256 WHERE b.sha256 IS NULL",
        )?,
        last_sync: store.meta("last_sync")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_reaches_this_computer() {
        for local in [
            "http://127.0.0.1:8470",
            "http://localhost:8470/",
            "http://[::1]:8470",
            "https://centre.migration.example",
        ] {
            assert!(Central::new(local).is_ok(), "{local}");
        }
        for remote in ["http://centre.migration.example", "http://10.0.0.7:8470"] {
            let err = Central::new(remote).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Invalid, "{remote}");
            assert!(err.message.contains("HTTPS"), "{}", err.message);
        }
    }

    #[test]
    fn the_estimate_follows_the_measured_rate() {
        let mut p = Progress::new(Phase::Documents);
        p.bytes_total = 10_000_000;
        p.measure(Duration::from_secs(2));
        assert_eq!(p.seconds_remaining, None, "no bytes yet, no estimate");
        p.bytes = 2_000_000;
        p.measure(Duration::from_secs(2));
        assert_eq!(p.bytes_per_second, 1_000_000.0);
        assert_eq!(p.seconds_remaining, Some(8.0));
        p.bytes = 10_000_000;
        p.measure(Duration::from_secs(5));
        assert_eq!(p.seconds_remaining, Some(0.0));
    }

    #[test]
    fn no_time_elapsed_gives_no_rate() {
        let mut p = Progress::new(Phase::Documents);
        p.bytes = 5;
        p.bytes_total = 10;
        p.measure(Duration::ZERO);
        assert_eq!(p.bytes_per_second, 0.0);
        assert_eq!(p.seconds_remaining, None);
    }
}

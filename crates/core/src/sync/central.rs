//! The central service as the desk speaks to it: one client, every call answered through one
//! checking path, and every body typed by the contract (`migdesk-api`). An answer that does not
//! fit the contract is a `central` error naming the field, never an empty value in the cache.

use std::time::Duration;

use migdesk_api::{
    AuditReport, ChangesPage, ChangesQuery, ConflictRecord, DecisionRequest, DecisionResponse,
    DocumentReads, DocumentReadsRecorded, ErrorBody,
};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::observe::Observer;
use crate::error::{DeskError, DeskResult, ErrorKind};

/// How long an idle connection to the centre is kept for the next call.
const POOL_IDLE: Duration = Duration::from_secs(50);

/// The header that names the workstation to the centre.
pub const DESK_HEADER: &str = "x-migdesk-desk";

mod sign_in;

pub(crate) use super::roots::offline;
use super::roots::workstation_roots;
pub use super::roots::{CA_CERTIFICATES_ENV, load_roots};

/// The central service, as the desk speaks to it.
#[derive(Debug, Clone)]
pub struct Central {
    pub base: String,
    client: reqwest::Client,
    /// This workstation's name, sent with every call (`X-Migdesk-Desk`) for the centre's audit
    /// trail.
    desk: Option<reqwest::header::HeaderValue>,
    /// The longest a call may take, documents excepted: those may take as long as they need
    /// while bytes keep coming (the client's read timeout).
    timeout: Duration,
    pub(super) observer: Option<Observer>,
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

/// Decodes a body of the contract; the error names the field that did not fit.
pub(crate) fn decode<T: DeserializeOwned>(what: &str, bytes: &[u8]) -> DeskResult<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        DeskError::new(
            ErrorKind::Central,
            format!(
                "the central service's {what} did not fit this desk's version{}: {}",
                if path == "." {
                    String::new()
                } else {
                    format!(" at `{path}`")
                },
                e.into_inner()
            ),
        )
    })
}

/// What the centre answered to a decision.
#[derive(Debug)]
pub enum DecisionAnswer {
    /// Recorded (or a repeat of a recorded request).
    Recorded(String),
    /// Kept as a conflict (409), or refused for good (400, 403, 404, 422: the centre will
    /// never take this request): the centre's error body, as received. Either way it goes to
    /// the conflicts inbox in the centre's words, never retried.
    Conflict(String),
    /// Not delivered (network, 5xx, another refusal): try again later.
    NotDelivered(String),
}

/// What the centre answered to a piece of the officer's work, before its body is read as the
/// answer to a decision or a note.
pub(super) enum Posted {
    /// Taken (2xx): the body.
    Accepted(String),
    /// Refused for good (400, 403, 404, 409, 422): the body as received, and as read.
    Refused(String, ErrorBody),
    /// Not delivered (the network, 429, 5xx): why.
    NotDelivered(String),
}

impl Central {
    pub fn new(base: &str) -> DeskResult<Self> {
        Self::with_timeout(base, Duration::from_secs(60))
    }

    /// A client that gives up on a call after `timeout`, and on a document download when no byte
    /// has arrived for `timeout` (a stalled centre is offline; a slow link is not).
    /// Through the workstation's proxy, if its configuration names one.
    pub fn with_timeout(base: &str, timeout: Duration) -> DeskResult<Self> {
        let proxy = crate::workstation::Workstation::current()?.proxy.as_deref();
        Self::connecting(base, timeout, workstation_roots()?, proxy)
    }

    /// A client that checks the centre's certificate against the system's roots and `roots`.
    pub fn with_roots(
        base: &str,
        timeout: Duration,
        roots: &[reqwest::Certificate],
    ) -> DeskResult<Self> {
        Self::connecting(base, timeout, roots, None)
    }

    fn connecting(
        base: &str,
        timeout: Duration,
        roots: &[reqwest::Certificate],
        proxy: Option<&str>,
    ) -> DeskResult<Self> {
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
        let mut builder = roots.iter().fold(reqwest::Client::builder(), |b, root| {
            b.add_root_certificate(root.clone())
        });
        if let Some(proxy) = proxy {
            let proxy = reqwest::Proxy::all(proxy)
                .map_err(|e| DeskError::invalid(format!("the proxy {proxy}: {e}")))?;
            builder = builder.proxy(proxy);
        }
        let client = builder
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .read_timeout(timeout)
            // Let go of an idle connection before a balancer in front of the centre closes it
            // (nginx after 75 s): a request sent as it closes gets no answer at all.
            .pool_idle_timeout(POOL_IDLE)
            .build()
            .map_err(|e| DeskError::internal(e.to_string()))?;
        Ok(Self {
            base,
            client,
            desk: None,
            timeout,
            observer: None,
        })
    }

    /// The centre's refusal as a desk error, with its message.
    pub(crate) async fn error_of(resp: reqwest::Response) -> DeskError {
        let status = resp.status();
        let message = match resp.bytes().await {
            Ok(bytes) => serde_json::from_slice::<ErrorBody>(&bytes)
                .map(|b| b.message)
                .unwrap_or_else(|_| "no message".to_owned()),
            Err(_) => "no message".to_owned(),
        };
        let kind = if status == StatusCode::UNAUTHORIZED {
            ErrorKind::Unauthorized
        } else {
            ErrorKind::Central
        };
        DeskError::new(kind, format!("the centre answered {status}: {message}"))
    }

    /// Names this workstation in every call, for the centre's audit trail (at most 100
    /// printable characters; anything else is left out).
    #[must_use]
    pub fn naming(mut self, desk: &str) -> Self {
        self.desk = Some(desk)
            .filter(|d| !d.trim().is_empty() && d.chars().count() <= 100)
            .and_then(|d| reqwest::header::HeaderValue::from_str(d).ok());
        self
    }

    fn request(&self, method: Method, token: Option<&str>, path: &str) -> reqwest::RequestBuilder {
        self.untimed(method, token, path).timeout(self.timeout)
    }

    /// A request limited only by the client's read timeout (document downloads).
    fn untimed(&self, method: Method, token: Option<&str>, path: &str) -> reqwest::RequestBuilder {
        let request = self.client.request(
            method,
            format!("{}{}{path}", self.base, migdesk_api::PREFIX),
        );
        let request = match &self.desk {
            Some(desk) => request.header(DESK_HEADER, desk.clone()),
            None => request,
        };
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// Sends a request; a 2xx answer, or the centre's error.
    async fn answered(&self, request: reqwest::RequestBuilder) -> DeskResult<reqwest::Response> {
        Self::success(self.sent(request).await.map_err(offline)?).await
    }

    /// The answer when it is a success; the centre's error otherwise.
    async fn success(resp: reqwest::Response) -> DeskResult<reqwest::Response> {
        if resp.status().is_success() {
            Ok(resp)
        } else {
            Err(Self::error_of(resp).await)
        }
    }

    /// A successful answer's body as a body of the contract.
    async fn body<T: DeserializeOwned>(what: &str, resp: reqwest::Response) -> DeskResult<T> {
        let bytes = resp.bytes().await.map_err(offline)?;
        decode(what, &bytes)
    }

    async fn decoded<T: DeserializeOwned>(
        &self,
        what: &str,
        request: reqwest::RequestBuilder,
    ) -> DeskResult<T> {
        Self::body(what, self.answered(request).await?).await
    }

    /// `GET path` (under `/api/v1`) as a body of the contract.
    pub async fn get<T: DeserializeOwned>(&self, token: &str, path: &str) -> DeskResult<T> {
        self.decoded(path, self.request(Method::GET, Some(token), path))
            .await
    }

    /// `GET path?query` (under `/api/v1`); the answer as a body of the contract.
    pub async fn get_query<Q: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
        query: &Q,
    ) -> DeskResult<T> {
        self.decoded(
            path,
            self.request(Method::GET, Some(token), path).query(query),
        )
        .await
    }

    /// `GET path?query` (under `/api/v1`): the answer as a body of the contract, or `None`
    /// when the centre answers 204 (nothing to give).
    pub async fn get_query_optional<Q: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
        query: &Q,
    ) -> DeskResult<Option<T>> {
        let resp = self
            .answered(self.request(Method::GET, Some(token), path).query(query))
            .await?;
        if resp.status() == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        Self::body(path, resp).await.map(Some)
    }

    /// `POST path` (under `/api/v1`) with a body; the answer as a body of the contract.
    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
        body: &B,
    ) -> DeskResult<T> {
        self.send(Method::POST, token, path, body).await
    }

    /// `POST path` (under `/api/v1`) with a body: the answer as a body of the contract, or,
    /// when the centre answers 409 (what the call was about moved on: another was first), its
    /// words.
    pub async fn post_unless_moved<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
        body: &B,
    ) -> DeskResult<Result<T, String>> {
        let resp = self
            .sent(self.request(Method::POST, Some(token), path).json(body))
            .await
            .map_err(offline)?;
        if resp.status() == StatusCode::CONFLICT {
            let bytes = resp.bytes().await.map_err(offline)?;
            let message = serde_json::from_slice::<ErrorBody>(&bytes)
                .map(|b| b.message)
                .unwrap_or_default();
            return Ok(Err(message));
        }
        Self::body(path, Self::success(resp).await?).await.map(Ok)
    }

    /// `method path` (under `/api/v1`) with a body; the answer as a body of the contract.
    pub async fn send<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        token: &str,
        path: &str,
        body: &B,
    ) -> DeskResult<T> {
        self.decoded(path, self.request(method, Some(token), path).json(body))
            .await
    }

    /// `GET path` as bytes, with the file name the centre suggests (`Content-Disposition`).
    pub async fn get_bytes(
        &self,
        token: &str,
        path: &str,
    ) -> DeskResult<(Vec<u8>, Option<String>)> {
        let resp = self
            .answered(self.request(Method::GET, Some(token), path))
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

    /// One page of the change feed after `cursor`.
    pub async fn changes(
        &self,
        token: &str,
        cursor: Option<String>,
    ) -> DeskResult<Option<ChangesPage>> {
        let query = ChangesQuery {
            cursor,
            limit: Some(migdesk_api::CHANGES_DEFAULT_LIMIT),
        };
        let resp = self
            .sent(
                self.request(Method::GET, Some(token), "/changes")
                    .query(&query),
            )
            .await
            .map_err(offline)?;
        // 410: the position belongs to a history the centre no longer has (a restore).
        if resp.status() == StatusCode::GONE {
            return Ok(None);
        }
        Self::body("change feed", Self::success(resp).await?)
            .await
            .map(Some)
    }

    /// Posts a piece of the officer's work (a decision, a note) to `path`. A 401 is an error
    /// (the sync stops); everything else is an answer.
    pub(super) async fn post_work(
        &self,
        token: &str,
        path: &str,
        body: &impl Serialize,
        what: &str,
    ) -> DeskResult<Posted> {
        let sent = self
            .sent(self.request(Method::POST, Some(token), path).json(body))
            .await;
        Ok(match sent {
            Ok(resp) if resp.status().is_success() => {
                Posted::Accepted(resp.text().await.map_err(offline)?)
            }
            Ok(resp)
                if matches!(
                    resp.status(),
                    StatusCode::CONFLICT
                        | StatusCode::BAD_REQUEST
                        | StatusCode::FORBIDDEN
                        | StatusCode::NOT_FOUND
                        | StatusCode::UNPROCESSABLE_ENTITY
                ) =>
            {
                let text = resp.text().await.map_err(offline)?;
                let body = decode::<ErrorBody>(what, text.as_bytes())?;
                Posted::Refused(text, body)
            }
            Ok(resp) if resp.status() == StatusCode::UNAUTHORIZED => {
                return Err(Self::error_of(resp).await);
            }
            Ok(resp) => Posted::NotDelivered(format!("the centre answered {}", resp.status())),
            Err(e) => Posted::NotDelivered(e.to_string()),
        })
    }

    /// Sends one decision. A 401 is an error (the sync stops); everything else is an answer.
    pub async fn send_decision(
        &self,
        token: &str,
        case_id: &str,
        request: &DecisionRequest,
    ) -> DeskResult<DecisionAnswer> {
        let path = format!("/applications/{}/decisions", path_id(case_id)?);
        const WHAT: &str = "answer to a decision";
        Ok(match self.post_work(token, &path, request, WHAT).await? {
            Posted::Accepted(text) => {
                // The answer must be the contract's, about this decision, and name the case
                // version it made, or its fate is unknown: it stays to be sent again (the id
                // makes a repeat harmless).
                let answer = decode::<DecisionResponse>(WHAT, text.as_bytes())?;
                if answer.id == request.id
                    && answer.application_id == case_id
                    && answer.version > request.based_on_version
                {
                    DecisionAnswer::Recorded(text)
                } else {
                    DecisionAnswer::NotDelivered(format!(
                        "the centre's answer names decision {} of {} at version {}, not this one",
                        answer.id, answer.application_id, answer.version
                    ))
                }
            }
            Posted::Refused(text, _) => DecisionAnswer::Conflict(text),
            Posted::NotDelivered(why) => DecisionAnswer::NotDelivered(why),
        })
    }

    /// Reports audit events. `Ok(None)`: the centre has them; `Ok(Some(answer))`: it refused
    /// them (400/404); `Err`: the network, the session or the centre failed.
    pub async fn report_audit(
        &self,
        token: &str,
        report: &AuditReport,
    ) -> DeskResult<Option<String>> {
        let resp = self
            .sent(
                self.request(Method::POST, Some(token), "/audit")
                    .json(report),
            )
            .await
            .map_err(offline)?;
        match resp.status() {
            s if s.is_success() => Ok(None),
            StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND => {
                Ok(Some(Self::error_of(resp).await.message))
            }
            _ => Err(Self::error_of(resp).await),
        }
    }

    /// The conflicts that concern the signed-in user.
    pub async fn conflicts(&self, token: &str) -> DeskResult<Vec<ConflictRecord>> {
        self.get(token, "/conflicts").await
    }

    /// Names documents about to be downloaded (at most [`migdesk_api::MAX_DOCUMENT_READS`]): the
    /// centre records their reads in one write, and their downloads do not each wait for one.
    pub async fn announce_reads(&self, token: &str, documents: &[String]) -> DeskResult<()> {
        let body = DocumentReads {
            documents: documents.to_vec(),
        };
        let _: DocumentReadsRecorded = self.post(token, "/document-reads", &body).await?;
        Ok(())
    }

    /// Starts a document download, from byte `from` on.
    pub(crate) async fn document(
        &self,
        token: &str,
        id: &str,
        from: usize,
    ) -> DeskResult<reqwest::Response> {
        let mut request = self.untimed(
            Method::GET,
            Some(token),
            &format!("/documents/{}", path_id(id)?),
        );
        if from > 0 {
            request = request.header("range", format!("bytes={from}-"));
        }
        self.sent(request).await.map_err(offline)
    }
}

/// An id from the centre, checked before it goes into a path.
pub(crate) fn path_id(id: &str) -> DeskResult<&str> {
    if !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Ok(id)
    } else {
        Err(DeskError::new(
            ErrorKind::Invalid,
            format!("{id:?} is not an id the centre gave"),
        ))
    }
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
    fn an_answer_that_does_not_fit_names_the_field() {
        let page = br#"{"changes":[{"kind":"created","at":"2026-11-30T10:00:00Z","application_id":"a1","application":null,"assignment":{"officer":null,"version":"three"}}],"next_cursor":"c","has_more":false}"#;
        let err = decode::<ChangesPage>("change feed", page).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Central);
        assert!(
            err.message.contains("changes[0].assignment.version"),
            "{}",
            err.message
        );
        let status = br#"{"changes":[],"next_cursor":"c","has_more":"no"}"#;
        let err = decode::<ChangesPage>("change feed", status).unwrap_err();
        assert!(err.message.contains("has_more"), "{}", err.message);
    }

    #[test]
    fn an_unknown_status_from_a_newer_centre_is_a_clear_error() {
        let body = br#"{"id":"00000000-0000-0000-0000-000000000000","application_id":"a1","status":"archived","version":2,"notification_id":1}"#;
        let err = decode::<DecisionResponse>("answer to a decision", body).unwrap_err();
        assert!(
            err.message.contains("`status`") && err.message.contains("archived"),
            "{}",
            err.message
        );
    }
}

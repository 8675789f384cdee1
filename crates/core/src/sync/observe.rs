//! What each call to the centre took, for whoever asks (the load benchmark's per-route
//! times): a [`Central`] made [`Central::observed`] tells its [`Observer`] of every call; one
//! that is not sends as it always has.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};

use super::Central;

/// One call to the centre as an observer sees it (load measurements): the route, its answer's
/// status (none when no answer came) and the time until the answer's headers.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: Method,
    /// The path under the centre's address, ids included.
    pub path: String,
    pub status: Option<StatusCode>,
    pub elapsed: Duration,
}

/// Called after every call to the centre (see [`Central::observed`]).
#[derive(Clone)]
pub struct Observer(pub Arc<dyn Fn(&Exchange) + Send + Sync>);

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observer")
    }
}

impl Central {
    /// Tells `observer` of every call this client makes (the load benchmark's per-route times).
    #[must_use]
    pub fn observed(mut self, observer: Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Sends `request`, telling the observer, if any, what it took.
    pub(super) async fn sent(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let Some(observer) = &self.observer else {
            return request.send().await;
        };
        let (client, request) = request.build_split();
        let request = request?;
        let (method, path) = (request.method().clone(), request.url().path().to_owned());
        let start = Instant::now();
        let answer = client.execute(request).await;
        (observer.0)(&Exchange {
            method,
            path,
            status: answer.as_ref().ok().map(reqwest::Response::status),
            elapsed: start.elapsed(),
        });
        answer
    }
}

//! The migration service's central case API: a real, runnable server the desk syncs with, and
//! the contract the centre's integrators implement.
//!
//! - [`api`]: the routes, each described for OpenAPI (`GET /api/v1/openapi.json`).
//! - [`db`], [`store`]: one SQLite file (WAL), versioned migrations, the shared queries.
//! - [`database`]: a database named by URL (`sqlite:PATH`, `postgres://…`) and its migrations.
//! - [`sql`]: one SQL interface over SQLite and PostgreSQL ([`sql::Conn`]), under [`db::Db`].
//! - [`auth`]: Argon2 passwords, bearer tokens, sign-in throttling, role checks.
//! - [`audit_log`]: the centre's hash-chained audit trail of reads, sign-ins and desks' reports.
//! - [`portal`]: the applicant portal's own credential and the rate limits of its routes.
//! - the applicant's e-mail for each decision comes from `migdesk_domain::decision`.
//! - [`seed`]: deterministic demo data with real document files.
//! - [`simulate`]: new applications arriving through the intake route, for demos.
//! - [`mail`]: delivery of the applicant's e-mails through an SMTP relay.
//! - [`error`]: the one error type, `ApiError` (`{kind, message}` on the wire).
//! - [`instance`]: who this database is (pinned by desks) and the change feed's epoch.
//! - [`backup`]: a consistent copy of the database while it serves.
//! - [`clock`], [`extract`]: times as the API writes them; extractors that answer in that shape.
//! - `testing` (feature `testing`): a seeded service in-process, for other crates' tests.
//!
//! Every body is a type of the contract crate, `migdesk-api`.

pub mod admin;
pub mod announced;
pub mod api;
pub mod audit_log;
pub mod auth;
pub mod backup;
pub mod clock;
pub mod database;
pub mod db;
pub mod error;
pub mod extract;
mod font;
pub mod instance;
pub mod letter;
pub mod mail;
pub mod portal;
pub mod releases;
pub mod seed;
pub mod simulate;
pub mod snapshots;
pub mod sql;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tls;

use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use migdesk_domain::{Calendar, Catalogue};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::error::{ApiError, ApiResult, ErrorKind};

/// Request bodies above this are refused with 413 (document uploads have their own limit).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The applicant portal's document uploads (base64 inflates files by a third).
pub const MAX_UPLOAD_BYTES: usize = 48 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    pub token_ttl_seconds: i64,
    /// A desk not heard from for this long may hold decisions it has not sent (it is offline,
    /// or its officer has not synced): the supervisor is warned before moving its cases.
    pub quiet_desk_seconds: i64,
    /// How often the applicant portal's routes may be called.
    pub portal_limits: portal::PortalLimits,
    /// Where applicants follow their applications, printed on every decision letter.
    pub tracking_address: String,
    /// How long a sign-in waits for a free password check before it is told the centre is
    /// busy (429, `Retry-After: 1`; the desk waits and tries again by itself).
    pub password_check_wait: std::time::Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            token_ttl_seconds: 12 * 3600,
            quiet_desk_seconds: 15 * 60,
            portal_limits: portal::PortalLimits::default(),
            tracking_address: letter::DEFAULT_TRACKING_ADDRESS.to_owned(),
            password_check_wait: std::time::Duration::from_secs(10),
        }
    }
}

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: db::Db,
    pub catalogue: Arc<Catalogue>,
    pub calendar: Arc<Calendar>,
    pub config: Arc<Config>,
    /// A hash no password matches, checked for unknown user names.
    pub dummy_hash: Arc<str>,
    /// Password checks in flight, at most one a core: each Argon2 check holds ~19 MiB, so a
    /// flood of sign-ins waits here (and is refused with 429 after a while) instead of
    /// exhausting memory.
    pub password_checks: Arc<tokio::sync::Semaphore>,
    /// The applicant portal's rate limits, per address and per credential.
    pub portal_limiter: Arc<portal::RateLimiter>,
    /// The change feed's serialised cases, reused while they stay current.
    pub snapshots: Arc<snapshots::Snapshots>,
    /// Document reads desks announced and recorded, waiting for their downloads.
    pub announced_reads: Arc<announced::AnnouncedReads>,
}

impl AppState {
    pub fn new(
        db: db::Db,
        catalogue: Catalogue,
        calendar: Calendar,
        config: Config,
    ) -> ApiResult<Self> {
        let dummy: String = (0..4).map(|_| uuid::Uuid::new_v4().to_string()).collect();
        Ok(Self {
            db,
            catalogue: Arc::new(catalogue),
            calendar: Arc::new(calendar),
            config: Arc::new(config),
            dummy_hash: auth::hash_password(&dummy)?.into(),
            password_checks: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            )),
            portal_limiter: Arc::default(),
            snapshots: Arc::new(snapshots::Snapshots::new(snapshots::BUDGET)),
            announced_reads: Arc::default(),
        })
    }
}

static OPENAPI: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(|| {
    let mut doc = api::router().split_for_parts().1;
    api::describe_body_errors(&mut doc);
    doc
});

/// The OpenAPI 3.1 document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    OPENAPI.clone()
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::MethodNotAllowed,
        "this route does not take that method",
    )
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    tracing::error!("a request handler panicked");
    ApiError::internal("the central service failed on this request").into_response()
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let (router, _) = api::router().split_for_parts();
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            api::sign_ins::audit,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: impl axum::serve::Listener<Addr = std::net::SocketAddr>,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with_mail(listener, state, None, shutdown).await
}

/// Serves until `shutdown` resolves; with a mailer, queued e-mails are sent in the background.
pub async fn serve_with_mail(
    listener: impl axum::serve::Listener<Addr = std::net::SocketAddr>,
    state: AppState,
    mailer: Option<mail::Mailer>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let delivery = mailer.map(|m| {
        tokio::spawn(mail::run(
            state.db.clone(),
            m.with_letters(mail::Letters {
                catalogue: state.catalogue.clone(),
                tracking_address: state.config.tracking_address.clone(),
            }),
            std::time::Duration::from_secs(2),
        ))
    });
    // Each request knows its client's address (the applicant portal's limits count by it).
    // (Through `tap_io`, which gives any listener's connections their peer's address.)
    let result = axum::serve(
        axum::serve::ListenerExt::tap_io(listener, |_| {}),
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    if let Some(task) = delivery {
        task.abort();
    }
    result
}

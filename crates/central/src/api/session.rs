//! Signing in and out (`/session`) and who the caller is (`/me`).

use crate::sql::{Conn, OptionalExtension};
use axum::Json;
use axum::http::StatusCode;
use chrono::Duration;
use rusqlite::params;

use super::NeedsSession;
use crate::AppState;
use crate::auth::{self, Caller};
use crate::clock;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use migdesk_api::{Department, LocalizedName, Role, SessionRequest, SessionResponse, UserProfile};

fn profile(conn: &Conn<'_>, user_id: &str) -> ApiResult<UserProfile> {
    Ok(conn.query_row(
        "SELECT u.id, u.username, u.full_name, u.role, d.id, d.name_az, d.name_en, d.name_ru
         FROM users u JOIN departments d ON d.id = u.department_id WHERE u.id = ?1",
        [user_id],
        |r| {
            Ok(UserProfile {
                id: r.get(0)?,
                username: r.get(1)?,
                full_name: r.get(2)?,
                role: Role::parse(&r.get::<_, String>(3)?).unwrap_or(Role::Officer),
                department: Department {
                    id: r.get(4)?,
                    name: LocalizedName {
                        az: r.get(5)?,
                        en: r.get(6)?,
                        ru: r.get(7)?,
                    },
                },
            })
        },
    )?)
}

/// Signs in with a user name and password and returns a bearer token.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = SessionRequest,
    responses(
        (status = 200, body = SessionResponse),
        (status = 400, body = ErrorBody, description = "Malformed request"),
        (status = 401, body = ErrorBody, description = "Wrong user name or password"),
        (status = 403, body = ErrorBody, description = "The account has been disabled (told only with the right password)"),
        (status = 429, body = ErrorBody, description = "Too many failed attempts, or the centre is busy checking other sign-ins; see Retry-After"),
    ))]
pub async fn sign_in(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiJson(req): ApiJson<SessionRequest>,
) -> ApiResult<Json<SessionResponse>> {
    let username = req.username.trim().to_owned();
    if username.is_empty()
        || req.password.is_empty()
        || username.chars().count() > 100
        || req.password.chars().count() > 1000
    {
        return Err(ApiError::bad_request("user name and password are required"));
    }
    // A free password check first: an attempt told the centre is busy has not begun, and
    // counts as no failure (a department signing in at eight must not pause its user names).
    let permit = tokio::time::timeout(
        state.config.password_check_wait,
        state.password_checks.clone().acquire_owned(),
    )
    .await
    .map_err(|_| {
        ApiError::too_many_requests("the centre is busy checking other sign-ins: try again", 1)
    })?
    .map_err(|e| ApiError::internal(e.to_string()))?;
    let now = clock::now();
    let lookup_name = username.clone();
    let found = state
        .db
        .write(move |conn| {
            if let Some(wait) = auth::begin_attempt(conn, &lookup_name, now)? {
                return Err(ApiError::too_many_requests(
                    format!(
                        "too many failed sign-ins for this user name: try again in {wait} seconds"
                    ),
                    wait,
                ));
            }
            Ok(conn
                .query_row(
                    "SELECT id, password_hash, disabled_at IS NOT NULL FROM users WHERE username = ?1",
                    [&lookup_name],
                    |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, bool>(2)?)),
                )
                .optional()?)
        })
        .await?;

    // Argon2 runs outside any database transaction. Unknown user names are checked against a hash
    // that matches nothing, so that they take as long as known ones.
    let hash = found
        .as_ref()
        .map(|(_, h, _)| h.clone())
        .unwrap_or_else(|| state.dummy_hash.to_string());
    let password = req.password;
    let ok = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        auth::verify_password(&password, &hash)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
        && found.is_some();

    let ttl = Duration::seconds(state.config.token_ttl_seconds);
    state
        .db
        .write(move |conn| {
            // The attempt was counted as a failure when it began; a success clears it.
            let Some((user_id, _, disabled)) = found.clone().filter(|_| ok) else {
                return Err(ApiError::unauthorized("wrong user name or password"));
            };
            // Told only to whoever knows the password.
            if disabled {
                return Err(ApiError::forbidden(
                    "this account has been disabled: ask the centre's administrator",
                ));
            }
            auth::clear_failures(conn, &username)?;
            // The token's life starts when it is handed out, not when the request arrived
            // (Argon2 and a busy database come in between).
            let (token, expires_at) = auth::issue_token(conn, &user_id, clock::now(), ttl)?;
            Ok(Json(SessionResponse {
                token,
                expires_at,
                user: profile(conn, &user_id)?,
                instance_id: crate::instance::identity(conn)?.0,
            }))
        })
        .await
}

/// Ends the session: the token stops working at once.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", security(("bearer" = [])),
    responses((status = 204), NeedsSession))]
pub async fn sign_out(
    axum::extract::State(state): axum::extract::State<AppState>,
    caller: Caller,
) -> ApiResult<StatusCode> {
    state
        .db
        .run(move |conn| {
            conn.execute(
                "DELETE FROM tokens WHERE token_hash = ?1",
                params![caller.token_hash],
            )?;
            Ok(StatusCode::NO_CONTENT)
        })
        .await
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/session", tag = "session", security(("bearer" = [])),
    responses((status = 200, body = UserProfile), NeedsSession))]
pub async fn me(
    axum::extract::State(state): axum::extract::State<AppState>,
    caller: Caller,
) -> ApiResult<Json<UserProfile>> {
    state
        .db
        .run(move |conn| Ok(Json(profile(conn, &caller.user_id)?)))
        .await
}

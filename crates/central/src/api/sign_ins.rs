//! Sign-ins in the centre's audit trail: a layer around `POST /api/v1/session` (the handler in
//! `session.rs` stays as it is) records each attempt the handler answered — signed in, refused
//! for a wrong user name or password, or refused while the user name is paused (429) — with the
//! user name as given, the user's id when the name is known, and the desk's name for itself.
//! A malformed request (400, 413, 415) is no attempt and is not recorded. When the row cannot
//! be written the answer is an error, so no sign-in is answered unrecorded.

use crate::sql::OptionalExtension;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::audit_log::{self, Action, Desk, Entry};
use crate::clock;
use crate::error::{ApiError, ErrorKind};

/// The route this layer watches.
const SESSION: &str = "/api/v1/session";
/// The longest user name kept (the handler refuses longer ones anyway).
const MAX_USERNAME_CHARS: usize = 100;

/// Records the outcome of a sign-in after the handler has answered it.
pub async fn audit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || request.uri().path() != SESSION {
        return next.run(request).await;
    }
    let desk = Desk::from_headers(request.headers());
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::MAX_BODY_BYTES).await else {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::PayloadTooLarge,
            "the body is larger than this route takes",
        )
        .into_response();
    };
    let username = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| {
            v.get("username")?.as_str().map(|u| {
                u.trim()
                    .chars()
                    .take(MAX_USERNAME_CHARS)
                    .collect::<String>()
            })
        });
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let action = match response.status() {
        StatusCode::OK => Action::SignIn,
        StatusCode::UNAUTHORIZED => Action::SignInFailed,
        StatusCode::TOO_MANY_REQUESTS => Action::SignInThrottled,
        _ => return response,
    };
    let Some(username) = username else {
        return response;
    };
    let recorded = state
        .db
        .write_chained(move |tx| {
            let actor_id: Option<String> = tx
                .query_row(
                    "SELECT id FROM users WHERE username = ?1",
                    [&username],
                    |r| r.get(0),
                )
                .optional()?;
            let entry = Entry {
                actor_id,
                username: Some(username.clone()),
                desk: desk.0.clone(),
                ..Entry::new(action)
            };
            audit_log::append(tx, &entry, &clock::format(clock::now()))
        })
        .await;
    match recorded {
        Ok(_) => response,
        Err(e) => {
            tracing::error!(error = %e, "a sign-in could not be recorded in the audit trail");
            ApiError::internal("the sign-in could not be recorded: try again").into_response()
        }
    }
}

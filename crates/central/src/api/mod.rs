//! The HTTP routes. Every route is declared with `#[utoipa::path]` and registered through
//! `OpenApiRouter`, so the served OpenAPI document and the router cannot drift apart.

pub mod appeals;
pub mod applicant;
pub mod applications;
pub mod approvals;
pub mod audit;
pub mod changes;
pub mod conflicts;
pub mod counter;
pub mod decisions;
pub mod departments;
pub mod distribution;
pub mod documents;
pub mod history;
pub mod intake;
pub mod letters;
pub mod notes;
pub mod notifications;
pub mod pool;
pub mod releases;
pub mod session;
pub mod sign_ins;
pub mod statistics;
pub mod supervision;

use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use crate::AppState;
use migdesk_api::ErrorBody;

/// What every route of a signed-in officer or supervisor answers when the bearer token is
/// missing, unknown or expired.
#[derive(Debug, utoipa::IntoResponses)]
pub enum NeedsSession {
    #[response(status = 401, description = "No valid session: sign in again")]
    Unauthorized(ErrorBody),
}

/// What every supervisors' route answers to a caller without a session, or who is not a
/// supervisor of the department concerned.
#[derive(Debug, utoipa::IntoResponses)]
pub enum NeedsSupervisor {
    #[response(status = 401, description = "No valid session: sign in again")]
    Unauthorized(ErrorBody),
    #[response(
        status = 403,
        description = "Not a supervisor of the department concerned"
    )]
    Forbidden(ErrorBody),
}

/// What every applicant-portal route answers to a caller without the portal's credential, or
/// one that calls too often.
#[derive(Debug, utoipa::IntoResponses)]
pub enum NeedsPortal {
    #[response(status = 401, description = "No valid applicant portal credential")]
    Unauthorized(ErrorBody),
    #[response(status = 429, description = "Too many calls: see `Retry-After`")]
    TooMany(ErrorBody),
}

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // The applicant portal's own credential (`migdesk-central portal-token`).
        components.add_security_scheme(
            "portal",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "migdesk central service",
        description = "The case API of the State Migration Service's central system, as used by the migdesk officer desk. \
Errors are always `{kind, message}` JSON; conflicts (409) add a machine-readable `cause`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "session", description = "Signing in and out"),
        (name = "cases", description = "The change feed, case detail, documents and decisions"),
        (name = "supervision", description = "Department workload, reassignment, conflicts and case history (supervisors)"),
        (name = "applicant", description = "What the applicant portal uses, with its own credential: tracking, sending documents, withdrawing"),
        (name = "desk", description = "New versions of the desk, signed, for signed-in desks to install"),
        (name = "meta", description = "This document")
    )
)]
struct ApiDoc;

/// Every route that reads a JSON body also answers 413 (a body larger than it takes) and 415
/// (a body not sent as `application/json`) with the error body: said once here for all of them.
pub(crate) fn describe_body_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            if op.request_body.is_none() {
                continue;
            }
            for (code, text) in [
                ("413", "The body is larger than this route takes"),
                ("415", "The body is not sent as `application/json`"),
            ] {
                op.responses
                    .responses
                    .entry(code.to_owned())
                    .or_insert_with(|| {
                        RefOr::T(
                            ResponseBuilder::new()
                                .description(text)
                                .content(
                                    "application/json",
                                    ContentBuilder::new()
                                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                                        .build(),
                                )
                                .build(),
                        )
                    });
            }
        }
    }
}

/// A route that takes files, with the upload limit for it alone.
fn uploads(
    (schemas, paths, method_router): UtoipaMethodRouter<AppState>,
) -> UtoipaMethodRouter<AppState> {
    (
        schemas,
        paths,
        method_router.layer(axum::extract::DefaultBodyLimit::max(
            crate::MAX_UPLOAD_BYTES,
        )),
    )
}

/// All routes, with their OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session::sign_in, session::sign_out, session::me))
        .routes(routes!(changes::list))
        .routes(routes!(applications::detail))
        .routes(routes!(applications::notifications))
        .routes(routes!(applications::applicant_history))
        .routes(routes!(documents::download))
        .routes(routes!(documents::announce_reads))
        .routes(routes!(decisions::create))
        .routes(routes!(letters::letter))
        .routes(routes!(notes::list, notes::create))
        .routes(routes!(appeals::reopen))
        .routes(routes!(appeals::execute))
        .routes(routes!(audit::report))
        .routes(routes!(supervision::workload))
        .routes(routes!(supervision::assign))
        .routes(routes!(supervision::officer_cases))
        .routes(routes!(approvals::list))
        .routes(routes!(approvals::answer))
        .routes(routes!(departments::settings, departments::set_settings))
        .routes(routes!(departments::alerts))
        .routes(routes!(statistics::statistics))
        .routes(routes!(pool::list))
        .routes(routes!(pool::claim))
        .routes(routes!(
            distribution::distribution,
            distribution::set_distribution
        ))
        .routes(routes!(conflicts::list))
        .routes(routes!(conflicts::resolve))
        .routes(routes!(history::export))
        .routes(routes!(notifications::undelivered))
        .routes(routes!(notifications::requeue))
        .routes(routes!(applicant::track))
        // Uploads carry files: a larger body limit for these routes only.
        .routes(uploads(routes!(applicant::send_documents)))
        .routes(uploads(routes!(counter::add)))
        .routes(uploads(routes!(intake::submit)))
        .routes(routes!(applicant::withdraw))
        .routes(routes!(releases::update))
        .routes(routes!(releases::package))
        .routes(routes!(openapi_json))
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json")))]
async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(crate::openapi())
}

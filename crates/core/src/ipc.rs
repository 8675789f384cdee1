//! Data types that cross the IPC boundary, and the commands the desktop shell exposes.
//!
//! These are the only shapes the UI sees. Their TypeScript declarations are generated into
//! `ui/src/ipc/bindings.ts` by [`crate::bindings`]; never write a mirror of them by hand.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How this build of the desk was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BuildInfo {
    /// Short git commit the build was made from, or `unknown` outside a checkout.
    pub commit: String,
    /// `debug` or `release`.
    pub profile: String,
    /// The target triple, e.g. `x86_64-unknown-linux-gnu`.
    pub target: String,
}

/// What the desk says about itself on the first screen and in support requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    pub build: BuildInfo,
    /// The folder where this workstation keeps its data.
    pub data_dir: String,
}

/// The session as the UI needs it to choose a screen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionInfo {
    /// An officer is signed in on this desk (a token in the keyring and a cached session).
    pub signed_in: bool,
    /// Signed in, but the desk waits for the password (idle too long, or just started).
    pub locked: bool,
    /// The central service's address last used here, to offer on the sign-in screen.
    pub server: Option<String>,
    pub user_name: Option<String>,
    /// `officer` or `supervisor`.
    pub role: Option<migdesk_api::Role>,
}

/// What the officer types on the sign-in screen.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignInRequest {
    pub server: String,
    pub username: String,
    pub password: String,
}

// Debug output (logs, panics) leaves the password out.
impl std::fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInRequest")
            .field("server", &self.server)
            .field("username", &self.username)
            .field("password", &"…")
            .finish()
    }
}

/// One page of the queue and how many cases match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QueuePage {
    pub rows: Vec<crate::queue::QueueRow>,
    #[ts(type = "number")]
    pub total: i64,
}

/// A text in the desk's three languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LocalizedText {
    pub az: String,
    pub en: String,
    pub ru: String,
}

impl From<&migdesk_domain::Localized> for LocalizedText {
    fn from(l: &migdesk_domain::Localized) -> Self {
        Self {
            az: l.az.clone(),
            en: l.en.clone(),
            ru: l.ru.clone(),
        }
    }
}

/// An e-service as the desk names it, with the document types it requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ServiceInfo {
    pub code: String,
    pub name: LocalizedText,
    pub required_documents: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DocumentTypeInfo {
    pub code: String,
    pub name: LocalizedText,
}

/// The service catalogue, for names, filters and checklists in the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CatalogueInfo {
    pub services: Vec<ServiceInfo>,
    pub document_types: Vec<DocumentTypeInfo>,
}

impl From<&migdesk_domain::Catalogue> for CatalogueInfo {
    fn from(c: &migdesk_domain::Catalogue) -> Self {
        Self {
            services: c
                .services
                .iter()
                .map(|s| ServiceInfo {
                    code: s.code.clone(),
                    name: (&s.name).into(),
                    required_documents: s.required_documents.clone(),
                })
                .collect(),
            document_types: c
                .document_types
                .iter()
                .map(|d| DocumentTypeInfo {
                    code: d.code.clone(),
                    name: (&d.name).into(),
                })
                .collect(),
        }
    }
}

/// One command the shell exposes to the UI: its name, and the TypeScript types of its
/// arguments object and its successful result. Errors are always [`crate::DeskError`].
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    pub name: &'static str,
    pub args: fn() -> String,
    pub returns: fn() -> String,
}

fn no_args() -> String {
    "Record<string, never>".to_owned()
}

fn ts_name<T: TS>() -> String {
    T::name(&ts_rs::Config::new())
}

fn sign_in_args() -> String {
    format!("{{ request: {} }}", ts_name::<SignInRequest>())
}

fn password_args() -> String {
    "{ password: string }".to_owned()
}

fn case_args() -> String {
    "{ id: string }".to_owned()
}

fn decision_args() -> String {
    format!(
        "{{ id: string; decision: {} }}",
        ts_name::<migdesk_domain::decision::Decision>()
    )
}

fn sync_args() -> String {
    format!(
        "{{ onProgress: import(\"@tauri-apps/api/core\").Channel<{}> }}",
        ts_name::<crate::sync::Progress>()
    )
}

fn conflict_list() -> String {
    format!("{}[]", ts_name::<crate::conflicts::ConflictView>())
}

fn reassign_args() -> String {
    format!(
        "{{ request: {} }}",
        ts_name::<crate::supervision::Reassignment>()
    )
}

fn resolve_args() -> String {
    format!(
        "{{ id: string; resolution: {} }}",
        ts_name::<crate::supervision::Resolution>()
    )
}

fn text() -> String {
    "string".to_owned()
}

fn count() -> String {
    "number".to_owned()
}

fn queue_args() -> String {
    format!("{{ query: {} }}", ts_name::<crate::queue::QueueQuery>())
}

const fn command(name: &'static str, args: fn() -> String, returns: fn() -> String) -> CommandSpec {
    CommandSpec {
        name,
        args,
        returns,
    }
}

/// Every command the desktop shell registers. The shell's build script derives its permission
/// manifest from this list, and [`crate::bindings`] derives the UI's typed command map from it.
pub const COMMANDS: &[CommandSpec] = &[
    command("app_info", no_args, ts_name::<AppInfo>),
    command("catalogue", no_args, ts_name::<CatalogueInfo>),
    command("session", no_args, ts_name::<SessionInfo>),
    command("sign_in", sign_in_args, ts_name::<SessionInfo>),
    command("unlock", password_args, ts_name::<SessionInfo>),
    command("lock", no_args, ts_name::<SessionInfo>),
    command("sign_out", no_args, ts_name::<SessionInfo>),
    command("queue_page", queue_args, ts_name::<QueuePage>),
    command("sync_now", sync_args, ts_name::<crate::sync::SyncReport>),
    command("case_view", case_args, ts_name::<crate::case::CaseView>),
    command(
        "decision_preview",
        decision_args,
        ts_name::<migdesk_domain::decision::Email>,
    ),
    command("decide", decision_args, ts_name::<crate::case::CaseView>),
    command(
        "document_layout",
        case_args,
        ts_name::<crate::viewer::DocumentLayout>,
    ),
    command(
        "document_text",
        case_args,
        ts_name::<crate::crosscheck::DocumentText>,
    ),
    command("prefetch_case", case_args, count),
    command("conflicts", no_args, conflict_list),
    command("conflict_seen", case_args, conflict_list),
    command("workload", no_args, ts_name::<crate::supervision::Workload>),
    command(
        "officer_cases",
        case_args,
        ts_name::<crate::supervision::OfficerCases>,
    ),
    command(
        "reassign",
        reassign_args,
        ts_name::<crate::supervision::ReassignOutcome>,
    ),
    command("resolve_conflict", resolve_args, conflict_list),
    command("export_history", case_args, text),
];

/// The names in [`COMMANDS`].
pub fn command_names() -> Vec<&'static str> {
    COMMANDS.iter().map(|c| c.name).collect()
}

#[cfg(test)]
mod tests {
    use super::SignInRequest;

    #[test]
    fn the_password_stays_out_of_debug_output() {
        let request = SignInRequest {
            server: "https://centre.example".into(),
            username: "aysel".into(),
            password: "novruz-seki-71".into(),
        };
        let shown = format!("{request:?}");
        assert!(shown.contains("aysel"), "{shown}");
        assert!(!shown.contains("novruz-seki-71"), "{shown}");
    }
}

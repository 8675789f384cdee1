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
    /// The workstation's configuration locks the centre: the sign-in screen shows `server`
    /// without a field to change it.
    pub server_locked: bool,
    /// The language the workstation's configuration opens the desk in (`az`, `en`, `ru`), until
    /// the officer chooses one.
    pub default_language: Option<String>,
    pub user_name: Option<String>,
    /// `officer` or `supervisor`.
    pub role: Option<migdesk_api::Role>,
    /// This computer's clock is off the centre's by more than five minutes (seconds; positive
    /// when this computer is behind), as measured at sign-in.
    #[ts(type = "number | null")]
    pub clock_off_by_seconds: Option<i64>,
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
    /// The signed-in officer's cases waiting for a decision that fall due today or on the next
    /// working day (not yet overdue), whatever the query: the queue says so at its top.
    #[ts(type = "number")]
    pub due_soon: i64,
    /// When this desk last brought the centre's changes in (RFC 3339); `None` before its first
    /// sync (the cache of another officer's, or a repaired one, starts again with none).
    pub last_sync: Option<String>,
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

/// One command the shell exposes to the UI: its name, its arguments (as the UI names them) and
/// the TypeScript types of its arguments object and its successful result. Errors are always
/// [`crate::DeskError`].
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    pub name: &'static str,
    /// The argument names the UI sends (camelCase, as Tauri maps the shell's parameters).
    pub arg_names: &'static [&'static str],
    pub args: fn() -> String,
    pub returns: fn() -> String,
}

/// The UI's end of a channel the shell streams through (`tauri::ipc::Channel` there); named
/// here only for its TypeScript type.
#[derive(Debug)]
pub struct Channel<T>(std::marker::PhantomData<T>);

/// A type's name in TypeScript, as an argument or a result.
pub trait TsType {
    fn ts() -> String;
}

impl<T: TS> TsType for T {
    fn ts() -> String {
        T::name(&ts_rs::Config::new())
    }
}

impl<T: TS> TsType for Channel<T> {
    fn ts() -> String {
        format!(
            "import(\"@tauri-apps/api/core\").Channel<{}>",
            T::name(&ts_rs::Config::new())
        )
    }
}

fn args_object(args: &[(&str, String)]) -> String {
    if args.is_empty() {
        return "Record<string, never>".to_owned();
    }
    let fields: Vec<String> = args
        .iter()
        .map(|(name, ts)| format!("{}: {ts}", to_camel(name)))
        .collect();
    format!("{{ {} }}", fields.join("; "))
}

/// `on_progress` → `onProgress`: how Tauri names a parameter for JavaScript.
pub fn to_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

macro_rules! desk_commands {
    ($($name:ident ( $($arg:ident : $t:ty),* ) -> $ret:ty;)*) => {
        /// Every command the desktop shell registers, from `commands.list`.
        pub const COMMANDS: &[CommandSpec] = &[$(
            CommandSpec {
                name: stringify!($name),
                arg_names: &[$(stringify!($arg)),*],
                args: || args_object(&[$((stringify!($arg), <$t as TsType>::ts())),*]),
                returns: <$ret as TsType>::ts,
            }
        ),*];
    };
}

use crate::appeals::{Issued, Letter, Reopening};
use crate::approvals::{ApprovalView, ProposalAnswer};
use crate::case::CaseView;
use crate::casework::CounterDocument;
use crate::conflicts::ConflictView;
use crate::crosscheck::DocumentText;
use crate::department::{AlertsView, DepartmentSettingsView};
use crate::desk::Prefetched;
use crate::distribution::{DistributionChange, DistributionView};
use crate::pool::PoolCaseView;
use crate::queue::QueueQuery;
use crate::statistics::{StatisticsExport, StatisticsQuery, StatisticsView};
use crate::supervision::{
    EmailId, OfficerCases, ReassignOutcome, Reassignment, Resolution, UndeliveredView, Workload,
};
use crate::sync::{Progress, SyncReport};
use crate::update::UpdateOffer;
use crate::viewer::DocumentLayout;
use migdesk_domain::decision::{Decision, Email};

include!("commands.list");

/// The names in [`COMMANDS`].
pub fn command_names() -> Vec<&'static str> {
    COMMANDS.iter().map(|c| c.name).collect()
}

#[cfg(test)]
mod tests {
    use super::SignInRequest;

    #[test]
    fn parameters_are_named_as_tauri_names_them_for_javascript() {
        assert_eq!(super::to_camel("on_progress"), "onProgress");
        assert_eq!(super::to_camel("id"), "id");
        let sync = super::COMMANDS
            .iter()
            .find(|c| c.name == "sync_now")
            .unwrap();
        assert!(
            (sync.args)().starts_with("{ onProgress: import("),
            "{}",
            (sync.args)()
        );
    }

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

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

/// Every command the desktop shell registers. The shell's build script derives its permission
/// manifest from this list, and [`crate::bindings`] derives the UI's typed command map from it.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "app_info",
    args: no_args,
    returns: ts_name::<AppInfo>,
}];

/// The names in [`COMMANDS`].
pub fn command_names() -> Vec<&'static str> {
    COMMANDS.iter().map(|c| c.name).collect()
}

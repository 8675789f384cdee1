//! The Tauri-free core of migdesk.
//!
//! Everything the desk does lives here (or in crates beside it) so that it builds and tests with
//! a plain `cargo test` and no display. The desktop shell in `src-tauri` only wires these pieces
//! to Tauri commands.
//!
//! - [`error`]: the one error type that crosses IPC, serialised as `{kind, message}`.
//! - [`ipc`]: the data types that cross IPC, and the list of commands the shell exposes.
//! - [`bindings`]: generation of the TypeScript declarations of those types for the UI.

pub mod app_info;
pub mod bindings;
pub mod error;
pub mod ipc;

pub use error::{DeskError, DeskResult, ErrorKind};

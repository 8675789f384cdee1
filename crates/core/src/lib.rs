//! The desk engine of migdesk, free of Tauri.
//!
//! Everything the desk does lives here (or in crates beside it) so that it builds and tests with
//! a plain `cargo test` and no display. The desktop shell in `src-tauri` only wires these pieces
//! to Tauri commands. The centre's data arrives typed by the contract crate, `migdesk-api`.
//!
//! - [`error`]: the one error type that crosses IPC, serialised as `{kind, message}`.
//! - [`ipc`]: the shell's own IPC types and the commands (from `commands.list`); each feature's
//!   views live in its module.
//! - [`bindings`]: generation of the TypeScript declarations of every IPC type for the UI.
//! - [`app_info`]: the data folder rules and what the desk says about itself.
//! - [`desk`]: the facade the shell holds: session, lock, queue and sync behind one type.
//! - [`cache`]: the encrypted workstation cache (SQLCipher): all of the desk's SQL, one module
//!   per table.
//! - [`secrets`]: the cache key and the session token in the OS keyring.
//! - [`session`]: sign-in and sign-out, and the idle lock (offline unlock with the password).
//! - [`sync`]: the centre's client, pulling the change feed and documents, pushing decisions from
//!   the outbox and the audit trail.
//! - [`queue`]: the officer's queue: filters, sorting, paging and folded full-text search.
//! - [`case`]: one case: form, checklist, history, decision checks, e-mail preview, recording.
//! - [`viewer`]: document bytes for the viewer (as they are, or converted page by page).
//! - [`crosscheck`]: a document's text with the applicant's key values found or flagged.
//! - [`approvals`]: four eyes on refusals: a proposal on its case, the supervisor's approvals
//!   list and answers (kept offline, sent by the sync), the department's setting.
//! - [`department`]: the department's settings and its supervisor's deadline alerts.
//! - [`conflicts`]: decisions the centre kept but could not apply, for the conflicts inbox.
//! - [`supervision`]: the supervisor's calls (workload, moving cases, conflicts, history).
//! - [`wipe`]: removing everything the workstation keeps, never unsent decisions unasked.

pub mod app_info;
pub mod appeals;
pub mod approvals;
pub mod bindings;
pub mod cache;
pub mod case;
pub mod casework;
pub mod conflicts;
pub mod crosscheck;
pub mod department;
pub mod desk;
pub mod distribution;
pub mod error;
pub mod ipc;
pub mod pool;
pub mod queue;
pub mod recognition;
pub mod secrets;
pub mod session;
pub mod statistics;
pub mod supervision;
pub mod sync;
#[cfg(feature = "testing")]
pub mod testing;
pub mod update;
pub mod viewer;
pub mod wipe;
pub mod workstation;
pub mod zone;

pub use error::{DeskError, DeskResult, ErrorKind};

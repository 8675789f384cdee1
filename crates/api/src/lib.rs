//! The contract between the migdesk desk and the central service: every request and response
//! body of the case API, as serde types.
//!
//! The centre's handlers serialise these and the desk's client deserialises them, so a field
//! renamed on one side is a compile error on the other, not an empty string in the cache. With
//! the `openapi` feature every type derives its OpenAPI schema (the centre serves the document,
//! committed as `crates/central/openapi.json`); with `ts` the enums that reach the desk's UI
//! derive their TypeScript declarations (committed in `ui/src/ipc/bindings.ts`).
//!
//! Requests refuse unknown fields. Enums the desk only reads and can go on without
//! (history events, conflict causes) have an explicit `Unknown` variant for values a newer
//! centre may add; the others fail to decode, and the desk names the field.

mod alerts;
mod appeals;
mod applicant;
mod approvals;
mod audit;
mod cases;
mod counter;
mod decisions;
mod delivery;
mod error;
mod history;
mod intake;
mod notes;
mod releases;
mod session;
mod statistics;
mod supervision;

pub use alerts::*;
pub use appeals::*;
pub use applicant::*;
pub use approvals::*;
pub use audit::*;
pub use cases::*;
pub use counter::*;
pub use decisions::*;
pub use delivery::*;
pub use error::*;
pub use history::*;
pub use intake::*;
pub use notes::*;
pub use releases::*;
pub use session::*;
pub use statistics::*;
pub use supervision::*;

/// The path every route of this version of the API starts with.
pub const PREFIX: &str = "/api/v1";

/// The change feed's page size when the caller names none, and the most it may ask for.
pub const CHANGES_DEFAULT_LIMIT: u32 = 200;
pub const CHANGES_MAX_LIMIT: u32 = 1000;

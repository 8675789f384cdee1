//! The desk engine's tests, in one test binary (one link, one executable on disk), each file a
//! module: `cargo test -p migdesk-core --test engine sync::` runs the sync tests alone.

mod appeals;
mod approvals;
mod case;
mod cli_doc;
mod common;
mod counter;
mod desk;
mod faults;
mod recognition;
mod session;
mod statistics;
mod supervision;
mod sync;
mod transport;
mod update;
mod zone;

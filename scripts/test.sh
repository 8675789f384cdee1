#!/usr/bin/env bash
# Runs every test of migdesk: formatting, lints, type check, Rust tests, UI tests, and the
# end-to-end tests that drive the real window over WebDriver. Installs what is missing first.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_debian_packages
ensure_rust
ensure_node
ensure_tauri_driver
# One build from scratch: incremental compilation's caches would only fill the disk (3.4 GB of
# the 10.6 GB a run's target folder reached with them), never be reused.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

step "format (Rust)"
cargo fmt --all --check
step "format and lint (UI)"
npm --prefix ui run lint
step "type check (UI)"
npm --prefix ui run typecheck
step "UI tests"
npm --prefix ui test
build_ui
step "lints (Rust)"
cargo clippy --workspace --all-targets --locked -- -D warnings
build_workspace
bash scripts/contract.sh
step "Rust tests, including end-to-end (artifacts in target/e2e-artifacts)"
# A session bus and a fresh, unlocked Secret Service of their own (GNOME Keyring in a new data
# folder), so tests use a real keyring and never touch the user's; a PostgreSQL cluster of their
# own for the centre's tests on PostgreSQL.
with_postgres with_test_keyring cargo test --workspace --locked
step "the central API tests and the desk's sync tests again, the centre on PostgreSQL"
# The same test binaries (--workspace: the same build), each test's centre serving a database of
# the throwaway cluster instead of a SQLite file; of the desk engine's tests, the sync module's.
MIGDESK_TEST_ENGINE=postgres with_postgres with_test_keyring bash -c \
  'cargo test --workspace --locked --test api && cargo test --workspace --locked --test engine -- sync::'
# The packages, built in release mode, installed on this machine and tested as installed.
bash scripts/package.sh
bash scripts/installed.sh
step "every test passed"

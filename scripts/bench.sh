#!/usr/bin/env bash
# Benchmarks: each figure is printed next to a reference tool measured in the same run, as a
# ratio. Nothing here asserts a time; the machine may be shared and noisy.
#   bash scripts/bench.sh            all benchmarks
#   bash scripts/bench.sh central    the central service (change feed, document downloads vs nginx)
#   bash scripts/bench.sh desk       the desk's engine (first sync vs curl, 100k-case queue vs sqlite3)
#   bash scripts/bench.sh documents  scans (300 dpi TIFF -> PNG vs ImageMagick, PDF text vs pdftotext)
#   bash scripts/bench.sh ui         the desk in its window (Enter -> both documents painted vs
#                                    pdftoppm + convert; memory with two scans open; cold start to a
#                                    usable queue over 100,000 cached cases vs an empty start)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEBIAN_PACKAGES+=(nginx-light curl sqlite3 imagemagick poppler-utils)
ensure_debian_packages
ensure_rust

central() {
  step "central service (release build)"
  cargo bench -p migdesk-central --bench central --locked
}
desk() {
  step "desk engine (release build)"
  cargo bench -p migdesk-core --bench desk --locked
}
documents() {
  step "documents (release build)"
  cargo bench -p migdesk-core --bench documents --locked
}
ui() {
  ensure_node
  ensure_tauri_driver
  build_ui
  step "the desk in its window (release build of the app)"
  cargo build --release -p migdesk --locked
  build_central
  # Its own session bus and unlocked Secret Service, as the end-to-end tests have.
  KEYRING_HOME="$(mktemp -d)"
  trap 'rm -rf "$KEYRING_HOME"' EXIT
  MIGDESK_APP="$PWD/target/release/migdesk" dbus-run-session -- bash -c '
    export XDG_DATA_HOME="$1"
    printf migdesk | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec cargo bench -p migdesk-e2e --bench ui --locked
  ' keyring "$KEYRING_HOME"
}

case "${1:-all}" in
  central) central ;;
  desk) desk ;;
  documents) documents ;;
  ui) ui ;;
  all) central; desk; documents; ui ;;
  *) die "unknown benchmark $1 (choose: central, desk, documents, ui, all)" ;;
esac

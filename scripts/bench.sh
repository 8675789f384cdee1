#!/usr/bin/env bash
# Benchmarks: each figure is printed next to a reference tool measured in the same run, as a
# ratio. Nothing here asserts a time; the machine may be shared and noisy.
#   bash scripts/bench.sh            all benchmarks
#   bash scripts/bench.sh central    the central service (change feed, document downloads vs nginx)
#   bash scripts/bench.sh desk       the desk's engine (first sync vs curl, 100k-case queue vs sqlite3)
#   bash scripts/bench.sh documents  scans (300 dpi TIFF -> PNG vs ImageMagick, PDF text vs pdftotext,
#                                    text recognition vs tesseract; words and zones read on the
#                                    demo's identity pages against what is printed on them)
#   bash scripts/bench.sh ui         the desk in its window (Enter -> both documents painted vs
#                                    pdftoppm + convert; memory with two scans open; cold start to a
#                                    usable queue over 100,000 cached cases vs an empty start)
#   bash scripts/bench.sh load       every department's desks syncing together (LOAD_DEPARTMENTS 8 x
#                                    LOAD_DESKS 50 real sync engines, LOAD_CASES 20000) against the
#                                    centre on SQLite, on PostgreSQL, and as two instances on
#                                    PostgreSQL behind nginx: calls a second and per-route latency,
#                                    as ratios to SQLite; checks exactly-once and the desks' caches
#   bash scripts/bench.sh fuzz       a short fuzzing run of the document service (cargo fuzz, nightly
#                                    Rust): sniffing, conversion, PDF text, FUZZ_SECONDS (60) each,
#                                    seeded with the demo documents and the hostile corpus
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEBIAN_PACKAGES+=(nginx-light curl openssl sqlite3 imagemagick poppler-utils)
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
  build_release
  build_workspace
  # Its own session bus and unlocked Secret Service, as the end-to-end tests have.
  KEYRING_HOME="$(mktemp -d)"
  trap 'rm -rf "$KEYRING_HOME"' EXIT
  MIGDESK_APP="$PWD/target/release/migdesk" dbus-run-session -- bash -c '
    export XDG_DATA_HOME="$1"
    printf migdesk | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec cargo bench -p migdesk-e2e --bench ui --locked
  ' keyring "$KEYRING_HOME"
}
load() {
  step "every department's desks at once (release build)"
  cargo build --release --locked -p migdesk-central --bin migdesk-central
  # Hundreds of desks, each with its cache and its connections, in one process.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  # PostgreSQL as it would run: its writes made durable, as SQLite's are.
  MIGDESK_CENTRAL="$PWD/target/release/migdesk-central" POSTGRES_FSYNC=on \
    with_postgres cargo bench -p migdesk-core --bench load --locked
}

fuzz() {
  step "fuzzing the document service (${FUZZ_SECONDS:=60} s a target)"
  if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal ||
      die "cargo fuzz needs a nightly Rust toolchain, and rustup could not install one"
  fi
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
  command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
  build_workspace
  local seeds
  seeds="$(mktemp -d)"
  trap 'rm -rf "$seeds"' RETURN
  # Seeds: the documents of a small demo database, as the centre makes them, and the sample
  # and hostile files the document tests are made of.
  target/debug/migdesk-central seed --db "$seeds/demo.db" --cases 40 >/dev/null
  sqlite3 "$seeds/demo.db" "SELECT writefile('$seeds/demo-' || substr(sha256, 1, 16), bytes) FROM blobs;" >/dev/null
  rm "$seeds/demo.db"
  cargo run -q -p migdesk-docs --features samples --example write_samples --locked -- "$seeds"
  for target in sniff convert text zone names; do
    step "fuzz target $target"
    mkdir -p "crates/docs/fuzz/corpus/$target"
    # The first folder keeps what the fuzzer finds, for the next run; a crash stops the run
    # with its reproducer under crates/docs/fuzz/artifacts/.
    (cd crates/docs/fuzz && cargo +nightly fuzz run -O "$target" "corpus/$target" "$seeds" -- \
      -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1)
  done
}

case "${1:-all}" in
  central) central ;;
  desk) desk ;;
  documents) documents ;;
  ui) ui ;;
  load) load ;;
  fuzz) fuzz ;;
  all) central; desk; documents; ui; load; fuzz ;;
  *) die "unknown benchmark $1 (choose: central, desk, documents, ui, load, fuzz, all)" ;;
esac

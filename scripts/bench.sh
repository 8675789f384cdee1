#!/usr/bin/env bash
# Benchmarks: each figure is printed next to a reference tool measured in the same run, as a
# ratio. Nothing here asserts a time; the machine may be shared and noisy.
#   bash scripts/bench.sh            all benchmarks
#   bash scripts/bench.sh central    the central service (change feed, document downloads vs nginx)
#   bash scripts/bench.sh desk       the desk's engine (first sync vs curl, 100k-case queue vs sqlite3)
#   bash scripts/bench.sh documents  scans (300 dpi TIFF -> PNG vs ImageMagick, PDF text vs pdftotext)
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

case "${1:-all}" in
  central) central ;;
  desk) desk ;;
  documents) documents ;;
  all) central; desk; documents ;;
  *) die "unknown benchmark $1 (choose: central, desk, documents, all)" ;;
esac

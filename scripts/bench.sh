#!/usr/bin/env bash
# Benchmarks: each figure is printed next to a reference tool measured in the same run, as a
# ratio. Nothing here asserts a time; the machine may be shared and noisy.
#   bash scripts/bench.sh            all benchmarks
#   bash scripts/bench.sh central    the central service (change feed, document downloads vs nginx)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEBIAN_PACKAGES+=(nginx-light)
ensure_debian_packages
ensure_rust

what="${1:-all}"
case "$what" in
  central|all)
    step "central service (release build)"
    cargo bench -p migdesk-central --bench central --locked
    ;;
  *) die "unknown benchmark $what (choose: central, all)" ;;
esac

#!/usr/bin/env bash
# Builds and runs the migdesk desk. Installs what is missing first.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_debian_packages
ensure_rust
ensure_node
build_ui
build_app

step "starting migdesk"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  if [ "${MIGDESK_HEADLESS:-}" = 1 ]; then
    exec xvfb-run -a -s "-screen 0 1280x800x24" target/debug/migdesk
  fi
  die "there is no display to open the window on (DISPLAY is not set). Run this from a desktop session, or set MIGDESK_HEADLESS=1 to run it on a virtual display."
fi
exec target/debug/migdesk

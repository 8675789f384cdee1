#!/usr/bin/env bash
# Builds and runs migdesk on demo data: seeds a central service (once), starts it on a loopback
# port, and opens the desk. Installs what is missing first. Stopping the desk stops the service.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DEMO_DIR="$ROOT/target/demo"
CENTRAL_DB="$DEMO_DIR/central.db"
CENTRAL_ADDR="${MIGDESK_CENTRAL_ADDR:-127.0.0.1:8470}"

ensure_debian_packages
ensure_rust
ensure_node
build_ui
build_app
build_central

mkdir -p "$DEMO_DIR"
if [ ! -f "$CENTRAL_DB" ]; then
  step "seeding the demo central service (once; delete $CENTRAL_DB to start over)"
  target/debug/migdesk-central seed --db "$CENTRAL_DB" > "$DEMO_DIR/accounts.txt"
fi
step "demo accounts (also in $DEMO_DIR/accounts.txt)"
head -n 12 "$DEMO_DIR/accounts.txt"

step "starting the central service on http://$CENTRAL_ADDR"
target/debug/migdesk-central serve --db "$CENTRAL_DB" --listen "$CENTRAL_ADDR" > "$DEMO_DIR/central.log" 2>&1 &
CENTRAL_PID=$!
trap 'kill -TERM "$CENTRAL_PID" 2>/dev/null || true; wait "$CENTRAL_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/${CENTRAL_ADDR%:*}/${CENTRAL_ADDR##*:}") 2>/dev/null; then break; fi
  kill -0 "$CENTRAL_PID" 2>/dev/null || die "the central service did not start: see $DEMO_DIR/central.log"
  sleep 0.2
done

step "starting migdesk"
export MIGDESK_CENTRAL_URL="http://$CENTRAL_ADDR"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  if [ "${MIGDESK_HEADLESS:-}" = 1 ]; then
    xvfb-run -a -s "-screen 0 1280x800x24" target/debug/migdesk
    exit $?
  fi
  die "there is no display to open the window on (DISPLAY is not set). Run this from a desktop session, or set MIGDESK_HEADLESS=1 to run it on a virtual display."
fi
target/debug/migdesk

#!/usr/bin/env bash
# Builds and runs migdesk on demo data: seeds a central service (once), starts it on a loopback
# port, and opens the desk. Installs what is missing first. Stopping the desk stops the service.
#
# Arguments after the script's name go to the desk. Environment:
#   MIGDESK_HEADLESS=1     open the desk on a virtual display when there is none, with a key
#                          store of its own
#   MIGDESK_CENTRAL_ADDR   where the demo central service listens (127.0.0.1:8470)
#   MIGDESK_DEMO_RATE      new applications a minute the demo's simulated portal submits
#                          (2/min; 0 for none)
#   MIGDESK_DEMO_DIR       where the demo keeps its data (target/demo)
#   CARGO_TARGET_DIR       where cargo builds (target)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
DEMO_DIR="${MIGDESK_DEMO_DIR:-$TARGET_DIR/demo}"
CENTRAL_DB="$DEMO_DIR/central.db"
CENTRAL_ADDR="${MIGDESK_CENTRAL_ADDR:-127.0.0.1:8470}"

ensure_debian_packages
ensure_rust
ensure_node
build_ui
build_workspace

mkdir -p "$DEMO_DIR"
if [ ! -f "$CENTRAL_DB" ]; then
  step "seeding the demo central service (once; delete $CENTRAL_DB to start over)"
  "$TARGET_DIR/debug/migdesk-central" seed --db "$CENTRAL_DB" --defects "$DEMO_DIR/defects.tsv" > "$DEMO_DIR/accounts.txt.new"
  mv "$DEMO_DIR/accounts.txt.new" "$DEMO_DIR/accounts.txt"
fi
step "demo accounts (also in $DEMO_DIR/accounts.txt)"
head -n 12 "$DEMO_DIR/accounts.txt"

step "starting the central service on http://$CENTRAL_ADDR"
"$TARGET_DIR/debug/migdesk-central" serve --db "$CENTRAL_DB" --listen "$CENTRAL_ADDR" > "$DEMO_DIR/central.log" 2>&1 &
CENTRAL_PID=$!
DESK_PID=
SIMULATOR_PID=
# Stopping the desk stops the service; stopping this script (Ctrl+C, a TERM) stops both.
stop_all() {
  [ -z "$DESK_PID" ] || kill -TERM -- "-$DESK_PID" 2>/dev/null || true
  [ -z "$SIMULATOR_PID" ] || kill -TERM "$SIMULATOR_PID" 2>/dev/null || true
  kill -TERM "$CENTRAL_PID" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/${CENTRAL_ADDR%:*}/${CENTRAL_ADDR##*:}") 2>/dev/null; then break; fi
  kill -0 "$CENTRAL_PID" 2>/dev/null || die "the central service did not start: see $DEMO_DIR/central.log"
  sleep 0.2
done

DEMO_RATE="${MIGDESK_DEMO_RATE:-2/min}"
if [ "${DEMO_RATE%%/*}" != 0 ]; then
  step "new applications arrive through the simulated applicant portal ($DEMO_RATE; log in $DEMO_DIR/simulator.log)"
  "$TARGET_DIR/debug/migdesk-central" simulate --db "$CENTRAL_DB" --server "http://$CENTRAL_ADDR" \
    --rate "$DEMO_RATE" --seed "$(date +%s)" > "$DEMO_DIR/simulator.log" 2>&1 &
  SIMULATOR_PID=$!
fi

step "starting migdesk"
# The sign-in screen offers the demo centre.
export MIGDESK_CENTRAL_URL="http://$CENTRAL_ADDR"
DESK=("$TARGET_DIR/debug/migdesk" "$@")

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  [ "${MIGDESK_HEADLESS:-}" = 1 ] || die "there is no display to open the window on (DISPLAY is not set). Run this from a desktop session, or set MIGDESK_HEADLESS=1 to run it on a virtual display."
  DESK=(xvfb-run -a -s "-screen 0 1280x800x24" "${DESK[@]}")
fi

# The desk keeps its keys in the OS key store (Secret Service). A desktop session's own is used
# as it is; a session without one (always with MIGDESK_HEADLESS=1) gets a session bus and a
# GNOME Keyring of the demo's own, unlocked with a demo password, beside the demo's desk data.
if [ "${MIGDESK_HEADLESS:-}" = 1 ] || ! session_has_secret_service; then
  KEYRING_DIR="$DEMO_DIR/keyring"
  export MIGDESK_DATA_DIR="${MIGDESK_DATA_DIR:-$DEMO_DIR/desk}"
  mkdir -p "$KEYRING_DIR"
  echo "no key store in this session: the desk uses a demo GNOME Keyring in $KEYRING_DIR and keeps its data in $MIGDESK_DATA_DIR"
  DESK=(dbus-run-session -- bash -c '
    printf migdesk | XDG_DATA_HOME="$1" gnome-keyring-daemon --unlock --components=secrets >/dev/null
    shift
    exec "$@"
  ' keyring "$KEYRING_DIR" "${DESK[@]}")
fi
# In the background and in a process group of its own (with its display and key store), so
# that a signal to this script reaches its trap at once and stops all of it.
setsid "${DESK[@]}" &
DESK_PID=$!
wait "$DESK_PID"

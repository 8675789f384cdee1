#!/usr/bin/env bash
# The contract test: schemathesis, a third-party contract tester, runs against a freshly seeded
# central service over the OpenAPI document the service itself serves, as an officer, as a
# supervisor and as the applicant portal, and fails on any finding (a server error, an
# undocumented status code or content type, a schema-valid request refused, a
# schema-violating one accepted, an answer that does not match its schema). `scripts/schemathesis.toml` lists the few refusals the
# schema cannot express, each with why. Expects the central service to be built
# (scripts/test.sh builds it first).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_schemathesis
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
CENTRAL="$TARGET_DIR/debug/migdesk-central"
[ -x "$CENTRAL" ] || die "build the central service first: cargo build -p migdesk-central"

WORK="$(mktemp -d)"
CENTRAL_PID=""
stop() {
  [ -n "$CENTRAL_PID" ] && kill "$CENTRAL_PID" 2>/dev/null && wait "$CENTRAL_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap stop EXIT

"$CENTRAL" seed --db "$WORK/central.db" --cases 60 > "$WORK/accounts.txt"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
# The portal's rate limits are tested on their own; here they would hide the routes' logic.
"$CENTRAL" serve --db "$WORK/central.db" --listen "127.0.0.1:$PORT" \
  --portal-per-address 100000 --portal-per-credential 100000 > "$WORK/central.log" 2>&1 &
CENTRAL_PID=$!
for _ in $(seq 100); do
  curl -fsS "$BASE/api/v1/openapi.json" -o /dev/null 2>/dev/null && break
  sleep 0.1
done
curl -fsS "$BASE/api/v1/openapi.json" -o /dev/null || { cat "$WORK/central.log"; die "the central service did not start"; }

# A token for the first account of the role in the seed's printed table (department, role,
# user name, full name in two or more words, password last).
token_for() {
  local role="$1" user password
  read -r user password < <(awk -v role="$role" '$2 == role { print $3, $NF; exit }' "$WORK/accounts.txt")
  curl -fsS -X POST "$BASE/api/v1/session" -H 'Content-Type: application/json' \
    -d "{\"username\": \"$user\", \"password\": \"$password\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

# The applicant portal's credential, printed by the seed.
PORTAL_TOKEN="$(awk '/^applicant portal credential/ { print $NF }' "$WORK/accounts.txt")"
[ -n "$PORTAL_TOKEN" ] || die "the seed printed no applicant portal credential"

for role in officer supervisor portal; do
  step "contract test (schemathesis) as $role"
  if [ "$role" = portal ]; then token="$PORTAL_TOKEN"; else token="$(token_for "$role")"; fi
  # DELETE /session would end the very session the run uses; its contract is covered by the
  # central service's own session tests.
  # Run from the work folder: schemathesis keeps its cache (.schemathesis) where it runs.
  (cd "$WORK" && "$SCHEMATHESIS" --config-file "$ROOT/scripts/schemathesis.toml" run "$BASE/api/v1/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks all --exclude-method DELETE \
    --max-examples "${MIGDESK_CONTRACT_EXAMPLES:-40}" --seed 1 \
    --no-color)
done

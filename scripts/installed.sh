#!/usr/bin/env bash
# Installs the packages `scripts/package.sh` built, as a department's IT would (`apt-get install
# ./….deb`), and tests what was installed: the installed desk (/usr/bin/migdesk) signs in and
# syncs in the real window through the end-to-end harness, then updates itself to a newer desk
# built and signed here (refusing it first signed with another key); the installed central service starts
# from its packaged configuration as its own account and answers. Then both are purged and
# nothing they installed may be left behind. Needs root (or sudo): it changes the system.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OUT="${CARGO_TARGET_DIR:-$ROOT/target}/packages"
VERSION="$(workspace_version)"
ARCH="$(dpkg --print-architecture)"
DESK="$OUT/migdesk_${VERSION}_${ARCH}.deb"
CENTRAL="$OUT/migdesk-central_${VERSION}_${ARCH}.deb"
ensure_tauri_driver
[ -f "$DESK" ] && [ -f "$CENTRAL" ] || die "no packages in $OUT: run scripts/package.sh first"
(cd "$OUT" && sha256sum --check --quiet SHA256SUMS) || die "the packages in $OUT do not match SHA256SUMS"

for pkg in migdesk migdesk-central; do
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "installed"; then
    die "$pkg is already installed on this machine: this test installs and purges it, so remove it first (apt-get purge $pkg)"
  fi
done

# Every file and folder a package installs, as dpkg lists it (folders such as /usr/bin are
# shared with other packages and stay).
files_of() { dpkg-deb --fsys-tarfile "$1" | tar -t | sed 's#^\./#/#; s#/$##' | grep -v '^/\?$'; }

# What the centre keeps on purge on purpose (README.Debian): its database and its account.
forget_central_data() {
  as_root rm -rf /var/lib/migdesk-central
  as_root deluser --system --quiet migdesk-central >/dev/null 2>&1 || true
  as_root delgroup --system --quiet migdesk-central >/dev/null 2>&1 || true
}
purge_all() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq migdesk migdesk-central >/dev/null 2>&1 || true
  forget_central_data
}
trap purge_all EXIT

step "installing the packages"
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$DESK" "$CENTRAL" >/dev/null
[ -x /usr/bin/migdesk ] || die "the desk's package did not install /usr/bin/migdesk"
grep -q '^Name\[az\]=\|^GenericName\[az\]=' /usr/share/applications/migdesk.desktop ||
  die "the desktop entry has no Azerbaijani name"

# systemd's own reading of the installed unit: a misspelt directive is only a warning to
# systemd, and a hardening option it skips silently weakens the service, so any word fails.
unit_check="$(systemd-analyze verify /lib/systemd/system/migdesk-central.service 2>&1)" ||
  die "systemd refuses the central service's unit: $unit_check"
[ -z "$unit_check" ] || die "systemd warns about the central service's unit: $unit_check"

step "the installed desk signs in and syncs (end to end)"
# `--workspace`, as the test run resolves features: the harness is not compiled again.
with_test_keyring env MIGDESK_APP=/usr/bin/migdesk \
  cargo test --locked --workspace --test officer_queue

step "the installed desk updates itself to a newer desk, signed (end to end)"
# The newer desk: the same release build as the next patch version, signed with the key built
# into the installed desk; and the same package signed with another key, which must be refused.
NEXT="$(echo "$VERSION" | awk -F. '{printf "%d.%d.%d", $1, $2, $3 + 1}')"
UPDATE_DIR="$(mktemp -d)"
bash scripts/package.sh --desk-only "$NEXT" "$UPDATE_DIR"
NEXT_DEB="$UPDATE_DIR/migdesk_${NEXT}_${ARCH}.deb"
ui/node_modules/.bin/tauri signer generate --ci -p "" -w "$UPDATE_DIR/other.key" >/dev/null
cp "$NEXT_DEB" "$UPDATE_DIR/wrongly-signed.deb"
TAURI_SIGNING_PRIVATE_KEY_PASSWORD="" ui/node_modules/.bin/tauri signer sign -f "$UPDATE_DIR/other.key" \
  --app-version "$NEXT" "$UPDATE_DIR/wrongly-signed.deb" >/dev/null
with_test_keyring env MIGDESK_APP=/usr/bin/migdesk MIGDESK_UPDATE_PACKAGE="$NEXT_DEB" \
  MIGDESK_UPDATE_SIGNATURE="$NEXT_DEB.sig" MIGDESK_UPDATE_WRONG_SIGNATURE="$UPDATE_DIR/wrongly-signed.deb.sig" \
  MIGDESK_UPDATE_VERSION="$NEXT" cargo test --locked --workspace --test installed_update -- --ignored
rm -rf "$UPDATE_DIR"
[ "$(dpkg-query -W -f='${Version}' migdesk)" = "$NEXT" ] || die "the desk did not update itself to $NEXT"

step "the installed central service starts from its packaged configuration"
getent passwd migdesk-central >/dev/null || die "the central service's account was not created"
[ "$(stat -c '%U %a' /var/lib/migdesk-central)" = "migdesk-central 750" ] ||
  die "/var/lib/migdesk-central is not the service's own folder: $(stat -c '%U %a' /var/lib/migdesk-central)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
# As the unit runs it (systemd is not running in every test machine): the service's account,
# the packaged file, the listening address overridden on the command line.
as_root runuser -u migdesk-central -- /usr/bin/migdesk-central serve \
  --config /etc/migdesk-central/central.toml --listen "127.0.0.1:$port" &
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/api/v1/openapi.json" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/api/v1/openapi.json" >/dev/null || die "the installed central service did not answer"
[ -f /var/lib/migdesk-central/central.db ] || die "the service did not create its database where central.toml says"
# A backup while it serves, as README.Debian tells IT to take one: as the service's account.
backup_dir="$(mktemp -d)"
as_root chown migdesk-central "$backup_dir"
as_root runuser -u migdesk-central -- /usr/bin/migdesk-central backup \
  --db /var/lib/migdesk-central/central.db --out "$backup_dir/central.db" ||
  die "the installed central service could not be backed up while serving"
[ -s "$backup_dir/central.db" ] || die "the backup of the installed central service is empty"
as_root rm -rf "$backup_dir"
as_root pkill -TERM -u migdesk-central -x migdesk-central
for _ in $(seq 1 100); do
  pgrep -u migdesk-central >/dev/null || break
  sleep 0.1
done
! pgrep -u migdesk-central >/dev/null || die "the central service did not stop on SIGTERM"
wait

step "purging leaves nothing behind"
desk_files="$(files_of "$DESK")"
central_files="$(files_of "$CENTRAL")"
as_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq migdesk migdesk-central >/dev/null
trap - EXIT
left=()
while read -r path; do
  [ -n "$path" ] || continue
  if [ -e "$path" ] && ! [ -d "$path" ]; then left+=("$path"); fi
  # A folder of the package's own (named after it) must go too.
  case "$path" in
    */migdesk | */migdesk-central | */migdesk/* | */migdesk-central/*)
      if [ -d "$path" ] && [ -z "$(dpkg -S "$path" 2>/dev/null)" ]; then left+=("$path"); fi ;;
  esac
done <<<"$desk_files"$'\n'"$central_files"
[ ${#left[@]} -eq 0 ] || die "purging left behind: ${left[*]}"
[ -f /var/lib/migdesk-central/central.db ] || die "purging the central service removed its database"
getent passwd migdesk-central >/dev/null || die "purging the central service removed its account"
forget_central_data
printf 'installed, tested and purged: %s, %s\n' "$(basename "$DESK")" "$(basename "$CENTRAL")"

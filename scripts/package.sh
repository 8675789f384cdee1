#!/usr/bin/env bash
# Builds migdesk's packages in release mode into target/packages: the desk's .deb (Tauri's
# bundler), the central service's .deb (its binary, systemd unit, configuration and account),
# the desk's AppImage where Tauri's AppImage tools can be downloaded, the desk's update signature
# (`.deb.sig`, for `migdesk-central release publish`), and SHA256SUMS. Each .deb
# is checked with lintian (no errors allowed). `scripts/installed.sh` then installs and tests them.
#
# `package.sh --desk-only VERSION DIR` builds only the desk's .deb, as VERSION, signed, into DIR
# (the same release build, only the shell compiled again): the newer desk of the update test.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_debian_packages
ensure_rust
ensure_node

OUT="${CARGO_TARGET_DIR:-$ROOT/target}/packages"
RELEASE="${CARGO_TARGET_DIR:-$ROOT/target}/release"
VERSION="$(workspace_version)"
ARCH="$(dpkg --print-architecture)"
TAURI=(ui/node_modules/.bin/tauri)
DESK_ONLY=""
if [ "${1:-}" = "--desk-only" ]; then
  [ $# -eq 3 ] || die "usage: package.sh --desk-only VERSION DIR"
  DESK_ONLY=1 VERSION="$2" OUT="$3"
  mkdir -p "$OUT"
else
  rm -rf "$OUT"
  mkdir -p "$OUT"
fi

# The key new desks are signed with; its public half is built into the desk, which installs only
# packages it signed. IT's own: MIGDESK_UPDATE_KEY names the private key `tauri signer generate`
# wrote (its public half beside it, FILE.pub), MIGDESK_UPDATE_KEY_PASSWORD its password. Without
# it (development, tests) a throwaway key made once under target/update-key: desks built with it
# take updates signed with it only.
KEY="${MIGDESK_UPDATE_KEY:-}"
if [ -z "$KEY" ]; then
  KEY="${CARGO_TARGET_DIR:-$ROOT/target}/update-key/migdesk.key"
  if [ ! -f "$KEY" ]; then
    mkdir -p "$(dirname "$KEY")"
    "${TAURI[@]}" signer generate --ci -p "" -w "$KEY" >/dev/null
  fi
  printf 'updates signed with the throwaway key %s (MIGDESK_UPDATE_KEY names a real one)\n' "$KEY"
fi
[ -f "$KEY.pub" ] || die "no public key $KEY.pub beside the update signing key $KEY"
MIGDESK_UPDATE_PUBKEY="$(cat "$KEY.pub")"
export MIGDESK_UPDATE_PUBKEY
export TAURI_SIGNING_PRIVATE_KEY_PASSWORD="${MIGDESK_UPDATE_KEY_PASSWORD:-}"
# Signs a desk package for `version`: FILE.sig beside it, what `release publish --signature` takes.
sign_desk() { "${TAURI[@]}" signer sign -f "$KEY" --app-version "$2" "$1" >/dev/null; }

build_ui
if [ -n "$DESK_ONLY" ]; then
  step "building the desk $VERSION (release)"
  # The version the desk reports is the configuration's, compiled in.
  TAURI_CONFIG="{\"version\":\"$VERSION\"}" build_release
else
  step "building the desk and the central service (release)"
  build_release
fi

# The shared libraries a binary links, as Debian package dependencies (dpkg-shlibdeps reads
# them off the binary, so the list never drifts from what the code links), as a JSON array.
shlib_depends() {
  local work
  work="$(mktemp -d)"
  mkdir -p "$work/debian"
  printf 'Source: migdesk\n\nPackage: migdesk\nArchitecture: any\n' >"$work/debian/control"
  (cd "$work" && dpkg-shlibdeps -O "$1" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p' |
    python3 -c 'import json,sys; print(json.dumps([d.strip() for d in sys.stdin.read().split(",") if d.strip()]))'
  rm -rf "$work"
}

# As Debian's own packages are: without symbols (the release profile keeps them for profiling).
debian_strip() { strip --remove-section=.comment --remove-section=.note "$@"; }

step "the desk's .deb"
debian_strip "$RELEASE/migdesk"
desk_depends="$(shlib_depends "$RELEASE/migdesk")"
# Recognition of scans and the OS keyring are used when present: recommended, not required
# (without a recogniser the desk says so and documents are compared by eye).
# The manual page, compressed as Debian's are (added to the configuration's other files).
MAN="$(mktemp -d)"
gzip -9n <src-tauri/packaging/migdesk.1 >"$MAN/migdesk.1.gz"
"${TAURI[@]}" bundle --bundles deb --config "{\"version\":\"$VERSION\",\"bundle\":{\"linux\":{\"deb\":{\"depends\":$desk_depends,\"files\":{\"/usr/share/man/man1/migdesk.1.gz\":\"$MAN/migdesk.1.gz\"}}}}}"
rm -rf "$MAN"
cp "$RELEASE/bundle/deb/migdesk_${VERSION}_${ARCH}.deb" "$OUT/"
sign_desk "$OUT/migdesk_${VERSION}_${ARCH}.deb" "$VERSION"
if [ -n "$DESK_ONLY" ]; then
  printf 'the desk %s, signed: %s\n' "$VERSION" "$OUT/migdesk_${VERSION}_${ARCH}.deb"
  exit 0
fi

step "the central service's .deb"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
central="$stage/migdesk-central_${VERSION}_${ARCH}"
pkg=crates/central/packaging
install -D -m 0755 "$RELEASE/migdesk-central" "$central/usr/bin/migdesk-central"
debian_strip "$central/usr/bin/migdesk-central"
install -D -m 0644 "$pkg/migdesk-central.service" "$central/lib/systemd/system/migdesk-central.service"
install -D -m 0644 "$pkg/central.toml" "$central/etc/migdesk-central/central.toml"
install -D -m 0644 src-tauri/packaging/copyright "$central/usr/share/doc/migdesk-central/copyright"
install -D -m 0644 "$pkg/README.Debian" "$central/usr/share/doc/migdesk-central/README.Debian"
gzip -9n <"$pkg/changelog" >"$central/usr/share/doc/migdesk-central/changelog.gz"
# The manual page from the program's own --help (every command is listed there), with the files.
install -d -m 0755 "$central/usr/share/man/man8"
help2man --no-info --section 8 --include "$pkg/migdesk-central.h2m" \
  --name "the migration service's central case service" "$RELEASE/migdesk-central" |
  gzip -9n >"$central/usr/share/man/man8/migdesk-central.8.gz"
chmod 0644 "$central/usr/share/doc/migdesk-central/changelog.gz" "$central/usr/share/man/man8/migdesk-central.8.gz"
install -d -m 0755 "$central/DEBIAN"
install -m 0755 "$pkg/postinst" "$pkg/prerm" "$pkg/postrm" "$central/DEBIAN/"
echo /etc/migdesk-central/central.toml >"$central/DEBIAN/conffiles"
central_depends="$(shlib_depends "$central/usr/bin/migdesk-central" | python3 -c 'import json,sys; print(", ".join(json.load(sys.stdin)))')"
cat >"$central/DEBIAN/control" <<EOF
Package: migdesk-central
Version: $VERSION
Architecture: $ARCH
Maintainer: migdesk developers <migdesk@example.invalid>
Installed-Size: $(du -sk --exclude=DEBIAN "$central" | cut -f1)
Depends: $central_depends, adduser
Recommends: poppler-utils
Section: net
Priority: optional
Homepage: https://example.invalid/migdesk
Description: migration service's central case service (migdesk)
 The central case API of the State Migration Service's regional departments:
 electronic applications, their documents and the officers' decisions, the
 change feed the officers' desks (migdesk) sync from, supervisors' workload and
 reassignment, the applicant portal's routes and the applicants' e-mails.
 .
 Runs as a systemd service under its own account, configured in
 /etc/migdesk-central/central.toml, with its database in
 /var/lib/migdesk-central.
EOF
(cd "$central" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) >"$central/DEBIAN/md5sums"
dpkg-deb --root-owner-group -Zxz --build "$central" "$OUT/" >/dev/null

step "the desk's AppImage"
# Tauri's AppImage bundler downloads linuxdeploy and the AppImage runtime from GitHub; they
# are packaged nowhere else (not in Debian, npm, PyPI or crates.io).
if curl -sfI --max-time 10 https://github.com >/dev/null 2>&1; then
  "${TAURI[@]}" bundle --bundles appimage
  cp "$RELEASE"/bundle/appimage/migdesk_"${VERSION}"_*.AppImage "$OUT/"
else
  printf 'not built: github.com, where Tauri downloads linuxdeploy and the AppImage runtime, cannot be reached from this machine\n'
fi

step "lintian"
# Errors fail the build; warnings are printed for the next person to weigh (none today).
lintian --fail-on error --tag-display-limit 0 "$OUT"/*.deb

(cd "$OUT" && shopt -s nullglob && sha256sum -- *.deb *.sig *.AppImage >SHA256SUMS)
step "packages in $OUT"
ls -l "$OUT"
cat "$OUT/SHA256SUMS"

# Shared by scripts/run.sh and scripts/test.sh: find the tools, install what is missing.
# Every step is safe to run again; nothing is installed twice.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Debian/Ubuntu packages the desk needs to build, run and be tested.
DEBIAN_PACKAGES=(
  build-essential pkg-config libssl-dev
  libwebkit2gtk-4.1-dev          # the WebView the desk runs in
  webkit2gtk-driver              # WebKitWebDriver, started by tauri-driver in end-to-end tests
  xvfb xauth                     # a display for end-to-end tests on machines without one
  dbus gnome-keyring             # the OS keyring (Secret Service) the desk keeps secrets in
  librsvg2-bin                   # rsvg-convert, to regenerate icons from icons/migdesk.svg
  python3-aiosmtpd               # a real SMTP server for the central service's e-mail tests
  poppler-utils                  # pdftotext, to read the demo documents back in the central service's tests
  python3-venv curl              # a private Python for schemathesis, the contract tester; curl to sign in for it
  openssl                        # a certificate authority of its own for the desk's HTTPS tests
  fonts-dejavu-core fonts-wqy-microhei fonts-lohit-deva  # applicants' names as written: Latin, Cyrillic, Georgian, Arabic script, Chinese, Devanagari
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-aze tesseract-ocr-aze-cyrl tesseract-ocr-rus  # text recognition of scans, run by the desk
  util-linux                     # prlimit, which bounds the recogniser's memory and time
  dpkg-dev lintian help2man      # the packages' library dependencies (dpkg-shlibdeps), their check, a manual page
  sudo                           # how the desk's updater installs a newer desk's package (scripts/installed.sh)
  systemd                        # systemd-analyze, which checks the central service's unit as installed
  postgresql                     # the centre's tests on PostgreSQL: a throwaway cluster of their own (with_postgres)
)
TAURI_DRIVER_VERSION='^2'
CARGO_FUZZ_VERSION='0.13.2'
SCHEMATHESIS_VERSION='4.32.5'
MIN_NODE_MAJOR=20
MIN_NODE_MINOR=19

# Each step says how long into the run it starts (the scripts a run calls share its start), so a
# slow run shows where its time went.
MIGDESK_RUN_START="${MIGDESK_RUN_START:-$(date +%s)}"
export MIGDESK_RUN_START
step() {
  local in=$(($(date +%s) - MIGDESK_RUN_START))
  printf '\n\033[1m== %s\033[0m  (%d:%02d in)\n' "$*" $((in / 60)) $((in % 60))
}
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "installing system packages needs root: run as root or install sudo ($*)"
  fi
}

ensure_debian_packages() {
  local missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing system packages and no apt-get: ${missing[*]}"
  step "installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

ensure_rust() {
  command -v cargo >/dev/null || die "Rust is not installed: install it with rustup (https://rustup.rs), then run this again"
  cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
  cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
}

ensure_node() {
  command -v node >/dev/null || die "Node.js ${MIN_NODE_MAJOR}.${MIN_NODE_MINOR}+ is needed to build the UI: install it (e.g. from NodeSource or nvm), then run this again"
  local version major minor
  version="$(node --version)"; version="${version#v}"
  major="${version%%.*}"; minor="${version#*.}"; minor="${minor%%.*}"
  if [ "$major" -lt "$MIN_NODE_MAJOR" ] || { [ "$major" -eq "$MIN_NODE_MAJOR" ] && [ "$minor" -lt "$MIN_NODE_MINOR" ]; }; then
    die "Node.js $version is too old: the UI needs ${MIN_NODE_MAJOR}.${MIN_NODE_MINOR} or newer"
  fi
  # Reinstall when the lock file changed since the last install.
  if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    step "installing UI packages"
    # `npm install` with the committed lock file installs the locked versions. Not `npm ci`:
    # npm 11 leaves other platforms' optional packages (Biome's and Tauri CLI's binaries) out of
    # the lock file and `npm ci` then refuses it as out of sync.
    npm --prefix ui install --no-audit --no-fund
  fi
}

ensure_tauri_driver() {
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
  if ! command -v tauri-driver >/dev/null; then
    step "installing tauri-driver"
    cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked
  fi
}

build_ui() {
  step "building the UI"
  npm --prefix ui run build
}

# schemathesis (PyPI), the third-party contract tester, in a virtual environment of its own
# under target/ (never the system's Python packages).
ensure_schemathesis() {
  local venv="${CARGO_TARGET_DIR:-$ROOT/target}/schemathesis-venv"
  if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    step "installing schemathesis $SCHEMATHESIS_VERSION"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  SCHEMATHESIS="$venv/bin/schemathesis"
}

# The workspace's version, as the packages are named.
workspace_version() { sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -1; }

# Runs a command on a session bus of its own with a new, unlocked GNOME Keyring in a folder of
# its own (a real Secret Service that never touches the user's); the folder goes afterwards.
with_test_keyring() {
  local home status=0
  home="$(mktemp -d)"
  dbus-run-session -- bash -c '
    export XDG_DATA_HOME="$1"; shift
    printf migdesk | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$@"
  ' keyring "$home" "$@" || status=$?
  rm -rf "$home"
  return "$status"
}

# Runs a command beside a throwaway PostgreSQL cluster of its own: made by initdb in a temporary
# folder (as the unprivileged `postgres` account when run as root: the server refuses root),
# listening on a free loopback port, reached as MIGDESK_TEST_POSTGRES (a URL of its `postgres`
# database; tests create their own databases in it). It is stopped and removed afterwards, also
# when the command fails. Never a server that happens to be running.
with_postgres() {
  local bin dir port status=0
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -x "$bin/initdb" ] || die "PostgreSQL's server is not installed (Debian's postgresql package)"
  dir="$(mktemp -d)"
  local run=()
  if [ "$(id -u)" = 0 ]; then
    getent passwd postgres >/dev/null || die "no postgres account to run the test cluster as"
    chown postgres "$dir"
    run=(runuser -u postgres --)
  fi
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  "${run[@]}" "$bin/initdb" -D "$dir/data" -A trust -U migdesk -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; rm -rf "$dir"; die "initdb could not make the test cluster"; }
  # A throwaway cluster: no fsync (unless POSTGRES_FSYNC=on: benchmarks), and no socket file
  # outside its folder.
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=${POSTGRES_FSYNC:-off} -c max_connections=200" start ||
    { cat "$dir/server.log" >&2; rm -rf "$dir"; die "the test cluster did not start"; }
  MIGDESK_TEST_POSTGRES="postgres://migdesk@127.0.0.1:$port/postgres" "$@" || status=$?
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w -s stop || true
  rm -rf "$dir"
  return "$status"
}

# Every binary at once (the desk, the central service, the command-line desk), by the README's
# two commands alike: one resolution of the workspace's features, so the test build and the
# README's run command under test reuse the dependencies instead of compiling them again with
# other features (building the desk alone, then the centre, then the tests compiled the GTK and
# WebView stack twice).
build_workspace() {
  step "building the desk, the central service and the command-line desk"
  cargo build --workspace --bins --locked
}

# The release desk (as installed: its pages compiled in) and central service, for the packages
# and the window benchmark alike: the same packages, so features resolve the same and a second
# build (the newer desk of the update test, or the benchmark after packaging) compiles again
# only what changed (the desk alone resolved others and compiled 55 crates again).
build_release() {
  cargo build --release --locked -p migdesk -p migdesk-central --bin migdesk --bin migdesk-central \
    --features migdesk/custom-protocol
}

# Whether a Secret Service (the OS key store the desk keeps its keys in) answers, or can be
# started, on this session's D-Bus session bus.
session_has_secret_service() {
  [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || [ -S "${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/bus" ] || return 1
  command -v dbus-send >/dev/null || return 1
  local ask=(dbus-send --session --print-reply --reply-timeout=2000 --dest=org.freedesktop.DBus /org/freedesktop/DBus)
  "${ask[@]}" org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && return 0
  "${ask[@]}" org.freedesktop.DBus.ListActivatableNames 2>/dev/null | grep -q '"org.freedesktop.secrets"'
}

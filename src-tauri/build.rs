//! Build script of the desktop shell.
//!
//! - Derives the permission manifest (`allow-<command>` for each command) from the one list of
//!   IPC commands (`crates/core/src/commands.list`, read as text here: the build script does not
//!   compile the desk engine), so the capability files can only name commands that exist.
//! - Records how the binary was built (commit, profile, target) for `app_info`.
//! - Makes sure `ui/dist` exists so that a plain `cargo build` of the workspace works before the
//!   UI has been built; the stub page says how to build the real one.

use std::path::Path;
use std::process::Command;

const UI_DIST: &str = "../ui/dist";

macro_rules! desk_commands {
    ($($name:ident ( $($arg:ident : $t:ty),* ) -> $ret:ty;)*) => {
        const COMMANDS: &[&str] = &[$(stringify!($name)),*];
    };
}

include!("../crates/core/src/commands.list");

fn main() {
    record_build_info();
    ensure_ui_dist();

    println!("cargo:rerun-if-changed=../crates/core/src/commands.list");
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {e:#}");
    }
}

fn record_build_info() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short=10", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=MIGDESK_COMMIT={commit}");
    println!(
        "cargo:rustc-env=MIGDESK_PROFILE={}",
        std::env::var("PROFILE").unwrap_or_else(|_| "unknown".into())
    );
    println!(
        "cargo:rustc-env=MIGDESK_TARGET={}",
        std::env::var("TARGET").unwrap_or_else(|_| "unknown".into())
    );
    // A new commit moves the reflog of HEAD.
    if Path::new("../.git/logs/HEAD").exists() {
        println!("cargo:rerun-if-changed=../.git/logs/HEAD");
    }
}

fn ensure_ui_dist() {
    let index = Path::new(UI_DIST).join("index.html");
    if index.exists() {
        return;
    }
    std::fs::create_dir_all(UI_DIST).expect("cannot create ui/dist");
    std::fs::write(
        &index,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>migdesk</title></head>\
         <body><p id=\"ui-not-built\">The migdesk UI has not been built. \
         Run <code>npm --prefix ui run build</code> and build the app again.</p></body></html>\n",
    )
    .expect("cannot write the ui/dist stub");
}

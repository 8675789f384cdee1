//! Repository-wide rules that keep the code easy to find one's way in: every Rust source file
//! says what it is in a module comment, no source file grows past 600 lines without a reason
//! written here, and every path ARCHITECTURE.md names exists.

use std::path::{Path, PathBuf};

/// The longest a source file may be before it should be split.
const MAX_LINES: usize = 600;

/// Files allowed to be longer, each with why.
const LONG_FILES: &[(&str, &str)] = &[(
    "crates/central/src/seed/mod.rs",
    "the demo's generator: tables of names, places and form values are data read top to bottom",
)];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the workspace root")
        .to_path_buf()
}

fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let root = root();
    let mut files = Vec::new();
    for crate_dir in std::fs::read_dir(root.join("crates"))
        .expect("crates/")
        .flatten()
    {
        rust_sources(&crate_dir.path().join("src"), &mut files);
    }
    rust_sources(&root.join("src-tauri/src"), &mut files);
    files.sort();
    assert!(files.len() > 50, "found only {} source files", files.len());
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("a source file");
            let name = p
                .strip_prefix(&root)
                .expect("under the root")
                .to_string_lossy()
                .into_owned();
            (name, text)
        })
        .collect()
}

#[test]
fn every_source_file_opens_with_a_module_comment() {
    let missing: Vec<String> = sources()
        .into_iter()
        .filter(|(_, text)| !text.trim_start().starts_with("//!"))
        .map(|(name, _)| name)
        .collect();
    assert!(
        missing.is_empty(),
        "these files do not open with a `//!` comment saying what they are: {missing:#?}"
    );
}

#[test]
fn no_source_file_is_longer_than_the_limit_without_a_reason() {
    let sources = sources();
    let too_long: Vec<String> = sources
        .iter()
        .filter(|(name, text)| {
            text.lines().count() > MAX_LINES && !LONG_FILES.iter().any(|(f, _)| f == name)
        })
        .map(|(name, text)| format!("{name}: {} lines", text.lines().count()))
        .collect();
    assert!(
        too_long.is_empty(),
        "split these files or list them in LONG_FILES with a reason: {too_long:#?}"
    );
    // The list stays honest: a file that shrank or moved leaves it.
    for (listed, _) in LONG_FILES {
        let found = sources.iter().find(|(name, _)| name == listed);
        assert!(
            found.is_some_and(|(_, text)| text.lines().count() > MAX_LINES),
            "{listed} is listed as long but is not (any more)"
        );
    }
}

#[test]
fn every_path_the_architecture_names_exists() {
    let root = root();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    const TOP: &[&str] = &[
        "crates/",
        "src-tauri/",
        "ui/",
        "tests/",
        "scripts/",
        "data/",
        "icons/",
        "docs/",
        ".ci/",
    ];
    let mut checked = 0;
    let mut missing = Vec::new();
    for quoted in text.split('`').skip(1).step_by(2) {
        if quoted.contains(char::is_whitespace)
            || quoted.contains('*')
            || !TOP.iter().any(|t| quoted.starts_with(t))
        {
            continue;
        }
        checked += 1;
        if !root.join(quoted.trim_end_matches('/')).exists() {
            missing.push(quoted.to_owned());
        }
    }
    assert!(
        checked > 10,
        "only {checked} paths found in ARCHITECTURE.md"
    );
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist: {missing:#?}"
    );
}

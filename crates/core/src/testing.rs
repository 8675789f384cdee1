//! Test support for the crates that test the desk (feature `testing`): a certificate authority
//! of its own and a centre's certificates, as a department's IT makes them.

use std::path::Path;
use std::process::Command;

/// Runs `openssl` with `args` in `dir`.
///
/// # Panics
/// When the tool is missing or fails.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl tool (Debian package openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A certificate authority of its own (`ca.pem`) and a certificate it signed for `localhost`
/// (`centre.pem`, key `centre.key`), and the same key's certificate expired yesterday
/// (`expired.pem`), made in `dir` by the `openssl` tool.
///
/// # Panics
/// When the tool is missing or fails.
pub fn authority(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=migdesk test state CA",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "centre.key",
            "-out",
            "centre.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost\n")
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    // Signed for two days, and the same key's certificate expired yesterday.
    for (out, days) in [("centre.pem", "2"), ("expired.pem", "-1")] {
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                "centre.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                out,
                "-days",
                days,
                "-extfile",
                "san.ext",
            ],
        );
    }
}

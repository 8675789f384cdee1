#![allow(clippy::unwrap_used)] // Test helpers may unwrap: a failure is the test failing.

//! The desk reaches a centre over HTTPS, checking its certificate against the system's roots
//! plus the workstation's own certificate authorities: a centre behind a certificate of a
//! state CA the workstation was given is reached; without that CA, nothing is sent.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

mod common;
use common::Centre;
use migdesk_core::ErrorKind;
use migdesk_core::sync::Central;
use migdesk_core::sync::central::load_roots;
use tokio::net::{TcpListener, TcpStream};

/// Runs `openssl` with `args` in `dir`.
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
/// (`centre.pem`, key `centre.key`).
fn authority(dir: &Path) {
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
    std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost\n").unwrap();
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
            "centre.pem",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ],
    );
}

/// Terminates TLS with the centre's certificate and forwards to the plain centre.
async fn tls_front(dir: &Path, upstream: SocketAddr) -> SocketAddr {
    let identity = native_tls::Identity::from_pkcs8(
        &std::fs::read(dir.join("centre.pem")).unwrap(),
        &std::fs::read(dir.join("centre.key")).unwrap(),
    )
    .unwrap();
    let acceptor =
        tokio_native_tls::TlsAcceptor::from(native_tls::TlsAcceptor::new(identity).unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut client) = acceptor.accept(client).await else {
                    return;
                };
                let Ok(mut server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn the_centre_is_reached_over_https_only_with_the_workstations_certificate_authority() {
    let dir = tempfile::tempdir().unwrap();
    authority(dir.path());
    let mut options = common::options(2, 24, "baku");
    options.documents = false;
    let (central_db, staff) = common::seeded(dir.path(), &options);
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    let centre = Centre::start(&central_db).await;
    let front = tls_front(dir.path(), centre.addr()).await;
    let base = format!("https://localhost:{}", front.port());
    let timeout = Duration::from_secs(10);

    // Without the state's CA the certificate is not trusted: nothing is sent.
    let untrusting = Central::with_roots(&base, timeout, &[]).unwrap();
    let err = untrusting
        .sign_in(&officer.username, &officer.password)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Invalid, "{err:?}");
    assert!(err.message.contains("not trusted"), "{}", err.message);

    // With it, the officer signs in.
    let roots = load_roots(&[dir.path().join("ca.pem")]).unwrap();
    let trusting = Central::with_roots(&base, timeout, &roots).unwrap();
    let session = trusting
        .sign_in(&officer.username, &officer.password)
        .await
        .unwrap();
    assert_eq!(session.user.username, officer.username);

    // A file that is not a certificate is refused by name, never ignored.
    std::fs::write(dir.path().join("not-a-ca.pem"), "hello").unwrap();
    let err = load_roots(&[dir.path().join("not-a-ca.pem")]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Invalid);
    assert!(err.message.contains("not-a-ca.pem"), "{}", err.message);
    centre.stop().await;
}

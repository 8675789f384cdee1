#![allow(clippy::unwrap_used)] // Test helpers may unwrap: a failure is the test failing.

//! The desk reaches a centre over HTTPS, checking its certificate against the system's roots
//! plus the workstation's own certificate authorities: a centre behind a certificate of a
//! state CA the workstation was given is reached; without that CA, nothing is sent.

use std::time::Duration;

use crate::common;
use common::Centre;
use migdesk_core::ErrorKind;
use migdesk_core::sync::Central;
use migdesk_core::sync::central::load_roots;
use migdesk_core::testing::authority;

#[tokio::test]
async fn the_centre_is_reached_over_https_only_with_the_workstations_certificate_authority() {
    let dir = tempfile::tempdir().unwrap();
    authority(dir.path());
    let mut options = common::options(2, 24, "baku");
    options.documents = false;
    let (central_db, staff) = common::seeded(dir.path(), &options);
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    // The centre serves HTTPS itself (`serve --tls-cert … --tls-key …`).
    let centre = Centre::start_tls(
        &central_db,
        &dir.path().join("centre.pem"),
        &dir.path().join("centre.key"),
    )
    .await;
    let base = centre.base.clone();
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

    // A certificate for another name than the address the desk was given: said so, whatever
    // the CA.
    let refused = async |base: &str| {
        let err = Central::with_roots(base, timeout, &roots)
            .unwrap()
            .sign_in(&officer.username, &officer.password)
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Invalid, "{err:?}");
        err.message
    };
    let said = refused(&base.replace("localhost", "127.0.0.1")).await;
    assert!(said.contains("another address"), "{said}");

    // An expired certificate: said so, with what IT must do.
    let expired = Centre::start_tls(
        &central_db,
        &dir.path().join("expired.pem"),
        &dir.path().join("centre.key"),
    )
    .await;
    let said = refused(&expired.base).await;
    assert!(said.contains("has expired"), "{said}");
    expired.stop().await;

    // A file that is not a certificate is refused by name, never ignored.
    std::fs::write(dir.path().join("not-a-ca.pem"), "hello").unwrap();
    let err = load_roots(&[dir.path().join("not-a-ca.pem")]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Invalid);
    assert!(err.message.contains("not-a-ca.pem"), "{}", err.message);
    centre.stop().await;
}

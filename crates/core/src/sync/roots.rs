//! The certificate authorities the desk trusts besides the system's roots: the state's CA, set by
//! the workstation's IT in its configuration or an environment variable, read once per process;
//! and what the desk says when the centre's certificate is refused.

use crate::error::{DeskError, DeskResult, ErrorKind};

/// Where the workstation's own certificate authorities are listed: PEM files (one or several
/// certificates each), separated by `:`. The centre's certificate is checked against the
/// system's roots and these (the state's CA, set by IT).
pub const CA_CERTIFICATES_ENV: &str = "MIGDESK_CA_CERTIFICATES";

/// Reads the certificate authorities in `paths` (PEM). A file that cannot be read or holds no
/// certificate is an `invalid` error naming it: the desk never falls back to trusting less.
pub fn load_roots(paths: &[std::path::PathBuf]) -> DeskResult<Vec<reqwest::Certificate>> {
    let mut roots = Vec::new();
    for path in paths {
        let pem = std::fs::read(path).map_err(|e| {
            DeskError::invalid(format!("certificate authority {}: {e}", path.display()))
        })?;
        let found = reqwest::Certificate::from_pem_bundle(&pem)
            .ok()
            .filter(|certs| !certs.is_empty())
            .ok_or_else(|| {
                DeskError::invalid(format!(
                    "certificate authority {}: no PEM certificate in it",
                    path.display()
                ))
            })?;
        roots.extend(found);
    }
    Ok(roots)
}

/// The workstation's certificate authorities — its configuration's `ca_certificates` and
/// [`CA_CERTIFICATES_ENV`]'s — read once.
pub(super) fn workstation_roots() -> DeskResult<&'static [reqwest::Certificate]> {
    static ROOTS: std::sync::OnceLock<DeskResult<Vec<reqwest::Certificate>>> =
        std::sync::OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let mut paths = crate::workstation::Workstation::current()?
                .ca_certificates
                .clone();
            if let Some(listed) = std::env::var_os(CA_CERTIFICATES_ENV) {
                paths.extend(std::env::split_paths(&listed).filter(|p| !p.as_os_str().is_empty()));
            }
            load_roots(&paths)
        })
        .as_deref()
        .map_err(Clone::clone)
}

/// A call that did not reach the centre, as the desk tells it: a certificate it does not accept
/// (untrusted, expired, for another address) apart from the network being down.
pub(crate) fn offline(e: reqwest::Error) -> DeskError {
    // A certificate the workstation does not accept is no network failure: waiting will not
    // help, and nothing was sent. What is wrong with it decides who acts.
    let mut cause: Option<&dyn std::error::Error> = Some(&e);
    while let Some(c) = cause {
        let said = c.to_string();
        let lower = said.to_lowercase();
        if lower.contains("certificate has expired") {
            return DeskError::invalid(format!(
                "the centre's certificate has expired ({said}); nothing was sent. The centre's \
                 IT must renew its certificate"
            ));
        }
        if lower.contains("hostname mismatch") || lower.contains("ip address mismatch") {
            return DeskError::invalid(format!(
                "the centre's certificate is for another address than the one this desk was \
                 given ({said}); nothing was sent. Check the centre's address with IT"
            ));
        }
        if lower.contains("certificate") {
            return DeskError::invalid(format!(
                "the centre's certificate is not trusted by this workstation ({said}); nothing was \
                 sent. IT must give the workstation the state's certificate authority \
                 ({CA_CERTIFICATES_ENV})"
            ));
        }
        cause = c.source();
    }
    DeskError::new(
        ErrorKind::Offline,
        format!("the central service cannot be reached: {e}"),
    )
}

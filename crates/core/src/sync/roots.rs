//! The certificate authorities the desk trusts besides the system's roots: the state's CA, set by
//! the workstation's IT in an environment variable or configuration, read once per process.

use crate::error::{DeskError, DeskResult};

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

/// The workstation's certificate authorities ([`CA_CERTIFICATES_ENV`]), read once.
pub(super) fn workstation_roots() -> DeskResult<&'static [reqwest::Certificate]> {
    static ROOTS: std::sync::OnceLock<DeskResult<Vec<reqwest::Certificate>>> =
        std::sync::OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let paths: Vec<std::path::PathBuf> = std::env::var_os(CA_CERTIFICATES_ENV)
                .map(|v| {
                    std::env::split_paths(&v)
                        .filter(|p| !p.as_os_str().is_empty())
                        .collect()
                })
                .unwrap_or_default();
            load_roots(&paths)
        })
        .as_deref()
        .map_err(Clone::clone)
}

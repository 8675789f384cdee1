//! New versions of the desk, which IT publishes on the centre and signed-in desks install.

use serde::{Deserialize, Serialize};

/// A release's notes in each language of the desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ReleaseNotes {
    pub az: String,
    pub en: String,
    pub ru: String,
}

/// A desk newer than the asking one: where its package is and the signature the desk checks
/// it against with the public key built into it. The package is only ever installed when that
/// signature, made for this `version`, is good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeskUpdate {
    /// MAJOR.MINOR.PATCH.
    pub version: String,
    pub notes: ReleaseNotes,
    /// When IT published it (RFC 3339).
    pub pub_date: String,
    /// The package's path on this centre (`/api/v1/desk/releases/{version}/package`).
    pub path: String,
    /// The package's minisign signature, as `tauri signer sign` writes it (base64).
    pub signature: String,
    /// The package's SHA-256 (hex) and size, so a broken download is told from a bad signature.
    pub sha256: String,
    pub size: u64,
}

/// `GET /desk/update`: the asking desk's version.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct DeskUpdateQuery {
    /// MAJOR.MINOR.PATCH of the desk asking.
    #[cfg_attr(
        feature = "openapi",
        param(pattern = r"^[0-9]{1,9}\.[0-9]{1,9}\.[0-9]{1,9}$")
    )]
    pub current_version: String,
}

/// A desk's version, MAJOR.MINOR.PATCH, in the order releases follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DeskVersion(pub u32, pub u32, pub u32);

impl DeskVersion {
    /// `text` as MAJOR.MINOR.PATCH (digits only), or `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('.').map(|p| {
            (!p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        });
        let version = Self(parts.next()??, parts.next()??, parts.next()??);
        parts.next().is_none().then_some(version)
    }
}

impl std::fmt::Display for DeskVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

#[cfg(test)]
mod tests {
    use super::DeskVersion;

    #[test]
    fn versions_are_three_numbers_in_their_order() {
        assert_eq!(DeskVersion::parse("0.1.10"), Some(DeskVersion(0, 1, 10)));
        assert!(DeskVersion::parse("0.1.10") > DeskVersion::parse("0.1.9"));
        for wrong in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "1.2.x",
            "v1.2.3",
            "1..3",
            "1.2.-3",
            "1.2.3-rc1",
        ] {
            assert_eq!(DeskVersion::parse(wrong), None, "{wrong}");
        }
        assert_eq!(DeskVersion(1, 20, 3).to_string(), "1.20.3");
    }
}

//! Desk releases. IT publishes a new desk's signed package on the centre
//! (`migdesk-central release publish`, audited; `withdraw` takes one back); a signed-in desk asks whether there is one newer
//! than itself (`GET /desk/update`) and downloads it (`GET /desk/releases/{version}/package`).
//! The centre never vouches for a package: the desk installs it only when its minisign
//! signature is good under the public key built into the desk and was made for the version
//! announced. The centre only refuses what cannot be right before it is offered: not a Debian
//! package, not a signature, a signature made for another version, a version already out.

use crate::sql::{Conn, OptionalExtension};
use base64::Engine as _;
use migdesk_api::{DeskUpdate, DeskVersion, PREFIX, ReleaseNotes};
use rusqlite::params;
use sha2::{Digest, Sha256};

use crate::audit_log::{self, Action, Entry};
use crate::clock;
use crate::error::{ApiError, ApiResult};

/// The largest package published (a desk's .deb is about 10 MB).
pub const MAX_PACKAGE_BYTES: usize = 512 * 1024 * 1024;

/// What was published.
#[derive(Debug)]
pub struct Published {
    pub version: DeskVersion,
    pub sha256: String,
    pub size: usize,
}

/// Publishes `package` as desk `version`, with its `signature` (the `.sig` file `tauri signer
/// sign --app-version VERSION` writes) and notes, by `operator` (audited).
pub fn publish(
    conn: &Conn<'_>,
    package: &[u8],
    signature: &str,
    version: &str,
    notes: &ReleaseNotes,
    operator: &str,
) -> ApiResult<Published> {
    let parsed = DeskVersion::parse(version).ok_or_else(|| {
        ApiError::bad_request(format!(
            "`{version}` is not a desk version: three numbers, MAJOR.MINOR.PATCH (e.g. 1.4.0)"
        ))
    })?;
    if !package.starts_with(b"!<arch>\ndebian-binary") {
        return Err(ApiError::bad_request(
            "the package is not a Debian package (.deb): the desk's package is built by scripts/package.sh",
        ));
    }
    if package.len() > MAX_PACKAGE_BYTES {
        return Err(ApiError::bad_request(format!(
            "the package is larger than {} MiB",
            MAX_PACKAGE_BYTES / 1024 / 1024
        )));
    }
    let signature = signature.trim();
    match signed_version(signature) {
        None => {
            return Err(ApiError::bad_request(
                "the signature is not a minisign signature bound to a version, as `tauri signer sign --app-version VERSION` writes it",
            ));
        }
        Some(signed) if DeskVersion::parse(&signed) != Some(parsed) => {
            return Err(ApiError::bad_request(format!(
                "the signature was made for version {signed}, not {parsed}: sign the package with --app-version {parsed}"
            )));
        }
        Some(_) => {}
    }
    for (language, text) in [("az", &notes.az), ("en", &notes.en), ("ru", &notes.ru)] {
        if text.trim().is_empty() {
            return Err(ApiError::bad_request(format!(
                "the notes have no `{language}` text: officers read them in their language"
            )));
        }
    }
    let sha256 = hex::encode(Sha256::digest(package));
    let tx = conn.transaction()?;
    let taken: bool = tx
        .query_row(
            "SELECT 1 FROM desk_releases WHERE major = ?1 AND minor = ?2 AND patch = ?3",
            params![parsed.0, parsed.1, parsed.2],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if taken {
        return Err(ApiError::wrong_state(format!(
            "desk {parsed} is already published: publish the next version instead (a published package is never replaced under desks that may be downloading it)"
        )));
    }
    let now = clock::format(clock::now());
    tx.execute(
        "INSERT INTO desk_releases (version, major, minor, patch, package, sha256, signature, notes_az, notes_en, notes_ru, published_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            parsed.to_string(),
            parsed.0,
            parsed.1,
            parsed.2,
            package,
            sha256,
            signature,
            notes.az.trim(),
            notes.en.trim(),
            notes.ru.trim(),
            now
        ],
    )?;
    let mut entry = Entry::new(Action::DeskReleasePublished).subject(parsed.to_string());
    entry.username = Some(operator.to_owned());
    audit_log::append(&tx, &entry, &now)?;
    tx.commit()?;
    Ok(Published {
        version: parsed,
        sha256,
        size: package.len(),
    })
}

/// Withdraws published desk `version` (audited): no desk is offered it from now on, and the
/// version may be published again (a package signed with the wrong key, say).
pub fn withdraw(conn: &Conn<'_>, version: &str, operator: &str) -> ApiResult<()> {
    let parsed = DeskVersion::parse(version).ok_or_else(|| {
        ApiError::bad_request(format!(
            "`{version}` is not a desk version: MAJOR.MINOR.PATCH"
        ))
    })?;
    let tx = conn.transaction()?;
    let removed = tx.execute(
        "DELETE FROM desk_releases WHERE major = ?1 AND minor = ?2 AND patch = ?3",
        params![parsed.0, parsed.1, parsed.2],
    )?;
    if removed == 0 {
        return Err(ApiError::not_found(format!(
            "desk {parsed} is not published (`migdesk-central release list` shows what is)"
        )));
    }
    let now = clock::format(clock::now());
    let mut entry = Entry::new(Action::DeskReleaseWithdrawn).subject(parsed.to_string());
    entry.username = Some(operator.to_owned());
    audit_log::append(&tx, &entry, &now)?;
    tx.commit()?;
    Ok(())
}

/// The published releases, newest first: version, size, SHA-256, when.
pub fn list(conn: &Conn<'_>) -> ApiResult<Vec<(String, i64, String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT version, length(package), sha256, published_at FROM desk_releases
         ORDER BY major DESC, minor DESC, patch DESC",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The version a `tauri signer` signature was bound to (its trusted comment's `version:`),
/// when `signature` is one.
fn signed_version(signature: &str) -> Option<String> {
    let text = base64::engine::general_purpose::STANDARD
        .decode(signature)
        .ok()?;
    let text = String::from_utf8(text).ok()?;
    let mut lines = text.lines();
    lines.next()?.strip_prefix("untrusted comment:")?;
    lines.next()?;
    let trusted = lines.next()?.strip_prefix("trusted comment:")?;
    trusted
        .split('\t')
        .find_map(|field| field.trim().strip_prefix("version:"))
        .map(str::to_owned)
}

/// The newest release, when it is newer than `current`.
pub fn newer_than(conn: &Conn<'_>, current: DeskVersion) -> ApiResult<Option<DeskUpdate>> {
    Ok(conn
        .query_row(
            "SELECT version, notes_az, notes_en, notes_ru, published_at, signature, sha256, length(package)
             FROM desk_releases ORDER BY major DESC, minor DESC, patch DESC LIMIT 1",
            [],
            |r| {
                let version: String = r.get(0)?;
                Ok(DeskUpdate {
                    path: format!("{PREFIX}/desk/releases/{version}/package"),
                    version,
                    notes: ReleaseNotes {
                        az: r.get(1)?,
                        en: r.get(2)?,
                        ru: r.get(3)?,
                    },
                    pub_date: r.get(4)?,
                    signature: r.get(5)?,
                    sha256: r.get(6)?,
                    size: u64::try_from(r.get::<_, i64>(7)?).unwrap_or(0),
                })
            },
        )
        .optional()?
        .filter(|update| DeskVersion::parse(&update.version).is_some_and(|v| v > current)))
}

/// A published package and its SHA-256.
pub fn package(conn: &Conn<'_>, version: DeskVersion) -> ApiResult<Option<(Vec<u8>, String)>> {
    Ok(conn
        .query_row(
            "SELECT package, sha256 FROM desk_releases WHERE major = ?1 AND minor = ?2 AND patch = ?3",
            params![version.0, version.1, version.2],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

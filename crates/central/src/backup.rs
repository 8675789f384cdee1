//! A backup of the centre's database while it serves: SQLite's `VACUUM INTO`, a consistent
//! snapshot taken in one read transaction (the centre's writers go on meanwhile, and the copy
//! is compacted), written beside its destination and moved there only once whole and durable,
//! so a backup interrupted half-way never stands where a good one is expected. Restoring is
//! putting the file back and running `migdesk-central restored` (a new epoch of the change
//! feed: desks sync again and send again what the backup does not hold).

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::error::{ApiError, ApiResult};

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The file's size in bytes.
    pub bytes: u64,
    /// Applications the backup holds.
    pub applications: i64,
}

/// Backs the database at `db` up into the new file `out` (refused when `out` exists: a backup
/// never replaces another).
pub fn backup(db: &Path, out: &Path) -> ApiResult<Written> {
    if out.exists() {
        return Err(ApiError::bad_request(format!(
            "{} exists already: a backup is written to a new file",
            out.display()
        )));
    }
    let folder = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return Err(ApiError::bad_request(format!(
            "the folder {} does not exist",
            folder.display()
        )));
    }
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| ApiError::bad_request(format!("cannot open {}: {e}", db.display())))?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let partial = folder.join(format!(".{name}.partial"));
    // A partial file left by a backup that was stopped is this backup's to replace.
    let _ = std::fs::remove_file(&partial);
    let taken = conn
        .execute("VACUUM INTO ?1", [partial.to_string_lossy()])
        .map_err(|e| ApiError::internal(format!("the backup of {} failed: {e}", db.display())));
    if let Err(e) = taken {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    let written = check(&partial).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })?;
    let io = |e: std::io::Error| ApiError::internal(format!("writing {}: {e}", out.display()));
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    std::fs::rename(&partial, out).map_err(io)?;
    std::fs::File::open(folder)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    Ok(written)
}

/// The backup at `path` read back: SQLite's integrity check must pass.
fn check(path: &Path) -> ApiResult<Written> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| ApiError::internal(format!("the backup cannot be read back: {e}")))?;
    let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if verdict != "ok" {
        return Err(ApiError::internal(format!(
            "the backup does not read back whole: {verdict}"
        )));
    }
    let applications = conn.query_row("SELECT COUNT(*) FROM applications", [], |r| r.get(0))?;
    let bytes = std::fs::metadata(path)
        .map_err(|e| ApiError::internal(format!("the backup cannot be read back: {e}")))?
        .len();
    Ok(Written {
        bytes,
        applications,
    })
}

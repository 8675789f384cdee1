//! A backup of the centre's database while it serves: SQLite's `VACUUM INTO`, a consistent
//! snapshot taken in one read transaction (the centre's writers go on meanwhile, and the copy
//! is compacted); for PostgreSQL, `pg_dump`'s custom format of one exported snapshot. Either is
//! written beside its destination and moved there only once whole and durable, so a backup
//! interrupted half-way never stands where a good one is expected. Restoring is putting the
//! file back (PostgreSQL: `pg_restore` into a new database) and running `migdesk-central
//! restored` (a new epoch of the change feed: desks sync again and send again what the backup
//! does not hold).

use std::path::{Path, PathBuf};

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

/// Where a backup into `out` is written first (in the same folder), and that folder; refused
/// when `out` exists (a backup never replaces another) or its folder does not.
fn destination(out: &Path) -> ApiResult<(PathBuf, PathBuf)> {
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
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let partial = folder.join(format!(".{name}.partial"));
    // A partial file left by a backup that was stopped is this backup's to replace.
    let _ = std::fs::remove_file(&partial);
    Ok((folder.to_path_buf(), partial))
}

/// Moves the whole, durable `partial` to `out` in `folder`.
fn finish(partial: &Path, out: &Path, folder: &Path) -> ApiResult<()> {
    let io = |e: std::io::Error| ApiError::internal(format!("writing {}: {e}", out.display()));
    std::fs::File::open(partial)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    std::fs::rename(partial, out).map_err(io)?;
    std::fs::File::open(folder)
        .and_then(|f| f.sync_all())
        .map_err(io)
}

/// Backs the SQLite database at `db` up into the new file `out` (refused when `out` exists: a
/// backup never replaces another).
pub fn backup(db: &Path, out: &Path) -> ApiResult<Written> {
    let (folder, partial) = destination(out)?;
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| ApiError::bad_request(format!("cannot open {}: {e}", db.display())))?;
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
    finish(&partial, out, &folder)?;
    Ok(written)
}

/// `url` without its password, and the password (handed to `pg_dump` in its environment, never
/// on a command line others may read).
fn without_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_owned(), None);
    };
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, None), |(a, p)| (a, Some(p)));
    let Some((user_info, host)) = authority.rsplit_once('@') else {
        return (url.to_owned(), None);
    };
    let Some((user, password)) = user_info.split_once(':') else {
        return (url.to_owned(), None);
    };
    let mut bare = format!("{scheme}://{user}@{host}");
    if let Some(path) = path {
        bare.push('/');
        bare.push_str(path);
    }
    (bare, Some(password.to_owned()))
}

/// Backs the PostgreSQL database `database` (at `url`) up into the new file `out` with
/// `pg_dump` (custom format), of one snapshot exported from a read-only transaction that also
/// counts its applications; the file is read back with `pg_restore --list` before it takes its
/// name.
pub async fn backup_postgres(
    database: &crate::database::Database,
    url: &str,
    out: &Path,
) -> ApiResult<Written> {
    let (folder, partial) = destination(out)?;
    let failed = |e: tokio_postgres::Error| {
        ApiError::internal(format!("the backup of {database} failed: {e}"))
    };
    let mut client = crate::database::connect_postgres(database, url).await?;
    let tx = client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(failed)?;
    let snapshot: String = tx
        .query_one("SELECT pg_export_snapshot()", &[])
        .await
        .map_err(failed)?
        .get(0);
    let applications: i64 = tx
        .query_one("SELECT COUNT(*) FROM applications", &[])
        .await
        .map_err(failed)?
        .get(0);
    let (bare, password) = without_password(url);
    let mut dump = tokio::process::Command::new("pg_dump");
    dump.args([
        "--format=custom",
        "--no-owner",
        "--snapshot",
        &snapshot,
        "--file",
    ])
    .arg(&partial)
    .arg(&bare);
    if let Some(password) = password {
        dump.env("PGPASSWORD", password);
    }
    let dumped = run(dump, "pg_dump").await;
    tx.commit().await.map_err(failed)?;
    let read_back = match dumped {
        Ok(()) => {
            let mut list = tokio::process::Command::new("pg_restore");
            list.arg("--list").arg(&partial);
            run(list, "pg_restore").await
        }
        Err(e) => Err(e),
    };
    if let Err(e) = read_back {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    let bytes = std::fs::metadata(&partial)
        .map_err(|e| ApiError::internal(format!("the backup cannot be read back: {e}")))?
        .len();
    finish(&partial, out, &folder)?;
    Ok(Written {
        bytes,
        applications,
    })
}

/// Runs one of PostgreSQL's programs; its error output when it fails.
async fn run(mut command: tokio::process::Command, program: &str) -> ApiResult<()> {
    let output = command
        .stdout(std::process::Stdio::null())
        .output()
        .await
        .map_err(|e| {
            ApiError::internal(format!(
                "cannot run {program} ({e}): install PostgreSQL's client programs (Debian's postgresql-client)"
            ))
        })?;
    if output.status.success() {
        return Ok(());
    }
    Err(ApiError::internal(format!(
        "{program} failed: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    )))
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

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn a_password_leaves_the_url_for_the_environment() {
        assert_eq!(
            without_password("postgres://centre:s3cret@db.example:5432/migdesk"),
            (
                "postgres://centre@db.example:5432/migdesk".to_owned(),
                Some("s3cret".to_owned())
            )
        );
        assert_eq!(
            without_password("postgres://centre@127.0.0.1/migdesk"),
            ("postgres://centre@127.0.0.1/migdesk".to_owned(), None)
        );
    }
}

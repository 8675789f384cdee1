//! The `app_info` command: what this desk is and where it keeps its data.

use std::path::{Path, PathBuf};

use crate::error::{DeskError, DeskResult};
use crate::ipc::{AppInfo, BuildInfo};

/// The environment variable that overrides the data folder (tests, portable installs).
pub const DATA_DIR_ENV: &str = "MIGDESK_DATA_DIR";

/// Chooses the data folder: `MIGDESK_DATA_DIR` when set and not empty, otherwise the
/// platform's per-user application data folder the shell resolved.
pub fn resolve_data_dir(
    env_value: Option<&str>,
    platform_default: Option<PathBuf>,
) -> DeskResult<PathBuf> {
    match env_value.filter(|v| !v.trim().is_empty()) {
        Some(v) => Ok(PathBuf::from(v)),
        None => platform_default.ok_or_else(|| {
            DeskError::storage(format!(
                "the platform has no application data folder for this user; set {DATA_DIR_ENV}"
            ))
        }),
    }
}

/// Makes sure the data folder exists and is a folder, creating it if needed.
pub fn ensure_data_dir(dir: &Path) -> DeskResult<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(DeskError::storage(format!(
            "{} is not a folder",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        DeskError::storage(format!(
            "cannot create the data folder {}: {e}",
            dir.display()
        ))
    })
}

/// Assembles what the desk says about itself.
pub fn app_info(name: &str, version: &str, build: BuildInfo, data_dir: &Path) -> AppInfo {
    AppInfo {
        name: name.to_owned(),
        version: version.to_owned(),
        build,
        data_dir: data_dir.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_override_wins_over_platform_default() {
        let dir = resolve_data_dir(
            Some("/srv/migdesk"),
            Some(PathBuf::from("/home/o/.local/share/x")),
        )
        .unwrap();
        assert_eq!(dir, PathBuf::from("/srv/migdesk"));
    }

    #[test]
    fn blank_override_falls_back_to_platform_default() {
        let dir =
            resolve_data_dir(Some("  "), Some(PathBuf::from("/home/o/.local/share/x"))).unwrap();
        assert_eq!(dir, PathBuf::from("/home/o/.local/share/x"));
    }

    #[test]
    fn no_folder_at_all_is_a_storage_error() {
        let err = resolve_data_dir(None, None).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::Storage);
        assert!(err.message.contains(DATA_DIR_ENV), "{}", err.message);
    }

    #[test]
    fn ensure_creates_nested_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b/c");
        ensure_data_dir(&dir).unwrap();
        assert!(dir.is_dir());
        // Safe to call again.
        ensure_data_dir(&dir).unwrap();
    }

    #[test]
    fn a_file_in_the_way_is_a_storage_error() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("data");
        std::fs::write(&file, b"not a folder").unwrap();
        let err = ensure_data_dir(&file).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::Storage);
        assert!(err.message.ends_with("is not a folder"), "{}", err.message);
    }

    #[test]
    fn app_info_reports_what_it_was_given() {
        let build = BuildInfo {
            commit: "abc1234".into(),
            profile: "debug".into(),
            target: "x86_64-unknown-linux-gnu".into(),
        };
        let info = app_info("migdesk", "0.1.0", build.clone(), Path::new("/data"));
        assert_eq!(info.name, "migdesk");
        assert_eq!(info.version, "0.1.0");
        assert_eq!(info.build, build);
        assert_eq!(info.data_dir, "/data");
    }
}

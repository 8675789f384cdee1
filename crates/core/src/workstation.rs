//! The workstation's configuration, set by IT for every desk of a department: a TOML file,
//! `/etc/migdesk/desk.toml` (or the file `MIGDESK_CONFIG` names). What it says wins over the
//! environment variables developers use; what it leaves out keeps their defaults. It is read
//! and checked once, when the desk or `migdesk-cli` starts: a file that cannot be read, a key
//! misspelt, a value of the wrong kind or out of range is an `invalid` error naming the file,
//! the line and the key (`ErrorKind::Configuration`), and nothing runs half-configured.
//!
//! ```toml
//! server = "https://central.migration.gov.az"  # offered on the sign-in screen
//! server_locked = true                          # the officer cannot change it
//! ca_certificates = ["/etc/migdesk/state-ca.pem"]
//! idle_lock_minutes = 10
//! purge_after_days = 30
//! default_language = "az"                       # az, en or ru
//! proxy = "http://proxy.dmx.local:3128"
//! ```

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::error::{DeskError, DeskResult, ErrorKind};
use migdesk_domain::config_file;

/// Names another configuration file than [`SYSTEM_FILE`].
pub const CONFIG_ENV: &str = "MIGDESK_CONFIG";
/// Where IT puts the workstation's configuration.
pub const SYSTEM_FILE: &str = "/etc/migdesk/desk.toml";

/// The desk's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Az,
    En,
    Ru,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Self::Az => "az",
            Self::En => "en",
            Self::Ru => "ru",
        }
    }
}

/// What IT set for this workstation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workstation {
    /// The central service offered on the sign-in screen.
    pub server: Option<String>,
    /// The officer cannot sign in to another centre than `server` (the field is hidden).
    #[serde(default)]
    pub server_locked: bool,
    /// Certificate authorities (PEM files) trusted besides the system's: the state's CA.
    #[serde(default)]
    pub ca_certificates: Vec<PathBuf>,
    /// Idle time before the desk locks, in minutes (1 to 480).
    pub idle_lock_minutes: Option<u64>,
    /// Days a decided case stays on the desk after the centre has its decision (1 to 365).
    pub purge_after_days: Option<u32>,
    /// The language the desk opens in until the officer chooses another.
    pub default_language: Option<Language>,
    /// The proxy every call to the centre goes through (`http://` or `https://`).
    pub proxy: Option<String>,
}

impl Workstation {
    /// The file this process reads: [`CONFIG_ENV`]'s, else [`SYSTEM_FILE`] when it exists.
    pub fn path() -> Option<PathBuf> {
        match std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty()) {
            Some(path) => Some(PathBuf::from(path)),
            None => Some(PathBuf::from(SYSTEM_FILE)).filter(|p| p.exists()),
        }
    }

    /// The configuration this process runs with, read and checked once: the default when no
    /// file is set up.
    pub fn current() -> DeskResult<&'static Workstation> {
        static CURRENT: OnceLock<DeskResult<Workstation>> = OnceLock::new();
        CURRENT
            .get_or_init(|| Self::path().map_or(Ok(Self::default()), |p| Self::read(&p)))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Reads and checks the file at `path`.
    pub fn read(path: &Path) -> DeskResult<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            DeskError::new(
                ErrorKind::Configuration,
                format!(
                    "the workstation configuration {}: cannot be read ({e})",
                    path.display()
                ),
            )
        })?;
        Self::parse(&text, path)
    }

    /// Checks `text`, the file at `path`.
    pub fn parse(text: &str, path: &Path) -> DeskResult<Self> {
        let at = |line: Option<usize>, message: &str| {
            DeskError::new(
                ErrorKind::Configuration,
                format!(
                    "the workstation configuration {}{}: {message}",
                    path.display(),
                    config_file::place(text, line)
                ),
            )
        };
        let config: Self = toml::from_str(text)
            .map_err(|e| at(config_file::error_line(text, &e), e.message().trim()))?;
        // The line that sets `key`, for a value that parsed but is not allowed.
        let line_of = |key: &str| config_file::key_line(text, key);
        let bad = |key: &str, why: &str| Err(at(line_of(key), &format!("`{key}` {why}")));
        if let Some(server) = &config.server
            && !(server.starts_with("https://") || server.starts_with("http://"))
        {
            return bad("server", "must be an https:// address");
        }
        if config.server_locked && config.server.is_none() {
            return bad(
                "server_locked",
                "needs `server`: the centre to lock the desk to",
            );
        }
        if config
            .idle_lock_minutes
            .is_some_and(|m| !(1..=480).contains(&m))
        {
            return bad("idle_lock_minutes", "must be between 1 and 480");
        }
        if config
            .purge_after_days
            .is_some_and(|d| !(1..=365).contains(&d))
        {
            return bad("purge_after_days", "must be between 1 and 365");
        }
        if let Some(proxy) = &config.proxy
            && reqwest::Proxy::all(proxy.as_str()).is_err()
        {
            return bad("proxy", "must be a proxy's address (http://host:port)");
        }
        for ca in &config.ca_certificates {
            if !ca.is_file() {
                return bad(
                    "ca_certificates",
                    &format!("names {}, which is not a file", ca.display()),
                );
            }
        }
        Ok(config)
    }

    /// The centre to sign in to: `asked` (typed by the officer, or given to the command line),
    /// unless this workstation is locked to its own; `asked` may be left out when one is set.
    pub fn server_for(&self, asked: Option<&str>) -> DeskResult<String> {
        let asked = asked.map(str::trim).filter(|s| !s.is_empty());
        match (&self.server, asked) {
            (Some(own), Some(asked))
                if self.server_locked
                    && own.trim_end_matches('/') != asked.trim_end_matches('/') =>
            {
                Err(DeskError::invalid(format!(
                    "this workstation signs in only to {own} (its configuration locks the centre)"
                )))
            }
            (_, Some(asked)) => Ok(asked.to_owned()),
            (Some(own), None) => Ok(own.clone()),
            (None, None) => Err(DeskError::invalid(
                "no centre given, and this workstation's configuration names none",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> DeskResult<Workstation> {
        Workstation::parse(text, Path::new("/etc/migdesk/desk.toml"))
    }

    #[test]
    fn a_full_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, "-----BEGIN CERTIFICATE-----").unwrap();
        let text = format!(
            "server = \"https://central.example\"\nserver_locked = true\nca_certificates = [{:?}]\n\
             idle_lock_minutes = 5\npurge_after_days = 14\ndefault_language = \"ru\"\n\
             proxy = \"http://proxy.local:3128\"\n",
            ca.display().to_string()
        );
        let config = parsed(&text).unwrap();
        assert_eq!(
            config,
            Workstation {
                server: Some("https://central.example".into()),
                server_locked: true,
                ca_certificates: vec![ca],
                idle_lock_minutes: Some(5),
                purge_after_days: Some(14),
                default_language: Some(Language::Ru),
                proxy: Some("http://proxy.local:3128".into()),
            }
        );
        assert_eq!(parsed("").unwrap(), Workstation::default());
    }

    #[test]
    fn a_mistake_names_the_file_the_line_and_the_key() {
        let cases = [
            (
                "server = \"https://c\"\nservr_locked = true\n",
                "line 2",
                "servr_locked",
            ),
            (
                "idle_lock_minutes = \"ten\"\n",
                "line 1",
                "idle_lock_minutes",
            ),
            ("\n\nidle_lock_minutes = 0\n", "line 3", "between 1 and 480"),
            ("default_language = \"de\"\n", "line 1", "default_language"),
            ("server_locked = true\n", "line 1", "needs `server`"),
            ("server = \"ftp://c\"\n", "line 1", "https://"),
            (
                "ca_certificates = [\"/nowhere/ca.pem\"]\n",
                "line 1",
                "/nowhere/ca.pem",
            ),
            ("proxy = \"not a url\"\n", "line 1", "proxy"),
            ("server = \"https://c\n", "line 1", "server"),
        ];
        for (text, line, says) in cases {
            let e = parsed(text).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Configuration, "{text}");
            assert!(
                e.message.contains("/etc/migdesk/desk.toml") && e.message.contains(line),
                "{text:?}: {}",
                e.message
            );
            assert!(e.message.contains(says), "{text:?}: {}", e.message);
        }
    }

    #[test]
    fn a_locked_workstation_signs_in_only_to_its_centre() {
        let locked = Workstation {
            server: Some("https://central.example/".into()),
            server_locked: true,
            ..Workstation::default()
        };
        assert_eq!(locked.server_for(None).unwrap(), "https://central.example/");
        assert!(locked.server_for(Some("https://central.example")).is_ok());
        let e = locked.server_for(Some("https://elsewhere")).unwrap_err();
        assert!(
            e.message.contains("only to https://central.example/"),
            "{}",
            e.message
        );
        let open = Workstation::default();
        assert_eq!(open.server_for(Some("https://a")).unwrap(), "https://a");
        assert!(open.server_for(None).is_err());
    }
}

//! `serve --config FILE`: the service's settings from a TOML file, as the package's systemd unit
//! runs it (`/etc/migdesk-central/central.toml`). Each key is a `serve` option of the same name
//! (`tls_cert` or `tls-cert` for `--tls-cert`), so `migdesk-central serve --help` documents the
//! file and there is no second list of settings to keep in step; an option also given on the
//! command line wins over the file.
//!
//! The file is checked before anything starts: a syntax error, an unknown key or a value the
//! option refuses is told with the file, the line and the key, and the service does not start.

use std::ffi::OsString;
use std::path::Path;

use clap::error::{ContextKind, ErrorKind};
use clap::{Arg, Command};
use migdesk_domain::config_file;

/// `args` (the program's, first its name) with the settings of `serve --config FILE` put in as
/// options right after `serve`, where the command line's own options follow and override them.
/// Arguments of other commands, or of a `serve` without `--config`, are returned as they came.
pub fn expand(command: &Command, args: Vec<OsString>) -> Result<Vec<OsString>, String> {
    // The program has no options of its own: a command is its first argument.
    if args.get(1).is_none_or(|a| a != "serve") {
        return Ok(args);
    }
    let mut file = None;
    for (i, arg) in args.iter().enumerate().skip(2) {
        if let Some(path) = arg.to_str().and_then(|a| a.strip_prefix("--config=")) {
            file = Some(OsString::from(path));
        } else if arg == "--config" {
            file = args.get(i + 1).cloned();
        }
    }
    let Some(file) = file else {
        return Ok(args);
    };
    let serve = command
        .find_subcommand("serve")
        .ok_or("the program has no `serve` command")?;
    let text = std::fs::read_to_string(&file)
        .map_err(|e| format!("cannot read {}: {e}", Path::new(&file).display()))?;
    let settings = settings(serve, &text, Path::new(&file))?;
    let mut expanded = args[..2].to_vec();
    expanded.extend(settings);
    expanded.extend_from_slice(&args[2..]);
    Ok(expanded)
}

/// The options `text` sets, each checked by the option's own parser.
fn settings(serve: &Command, text: &str, file: &Path) -> Result<Vec<OsString>, String> {
    let at = |line: Option<usize>, message: &str| {
        format!(
            "the central service's configuration {}{}: {message}",
            file.display(),
            config_file::place(text, line)
        )
    };
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| at(config_file::error_line(text, &e), e.message().trim()))?;
    let line_of = |key: &str| config_file::key_line(text, key);
    let known: Vec<&Arg> = serve
        .get_arguments()
        .filter(|a| a.get_long().is_some_and(|l| l != "config" && l != "help"))
        .collect();
    let mut options = Vec::new();
    for (key, value) in &table {
        let long = key.replace('_', "-");
        if !known.iter().any(|a| a.get_long() == Some(long.as_str())) {
            let names: Vec<String> = known
                .iter()
                .filter_map(|a| a.get_long())
                .map(|l| l.replace('-', "_"))
                .collect();
            return Err(at(
                line_of(key),
                &format!(
                    "`{key}` is not a setting of the central service (the settings are {})",
                    names.join(", ")
                ),
            ));
        }
        let value = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::Float(n) => n.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => {
                return Err(at(
                    line_of(key),
                    &format!("`{key}` takes one value (a string or a number)"),
                ));
            }
        };
        options.push(OsString::from(format!("--{long}")));
        options.push(OsString::from(value));
    }
    // The values, checked by the options' own parsers. Options the file leaves to the
    // command line (a required `db`, the key that `tls_cert` requires) are the command line's
    // to give, and are checked when it is parsed.
    let argv = std::iter::once(OsString::from("serve")).chain(options.iter().cloned());
    if let Err(e) = serve.clone().try_get_matches_from(argv)
        && e.kind() != ErrorKind::MissingRequiredArgument
    {
        let option = e
            .get(ContextKind::InvalidArg)
            .map(ToString::to_string)
            .unwrap_or_default();
        let option = option.trim_start_matches("--").split(' ').next();
        let key = table
            .keys()
            .find(|k| Some(k.replace('_', "-").as_str()) == option)
            .map_or("", String::as_str);
        let why = e.to_string();
        let why = why.lines().next().unwrap_or_default();
        let why = why.trim_start_matches("error: ");
        return Err(at(line_of(key), &format!("`{key}`: {why}")));
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The program's own command line, as `main` parses it.
    fn serve() -> Command {
        <crate::Cli as clap::CommandFactory>::command()
    }

    fn expanded(text: &str, args: &[&str]) -> Result<Vec<String>, String> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("central.toml");
        std::fs::write(&file, text).unwrap();
        let args = args
            .iter()
            .map(|a| OsString::from(a.replace("FILE", file.to_str().unwrap())))
            .collect();
        expand(&serve(), args).map(|v| {
            v.into_iter()
                .map(|a| {
                    a.into_string()
                        .unwrap()
                        .replace(file.to_str().unwrap(), "FILE")
                })
                .collect()
        })
    }

    #[test]
    fn the_files_settings_come_before_the_command_lines_which_win() {
        let args = expanded(
            "db = \"/var/lib/c.db\"\nlisten = \"0.0.0.0:8470\"\ntoken_minutes = 60\n",
            &["c", "serve", "--config", "FILE", "--listen", "127.0.0.1:1"],
        )
        .unwrap();
        assert_eq!(
            args,
            [
                "c",
                "serve",
                "--db",
                "/var/lib/c.db",
                "--listen",
                "0.0.0.0:8470",
                "--token-minutes",
                "60",
                "--config",
                "FILE",
                "--listen",
                "127.0.0.1:1"
            ]
        );
        let cli = <crate::Cli as clap::Parser>::try_parse_from(&args).unwrap();
        let crate::Command::Serve {
            db,
            listen,
            token_minutes,
            ..
        } = cli.command
        else {
            panic!("not serve");
        };
        assert_eq!(listen, "127.0.0.1:1".parse().unwrap());
        assert_eq!(
            db.database().unwrap(),
            migdesk_central::database::Database::Sqlite("/var/lib/c.db".into())
        );
        assert_eq!(token_minutes, 60);
    }

    #[test]
    fn without_a_file_or_for_another_command_the_arguments_are_left_alone() {
        for args in [
            vec!["c", "serve", "--db", "x"],
            vec!["c", "seed", "--config", "FILE"],
        ] {
            let want: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            assert_eq!(expanded("nonsense = [", &args).unwrap(), want);
        }
    }

    #[test]
    fn a_mistake_names_the_file_the_line_and_the_key() {
        let cases = [
            ("db = \"x\"\nlisten = \"here\"\n", "line 2", "`listen`"),
            ("\ntoken_minutes = \"many\"\n", "line 2", "`token_minutes`"),
            (
                "db = \"x\"\ndatabse = \"y\"\n",
                "line 2",
                "`databse` is not a setting",
            ),
            ("db = [\"x\"]\n", "line 1", "takes one value"),
            ("db = \"x\n", "line 1", ""),
        ];
        for (text, line, says) in cases {
            let e = expanded(text, &["c", "serve", "--config=FILE"]).unwrap_err();
            assert!(
                e.contains("central.toml") && e.contains(line) && e.contains(says),
                "{text:?} gave {e}"
            );
        }
        let e = expanded("", &["c", "serve", "--config", "/nowhere/central.toml"]).unwrap_err();
        assert!(e.contains("cannot read /nowhere/central.toml"), "{e}");
    }
}

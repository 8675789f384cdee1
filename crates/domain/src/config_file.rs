//! Telling where a mistake is in a configuration file set by IT (the workstation's `desk.toml`,
//! the centre's `central.toml`): the line, as it is written, and the key.

/// ", line N (`the line as written`)" for 0-based `line`, or nothing when it is not known.
pub fn place(text: &str, line: Option<usize>) -> String {
    line.map_or(String::new(), |n| {
        let written = text.lines().nth(n).unwrap_or_default().trim();
        format!(", line {} (`{written}`)", n + 1)
    })
}

/// The 0-based line a TOML syntax error points at.
pub fn error_line(text: &str, error: &toml::de::Error) -> Option<usize> {
    error
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count())
}

/// The 0-based line that sets `key` (`key = …` at the top level).
pub fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines().position(|l| {
        l.trim_start()
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_is_the_line_as_written() {
        let text = "a = 1\n  server_lock = true\n";
        assert_eq!(key_line(text, "server_lock"), Some(1));
        assert_eq!(
            key_line(text, "server"),
            None,
            "a longer key is another key"
        );
        assert_eq!(place(text, Some(1)), ", line 2 (`server_lock = true`)");
        assert_eq!(place(text, None), "");
        let e = "a = 1\nb = \"open\n".parse::<toml::Table>().unwrap_err();
        assert_eq!(error_line("a = 1\nb = \"open\n", &e), Some(1));
    }
}

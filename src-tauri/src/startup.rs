//! What the desk's libraries read from the environment once, when they start: set first in
//! `main` by starting the desk once more with it (the same process and arguments: `exec`).
//!
//! - The C library's allocator: few arenas, large buffers mapped on their own ([`crate::arenas`]).
//! - WebKit's drawing. WebKit composites the window with OpenGL. Without a GPU (a virtual
//!   desktop, a thin client, a server's display) that OpenGL is Mesa's software renderer, and
//!   compositing through it only costs: measured with the window benchmark on such a machine,
//!   WebKit's process held 215–219 MB on the first screen and 420 MB ten cases later, against
//!   123 and 222–226 MB drawing without compositing. So on a machine without a GPU render node
//!   the desk asks WebKit not to composite (`WEBKIT_DISABLE_COMPOSITING_MODE=1`); with a GPU,
//!   WebKit draws as it chooses.
//!
//! A variable already set is left as it is: an administrator can choose for a workstation
//! (`WEBKIT_DISABLE_COMPOSITING_MODE=0` composites without a GPU too).

use std::path::Path;

/// The variable WebKit reads to draw without accelerated compositing.
const NO_COMPOSITING_ENV: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Where Linux lists the machine's GPU devices (a render node is `renderD128` and on).
const DRI: &str = "/dev/dri";

/// Starts the desk once more with what its libraries must read at start, when something of it
/// is not set yet. Returns when nothing was to be done, or when the program could not be
/// started again (the desk then runs as it is, with the libraries' defaults).
pub fn settle() {
    let wanted = wanted(
        crate::arenas::environment()
            .into_iter()
            .chain(drawing(Path::new(DRI))),
        |name| std::env::var_os(name).is_some(),
    );
    if !wanted.is_empty() {
        start_again(&wanted);
    }
}

/// The variables of `environment` that are not set yet.
fn wanted(
    environment: impl Iterator<Item = (&'static str, &'static str)>,
    set: impl Fn(&str) -> bool,
) -> Vec<(&'static str, &'static str)> {
    environment.filter(|(name, _)| !set(name)).collect()
}

/// What WebKit is to read about drawing, for a machine whose GPU devices are listed in `dri`:
/// no compositing when it has no render node.
fn drawing(dri: &Path) -> Option<(&'static str, &'static str)> {
    if cfg!(target_os = "linux") && !has_render_node(dri) {
        Some((NO_COMPOSITING_ENV, "1"))
    } else {
        None
    }
}

/// Whether `dri` lists a GPU render node.
fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    })
}

#[cfg(unix)]
fn start_again(environment: &[(&str, &str)]) {
    use std::os::unix::process::CommandExt;

    let Ok(program) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let arg0 = args
        .next()
        .unwrap_or_else(|| program.clone().into_os_string());
    let error = std::process::Command::new(&program)
        .arg0(arg0)
        .args(args)
        .envs(environment.iter().copied())
        .exec();
    eprintln!("migdesk: could not start again with {environment:?} ({error}); running as started");
}

/// Nothing this desk sets at start applies elsewhere.
#[cfg(not(unix))]
fn start_again(_environment: &[(&str, &str)]) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn without_a_render_node_webkit_draws_without_compositing() {
        let dri = tempfile::tempdir().unwrap();
        let none = dri.path().join("absent");
        assert_eq!(drawing(&none), Some((NO_COMPOSITING_ENV, "1")));
        std::fs::write(dri.path().join("card0"), b"").unwrap();
        assert_eq!(
            drawing(dri.path()),
            Some((NO_COMPOSITING_ENV, "1")),
            "a display device alone is not a GPU that renders"
        );
        std::fs::write(dri.path().join("renderD128"), b"").unwrap();
        assert_eq!(drawing(dri.path()), None);
    }

    #[test]
    fn what_is_set_already_is_left_as_it_is() {
        let environment = [("MALLOC_ARENA_MAX", "2"), (NO_COMPOSITING_ENV, "1")];
        let all = wanted(environment.into_iter(), |_| false);
        assert_eq!(all, environment);
        let chosen = wanted(environment.into_iter(), |name| name == NO_COMPOSITING_ENV);
        assert_eq!(chosen, [("MALLOC_ARENA_MAX", "2")]);
        assert!(wanted(environment.into_iter(), |_| true).is_empty());
    }
}

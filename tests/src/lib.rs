//! The end-to-end harness: the built migdesk binary in a real window, driven over WebDriver.
//!
//! [`AppWindow::launch`] starts, for one test:
//! - an X server (Xvfb) when the environment has no `DISPLAY`;
//! - `tauri-driver` on free loopback ports, which starts WebKitWebDriver, which starts the app
//!   with its own temporary data folder;
//! - a WebDriver session on the app's main window.
//!
//! The harness acts as a person does: keys go to whatever has the focus (W3C actions, never
//! "send keys to this element", which focuses the element first and so hides a screen that
//! never took the focus), and every helper that types first checks where the focus is. It
//! counts the keys it pressed, so a test can hold a flow to a number of keys.
//!
//! [`AppWindow::close`] ends the session and stops `tauri-driver` with SIGTERM (it stops
//! WebKitWebDriver only on TERM/INT/QUIT; SIGKILL would orphan it with the port and our pipes).
//! Screenshots go to `target/e2e-artifacts/`.

pub mod central;

use std::fs::File;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use thirtyfour::prelude::*;

/// What can go wrong while setting up the window, with what to do about it.
pub type HarnessResult<T> = Result<T, String>;

/// Fails the test with the harness's own words.
fn must(result: HarnessResult<()>) {
    if let Err(e) = result {
        panic!("{e}");
    }
}

const DATA_DIR_ENV: &str = "MIGDESK_DATA_DIR";
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long an expectation about the page may take to come true.
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a click waits for its target to hold still before it goes anyway.
const AIM_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a sync may take: longer than the desk's own limit on one call to the centre (60 s),
/// so a call that hangs ends the sync as failed, with its reason.
pub const SYNC_TIMEOUT: Duration = Duration::from_secs(90);

/// The workspace root (the folder with the top-level `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// The workspace's target folder.
/// A text of the UI's translation catalogue, by dotted path (`signIn.title`).
pub fn translation(lang: &str, path: &str) -> String {
    let file = workspace_root().join(format!("ui/src/i18n/locales/{lang}.json"));
    let text = std::fs::read_to_string(&file).expect("the UI's translation file is readable");
    let json: serde_json::Value =
        serde_json::from_str(&text).expect("the UI's translation file is JSON");
    path.split('.')
        .fold(&json, |v, k| &v[k])
        .as_str()
        .unwrap_or_else(|| panic!("{path} missing in {lang}.json"))
        .to_owned()
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| {
            if p.is_absolute() {
                p
            } else {
                workspace_root().join(p)
            }
        })
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Where screenshots and logs of the end-to-end run are kept.
pub fn artifacts_dir() -> PathBuf {
    target_dir().join("e2e-artifacts")
}

/// The app binary to test: `MIGDESK_APP` when set, otherwise the workspace's debug build.
pub fn app_binary() -> HarnessResult<PathBuf> {
    let path = std::env::var_os("MIGDESK_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug").join("migdesk"));
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "the app binary {} does not exist: build the UI and the app first \
             (`npm --prefix ui run build && cargo build -p migdesk`), or run scripts/test.sh",
            path.display()
        ))
    }
}

fn find_program(name: &str) -> HarnessResult<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(name)).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("CARGO_HOME").or_else(|| {
        std::env::var_os("HOME").map(|h| {
            let mut p = PathBuf::from(h);
            p.push(".cargo");
            p.into_os_string()
        })
    }) {
        candidates.push(PathBuf::from(home).join("bin").join(name));
    }
    candidates
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| format!("{name} was not found; scripts/test.sh installs it"))
}

/// A free loopback port.
pub fn free_port() -> HarnessResult<u16> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

fn wait_for_port(port: u16, child: &mut Child, what: &str) -> HarnessResult<()> {
    let start = Instant::now();
    while start.elapsed() < STARTUP_TIMEOUT {
        if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("{what} exited early with {status}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!(
        "{what} did not listen on port {port} within {STARTUP_TIMEOUT:?}"
    ))
}

/// Sends SIGTERM and waits for the process to end (SIGKILL after a grace period).
fn terminate(child: &mut Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// An X server of our own, for machines without a display.
#[derive(Debug)]
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> HarnessResult<Self> {
        let program = find_program("Xvfb")?;
        for n in 90..190u32 {
            if Path::new(&format!("/tmp/.X{n}-lock")).exists()
                || Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            {
                continue;
            }
            let display = format!(":{n}");
            let mut child = Command::new(&program)
                .args([
                    display.as_str(),
                    "-screen",
                    "0",
                    // Room for the window at the largest size the tests try (1920×1080).
                    "1920x1080x24",
                    "-nolisten",
                    "tcp",
                    // An X server resets when its last client leaves, and refuses or drops the
                    // clients that connect meanwhile: a desk restarting itself (the old process
                    // leaves as the new one connects) would find no display or lose it. A
                    // desktop's server always has other clients; this one must not reset.
                    "-noreset",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("cannot start Xvfb: {e}"))?;
            // The display is ours once its lock file names our Xvfb; another server that took
            // the number at the same moment makes ours exit, and we try the next number.
            let lock = PathBuf::from(format!("/tmp/.X{n}-lock"));
            let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
            let start = Instant::now();
            loop {
                let owner = std::fs::read_to_string(&lock).unwrap_or_default();
                if socket.exists() && owner.trim().parse::<u32>().ok() == Some(child.id()) {
                    return Ok(Self { child, display });
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break; // Display taken meanwhile: try the next number.
                }
                if start.elapsed() > STARTUP_TIMEOUT {
                    terminate(&mut child);
                    return Err("Xvfb did not start".into());
                }
                std::thread::sleep(Duration::from_millis(25));
            }
        }
        Err("no free X display number between :90 and :189".into())
    }

    /// Saves the part `[x, y, width, height]` of the screen (clipped to it) as a PNG at `path`.
    fn capture(&self, [x, y, width, height]: [u32; 4], path: &Path) -> HarnessResult<()> {
        use x11rb::connection::Connection;
        use x11rb::protocol::xproto::{ConnectionExt, ImageFormat};

        let failed = |e: &dyn std::fmt::Display| format!("screenshot of {}: {e}", self.display);
        let (conn, screen) = x11rb::connect(Some(&self.display)).map_err(|e| failed(&e))?;
        let setup = conn.setup();
        let root = &setup.roots[screen];
        let x = x.min(u32::from(root.width_in_pixels).saturating_sub(1));
        let y = y.min(u32::from(root.height_in_pixels).saturating_sub(1));
        let width = width.clamp(1, u32::from(root.width_in_pixels) - x);
        let height = height.clamp(1, u32::from(root.height_in_pixels) - y);
        // The harness's server has 24-bit colour in 32-bit pixels, blue first (little-endian).
        let four_bytes = setup
            .pixmap_formats
            .iter()
            .any(|f| f.depth == root.root_depth && f.bits_per_pixel == 32);
        if root.root_depth != 24 || !four_bytes {
            return Err(failed(&format!("a screen of depth {}", root.root_depth)));
        }
        let [x, y] = [x, y].map(|v| i16::try_from(v).unwrap_or(i16::MAX));
        let [w, h] = [width, height].map(|v| u16::try_from(v).unwrap_or(u16::MAX));
        let image = conn
            .get_image(ImageFormat::Z_PIXMAP, root.root, x, y, w, h, !0)
            .map_err(|e| failed(&e))?
            .reply()
            .map_err(|e| failed(&e))?;
        let rgb: Vec<u8> = image
            .data
            .chunks_exact(4)
            .flat_map(|bgrx| [bgrx[2], bgrx[1], bgrx[0]])
            .collect();
        image::RgbImage::from_raw(u32::from(w), u32::from(h), rgb)
            .ok_or_else(|| failed(&"a short image"))?
            .save(path)
            .map_err(|e| failed(&e))
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}

/// The ids of the processes running now.
fn process_ids() -> HarnessResult<Vec<u32>> {
    Ok(std::fs::read_dir("/proc")
        .map_err(|e| e.to_string())?
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .collect())
}

/// A number of a process's `/proc/PID/status` text (`PPid:`, or `VmRSS:` in kB).
fn status_field(status: &str, name: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// What the harness starts as the app.
#[derive(Debug, Clone, Copy)]
pub struct Program<'a> {
    /// The built binary, or a command that ends by running it (the README's run command).
    pub path: &'a Path,
    /// Environment added for the program.
    pub env: &'a [(&'a str, &'a str)],
    /// Whether the harness gives the program a display (`DISPLAY`, an Xvfb of its own when
    /// there is none); without, the program must find a screen itself.
    pub display: bool,
    /// How long the window may take to open.
    pub start_within: Duration,
}

/// The running desk under test.
#[derive(Debug)]
pub struct AppWindow {
    pub driver: WebDriver,
    tauri_driver: Child,
    // Dropped after tauri-driver: the window needs the display until the app has gone.
    xvfb: Option<Xvfb>,
    data_dir: tempfile::TempDir,
    /// Where tauri-driver, WebKitWebDriver and the app (their output is its) write.
    driver_log: PathBuf,
    /// Keys pressed so far (a chord such as Ctrl+Enter counts once).
    keys: AtomicUsize,
}

impl AppWindow {
    /// Starts the app in a window of its own, with an empty data folder.
    pub async fn launch(test_name: &str) -> HarnessResult<Self> {
        let data_dir = tempfile::Builder::new()
            .prefix("migdesk-e2e-")
            .tempdir()
            .map_err(|e| format!("cannot create a data folder: {e}"))?;
        Self::launch_in(test_name, data_dir).await
    }

    /// Quits the app and hands back its data folder, to start it again with [`AppWindow::launch_in`].
    pub async fn close_keeping_data(mut self) -> HarnessResult<tempfile::TempDir> {
        let empty = tempfile::tempdir().map_err(|e| e.to_string())?;
        let data_dir = std::mem::replace(&mut self.data_dir, empty);
        self.close().await;
        Ok(data_dir)
    }

    /// Starts the app in a window of its own on `data_dir`.
    pub async fn launch_in(test_name: &str, data_dir: tempfile::TempDir) -> HarnessResult<Self> {
        let app = app_binary()?;
        let program = Program {
            path: &app,
            env: &[],
            display: true,
            start_within: Duration::from_secs(120),
        };
        Self::launch_program(test_name, data_dir, program).await
    }

    /// Starts a [`Program`] as the app, on `data_dir`.
    pub async fn launch_program(
        test_name: &str,
        data_dir: tempfile::TempDir,
        program: Program<'_>,
    ) -> HarnessResult<Self> {
        let Program {
            path: app,
            env,
            display,
            start_within,
        } = program;
        let tauri_driver = find_program("tauri-driver")?;
        find_program("WebKitWebDriver")?;
        let artifacts = artifacts_dir();
        std::fs::create_dir_all(&artifacts)
            .map_err(|e| format!("cannot create {}: {e}", artifacts.display()))?;

        let xvfb = match std::env::var("DISPLAY") {
            _ if !display => None,
            Ok(d) if !d.is_empty() => None,
            _ => Some(Xvfb::start()?),
        };
        let display = xvfb
            .as_ref()
            .map(|x| x.display.clone())
            .or_else(|| std::env::var("DISPLAY").ok().filter(|_| display))
            .unwrap_or_default();

        let port = free_port()?;
        let native_port = free_port()?;
        let driver_log = artifacts.join(format!("{test_name}.tauri-driver.log"));
        let log =
            File::create(&driver_log).map_err(|e| format!("cannot create the driver log: {e}"))?;
        let log_err = log.try_clone().map_err(|e| e.to_string())?;
        let mut command = Command::new(&tauri_driver);
        if display.is_empty() {
            command.env_remove("DISPLAY");
        } else {
            command.env("DISPLAY", &display);
        }
        let mut child = command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .envs(env.iter().copied())
            .env(DATA_DIR_ENV, data_dir.path())
            // Nothing of the user's (WebView storage, caches, keyring files) is read or written.
            .env("XDG_DATA_HOME", data_dir.path().join("xdg-data"))
            .env("XDG_CONFIG_HOME", data_dir.path().join("xdg-config"))
            .env("XDG_CACHE_HOME", data_dir.path().join("xdg-cache"))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|e| format!("cannot start tauri-driver: {e}"))?;
        // tauri-driver forwards to WebKitWebDriver, which it starts itself and which takes a
        // moment longer to listen: wait for both.
        if let Err(e) = wait_for_port(port, &mut child, "tauri-driver")
            .and_then(|()| wait_for_port(native_port, &mut child, "WebKitWebDriver"))
        {
            terminate(&mut child);
            return Err(e);
        }

        let mut caps = Capabilities::new();
        let options = json!({ "application": app });
        if let Err(e) = caps.set("tauri:options", options) {
            terminate(&mut child);
            return Err(format!("bad capabilities: {e}"));
        }
        // The session opens when the window does: `start_within` is also how long any later
        // WebDriver request may take.
        let session = WebDriver::builder(format!("http://127.0.0.1:{port}"), caps)
            .request_timeout(start_within)
            .await;
        let driver = match session {
            Ok(d) => d,
            Err(e) => {
                terminate(&mut child);
                return Err(format!("cannot open a WebDriver session on the app: {e}"));
            }
        };

        Ok(Self {
            driver,
            tauri_driver: child,
            xvfb,
            data_dir,
            driver_log,
            keys: AtomicUsize::new(0),
        })
    }

    /// The app's process and everything it started (the WebView's web and network processes):
    /// their resident memory in bytes, summed (RSS, which counts shared libraries once per
    /// process), and their proportional share (PSS, shared pages divided among their users).
    pub fn resident_memory(&self) -> HarnessResult<(u64, u64)> {
        Ok(self
            .memory_by_process()?
            .iter()
            .fold((0, 0), |(rss, pss), p| (rss + p.1, pss + p.2)))
    }

    /// [`AppWindow::resident_memory`] for each process: its name, RSS and PSS in bytes.
    pub fn memory_by_process(&self) -> HarnessResult<Vec<(String, u64, u64)>> {
        // The app's tree first (parents from each process's status), then the memory of those
        // alone: a process's PSS walks its page tables, too costly to read for every process.
        let mut parents: Vec<(u32, u32, u64)> = Vec::new(); // pid, ppid, rss
        for pid in process_ids()? {
            let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
                continue;
            };
            let field = |name: &str| status_field(&status, name).unwrap_or(0);
            parents.push((pid, field("PPid:") as u32, field("VmRSS:") * 1024));
        }
        let roots = self.app_processes()?;
        let [root] = roots[..] else {
            return Err(format!("expected one app process, found {roots:?}"));
        };
        let mut tree = vec![root];
        let mut i = 0;
        while i < tree.len() {
            let parent = tree[i];
            tree.extend(parents.iter().filter(|p| p.1 == parent).map(|p| p.0));
            i += 1;
        }
        Ok(parents
            .iter()
            .filter(|p| tree.contains(&p.0))
            .map(|p| {
                let name = std::fs::read_to_string(format!("/proc/{}/comm", p.0))
                    .map(|n| n.trim().to_owned())
                    .unwrap_or_default();
                let pss = std::fs::read_to_string(format!("/proc/{}/smaps_rollup", p.0))
                    .ok()
                    .and_then(|r| {
                        r.lines()
                            .find_map(|l| l.strip_prefix("Pss:"))
                            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                    })
                    .unwrap_or(0);
                (name, p.2, pss * 1024)
            })
            .collect())
    }

    /// The processes running the app binary on this desk's data folder (a desk that restarted
    /// itself too: its environment names the folder). A process whose binary was replaced on disk
    /// since it started (an update installed under it) is not among them, nor a child the desk
    /// has forked to start a program (the text recogniser) that has not replaced itself yet.
    pub fn app_processes(&self) -> HarnessResult<Vec<u32>> {
        let found = self.app_binary_processes()?;
        let parent = |pid: u32| {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            status_field(&status, "PPid:").and_then(|p| u32::try_from(p).ok())
        };
        Ok(found
            .iter()
            .copied()
            .filter(|&pid| parent(pid).is_none_or(|p| !found.contains(&p)))
            .collect())
    }

    fn app_binary_processes(&self) -> HarnessResult<Vec<u32>> {
        let app = app_binary()?;
        let marker = format!("{DATA_DIR_ENV}={}", self.data_dir.path().display());
        let mut found = Vec::new();
        for pid in process_ids()? {
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok();
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            if exe.as_deref() == Some(app.as_path())
                && environ.split(|b| *b == 0).any(|v| v == marker.as_bytes())
            {
                found.push(pid);
            }
        }
        Ok(found)
    }

    /// Signs in as a person does: the first field to fill has the focus (the user name when the
    /// desk offers this server already, else the server, replaced when another is offered),
    /// Tab moves on, Enter submits.
    pub async fn sign_in(&self, server: &str, username: &str, password: &str) {
        let offered = self
            .by_test_id("sign-in-server")
            .await
            .expect("the sign-in screen")
            .prop("value")
            .await
            .expect("value")
            .unwrap_or_default();
        if offered == server {
            must(self.expect_focus("sign-in-username").await);
        } else {
            if !offered.is_empty() {
                self.click("sign-in-server").await;
            }
            must(self.expect_focus("sign-in-server").await);
            self.chord(Key::Control, "a").await;
            self.press(server).await;
            self.press(Key::Tab).await;
        }
        self.press(username).await;
        self.press(Key::Tab).await;
        self.press(password).await;
        self.press(Key::Enter).await;
    }

    /// Syncs from the queue and waits until the sync is done.
    ///
    /// A sync is long work, so it has [`SYNC_TIMEOUT`] rather than a page's time; one that fails
    /// is an error with the words the officer reads, one that never ends an error with the phase
    /// it stayed in (and a screenshot, `sync-still-running.png`).
    pub async fn sync(&self) -> HarnessResult<()> {
        // The syncs of this window that ended before this one: an earlier sync's "done" is not
        // this one's.
        let ended = || async {
            match self.by_test_id("sync-status").await {
                Ok(el) => {
                    let count = el.attr("data-ended").await.ok().flatten();
                    let state = el.attr("data-state").await.ok().flatten();
                    (
                        count.and_then(|c| c.parse::<u64>().ok()).unwrap_or(0),
                        state,
                    )
                }
                Err(_) => (0, None),
            }
        };
        let (before, _) = ended().await;
        self.click("queue-sync").await;
        let start = Instant::now();
        loop {
            let (count, shown) = ended().await;
            let state = shown.as_deref().filter(|_| count > before);
            match state {
                Some("done") => return Ok(()),
                Some("failed") => {
                    return Err(format!(
                        "the sync failed: {}",
                        self.text_of("sync-status").await
                    ));
                }
                _ if start.elapsed() > SYNC_TIMEOUT => {
                    let _ = self.screenshot("sync-still-running").await;
                    return Err(format!(
                        "the sync is still {shown:?} after {SYNC_TIMEOUT:?}: {}",
                        self.text_of("sync-status").await
                    ));
                }
                _ => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Syncs from the queue and waits until the sync is done and the queue shows a row.
    pub async fn sync_queue(&self) -> HarnessResult<()> {
        self.sync().await?;
        self.wait_for_attr("queue-row", "data-number", |n| !n.is_empty())
            .await?;
        Ok(())
    }

    /// Presses Enter on the queue, which opens the selected case; the queue list must have the
    /// focus, as it does whenever the queue shows. From the search, Enter first goes to its
    /// results, as it does for a person who has just searched.
    pub async fn open_selected_case(&self) {
        if self.focused().await == "queue-search" {
            self.press(Key::Enter).await;
        }
        must(self.expect_focus("queue-list").await);
        self.press(Key::Enter).await;
    }

    /// Finds case `number` as a person does, through the queue's search (clicked, typed), and
    /// opens it with Enter once it is the one row.
    pub async fn open_case_numbered(&self, number: &str) {
        self.type_into("queue-search", number).await;
        must(
            self.wait_for_attr("queue-total", "data-total", |t| t == "1")
                .await
                .map(drop),
        );
        must(
            self.wait_for_attr("queue-row", "data-number", |n| n == number)
                .await
                .map(drop),
        );
        self.open_selected_case().await;
    }

    /// Presses keys (text, or a [`Key`]) on whatever has the focus, one after another.
    pub async fn press(&self, keys: impl Into<TypingData>) {
        let keys: TypingData = keys.into();
        let count = keys.as_vec().len();
        self.driver
            .action_chain()
            .send_keys(keys)
            .perform()
            .await
            .expect("keys");
        self.keys.fetch_add(count, Ordering::SeqCst);
    }

    /// Presses `key` with `modifier` held (Ctrl+Enter) on whatever has the focus: one key.
    pub async fn chord(&self, modifier: Key, key: impl Into<TypingData>) {
        self.driver
            .action_chain()
            .key_down(modifier.value())
            .send_keys(key)
            .key_up(modifier.value())
            .perform()
            .await
            .expect("chord");
        self.keys.fetch_add(1, Ordering::SeqCst);
    }

    /// How many keys the harness has pressed so far.
    pub fn keys_pressed(&self) -> usize {
        self.keys.load(Ordering::SeqCst)
    }

    /// The `data-testid` of the element that has the focus (or its tag name, for one without).
    pub async fn focused(&self) -> String {
        self.driver
            .execute(
                "const el = document.activeElement;\
                 return el ? (el.dataset.testid || el.tagName.toLowerCase()) : 'none';",
                vec![],
            )
            .await
            .ok()
            .and_then(|r| r.convert::<String>().ok())
            .unwrap_or_default()
    }

    /// Waits until the focus is on, or inside, the element with `data-testid`.
    pub async fn expect_focus(&self, id: &str) -> HarnessResult<()> {
        let start = Instant::now();
        let script = format!(
            "const el = document.activeElement;\
             return !!el && !!el.closest(\"[data-testid='{id}']\");"
        );
        while start.elapsed() < PAGE_TIMEOUT {
            let inside = self.driver.execute(&script, vec![]).await;
            if inside.ok().and_then(|r| r.convert::<bool>().ok()) == Some(true) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = self.screenshot(&format!("focus-not-on-{id}")).await;
        Err(format!(
            "the focus is on {:?}, not in [data-testid={id}]",
            self.focused().await
        ))
    }

    /// On an open case: shows a PDF in pane 1 and a scan (JPEG, PNG or TIFF) in pane 2, and
    /// waits until both are painted.
    pub async fn show_pdf_beside_image(&self) -> HarnessResult<()> {
        use thirtyfour::components::SelectElement;
        for (pane, kinds) in [
            ("pane-1", [".pdf"].as_slice()),
            ("pane-2", &[".jpg", ".png", ".tif"]),
        ] {
            let select = self
                .by_test_id(&format!("{pane}-select"))
                .await
                .map_err(|e| e.to_string())?;
            let select = SelectElement::new(&select)
                .await
                .map_err(|e| e.to_string())?;
            let mut chosen = false;
            for ext in kinds {
                if select.select_by_partial_text(ext).await.is_ok() {
                    chosen = true;
                    break;
                }
            }
            if !chosen {
                return Err(format!("{pane}: the case has none of {kinds:?}"));
            }
        }
        for pane in ["pane-1", "pane-2"] {
            if let Err(e) = self
                .wait_for_attr(pane, "data-painted", |p| p == "yes")
                .await
            {
                let _ = self.screenshot("case-not-painted").await;
                let problem = match self.by_css(&format!("[data-testid='{pane}'] code")).await {
                    Ok(code) => code.prop("textContent").await.ok().flatten(),
                    Err(_) => None,
                };
                return Err(format!("{pane} was not painted: {e} ({problem:?})"));
            }
        }
        Ok(())
    }

    /// Signs a supervisor in at `server`, and from the queue goes by keyboard to the department
    /// screen's distribution rule (`d`, then `b`); returns the rule that has the focus.
    pub async fn sign_in_to_distribution_rule(
        &self,
        server: &str,
        username: &str,
        password: &str,
    ) -> HarnessResult<String> {
        self.sign_in(server, username, password).await;
        self.sync_queue().await?;
        self.expect_focus("queue-list").await?;
        self.press("d").await;
        self.wait_for_attr("distribution-officer", "data-officer", |o| !o.is_empty())
            .await?;
        self.press("b").await;
        self.wait_for_focus_on("distribution-rule-").await
    }

    /// Presses `key` and waits until the focus is exactly on the element with `data-testid` `id`.
    pub async fn press_to(&self, key: Key, id: &str) -> HarnessResult<()> {
        self.press(key).await;
        self.expect_focus_exactly(id).await
    }

    /// Waits until the focus is on an element whose `data-testid` starts with `prefix`; returns
    /// that `data-testid`.
    async fn wait_for_focus_on(&self, prefix: &str) -> HarnessResult<String> {
        let start = Instant::now();
        let mut focused = String::new();
        while start.elapsed() < PAGE_TIMEOUT {
            focused = self.focused().await;
            if focused.starts_with(prefix) {
                return Ok(focused);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("the focus is on {focused:?}, not on {prefix}…"))
    }

    /// The last `lines` lines the driver and the app wrote (for a failure's message).
    pub fn driver_log_tail(&self, lines: usize) -> String {
        let log = std::fs::read_to_string(&self.driver_log).unwrap_or_default();
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// The data folder the app was given.
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// Waits until the element with `data-testid` exists and returns it.
    pub async fn by_test_id(&self, id: &str) -> WebDriverResult<WebElement> {
        self.driver
            .query(By::Css(format!("[data-testid='{id}']")))
            .wait(PAGE_TIMEOUT, Duration::from_millis(50))
            .first()
            .await
    }

    /// Replaces a field's text the way a person does: click into it, select all, delete, type.
    pub async fn type_into(&self, id: &str, text: &str) {
        self.click(id).await;
        must(self.expect_focus(id).await);
        self.chord(Key::Control, "a").await;
        self.press(Key::Backspace).await;
        if !text.is_empty() {
            self.press(text).await;
        }
    }

    /// Clicks the element with `data-testid`, once it exists and holds still.
    pub async fn click(&self, id: &str) {
        let el = self.by_test_id(id).await.expect(id);
        self.aim(&el, "nearest").await;
        el.click().await.expect("click");
    }

    /// Clicks the element matching the CSS selector, once it exists, after scrolling it to the
    /// middle of the window (an element at the very edge can sit under a scroll bar), once it
    /// holds still.
    pub async fn click_css(&self, selector: &str) {
        let el = self.by_css(selector).await.expect(selector);
        self.aim(&el, "center").await;
        el.click().await.expect("click");
    }

    /// Brings the element into view and waits, as a person's eye does, until it stays where it
    /// is and nothing covers its middle: a screen whose panels are still loading moves what is
    /// below them, and a click aimed before the move lands on whatever slid under the pointer
    /// (on a screen that takes the focus itself, the click then focuses the screen). After
    /// [`AIM_TIMEOUT`] the click goes anyway, and the test sees what a person would.
    async fn aim(&self, el: &WebElement, block: &str) {
        let script = format!(
            "const el = arguments[0];\
             el.scrollIntoView({{ block: '{block}', inline: '{block}' }});\
             const r = el.getBoundingClientRect();\
             const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);\
             const clear = !!hit && (hit === el || el.contains(hit));\
             return [r.left, r.top, r.width, r.height, clear].join(' ');"
        );
        let arg = el.to_json().expect("element");
        let start = Instant::now();
        let mut last = String::new();
        while start.elapsed() < AIM_TIMEOUT {
            let Ok(seen) = self.driver.execute(&script, vec![arg.clone()]).await else {
                return;
            };
            let seen = seen.convert::<String>().unwrap_or_default();
            if seen == last && seen.ends_with("true") {
                return;
            }
            last = seen;
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    }

    /// Waits until an element matching the CSS selector exists and returns it.
    pub async fn by_css(&self, selector: &str) -> WebDriverResult<WebElement> {
        self.driver
            .query(By::Css(selector.to_owned()))
            .wait(PAGE_TIMEOUT, Duration::from_millis(50))
            .first()
            .await
    }

    /// The text of the element with `data-testid` as it is now, or "" when there is none
    /// (without waiting for one to appear).
    pub async fn text_of(&self, id: &str) -> String {
        let found = self
            .driver
            .find_all(By::Css(format!("[data-testid='{id}']")))
            .await
            .unwrap_or_default();
        match found.first() {
            Some(e) => e.text().await.unwrap_or_default(),
            None => String::new(),
        }
    }

    /// Waits until the focus is exactly on the element with `data-testid` (not inside it).
    pub async fn expect_focus_exactly(&self, id: &str) -> HarnessResult<()> {
        let start = Instant::now();
        let mut focused = String::new();
        while start.elapsed() < PAGE_TIMEOUT {
            focused = self.focused().await;
            if focused == id {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("the focus is on {focused:?}, not on {id}"))
    }

    /// Waits until the element with `data-testid` shows exactly `expected`.
    pub async fn wait_for_text(&self, id: &str, expected: &str) -> HarnessResult<()> {
        let start = Instant::now();
        let mut last = String::new();
        while start.elapsed() < PAGE_TIMEOUT {
            if let Ok(el) = self.by_test_id(id).await {
                last = el.text().await.unwrap_or_default();
                if last == expected {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!(
            "[data-testid={id}] shows {last:?}, expected {expected:?}"
        ))
    }

    /// Waits until `attr` of `[data-testid=id]` satisfies `check`; returns the value.
    pub async fn wait_for_attr(
        &self,
        id: &str,
        attr: &str,
        check: impl Fn(&str) -> bool,
    ) -> HarnessResult<String> {
        self.wait_for_css_attr(&format!("[data-testid='{id}']"), attr, check)
            .await
    }

    /// Waits until `attr` of the first element matching the CSS selector satisfies `check`;
    /// returns the value. On failure the error carries the element's text as it was last seen
    /// (an error notice inside it says why).
    pub async fn wait_for_css_attr(
        &self,
        selector: &str,
        attr: &str,
        check: impl Fn(&str) -> bool,
    ) -> HarnessResult<String> {
        let start = Instant::now();
        let (mut last, mut text) = (None, String::new());
        while start.elapsed() < PAGE_TIMEOUT {
            if let Ok(el) = self.by_css(selector).await {
                last = el.attr(attr).await.ok().flatten();
                if let Some(v) = last.as_deref().filter(|v| check(v)) {
                    return Ok(v.to_owned());
                }
                text = el.text().await.unwrap_or_default();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("{selector} {attr} is {last:?}; it shows {text:?}"))
    }

    /// Saves a screenshot of the window as `target/e2e-artifacts/NAME.png`, after the page has
    /// painted (screenshots can lag a frame behind the DOM).
    ///
    /// On the harness's own display, the window as the X server shows it: what a person sees.
    /// WebKit's own snapshot (WebDriver's) waits for a frame it is told about, and drawing
    /// without compositing (the desk's choice on a machine without a GPU) it waited forever, now
    /// and then, on a page with nothing left to draw.
    pub async fn screenshot(&self, name: &str) -> HarnessResult<PathBuf> {
        self.driver
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 requestAnimationFrame(() => requestAnimationFrame(() => done()));",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        let path = artifacts_dir().join(format!("{name}.png"));
        match &self.xvfb {
            Some(xvfb) => {
                let rect = self
                    .driver
                    .get_window_rect()
                    .await
                    .map_err(|e| e.to_string())?;
                let window = [rect.x, rect.y, rect.width, rect.height].map(|v| v.max(0) as u32);
                xvfb.capture(window, &path)?;
            }
            None => self
                .driver
                .screenshot(&path)
                .await
                .map_err(|e| e.to_string())?,
        }
        Ok(path)
    }

    /// Ends the session and stops everything that was started for it.
    pub async fn close(mut self) {
        let _ = self.driver.clone().quit().await;
        terminate(&mut self.tauri_driver);
    }
}

impl Drop for AppWindow {
    fn drop(&mut self) {
        // After `close` this finds the driver already gone; after a failed test it cleans up.
        terminate(&mut self.tauri_driver);
    }
}

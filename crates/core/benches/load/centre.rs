//! The centre under load, as it is deployed: `migdesk-central serve` processes (the release
//! binary beside this benchmark) on one database, and for two instances a local nginx balancing
//! between them. Everything started here is stopped when the [`Centre`] is dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use migdesk_central::database::Database;

/// The running centre: its address, and the processes behind it.
pub struct Centre {
    pub base: String,
    processes: Vec<Child>,
}

impl Drop for Centre {
    fn drop(&mut self) {
        for child in &mut self.processes {
            // nginx and the centre both stop cleanly on SIGTERM.
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The release `migdesk-central` (`MIGDESK_CENTRAL`, or beside this benchmark's binary).
fn central_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("MIGDESK_CENTRAL") {
        return path.into();
    }
    let exe = std::env::current_exe().expect("this benchmark's path");
    // target/release/deps/load-… → target/release/migdesk-central
    let release = exe.parent().and_then(Path::parent).expect("target folder");
    release.join("migdesk-central")
}

fn wait_for(port: u16, what: &str, log: &Path, child: &mut Child) {
    for _ in 0..600 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} stopped ({status}); see {}", log.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen in 30 s; see {}", log.display());
}

/// One `migdesk-central serve` on `database`, on a free port.
fn serve(database: &Database, dir: &Path, n: usize) -> (Child, u16) {
    let port = free_port();
    let log = dir.join(format!("serve-{n}.log"));
    let mut command = Command::new(central_binary());
    command.arg("serve");
    match database {
        Database::Sqlite(path) => command.arg("--db").arg(path),
        Database::Postgres(url) => command.args(["--database", url]),
    };
    // The portal's limits are for one applicant portal's misbehaviour; here the intake is the
    // load itself.
    command.args([
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--portal-per-address",
        "1000000",
        "--portal-per-credential",
        "1000000",
    ]);
    let out = std::fs::File::create(&log).expect("log file");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("log file"))
        .stderr(out)
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (scripts/bench.sh load builds it)",
                central_binary().display()
            )
        });
    wait_for(port, "migdesk-central serve", &log, &mut child);
    (child, port)
}

/// nginx in front of `ports`, as a department's load balancer would be: keep-alive to the
/// instances, requests and answers streamed through.
fn nginx(ports: &[u16], dir: &Path) -> (Child, u16) {
    let port = free_port();
    let work = dir.join("nginx");
    std::fs::create_dir_all(&work).expect("nginx folder");
    let servers: String = ports
        .iter()
        .map(|p| format!("server 127.0.0.1:{p}; "))
        .collect();
    let conf = work.join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "user root;\nworker_processes 1;\ndaemon off;\npid {work}/nginx.pid;\nerror_log {work}/error.log;\n\
             events {{ worker_connections 8192; }}\n\
             http {{ access_log off; keepalive_requests 100000; client_max_body_size 64m;\n\
               client_body_temp_path {work}; proxy_temp_path {work}; fastcgi_temp_path {work}; uwsgi_temp_path {work}; scgi_temp_path {work};\n\
               upstream centre {{ {servers}keepalive 64; }}\n\
               server {{ listen 127.0.0.1:{port};\n\
                 location / {{ proxy_pass http://centre; proxy_http_version 1.1; proxy_set_header Connection \"\";\n\
                   proxy_set_header Host $host; proxy_buffering off; proxy_request_buffering off; }} }} }}\n",
            work = work.display(),
        ),
    )
    .expect("nginx.conf");
    let log = work.join("error.log");
    let mut child = Command::new("nginx")
        .args(["-c", conf.to_str().expect("utf-8 path")])
        .args(["-p", work.to_str().expect("utf-8 path")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx is installed by scripts/bench.sh");
    wait_for(port, "nginx", &log, &mut child);
    (child, port)
}

/// `instances` centres on `database`; more than one behind nginx.
pub fn start(database: &Database, instances: usize, dir: &Path) -> Centre {
    // Held from the first process on, so that whatever started is stopped if the next fails.
    let mut centre = Centre {
        base: String::new(),
        processes: Vec::new(),
    };
    let mut ports = Vec::new();
    for n in 0..instances {
        let (child, port) = serve(database, dir, n);
        centre.processes.push(child);
        ports.push(port);
    }
    let port = if instances > 1 {
        let (child, port) = nginx(&ports, dir);
        // Stopped first: the balancer before what it balances.
        centre.processes.insert(0, child);
        port
    } else {
        ports[0]
    };
    centre.base = format!("http://127.0.0.1:{port}");
    centre
}

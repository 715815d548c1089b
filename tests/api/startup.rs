//! The binary as an operator runs it: from any folder, with or without a `config/` folder,
//! stopped by SIGINT or SIGTERM; and the CLI's messages.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use serde_json::Value;

/// A fresh, empty folder outside the repository (removed when dropped).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("dermadesk-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `dermadesk` started in `dir` with only the given variables of ours (nothing inherited from
/// the test's environment: `APP_*`, `RUST_LOG`, `DERMADESK_*` are removed).
fn command(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dermadesk"));
    cmd.args(args).current_dir(dir);
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy();
        if k.starts_with("APP_") || k.starts_with("DERMADESK_") || k == "RUST_LOG" {
            cmd.env_remove(&key);
        }
    }
    cmd.envs(env.iter().copied());
    cmd
}

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    command(dir, args, env).output().expect("run dermadesk")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A running server; killed if a test fails before it stops it.
struct Server {
    child: Child,
    lines: mpsc::Receiver<Value>,
    seen: Vec<Value>,
}

impl Server {
    /// Starts `dermadesk` (JSON logs) and waits until it logs its bound address.
    fn start(dir: &Path, env: &[(&str, &str)]) -> (Self, String) {
        let mut all = vec![("APP__LOG__FORMAT", "json"), ("APP__SERVER__PORT", "0")];
        all.extend_from_slice(env);
        let mut child = command(dir, &[], &all)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start dermadesk");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    let _ = tx.send(v);
                }
            }
        });
        let mut server = Self {
            child,
            lines,
            seen: Vec::new(),
        };
        let listening = server.wait_for(|v| v["message"] == "listening");
        let addr = listening["address"].as_str().unwrap().to_owned();
        (server, addr)
    }

    /// The first log line (JSON) that `want` accepts, within 60 s.
    fn wait_for(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        if let Some(v) = self.seen.iter().find(|v| want(v)) {
            return v.clone();
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(v) => {
                    self.seen.push(v.clone());
                    if want(&v) {
                        return v;
                    }
                }
                Err(_) => break,
            }
        }
        let mut err = String::new();
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        panic!("log line not seen; logged {:#?}; stderr {err}", self.seen);
    }

    /// Sends a signal and waits for the process to exit.
    fn stop(&mut self, signal: &str) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .expect("kill");
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Everything logged until the exit.
                while let Ok(v) = self.lines.recv_timeout(Duration::from_secs(1)) {
                    self.seen.push(v);
                }
                return status;
            }
            assert!(Instant::now() < deadline, "no exit after {signal}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A plain HTTP/1.1 GET; the status code and body.
fn get(addr: &str, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    s.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n")?.1.to_owned();
    Some((status, body))
}

fn wait_ready(addr: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some((200, body)) = get(addr, "/readyz") {
            return body;
        }
        assert!(Instant::now() < deadline, "/readyz never answered 200");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_binary_serves_readyz_from_an_empty_folder_on_sqlite() {
    let dir = TempDir::new();
    assert!(!dir.0.join("config").exists());
    // No configuration at all but the port: the built-in default is a SQLite file under
    // ./data, here inside the empty folder.
    let (mut server, addr) = Server::start(&dir.0, &[]);
    let body = wait_ready(&addr);
    assert!(body.contains("ready"), "{body}");
    assert!(dir.0.join("data/dermadesk.db").exists());
    // A first start says how to get in.
    let hint = server.wait_for(|v| {
        v["level"] == "WARN" && v["message"].as_str().unwrap_or("").contains("create-staff")
    });
    let hint = hint["message"].as_str().unwrap();
    assert!(
        hint.contains("dermadesk create-staff") && hint.contains("APP__BOOTSTRAP__ADMIN_EMAIL"),
        "{hint}"
    );
    let status = server.stop("TERM");
    assert!(status.success(), "{status:?}");
    server.wait_for(|v| v["signal"] == "SIGTERM");
}

#[test]
fn sigint_stops_gracefully_and_a_bootstrapped_clinic_gets_no_hint() {
    let dir = TempDir::new();
    let url = format!("sqlite://{}?mode=rwc", dir.0.join("clinic.db").display());
    let (mut server, addr) = Server::start(
        &dir.0,
        &[
            ("APP__DATABASE__URL", &url),
            ("APP__BOOTSTRAP__ADMIN_EMAIL", "admin@clinic.example"),
            ("APP__BOOTSTRAP__ADMIN_PASSWORD", "admin-password-123"),
        ],
    );
    wait_ready(&addr);
    let status = server.stop("INT");
    assert!(status.success(), "SIGINT is a graceful stop: {status:?}");
    let stopping = server.wait_for(|v| v["signal"] == "SIGINT");
    assert!(stopping["message"].as_str().unwrap().contains("gracefully"));
    assert!(
        !server
            .seen
            .iter()
            .any(|v| v["message"].as_str().unwrap_or("").contains("create-staff")),
        "no hint once a staff user exists"
    );
}

#[test]
fn a_config_folder_overrides_defaults_by_flag_variable_and_app_env() {
    let dir = TempDir::new();
    let conf = dir.0.join("clinic-conf");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(
        conf.join("default.toml"),
        "[clinic]\nname = \"Haut & Nadel\"\n",
    )
    .unwrap();
    std::fs::write(conf.join("staging.toml"), "[server]\nport = 9123\n").unwrap();
    let conf = conf.to_str().unwrap();

    let by_flag = run(&dir.0, &["--config", conf, "check-config"], &[]);
    assert!(by_flag.status.success(), "{}", text(&by_flag.stderr));
    let out = text(&by_flag.stdout);
    assert!(out.contains("name = \"Haut & Nadel\""), "{out}");
    assert!(out.contains("port = 8080"), "{out}");

    let by_var = run(
        &dir.0,
        &["check-config"],
        &[("APP_CONFIG_DIR", conf), ("APP_ENV", "staging")],
    );
    let out = text(&by_var.stdout);
    assert!(out.contains("name = \"Haut & Nadel\""), "{out}");
    assert!(out.contains("port = 9123"), "{out}");

    // Variables win over every file.
    let by_env = run(
        &dir.0,
        &["check-config", "--config", conf],
        &[("APP__CLINIC__NAME", "Env Clinic")],
    );
    assert!(text(&by_env.stdout).contains("name = \"Env Clinic\""));

    let missing = run(&dir.0, &["--config", "no-such-folder", "check-config"], &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("no-such-folder"));
}

#[test]
fn check_config_prints_toml_that_loads_back() {
    let dir = TempDir::new();
    let first = run(
        &dir.0,
        &["check-config"],
        &[
            (
                "APP__DATABASE__URL",
                "postgres://clinic:pg-secret-1@db/dermadesk",
            ),
            ("APP__REMINDERS__PREP_BEFORE", "4320m"),
        ],
    );
    assert!(first.status.success(), "{}", text(&first.stderr));
    let printed = text(&first.stdout);
    assert!(!printed.contains("pg-secret-1"), "{printed}");
    assert!(!printed.contains("15552000"), "no Debug dump: {printed}");
    for line in [
        "url = \"postgres://clinic:[redacted]@db/dermadesk\"",
        "horizon = \"180d\"",
        "prep_before = \"72h\"",
        "quiet_hours = \"21:00-08:00\"",
    ] {
        assert!(printed.contains(line), "missing {line} in\n{printed}");
    }
    // Fed back as the only file, it gives the same settings.
    let conf = dir.0.join("printed");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(conf.join("default.toml"), &printed).unwrap();
    let second = run(
        &dir.0,
        &["check-config", "--config", conf.to_str().unwrap()],
        &[],
    );
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert_eq!(text(&second.stdout), printed);
}

#[test]
fn create_staff_names_the_password_rule_and_test_email_names_its_file() {
    let dir = TempDir::new();
    let short = run(
        &dir.0,
        &[
            "create-staff",
            "--email",
            "a@clinic.example",
            "--role",
            "admin",
        ],
        &[("DERMADESK_PASSWORD", "short")],
    );
    assert_eq!(short.status.code(), Some(1));
    let err = text(&short.stderr);
    assert!(
        err.contains("password") && err.contains("at least 10 characters"),
        "{err}"
    );

    let sent = run(&dir.0, &["send-test-email", "--to", "ops@example.com"], &[]);
    assert!(sent.status.success(), "{}", text(&sent.stderr));
    let out = text(&sent.stdout);
    let path = out
        .split_whitespace()
        .find(|w| w.ends_with(".eml"))
        .unwrap_or_else(|| panic!("no .eml path in {out}"));
    let mail = std::fs::read_to_string(path).unwrap();
    assert!(mail.contains("ops@example.com"), "{mail}");
    assert!(Path::new(path).starts_with(&dir.0), "{path}");
}

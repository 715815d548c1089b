//! The pieces every scenario uses: the server as a child process, a closed-loop load
//! generator, an SMTP sink, PostgreSQL databases, percentiles.

use std::{
    collections::HashMap,
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use mailin_embedded::{Handler, Server, response};
use sea_orm::{ConnectionTrait, Database};

pub const PG: &str = "postgres://postgres@127.0.0.1:5432";

/// The repository root (the server reads `config/` from there).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18_000)
}

/// A throw-away PostgreSQL database, dropped by `drop_db`.
pub async fn create_db(tag: &str) -> anyhow::Result<String> {
    let name = format!("dermadesk_bench_{tag}_{}", std::process::id());
    let admin = Database::connect(format!("{PG}/postgres"))
        .await
        .context("PostgreSQL at 127.0.0.1:5432")?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await?;
    Ok(name)
}

pub async fn drop_db(name: &str) {
    if let Ok(admin) = Database::connect(format!("{PG}/postgres")).await {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
    }
}

/// The dermadesk server as a child process (load comes from this process, over loopback).
pub struct ServerProc {
    child: Child,
    pub base: String,
    env: Vec<(String, String)>,
    port: u16,
}

pub fn base_env(db_url: &str, smtp_port: u16) -> Vec<(String, String)> {
    let pool = std::env::var("BENCH_POOL").unwrap_or_else(|_| "16".to_owned());
    [
        ("APP_ENV", "bench"),
        ("APP__DATABASE__URL", db_url),
        ("APP__DATABASE__MAX_CONNECTIONS", pool.as_str()),
        ("APP__RATE_LIMIT__PUBLIC_PER_MINUTE", "0"),
        ("APP__RATE_LIMIT__LOGIN_PER_MINUTE", "0"),
        ("APP__LOG__LEVEL", "warn"),
        ("APP__BOOTSTRAP__ADMIN_EMAIL", "admin@clinic.example"),
        ("APP__BOOTSTRAP__ADMIN_PASSWORD", "bench-admin-password"),
        ("APP__MAIL__TRANSPORT", "smtp"),
        ("APP__MAIL__SMTP_HOST", "127.0.0.1"),
        ("APP__MAIL__SMTP_PORT", &smtp_port.to_string()),
        ("APP__MAIL__SEND_TIMEOUT", "5s"),
        ("APP__REMINDERS__QUIET_HOURS", ""),
        ("APP__REMINDERS__ENABLED", "false"),
        ("APP__BOOKING__HORIZON", "400d"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

impl ServerProc {
    /// Starts `target/release/dermadesk` with `env` and waits until `/readyz` answers.
    pub async fn start(env: Vec<(String, String)>) -> anyhow::Result<Self> {
        Self::start_on(env, free_port()).await
    }

    pub async fn start_on(env: Vec<(String, String)>, port: u16) -> anyhow::Result<Self> {
        let bin = root().join("target/release/dermadesk");
        let logs = root().join("target/bench-logs");
        std::fs::create_dir_all(&logs)?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(logs.join("server.log"))?;
        let child = Command::new(&bin)
            .arg("serve")
            .current_dir(root())
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("APP__SERVER__PORT", port.to_string())
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .spawn()
            .with_context(|| {
                format!(
                    "starting {} (run bench/run, which builds it)",
                    bin.display()
                )
            })?;
        let base = format!("http://127.0.0.1:{port}");
        let s = Self {
            child,
            base,
            env,
            port,
        };
        s.wait_ready(Duration::from_secs(60)).await?;
        Ok(s)
    }

    async fn wait_ready(&self, timeout: Duration) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let end = Instant::now() + timeout;
        while Instant::now() < end {
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await
                && r.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("server did not become ready; see target/bench-logs/server.log")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident set size in KiB.
    pub fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
            })
            .unwrap_or(0)
    }

    /// SIGKILL: no shutdown at all (the crash test).
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM and wait.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status();
        let _ = self.child.wait();
    }

    /// Starts again on the same port with the same environment.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        *self = Self::start_on(self.env.clone(), self.port).await?;
        Ok(())
    }
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Latency and outcome figures of one load phase.
#[derive(Default)]
pub struct Stats {
    pub latencies: Vec<Duration>,
    pub ok: usize,
    pub statuses: HashMap<u16, usize>,
    pub elapsed: Duration,
}

impl Stats {
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn pct(&self, p: f64) -> Duration {
        percentile(&self.latencies, p)
    }

    pub fn server_errors(&self) -> usize {
        self.statuses
            .iter()
            .filter(|(s, _)| **s >= 500)
            .map(|(_, n)| n)
            .sum()
    }
}

pub fn percentile(values: &[Duration], p: f64) -> Duration {
    if values.is_empty() {
        return Duration::ZERO;
    }
    let mut v = values.to_vec();
    v.sort();
    let idx = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
    v[idx.min(v.len() - 1)]
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Runs `workers` loops for `duration`; each call returns the HTTP status it ended with
/// (201/200 count as ok) and is timed.
pub async fn closed_loop<F, Fut>(workers: usize, duration: Duration, f: F) -> Stats
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = u16> + Send,
{
    let f = Arc::new(f);
    let started = Instant::now();
    let end = started + duration;
    let mut handles = Vec::new();
    for w in 0..workers {
        let f = f.clone();
        handles.push(tokio::spawn(async move {
            let mut s = Stats::default();
            let mut i = 0u64;
            while Instant::now() < end {
                let t = Instant::now();
                let status = f(w, i).await;
                s.latencies.push(t.elapsed());
                *s.statuses.entry(status).or_default() += 1;
                if status == 200 || status == 201 {
                    s.ok += 1;
                }
                i += 1;
            }
            s
        }));
    }
    let mut total = Stats::default();
    for h in handles {
        if let Ok(s) = h.await {
            total.latencies.extend(s.latencies);
            total.ok += s.ok;
            for (k, v) in s.statuses {
                *total.statuses.entry(k).or_default() += v;
            }
        }
    }
    total.elapsed = started.elapsed();
    total
}

/// Sends requests at a fixed `rate` per second for `duration`, whatever the answers' speed (an
/// open loop, like wrk2 or `oha -q`): no request waits for an earlier answer, so a slow answer
/// cannot hide the queue behind it. Each latency counts from the moment the request is sent
/// (tokio's timer wakes in whole milliseconds, so counting from the scheduled instant would add
/// the generator's own lag). This is the latency a client sees at that load, where
/// [`closed_loop`] measures the most the server can do.
pub async fn open_loop<F, Fut>(rate: u32, duration: Duration, f: F) -> Stats
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = u16> + Send + 'static,
{
    let f = Arc::new(f);
    let started = tokio::time::Instant::now();
    let period = Duration::from_secs(1) / rate.max(1);
    let total = u64::from(rate) * duration.as_secs();
    let mut handles = Vec::with_capacity(total as usize);
    for i in 0..total {
        let due = started + period * i as u32;
        tokio::time::sleep_until(due).await;
        let f = f.clone();
        handles.push(tokio::spawn(async move {
            let sent = Instant::now();
            let status = f(i).await;
            (status, sent.elapsed())
        }));
    }
    let mut stats = Stats::default();
    for h in handles {
        if let Ok((status, latency)) = h.await {
            stats.latencies.push(latency);
            *stats.statuses.entry(status).or_default() += 1;
            if status == 200 || status == 201 {
                stats.ok += 1;
            }
        }
    }
    stats.elapsed = started.elapsed();
    stats
}

/// One received email: its Message-ID and when it arrived.
#[derive(Clone)]
pub struct Arrival {
    pub message_id: String,
    pub at: jiff::Timestamp,
}

/// An SMTP sink on a free port, recording Message-IDs.
#[derive(Clone)]
pub struct Sink {
    pub port: u16,
    arrivals: Arc<Mutex<Vec<Arrival>>>,
}

#[derive(Clone)]
struct Conn {
    arrivals: Arc<Mutex<Vec<Arrival>>>,
    data: Vec<u8>,
}

impl Handler for Conn {
    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        _to: &[String],
    ) -> response::Response {
        self.data.clear();
        response::START_DATA
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> response::Response {
        let text = String::from_utf8_lossy(&self.data);
        let id = text
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
            .map(|l| l[11..].trim().to_owned())
            .unwrap_or_default();
        if let Ok(mut a) = self.arrivals.lock() {
            a.push(Arrival {
                message_id: id,
                at: jiff::Timestamp::now(),
            });
        }
        response::OK
    }
}

impl Sink {
    #[expect(
        clippy::expect_used,
        reason = "a benchmark harness stops on a broken setup"
    )]
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind sink");
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let conn = Conn {
            arrivals: arrivals.clone(),
            data: Vec::new(),
        };
        std::thread::spawn(move || {
            let mut server = Server::new(conn);
            server
                .with_name("bench.sink")
                .with_num_threads(64)
                .with_tcp_listener(listener);
            let _ = server.serve();
        });
        Self { port, arrivals }
    }

    pub fn arrivals(&self) -> Vec<Arrival> {
        self.arrivals.lock().map(|a| a.clone()).unwrap_or_default()
    }

    pub fn count(&self) -> usize {
        self.arrivals.lock().map(|a| a.len()).unwrap_or(0)
    }

    pub fn clear(&self) {
        if let Ok(mut a) = self.arrivals.lock() {
            a.clear();
        }
    }
}

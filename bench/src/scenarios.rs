//! The measured scenarios.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use dermadesk::{config::DatabaseSettings, store};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use uuid::Uuid;

use crate::{
    api::{Api, SlotPlan},
    harness::{
        PG, ServerProc, Sink, Stats, base_env, closed_loop, create_db, drop_db, ms, open_loop,
        percentile,
    },
};

const WORKERS: usize = 16;
const PHASE: Duration = Duration::from_secs(10);

fn line(name: &str, value: String) {
    println!("  {name:<44} {value}");
}

fn report(name: &str, s: &Stats) {
    line(
        name,
        format!(
            "{:>8.0}/s  p50 {:>9}  p99 {:>9}  n={} 5xx={} statuses={:?}",
            s.rate(),
            ms(s.pct(50.0)),
            ms(s.pct(99.0)),
            s.latencies.len(),
            s.server_errors(),
            sorted(&s.statuses)
        ),
    );
}

fn sorted(m: &HashMap<u16, usize>) -> Vec<(u16, usize)> {
    let mut v: Vec<_> = m.iter().map(|(k, v)| (*k, *v)).collect();
    v.sort();
    v
}

async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let settings = DatabaseSettings {
        url: url.to_owned().into(),
        migrate_on_start: false,
        max_connections: 4,
        acquire_timeout: Duration::from_secs(10),
    };
    store::connect(&settings).await
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let backend = db.get_database_backend();
    match db
        .query_one_raw(Statement::from_string(backend, sql.to_owned()))
        .await
    {
        Ok(Some(row)) => row.try_get::<i64>("", "n").unwrap_or(-1),
        _ => -1,
    }
}

/// A minimal actix-web server: the ceiling of this machine for an HTTP route.
pub fn bare_server(port: u16) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        actix_web::HttpServer::new(|| {
            actix_web::App::new().route(
                "/healthz",
                actix_web::web::get().to(|| async {
                    actix_web::HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
                }),
            )
        })
        .bind(("127.0.0.1", port))?
        .run()
        .await
    })?;
    Ok(())
}

/// The bare actix route's rate, the same way every other route is loaded.
async fn ceiling_http() -> anyhow::Result<Stats> {
    let port = crate::harness::free_port();
    let exe = std::env::current_exe()?;
    let mut child = std::process::Command::new(exe)
        .arg("bare-server")
        .arg(port.to_string())
        .spawn()?;
    let api = Api::new(&format!("http://127.0.0.1:{port}"));
    for _ in 0..100 {
        if api.get_status("/healthz", None).await == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let a = api.clone();
    let s = closed_loop(WORKERS, Duration::from_secs(5), move |_, _| {
        let a = a.clone();
        async move { a.get_status("/healthz", None).await }
    })
    .await;
    let _ = child.kill();
    let _ = child.wait();
    Ok(s)
}

/// PostgreSQL's commit rate for a transaction like a booking's (three inserts), by pgbench.
async fn ceiling_pg(db_name: &str) -> anyhow::Result<f64> {
    let db = connect(&format!("{PG}/{db_name}")).await?;
    db.execute_unprepared(
        "CREATE TABLE IF NOT EXISTS bench_commit (id BIGSERIAL PRIMARY KEY, k UUID NOT NULL, v BIGINT NOT NULL)",
    )
    .await?;
    let script = std::env::temp_dir().join("dermadesk-bench.sql");
    std::fs::write(
        &script,
        "\\set v random(1, 1000000000)\nBEGIN;\nINSERT INTO bench_commit (k, v) VALUES (gen_random_uuid(), :v);\n\
         INSERT INTO bench_commit (k, v) VALUES (gen_random_uuid(), :v);\n\
         INSERT INTO bench_commit (k, v) VALUES (gen_random_uuid(), :v);\nCOMMIT;\n",
    )?;
    let out = std::process::Command::new("pgbench")
        .args(["-n", "-c", "16", "-j", "2", "-T", "5", "-f"])
        .arg(&script)
        .arg(format!("{PG}/{db_name}"))
        .output()
        .context("pgbench (Debian package postgresql-client / postgresql)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let tps = text
        .lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    Ok(tps)
}

/// Full client bookings (screening + booking) on distinct slots for `PHASE`, measuring RSS.
async fn booking_phase(
    server: &ServerProc,
    plan: Arc<SlotPlan>,
    next: Arc<AtomicU64>,
) -> (Stats, u64) {
    let api = Api::new(&server.base);
    let peak = Arc::new(AtomicU64::new(0));
    let pid = server.pid();
    let sampling = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
                    .ok()
                    .and_then(|s| {
                        s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| {
                            l.split_whitespace()
                                .nth(1)
                                .and_then(|n| n.parse::<u64>().ok())
                        })
                    })
                    .unwrap_or(0);
                peak.fetch_max(rss, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let stats = closed_loop(WORKERS, PHASE, move |_, _| {
        let api = api.clone();
        let plan = plan.clone();
        let k = next.fetch_add(1, Ordering::Relaxed);
        async move {
            let (status, id) = api.screen(&format!("client{k}@example.com")).await;
            let Some(id) = id else { return status };
            let (start, p) = plan.slot(k);
            api.book(&id, &start, &p).await.0
        }
    })
    .await;
    sampling.abort();
    (stats, peak.load(Ordering::Relaxed))
}

async fn get_loop(api: &Api, path: String) -> Stats {
    let a = api.clone();
    closed_loop(WORKERS, Duration::from_secs(5), move |_, _| {
        let a = a.clone();
        let path = path.clone();
        async move { a.get_status(&path, None).await }
    })
    .await
}

/// Books (unmeasured) until `target` appointments exist.
async fn top_up(api: &Api, plan: &SlotPlan, next: &AtomicU64, target: u64, have: u64) {
    let mut have = have;
    while have < target {
        let batch: Vec<_> = (0..64)
            .map(|_| next.fetch_add(1, Ordering::Relaxed))
            .collect();
        let results = futures_util::future::join_all(batch.into_iter().map(|k| async move {
            let (_, id) = api.screen(&format!("seed{k}@example.com")).await;
            match id {
                Some(id) => {
                    let (start, p) = plan.slot(k);
                    api.book(&id, &start, &p).await.0
                }
                None => 599,
            }
        }))
        .await;
        have += results.iter().filter(|s| **s == 201).count() as u64;
    }
}

/// Only the full-booking phase on PostgreSQL (quick experiments, e.g. with BENCH_POOL).
pub async fn booking_only() -> anyhow::Result<()> {
    let db_name = create_db("booking").await?;
    let url = format!("{PG}/{db_name}");
    let sink = Sink::start();
    let result = async {
        let server = ServerProc::start(base_env(&url, sink.port)).await?;
        let api = Api::new(&server.base);
        let practitioners = api.practitioners(5).await?;
        let plan = Arc::new(SlotPlan::new(practitioners, 2, 300));
        let (booking, _) = booking_phase(&server, plan, Arc::new(AtomicU64::new(0))).await;
        report("full booking (screening + booking), 16 clients", &booking);
        if let Ok(text) = reqwest::get(format!("{}/metrics", server.base))
            .await?
            .text()
            .await
        {
            for l in text.lines().filter(|l| {
                (l.contains("duration_seconds_sum") || l.contains("duration_seconds_count"))
                    && (l.contains("screenings") || l.contains("bookings\""))
            }) {
                println!("  {l}");
            }
        }
        server.stop();
        anyhow::Ok(())
    }
    .await;
    drop_db(&db_name).await;
    result
}

/// The rate at which availability's latency is measured (the target).
const AVAILABILITY_RATE: u32 = 3_000;

/// Tops the calendar up to 5,000 appointments, books a realistic stretch (8 visits per
/// practitioner-day, so a day holds both appointments and free starts), then measures
/// availability for one practitioner-day and for one week across 5 practitioners there, cached
/// and uncached (the latter on a second instance with the cache off): the most it can serve
/// (16 clients, closed loop) and its latency at 3,000 requests/s (open loop).
async fn availability_phase(
    api: &Api,
    url: &str,
    smtp_port: u16,
    plan: &SlotPlan,
    next: &AtomicU64,
    practitioners: &[String],
    db: &DatabaseConnection,
) -> anyhow::Result<()> {
    let have = count(db, "SELECT COUNT(*) AS n FROM appointments")
        .await
        .max(0) as u64;
    top_up(api, plan, next, 5_000, have).await;
    // Far beyond the dense plan's days: 7 days x 5 practitioners x 8 visits.
    let spaced = SlotPlan::spaced(practitioners.to_vec(), 250, 7, 180);
    top_up(api, &spaced, &AtomicU64::new(0), spaced.capacity(), 0).await;
    let total = count(db, "SELECT COUNT(*) AS n FROM appointments").await;
    line("existing appointments for availability", total.to_string());

    let day = spaced.first_day();
    let week_end = day.checked_add(jiff::Span::new().days(6))?;
    let p0 = practitioners[0].clone();
    let one_day = format!(
        "/api/v1/availability?service=microneedling&from={day}&to={day}&practitioner_id={p0}"
    );
    let week = format!("/api/v1/availability?service=microneedling&from={day}&to={week_end}");
    for (name, path) in [("practitioner-day", &one_day), ("week x 5", &week)] {
        let (slots, bytes) = api.slots(path).await?;
        line(
            &format!("availability answer, {name}"),
            format!("{slots} slots, {bytes} bytes"),
        );
    }
    let mut env = base_env(url, smtp_port);
    env.push(("APP__BOOKING__AVAILABILITY_CACHE".into(), "0s".into()));
    env.push(("APP__DATABASE__MIGRATE_ON_START".into(), "false".into()));
    let uncached = ServerProc::start(env).await?;
    let uapi = Api::new(&uncached.base);
    for (label, a) in [("cached", api), ("uncached", &uapi)] {
        for (name, path) in [
            ("one practitioner-day", &one_day),
            ("one week x 5 practitioners", &week),
        ] {
            let most = get_loop(a, path.clone()).await;
            report(&format!("availability, {name} ({label})"), &most);
            // The target rate; and where the most it can serve is below it, the latency at
            // 80 % of that most (a load it sustains), so the figure is not only a queue.
            let mut rates = vec![AVAILABILITY_RATE];
            if most.rate() < f64::from(AVAILABILITY_RATE) {
                rates.push(((most.rate() * 0.8 / 100.0) as u32).max(1) * 100);
            }
            for rate in rates {
                let at_rate = {
                    let (a, path) = (a.clone(), path.clone());
                    open_loop(rate, Duration::from_secs(5), move |_| {
                        let (a, path) = (a.clone(), path.clone());
                        async move { a.get_status(&path, None).await }
                    })
                    .await
                };
                report(&format!("  at {rate}/s, {name} ({label})"), &at_rate);
            }
        }
    }
    uncached.stop();
    Ok(())
}

/// Only availability on PostgreSQL: seeds 5,000 appointments, then measures.
pub async fn availability_only() -> anyhow::Result<()> {
    let db_name = create_db("availability").await?;
    let url = format!("{PG}/{db_name}");
    let sink = Sink::start();
    let result = async {
        let server = ServerProc::start(base_env(&url, sink.port)).await?;
        let api = Api::new(&server.base);
        let practitioners = api.practitioners(5).await?;
        let plan = SlotPlan::new(practitioners.clone(), 2, 300);
        let db = connect(&url).await?;
        availability_phase(
            &api,
            &url,
            sink.port,
            &plan,
            &AtomicU64::new(0),
            &practitioners,
            &db,
        )
        .await?;
        server.stop();
        anyhow::Ok(())
    }
    .await;
    drop_db(&db_name).await;
    result
}

pub async fn all() -> anyhow::Result<()> {
    println!(
        "dermadesk benchmarks on {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    let db_name = create_db("main").await?;
    let url = format!("{PG}/{db_name}");
    let result = run_all(&db_name, &url).await;
    drop_db(&db_name).await;
    result
}

async fn run_all(db_name: &str, url: &str) -> anyhow::Result<()> {
    let sink = Sink::start();

    println!("\n== ceilings of this machine");
    let bare = ceiling_http().await?;
    report("bare actix route GET /healthz", &bare);
    let pg_tps = ceiling_pg(db_name).await?;
    line(
        "PostgreSQL commits (pgbench, 3 inserts/tx)",
        format!("{pg_tps:>8.0}/s"),
    );

    println!("\n== PostgreSQL");
    let server = ServerProc::start(base_env(url, sink.port)).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss = server.rss_kib();
    let api = Api::new(&server.base);
    let ours = closed_loop(WORKERS, Duration::from_secs(5), {
        let a = api.clone();
        move |_, _| {
            let a = a.clone();
            async move { a.get_status("/healthz", None).await }
        }
    })
    .await;
    report("dermadesk GET /healthz", &ours);
    let practitioners = api.practitioners(5).await?;
    let plan = Arc::new(SlotPlan::new(practitioners.clone(), 2, 300));
    let next = Arc::new(AtomicU64::new(0));
    let (booking, peak_rss) = booking_phase(&server, plan.clone(), next.clone()).await;
    report("full booking (screening + booking), 16 clients", &booking);

    let db = connect(url).await?;
    availability_phase(&api, url, sink.port, &plan, &next, &practitioners, &db).await?;

    // Contention: 200 clients, one slot.
    let mut screenings = Vec::new();
    for i in 0..200 {
        if let (_, Some(id)) = api.screen(&format!("race{i}@example.com")).await {
            screenings.push(id);
        }
    }
    let (start, p) = plan.slot(plan.capacity() - 1);
    let t = Instant::now();
    let results = futures_util::future::join_all(screenings.iter().map(|s| {
        let api = api.clone();
        let (start, p) = (start.clone(), p.clone());
        async move {
            let t = Instant::now();
            let status = api.book(s, &start, &p).await.0;
            (status, t.elapsed())
        }
    }))
    .await;
    let wall = t.elapsed();
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let taken = results.iter().filter(|(s, _)| *s == 409).count();
    let lat: Vec<Duration> = results.iter().map(|(_, d)| *d).collect();
    line(
        "contention: 200 requests for one slot",
        format!(
            "201={created} 409={taken} other={}  p50 {}  p99 {}  wall {}",
            results.len() - created - taken,
            ms(percentile(&lat, 50.0)),
            ms(percentile(&lat, 99.0)),
            ms(wall)
        ),
    );
    line(
        "RSS idle / peak under booking load",
        format!("{} KiB / {} KiB", idle_rss, peak_rss),
    );
    server.stop();

    dispatch(url, &sink, &db).await?;

    println!("\n== SQLite (embedded default), for comparison");
    let dir = crate::harness::root().join("target/bench-sqlite");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let sqlite = format!("sqlite://{}/bench.db?mode=rwc", dir.display());
    let server = ServerProc::start(base_env(&sqlite, sink.port)).await?;
    let api = Api::new(&server.base);
    let practitioners = api.practitioners(5).await?;
    let plan = Arc::new(SlotPlan::new(practitioners, 2, 300));
    let (booking_sqlite, _) = booking_phase(&server, plan, Arc::new(AtomicU64::new(0))).await;
    report(
        "full booking (screening + booking), 16 clients",
        &booking_sqlite,
    );
    server.stop();

    println!("\n== ratios (ours / this machine's ceiling)");
    line(
        "dermadesk /healthz vs bare actix route",
        format!("{:.2}", ours.rate() / bare.rate().max(1.0)),
    );
    line(
        "PostgreSQL bookings/s vs pgbench commits/s",
        format!(
            "{:.3}  ({:.0} vs {:.0})",
            booking.rate() / pg_tps.max(1.0),
            booking.rate(),
            pg_tps
        ),
    );
    line(
        "PostgreSQL bookings/s vs bare actix route/s",
        format!("{:.3}", booking.rate() / bare.rate().max(1.0)),
    );
    Ok(())
}

/// Inserts outbox rows for existing appointments, due at the given instants.
async fn seed_messages(
    db: &DatabaseConnection,
    due: &[i64],
    tag: &str,
) -> anyhow::Result<Vec<String>> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id FROM appointments LIMIT 2000".to_owned(),
        ))
        .await?;
    let appointments: Vec<Uuid> = rows
        .iter()
        .filter_map(|r| r.try_get::<Uuid>("", "id").ok())
        .collect();
    if appointments.is_empty() {
        bail!("no appointments to attach messages to");
    }
    let mut ids = Vec::new();
    let now = jiff::Timestamp::now().as_second();
    let base_version = 1_000 + (now % 1_000_000) as i32 * 10;
    let models: Vec<_> = due
        .iter()
        .enumerate()
        .map(|(i, due)| {
            let id = format!("<{}@{tag}.bench>", Uuid::new_v4());
            ids.push(id.clone());
            dermadesk::store::entities::outbox::Model {
                id: Uuid::new_v4(),
                appointment_id: appointments[i % appointments.len()],
                kind: dermadesk::domain::messages::MessageKind::DayBefore,
                version: base_version + (i / appointments.len()) as i32,
                recipient: format!("c{i}@example.com"),
                due_at: *due,
                send_by: due + 86_400,
                status: dermadesk::domain::messages::MessageStatus::Pending,
                attempts: 0,
                next_attempt_at: *due,
                last_error: None,
                message_id: id,
                claim_token: None,
                lease_until: None,
                sent_at: None,
                created_at: now,
                updated_at: now,
            }
        })
        .collect();
    for chunk in models.chunks(500) {
        store::outbox::insert(db, chunk.to_vec()).await?;
    }
    Ok(ids)
}

fn dispatch_env(url: &str, sink: &Sink) -> Vec<(String, String)> {
    let mut env = base_env(url, sink.port);
    env.retain(|(k, _)| k != "APP__REMINDERS__ENABLED");
    env.extend(
        [
            ("APP__REMINDERS__ENABLED", "true"),
            ("APP__REMINDERS__TICK", "1s"),
            ("APP__REMINDERS__BATCH_SIZE", "200"),
            ("APP__REMINDERS__CONCURRENCY", "32"),
            ("APP__MAIL__POOL_MAX_SIZE", "32"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    env
}

async fn wait_for(sink: &Sink, n: usize, timeout: Duration) {
    let end = Instant::now() + timeout;
    while sink.count() < n && Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn dispatch(url: &str, sink: &Sink, db: &DatabaseConnection) -> anyhow::Result<()> {
    println!("\n== dispatch (PostgreSQL, local SMTP sink, tick 1s)");
    // The booking phases planned their own confirmations; send those first, then measure.
    let server = ServerProc::start(dispatch_env(url, sink)).await?;
    let backlog = count(db, "SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending' AND next_attempt_at <= EXTRACT(EPOCH FROM now())::bigint").await;
    let end = Instant::now() + Duration::from_secs(300);
    while count(db, "SELECT COUNT(*) AS n FROM outbox WHERE status IN ('pending','sending') AND next_attempt_at <= EXTRACT(EPOCH FROM now())::bigint").await > 0
        && Instant::now() < end
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    line("booking confirmations drained first", backlog.to_string());

    // Burst: 10,000 messages due at once.
    sink.clear();
    let now = jiff::Timestamp::now().as_second();
    let ids = seed_messages(db, &vec![now; 10_000], "burst").await?;
    let t = Instant::now();
    wait_for(sink, ids.len(), Duration::from_secs(300)).await;
    let arrivals = sink.arrivals();
    let elapsed = t.elapsed();
    let wanted: HashSet<&String> = ids.iter().collect();
    let got: Vec<_> = arrivals
        .iter()
        .filter(|a| wanted.contains(&a.message_id))
        .collect();
    let distinct: HashSet<&String> = got.iter().map(|a| &a.message_id).collect();
    line(
        "burst: 10,000 due at once",
        format!(
            "{:.0} msgs/s  ({} received, {} distinct, in {:.1} s)",
            got.len() as f64 / elapsed.as_secs_f64(),
            got.len(),
            distinct.len(),
            elapsed.as_secs_f64()
        ),
    );

    // Lateness at a steady 100 messages/s for 30 s.
    sink.clear();
    let start = jiff::Timestamp::now().as_second() + 3;
    let due: Vec<i64> = (0..3_000).map(|i| start + i / 100).collect();
    let ids = seed_messages(db, &due, "steady").await?;
    let due_of: HashMap<String, i64> = ids.iter().cloned().zip(due.iter().copied()).collect();
    wait_for(sink, ids.len(), Duration::from_secs(120)).await;
    let lateness: Vec<Duration> = sink
        .arrivals()
        .iter()
        .filter_map(|a| {
            due_of.get(&a.message_id).map(|d| {
                let late = a.at.as_millisecond() - d * 1000;
                Duration::from_millis(late.max(0) as u64)
            })
        })
        .collect();
    line(
        "steady: 3,000 due over 30 s, lateness after due",
        format!(
            "p50 {}  p99 {}  max {}  ({} received)",
            ms(percentile(&lateness, 50.0)),
            ms(percentile(&lateness, 99.0)),
            ms(percentile(&lateness, 100.0)),
            lateness.len()
        ),
    );
    server.stop();
    Ok(())
}

/// kill -9 the server repeatedly while 3,000 messages are due; then count.
pub async fn crash(rounds: usize) -> anyhow::Result<()> {
    let db_name = create_db("crash").await?;
    let url = format!("{PG}/{db_name}");
    let result = crash_run(&url, rounds).await;
    drop_db(&db_name).await;
    result
}

async fn crash_run(url: &str, rounds: usize) -> anyhow::Result<()> {
    let sink = Sink::start();
    let mut env = dispatch_env(url, &sink);
    env.extend(
        [
            ("APP__REMINDERS__LEASE", "8s"),
            ("APP__MAIL__SEND_TIMEOUT", "3s"),
            ("APP__REMINDERS__BATCH_SIZE", "50"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
    );
    let mut server = ServerProc::start(env).await?;
    let api = Api::new(&server.base);
    let practitioners = api.practitioners(1).await?;
    let plan = SlotPlan::new(practitioners, 2, 30);
    for k in 0..20 {
        let (_, id) = api.screen(&format!("crash{k}@example.com")).await;
        let (start, p) = plan.slot(k);
        api.book(&id.context("screening")?, &start, &p).await;
    }
    let db = connect(url).await?;
    wait_for(&sink, 20, Duration::from_secs(30)).await;
    sink.clear();
    let now = jiff::Timestamp::now().as_second();
    let ids = seed_messages(&db, &vec![now; 3_000], "crash").await?;
    let mut rng_state = 0x2545_f491_4f6c_dd1du64;
    for round in 0..rounds {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        let wait = 200 + rng_state % 1_300;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let sending = count(
            &db,
            "SELECT COUNT(*) AS n FROM outbox WHERE status = 'sending'",
        )
        .await;
        server.kill9();
        println!(
            "  round {round:>2}: killed after {wait:>4} ms with {sending:>4} rows claimed, {} received so far",
            sink.count()
        );
        server.restart().await?;
    }
    // Let it finish: claimed rows of killed instances come back after their lease.
    let end = Instant::now() + Duration::from_secs(180);
    while Instant::now() < end
        && count(
            &db,
            "SELECT COUNT(*) AS n FROM outbox WHERE status IN ('pending', 'sending')",
        )
        .await
            > 0
    {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let arrivals = sink.arrivals();
    let wanted: HashSet<&String> = ids.iter().collect();
    let mut seen: HashMap<&String, usize> = HashMap::new();
    for a in arrivals.iter().filter(|a| wanted.contains(&a.message_id)) {
        *seen.entry(&a.message_id).or_default() += 1;
    }
    let delivered = seen.len();
    let duplicates: usize = seen.values().map(|n| n - 1).sum();
    let sent_rows = count(
        &db,
        "SELECT COUNT(*) AS n FROM outbox WHERE status = 'sent'",
    )
    .await;
    let failed_rows = count(
        &db,
        "SELECT COUNT(*) AS n FROM outbox WHERE status = 'failed'",
    )
    .await;
    println!("\n== crash test: {rounds} x kill -9 while 3,000 messages were due");
    line("messages due", ids.len().to_string());
    line("delivered (distinct Message-IDs)", delivered.to_string());
    line("lost", (ids.len() - delivered).to_string());
    line(
        "duplicates (same Message-ID received again)",
        duplicates.to_string(),
    );
    line(
        "outbox rows sent / failed (all rows)",
        format!("{sent_rows} / {failed_rows}"),
    );
    server.stop();
    if delivered != ids.len() {
        bail!("{} messages lost", ids.len() - delivered);
    }
    Ok(())
}

/// Mixed load for `minutes` with the dispatcher on: screening, availability, booking, cancel,
/// reception calendar. Prints RSS over time, 5xx and the outbox accounting.
pub async fn soak(minutes: u64) -> anyhow::Result<()> {
    let db_name = create_db("soak").await?;
    let url = format!("{PG}/{db_name}");
    let result = soak_run(&url, minutes).await;
    drop_db(&db_name).await;
    result
}

async fn soak_run(url: &str, minutes: u64) -> anyhow::Result<()> {
    let sink = Sink::start();
    let server = ServerProc::start(dispatch_env(url, &sink)).await?;
    let api = Api::new(&server.base);
    let practitioners = api.practitioners(5).await?;
    let plan = Arc::new(SlotPlan::new(practitioners.clone(), 2, 300));
    let token = Arc::new(api.admin().await?);
    let next = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let duration = Duration::from_secs(minutes * 60);
    let pid = server.pid();
    let rss_log = tokio::spawn(async move {
        let mut samples = Vec::new();
        let start = Instant::now();
        while start.elapsed() < duration {
            let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find(|l| l.starts_with("VmRSS:"))
                        .map(|l| l.to_owned())
                })
                .unwrap_or_default();
            samples.push(format!(
                "{:>4}s {}",
                start.elapsed().as_secs(),
                rss.trim_start_matches("VmRSS:").trim()
            ));
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        samples
    });
    let stats = {
        let (api, plan, token, next, errors) = (
            api.clone(),
            plan.clone(),
            token.clone(),
            next.clone(),
            errors.clone(),
        );
        let day = plan.first_day();
        closed_loop(8, duration, move |_, i| {
            let (api, plan, token, next, errors) = (
                api.clone(),
                plan.clone(),
                token.clone(),
                next.clone(),
                errors.clone(),
            );
            async move {
                let status = match i % 5 {
                    0 | 1 => {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let (_, id) = api.screen(&format!("soak{k}@example.com")).await;
                        let (start, p) = plan.slot(k);
                        let (status, body) = api.book(&id.unwrap_or_default(), &start, &p).await;
                        // Every tenth booking is cancelled again by the client.
                        if status == 201 && k % 10 == 0 {
                            let appt = body["appointments"][0]["id"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned();
                            let manage =
                                body["manage_token"].as_str().unwrap_or_default().to_owned();
                            let _ = api
                                .client
                                .post(format!("{}/api/v1/bookings/{appt}/cancel", api.base))
                                .bearer_auth(manage)
                                .json(&serde_json::json!({}))
                                .send()
                                .await;
                        }
                        status
                    }
                    2 => {
                        api.get_status(
                            &format!(
                                "/api/v1/availability?service=microneedling&from={day}&to={day}"
                            ),
                            None,
                        )
                        .await
                    }
                    3 => {
                        api.get_status(
                            &format!("/api/v1/staff/calendar?from={day}&to={day}"),
                            Some(&token),
                        )
                        .await
                    }
                    _ => api.get_status("/api/v1/screening/questions", None).await,
                };
                if status >= 500 {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                status
            }
        })
        .await
    };
    let samples = rss_log.await.unwrap_or_default();
    // Drain what is due, then account for every message.
    let db = connect(url).await?;
    let end = Instant::now() + Duration::from_secs(120);
    while Instant::now() < end
        && count(&db, "SELECT COUNT(*) AS n FROM outbox WHERE status IN ('pending','sending') AND next_attempt_at <= EXTRACT(EPOCH FROM now())::bigint").await > 0
    {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!("\n== soak: {minutes} min of mixed load, dispatcher on");
    report("all requests", &stats);
    line("5xx", errors.load(Ordering::Relaxed).to_string());
    for s in samples {
        line("RSS", s);
    }
    let by_status = store::outbox::count_by_status(&db).await?;
    line("outbox rows by status", format!("{by_status:?}"));
    let sent = by_status
        .iter()
        .find(|(s, _)| s == "sent")
        .map_or(0, |(_, n)| *n);
    let received: HashSet<String> = sink.arrivals().into_iter().map(|a| a.message_id).collect();
    line(
        "sent rows / distinct emails received",
        format!("{sent} / {}", received.len()),
    );
    server.stop();
    Ok(())
}

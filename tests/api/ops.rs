//! Operations: metrics, the operator CLI.

use std::{collections::BTreeMap, process::Command};

use reqwest::StatusCode;
use serde_json::json;

use crate::{
    helpers::{Db, TestApp, expect, expect_error, local_at, spawn_mail},
    on_both,
};

/// One scrape of `/metrics`: every sample with its name and labels.
struct Scrape(Vec<(String, BTreeMap<String, String>, f64)>);

impl Scrape {
    async fn take(app: &TestApp) -> Scrape {
        let r = app.get("/metrics").await;
        assert_eq!(r.status(), StatusCode::OK);
        let text = r.text().await.unwrap();
        let samples = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|line| {
                let (key, value) = line.rsplit_once(' ').expect("`key value`");
                let value: f64 = value.parse().expect("a number");
                let (name, labels) = match key.split_once('{') {
                    None => (key, BTreeMap::new()),
                    Some((name, rest)) => {
                        let inner = rest.strip_suffix('}').expect("closing brace");
                        let labels = inner
                            .split("\",")
                            .map(|kv| {
                                let (k, v) = kv.split_once("=\"").expect("k=\"v\"");
                                (k.to_owned(), v.trim_end_matches('"').to_owned())
                            })
                            .collect();
                        (name, labels)
                    }
                };
                (name.to_owned(), labels, value)
            })
            .collect();
        Scrape(samples)
    }

    /// The sample's value; 0 when the series does not exist yet (never incremented).
    fn get(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let want: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let hits: Vec<f64> = self
            .0
            .iter()
            .filter(|(n, l, _)| n == name && *l == want)
            .map(|(_, _, v)| *v)
            .collect();
        assert!(hits.len() <= 1, "{name} {want:?} twice");
        hits.first().copied().unwrap_or(0.0)
    }

    /// The sum over every label set of `name`.
    fn total(&self, name: &str) -> f64 {
        self.0
            .iter()
            .filter(|(n, _, _)| n == name)
            .map(|(_, _, v)| v)
            .sum()
    }

    fn http(&self, method: &str, route: &str, status: &str) -> f64 {
        self.get(
            "dermadesk_http_requests_total",
            &[("method", method), ("route", route), ("status", status)],
        )
    }

    fn made(&self) -> f64 {
        self.get(
            "dermadesk_bookings_made_total",
            &[("service", "microneedling")],
        )
    }

    fn refused(&self, reason: &str) -> f64 {
        self.get("dermadesk_bookings_refused_total", &[("reason", reason)])
    }

    fn outbox(&self, status: &str) -> f64 {
        self.get("dermadesk_outbox_messages", &[("status", status)])
    }
}

async fn metrics_move_with_requests_bookings_refusals_and_the_outbox(db: Db) {
    let (app, _sink) = spawn_mail(db, |_| {}).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let b = json!({"screening_id": s, "service": "microneedling", "start": local_at(5, 10, 0), "practitioner_id": p});
    let m0 = Scrape::take(&app).await;
    assert_eq!(m0.outbox("pending"), 0.0);
    assert_eq!(m0.total("dermadesk_bookings_refused_total"), 0.0);

    // A booking: one more made, one more 201, its three messages pending.
    expect(app.book(b.clone()).await, StatusCode::CREATED).await;
    let m1 = Scrape::take(&app).await;
    assert_eq!(m1.made() - m0.made(), 1.0);
    assert_eq!(
        m1.http("POST", "/api/v1/bookings", "201") - m0.http("POST", "/api/v1/bookings", "201"),
        1.0
    );
    assert_eq!(m1.total("dermadesk_bookings_refused_total"), 0.0);
    assert_eq!(m1.outbox("pending"), 3.0);

    // The same slot again: refused as slot_taken, nothing made, no message planned.
    expect_error(app.book(b).await, StatusCode::CONFLICT, "slot_taken").await;
    let m2 = Scrape::take(&app).await;
    assert_eq!(m2.refused("slot_taken") - m1.refused("slot_taken"), 1.0);
    assert_eq!(m2.made(), m1.made());
    assert_eq!(
        m2.http("POST", "/api/v1/bookings", "409") - m1.http("POST", "/api/v1/bookings", "409"),
        1.0
    );
    assert_eq!(
        m2.http("POST", "/api/v1/bookings", "201"),
        m1.http("POST", "/api/v1/bookings", "201")
    );
    assert_eq!(m2.outbox("pending"), 3.0);

    // A screening that needs review: refused under its own reason.
    let review = app
        .screen("rosa@example.com", &["sensitive_skin_or_rosacea"])
        .await;
    let r = app
        .book(json!({"screening_id": review["id"], "service": "microneedling", "start": local_at(6, 10, 0), "practitioner_id": p}))
        .await;
    expect_error(r, StatusCode::FORBIDDEN, "screening_not_passed").await;
    let m3 = Scrape::take(&app).await;
    assert_eq!(
        m3.refused("screening_not_passed") - m2.refused("screening_not_passed"),
        1.0
    );
    assert_eq!(m3.refused("slot_taken"), m2.refused("slot_taken"));
    assert_eq!(m3.made(), m2.made());

    // Requests count under the route pattern, not the raw path.
    app.get("/api/v1/staff/screenings/6f1c7f66-3c5e-4c2a-9d7e-5f2a1d0c9b11")
        .await;
    // Made-up methods do not become label values (the label set stays bounded).
    for made_up in ["FROBNICATE", "XYZZY"] {
        let m = reqwest::Method::from_bytes(made_up.as_bytes()).unwrap();
        app.client
            .request(m, app.url("/api/v1/services"))
            .send()
            .await
            .unwrap();
    }
    let m4 = Scrape::take(&app).await;
    let pattern = "/api/v1/staff/screenings/{id}";
    assert_eq!(
        m4.http("GET", pattern, "401") - m3.http("GET", pattern, "401"),
        1.0
    );
    assert_eq!(
        m4.http("OTHER", "/api/v1/services", "404") - m3.http("OTHER", "/api/v1/services", "404"),
        2.0
    );
    assert!(
        m4.0.iter()
            .all(|(_, l, _)| l.values().all(|v| v != "FROBNICATE" && v != "XYZZY")),
        "made-up methods became labels"
    );
    assert!(
        m4.0.iter()
            .all(|(_, l, _)| l.get("route").is_none_or(|r| !r.contains("6f1c7f66"))),
        "a raw path became a label"
    );
    // Three booking requests were timed.
    let timed = |m: &Scrape| {
        m.get(
            "dermadesk_http_request_duration_seconds_count",
            &[("method", "POST"), ("route", "/api/v1/bookings")],
        )
    };
    assert_eq!(timed(&m4) - timed(&m0), 3.0);

    // The dispatcher sends the confirmation: pending 3 -> 2, sent 0 -> 1.
    assert_eq!(app.dispatch().await.sent, 1);
    let m5 = Scrape::take(&app).await;
    assert_eq!((m5.outbox("pending"), m5.outbox("sent")), (2.0, 1.0));
    assert_eq!(
        m5.get("dermadesk_messages_sent_total", &[]) - m4.get("dermadesk_messages_sent_total", &[]),
        1.0
    );
    assert_eq!(
        m5.get("dermadesk_dispatch_lateness_seconds_count", &[])
            - m4.get("dermadesk_dispatch_lateness_seconds_count", &[]),
        1.0
    );
    assert_eq!(m5.total("dermadesk_send_failures_total"), 0.0);
}

on_both!(metrics_move_with_requests_bookings_refusals_and_the_outbox);

fn cli(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dermadesk"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("APP_ENV", "test")
        .envs(env.iter().copied())
        .output()
        .expect("run dermadesk")
}

#[tokio::test]
async fn the_cli_checks_config_migrates_and_creates_staff() {
    let ok = cli(&["check-config"], &[]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(
        out.contains("configuration OK") && out.contains("[database]"),
        "{out}"
    );
    let bad = cli(&["check-config"], &[("APP__BOOKING__SLOT_STEP", "7s")]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("booking.slot_step"));

    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-db");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("cli-{}.db", uuid::Uuid::new_v4()));
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let migrated = cli(&["migrate"], &[("APP__DATABASE__URL", &url)]);
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    let created = cli(
        &[
            "create-staff",
            "--email",
            "desk@clinic.example",
            "--role",
            "reception",
        ],
        &[
            ("APP__DATABASE__URL", &url),
            ("DERMADESK_PASSWORD", "reception-pass-1"),
        ],
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let again = cli(
        &[
            "create-staff",
            "--email",
            "desk@clinic.example",
            "--role",
            "reception",
        ],
        &[
            ("APP__DATABASE__URL", &url),
            ("DERMADESK_PASSWORD", "reception-pass-1"),
        ],
    );
    assert_eq!(
        again.status.code(),
        Some(1),
        "a second user with the same email is refused"
    );
    // The created user logs in to a server on that database.
    let mut s = dermadesk::config::Settings::load_env(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config"),
        "test",
    )
    .unwrap();
    s.database.url = url.clone().into();
    s.reminders.enabled = false;
    let app = dermadesk::app::Application::build(s).await.unwrap();
    let port = app.port();
    tokio::spawn(app.run_until_stopped());
    let r = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/login"))
        .json(&json!({"email": "desk@clinic.example", "password": "reception-pass-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let _ = std::fs::remove_file(&file);
}

#[test]
fn send_test_email_reaches_an_smtp_server() {
    let sink = crate::smtp::Sink::start();
    let port = sink.port.to_string();
    let out = cli(
        &["send-test-email", "--to", "ops@example.com"],
        &[
            ("APP__MAIL__TRANSPORT", "smtp"),
            ("APP__MAIL__SMTP_HOST", "127.0.0.1"),
            ("APP__MAIL__SMTP_PORT", &port),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["ops@example.com".to_owned()]);
}

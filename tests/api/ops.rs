//! Operations: metrics, the operator CLI.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::json;

use crate::{
    helpers::{Db, expect, expect_error, local_at, spawn},
    on_both,
};

async fn metrics_count_requests_bookings_and_the_outbox(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let b = json!({"screening_id": s, "service": "microneedling", "start": local_at(5, 10, 0), "practitioner_id": p});
    expect(app.book(b.clone()).await, StatusCode::CREATED).await;
    expect_error(app.book(b).await, StatusCode::CONFLICT, "slot_taken").await;
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
    let r = app.get("/metrics").await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    for want in [
        r#"dermadesk_http_requests_total{method="POST",route="/api/v1/bookings",status="201"} 1"#,
        r#"dermadesk_http_requests_total{method="POST",route="/api/v1/bookings",status="409"} 1"#,
        r#"route="/api/v1/staff/screenings/{id}",status="401"} 1"#,
        r#"dermadesk_bookings_made_total{service="microneedling"} 1"#,
        r#"dermadesk_bookings_refused_total{reason="slot_taken"} 1"#,
        r#"dermadesk_outbox_messages{status="pending"} 3"#,
        "dermadesk_http_request_duration_seconds_bucket",
        "dermadesk_dispatch_lateness_seconds",
        r#"dermadesk_http_requests_total{method="OTHER",route="/api/v1/services",status="404"} 2"#,
    ] {
        assert!(text.contains(want), "missing {want} in\n{text}");
    }
    assert!(!text.contains("FROBNICATE") && !text.contains("XYZZY"));
}

on_both!(metrics_count_requests_bookings_and_the_outbox);

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

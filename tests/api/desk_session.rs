//! The desk's session and its calendar polling: logout ends the session of the token sent, and
//! a calendar polled every few seconds is audited once per window, again when it shows a client
//! it had not shown.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Db, TestApp, expect, expect_error, local_at, spawn, spawn_with},
    on_both,
};

async fn logout_refuses_the_token_afterwards(db: Db) {
    let app = spawn(db).await;
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    // The same user at a second desk: a separate session.
    let other = app.login("desk@clinic.example", "staff-password-1").await;
    let sessions = "SELECT COUNT(*) AS n FROM staff_sessions";
    let before = app.count(sessions).await;
    let d = &local_at(1, 0, 0)[..10];
    let calendar = format!("/api/v1/staff/calendar?from={d}&to={d}");
    expect(app.get_auth(&calendar, &desk).await, StatusCode::OK).await;

    let r = app
        .post_auth("/api/v1/auth/logout", &desk, &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.count(sessions).await, before - 1, "that row is deleted");
    expect_error(
        app.get_auth(&calendar, &desk).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    // Twice: the token is unknown now.
    expect_error(
        app.post_auth("/api/v1/auth/logout", &desk, &json!({}))
            .await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    // No token, or garbage: 401, nothing deleted.
    expect_error(
        app.post("/api/v1/auth/logout", &json!({})).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    expect_error(
        app.post_auth("/api/v1/auth/logout", "not-a-token", &json!({}))
            .await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    assert_eq!(app.count(sessions).await, before - 1);
    // The other desk's session is untouched; a new login works.
    expect(app.get_auth(&calendar, &other).await, StatusCode::OK).await;
    let again = app.login("desk@clinic.example", "staff-password-1").await;
    expect(app.get_auth(&calendar, &again).await, StatusCode::OK).await;
}

async fn views(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'calendar.view'")
        .await
}

/// The `clients` of the newest `calendar.view` row (the admin's audit route).
async fn last_view_clients(app: &TestApp) -> usize {
    let admin = app.admin().await;
    let log = expect(
        app.get_auth("/api/v1/staff/audit", &admin).await,
        StatusCode::OK,
    )
    .await;
    log.as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "calendar.view")
        .expect("a calendar.view row")["detail"]["clients"]
        .as_array()
        .unwrap()
        .len()
}

async fn consult(app: &TestApp, p: &str, email: &str, h: i8) -> Value {
    let b = json!({"service": "skin_consultation", "start": local_at(3, h, 0), "practitioner_id": p,
        "client": {"name": "Client", "email": email}});
    expect(app.book(b).await, StatusCode::CREATED).await
}

async fn a_polled_calendar_is_audited_once_per_window(db: Db) {
    let app = spawn(db).await;
    let rhee = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    consult(&app, &rhee, "ana@example.com", 10).await;
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    let d = &local_at(3, 0, 0)[..10];
    let day = format!("/api/v1/staff/calendar?from={d}&to={d}");
    let poll = |path: String, token: String| {
        let app = &app;
        async move {
            expect(app.get_auth(&path, &token).await, StatusCode::OK).await;
        }
    };

    // The same range polled three times: one row.
    for _ in 0..3 {
        poll(day.clone(), desk.clone()).await;
    }
    assert_eq!(views(&app).await, 1);
    assert_eq!(last_view_clients(&app).await, 1);

    // A client booked online shows up at the next poll: a new row naming both.
    consult(&app, &rhee, "ben@example.com", 12).await;
    // (A poll later: the audit log orders by the second, so the newest row is the second one.)
    app.advance(Duration::from_secs(5));
    poll(day.clone(), desk.clone()).await;
    assert_eq!(views(&app).await, 2);
    assert_eq!(last_view_clients(&app).await, 2);
    poll(day.clone(), desk.clone()).await;
    assert_eq!(views(&app).await, 2);

    // Another range, one practitioner's column, another user: each its own row.
    let week = format!(
        "/api/v1/staff/calendar?from={d}&to={}",
        &local_at(9, 0, 0)[..10]
    );
    poll(week.clone(), desk.clone()).await;
    poll(format!("{day}&practitioner_id={rhee}"), desk.clone()).await;
    let second = app
        .staff_user("desk2@clinic.example", "reception", None)
        .await;
    poll(day.clone(), second).await;
    assert_eq!(views(&app).await, 5);
    poll(week, desk.clone()).await;
    assert_eq!(views(&app).await, 5);

    // Once desk.view_audit_window (10 minutes) has passed since the range's last row, the
    // next poll is recorded again.
    app.advance(Duration::from_secs(9 * 60));
    poll(day.clone(), desk.clone()).await;
    assert_eq!(views(&app).await, 5);
    app.advance(Duration::from_secs(2 * 60));
    poll(day.clone(), desk.clone()).await;
    assert_eq!(views(&app).await, 6);
    poll(day, desk).await;
    assert_eq!(views(&app).await, 6);
}

async fn a_zero_window_audits_every_read(db: Db) {
    let app = spawn_with(db, |s| s.desk.view_audit_window = Duration::ZERO).await;
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    let d = &local_at(3, 0, 0)[..10];
    let day = format!("/api/v1/staff/calendar?from={d}&to={d}");
    for _ in 0..3 {
        expect(app.get_auth(&day, &desk).await, StatusCode::OK).await;
    }
    assert_eq!(views(&app).await, 3);
}

on_both!(
    logout_refuses_the_token_afterwards,
    a_polled_calendar_is_audited_once_per_window,
    a_zero_window_audits_every_read,
);

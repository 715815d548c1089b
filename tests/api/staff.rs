//! Staff login, roles, users and practitioner hours.

use reqwest::StatusCode;
use serde_json::json;

use crate::{
    helpers::{ADMIN_EMAIL, Db, expect, expect_error, spawn},
    on_both,
};

async fn login_roles_and_user_creation(db: Db) {
    let app = spawn(db).await;
    let r = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": ADMIN_EMAIL, "password": "wrong-password"}),
        )
        .await;
    expect_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let r = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": "nobody@example.com", "password": "whatever-123"}),
        )
        .await;
    expect_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let admin = app.admin().await;
    let new = json!({"email": "desk@clinic.example", "password": "reception-pass-1", "role": "reception"});
    let u = expect(
        app.post_auth("/api/v1/staff/users", &admin, &new).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(u["role"], "reception");
    expect_error(
        app.post_auth("/api/v1/staff/users", &admin, &new).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let short = json!({"email": "x@clinic.example", "password": "short", "role": "reception"});
    expect_error(
        app.post_auth("/api/v1/staff/users", &admin, &short).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let desk = app.login("desk@clinic.example", "reception-pass-1").await;
    // Reception runs the calendar but cannot create users.
    let other =
        json!({"email": "p@clinic.example", "password": "practitioner-1", "role": "practitioner"});
    expect_error(
        app.post_auth("/api/v1/staff/users", &desk, &other).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    expect(
        app.post_auth(
            "/api/v1/staff/practitioners",
            &desk,
            &json!({"name": "Dr. Vos"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    // No token, a forged token, a malformed header.
    expect_error(
        app.post("/api/v1/staff/practitioners", &json!({"name": "X"}))
            .await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let forged = "a".repeat(64);
    expect_error(
        app.get_auth("/api/v1/staff/practitioners", &forged).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let r = app
        .client
        .get(app.url("/api/v1/staff/practitioners"))
        .header("Authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let list = expect(
        app.get_auth("/api/v1/staff/practitioners", &desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

async fn repeated_failures_lock_the_account(db: Db) {
    let app = spawn(db).await;
    for _ in 0..5 {
        let r = app
            .post(
                "/api/v1/auth/login",
                &json!({"email": ADMIN_EMAIL, "password": "guess-guess"}),
            )
            .await;
        expect_error(r, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    // Locked now, even with the right password.
    let r = app
        .post(
            "/api/v1/auth/login",
            &json!({"email": ADMIN_EMAIL, "password": crate::helpers::ADMIN_PASSWORD}),
        )
        .await;
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
}

async fn working_hours_are_validated(db: Db) {
    let app = spawn(db).await;
    let admin = app.admin().await;
    let p = expect(
        app.post_auth(
            "/api/v1/staff/practitioners",
            &admin,
            &json!({"name": "Dr. Rhee"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let path = format!(
        "/api/v1/staff/practitioners/{}/working-hours",
        p["id"].as_str().unwrap()
    );
    for (bad, field) in [
        (
            json!([{"weekday": "funday", "start": "09:00", "end": "17:00"}]),
            "[0].weekday",
        ),
        (
            json!([{"weekday": "mon", "start": "9:00", "end": "17:00"}]),
            "[0].start",
        ),
        (
            json!([{"weekday": "mon", "start": "17:00", "end": "09:00"}]),
            "[0].end",
        ),
        (
            json!([{"weekday": "mon", "start": "09:00", "end": "24:30"}]),
            "[0].end",
        ),
        (
            json!([{"weekday": "mon", "start": "09:00", "end": "13:00"}, {"weekday": "mon", "start": "12:00", "end": "18:00"}]),
            "[1]",
        ),
    ] {
        let e = expect_error(
            app.put_auth(&path, &admin, &bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(e["error"]["details"][field].is_string(), "{bad}: {e}");
    }
    let ok = json!([{"weekday": "mon", "start": "09:00", "end": "13:00"}, {"weekday": "sun", "start": "20:00", "end": "24:00"}]);
    expect(app.put_auth(&path, &admin, &ok).await, StatusCode::OK).await;
    let list = expect(
        app.get_auth("/api/v1/staff/practitioners", &admin).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        list[0]["working_hours"][1],
        json!({"weekday": "sun", "start": "20:00", "end": "24:00"})
    );
    let missing = "/api/v1/staff/practitioners/6f1c7f66-3c5e-4c2a-9d7e-5f2a1d0c9b11/working-hours";
    expect_error(
        app.put_auth(missing, &admin, &ok).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let public = expect(app.get("/api/v1/practitioners").await, StatusCode::OK).await;
    assert_eq!(public, json!([{"id": p["id"], "name": "Dr. Rhee"}]));
}

on_both!(
    login_roles_and_user_creation,
    repeated_failures_lock_the_account,
    working_hours_are_validated
);

//! Bad input always gets a JSON error, never a 500; operations endpoints answer.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Db, expect, expect_error, local_at, spawn, spawn_with},
    on_both,
};

async fn malformed_and_invalid_bodies(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let raw = |body: &'static str| {
        app.client
            .post(app.url("/api/v1/bookings"))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for body in ["", "{", "[1,2", "nul", "{\"service\": }"] {
        expect_error(
            raw(body).await.unwrap(),
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
    }
    let good = json!({"screening_id": s, "service": "microneedling", "start": local_at(10, 10, 0), "practitioner_id": p});
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"screening_id": s, "service": "microneedling", "start": "2027-01-05T10:00:00"}),
            "start",
        ),
        (
            json!({"screening_id": s, "service": "microneedling", "start": "next tuesday"}),
            "start",
        ),
        (
            json!({"screening_id": s, "service": "microneedling", "start": 12}),
            "start",
        ),
        (
            json!({"screening_id": s, "service": "botox", "start": local_at(10, 10, 0)}),
            "service",
        ),
        (
            json!({"screening_id": "not-a-uuid", "service": "microneedling", "start": local_at(10, 10, 0)}),
            "screening_id",
        ),
        (
            json!({"screening_id": s, "service": "microneedling"}),
            "body",
        ),
        (json!([1, 2, 3]), "[0]"),
        (
            json!({"screening_id": s, "service": "microneedling", "start": local_at(10, 10, 0), "sessions": "two"}),
            "sessions",
        ),
        (
            json!({"screening_id": s, "service": "microneedling", "start": local_at(10, 10, 0), "practitioner_id": "00000000-0000-0000-0000-000000000000"}),
            "practitioner_id",
        ),
        (
            json!({"screening_id": s, "service": "microneedling", "start": local_at(0, 0, 0)}),
            "start",
        ),
        (
            json!({"screening_id": s, "service": "microneedling", "start": local_at(400, 10, 0)}),
            "start",
        ),
    ];
    for (body, field) in cases {
        let r = app.book(body.clone()).await;
        let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(e["error"]["details"][field].is_string(), "{body}: {e}");
    }
    expect(app.book(good).await, StatusCode::CREATED).await;
}

async fn unknown_routes_and_ids_are_json_404(db: Db) {
    let app = spawn(db).await;
    let admin = app.admin().await;
    let r = app.get("/api/v1/nothing-here").await;
    assert!(r.headers().contains_key("x-request-id"));
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    expect_error(
        app.get_auth("/api/v1/staff/screenings/not-a-uuid", &admin)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_error(
        app.get_auth(
            "/api/v1/staff/screenings/6f1c7f66-3c5e-4c2a-9d7e-5f2a1d0c9b11",
            &admin,
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

async fn operations_endpoints_answer(db: Db) {
    let app = spawn(db).await;
    assert_eq!(
        expect(app.get("/healthz").await, StatusCode::OK).await["status"],
        "ok"
    );
    assert_eq!(
        expect(app.get("/readyz").await, StatusCode::OK).await["status"],
        "ready"
    );
    let doc = expect(app.get("/api-docs/openapi.json").await, StatusCode::OK).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/bookings",
        "/api/v1/screenings",
        "/api/v1/availability",
        "/api/v1/staff/practitioners/{id}/working-hours",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    let services = expect(app.get("/api/v1/services").await, StatusCode::OK).await;
    assert_eq!(
        services,
        json!([
            {"code": "microneedling", "name": "Microneedling", "duration_minutes": 60, "requires_screening": true, "price": null},
            {"code": "skin_consultation", "name": "Skin consultation", "duration_minutes": 30, "requires_screening": false, "price": null}
        ])
    );
}

/// A request that cannot get a database connection in time is told to come back (503 with
/// `Retry-After`), not answered 500; the service recovers as soon as a connection is free.
async fn exhausted_pool_is_503_not_500(db: Db) {
    use sea_orm::TransactionTrait;
    let app = spawn_with(db, |s| {
        s.database.max_connections = 1;
        s.database.acquire_timeout = std::time::Duration::from_millis(300);
        s.booking.availability_cache = std::time::Duration::ZERO;
    })
    .await;
    let path = format!(
        "/api/v1/availability?service=skin_consultation&from={}&to={}",
        &local_at(3, 10, 0)[..10],
        &local_at(3, 10, 0)[..10]
    );
    expect(app.get(&path).await, StatusCode::OK).await;
    // Hold the only connection.
    let held = app.state.db.begin().await.expect("begin");
    let r = app.get(&path).await;
    assert_eq!(
        r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
        Some("1")
    );
    expect_error(r, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    held.rollback().await.expect("rollback");
    expect(app.get(&path).await, StatusCode::OK).await;
}

on_both!(
    malformed_and_invalid_bodies,
    unknown_routes_and_ids_are_json_404,
    operations_endpoints_answer,
    exhausted_pool_is_503_not_500
);

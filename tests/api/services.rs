//! The services' catalogue managed by an admin: the listed name, the treatment's length and
//! the price; availability, booking and reschedule place new visits with the length in force,
//! booked visits keep their end.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Db, TestApp, expect, expect_error, local_at, spawn_with},
    on_both,
};

async fn put(app: &TestApp, token: &str, code: &str, body: Value) -> reqwest::Response {
    app.put_auth(&format!("/api/v1/staff/services/{code}"), token, &body)
        .await
}

async fn consultation(app: &TestApp) -> Value {
    let all = expect(app.get("/api/v1/services").await, StatusCode::OK).await;
    all.as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "skin_consultation")
        .unwrap()
        .clone()
}

async fn an_admin_changes_name_length_and_price(db: Db) {
    let app = spawn_with(db, |_| {}).await;
    let admin = app.admin().await;
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    let before = consultation(&app).await;
    assert_eq!(before["duration_minutes"], 30);
    assert_eq!(before["price"], Value::Null);

    // Only an admin; only the contract's codes.
    expect_error(
        put(
            &app,
            &desk,
            "skin_consultation",
            json!({"duration_minutes": 45}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    expect_error(
        put(&app, &admin, "facial", json!({"duration_minutes": 45})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Each bad value is named; nothing changes.
    for (body, field) in [
        (json!({"duration_minutes": 50}), "duration_minutes"),
        (json!({"duration_minutes": 0}), "duration_minutes"),
        (json!({"duration_minutes": 495}), "duration_minutes"),
        (json!({"duration_minutes": "45"}), "duration_minutes"),
        (json!({"name": "  "}), "name"),
        (
            json!({"price": {"amount_minor": -1, "currency": "EUR"}}),
            "price",
        ),
        (
            json!({"price": {"amount_minor": 100, "currency": "USD"}}),
            "price.currency",
        ),
        (json!({"price": {"amount_minor": 100}}), "price"),
        (json!({"duration": 45}), "duration"),
        (json!({}), "body"),
    ] {
        let err = expect_error(
            put(&app, &admin, "skin_consultation", body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        let details = err["error"]["details"].as_object().unwrap();
        assert!(
            details.keys().any(|k| k.starts_with(field)),
            "{body}: {err}"
        );
    }
    assert_eq!(consultation(&app).await, before);

    let changed = expect(
        put(
            &app,
            &admin,
            "skin_consultation",
            json!({"name": " Skin check ", "duration_minutes": 45,
                "price": {"amount_minor": 4900, "currency": "EUR"}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let want = json!({"code": "skin_consultation", "name": "Skin check", "duration_minutes": 45,
        "requires_screening": false, "price": {"amount_minor": 4900, "currency": "EUR"}});
    assert_eq!(changed, want);
    assert_eq!(consultation(&app).await, want);
    // Absent fields stay; a null price removes it.
    let cleared = expect(
        put(&app, &admin, "skin_consultation", json!({"price": null})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cleared["price"], Value::Null);
    assert_eq!(cleared["duration_minutes"], 45);
    assert_eq!(cleared["name"], "Skin check");
    // Audited with the old and new values.
    let log = expect(
        app.get_auth("/api/v1/staff/audit", &admin).await,
        StatusCode::OK,
    )
    .await;
    let updates: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "service.update")
        .collect();
    assert_eq!(updates.len(), 2, "{log}");
    assert!(
        updates
            .iter()
            .any(|e| e["detail"]["from"]["duration_minutes"] == 30
                && e["detail"]["to"]["duration_minutes"] == 45
                && e["detail"]["to"]["price"]["amount_minor"] == 4900),
        "{updates:?}"
    );
}

fn minutes(slot: &Value) -> i64 {
    let t = |k: &str| {
        slot[k]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .unwrap()
    };
    t("end").duration_since(t("start")).as_mins()
}

async fn first_slot(app: &TestApp) -> Value {
    let d = &local_at(3, 0, 0)[..10];
    let path = format!("/api/v1/availability?service=skin_consultation&from={d}&to={d}");
    expect(app.get(&path).await, StatusCode::OK).await["slots"][0].clone()
}

async fn new_visits_take_the_new_length_booked_ones_keep_theirs(db: Db) {
    // A long availability cache: a change here drops it at once.
    let app = spawn_with(db, |s| {
        s.booking.availability_cache = Duration::from_secs(600)
    })
    .await;
    let rhee = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let admin = app.admin().await;
    let book = |h: i8, email: &'static str| {
        let app = &app;
        let rhee = rhee.clone();
        async move {
            let b = json!({"service": "skin_consultation", "start": local_at(3, h, 0),
                "practitioner_id": rhee, "client": {"name": "Client", "email": email}});
            expect(app.book(b).await, StatusCode::CREATED).await["appointments"][0].clone()
        }
    };
    assert_eq!(minutes(&first_slot(&app).await), 30);
    let old = book(10, "ana@example.com").await;
    assert_eq!(minutes(&old), 30);

    expect(
        put(
            &app,
            &admin,
            "skin_consultation",
            json!({"duration_minutes": 45}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        minutes(&first_slot(&app).await),
        45,
        "the cache was dropped"
    );
    let new = book(12, "ben@example.com").await;
    assert_eq!(minutes(&new), 45);
    // 12:45 plus the 15-minute buffer: 13:00 is the next start that fits.
    let at = |h: i8, m: i8| {
        json!({"service": "skin_consultation", "start": local_at(3, h, m),
        "practitioner_id": rhee, "client": {"name": "Client", "email": "cy@example.com"}})
    };
    expect_error(
        app.book(at(12, 45)).await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;
    expect(app.book(at(13, 0)).await, StatusCode::CREATED).await;

    // The visit booked before keeps its end on the calendar.
    let d = &local_at(3, 0, 0)[..10];
    let cal = expect(
        app.get_auth(&format!("/api/v1/staff/calendar?from={d}&to={d}"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    let listed = cal["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == old["id"])
        .unwrap()
        .clone();
    assert_eq!(minutes(&listed), 30, "{listed}");
    // Moved, it is placed with the length in force now.
    let id = old["id"].as_str().unwrap();
    let moved = expect(
        app.post_auth(
            &format!("/api/v1/staff/appointments/{id}/reschedule"),
            &admin,
            &json!({"start": local_at(3, 15, 0)}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(minutes(&moved), 45, "{moved}");
}

/// Another instance's change is read from the database, not from this process: with the
/// availability cache off it shows at the next request.
async fn a_change_made_elsewhere_shows_at_the_next_request(db: Db) {
    let app = spawn_with(db, |s| s.booking.availability_cache = Duration::ZERO).await;
    app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    assert_eq!(minutes(&first_slot(&app).await), 30);
    let backend = app.state.db.get_database_backend();
    use sea_orm::ConnectionTrait;
    app.state
        .db
        .execute_raw(sea_orm::Statement::from_string(
            backend,
            "UPDATE services SET duration_minutes = 60 WHERE code = 'skin_consultation'",
        ))
        .await
        .unwrap();
    assert_eq!(minutes(&first_slot(&app).await), 60);
    assert_eq!(consultation(&app).await["duration_minutes"], 60);
}

on_both!(
    an_admin_changes_name_length_and_price,
    new_visits_take_the_new_length_booked_ones_keep_theirs,
    a_change_made_elsewhere_shows_at_the_next_request,
);

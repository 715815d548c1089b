//! No double booking, enforced by the database.

use reqwest::StatusCode;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{Db, expect, expect_error, local_at, spawn},
    on_both,
};

fn body(screening: &str, practitioner: &str, start: &str) -> Value {
    json!({"screening_id": screening, "service": "microneedling", "start": start, "practitioner_id": practitioner})
}

async fn hundred_requests_for_one_slot_book_it_once(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let mut screenings = Vec::new();
    for i in 0..100 {
        screenings.push(app.eligible(&format!("c{i}@example.com")).await);
    }
    let start = local_at(12, 14, 0);
    let requests = screenings.iter().map(|s| {
        let b = body(s, &p, &start);
        let req = app.client.post(app.url("/api/v1/bookings")).json(&b);
        async move { req.send().await.expect("response").status() }
    });
    let statuses = futures_util::future::join_all(requests).await;
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let taken = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, taken), (1, 99), "{statuses:?}");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM appointments").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM bookings").await,
        1,
        "losers leave no booking row"
    );
}

async fn overlaps_are_refused_and_back_to_back_is_fine(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    expect(
        app.book(body(&s, &p, &local_at(10, 10, 0))).await,
        StatusCode::CREATED,
    )
    .await;
    // 10:00-11:00 plus 15 minutes of cleaning: 10:30 overlaps, 11:00 is inside the buffer.
    for (h, m) in [(10, 0), (10, 30), (11, 0), (9, 15)] {
        let r = app.book(body(&s, &p, &local_at(10, h, m))).await;
        expect_error(r, StatusCode::CONFLICT, "slot_taken").await;
    }
    // Back to back, buffer respected on both sides.
    expect(
        app.book(body(&s, &p, &local_at(10, 11, 15))).await,
        StatusCode::CREATED,
    )
    .await;
    expect(
        app.book(body(&s, &p, &local_at(10, 8, 45))).await,
        StatusCode::CREATED,
    )
    .await;
    // Off the 15-minute grid or outside working hours is not an offered time.
    let r = app.book(body(&s, &p, &local_at(10, 13, 10))).await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let r = app.book(body(&s, &p, &local_at(10, 19, 30))).await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    // Another practitioner is free at the same time.
    let q = app.practitioner("Dr. Vos", "08:00", "20:00").await;
    expect(
        app.book(body(&s, &q, &local_at(10, 10, 0))).await,
        StatusCode::CREATED,
    )
    .await;
    // Without a practitioner, a free one is chosen; when none is, the slot is taken.
    let r = app
        .book(json!({"screening_id": s, "service": "microneedling", "start": local_at(10, 15, 0)}))
        .await;
    expect(r, StatusCode::CREATED).await;
    let r = app
        .book(json!({"screening_id": s, "service": "microneedling", "start": local_at(10, 15, 0)}))
        .await;
    expect(r, StatusCode::CREATED).await;
    let r = app
        .book(json!({"screening_id": s, "service": "microneedling", "start": local_at(10, 15, 0)}))
        .await;
    expect_error(r, StatusCode::CONFLICT, "slot_taken").await;
}

async fn a_cancelled_slot_can_be_booked_again(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let start = local_at(10, 10, 0);
    expect(app.book(body(&s, &p, &start)).await, StatusCode::CREATED).await;
    expect_error(
        app.book(body(&s, &p, &start)).await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;
    let backend = app.state.db.get_database_backend();
    app.state
        .db
        .execute_raw(sea_orm::Statement::from_string(
            backend,
            "UPDATE appointments SET status = 'cancelled'",
        ))
        .await
        .unwrap();
    expect(app.book(body(&s, &p, &start)).await, StatusCode::CREATED).await;
}

/// The rule holds even for a writer that skips every check in the code.
async fn the_database_itself_refuses_an_overlap(db: Db) {
    use dermadesk::store::entities::appointment;
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let b = expect(
        app.book(body(&s, &p, &local_at(10, 10, 0))).await,
        StatusCode::CREATED,
    )
    .await;
    let existing_id: Uuid = b["appointments"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let existing = appointment::Entity::find_by_id(existing_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let clash = |shift: i64| appointment::ActiveModel {
        id: Set(Uuid::new_v4()),
        booking_id: Set(existing.booking_id),
        client_id: Set(existing.client_id),
        practitioner_id: Set(existing.practitioner_id),
        service: Set(existing.service),
        session_number: Set(existing.session_number + 1 + shift as i32),
        starts_at: Set(existing.starts_at + shift),
        ends_at: Set(existing.ends_at + shift),
        busy_until: Set(existing.busy_until + shift),
        anesthesia: Set(false),
        status: Set(dermadesk::domain::status::AppointmentStatus::Booked),
        cancel_reason: Set(None),
        created_at: Set(existing.created_at),
        updated_at: Set(existing.updated_at),
        sequence: Set(0),
        completed_at: Set(None),
        reconfirm_screening_id: Set(None),
        reconfirm_outcome: Set(None),
        reconfirmed_at: Set(None),
    };
    let err = appointment::Entity::insert(clash(60 * 74))
        .exec_without_returning(&app.state.db)
        .await
        .unwrap_err();
    assert!(dermadesk::store::is_overlap(&err), "{err}");
    // Half-open ranges: starting exactly at busy_until is allowed.
    let touching = existing.busy_until - existing.starts_at;
    appointment::Entity::insert(clash(touching))
        .exec_without_returning(&app.state.db)
        .await
        .unwrap();
}

on_both!(
    hundred_requests_for_one_slot_book_it_once,
    overlaps_are_refused_and_back_to_back_is_fine,
    a_cancelled_slot_can_be_booked_again,
    the_database_itself_refuses_an_overlap,
);

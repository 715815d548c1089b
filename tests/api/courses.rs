//! Courses of repeat sessions: same local time, flexing around taken slots, all or nothing.

use std::time::Duration;

use jiff::{Timestamp, ToSpan, tz::TimeZone};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Db, at_date, expect, expect_error, local_at, spawn, spawn_with},
    on_both,
};

fn course(screening: &str, practitioner: &str, start: &str, sessions: u32) -> Value {
    json!({"screening_id": screening, "service": "microneedling", "start": start,
        "practitioner_id": practitioner, "sessions": sessions})
}

fn local(s: &Value) -> (String, String) {
    // "2026-12-04T10:00:00+01:00" -> ("2026-12-04", "10:00:00")
    let s = s.as_str().unwrap();
    (s[..10].to_owned(), s[11..19].to_owned())
}

async fn a_course_books_every_session_at_the_same_time(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let b = expect(
        app.book(course(&s, &p, &local_at(3, 10, 0), 4)).await,
        StatusCode::CREATED,
    )
    .await;
    assert!(b["course_id"].is_string());
    let appts = b["appointments"].as_array().unwrap();
    assert_eq!(appts.len(), 4);
    for (i, a) in appts.iter().enumerate() {
        assert_eq!(a["session_number"], i + 1);
        assert_eq!(a["start"], local_at(3 + 28 * i as i64, 10, 0).as_str());
    }
}

/// The next DST change at least `min_days` ahead, in the clinic's zone.
fn next_transition(min_days: i64) -> Timestamp {
    let tz = TimeZone::get("Europe/Berlin").unwrap();
    let from = Timestamp::now() + (min_days * 24).hours();
    tz.following(from).next().expect("a transition").timestamp()
}

async fn a_course_across_a_dst_change_keeps_the_local_time(db: Db) {
    let app = spawn_with(db, |s| {
        s.booking.horizon = Duration::from_secs(400 * 86_400)
    })
    .await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let tz = TimeZone::get("Europe/Berlin").unwrap();
    let change = next_transition(16).to_zoned(tz).date();
    let first = change.checked_sub(14.days()).unwrap();
    let b = expect(
        app.book(course(&s, &p, &at_date(first, 10, 0), 3)).await,
        StatusCode::CREATED,
    )
    .await;
    let appts = b["appointments"].as_array().unwrap();
    let offsets: Vec<String> = appts
        .iter()
        .map(|a| a["start"].as_str().unwrap()[19..].to_owned())
        .collect();
    assert_ne!(
        offsets[0], offsets[1],
        "the course must cross the change: {appts:?}"
    );
    for a in appts {
        assert_eq!(local(&a["start"]).1, "10:00:00", "{a}");
    }
    assert_eq!(
        appts[1]["start"],
        at_date(first.checked_add(28.days()).unwrap(), 10, 0).as_str()
    );
}

async fn a_taken_slot_moves_one_session_within_the_flex(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let other = app.eligible("other@example.com").await;
    let s = app.eligible("ana@example.com").await;
    // Someone already holds the second session's exact time.
    let blocker = json!({"screening_id": other, "service": "microneedling", "start": local_at(31, 10, 0),
        "practitioner_id": p});
    expect(app.book(blocker).await, StatusCode::CREATED).await;
    let b = expect(
        app.book(course(&s, &p, &local_at(3, 10, 0), 3)).await,
        StatusCode::CREATED,
    )
    .await;
    let appts = b["appointments"].as_array().unwrap();
    assert_eq!(appts[0]["start"], local_at(3, 10, 0).as_str());
    // The nearest free time not closer than 28 days to session 1: right after the blocker.
    assert_eq!(appts[1]["start"], local_at(31, 11, 15).as_str());
    // Session 3 aims at its own date and keeps 28 days from session 2.
    assert_eq!(appts[2]["start"], local_at(59, 11, 15).as_str());
}

async fn course_limits_are_validated(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let start = local_at(3, 10, 0);
    let r = app.book(course(&s, &p, &start, 7)).await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(e["error"]["details"]["sessions"].is_string());
    let mut short = course(&s, &p, &start, 3);
    short["interval_days"] = json!(21);
    let e = expect_error(
        app.book(short).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["error"]["details"]["interval_days"].is_string());
    let mut longer = course(&s, &p, &start, 2);
    longer["interval_days"] = json!(35);
    let b = expect(app.book(longer).await, StatusCode::CREATED).await;
    assert_eq!(b["appointments"][1]["start"], local_at(38, 10, 0).as_str());
    let consult = json!({"screening_id": s, "service": "skin_consultation", "start": local_at(4, 10, 0), "sessions": 2});
    expect_error(
        app.book(consult).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

async fn a_course_is_all_or_nothing(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let token = app.admin().await;
    // Session 3's whole flex window is time off.
    let off = json!({"start": local_at(48, 0, 0), "end": local_at(70, 0, 0), "reason": "congress"});
    expect(
        app.post_auth(
            &format!("/api/v1/staff/practitioners/{p}/time-off"),
            &token,
            &off,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let r = app.book(course(&s, &p, &local_at(3, 10, 0), 3)).await;
    let e = expect_error(r, StatusCode::CONFLICT, "slot_taken").await;
    assert_eq!(e["error"]["details"]["session_number"], 3);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM appointments").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM bookings").await, 0);
    // Two sessions fit.
    expect(
        app.book(course(&s, &p, &local_at(3, 10, 0), 2)).await,
        StatusCode::CREATED,
    )
    .await;
}

/// The preview shows where every session would go (a taken slot moved within the flex, as
/// booking would), writes nothing, and refuses what booking refuses.
async fn a_preview_shows_the_sessions_booking_then_makes(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    // Someone else holds the second session's natural time.
    let other = app.eligible("other@example.com").await;
    expect(
        app.book(course(&other, &p, &local_at(31, 10, 0), 1)).await,
        StatusCode::CREATED,
    )
    .await;
    let s = app.eligible("ana@example.com").await;
    let body = course(&s, &p, &local_at(3, 10, 0), 3);
    let before = app.count("SELECT COUNT(*) AS n FROM appointments").await;
    let plan = expect(
        app.post("/api/v1/bookings/preview", &body).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM appointments").await,
        before
    );
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM outbox").await, 3);
    let planned = plan["appointments"].as_array().unwrap();
    assert_eq!(planned.len(), 3, "{plan}");
    assert_ne!(
        planned[1]["start"],
        local_at(31, 10, 0).as_str(),
        "the taken time is avoided"
    );
    let booked = expect(app.book(body).await, StatusCode::CREATED).await;
    for (p, b) in planned
        .iter()
        .zip(booked["appointments"].as_array().unwrap())
    {
        assert_eq!(
            (&p["session_number"], &p["start"], &p["end"]),
            (&b["session_number"], &b["start"], &b["end"])
        );
    }
    // The same gates as booking: an unscreened microneedling request, a taken first time.
    let unscreened = json!({"service": "microneedling", "start": local_at(4, 10, 0),
        "client": {"name": "Bo", "email": "bo@example.com"}});
    expect_error(
        app.post("/api/v1/bookings/preview", &unscreened).await,
        StatusCode::FORBIDDEN,
        "screening_not_passed",
    )
    .await;
    let again = app.eligible("cy@example.com").await;
    expect_error(
        app.post(
            "/api/v1/bookings/preview",
            &course(&again, &p, &local_at(3, 10, 0), 1),
        )
        .await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;
}

on_both!(
    a_preview_shows_the_sessions_booking_then_makes,
    a_course_books_every_session_at_the_same_time,
    a_course_across_a_dst_change_keeps_the_local_time,
    a_taken_slot_moves_one_session_within_the_flex,
    course_limits_are_validated,
    a_course_is_all_or_nothing,
);

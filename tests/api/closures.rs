//! Clinic-wide closure days: admin only, one rule for availability and booking, the local day
//! in the clinic's zone (DST days included), visits on a newly closed day kept and listed.

use std::time::Duration;

use jiff::{Timestamp, civil::Date, tz::TimeZone};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    helpers::{Db, TestApp, at_date, expect, expect_error, spawn_with},
    on_both,
};

/// The next local date with a DST change in the clinic's zone, at least two days ahead.
fn next_dst_day() -> Date {
    let tz = TimeZone::get("Europe/Berlin").unwrap();
    let after = Timestamp::now() + jiff::SignedDuration::from_hours(48);
    let t = tz.following(after).next().unwrap();
    t.timestamp().to_zoned(tz).date()
}

fn starts_on(body: &Value, date: Date) -> Vec<String> {
    let d = date.to_string();
    body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap().to_owned())
        .filter(|s| s.starts_with(&d))
        .collect()
}

async fn availability(app: &TestApp, from: Date, to: Date) -> Value {
    let path = format!("/api/v1/availability?service=skin_consultation&from={from}&to={to}");
    expect(app.get(&path).await, StatusCode::OK).await
}

async fn send(
    app: &TestApp,
    m: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut r = app.client.request(m, app.url(path)).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap()
}

async fn a_closure_day_removes_every_practitioners_time_that_local_day(db: Db) {
    // Long horizon: the next DST change may be up to seven months ahead.
    let app = spawn_with(db, |s| {
        s.booking.horizon = Duration::from_secs(400 * 86_400);
        s.booking.availability_cache = Duration::from_secs(60);
    })
    .await;
    let day = next_dst_day();
    let (before, after) = (day.yesterday().unwrap(), day.tomorrow().unwrap());
    // Two practitioners working round the clock, so the local midnights are the boundary.
    let rhee = app.practitioner("Dr. Rhee", "00:00", "24:00").await;
    app.practitioner("Dr. Vos", "00:00", "24:00").await;
    let admin = app.admin().await;
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;

    // A visit already booked that day (by the desk, a consultation).
    let visit_start = at_date(day, 10, 0);
    let b = json!({"service": "skin_consultation", "start": visit_start, "practitioner_id": rhee,
        "client": {"name": "Ana", "email": "ana@example.com"}});
    let booked = expect(
        app.post_auth("/api/v1/staff/appointments", &desk, &b).await,
        StatusCode::CREATED,
    )
    .await;
    let visit = booked["appointments"][0]["id"].as_str().unwrap().to_owned();

    // Before: the day is offered (and the answer is cached for a minute).
    let open = availability(&app, before, after).await;
    assert!(!starts_on(&open, day).is_empty());

    // Only an admin closes a day; bad dates are named.
    let close = json!({"date": day.to_string(), "reason": "Public holiday"});
    expect_error(
        app.post_auth("/api/v1/staff/closures", &desk, &close).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    for (bad, field) in [
        (json!({"date": "2026-13-01"}), "date"),
        (json!({"date": "tomorrow"}), "date"),
        (json!({"date": "2000-01-01"}), "date"),
        (json!({"reason": "no date"}), "body"),
    ] {
        let e = expect_error(
            app.post_auth("/api/v1/staff/closures", &admin, &bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(e["error"]["details"][field].is_string(), "{bad}: {e}");
    }
    let made = expect(
        app.post_auth("/api/v1/staff/closures", &admin, &close)
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(made["date"], day.to_string());
    assert_eq!(made["reason"], "Public holiday");
    // The visit already booked that day is listed, not cancelled.
    assert_eq!(made["conflicts"], json!([visit]));
    expect_error(
        app.post_auth("/api/v1/staff/closures", &admin, &close)
            .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;

    // After: nothing that local day for anyone, although the earlier answer was cached; the
    // days around it keep their hours right up to (and from) the local midnights.
    let closed = availability(&app, before, after).await;
    assert!(starts_on(&closed, day).is_empty(), "{closed}");
    let last_before = starts_on(&closed, before).pop().unwrap();
    assert_eq!(last_before, at_date(before, 23, 30));
    let first_after = starts_on(&closed, after).first().cloned().unwrap();
    assert_eq!(first_after, at_date(after, 0, 0));
    // Each neighbour is a whole day of 30-minute visits for both practitioners.
    assert_eq!(starts_on(&closed, before).len(), 2 * (24 * 4 - 1));
    assert_eq!(starts_on(&closed, after).len(), 2 * (24 * 4 - 1));

    // Booking refuses the day by the same rule, at its first and last local minutes too.
    for start in [
        at_date(day, 0, 0),
        at_date(day, 12, 0),
        at_date(day, 23, 30),
    ] {
        let b = json!({"service": "skin_consultation", "start": start, "practitioner_id": rhee,
            "client": {"name": "Bo", "email": "bo@example.com"}});
        let e = expect_error(
            app.post_auth("/api/v1/staff/appointments", &desk, &b).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(e["error"]["details"]["start"].is_string(), "{start}: {e}");
    }
    // Rescheduling onto it is refused too; the visit itself is still booked.
    let e = expect_error(
        app.post_auth(
            &format!("/api/v1/staff/appointments/{visit}/reschedule"),
            &desk,
            &json!({"start": at_date(day, 14, 0)}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["error"]["details"]["start"].is_string(), "{e}");

    // Staff read it (the desk shows it), with the visit still booked on the calendar.
    let list = expect(
        app.get_auth(&format!("/api/v1/staff/closures?from={before}"), &desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        list,
        json!([{"date": day.to_string(), "reason": "Public holiday"}])
    );
    let cal = expect(
        app.get_auth(
            &format!("/api/v1/staff/calendar?from={before}&to={after}"),
            &desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cal["closures"][0]["date"], day.to_string());
    assert_eq!(cal["appointments"][0]["id"], visit.as_str());
    assert_eq!(cal["appointments"][0]["status"], "booked");
    let later = expect(
        app.get_auth(&format!("/api/v1/staff/closures?from={after}"), &desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(later, json!([]));

    // Opening the day again: admin only; the day is offered again at once.
    let path = format!("/api/v1/staff/closures/{day}");
    let r = send(&app, Method::DELETE, &path, &desk, None).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = send(&app, Method::DELETE, &path, &admin, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = send(&app, Method::DELETE, &path, &admin, None).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = send(
        &app,
        Method::DELETE,
        "/api/v1/staff/closures/someday",
        &admin,
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let reopened = availability(&app, before, after).await;
    assert_eq!(starts_on(&reopened, day), starts_on(&open, day));
    // Both changes are in the audit log.
    let audit = expect(
        app.get_auth("/api/v1/staff/audit", &admin).await,
        StatusCode::OK,
    )
    .await;
    // (Entries of one second have no order among themselves.)
    let mut actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| a.starts_with("closure."))
        .collect();
    actions.sort_unstable();
    assert_eq!(actions, ["closure.add", "closure.remove"]);
}

async fn a_closure_is_unique_per_day_under_concurrent_requests(db: Db) {
    let app = spawn_with(db, |_| {}).await;
    let admin = app.admin().await;
    let day = jiff::Zoned::now()
        .with_time_zone(TimeZone::get("Europe/Berlin").unwrap())
        .date()
        .checked_add(jiff::Span::new().days(10))
        .unwrap();
    let body = json!({"date": day.to_string()});
    let calls = (0..8).map(|_| app.post_auth("/api/v1/staff/closures", &admin, &body));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(calls)
        .await
        .iter()
        .map(|r| r.status())
        .collect();
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM closures").await, 1);
    // The schema itself keeps one row per day and the day's shape.
    use sea_orm::{ConnectionTrait, Statement};
    let backend = app.state.db.get_database_backend();
    for sql in [
        format!("INSERT INTO closures (day, created_at) VALUES ('{day}', 0)"),
        "INSERT INTO closures (day, created_at) VALUES ('1st of May', 0)".to_owned(),
    ] {
        app.state
            .db
            .execute_raw(Statement::from_string(backend, sql.clone()))
            .await
            .expect_err(&sql);
    }
    // A range that ends before it starts is named.
    let e = expect_error(
        app.get_auth(
            &format!("/api/v1/staff/closures?from={day}&to=2000-01-01"),
            &admin,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["error"]["details"]["to"].is_string(), "{e}");
}

on_both!(
    a_closure_day_removes_every_practitioners_time_that_local_day,
    a_closure_is_unique_per_day_under_concurrent_requests,
);

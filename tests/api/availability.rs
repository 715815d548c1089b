//! `GET /api/v1/availability` through HTTP.

use std::time::Duration;

use jiff::{Timestamp, ToSpan, tz::TimeZone};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Db, expect, expect_error, local_at, spawn, spawn_with},
    on_both,
};

fn date(days: i64) -> String {
    local_at(days, 12, 0)[..10].to_owned()
}

fn starts(body: &Value) -> Vec<String> {
    body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap().to_owned())
        .collect()
}

async fn slots_follow_hours_bookings_and_buffers(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "09:00", "12:00").await;
    let d = date(10);
    let path = format!("/api/v1/availability?service=microneedling&from={d}&to={d}");
    let body = expect(app.get(&path).await, StatusCode::OK).await;
    assert_eq!(body["timezone"], "Europe/Berlin");
    // 09:00 .. 11:00 on a 15-minute grid for a 60-minute visit.
    let expected: Vec<String> = [
        (9, 0),
        (9, 15),
        (9, 30),
        (9, 45),
        (10, 0),
        (10, 15),
        (10, 30),
        (10, 45),
        (11, 0),
    ]
    .iter()
    .map(|(h, m)| local_at(10, *h, *m))
    .collect();
    assert_eq!(starts(&body), expected);
    assert_eq!(body["slots"][0]["end"], local_at(10, 10, 0).as_str());
    assert_eq!(body["slots"][0]["practitioner_id"], p.as_str());
    // Numbing cream adds 30 minutes: 90-minute visits from 09:00 to 10:30.
    let body = expect(
        app.get(&format!("{path}&anesthesia=true")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["slots"].as_array().unwrap().len(), 7);
    assert_eq!(body["slots"][0]["end"], local_at(10, 10, 30).as_str());
    let s = app.eligible("ana@example.com").await;
    let b = json!({"screening_id": s, "service": "microneedling", "start": local_at(10, 10, 15)});
    expect(app.book(b).await, StatusCode::CREATED).await;
    let body = expect(app.get(&path).await, StatusCode::OK).await;
    // 10:15-11:15 plus cleaning: before it only 09:00 (ends 10:00, cleaned by 10:15); after it
    // 11:30 would end past 12:00.
    assert_eq!(starts(&body), vec![local_at(10, 9, 0)]);
    let consult = expect(
        app.get(&format!(
            "/api/v1/availability?service=skin_consultation&from={d}&to={d}&practitioner_id={p}"
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(consult["slots"][0]["end"], local_at(10, 9, 30).as_str());
}

async fn time_off_blocks_and_is_reported(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "09:00", "12:00").await;
    let s = app.eligible("ana@example.com").await;
    let b = json!({"screening_id": s, "service": "microneedling", "start": local_at(10, 9, 0)});
    let booked = expect(app.book(b).await, StatusCode::CREATED).await;
    let token = app.admin().await;
    let off = json!({"start": local_at(10, 8, 0), "end": local_at(10, 11, 0)});
    let r = expect(
        app.post_auth(
            &format!("/api/v1/staff/practitioners/{p}/time-off"),
            &token,
            &off,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        r["conflicts"],
        json!([booked["appointments"][0]["id"]]),
        "listed, not cancelled"
    );
    let d = date(10);
    let body = expect(
        app.get(&format!(
            "/api/v1/availability?service=skin_consultation&from={d}&to={d}"
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(starts(&body).first().cloned(), Some(local_at(10, 11, 0)));
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM appointments WHERE status = 'booked'")
            .await,
        1
    );
}

async fn bad_queries_are_422(db: Db) {
    let app = spawn(db).await;
    app.practitioner("Dr. Rhee", "09:00", "12:00").await;
    let (a, b) = (date(1), date(40));
    for (q, field) in [
        (format!("service=microneedling&from={a}&to={b}"), "to"),
        (format!("service=microneedling&from={b}&to={a}"), "to"),
        (
            format!("service=microneedling&from=tomorrow&to={a}"),
            "from",
        ),
        (
            format!("service=microneedling&from={a}T10:00&to={a}"),
            "from",
        ),
        (format!("service=laser&from={a}&to={a}"), "query"),
        (format!("from={a}&to={a}"), "query"),
        (
            format!(
                "service=microneedling&from={a}&to={a}&practitioner_id=00000000-0000-0000-0000-000000000000"
            ),
            "practitioner_id",
        ),
        (
            format!("service=skin_consultation&from={a}&to={a}&anesthesia=true"),
            "anesthesia",
        ),
    ] {
        let r = app.get(&format!("/api/v1/availability?{q}")).await;
        let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(e["error"]["details"][field].is_string(), "{q}: {e}");
    }
}

async fn dst_days_have_no_gap_slot_and_no_duplicate(db: Db) {
    let app = spawn_with(db, |s| {
        s.booking.horizon = Duration::from_secs(400 * 86_400)
    })
    .await;
    app.practitioner("Night Nurse", "00:00", "24:00").await;
    let tz = TimeZone::get("Europe/Berlin").unwrap();
    let mut at = Timestamp::now() + 48.hours();
    for _ in 0..2 {
        let t = tz.following(at).next().unwrap();
        let day = t.timestamp().to_zoned(tz.clone()).date().to_string();
        let body = expect(
            app.get(&format!(
                "/api/v1/availability?service=skin_consultation&from={day}&to={day}"
            ))
            .await,
            StatusCode::OK,
        )
        .await;
        let list = starts(&body);
        let mut unique = list.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), list.len(), "no slot twice on {day}");
        let hours = if t.offset() > tz.to_offset(t.timestamp() - 2.hours()) {
            23
        } else {
            25
        };
        // A whole day of 30-minute visits on a 15-minute grid: hours*4 - 1 starts.
        assert_eq!(list.len(), hours * 4 - 1, "{day}");
        if hours == 23 {
            assert!(
                list.iter().all(|s| !s.contains("T02:")),
                "nothing in the spring gap"
            );
        }
        at = t.timestamp() + 24.hours();
    }
}

on_both!(
    slots_follow_hours_bookings_and_buffers,
    time_off_blocks_and_is_reported,
    bad_queries_are_422,
    dst_days_have_no_gap_slot_and_no_duplicate,
);

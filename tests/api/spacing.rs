//! A course session moved later keeps the course's spacing (`course.min_interval`) to its
//! neighbouring active sessions, whether the client (manage token) or staff move it; the
//! manage overview says which dates are allowed.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Db, TestApp, expect, expect_error, local_at, spawn, spawn_with},
    on_both,
};

/// A 3-session course at 10:00 from `first_day` days ahead (sessions 28 days apart).
async fn course(app: &TestApp, p: &str, first_day: i64) -> Value {
    let s = app.eligible("ana@example.com").await;
    let body = json!({"screening_id": s, "service": "microneedling", "practitioner_id": p,
        "start": local_at(first_day, 10, 0), "sessions": 3});
    expect(app.book(body).await, StatusCode::CREATED).await
}

fn id(b: &Value, i: usize) -> String {
    b["appointments"][i]["id"].as_str().unwrap().to_owned()
}

fn date(days: i64) -> String {
    local_at(days, 10, 0)[..10].to_owned()
}

async fn client_move(app: &TestApp, b: &Value, i: usize, start: &str) -> reqwest::Response {
    let token = b["manage_token"].as_str().unwrap();
    let path = format!("/api/v1/bookings/{}/reschedule", id(b, i));
    app.post_auth(&path, token, &json!({ "start": start }))
        .await
}

async fn staff_move(app: &TestApp, b: &Value, i: usize, start: &str) -> reqwest::Response {
    let token = app.admin().await;
    staff_move_as(app, &token, b, i, start).await
}

async fn staff_move_as(
    app: &TestApp,
    token: &str,
    b: &Value,
    i: usize,
    start: &str,
) -> reqwest::Response {
    let path = format!("/api/v1/staff/appointments/{}/reschedule", id(b, i));
    app.post_auth(&path, token, &json!({ "start": start }))
        .await
}

async fn a_client_keeps_the_course_spacing_when_moving_a_session(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let b = course(&app, &p, 3).await;
    // Sessions on days 3, 31 and 59. Session 2 may go from day 31 to day 31 (59 - 28):
    // session 3 is cancelled first so only session 1 bounds it.
    let token = b["manage_token"].as_str().unwrap();
    let path = format!("/api/v1/bookings/{}/cancel", id(&b, 2));
    expect(
        app.post_auth(&path, token, &json!({})).await,
        StatusCode::OK,
    )
    .await;

    let all = expect(app.get_auth("/api/v1/booking", token).await, StatusCode::OK).await;
    let w = &all["appointments"][1]["reschedule_window"];
    assert_eq!(w["from"], date(31).as_str(), "{all}");
    assert!(w["to"].is_null(), "{all}");
    assert_eq!(w["min_interval_days"], 28);
    assert_eq!(
        all["appointments"][0]["reschedule_window"]["to"],
        date(3).as_str()
    );

    // 19 days after session 1: refused, naming the earliest date.
    let e = expect_error(
        client_move(&app, &b, 1, &local_at(22, 11, 0)).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains("at least 28 days after session 1"), "{msg}");
    assert!(msg.contains("on or after"), "{msg}");
    assert_eq!(e["error"]["details"]["earliest"], date(31).as_str());
    assert!(e["error"]["details"]["latest"].is_null());
    assert_eq!(e["error"]["details"]["session_number"], 2);
    // Before session 1 altogether: refused too.
    expect_error(
        client_move(&app, &b, 1, &local_at(2, 10, 0)).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    // 28 days on, earlier in the day than session 1: allowed (calendar days count).
    let moved = expect(
        client_move(&app, &b, 1, &local_at(31, 9, 0)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(moved["start"], local_at(31, 9, 0).as_str());
    // Later still: allowed.
    expect(
        client_move(&app, &b, 1, &local_at(40, 14, 0)).await,
        StatusCode::OK,
    )
    .await;

    // Session 1 after session 2 (or closer than 28 days before it): refused.
    let e = expect_error(
        client_move(&app, &b, 0, &local_at(45, 10, 0)).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert_eq!(e["error"]["details"]["latest"], date(12).as_str());
    assert!(e["error"]["details"]["earliest"].is_null());
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("on or before")
    );
    expect_error(
        client_move(&app, &b, 0, &local_at(13, 10, 0)).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    expect(
        client_move(&app, &b, 0, &local_at(12, 10, 0)).await,
        StatusCode::OK,
    )
    .await;
    // Nothing refused was written.
    let all = expect(app.get_auth("/api/v1/booking", token).await, StatusCode::OK).await;
    assert_eq!(
        all["appointments"][0]["start"],
        local_at(12, 10, 0).as_str()
    );
    assert_eq!(
        all["appointments"][1]["start"],
        local_at(40, 14, 0).as_str()
    );
}

async fn staff_are_bound_by_the_spacing_too(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let b = course(&app, &p, 3).await;
    // Session 2 (day 31) between sessions 1 (day 3) and 3 (day 59): only day 31 is left.
    let e = expect_error(
        staff_move(&app, &b, 1, &local_at(20, 10, 0)).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("after session 1 and before session 3"),
        "{msg}"
    );
    assert_eq!(e["error"]["details"]["earliest"], date(31).as_str());
    assert_eq!(e["error"]["details"]["latest"], date(31).as_str());
    expect_error(
        staff_move(&app, &b, 1, &local_at(32, 10, 0)).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    // Session 1 after session 2: refused.
    expect_error(
        staff_move(&app, &b, 0, &local_at(35, 10, 0)).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    // Within the window: the same day at another time.
    expect(
        staff_move(&app, &b, 1, &local_at(31, 15, 0)).await,
        StatusCode::OK,
    )
    .await;
    // Session 3 later: fine; then session 2 has room.
    expect(
        staff_move(&app, &b, 2, &local_at(70, 10, 0)).await,
        StatusCode::OK,
    )
    .await;
    expect(
        staff_move(&app, &b, 1, &local_at(38, 10, 0)).await,
        StatusCode::OK,
    )
    .await;
}

async fn a_single_visit_moves_freely_and_has_no_window(db: Db) {
    let app = spawn_with(db, |s| {
        s.clinic.language = dermadesk::config::Language::De;
    })
    .await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("bea@example.com").await;
    let body = json!({"screening_id": s, "service": "microneedling", "practitioner_id": p,
        "start": local_at(3, 10, 0)});
    let b = expect(app.book(body).await, StatusCode::CREATED).await;
    let token = b["manage_token"].as_str().unwrap();
    let all = expect(app.get_auth("/api/v1/booking", token).await, StatusCode::OK).await;
    assert!(
        all["appointments"][0]["reschedule_window"].is_null(),
        "{all}"
    );
    // The notice in the clinic's language, and in seconds.
    assert_eq!(all["change_deadline_notice"], "24 Stunden");
    assert_eq!(all["change_deadline_seconds"], 86_400);
    expect(
        client_move(&app, &b, 0, &local_at(4, 10, 0)).await,
        StatusCode::OK,
    )
    .await;
}

async fn two_sessions_moved_at_once_cannot_both_break_the_spacing(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let token = app.admin().await;
    // Several rounds, as a race may or may not overlap in one.
    for round in 0..8 {
        let b = course(&app, &p, 3 + round).await;
        expect(
            staff_move(&app, &b, 2, &local_at(70 + round, 10, 0)).await,
            StatusCode::OK,
        )
        .await;
        // Session 2 to day 42 is allowed (session 3 on day 70), session 3 to day 60 too
        // (session 2 on day 31); both at once would leave them 18 days apart.
        let (to2, to3) = (local_at(42 + round, 10, 0), local_at(60 + round, 10, 0));
        let (two, three) = tokio::join!(
            staff_move_as(&app, &token, &b, 1, &to2),
            staff_move_as(&app, &token, &b, 2, &to3),
        );
        let mut statuses = [two.status(), three.status()];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "round {round}"
        );
        let manage = b["manage_token"].as_str().unwrap();
        let all = expect(
            app.get_auth("/api/v1/booking", manage).await,
            StatusCode::OK,
        )
        .await;
        let day = |i: usize| {
            let s = all["appointments"][i]["start"].as_str().unwrap();
            s[..10].parse::<jiff::civil::Date>().unwrap()
        };
        let apart = day(2) - day(1);
        assert!(
            apart.get_days() >= 28,
            "round {round}: {} and {}",
            day(1),
            day(2)
        );
    }
}

async fn the_desk_reads_a_sessions_window_as_the_client_does(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let b = course(&app, &p, 3).await;
    let admin = app.admin().await;
    let window = |i: usize| format!("/api/v1/staff/appointments/{}/reschedule-window", id(&b, i));
    // Sessions on days 3, 31 and 59: session 2 may move within [31, 31], session 1 up to
    // day 3, session 3 from day 59 on; the same windows the manage overview gives the client.
    let manage = b["manage_token"].as_str().unwrap();
    let all = expect(
        app.get_auth("/api/v1/booking", manage).await,
        StatusCode::OK,
    )
    .await;
    for i in 0..3 {
        let w = expect(app.get_auth(&window(i), &admin).await, StatusCode::OK).await;
        assert_eq!(
            w["reschedule_window"],
            all["appointments"][i]["reschedule_window"],
            "session {}",
            i + 1
        );
    }
    let w = expect(app.get_auth(&window(1), &admin).await, StatusCode::OK).await;
    assert_eq!(w["reschedule_window"]["from"], date(31).as_str(), "{w}");
    assert_eq!(w["reschedule_window"]["to"], date(31).as_str(), "{w}");
    assert_eq!(w["reschedule_window"]["min_interval_days"], 28);

    // A single visit has none; reception may read it, a practitioner login may not (it does
    // not reschedule); an unknown visit is 404.
    let s = app.eligible("solo@example.com").await;
    let single = expect(
        app.book(
            json!({"screening_id": s, "service": "microneedling", "practitioner_id": p,
            "start": local_at(5, 14, 0)}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    let path = format!(
        "/api/v1/staff/appointments/{}/reschedule-window",
        id(&single, 0)
    );
    let w = expect(app.get_auth(&path, &desk).await, StatusCode::OK).await;
    assert!(w["reschedule_window"].is_null(), "{w}");
    let clinician = app
        .staff_user("rhee@clinic.example", "practitioner", Some(&p))
        .await;
    expect_error(
        app.get_auth(&path, &clinician).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let unknown = format!(
        "/api/v1/staff/appointments/{}/reschedule-window",
        uuid::Uuid::new_v4()
    );
    expect_error(
        app.get_auth(&unknown, &admin).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

on_both!(
    the_desk_reads_a_sessions_window_as_the_client_does,
    two_sessions_moved_at_once_cannot_both_break_the_spacing,
    a_client_keeps_the_course_spacing_when_moving_a_session,
    staff_are_bound_by_the_spacing_too,
    a_single_visit_moves_freely_and_has_no_window,
);

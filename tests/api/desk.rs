//! Reception: the calendar, the visit lifecycle, roles, the audit log.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    helpers::{Db, TestApp, expect, expect_error, local_at, spawn},
    on_both,
};

async fn book(app: &TestApp, email: &str, p: &str, days: i64, h: i8, sessions: u32) -> Value {
    let s = app.eligible(email).await;
    let b = json!({"screening_id": s, "service": "microneedling", "start": local_at(days, h, 0),
        "practitioner_id": p, "sessions": sessions});
    expect(app.book(b).await, StatusCode::CREATED).await
}

fn first_id(b: &Value) -> String {
    b["appointments"][0]["id"].as_str().unwrap().to_owned()
}

async fn the_calendar_shows_a_day(db: Db) {
    let app = spawn(db).await;
    let rhee = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let vos = app.practitioner("Dr. Vos", "08:00", "20:00").await;
    let course = book(&app, "course@example.com", &rhee, 5, 10, 3).await;
    let single = book(&app, "single@example.com", &vos, 5, 9, 1).await;
    let consult = json!({"service": "skin_consultation", "start": local_at(5, 14, 0), "practitioner_id": rhee,
        "client": {"name": "Ulla", "email": "ulla@example.com", "phone": "+49 30 999999"}});
    let consult = expect(app.book(consult).await, StatusCode::CREATED).await;
    book(&app, "other-day@example.com", &rhee, 6, 10, 1).await;
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    let cancel = format!("/api/v1/staff/appointments/{}/cancel", first_id(&consult));
    expect(
        app.post_auth(&cancel, &desk, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    let d = &local_at(5, 0, 0)[..10];
    let cal = expect(
        app.get_auth(&format!("/api/v1/staff/calendar?from={d}&to={d}"), &desk)
            .await,
        StatusCode::OK,
    )
    .await;
    let rows = cal["appointments"].as_array().unwrap();
    let starts: Vec<&str> = rows.iter().map(|r| r["start"].as_str().unwrap()).collect();
    assert_eq!(
        starts,
        [local_at(5, 9, 0), local_at(5, 10, 0), local_at(5, 14, 0)]
    );
    let c = &rows[1];
    assert_eq!(c["id"], first_id(&course).as_str());
    assert_eq!(c["client"]["email"], "course@example.com");
    assert_eq!(
        c["course"],
        json!({"id": course["course_id"], "session_number": 1, "sessions": 3})
    );
    assert_eq!(c["screening"]["outcome"], "eligible");
    assert_eq!(c["status"], "booked");
    assert_eq!(c["practitioner_name"], "Dr. Rhee");
    assert_eq!(rows[0]["course"], Value::Null);
    assert_eq!(rows[2]["status"], "cancelled");
    assert_eq!(rows[2]["screening"], Value::Null);
    assert_eq!(rows[2]["client"]["phone"], "+49 30 999999");
    // One practitioner's day.
    let only = expect(
        app.get_auth(
            &format!("/api/v1/staff/calendar?from={d}&to={d}&practitioner_id={vos}"),
            &desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(only["appointments"].as_array().unwrap().len(), 1);
    assert_eq!(only["appointments"][0]["id"], first_id(&single).as_str());
    // A week, and the 31-day limit.
    let w = &local_at(11, 0, 0)[..10];
    let week = expect(
        app.get_auth(&format!("/api/v1/staff/calendar?from={d}&to={w}"), &desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(week["appointments"].as_array().unwrap().len(), 4);
    let far = &local_at(40, 0, 0)[..10];
    expect_error(
        app.get_auth(&format!("/api/v1/staff/calendar?from={d}&to={far}"), &desk)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    // A practitioner sees their own calendar only.
    let own = app
        .staff_user("rhee@clinic.example", "practitioner", Some(&rhee))
        .await;
    let mine = expect(
        app.get_auth(&format!("/api/v1/staff/calendar?from={d}&to={d}"), &own)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        mine["appointments"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["practitioner_id"] == rhee.as_str())
    );
    assert_eq!(mine["appointments"].as_array().unwrap().len(), 2);
    expect_error(
        app.get_auth(
            &format!("/api/v1/staff/calendar?from={d}&to={d}&practitioner_id={vos}"),
            &own,
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

async fn failed_messages_are_flagged_on_the_calendar(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let b = book(&app, "ana@example.com", &p, 5, 10, 1).await;
    let backend = app.state.db.get_database_backend();
    sea_orm::ConnectionTrait::execute_raw(
        &app.state.db,
        sea_orm::Statement::from_string(
            backend,
            "UPDATE outbox SET status = 'failed' WHERE kind = 'booking_confirmation'",
        ),
    )
    .await
    .unwrap();
    let desk = app.admin().await;
    let d = &local_at(5, 0, 0)[..10];
    let cal = expect(
        app.get_auth(&format!("/api/v1/staff/calendar?from={d}&to={d}"), &desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cal["appointments"][0]["id"], first_id(&b).as_str());
    assert_eq!(cal["appointments"][0]["messages_failed"], true);
}

async fn every_lifecycle_move_legal_and_illegal(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let mut desk = app.admin().await;
    let mv = |id: &str, what: &str| format!("/api/v1/staff/appointments/{id}/{what}");
    let new_visit = |h: i8| {
        let app = &app;
        let p = p.clone();
        async move { first_id(&book(app, &format!("c{h}@example.com"), &p, 5, h, 1).await) }
    };
    let (a, b, c, d) = (
        new_visit(8).await,
        new_visit(10).await,
        new_visit(12).await,
        new_visit(16).await,
    );
    let course = book(&app, "course@example.com", &p, 5, 14, 2).await;
    // Check-in opens two hours (booking.check_in_lead) before the start, not days ahead.
    let early = expect_error(
        app.post_auth(&mv(&a, "check-in"), &desk, &json!({})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(
        early["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cannot be checked in yet"),
        "{early}"
    );
    // booked -> checked_in -> completed; nothing after completion.
    app.advance_to_before(&local_at(5, 8, 0), 30);
    desk = app.admin().await; // staff sessions last 12 hours
    assert_eq!(
        expect(
            app.post_auth(&mv(&a, "check-in"), &desk, &json!({})).await,
            StatusCode::OK
        )
        .await["status"],
        "checked_in"
    );
    for bad in ["check-in", "no-show"] {
        expect_error(
            app.post_auth(&mv(&a, bad), &desk, &json!({})).await,
            StatusCode::CONFLICT,
            "conflict",
        )
        .await;
    }
    assert_eq!(
        expect(
            app.post_auth(&mv(&a, "complete"), &desk, &json!({})).await,
            StatusCode::OK
        )
        .await["status"],
        "completed"
    );
    for bad in ["check-in", "complete", "no-show", "cancel"] {
        expect_error(
            app.post_auth(&mv(&a, bad), &desk, &json!({})).await,
            StatusCode::CONFLICT,
            "conflict",
        )
        .await;
    }
    let r = app
        .post_auth(
            &mv(&a, "reschedule"),
            &desk,
            &json!({"start": local_at(6, 10, 0)}),
        )
        .await;
    expect_error(r, StatusCode::CONFLICT, "conflict").await;
    // booked -> no_show (once the start has passed); booked cannot complete without check-in.
    expect_error(
        app.post_auth(&mv(&b, "complete"), &desk, &json!({})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let not_yet = expect_error(
        app.post_auth(&mv(&b, "no-show"), &desk, &json!({})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(
        not_yet["error"]["message"]
            .as_str()
            .unwrap()
            .contains("once its start time has passed"),
        "{not_yet}"
    );
    app.advance_to_before(&local_at(5, 10, 0), -5);
    desk = app.admin().await; // staff sessions last 12 hours
    assert_eq!(
        expect(
            app.post_auth(&mv(&b, "no-show"), &desk, &json!({})).await,
            StatusCode::OK
        )
        .await["status"],
        "no_show"
    );
    for bad in ["check-in", "complete", "cancel", "no-show"] {
        expect_error(
            app.post_auth(&mv(&b, bad), &desk, &json!({})).await,
            StatusCode::CONFLICT,
            "conflict",
        )
        .await;
    }
    // checked_in -> cancelled; cancelled is final.
    expect(
        app.post_auth(&mv(&c, "check-in"), &desk, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        expect(
            app.post_auth(&mv(&c, "cancel"), &desk, &json!({"reason": "felt unwell"}))
                .await,
            StatusCode::OK
        )
        .await["status"],
        "cancelled"
    );
    for bad in ["check-in", "complete", "cancel", "no-show"] {
        expect_error(
            app.post_auth(&mv(&c, bad), &desk, &json!({})).await,
            StatusCode::CONFLICT,
            "conflict",
        )
        .await;
    }
    // A visit whose end has passed can no longer be checked in.
    app.advance_to_before(&local_at(5, 17, 0), -1);
    desk = app.admin().await; // staff sessions last 12 hours
    let over = expect_error(
        app.post_auth(&mv(&d, "check-in"), &desk, &json!({})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(
        over["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already ended"),
        "{over}"
    );
    // Reschedule keeps the course link and session number.
    let second = course["appointments"][1]["id"].as_str().unwrap();
    let moved = expect(
        app.post_auth(
            &mv(second, "reschedule"),
            &desk,
            &json!({"start": local_at(34, 15, 0)}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(moved["session_number"], 2);
    let d = &local_at(34, 0, 0)[..10];
    let cal = expect(
        app.get_auth(&format!("/api/v1/staff/calendar?from={d}&to={d}"), &desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cal["appointments"][0]["course"]["id"], course["course_id"]);
    // Unknown appointment.
    let none = "6f1c7f66-3c5e-4c2a-9d7e-5f2a1d0c9b11";
    expect_error(
        app.post_auth(&mv(none, "check-in"), &desk, &json!({}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

/// Every staff route, by who calls it.
async fn the_role_matrix(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    book(&app, "ana@example.com", &p, 5, 10, 1).await;
    let screening = app
        .screen("rosa@example.com", &["sensitive_skin_or_rosacea"])
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = app.admin().await;
    let reception = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    let practitioner = app
        .staff_user("rhee@clinic.example", "practitioner", Some(&p))
        .await;
    let d = &local_at(5, 0, 0)[..10];
    let none = "6f1c7f66-3c5e-4c2a-9d7e-5f2a1d0c9b11";
    // (method, path, body, roles allowed: admin, reception, practitioner)
    let routes: Vec<(Method, String, Value, [bool; 3])> = vec![
        (
            Method::GET,
            format!("/api/v1/staff/calendar?from={d}&to={d}"),
            json!(null),
            [true, true, true],
        ),
        (
            Method::GET,
            "/api/v1/staff/practitioners".into(),
            json!(null),
            [true, true, true],
        ),
        (
            Method::POST,
            "/api/v1/staff/practitioners".into(),
            json!({"name": "Dr. New"}),
            [true, true, false],
        ),
        (
            Method::PUT,
            format!("/api/v1/staff/practitioners/{p}/working-hours"),
            json!([{"weekday": "mon", "start": "08:00", "end": "20:00"}]),
            [true, true, false],
        ),
        (
            Method::POST,
            format!("/api/v1/staff/practitioners/{p}/time-off"),
            json!({"start": local_at(60, 8, 0), "end": local_at(60, 9, 0)}),
            [true, true, false],
        ),
        (
            Method::POST,
            "/api/v1/staff/appointments".into(),
            json!({"service": "skin_consultation", "start": local_at(7, 8, 0), "client": {"name": "X", "email": "x@example.com"}}),
            [true, true, false],
        ),
        (
            Method::POST,
            format!("/api/v1/staff/appointments/{none}/check-in"),
            json!({}),
            [true, true, false],
        ),
        (
            Method::POST,
            format!("/api/v1/staff/appointments/{none}/complete"),
            json!({}),
            [true, true, true],
        ),
        (
            Method::POST,
            format!("/api/v1/staff/appointments/{none}/no-show"),
            json!({}),
            [true, true, false],
        ),
        (
            Method::POST,
            format!("/api/v1/staff/appointments/{none}/cancel"),
            json!({}),
            [true, true, false],
        ),
        (
            Method::POST,
            format!("/api/v1/staff/appointments/{none}/reschedule"),
            json!({"start": local_at(8, 8, 0)}),
            [true, true, false],
        ),
        (
            Method::GET,
            "/api/v1/staff/screenings?outcome=needs_review".into(),
            json!(null),
            [true, true, true],
        ),
        (
            Method::GET,
            format!("/api/v1/staff/screenings/{screening}"),
            json!(null),
            [true, true, true],
        ),
        (
            Method::POST,
            format!("/api/v1/staff/screenings/{none}/review"),
            json!({"decision": "approve", "note": "ok"}),
            [true, false, true],
        ),
        (
            Method::GET,
            "/api/v1/staff/messages".into(),
            json!(null),
            [true, true, false],
        ),
        (
            Method::POST,
            format!("/api/v1/staff/messages/{none}/retry"),
            json!({}),
            [true, true, false],
        ),
        (
            Method::GET,
            "/api/v1/staff/users".into(),
            json!(null),
            [true, false, false],
        ),
        (
            Method::POST,
            "/api/v1/staff/users".into(),
            json!({"email": "n@clinic.example", "password": "short", "role": "reception"}),
            [true, false, false],
        ),
        (
            Method::PUT,
            format!("/api/v1/staff/users/{none}/role"),
            json!({"role": "reception"}),
            [true, false, false],
        ),
        (
            Method::GET,
            format!("/api/v1/staff/clients/{none}/export"),
            json!(null),
            [true, false, false],
        ),
        (
            Method::DELETE,
            format!("/api/v1/staff/clients/{none}"),
            json!(null),
            [true, false, false],
        ),
        (
            Method::GET,
            "/api/v1/staff/audit".into(),
            json!(null),
            [true, false, false],
        ),
    ];
    let call = |m: &Method, path: &str, body: &Value, token: Option<&str>| {
        let mut req = app.client.request(m.clone(), app.url(path));
        if !body.is_null() {
            req = req.json(body);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    let forged = "f".repeat(64);
    for (m, path, body, allowed) in &routes {
        for token in [None, Some(forged.as_str()), Some("not-even-hex")] {
            let r = call(m, path, body, token).await.unwrap();
            assert_eq!(
                r.status(),
                StatusCode::UNAUTHORIZED,
                "{m} {path} with {token:?}"
            );
        }
        for (token, ok) in [
            (&admin, allowed[0]),
            (&reception, allowed[1]),
            (&practitioner, allowed[2]),
        ] {
            let r = call(m, path, body, Some(token)).await.unwrap();
            let status = r.status();
            if ok {
                assert!(
                    status != StatusCode::UNAUTHORIZED
                        && status != StatusCode::FORBIDDEN
                        && status.as_u16() < 500,
                    "{m} {path}: {status}"
                );
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{m} {path} must be refused");
            }
        }
    }
    // Expired sessions are refused everywhere.
    app.advance(Duration::from_secs(13 * 3600));
    for (m, path, body, _) in &routes {
        let r = call(m, path, body, Some(&admin)).await.unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "{m} {path} with an expired token"
        );
    }
}

async fn roles_can_be_changed_by_an_admin(db: Db) {
    let app = spawn(db).await;
    let admin = app.admin().await;
    app.staff_user("desk@clinic.example", "reception", None)
        .await;
    let users = expect(
        app.get_auth("/api/v1/staff/users", &admin).await,
        StatusCode::OK,
    )
    .await;
    let desk = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "desk@clinic.example")
        .unwrap()
        .clone();
    let me = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["role"] == "admin")
        .unwrap()
        .clone();
    let r = app
        .put_auth(
            &format!("/api/v1/staff/users/{}/role", desk["id"].as_str().unwrap()),
            &admin,
            &json!({"role": "admin"}),
        )
        .await;
    assert_eq!(expect(r, StatusCode::OK).await["role"], "admin");
    let r = app
        .put_auth(
            &format!("/api/v1/staff/users/{}/role", me["id"].as_str().unwrap()),
            &admin,
            &json!({"role": "reception"}),
        )
        .await;
    expect_error(r, StatusCode::CONFLICT, "conflict").await;
}

async fn staff_actions_are_audited(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let b = book(&app, "ana@example.com", &p, 5, 10, 1).await;
    let a = first_id(&b);
    app.advance_to_before(b["appointments"][0]["start"].as_str().unwrap(), 30);
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    expect(
        app.post_auth(
            &format!("/api/v1/staff/appointments/{a}/check-in"),
            &desk,
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let s = app
        .screen("rosa@example.com", &["sensitive_skin_or_rosacea"])
        .await;
    let sid = s["id"].as_str().unwrap();
    expect(
        app.get_auth(&format!("/api/v1/staff/screenings/{sid}"), &desk)
            .await,
        StatusCode::OK,
    )
    .await;
    // Reading the calendar (client contact data) is recorded with the clients shown.
    let day = &b["appointments"][0]["start"].as_str().unwrap()[..10];
    expect(
        app.get_auth(
            &format!("/api/v1/staff/calendar?from={day}&to={day}"),
            &desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let admin = app.admin().await;
    expect(
        app.post_auth(
            &format!("/api/v1/staff/screenings/{sid}/review"),
            &admin,
            &json!({"decision": "approve", "note": "seen"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    expect_error(
        app.get_auth("/api/v1/staff/audit", &desk).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let log = expect(
        app.get_auth("/api/v1/staff/audit", &admin).await,
        StatusCode::OK,
    )
    .await;
    let actions: Vec<(String, String)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["subject_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        actions.contains(&("appointment.checkin".into(), a.clone())),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("screening.view".into(), sid.to_owned())),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("screening.review".into(), sid.to_owned())),
        "{actions:?}"
    );
    let view = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "calendar.view")
        .expect("calendar.view recorded");
    let detail = &view["detail"];
    assert_eq!(detail["appointments"], 1, "{detail}");
    assert_eq!(
        detail["clients"].as_array().map(Vec::len),
        Some(1),
        "{detail}"
    );
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"] == "staff" && e["actor_user_id"].is_string())
    );
    let text = log.to_string();
    assert!(
        !text.contains("rosa@example.com") && !text.contains("sensitive_skin"),
        "no personal or health data: {text}"
    );
}

on_both!(
    the_calendar_shows_a_day,
    failed_messages_are_flagged_on_the_calendar,
    every_lifecycle_move_legal_and_illegal,
    the_role_matrix,
    roles_can_be_changed_by_an_admin,
    staff_actions_are_audited,
);

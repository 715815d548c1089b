//! Reception: the calendar, the visit lifecycle, roles, the audit log.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    helpers::{Db, TestApp, answers, expect, expect_error, local_at, spawn},
    on_both,
};

/// Books microneedling for a new eligible client, who then signs the consent (at the desk, as
/// an admin records it) so that the desk may check the visits in; `tests/api/consent.rs`
/// covers a visit without one.
async fn book(app: &TestApp, email: &str, p: &str, days: i64, h: i8, sessions: u32) -> Value {
    let s = app.eligible(email).await;
    let b = json!({"screening_id": s, "service": "microneedling", "start": local_at(days, h, 0),
        "practitioner_id": p, "sessions": sessions});
    let b = expect(app.book(b).await, StatusCode::CREATED).await;
    app.sign_consent(&first_id(&b)).await;
    b
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
    // The consent: signed for the course (the booking helper signs), none for a consultation.
    assert_eq!(c["consent"], "signed");
    assert_eq!(rows[2]["consent"], "not_needed");
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

/// One request a role makes, valid in every respect but (perhaps) the role, and the status
/// it gets when the role may make it.
struct Call {
    method: Method,
    path: String,
    body: Value,
    ok: StatusCode,
}

impl Call {
    fn new(method: Method, path: impl Into<String>, body: Value, ok: StatusCode) -> Call {
        Call {
            method,
            path: path.into(),
            body,
            ok,
        }
    }
}

/// A staff route: which roles (admin, reception, practitioner) may call it, and a fresh valid
/// request per role, so that each allowed call has to succeed on its own.
struct Route {
    allowed: [bool; 3],
    calls: [Call; 3],
}

fn route(allowed: [bool; 3], call: impl Fn(usize) -> Call) -> Route {
    Route {
        allowed,
        calls: [call(0), call(1), call(2)],
    }
}

/// Every staff route the README lists, by who calls it: allowed calls succeed with the
/// route's own status, the others are 403, without or with a bad or expired token 401.
async fn the_role_matrix(db: Db) {
    use dermadesk::store::entities::{appointment, client, outbox, screening, staff_user};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = spawn(db).await;
    let id_of = |v: &Value, field: &str| v[field].as_str().unwrap().to_owned();
    // A visit per practitioner an hour ahead (once the clock moves): check-in is allowed only
    // shortly before the start, and each check-in or completion needs its own visit.
    let soon_start = local_at(1, 10, 0);
    let mut practitioners = Vec::new();
    let mut soon = Vec::new();
    for (i, name) in [
        "Dr. Rhee", "Dr. Vos", "Dr. Abe", "Dr. Bui", "Dr. Cruz", "Dr. Diaz",
    ]
    .into_iter()
    .enumerate()
    {
        let p = app.practitioner(name, "08:00", "20:00").await;
        soon.push(first_id(
            &book(&app, &format!("soon{i}@example.com"), &p, 1, 10, 1).await,
        ));
        practitioners.push(p);
    }
    // Visits that started an hour before the clock stops (a no-show needs a passed start).
    let mut started = Vec::new();
    for (i, p) in practitioners.iter().take(3).enumerate() {
        started.push(first_id(
            &book(&app, &format!("gone{i}@example.com"), p, 1, 8, 1).await,
        ));
    }
    let p = practitioners[0].clone();
    // The practitioner's own visit (on Dr. Rhee) is the one they complete.
    let to_complete = [soon[1].clone(), soon[2].clone(), soon[0].clone()];
    let to_check_in = [soon[3].clone(), soon[4].clone(), soon[5].clone()];
    // Later visits for cancel and reschedule, one a day (the first three stay booked).
    let mut later = Vec::new();
    for k in 0..9 {
        later.push(first_id(
            &book(&app, &format!("later{k}@example.com"), &p, 5 + k, 10, 1).await,
        ));
    }
    let to_review: Vec<String> = {
        let mut v = Vec::new();
        for i in 0..3 {
            let s = app
                .screen(
                    &format!("review{i}@example.com"),
                    &["sensitive_skin_or_rosacea"],
                )
                .await;
            v.push(id_of(&s, "id"));
        }
        v
    };
    let shown = app.screen("shown@example.com", &[]).await;
    let (screening, exported) = (id_of(&shown, "id"), id_of(&shown, "client_id"));
    let mut to_erase = Vec::new();
    for i in 0..3 {
        to_erase.push(id_of(
            &app.screen(&format!("erase{i}@example.com"), &[]).await,
            "client_id",
        ));
    }
    // Three confirmations that failed for good, for reception to retry.
    let failed: Vec<String> = outbox::Entity::find()
        .filter(
            outbox::Column::AppointmentId
                .is_in(later.iter().map(|a| a.parse::<uuid::Uuid>().unwrap())),
        )
        .filter(outbox::Column::Kind.eq("booking_confirmation"))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .take(3)
        .map(|m| m.id.to_string())
        .collect();
    assert_eq!(failed.len(), 3);
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, "failed".into())
        .filter(outbox::Column::Id.is_in(failed.iter().map(|m| m.parse::<uuid::Uuid>().unwrap())))
        .exec(&app.state.db)
        .await
        .unwrap();

    // An hour before the near visits: sign everyone in.
    let start: jiff::Timestamp = soon_start.parse().unwrap();
    app.advance_to(start - jiff::SignedDuration::from_hours(1));
    let admin = app.admin().await;
    let reception = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    let practitioner = app
        .staff_user("rhee@clinic.example", "practitioner", Some(&p))
        .await;
    let mut to_promote = Vec::new();
    for i in 0..3 {
        let email = format!("promote{i}@clinic.example");
        let body = json!({"email": email, "password": "staff-password-1", "role": "reception"});
        let u = expect(
            app.post_auth("/api/v1/staff/users", &admin, &body).await,
            StatusCode::CREATED,
        )
        .await;
        to_promote.push(id_of(&u, "id"));
    }
    for a in &to_complete {
        let r = app
            .post_auth(
                &format!("/api/v1/staff/appointments/{a}/check-in"),
                &admin,
                &json!({}),
            )
            .await;
        expect(r, StatusCode::OK).await;
    }

    // Time off and closure days to remove, one per role.
    let mut to_unblock = Vec::new();
    let mut to_reopen = Vec::new();
    for i in 0..3 {
        let path = format!("/api/v1/staff/practitioners/{p}/time-off");
        let body = json!({"start": local_at(70 + i, 8, 0), "end": local_at(70 + i, 9, 0)});
        let off = expect(
            app.post_auth(&path, &admin, &body).await,
            StatusCode::CREATED,
        )
        .await;
        to_unblock.push(id_of(&off, "id"));
        let date = local_at(100 + i, 0, 0)[..10].to_owned();
        let body = json!({"date": date});
        expect(
            app.post_auth("/api/v1/staff/closures", &admin, &body).await,
            StatusCode::CREATED,
        )
        .await;
        to_reopen.push(date);
    }
    let d = &local_at(5, 0, 0)[..10];
    let mv = |id: &str, what: &str| format!("/api/v1/staff/appointments/{id}/{what}");
    let hours: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "08:00", "end": "20:00"}))
        .collect();
    let (get, post, put, delete) = (Method::GET, Method::POST, Method::PUT, Method::DELETE);
    let (ok, created) = (StatusCode::OK, StatusCode::CREATED);
    let (all, desk, clinician, admin_only) = (
        [true, true, true],
        [true, true, false],
        [true, false, true],
        [true, false, false],
    );
    let routes = vec![
        route(all, |_| {
            let path = format!("/api/v1/staff/calendar?from={d}&to={d}");
            Call::new(get.clone(), path, Value::Null, ok)
        }),
        route(all, |_| {
            Call::new(get.clone(), "/api/v1/staff/practitioners", Value::Null, ok)
        }),
        route(desk, |i| {
            let body = json!({"name": format!("Dr. New {i}")});
            Call::new(post.clone(), "/api/v1/staff/practitioners", body, created)
        }),
        route(desk, |_| {
            let path = format!("/api/v1/staff/practitioners/{p}/working-hours");
            Call::new(put.clone(), path, json!(hours), ok)
        }),
        route(desk, |i| {
            let i = i as i64;
            let path = format!("/api/v1/staff/practitioners/{p}/time-off");
            let body = json!({"start": local_at(60 + i, 8, 0), "end": local_at(60 + i, 9, 0)});
            Call::new(post.clone(), path, body, created)
        }),
        route(desk, |i| {
            let body = json!({"service": "skin_consultation", "start": local_at(30 + i as i64, 8, 0),
                "practitioner_id": p, "client": {"name": "X", "email": format!("x{i}@example.com")}});
            Call::new(post.clone(), "/api/v1/staff/appointments", body, created)
        }),
        route(desk, |i| {
            Call::new(post.clone(), mv(&to_check_in[i], "check-in"), json!({}), ok)
        }),
        route(all, |i| {
            Call::new(post.clone(), mv(&to_complete[i], "complete"), json!({}), ok)
        }),
        route(desk, |i| {
            Call::new(post.clone(), mv(&started[i], "no-show"), json!({}), ok)
        }),
        route(desk, |i| {
            Call::new(post.clone(), mv(&later[3 + i], "cancel"), json!({}), ok)
        }),
        route(desk, |i| {
            let body = json!({"start": local_at(20 + i as i64, 10, 0)});
            Call::new(post.clone(), mv(&later[6 + i], "reschedule"), body, ok)
        }),
        route(desk, |i| {
            let body = json!({"answers": answers(&[])});
            Call::new(post.clone(), mv(&later[i], "reconfirm"), body, ok)
        }),
        route(all, |_| {
            let path = "/api/v1/staff/screenings?outcome=needs_review";
            Call::new(get.clone(), path, Value::Null, ok)
        }),
        route(all, |_| {
            let path = format!("/api/v1/staff/screenings/{screening}");
            Call::new(get.clone(), path, Value::Null, ok)
        }),
        route(clinician, |i| {
            let path = format!("/api/v1/staff/screenings/{}/review", to_review[i]);
            let body = json!({"decision": "approve", "note": "ok"});
            Call::new(post.clone(), path, body, ok)
        }),
        route(desk, |_| {
            Call::new(get.clone(), "/api/v1/staff/messages", Value::Null, ok)
        }),
        route(desk, |i| {
            let path = format!("/api/v1/staff/messages/{}/retry", failed[i]);
            Call::new(post.clone(), path, json!({}), ok)
        }),
        route(admin_only, |_| {
            Call::new(get.clone(), "/api/v1/staff/users", Value::Null, ok)
        }),
        route(admin_only, |i| {
            let body = json!({"email": format!("new{i}@clinic.example"),
                "password": "a-long-password-1", "role": "reception"});
            Call::new(post.clone(), "/api/v1/staff/users", body, created)
        }),
        route(admin_only, |i| {
            let path = format!("/api/v1/staff/users/{}/role", to_promote[i]);
            Call::new(put.clone(), path, json!({"role": "admin"}), ok)
        }),
        route(admin_only, |_| {
            let path = format!("/api/v1/staff/clients/{exported}/export");
            Call::new(get.clone(), path, Value::Null, ok)
        }),
        route(admin_only, |i| {
            let path = format!("/api/v1/staff/clients/{}", to_erase[i]);
            Call::new(delete.clone(), path, Value::Null, ok)
        }),
        route(admin_only, |_| {
            Call::new(get.clone(), "/api/v1/staff/audit", Value::Null, ok)
        }),
        route(desk, |i| {
            let path = format!("/api/v1/staff/practitioners/{p}/time-off/{}", to_unblock[i]);
            Call::new(delete.clone(), path, Value::Null, StatusCode::NO_CONTENT)
        }),
        route(all, |_| {
            Call::new(get.clone(), "/api/v1/staff/closures", Value::Null, ok)
        }),
        route(admin_only, |i| {
            let body = json!({"date": local_at(110 + i as i64, 0, 0)[..10].to_owned()});
            Call::new(post.clone(), "/api/v1/staff/closures", body, created)
        }),
        route(admin_only, |i| {
            let path = format!("/api/v1/staff/closures/{}", to_reopen[i]);
            Call::new(delete.clone(), path, Value::Null, StatusCode::NO_CONTENT)
        }),
    ];
    let send = |c: &Call, token: Option<&str>| {
        let mut req = app.client.request(c.method.clone(), app.url(&c.path));
        if !c.body.is_null() {
            req = req.json(&c.body);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    let forged = "f".repeat(64);
    let roles = [
        ("admin", admin.as_str()),
        ("reception", reception.as_str()),
        ("practitioner", practitioner.as_str()),
    ];
    for r in &routes {
        for c in &r.calls {
            for token in [None, Some(forged.as_str()), Some("not-even-hex")] {
                let got = send(c, token).await.unwrap();
                let status = got.status();
                let body: Value = got.json().await.unwrap_or(Value::Null);
                assert_eq!(
                    (status, &body["error"]["code"]),
                    (StatusCode::UNAUTHORIZED, &json!("unauthorized")),
                    "{} {} with {token:?}: {body}",
                    c.method,
                    c.path
                );
            }
        }
        for (i, (role, token)) in roles.iter().enumerate() {
            let c = &r.calls[i];
            let got = send(c, Some(token)).await.unwrap();
            let status = got.status();
            let body = got.text().await.unwrap_or_default();
            let want = if r.allowed[i] {
                c.ok
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(status, want, "{role}: {} {} -> {body}", c.method, c.path);
        }
    }
    // Each allowed call did its work; each refused one changed nothing.
    let db = &app.state.db;
    let visit = |id: &str| {
        let id: uuid::Uuid = id.parse().unwrap();
        async move {
            appointment::Entity::find_by_id(id)
                .one(db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let mut statuses = Vec::new();
    for id in to_complete
        .iter()
        .chain(&to_check_in)
        .chain(&started)
        .chain(&later[3..])
    {
        statuses.push(visit(id).await.status.as_str());
    }
    assert_eq!(
        statuses,
        [
            ["completed", "completed", "completed"],
            ["checked_in", "checked_in", "booked"],
            ["no_show", "no_show", "booked"],
            ["cancelled", "cancelled", "booked"],
            ["booked", "booked", "booked"],
        ]
        .concat()
    );
    for (i, day) in [(6, 20), (7, 21), (8, 13)] {
        let moved = visit(&later[i]).await;
        let want: jiff::Timestamp = local_at(day, 10, 0).parse().unwrap();
        assert_eq!(moved.starts_at, want.as_second(), "visit {i}");
    }
    let mut decisions = Vec::new();
    for s in &to_review {
        let s = screening::Entity::find_by_id(s.parse::<uuid::Uuid>().unwrap())
            .one(db)
            .await
            .unwrap()
            .unwrap();
        decisions.push(s.review_decision.map(|d| d.as_str().to_owned()));
    }
    assert_eq!(
        decisions,
        [Some("approve".to_owned()), None, Some("approve".to_owned())]
    );
    let mut emails = Vec::new();
    for c in &to_erase {
        let c = client::Entity::find_by_id(c.parse::<uuid::Uuid>().unwrap())
            .one(db)
            .await
            .unwrap()
            .unwrap();
        emails.push(c.email);
    }
    assert_eq!(
        emails[1..],
        [
            "erase1@example.com".to_owned(),
            "erase2@example.com".to_owned()
        ]
    );
    assert_ne!(emails[0], "erase0@example.com");
    let mut roles_now = Vec::new();
    for u in &to_promote {
        let u = staff_user::Entity::find_by_id(u.parse::<uuid::Uuid>().unwrap())
            .one(db)
            .await
            .unwrap()
            .unwrap();
        roles_now.push(u.role.as_str());
    }
    assert_eq!(roles_now, ["admin", "reception", "reception"]);
    let mut retried = Vec::new();
    for m in &failed {
        let m = outbox::Entity::find_by_id(m.parse::<uuid::Uuid>().unwrap())
            .one(db)
            .await
            .unwrap()
            .unwrap();
        retried.push(m.status.as_str());
    }
    assert_eq!(retried, ["pending", "pending", "failed"]);
    // Expired sessions are refused everywhere.
    app.advance(Duration::from_secs(13 * 3600));
    for r in &routes {
        let c = &r.calls[0];
        let got = send(c, Some(&admin)).await.unwrap();
        assert_eq!(
            got.status(),
            StatusCode::UNAUTHORIZED,
            "{} {} with an expired token",
            c.method,
            c.path
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
    // The change is in the audit log, with who was changed from what to what; the refused
    // one is not.
    let desk_id = desk["id"].as_str().unwrap();
    let log = expect(
        app.get_auth(&format!("/api/v1/staff/audit?subject_id={desk_id}"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 1, "{log}");
    assert_eq!(entries[0]["action"], "staff.role");
    assert_eq!(entries[0]["actor_user_id"], me["id"]);
    assert_eq!(entries[0]["detail"]["from"], "reception", "{log}");
    assert_eq!(entries[0]["detail"]["to"], "admin", "{log}");
    let me_id = me["id"].as_str().unwrap();
    let mine = expect(
        app.get_auth(&format!("/api/v1/staff/audit?subject_id={me_id}"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine.as_array().map(Vec::len), Some(0), "{mine}");
}

async fn staff_actions_are_audited(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let b = book(&app, "ana@example.com", &p, 5, 10, 1).await;
    let a = first_id(&b);
    let moved = first_id(&book(&app, "ben@example.com", &p, 6, 10, 1).await);
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
    expect(
        app.post_auth(
            &format!("/api/v1/staff/appointments/{moved}/reschedule"),
            &desk,
            &json!({"start": local_at(6, 12, 0)}),
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
    // A reschedule names the old and the new start.
    let resched = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "appointment.reschedule" && e["subject_id"] == moved.as_str())
        .expect("the reschedule is audited");
    let parse = |v: &Value| v.as_str().unwrap().parse::<jiff::Timestamp>().unwrap();
    assert_eq!(
        (
            parse(&resched["detail"]["from_start"]),
            parse(&resched["detail"]["to_start"])
        ),
        (
            local_at(6, 10, 0).parse().unwrap(),
            local_at(6, 12, 0).parse().unwrap()
        ),
        "{resched}"
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

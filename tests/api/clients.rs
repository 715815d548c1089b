//! Client self-service with manage tokens, re-confirmation, erasure and rate limits.

use reqwest::{Method, StatusCode};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::{
    helpers::{
        Db, TestApp, answers, expect, expect_error, local_at, spawn, spawn_mail, spawn_with,
    },
    on_both,
};

struct Booked {
    id: String,
    token: String,
    start: String,
}

async fn book_as(
    app: &TestApp,
    email: &str,
    p: &str,
    days: i64,
    h: i8,
    sessions: u32,
) -> Vec<Booked> {
    let s = app.eligible(email).await;
    let b = json!({"screening_id": s, "service": "microneedling", "start": local_at(days, h, 0),
        "practitioner_id": p, "sessions": sessions});
    let b = expect(app.book(b).await, StatusCode::CREATED).await;
    let token = b["manage_token"].as_str().unwrap().to_owned();
    b["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| Booked {
            id: a["id"].as_str().unwrap().into(),
            token: token.clone(),
            start: a["start"].as_str().unwrap().into(),
        })
        .collect()
}

fn call(
    app: &TestApp,
    m: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> reqwest::RequestBuilder {
    let mut r = app.client.request(m, app.url(path));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    if let Some(b) = body {
        r = r.json(&b);
    }
    r
}

async fn a_token_reaches_only_its_own_booking(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let a = book_as(&app, "a@example.com", &p, 5, 10, 2).await;
    let b = book_as(&app, "b@example.com", &p, 5, 14, 1).await;
    let routes = |id: &str| {
        vec![
            (Method::GET, format!("/api/v1/bookings/{id}"), None),
            (
                Method::GET,
                format!("/api/v1/bookings/{id}/calendar.ics"),
                None,
            ),
            (
                Method::POST,
                format!("/api/v1/bookings/{id}/cancel"),
                Some(json!({})),
            ),
            (
                Method::POST,
                format!("/api/v1/bookings/{id}/reschedule"),
                Some(json!({"start": local_at(6, 10, 0)})),
            ),
            (
                Method::POST,
                format!("/api/v1/bookings/{id}/reconfirm"),
                Some(json!({"answers": answers(&[])})),
            ),
        ]
    };
    let forged = "0".repeat(64);
    // Each client's token against the other's appointments, and no token at all.
    for (mine, theirs) in [(&a[0], &b[0]), (&b[0], &a[0]), (&b[0], &a[1])] {
        for (m, path, body) in routes(&theirs.id) {
            let r = call(&app, m.clone(), &path, Some(&mine.token), body.clone())
                .send()
                .await
                .unwrap();
            expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
            for token in [None, Some(forged.as_str()), Some("short")] {
                let r = call(&app, m.clone(), &path, token, body.clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{m} {path} {token:?}");
            }
        }
    }
    // Nothing changed for anyone.
    for x in a.iter().chain(b.iter()) {
        let v = expect(
            call(
                &app,
                Method::GET,
                &format!("/api/v1/bookings/{}", x.id),
                Some(&x.token),
                None,
            )
            .send()
            .await
            .unwrap(),
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            (v["status"].as_str().unwrap(), v["start"].as_str().unwrap()),
            ("booked", x.start.as_str())
        );
    }
    // A course's token reaches every session of that course.
    let r = call(
        &app,
        Method::GET,
        &format!("/api/v1/bookings/{}/calendar.ics", a[1].id),
        Some(&a[0].token),
        None,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let ics = r.text().await.unwrap();
    assert!(ics.contains(&format!("UID:{}@dermadesk", a[1].id)));
    // A staff token is not a manage token.
    let admin = app.admin().await;
    let r = call(
        &app,
        Method::GET,
        &format!("/api/v1/bookings/{}", a[0].id),
        Some(&admin),
        None,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

async fn clients_change_only_outside_the_notice_window(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Night Nurse", "00:00", "24:00").await;
    let s = app.eligible("ana@example.com").await;
    // Ten hours ahead: bookable (2h notice) but inside the 24h change window.
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(10);
    let soon = soon.to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").unwrap());
    let soon = soon
        .round(
            jiff::ZonedRound::new()
                .smallest(jiff::Unit::Hour)
                .mode(jiff::RoundMode::Ceil),
        )
        .unwrap();
    let start = soon.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
    let b = json!({"screening_id": s, "service": "microneedling", "start": start, "practitioner_id": p});
    let b = expect(app.book(b).await, StatusCode::CREATED).await;
    let (id, token) = (
        b["appointments"][0]["id"].as_str().unwrap(),
        b["manage_token"].as_str().unwrap(),
    );
    let r = call(
        &app,
        Method::POST,
        &format!("/api/v1/bookings/{id}/cancel"),
        Some(token),
        Some(json!({})),
    )
    .send()
    .await
    .unwrap();
    let e = expect_error(r, StatusCode::CONFLICT, "too_late_to_change").await;
    // Written for the client: the window in words and the clinic's phone.
    assert_eq!(
        e["error"]["message"],
        "Changes are possible until 24 hours before your appointment; please call us at +49 30 0000000",
        "{e}"
    );
    let r = call(
        &app,
        Method::POST,
        &format!("/api/v1/bookings/{id}/reschedule"),
        Some(token),
        Some(json!({"start": local_at(5, 10, 0)})),
    )
    .send()
    .await
    .unwrap();
    expect_error(r, StatusCode::CONFLICT, "too_late_to_change").await;
    // Staff may always.
    let desk = app.admin().await;
    let r = app
        .post_auth(
            &format!("/api/v1/staff/appointments/{id}/reschedule"),
            &desk,
            &json!({"start": local_at(5, 10, 0)}),
        )
        .await;
    assert_eq!(
        expect(r, StatusCode::OK).await["start"],
        local_at(5, 10, 0).as_str()
    );
    // Now five days ahead: the client may move and cancel it.
    let r = call(
        &app,
        Method::POST,
        &format!("/api/v1/bookings/{id}/reschedule"),
        Some(token),
        Some(json!({"start": local_at(6, 11, 0)})),
    )
    .send()
    .await
    .unwrap();
    let v = expect(r, StatusCode::OK).await;
    assert_eq!(
        (v["start"].as_str().unwrap(), v["status"].as_str().unwrap()),
        (local_at(6, 11, 0).as_str(), "booked")
    );
    let r = call(
        &app,
        Method::POST,
        &format!("/api/v1/bookings/{id}/cancel"),
        Some(token),
        Some(json!({"reason": "travel"})),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(expect(r, StatusCode::OK).await["status"], "cancelled");
    let again = call(
        &app,
        Method::GET,
        &format!("/api/v1/bookings/{id}"),
        Some(token),
        None,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(expect(again, StatusCode::OK).await["status"], "cancelled");
}

async fn a_new_contraindication_at_reconfirmation_cancels_the_session(db: Db) {
    let (app, sink) = spawn_mail(db, |_| {}).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let course = book_as(&app, "ana@example.com", &p, 3, 10, 3).await;
    app.dispatch().await;
    let path = |i: usize| format!("/api/v1/bookings/{}/reconfirm", course[i].id);
    let token = course[0].token.clone();
    // Missing answers are named; nothing is recorded.
    let mut partial = answers(&[]);
    partial.as_object_mut().unwrap().remove("pregnant");
    let r = call(
        &app,
        Method::POST,
        &path(1),
        Some(&token),
        Some(json!({"answers": partial})),
    )
    .send()
    .await
    .unwrap();
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(e["error"]["details"]["answers.pregnant"].is_string());
    // Session 2: all clear.
    let r = call(
        &app,
        Method::POST,
        &path(1),
        Some(&token),
        Some(json!({"answers": answers(&[])})),
    )
    .send()
    .await
    .unwrap();
    let ok = expect(r, StatusCode::OK).await;
    assert_eq!(
        (
            ok["outcome"].as_str().unwrap(),
            ok["appointment"]["status"].as_str().unwrap()
        ),
        ("eligible", "booked")
    );
    // Session 3: now pregnant -> the session is cancelled and the client told.
    let r = call(
        &app,
        Method::POST,
        &path(2),
        Some(&token),
        Some(json!({"answers": answers(&["pregnant"])})),
    )
    .send()
    .await
    .unwrap();
    let blocked = expect(r, StatusCode::OK).await;
    assert_eq!(blocked["outcome"], "contraindicated");
    assert_eq!(blocked["appointment"]["status"], "cancelled");
    assert_eq!(app.dispatch().await.sent, 1);
    let mail = &sink.of_kind("cancellation")[0];
    assert_eq!(mail.header("X-Dermadesk-Appointment"), course[2].id);
    let text = mail.text();
    assert!(
        text.contains("health answers") && !text.to_lowercase().contains("pregnan"),
        "{text}"
    );
    // Reception sees both on the calendar.
    let desk = app.admin().await;
    for (i, outcome, status) in [
        (1, "eligible", "booked"),
        (2, "contraindicated", "cancelled"),
    ] {
        let d = &course[i].start[..10];
        let cal = expect(
            app.get_auth(&format!("/api/v1/staff/calendar?from={d}&to={d}"), &desk)
                .await,
            StatusCode::OK,
        )
        .await;
        let row = &cal["appointments"][0];
        assert_eq!(
            (
                row["reconfirmation"]["outcome"].as_str().unwrap(),
                row["status"].as_str().unwrap()
            ),
            (outcome, status)
        );
    }
    // A review case flags the session and keeps it.
    let r = call(
        &app,
        Method::POST,
        &path(0),
        Some(&token),
        Some(json!({"answers": answers(&["sensitive_skin_or_rosacea"])})),
    )
    .send()
    .await
    .unwrap();
    let review = expect(r, StatusCode::OK).await;
    assert_eq!(
        (
            review["outcome"].as_str().unwrap(),
            review["appointment"]["status"].as_str().unwrap()
        ),
        ("needs_review", "booked")
    );
    // That session cannot be checked in until a clinician approves the re-confirmation.
    // (The client signed the consent, which covers the whole course.)
    app.sign_consent(&course[0].id).await;
    app.advance_to_before(&course[0].start, 30);
    let desk = app.admin().await; // staff sessions last 12 hours
    let check_in = format!("/api/v1/staff/appointments/{}/check-in", course[0].id);
    let e = expect_error(
        app.post_auth(&check_in, &desk, &json!({})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(
        e["error"]["message"].as_str().unwrap().contains("review"),
        "{e}"
    );
    let d = &course[0].start[..10];
    let cal = expect(
        app.get_auth(&format!("/api/v1/staff/calendar?from={d}&to={d}"), &desk)
            .await,
        StatusCode::OK,
    )
    .await;
    let pending = &cal["appointments"][0]["reconfirmation"];
    assert_eq!(pending["outcome"], "needs_review");
    assert!(pending["review_decision"].is_null());
    let screening = pending["screening_id"].as_str().unwrap().to_owned();
    expect(
        app.post_auth(
            &format!("/api/v1/staff/screenings/{screening}/review"),
            &desk,
            &json!({"decision": "approve", "note": "checked in person"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let checked = expect(
        app.post_auth(&check_in, &desk, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(checked["status"], "checked_in");
    // An eligible re-confirmation lets its session be checked in.
    app.advance_to_before(&course[1].start, 30);
    let desk = app.admin().await; // staff sessions last 12 hours
    let cleared = format!("/api/v1/staff/appointments/{}/check-in", course[1].id);
    expect(
        app.post_auth(&cleared, &desk, &json!({})).await,
        StatusCode::OK,
    )
    .await;
    // A cancelled session cannot be re-confirmed.
    let r = call(
        &app,
        Method::POST,
        &path(2),
        Some(&token),
        Some(json!({"answers": answers(&[])})),
    )
    .send()
    .await
    .unwrap();
    expect_error(r, StatusCode::CONFLICT, "conflict").await;
}

async fn erasure_leaves_no_trace(db: Db) {
    use dermadesk::store::entities as e;
    let (app, sink) = spawn_mail(db, |_| {}).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app
        .post("/api/v1/screenings", &json!({"client": {"name": "Zelda Zimmermann", "email": "zelda@example.com", "phone": "+49 171 5550123"},
            "answers": answers(&["sensitive_skin_or_rosacea"]), "concerns": ["acne_scars"]}))
        .await;
    let s = expect(s, StatusCode::CREATED).await;
    let client_id = s["client_id"].as_str().unwrap().to_owned();
    let admin = app.admin().await;
    let sid = s["id"].as_str().unwrap();
    expect(
        app.post_auth(
            &format!("/api/v1/staff/screenings/{sid}/review"),
            &admin,
            &json!({"decision": "approve", "note": "Zelda seen in person"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // A course of three from tomorrow: the first session is done (aftercare planned), the
    // other two are still ahead (prep and day_before planned) when the client is erased.
    let b = json!({"screening_id": sid, "service": "microneedling", "start": local_at(1, 10, 0), "practitioner_id": p, "sessions": 3});
    let b = expect(app.book(b).await, StatusCode::CREATED).await;
    app.dispatch().await;
    let first = b["appointments"][0]["id"].as_str().unwrap();
    let first_start: jiff::Timestamp = b["appointments"][0]["start"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    app.advance_to(first_start - jiff::SignedDuration::from_hours(1));
    app.dispatch().await;
    let admin = app.admin().await;
    // The client signs the consent at the desk, typing the full name.
    expect(
        app.post_auth(
            &format!("/api/v1/staff/appointments/{first}/consent"),
            &admin,
            &json!({"full_name": "Zelda Zimmermann", "agree": true}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    for step in ["check-in", "complete"] {
        expect(
            app.post_auth(
                &format!("/api/v1/staff/appointments/{first}/{step}"),
                &admin,
                &json!({}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
    }
    // The practitioner's session record (health data).
    expect(
        app.put_auth(
            &format!("/api/v1/staff/appointments/{first}/notes"),
            &admin,
            &json!({"needle_depth_mm": 0.5, "areas": ["cheeks"], "notes": "Zelda flushed quickly"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Export first (access request): everything, answers included.
    let export = expect(
        app.get_auth(&format!("/api/v1/staff/clients/{client_id}/export"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(export["client"]["email"], "zelda@example.com");
    assert_eq!(
        export["screenings"][0]["answers"]["sensitive_skin_or_rosacea"],
        true
    );
    assert_eq!(export["appointments"].as_array().unwrap().len(), 3);
    let signed = &export["consents"][0];
    assert_eq!(signed["full_name"], "Zelda Zimmermann");
    assert_eq!(signed["via"], "desk");
    assert!(signed["version"].is_string() && signed["signed_at"].is_string());
    assert_eq!(export["session_notes"][0]["needle_depth_mm"], 0.5);
    assert_eq!(export["session_notes"][0]["areas"], json!(["cheeks"]));
    assert_eq!(export["session_notes"][0]["notes"], "Zelda flushed quickly");
    // Only admins erase.
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/staff/clients/{client_id}")))
        .bearer_auth(&desk)
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/staff/clients/{client_id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let erased = expect(r, StatusCode::OK).await;
    assert_eq!(erased["cancelled_appointments"], 2);
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/staff/clients/{client_id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::CONFLICT, "conflict").await;
    // No table holds the answers or the contact data any more.
    let db = &app.state.db;
    let dump = format!(
        "{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
        e::client::Entity::find().all(db).await.unwrap(),
        e::screening::Entity::find().all(db).await.unwrap(),
        e::booking::Entity::find().all(db).await.unwrap(),
        e::appointment::Entity::find().all(db).await.unwrap(),
        e::outbox::Entity::find().all(db).await.unwrap(),
        e::audit_log::Entity::find().all(db).await.unwrap(),
        e::staff_user::Entity::find().all(db).await.unwrap(),
    ) + &format!(
        "{:?}{:?}",
        e::consent::Entity::find().all(db).await.unwrap(),
        e::session_note::Entity::find().all(db).await.unwrap(),
    );
    for trace in [
        "zelda",
        "Zelda",
        "Zimmermann",
        "5550123",
        "sensitive_skin",
        "acne_scars",
        "seen in person",
        "flushed",
    ] {
        assert!(!dump.contains(trace), "{trace} survived erasure");
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM screenings").await, 0);
    // Session records are deleted; the consent signature stays as a medical-legal record
    // (version, time, where, the staff user) without the typed name (README, Privacy).
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM session_notes").await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM consents WHERE full_name IS NULL AND source = 'desk'")
            .await,
        1
    );
    let export = expect(
        app.get_auth(&format!("/api/v1/staff/clients/{client_id}/export"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(export["consents"][0]["full_name"].is_null(), "{export}");
    assert!(export["consents"][0]["version"].is_string(), "{export}");
    assert_eq!(export["session_notes"], json!([]));
    // History stays as anonymous counts.
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM appointments WHERE status = 'cancelled'")
            .await,
        2
    );
    // The manage token shown at booking no longer opens anything.
    let token = b["manage_token"].as_str().unwrap();
    let second = b["appointments"][1]["id"].as_str().unwrap();
    expect_error(
        call(
            &app,
            Method::GET,
            &format!("/api/v1/bookings/{second}"),
            Some(token),
            None,
        )
        .send()
        .await
        .unwrap(),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    // Nothing is mailed to an erased client: walk the clock past every due time the outbox
    // ever held for the course (the aftercare of session 1, prep and day_before of sessions
    // 2 and 3), one at a time so that nothing expires unseen, and run the dispatcher at each.
    let mailed_before = sink.mails().len();
    let now = dermadesk::domain::time::to_db(app.state.now());
    let ahead: Vec<(i64, String)> = e::outbox::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.due_at > now)
        .map(|m| (m.due_at, m.kind.as_str().to_owned()))
        .collect();
    let kinds: std::collections::BTreeSet<&str> = ahead.iter().map(|(_, k)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "day_before",
            "follow_up",
            "irritation_check",
            "prep",
            "soothing"
        ]
        .into(),
        "the walk covers every kind still ahead"
    );
    let mut due: Vec<i64> = ahead.iter().map(|(t, _)| *t).collect();
    due.sort_unstable();
    due.dedup();
    for t in due {
        app.advance_to(dermadesk::domain::time::from_db(t + 60));
        let r = app.dispatch().await;
        assert_eq!((r.claimed, r.sent), (0, 0), "at {t}: {r:?}");
    }
    assert_eq!(sink.mails().len(), mailed_before, "no email after erasure");
}

async fn rate_limits_answer_429(db: Db) {
    let app = spawn_with(db, |s| {
        s.rate_limit.public_per_minute = 3;
        s.rate_limit.login_per_minute = 2;
    })
    .await;
    let body = json!({"client": {"name": "A", "email": "a@example.com"}, "answers": answers(&[])});
    for _ in 0..3 {
        expect(
            app.post("/api/v1/screenings", &body).await,
            StatusCode::CREATED,
        )
        .await;
    }
    let r = app.post("/api/v1/screenings", &body).await;
    assert_eq!(r.headers()["retry-after"], "60");
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, "rate_limited").await;
    // Other routes are not limited; login has its own budget.
    expect(app.get("/api/v1/services").await, StatusCode::OK).await;
    let login = json!({"email": "x@example.com", "password": "wrong-wrong"});
    for _ in 0..2 {
        expect_error(
            app.post("/api/v1/auth/login", &login).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
    }
    expect_error(
        app.post("/api/v1/auth/login", &login).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
}

/// Behind a trusted proxy each client has its own budget (named by `X-Forwarded-For`); a
/// client cannot dodge its limit by writing the header itself.
async fn rate_limits_see_through_a_trusted_proxy(db: Db) {
    let app = spawn_with(db, |s| {
        s.rate_limit.public_per_minute = 2;
        s.rate_limit.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let body = json!({"client": {"name": "A", "email": "a@example.com"}, "answers": answers(&[])});
    let via = |forwarded: &'static str| {
        app.client
            .post(app.url("/api/v1/screenings"))
            .header("X-Forwarded-For", forwarded)
            .json(&body)
            .send()
    };
    for _ in 0..2 {
        expect(via("198.51.100.1").await.unwrap(), StatusCode::CREATED).await;
    }
    // Forging an extra address on the left changes nothing: the proxy appended the real one.
    expect_error(
        via("1.2.3.4, 198.51.100.1").await.unwrap(),
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
    )
    .await;
    // Another client behind the same proxy has its own budget.
    expect(via("198.51.100.2").await.unwrap(), StatusCode::CREATED).await;
}

on_both!(
    rate_limits_see_through_a_trusted_proxy,
    a_token_reaches_only_its_own_booking,
    clients_change_only_outside_the_notice_window,
    a_new_contraindication_at_reconfirmation_cancels_the_session,
    erasure_leaves_no_trace,
    rate_limits_answer_429,
);

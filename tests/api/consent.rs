//! Consent before the needle: a microneedling visit is checked in only with a signature of the
//! current consent version for its booking, signed by the client (manage token or an email
//! link's secret) or at the desk; a signature is never changed; it is part of the export and
//! erasure keeps it without the typed name.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Db, TestApp, expect, expect_error, local_at, spawn, spawn_mail},
    on_both,
};

/// Books microneedling (`sessions` of a course) for a new eligible client; returns the answer.
async fn book(app: &TestApp, email: &str, p: &str, days: i64, sessions: u32) -> Value {
    let s = app.eligible(email).await;
    let b = json!({"screening_id": s, "service": "microneedling", "start": local_at(days, 10, 0),
        "practitioner_id": p, "sessions": sessions});
    expect(app.book(b).await, StatusCode::CREATED).await
}

fn id(b: &Value, i: usize) -> String {
    b["appointments"][i]["id"].as_str().unwrap().to_owned()
}

fn start(b: &Value, i: usize) -> String {
    b["appointments"][i]["start"].as_str().unwrap().to_owned()
}

async fn calendar_consent(app: &TestApp, token: &str, start: &str, id: &str) -> Value {
    let d = &start[..10];
    let cal = expect(
        app.get_auth(&format!("/api/v1/staff/calendar?from={d}&to={d}"), token)
            .await,
        StatusCode::OK,
    )
    .await;
    cal["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap()["consent"]
        .clone()
}

async fn check_in(app: &TestApp, token: &str, id: &str) -> reqwest::Response {
    app.post_auth(
        &format!("/api/v1/staff/appointments/{id}/check-in"),
        token,
        &json!({}),
    )
    .await
}

async fn consent_is_signed_by_the_client_before_check_in(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let admin = app.admin().await;
    let b = book(&app, "ana@example.com", &p, 2, 1).await;
    let token = b["manage_token"].as_str().unwrap().to_owned();
    let (a, at) = (id(&b, 0), start(&b, 0));
    let consent = format!("/api/v1/bookings/{a}/consent");

    // The text in force, nobody signed yet; the calendar says so.
    let c = expect(app.get_auth(&consent, &token).await, StatusCode::OK).await;
    assert_eq!(c["required"], true);
    assert_eq!(c["state"], "missing");
    assert!(c["signed"].is_null(), "{c}");
    let version = c["version"].as_str().unwrap().to_owned();
    let text = c["text"].as_str().unwrap();
    assert!(
        text.contains("Risks") && text.contains("Aftercare"),
        "{text}"
    );
    assert!(
        text.contains("SPF 50+"),
        "aftercare from CLINICAL.md: {text}"
    );
    assert_eq!(calendar_consent(&app, &admin, &at, &a).await, "missing");
    let whole = expect(
        app.get_auth("/api/v1/booking", &token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(whole["appointments"][0]["consent"], "missing", "{whole}");
    // Without a credential, or with another booking's token, nothing.
    expect_error(
        app.get(&consent).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let other = book(&app, "bea@example.com", &p, 3, 1).await;
    let other_token = other["manage_token"].as_str().unwrap();
    expect_error(
        app.get_auth(&consent, other_token).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // Check-in without a signature: 409 consent_missing in plain words; the visit stays booked.
    app.advance_to_before(&at, 30);
    // Staff sessions last 12 hours: sign in again after the clock moved.
    let admin = app.admin().await;
    let e = expect_error(
        check_in(&app, &admin, &a).await,
        StatusCode::CONFLICT,
        "consent_missing",
    )
    .await;
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains("signed consent"), "{msg}");

    // Both fields are checked and named at once; nothing is stored.
    for bad in [json!({}), json!({"full_name": "   ", "agree": false})] {
        let e = expect_error(
            app.post_auth(&consent, &token, &bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        let d = &e["error"]["details"];
        assert!(d["full_name"].is_string() && d["agree"].is_string(), "{e}");
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM consents").await, 0);

    // Signed: 201 with who, when, which version, from where.
    let s = expect(
        app.post_auth(
            &consent,
            &token,
            &json!({"full_name": "  Ana Lima ", "agree": true}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(s["state"], "signed");
    assert_eq!(s["signed"]["by"], "Ana Lima");
    assert_eq!(s["signed"]["version"], version.as_str());
    assert_eq!(s["signed"]["via"], "client_link");
    assert!(s["signed"]["staff_user_id"].is_null());
    let signed_at = s["signed"]["at"].as_str().unwrap().to_owned();

    // Immutable: signing again (another name) answers the first signature, writes nothing.
    app.advance(std::time::Duration::from_secs(60));
    let again = expect(
        app.post_auth(
            &consent,
            &token,
            &json!({"full_name": "Someone Else", "agree": true}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["signed"]["by"], "Ana Lima");
    assert_eq!(again["signed"]["at"], signed_at.as_str());
    let desk_again = expect(
        app.post_auth(
            &format!("/api/v1/staff/appointments/{a}/consent"),
            &admin,
            &json!({"full_name": "Desk Name", "agree": true}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(desk_again["signed"]["via"], "client_link");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM consents").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM consents WHERE full_name = 'Ana Lima'")
            .await,
        1
    );

    // The desk sees it, and check-in passes.
    assert_eq!(calendar_consent(&app, &admin, &at, &a).await, "signed");
    let whole = expect(
        app.get_auth("/api/v1/booking", &token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(whole["appointments"][0]["consent"], "signed", "{whole}");
    let staff_view = expect(
        app.get_auth(&format!("/api/v1/staff/appointments/{a}/consent"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(staff_view["signed"]["by"], "Ana Lima");
    expect(check_in(&app, &admin, &a).await, StatusCode::OK).await;
    // The client cannot sign once the visit has started.
    app.advance_to_before(&start(&other, 0), -1);
    let other_id = id(&other, 0);
    expect_error(
        app.post_auth(
            &format!("/api/v1/bookings/{other_id}/consent"),
            other_token,
            &json!({"full_name": "Bea", "agree": true}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    // Audited, without the name.
    let admin = app.admin().await;
    let audit = expect(
        app.get_auth(&format!("/api/v1/staff/audit?subject_id={a}"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    let text = audit.to_string();
    assert!(text.contains("consent.sign"), "{text}");
    assert!(!text.contains("Ana Lima"), "{text}");
}

on_both!(consent_is_signed_by_the_client_before_check_in);

async fn consent_by_email_link_and_at_the_desk(db: Db) {
    let (app, sink) = spawn_mail(db, |s| {
        s.clinic.public_url = "https://book.clinic.example".to_owned();
    })
    .await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    // A course of two: one signature from the confirmation email's link covers both sessions.
    let course = book(&app, "ana@example.com", &p, 2, 2).await;
    app.dispatch().await;
    let mail = sink
        .of_kind("booking_confirmation")
        .into_iter()
        .next()
        .expect("a confirmation");
    let text = mail.text();
    let prefix = "https://book.clinic.example/manage#";
    let at = text.find(prefix).expect("a manage link");
    let secret: String = text[at + prefix.len()..].chars().take(64).collect();
    let first = id(&course, 0);
    let s = expect(
        app.post_auth(
            &format!("/api/v1/bookings/{first}/consent"),
            &secret,
            &json!({"full_name": "Ana Lima", "agree": true}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(s["signed"]["via"], "client_link");
    let second = id(&course, 1);
    let c = expect(
        app.get_auth(&format!("/api/v1/bookings/{second}/consent"), &secret)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["state"], "signed", "the course is covered: {c}");

    // At the desk: reception and practitioners may record it; the staff user is kept.
    let b = book(&app, "bea@example.com", &p, 3, 1).await;
    let a = id(&b, 0);
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    let path = format!("/api/v1/staff/appointments/{a}/consent");
    expect_error(
        app.post_auth(&path, &desk, &json!({"full_name": "Bea Berg"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let s = expect(
        app.post_auth(
            &path,
            &desk,
            &json!({"full_name": "Bea Berg", "agree": true}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(s["signed"]["via"], "desk");
    assert!(s["signed"]["staff_user_id"].is_string(), "{s}");
    app.advance_to_before(&start(&b, 0), 30);
    let desk = app.login("desk@clinic.example", "staff-password-1").await;
    expect(check_in(&app, &desk, &a).await, StatusCode::OK).await;

    // A consultation needs none: no text, check-in without one.
    let cons = json!({"service": "skin_consultation", "start": local_at(4, 10, 0),
        "practitioner_id": p, "client": {"name": "Cem", "email": "cem@example.com"}});
    let cons = app.book(cons).await;
    let cons = expect(cons, StatusCode::CREATED).await;
    let cid = id(&cons, 0);
    let c = expect(
        app.get_auth(&format!("/api/v1/staff/appointments/{cid}/consent"), &desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(c["required"], false);
    assert_eq!(c["state"], "not_needed");
    assert!(c["text"].is_null());
    expect_error(
        app.post_auth(
            &format!("/api/v1/staff/appointments/{cid}/consent"),
            &desk,
            &json!({"full_name": "Cem", "agree": true}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    app.advance_to_before(&start(&cons, 0), 30);
    let desk = app.login("desk@clinic.example", "staff-password-1").await;
    expect(check_in(&app, &desk, &cid).await, StatusCode::OK).await;
}

on_both!(consent_by_email_link_and_at_the_desk);

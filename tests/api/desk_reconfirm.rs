//! Re-confirmation recorded at the desk, and check-in of a repeat session that waits for one.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Db, TestApp, answers, expect, expect_error, local_at, spawn_mail},
    on_both,
};

/// A course of `sessions` for a new eligible client, every 28 days from `days` ahead at 10:00;
/// returns each session's `(id, start)`. The consent is signed.
async fn course(
    app: &TestApp,
    email: &str,
    p: &str,
    days: i64,
    sessions: u32,
) -> Vec<(String, String)> {
    let s = app.eligible(email).await;
    let b = json!({"screening_id": s, "service": "microneedling", "start": local_at(days, 10, 0),
        "practitioner_id": p, "sessions": sessions});
    let b = expect(app.book(b).await, StatusCode::CREATED).await;
    // The client signs the consent once for the course (check-in needs it too).
    app.sign_consent(b["appointments"][0]["id"].as_str().unwrap())
        .await;
    b["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_owned(),
                a["start"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn calendar_row(app: &TestApp, token: &str, start: &str, id: &str) -> Value {
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
        .cloned()
        .unwrap()
}

fn path(id: &str, what: &str) -> String {
    format!("/api/v1/staff/appointments/{id}/{what}")
}

async fn a_repeat_session_is_checked_in_only_after_a_reconfirmation(db: Db) {
    let (app, sink) = spawn_mail(db, |_| {}).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let admin = app.admin().await;
    let s = course(&app, "ana@example.com", &p, 2, 3).await;
    app.dispatch().await;

    // Session 1 needs none: it was booked on a fresh screening.
    assert_eq!(
        calendar_row(&app, &admin, &s[0].1, &s[0].0).await["reconfirmation_state"],
        "not_needed"
    );
    assert_eq!(
        calendar_row(&app, &admin, &s[1].1, &s[1].0).await["reconfirmation_state"],
        "missing"
    );

    // Session 2, at the desk half an hour before: check-in is refused in plain words.
    app.advance_to_before(&s[1].1, 30);
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    let e = expect_error(
        app.post_auth(&path(&s[1].0, "check-in"), &desk, &json!({}))
            .await,
        StatusCode::CONFLICT,
        "reconfirmation_missing",
    )
    .await;
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains("health answers"), "{msg}");

    // A practitioner login may not record answers; bad answers are named, nothing is stored.
    let clinician = app
        .staff_user("lena@clinic.example", "practitioner", Some(&p))
        .await;
    expect_error(
        app.post_auth(
            &path(&s[1].0, "reconfirm"),
            &clinician,
            &json!({"answers": answers(&[])}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let mut partial = answers(&[]);
    partial.as_object_mut().unwrap().remove("pregnant");
    let e = expect_error(
        app.post_auth(
            &path(&s[1].0, "reconfirm"),
            &desk,
            &json!({"answers": partial}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["error"]["details"]["answers.pregnant"].is_string(), "{e}");
    assert_eq!(
        calendar_row(&app, &desk, &s[1].1, &s[1].0).await["reconfirmation_state"],
        "missing"
    );

    // The desk asks the questions: all clear, then check-in passes.
    let ok = expect(
        app.post_auth(
            &path(&s[1].0, "reconfirm"),
            &desk,
            &json!({"answers": answers(&[])}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ok["outcome"], "eligible");
    assert_eq!(ok["appointment"]["status"], "booked");
    let row = calendar_row(&app, &desk, &s[1].1, &s[1].0).await;
    assert_eq!(row["reconfirmation_state"], "passed");
    assert_eq!(row["reconfirmation"]["outcome"], "eligible");
    // The client's screening history tells the re-confirmation from the first screening.
    let client = row["client"]["id"].as_str().unwrap();
    let history = expect(
        app.get_auth(&format!("/api/v1/staff/clients/{client}/screenings"), &desk)
            .await,
        StatusCode::OK,
    )
    .await;
    let mut kinds: Vec<(bool, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["reconfirmation"].as_bool().unwrap(),
                r["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [(false, "eligible"), (true, "eligible")],
        "{history}"
    );
    expect(
        app.post_auth(&path(&s[1].0, "check-in"), &desk, &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;

    // Audited as the staff user who recorded it, with no answer in the details.
    let admin = app.admin().await; // staff sessions last 12 hours
    let audit = expect(
        app.get_auth(
            &format!("/api/v1/staff/audit?subject_id={}", s[1].0),
            &admin,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let rec = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "appointment.reconfirm")
        .unwrap_or_else(|| panic!("{audit}"));
    assert_eq!(rec["actor"], "staff", "{rec}");
    assert!(rec["actor_user_id"].is_string(), "{rec}");
    assert!(!rec.to_string().contains("pregnant"), "{rec}");

    // Session 3 (after the clock moves on): a needs-review answer at the desk keeps the visit
    // booked and blocks check-in until a clinician approves it.
    app.advance_to_before(&s[2].1, 30);
    let desk = app.login("desk@clinic.example", "staff-password-1").await;
    let review = expect(
        app.post_auth(
            &path(&s[2].0, "reconfirm"),
            &desk,
            &json!({"answers": answers(&["sensitive_skin_or_rosacea"])}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(review["outcome"], "needs_review");
    let row = calendar_row(&app, &desk, &s[2].1, &s[2].0).await;
    assert_eq!(row["reconfirmation_state"], "needs_review");
    let e = expect_error(
        app.post_auth(&path(&s[2].0, "check-in"), &desk, &json!({}))
            .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(
        e["error"]["message"].as_str().unwrap().contains("review"),
        "{e}"
    );
    // Neither re-confirmation cancelled anything, so no client was told of one.
    app.dispatch().await;
    assert!(sink.of_kind("cancellation").is_empty());
}

async fn a_contraindication_at_the_desk_cancels_the_visit(db: Db) {
    let (app, sink) = spawn_mail(db, |_| {}).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = course(&app, "bo@example.com", &p, 2, 2).await;
    app.dispatch().await;
    // The client arrives a few minutes late: the desk may still record answers (until the end).
    app.advance_to_before(&s[1].1, -5);
    let desk = app.admin().await;
    let r = expect(
        app.post_auth(
            &path(&s[1].0, "reconfirm"),
            &desk,
            &json!({"answers": answers(&["pregnant"])}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["outcome"], "contraindicated");
    assert_eq!(r["appointment"]["status"], "cancelled");
    assert_eq!(r["reasons"][0]["question"], "pregnant");
    let row = calendar_row(&app, &desk, &s[1].1, &s[1].0).await;
    assert_eq!(
        (row["status"].as_str(), row["reconfirmation_state"].as_str()),
        (Some("cancelled"), Some("contraindicated"))
    );
    // The client is told through the lifecycle door's cancellation email, without the reason.
    assert_eq!(app.dispatch().await.sent, 1);
    let mail = &sink.of_kind("cancellation")[0];
    assert_eq!(mail.header("X-Dermadesk-Appointment"), s[1].0);
    assert!(!mail.text().to_lowercase().contains("pregnan"));
    // It names the session, asks the client to call (not to book online again), and lists no
    // other session: session 1 lies in the past.
    let text = mail.text();
    assert!(text.contains("(session 2)"), "{text}");
    assert!(text.contains("Please call us"), "{text}");
    assert!(
        !text.contains("To book again") && !text.contains("stay booked"),
        "{text}"
    );
    // A cancelled visit cannot be re-confirmed again; an unknown one is 404.
    expect_error(
        app.post_auth(
            &path(&s[1].0, "reconfirm"),
            &desk,
            &json!({"answers": answers(&[])}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    expect_error(
        app.post_auth(
            &path("6f1c7f66-3c5e-4c2a-9d7e-5f2a1d0c9b11", "reconfirm"),
            &desk,
            &json!({"answers": answers(&[])}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

on_both!(
    a_repeat_session_is_checked_in_only_after_a_reconfirmation,
    a_contraindication_at_the_desk_cancels_the_visit,
);

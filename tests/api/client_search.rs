//! The desk finds a known client when booking (`GET /api/v1/staff/clients?q=`) with the
//! screening it may book with, and a clinician reads a client's screening history
//! (`GET /api/v1/staff/clients/{id}/screenings`).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Db, TestApp, answers, expect, expect_error, spawn},
    on_both,
};

/// A screening for `name` / `email` / `phone` with `yes` answered yes; returns its JSON.
async fn screen(
    app: &TestApp,
    name: &str,
    email: &str,
    phone: Option<&str>,
    yes: &[&str],
) -> Value {
    let body =
        json!({"client": {"name": name, "email": email, "phone": phone}, "answers": answers(yes)});
    expect(
        app.post("/api/v1/screenings", &body).await,
        StatusCode::CREATED,
    )
    .await
}

/// The search's answer for `q` with `token`, asserting 200.
async fn search(app: &TestApp, token: &str, q: &str) -> Value {
    let path = format!("/api/v1/staff/clients?q={}", urlencode(q));
    expect(app.get_auth(&path, token).await, StatusCode::OK).await
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The names found for `q`.
async fn names(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    search(app, token, q).await["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_search_matches_name_email_or_phone(db: Db) {
    let app = spawn(db).await;
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    let anna = screen(
        &app,
        "Anna Keller",
        "anna.k@example.com",
        Some("030 123 4567"),
        &[],
    )
    .await;
    screen(
        &app,
        "Bernd Anders",
        "bernd@example.org",
        Some("+49 171 9999"),
        &[],
    )
    .await;
    screen(&app, "Max_Muster", "max1@example.net", None, &[]).await;
    screen(&app, "Maxim Muster", "max2@example.net", None, &[]).await;
    screen(&app, "Özlem Ünal", "oezlem@example.com", None, &[]).await;

    // by part of the name, any case; the answer carries the contact details and the screening
    let r = search(&app, &desk, "KELL").await;
    assert_eq!(r["more"], false);
    let found = r["clients"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{r}");
    assert_eq!(found[0]["id"], anna["client_id"]);
    assert_eq!(found[0]["email"], "anna.k@example.com");
    assert_eq!(found[0]["phone"], "030 123 4567");
    assert_eq!(found[0]["screening"]["id"], anna["id"]);
    // "an" is in Anna, Bernd Anders and in no other; ordered by name
    assert_eq!(
        names(&app, &desk, "an").await,
        ["Anna Keller", "Bernd Anders"]
    );
    // by part of the email, and of the phone as typed or by its digits alone
    assert_eq!(names(&app, &desk, "Anna.K@EX").await, ["Anna Keller"]);
    assert_eq!(names(&app, &desk, "123 45").await, ["Anna Keller"]);
    assert_eq!(names(&app, &desk, "0301234567").await, ["Anna Keller"]);
    assert_eq!(names(&app, &desk, "4917199").await, ["Bernd Anders"]);
    // a name with capital non-ASCII letters, typed as stored (both sides are folded by the
    // same database function, so this holds on SQLite too, which folds ASCII only)
    assert_eq!(names(&app, &desk, "Özlem Ü").await, ["Özlem Ünal"]);
    assert_eq!(names(&app, &desk, "LEM ÜN").await, ["Özlem Ünal"]);
    // LIKE's wildcards are taken literally: "_" is an underscore, "%" a percent sign
    assert_eq!(names(&app, &desk, "x_m").await, ["Max_Muster"]);
    assert!(names(&app, &desk, "%%").await.is_empty());
    assert!(names(&app, &desk, "nobody here").await.is_empty());

    // fewer than 2 characters (after trimming), or no q at all: 422 naming q
    for path in [
        "/api/v1/staff/clients?q=a",
        "/api/v1/staff/clients?q=%20a%20",
        "/api/v1/staff/clients?q=",
    ] {
        let body = expect_error(
            app.get_auth(path, &desk).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(body["error"]["details"]["q"].is_string(), "{path}: {body}");
    }
    let long = format!("/api/v1/staff/clients?q={}", "x".repeat(101));
    expect_error(
        app.get_auth(&long, &desk).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let body = expect_error(
        app.get_auth("/api/v1/staff/clients", &desk).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(body["error"]["details"]["q"].is_string(), "no q: {body}");
}

async fn at_most_twenty_are_listed(db: Db) {
    let app = spawn(db).await;
    let admin = app.admin().await;
    for i in 0..23 {
        screen(
            &app,
            &format!("Lee {i:02}"),
            &format!("lee{i}@example.com"),
            None,
            &[],
        )
        .await;
    }
    let r = search(&app, &admin, "lee").await;
    let found = r["clients"].as_array().unwrap();
    assert_eq!(found.len(), 20);
    assert_eq!(r["more"], true);
    assert_eq!(found[0]["name"], "Lee 00");
    assert_eq!(found[19]["name"], "Lee 19");
}

async fn erased_clients_are_never_listed(db: Db) {
    let app = spawn(db).await;
    let admin = app.admin().await;
    let gone = screen(
        &app,
        "Greta Gone",
        "greta@example.com",
        Some("040 55555"),
        &[],
    )
    .await;
    screen(&app, "Greta Stays", "greta.stays@example.com", None, &[]).await;
    let id = gone["client_id"].as_str().unwrap();
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/staff/clients/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    expect(r, StatusCode::OK).await;
    assert_eq!(names(&app, &admin, "greta").await, ["Greta Stays"]);
    // neither by the words the erasure put in place
    for q in ["erased", "@invalid", id] {
        assert!(names(&app, &admin, q).await.is_empty(), "{q}");
    }
}

async fn only_the_desk_searches(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Vogt", "09:00", "17:00").await;
    screen(&app, "Ida Role", "ida@example.com", None, &[]).await;
    let reception = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    let practitioner = app
        .staff_user("vogt@clinic.example", "practitioner", Some(&p))
        .await;
    let admin = app.admin().await;
    for token in [&reception, &admin] {
        assert_eq!(names(&app, token, "ida").await, ["Ida Role"]);
    }
    let r = app
        .get_auth("/api/v1/staff/clients?q=ida", &practitioner)
        .await;
    expect_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app.get("/api/v1/staff/clients?q=ida").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

async fn the_newest_valid_screening_is_listed_never_an_expired_one(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Vogt", "09:00", "17:00").await;
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    // the clinician's login (used after the clock moved: sessions last `auth.token_ttl`)
    app.staff_user("vogt@clinic.example", "practitioner", Some(&p))
        .await;
    let first = screen(
        &app,
        "Vera Valid",
        "vera@example.com",
        None,
        &["local_anaesthetic_allergy"],
    )
    .await;
    let s = &search(&app, &desk, "vera").await["clients"][0]["screening"];
    assert_eq!(s["id"], first["id"]);
    assert_eq!(s["outcome"], "eligible");
    assert_eq!(s["allows_booking"], true);
    assert_eq!(s["numbing_cream_allowed"], false);
    assert_eq!(s["valid_until"], first["valid_until"]);
    assert!(s["eligible_from"].is_null());

    // past booking.screening_valid_for (30 days): no screening to book with (the staff
    // sessions expired meanwhile: sign in again)
    app.advance(Duration::from_secs(31 * 86_400));
    let desk = app.login("desk@clinic.example", "staff-password-1").await;
    let clinician = app.login("vogt@clinic.example", "staff-password-1").await;
    let c = &search(&app, &desk, "vera").await["clients"][0];
    assert_eq!(c["name"], "Vera Valid");
    assert!(c["screening"].is_null(), "{c}");

    // a newer screening that awaits review is listed, but booking would not take it
    let second = screen(
        &app,
        "Vera Valid",
        "vera@example.com",
        None,
        &["sensitive_skin_or_rosacea"],
    )
    .await;
    let s = &search(&app, &desk, "vera").await["clients"][0]["screening"];
    assert_eq!(s["id"], second["id"]);
    assert_eq!(s["outcome"], "needs_review");
    assert_eq!(s["allows_booking"], false);
    assert!(s["review_decision"].is_null());
    assert_eq!(s["numbing_cream_allowed"], true);
    // approved by a clinician, it may be booked with
    let path = format!(
        "/api/v1/staff/screenings/{}/review",
        second["id"].as_str().unwrap()
    );
    let r = app
        .post_auth(
            &path,
            &clinician,
            &json!({"decision": "approve", "note": "calm skin"}),
        )
        .await;
    expect(r, StatusCode::OK).await;
    let s = &search(&app, &desk, "vera").await["clients"][0]["screening"];
    assert_eq!(s["review_decision"], "approve");
    assert_eq!(s["allows_booking"], true);
    // the newest valid one counts even when it rules the treatment out
    app.advance(Duration::from_secs(60));
    let third = screen(&app, "Vera Valid", "vera@example.com", None, &["pregnant"]).await;
    let s = &search(&app, &desk, "vera").await["clients"][0]["screening"];
    assert_eq!(s["id"], third["id"]);
    assert_eq!(s["outcome"], "contraindicated");
    assert_eq!(s["allows_booking"], false);
}

async fn a_search_is_audited_without_its_text(db: Db) {
    let app = spawn(db).await;
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    let admin = app.admin().await;
    let olga = screen(&app, "Olga Audit", "olga@example.com", None, &[]).await;
    screen(&app, "Otto Audit", "otto@example.com", None, &[]).await;
    search(&app, &desk, "olga").await;
    search(&app, &desk, "zzz-none").await;
    let log = expect(
        app.get_auth("/api/v1/staff/audit", &admin).await,
        StatusCode::OK,
    )
    .await;
    let rows: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "client.search")
        .collect();
    assert_eq!(rows.len(), 2, "{log}");
    // one row per search (both may share a second: order-free): who, how many, which clients
    let found = rows
        .iter()
        .find(|r| r["detail"]["matches"] == 1)
        .expect("the search that found Olga");
    let none = rows
        .iter()
        .find(|r| r["detail"]["matches"] == 0)
        .expect("the search that found nobody");
    assert_eq!(found["detail"]["clients"], json!([olga["client_id"]]));
    assert_eq!(none["detail"]["clients"], json!([]));
    assert_eq!(found["actor"], "staff");
    assert!(found["actor_user_id"].is_string());
    let text = serde_json::to_string(&rows).unwrap();
    for typed in ["olga", "zzz"] {
        assert!(
            !text.to_lowercase().contains(typed),
            "the text searched for is not kept: {text}"
        );
    }
    // a refused search writes nothing
    let r = app.get_auth("/api/v1/staff/clients?q=o", &desk).await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let n = app
        .count("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'client.search'")
        .await;
    assert_eq!(n, 2);
}

async fn the_history_lists_a_clients_screenings_newest_first(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Vogt", "09:00", "17:00").await;
    let clinician = app
        .staff_user("vogt@clinic.example", "practitioner", Some(&p))
        .await;
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    let admin = app.admin().await;
    let first = screen(&app, "Hanna History", "hanna@example.com", None, &[]).await;
    app.advance(Duration::from_secs(3600));
    let second = screen(
        &app,
        "Hanna History",
        "hanna@example.com",
        None,
        &["keloid_tendency"],
    )
    .await;
    let path = format!(
        "/api/v1/staff/screenings/{}/review",
        second["id"].as_str().unwrap()
    );
    let r = app
        .post_auth(
            &path,
            &clinician,
            &json!({"decision": "reject", "note": "keloids on both cheeks"}),
        )
        .await;
    expect(r, StatusCode::OK).await;
    app.advance(Duration::from_secs(3600));
    let third = screen(
        &app,
        "Hanna History",
        "hanna@example.com",
        None,
        &["sensitive_skin_or_rosacea"],
    )
    .await;
    // another client's screening is not in it
    screen(&app, "Other Person", "other@example.com", None, &[]).await;

    let client = third["client_id"].as_str().unwrap();
    let path = format!("/api/v1/staff/clients/{client}/screenings");
    let h = expect(app.get_auth(&path, &clinician).await, StatusCode::OK).await;
    let rows = h.as_array().unwrap();
    let ids: Vec<&Value> = rows.iter().map(|r| &r["id"]).collect();
    assert_eq!(ids, [&third["id"], &second["id"], &first["id"]], "{h}");
    assert_eq!(rows[0]["outcome"], "needs_review");
    assert!(rows[0]["review_decision"].is_null());
    assert!(rows[0]["reviewed_by"].is_null());
    assert_eq!(rows[1]["outcome"], "needs_review");
    assert_eq!(rows[1]["review_decision"], "reject");
    assert_eq!(rows[1]["review_note"], "keloids on both cheeks");
    assert_eq!(rows[1]["reviewed_by"]["email"], "vogt@clinic.example");
    assert!(rows[1]["reviewed_at"].is_string());
    assert_eq!(rows[1]["reasons"][0]["question"], "keloid_tendency");
    assert_eq!(rows[2]["outcome"], "eligible");
    assert_eq!(rows[2]["reconfirmation"], false);
    for r in rows {
        assert_eq!(r["questionnaire_version"], "2026-11-2");
        assert!(r.get("answers").is_none(), "no answers in the history: {r}");
    }
    // every staff role reads it (as screenings), each read audited on the client
    expect(app.get_auth(&path, &desk).await, StatusCode::OK).await;
    let log = expect(
        app.get_auth(&format!("/api/v1/staff/audit?subject_id={client}"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    let views: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "client.screenings.view")
        .collect();
    assert_eq!(views.len(), 2, "{log}");
    assert_eq!(views[0]["detail"]["screenings"], 3);
    assert_eq!(views[0]["subject_type"], "client");
    // an unknown client: 404; no token: 401
    let r = app
        .get_auth(
            &format!("/api/v1/staff/clients/{}/screenings", uuid::Uuid::new_v4()),
            &admin,
        )
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(app.get(&path).await.status(), StatusCode::UNAUTHORIZED);
}

on_both!(
    the_search_matches_name_email_or_phone,
    at_most_twenty_are_listed,
    erased_clients_are_never_listed,
    only_the_desk_searches,
    the_newest_valid_screening_is_listed_never_an_expired_one,
    a_search_is_audited_without_its_text,
    the_history_lists_a_clients_screenings_newest_first,
);

//! "Manage your booking" links in emails: the secret of the link in a received email opens the
//! whole booking like the manage token, only that booking, until the manage window closes or
//! the client is erased; it is stored only as a hash and never logged. A `de` clinic writes
//! German.

use std::time::Duration;

use dermadesk::config::Language;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    booking_gates::columns_holding,
    helpers::{Db, TestApp, answers, expect, expect_error, local_at, spawn_mail},
    logs, on_both,
    smtp::{Received, Sink},
};

const PUBLIC_URL: &str = "https://book.clinic.example";
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

/// The secret of the `{PUBLIC_URL}/manage#<64 hex>` link in the email's text, checking the
/// HTML part carries the same link.
fn secret_in(mail: &Received) -> String {
    let text = mail.text();
    let prefix = format!("{PUBLIC_URL}/manage#");
    let at = text
        .find(&prefix)
        .unwrap_or_else(|| panic!("{} has no link: {text}", mail.kind()));
    let secret: String = text[at + prefix.len()..].chars().take(64).collect();
    assert!(
        secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit()),
        "{secret}"
    );
    let html = mail.html();
    assert!(html.contains(&format!("manage#{secret}\"")), "{html}");
    assert!(html.contains("Manage your booking") || html.contains("Ihre Buchung verwalten"));
    secret
}

async fn start(db: Db, tweak: impl FnOnce(&mut dermadesk::config::Settings)) -> (TestApp, Sink) {
    spawn_mail(db, |s| {
        s.clinic.public_url = PUBLIC_URL.to_owned();
        tweak(s);
    })
    .await
}

async fn book(app: &TestApp, email: &str, days: i64, sessions: u32) -> Value {
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible(email).await;
    let b = json!({"screening_id": s, "service": "microneedling", "start": local_at(days, 10, 0),
        "practitioner_id": p, "sessions": sessions});
    expect(app.book(b).await, StatusCode::CREATED).await
}

fn ids(b: &Value) -> Vec<String> {
    b["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn whole(app: &TestApp, secret: &str) -> reqwest::Response {
    app.get_auth("/api/v1/booking", secret).await
}

async fn the_confirmation_link_works_like_the_manage_token(db: Db) {
    logs::capture();
    let (app, sink) = start(db, |_| {}).await;
    let b = book(&app, "ana@example.com", 5, 3).await;
    let other = book(&app, "bea@example.com", 6, 1).await;
    app.dispatch().await;
    let conf = sink
        .of_kind("booking_confirmation")
        .into_iter()
        .find(|m| m.to == ["ana@example.com"])
        .unwrap();
    let secret = secret_in(&conf);
    assert_ne!(secret, b["manage_token"].as_str().unwrap());
    let appts = ids(&b);

    // One secret opens the whole course.
    let all = expect(whole(&app, &secret).await, StatusCode::OK).await;
    assert_eq!(all["course_id"], b["course_id"]);
    assert_eq!(all["booking_id"], b["course_id"]);
    assert_eq!(all["service"], "microneedling");
    assert_eq!(all["timezone"], "Europe/Berlin");
    assert_eq!(all["clinic"]["phone"], "+49 30 0000000");
    assert_eq!(all["change_deadline_notice"], "24 hours");
    let sessions = all["appointments"].as_array().unwrap();
    assert_eq!(sessions.len(), 3);
    for (i, s) in sessions.iter().enumerate() {
        assert_eq!(s["id"], appts[i].as_str());
        assert_eq!(s["session_number"], i + 1);
        assert_eq!(s["start"], b["appointments"][i]["start"]);
        assert_eq!(s["practitioner_name"], "Dr. Rhee");
        assert_eq!(s["status"], "booked");
        assert_eq!(s["can_change"], true);
        // Repeat sessions ask for the health answers again; the first was just screened.
        assert_eq!(s["needs_reconfirmation"], i > 0, "{s}");
    }
    // The manage token answers the same.
    let by_token = expect(
        whole(&app, b["manage_token"].as_str().unwrap()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(by_token, all);

    // Every manage route takes it.
    let session = |i: usize| format!("/api/v1/bookings/{}", appts[i]);
    let one = expect(app.get_auth(&session(1), &secret).await, StatusCode::OK).await;
    assert_eq!(one["session_number"], 2);
    let ics = app
        .get_auth(&format!("{}/calendar.ics", session(1)), &secret)
        .await;
    assert_eq!(ics.status(), StatusCode::OK);
    assert!(
        ics.text()
            .await
            .unwrap()
            .contains("SUMMARY:Microneedling at")
    );
    let r = app
        .post_auth(
            &format!("{}/reconfirm", session(1)),
            &secret,
            &json!({"answers": answers(&[])}),
        )
        .await;
    assert_eq!(expect(r, StatusCode::OK).await["outcome"], "eligible");
    let moved = b["appointments"][2]["start"]
        .as_str()
        .unwrap()
        .replace("T10:00:00", "T12:00:00");
    let r = app
        .post_auth(
            &format!("{}/reschedule", session(2)),
            &secret,
            &json!({"start": moved}),
        )
        .await;
    assert_eq!(expect(r, StatusCode::OK).await["start"], moved.as_str());
    let r = app
        .post_auth(&format!("{}/cancel", session(2)), &secret, &json!({}))
        .await;
    assert_eq!(expect(r, StatusCode::OK).await["status"], "cancelled");
    let all = expect(whole(&app, &secret).await, StatusCode::OK).await;
    assert_eq!(all["appointments"][1]["needs_reconfirmation"], false);
    assert_eq!(all["appointments"][2]["status"], "cancelled");
    assert_eq!(all["appointments"][2]["can_change"], false);

    // Another booking's appointment is 404, whichever route.
    let theirs = format!("/api/v1/bookings/{}", ids(&other)[0]);
    expect_error(
        app.get_auth(&theirs, &secret).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let r = app
        .post_auth(&format!("{theirs}/cancel"), &secret, &json!({}))
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    // A secret that was never sent, or a malformed one, is 401.
    for bad in ["0".repeat(64), secret[..63].to_owned(), String::new()] {
        expect_error(
            whole(&app, &bad).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
    }
    expect_error(
        app.get("/api/v1/booking").await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;

    // Stored only as its hash: no column of any table holds the secret, whole or in part.
    for part in [&secret[..], &secret[..32], &secret[32..]] {
        let holders = columns_holding(&app, part).await;
        assert!(holders.is_empty(), "{part} stored in {holders:?}");
    }
    let hash = hex::encode(Sha256::digest(secret.as_bytes()));
    let holders = columns_holding(&app, &hash).await;
    assert_eq!(holders, vec!["manage_links.secret_hash".to_owned()]);

    // Never logged (the capture holds what every test of this process logged so far).
    let logged = logs::captured();
    assert!(logged.contains("dispatch round"), "the capture works");
    for part in [&secret[..], &secret[..32], &secret[32..]] {
        assert!(
            !logged.contains(part),
            "the link's secret reached a log line"
        );
    }
}

async fn the_link_expires_with_the_manage_window(db: Db) {
    let (app, sink) = start(db, |s| {
        s.booking.manage_token_valid_for = DAY;
    })
    .await;
    let b = book(&app, "ana@example.com", 3, 1).await;
    app.dispatch().await;
    let secret = secret_in(&sink.of_kind("booking_confirmation")[0]);
    let token = b["manage_token"].as_str().unwrap();
    expect(whole(&app, &secret).await, StatusCode::OK).await;
    // The visit's end plus a day: still open just before, closed after.
    let end: jiff::Timestamp = b["appointments"][0]["end"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    app.advance_to(end + jiff::SignedDuration::from_hours(23));
    expect(whole(&app, &secret).await, StatusCode::OK).await;
    app.advance(2 * HOUR);
    for credential in [secret.as_str(), token] {
        expect_error(
            whole(&app, credential).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
        let path = format!("/api/v1/bookings/{}", ids(&b)[0]);
        expect_error(
            app.get_auth(&path, credential).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        )
        .await;
    }
}

async fn erasure_revokes_the_links(db: Db) {
    let (app, sink) = start(db, |_| {}).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.screen("ana@example.com", &[]).await;
    let b = json!({"screening_id": s["id"], "service": "microneedling", "start": local_at(5, 10, 0),
        "practitioner_id": p});
    let booked = expect(app.book(b).await, StatusCode::CREATED).await;
    let token = booked["manage_token"].as_str().unwrap().to_owned();
    expect(whole(&app, &token).await, StatusCode::OK).await;
    app.dispatch().await;
    let secret = secret_in(&sink.of_kind("booking_confirmation")[0]);
    expect(whole(&app, &secret).await, StatusCode::OK).await;
    let admin = app.admin().await;
    let r = app
        .client
        .delete(app.url(&format!(
            "/api/v1/staff/clients/{}",
            s["client_id"].as_str().unwrap()
        )))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    expect(r, StatusCode::OK).await;
    expect_error(
        whole(&app, &secret).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    // The manage token shown at booking is revoked too.
    expect_error(
        whole(&app, &token).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM manage_links").await, 0);
}

async fn reminders_and_the_follow_up_carry_the_link(db: Db) {
    let (app, sink) = start(db, |_| {}).await;
    let b = book(&app, "ana@example.com", 5, 2).await;
    app.dispatch().await;
    let first: jiff::Timestamp = b["appointments"][0]["start"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    app.advance_to(first - jiff::SignedDuration::from_hours(72));
    app.dispatch().await;
    let prep = &sink.of_kind("prep")[0];
    let prep_secret = secret_in(prep);
    // "Confirm your health answers" points at the same page.
    assert!(
        prep.html().contains(&format!(
            "manage#{prep_secret}\">confirm your health answers again</a>"
        )),
        "{}",
        prep.html()
    );
    app.advance_to(first - jiff::SignedDuration::from_mins(15));
    app.dispatch().await;
    let day_before = secret_in(&sink.of_kind("day_before")[0]);
    let admin = app.admin().await;
    let id = &ids(&b)[0];
    // The client signs the consent from the day-before email's link.
    expect(
        app.post_auth(
            &format!("/api/v1/bookings/{id}/consent"),
            &day_before,
            &json!({"full_name": "Ana Lima", "agree": true}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    for step in ["check-in", "complete"] {
        let path = format!("/api/v1/staff/appointments/{id}/{step}");
        expect(
            app.post_auth(&path, &admin, &json!({})).await,
            StatusCode::OK,
        )
        .await;
    }
    // Soothing after 2 hours, the irritation check after a day, the follow-up after 3 days.
    for step in [3 * HOUR, 22 * HOUR, 2 * DAY] {
        app.advance(step);
        app.dispatch().await;
    }
    let follow_up = &sink.of_kind("follow_up")[0];
    assert!(follow_up.text().contains("next session"));
    let follow_secret = secret_in(follow_up);
    for kind in ["soothing", "irritation_check"] {
        let m = &sink.of_kind(kind)[0];
        assert!(!m.text().contains("/manage#"), "{kind} is about aftercare");
    }
    // Every email has its own secret, and each opens the booking.
    let confirmation = secret_in(&sink.of_kind("booking_confirmation")[0]);
    let all = [confirmation, prep_secret, day_before, follow_secret];
    for (i, s) in all.iter().enumerate() {
        assert!(!all[..i].contains(s), "secrets are fresh per email");
        let whole = expect(whole(&app, s).await, StatusCode::OK).await;
        assert_eq!(whole["appointments"][0]["status"], "completed");
    }
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM manage_links WHERE purpose = 'manage'")
            .await,
        4
    );
    // The irritation check carries its own aftercare link instead (tests/api/aftercare.rs).
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM manage_links WHERE purpose = 'aftercare'")
            .await,
        1
    );
}

async fn a_german_clinic_writes_german_with_the_link(db: Db) {
    let (app, sink) = start(db, |s| s.clinic.language = Language::De).await;
    book(&app, "ana@example.com", 5, 1).await;
    app.dispatch().await;
    let conf = &sink.of_kind("booking_confirmation")[0];
    let secret = secret_in(conf);
    assert!(
        conf.subject().starts_with("Ihr Termin: Microneedling am "),
        "{}",
        conf.subject()
    );
    assert!(conf.subject().ends_with(" Uhr"), "{}", conf.subject());
    let text = conf.text();
    for words in [
        "Guten Tag Test Client,",
        "vielen Dank für Ihre Buchung",
        "Kommen Sie mit gereinigter Haut",
        "Ihre Buchung verwalten",
        "Telefon +49 30 0000000",
    ] {
        assert!(text.contains(words), "{words}: {text}");
    }
    let weekdays = [
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
    ];
    assert!(
        weekdays.iter().any(|d| text.contains(&format!("{d}, "))),
        "{text}"
    );
    assert!(!text.contains("Dear") && !text.contains("day, "), "{text}");
    let ics = conf.ics().unwrap();
    assert!(ics.contains("SUMMARY:Microneedling bei"), "{ics}");
    expect(whole(&app, &secret).await, StatusCode::OK).await;
}

on_both!(
    the_confirmation_link_works_like_the_manage_token,
    the_link_expires_with_the_manage_window,
    erasure_revokes_the_links,
    reminders_and_the_follow_up_carry_the_link,
    a_german_clinic_writes_german_with_the_link,
);

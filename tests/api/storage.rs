//! The database keeps the closed sets closed: a status, service, outcome, message kind or role
//! that is not one of ours cannot be written, whoever writes it.

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::{
    helpers::{Db, expect, spawn},
    on_both,
};

async fn unknown_values_are_refused_by_the_database(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let b = json!({"screening_id": s, "service": "microneedling",
        "start": crate::helpers::local_at(5, 10, 0), "practitioner_id": p});
    let b = expect(app.book(b).await, StatusCode::CREATED).await;
    let id = b["appointments"][0]["id"].as_str().unwrap().to_owned();
    let backend = app.state.db.get_database_backend();
    // A calendar read writes an audit row, so every table has a row to update.
    let desk = app.admin().await;
    let d = b["appointments"][0]["start"].as_str().unwrap()[..10].to_owned();
    let calendar = format!("/api/v1/staff/calendar?from={d}&to={d}");
    expect(app.get_auth(&calendar, &desk).await, StatusCode::OK).await;
    // Rendering the confirmation makes its "Manage your booking" link (the send itself fails:
    // no SMTP server listens), so manage_links has a row too.
    app.dispatch().await;
    // A consent signature, so consents has a row too.
    app.sign_consent(&id).await;
    // Every closed-set column (the schema's own list) refuses a value outside its set.
    for (table, column, _) in migration::checked() {
        // Aftercare rows need a completed visit and a check-in: tests/api/aftercare.rs makes
        // them and tries these columns there.
        if table.starts_with("aftercare_") {
            continue;
        }
        let sql = format!("UPDATE {table} SET {column} = 'not-one-of-ours'");
        let err = app
            .state
            .db
            .execute_raw(Statement::from_string(backend, sql.clone()))
            .await
            .expect_err(&sql);
        let err = err.to_string();
        assert!(
            err.contains(column) && err.to_lowercase().contains("check")
                || err.contains(&format!("{table}_{column}_valid")),
            "{sql}: {err}"
        );
    }
    // The visit is untouched and still reads as booked.
    let cal = expect(app.get_auth(&calendar, &desk).await, StatusCode::OK).await;
    assert_eq!(cal["appointments"][0]["id"], id.as_str());
    assert_eq!(cal["appointments"][0]["status"], "booked");
}

on_both!(unknown_values_are_refused_by_the_database);

/// `dermadesk demo` fills only an empty database, through the flows: its logins work, the
/// calendar shows its bookings, and the review case waits for a clinician.
async fn the_demo_clinic_is_made_through_the_flows(db: Db) {
    let app = crate::helpers::spawn_with(db, |s| {
        s.bootstrap.admin_email = None;
        s.bootstrap.admin_password = None;
    })
    .await;
    dermadesk::demo::fill(&app.state)
        .await
        .expect("the demo fills an empty database");
    let again = dermadesk::demo::fill(&app.state)
        .await
        .expect_err("only once");
    assert!(
        again.to_string().contains("already has staff users"),
        "{again}"
    );
    let admin = app
        .login("admin@demo.example", dermadesk::demo::PASSWORD)
        .await;
    let today = jiff::Zoned::now().date();
    let (from, to) = (today, today.checked_add(jiff::ToSpan::days(30)).unwrap());
    let cal = expect(
        app.get_auth(
            &format!("/api/v1/staff/calendar?from={from}&to={to}"),
            &admin,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let visits = cal["appointments"].as_array().unwrap();
    // One single session, the first session of a course of three, a consultation (the
    // course's later sessions are four and eight weeks out).
    assert_eq!(visits.len(), 3, "{cal}");
    assert!(visits.iter().all(|v| v["status"] == "booked"));
    // The single session's consent is signed, the course's is not, the consultation needs none.
    let mut consent: Vec<&str> = visits
        .iter()
        .map(|v| v["consent"].as_str().unwrap())
        .collect();
    consent.sort_unstable();
    assert_eq!(consent, ["missing", "not_needed", "signed"], "{cal}");
    let review = expect(
        app.get_auth("/api/v1/staff/screenings?outcome=needs_review", &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(review.as_array().map(Vec::len), Some(1), "{review}");
    let hours = expect(
        app.get_auth("/api/v1/staff/practitioners", &admin).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(hours.as_array().map(Vec::len), Some(2), "{hours}");
}

on_both!(the_demo_clinic_is_made_through_the_flows);

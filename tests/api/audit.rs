//! The audit log a page at a time, and the history of a client or of a visit with the entries
//! about what belongs to them (visits, bookings, screenings).

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Db, TestApp, expect, expect_error, local_at, spawn},
    on_both,
};

/// Every entry of a query, followed page by page with `before` (`limit` each).
async fn all_pages(app: &TestApp, admin: &str, query: &str, limit: u64) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    loop {
        let before = out
            .last()
            .map(|e| format!("&before={}", e["id"].as_str().unwrap()))
            .unwrap_or_default();
        let page = expect(
            app.get_auth(
                &format!("/api/v1/staff/audit?limit={limit}{query}{before}"),
                admin,
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let page = page.as_array().unwrap().clone();
        assert!(page.len() as u64 <= limit);
        let short = (page.len() as u64) < limit;
        out.extend(page);
        if short {
            return out;
        }
    }
}

/// (action, subject) of each entry.
fn pairs(entries: &[Value]) -> BTreeSet<(String, String)> {
    entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["subject_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pair(action: &str, subject: &str) -> (String, String) {
    (action.to_owned(), subject.to_owned())
}

async fn the_audit_log_pages_and_filters_by_client_and_by_visit(db: Db) {
    let app = spawn(db).await;
    let vos = app.practitioner("Dr. Vos", "08:00", "20:00").await;
    let admin = app.admin().await;
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;

    // Anna: a course of two booked at the desk, her screening read, the consent signed on the
    // first visit, the second cancelled, the course's history read, her data exported.
    let sid = app.eligible("anna@example.com").await;
    let body = json!({"screening_id": sid, "service": "microneedling", "start": local_at(3, 10, 0),
        "practitioner_id": vos, "sessions": 2});
    let booked = expect(
        app.post_auth("/api/v1/staff/appointments", &desk, &body)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let visit = |i: usize| booked["appointments"][i]["id"].as_str().unwrap().to_owned();
    let (v1, v2) = (visit(0), visit(1));
    let course = booked["course_id"].as_str().unwrap().to_owned();
    expect(
        app.get_auth(&format!("/api/v1/staff/screenings/{sid}"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    app.sign_consent(&v1).await;
    expect(
        app.post_auth(
            &format!("/api/v1/staff/appointments/{v2}/cancel"),
            &desk,
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    expect(
        app.get_auth(&format!("/api/v1/staff/courses/{course}/notes"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    let day = &local_at(3, 10, 0)[..10];
    let cal = expect(
        app.get_auth(
            &format!("/api/v1/staff/calendar?from={day}&to={day}"),
            &desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let anna = cal["appointments"][0]["client"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    expect(
        app.get_auth(&format!("/api/v1/staff/clients/{anna}/export"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    // Ben: a consultation and an export of his own.
    let ben = expect(
        app.post_auth(
            "/api/v1/staff/appointments",
            &desk,
            &json!({"service": "skin_consultation", "start": local_at(4, 10, 0), "practitioner_id": vos,
                "client": {"name": "Ben", "email": "ben@example.com"}}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let ben_visit = ben["appointments"][0]["id"].as_str().unwrap().to_owned();
    let day = &local_at(4, 10, 0)[..10];
    let cal = expect(
        app.get_auth(
            &format!("/api/v1/staff/calendar?from={day}&to={day}"),
            &desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let ben_id = cal["appointments"][0]["client"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    expect(
        app.get_auth(&format!("/api/v1/staff/clients/{ben_id}/export"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;

    // A desk search that shows Anna only.
    let found = expect(
        app.get_auth("/api/v1/staff/clients?q=anna%40", &desk).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["clients"].as_array().unwrap().len(), 1, "{found}");

    // Everything, 200 by default; pages of 3 with `before` give the same entries in the same
    // order, none twice (most share one second here: the test clock stands still).
    let everything = expect(
        app.get_auth("/api/v1/staff/audit", &admin).await,
        StatusCode::OK,
    )
    .await;
    let everything = everything.as_array().unwrap().clone();
    assert!(everything.len() >= 10, "{everything:?}");
    let paged = all_pages(&app, &admin, "", 3).await;
    let ids = |v: &[Value]| -> Vec<String> {
        v.iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&paged), ids(&everything));
    let views = everything
        .iter()
        .filter(|e| e["action"] == "calendar.view")
        .count();
    assert_eq!(views, 2, "one per day read");
    // views=false: the calendar reads left out, on every page.
    let quiet = all_pages(&app, &admin, "&views=false", 2).await;
    assert_eq!(quiet.len(), everything.len() - views);
    assert!(quiet.iter().all(|e| e["action"] != "calendar.view"));

    // Anna's history: her own entries and those of her visits, booking and screening, and the
    // reads that showed her among others (the calendar day, a search; `audit_mentions`).
    let hers = all_pages(&app, &admin, &format!("&client_id={anna}"), 2).await;
    let nil = uuid::Uuid::nil().to_string();
    assert_eq!(
        pairs(&hers),
        BTreeSet::from([
            pair("appointment.book", &v1),
            pair("appointment.book", &v2),
            pair("screening.view", &sid),
            pair("consent.sign", &v1),
            pair("appointment.cancel", &v2),
            pair("notes.view", &course),
            pair("client.export", &anna),
            pair("calendar.view", &nil),
            pair("client.search", &nil),
        ]),
        "{hers:?}"
    );
    assert_eq!(hers.len(), 9);
    // The read that showed her is the one of her day, not Ben's.
    let her_view = hers
        .iter()
        .find(|e| e["action"] == "calendar.view")
        .unwrap();
    let detail: Value = match &her_view["detail"] {
        Value::String(s) => serde_json::from_str(s).unwrap(),
        d => d.clone(),
    };
    assert_eq!(detail["from"], local_at(3, 10, 0)[..10], "{her_view}");
    // The first visit's history: it, its course's history and the screening it was booked with.
    let first = all_pages(&app, &admin, &format!("&appointment_id={v1}"), 1000).await;
    assert_eq!(
        pairs(&first),
        BTreeSet::from([
            pair("appointment.book", &v1),
            pair("screening.view", &sid),
            pair("consent.sign", &v1),
            pair("notes.view", &course),
        ]),
        "{first:?}"
    );
    // subject_id stays exactly one subject.
    let exact = all_pages(&app, &admin, &format!("&subject_id={v1}"), 1000).await;
    assert_eq!(
        pairs(&exact),
        BTreeSet::from([pair("appointment.book", &v1), pair("consent.sign", &v1)])
    );
    // Ben's history holds nothing of Anna's (his own day's read; the search did not show him).
    let his = all_pages(&app, &admin, &format!("&client_id={ben_id}"), 1000).await;
    assert_eq!(
        pairs(&his),
        BTreeSet::from([
            pair("appointment.book", &ben_visit),
            pair("client.export", &ben_id),
            pair("calendar.view", &nil),
        ])
    );
    assert_eq!(his.len(), 3, "{his:?}");

    // Refusals: an unknown cursor, two filters at once, a non-admin.
    let e = expect_error(
        app.get_auth(
            "/api/v1/staff/audit?before=6f1c7f66-3c5e-4c2a-9d7e-5f2a1d0c9b11",
            &admin,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["error"]["details"]["before"].is_string(), "{e}");
    let e = expect_error(
        app.get_auth(
            &format!("/api/v1/staff/audit?client_id={anna}&appointment_id={v1}"),
            &admin,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["error"]["details"]["appointment_id"].is_string(), "{e}");
    expect_error(
        app.get_auth(&format!("/api/v1/staff/audit?client_id={anna}"), &desk)
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

on_both!(the_audit_log_pages_and_filters_by_client_and_by_visit);

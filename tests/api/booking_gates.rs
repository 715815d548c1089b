//! A microneedling session can be booked only with a passed, unexpired screening.

use std::time::Duration;

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    helpers::{Db, TestApp, expect, expect_error, local_at, spawn, spawn_with},
    on_both,
};

fn body(screening: &str, practitioner: &str, start: &str) -> Value {
    json!({"screening_id": screening, "service": "microneedling", "start": start, "practitioner_id": practitioner})
}

async fn eligible_books_and_gets_a_manage_token(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let start = local_at(10, 10, 0);
    let b = expect(app.book(body(&s, &p, &start)).await, StatusCode::CREATED).await;
    assert_eq!(b["course_id"], Value::Null);
    assert_eq!(b["manage_token"].as_str().unwrap().len(), 64);
    let a = &b["appointments"][0];
    assert_eq!(a["service"], "microneedling");
    assert_eq!(a["practitioner_id"], p.as_str());
    assert_eq!(a["start"], start.as_str());
    assert_eq!(a["end"], local_at(10, 11, 0).as_str());
    assert_eq!(a["status"], "booked");
    assert_eq!(a["session_number"], 1);
    // The token is stored only as a hash: no column of any table holds it, whole or in part.
    let token = b["manage_token"].as_str().unwrap();
    assert_stored_only_as_hash(&app, token).await;
}

/// Every `table.column` whose value, read as text (and, on SQLite, as hex for blobs), contains
/// `needle`; the tables and columns come from the database's own catalog.
pub async fn columns_holding(app: &TestApp, needle: &str) -> Vec<String> {
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let catalog = match backend {
        DbBackend::Sqlite => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p WHERE m.type = 'table'"
        }
        _ => {
            "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
             WHERE table_schema = current_schema()"
        }
    };
    let columns = db
        .query_all_raw(Statement::from_string(backend, catalog))
        .await
        .unwrap();
    assert!(columns.len() > 20, "the catalog lists the columns");
    let needle = needle.to_lowercase();
    let mut found = Vec::new();
    for row in columns {
        let table: String = row.try_get("", "t").unwrap();
        let column: String = row.try_get("", "c").unwrap();
        let (t, c) = (format!("\"{table}\""), format!("\"{column}\""));
        let sql = match backend {
            DbBackend::Sqlite => format!(
                "SELECT COUNT(*) AS n FROM {t} WHERE instr(lower(CAST({c} AS TEXT)), '{needle}') > 0 \
                 OR instr(lower(hex({c})), '{needle}') > 0"
            ),
            _ => format!(
                "SELECT COUNT(*) AS n FROM {t} WHERE strpos(lower(CAST({c} AS TEXT)), '{needle}') > 0"
            ),
        };
        if app.count(&sql).await > 0 {
            found.push(format!("{table}.{column}"));
        }
    }
    found
}

/// The plain token (and either half of it) is nowhere; its SHA-256 is, which shows the search
/// reads the column where the hash lives.
async fn assert_stored_only_as_hash(app: &TestApp, token: &str) {
    assert_eq!(token.len(), 64);
    for part in [token, &token[..32], &token[32..]] {
        let holders = columns_holding(app, part).await;
        assert!(holders.is_empty(), "{part} stored in {holders:?}");
    }
    let hash = hex::encode(Sha256::digest(token.as_bytes()));
    let holders = columns_holding(app, &hash).await;
    assert!(
        holders.contains(&"bookings.manage_token_hash".to_owned()),
        "the hash is stored: {holders:?}"
    );
}

async fn unscreened_unknown_review_and_contraindicated_are_refused(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let start = local_at(10, 10, 0);
    let r = app
        .book(json!({"service": "microneedling", "start": start, "practitioner_id": p}))
        .await;
    expect_error(r, StatusCode::FORBIDDEN, "screening_not_passed").await;
    let r = app
        .book(body("6f1c7f66-3c5e-4c2a-9d7e-5f2a1d0c9b11", &p, &start))
        .await;
    expect_error(r, StatusCode::FORBIDDEN, "screening_not_passed").await;
    let review = app
        .screen("rosa@example.com", &["sensitive_skin_or_rosacea"])
        .await;
    let r = app
        .book(body(review["id"].as_str().unwrap(), &p, &start))
        .await;
    expect_error(r, StatusCode::FORBIDDEN, "screening_not_passed").await;
    for q in [
        "pregnant",
        "blood_thinning_medication",
        "active_skin_infection",
    ] {
        let s = app.screen(&format!("{q}@example.com"), &[q]).await;
        let r = app.book(body(s["id"].as_str().unwrap(), &p, &start)).await;
        expect_error(r, StatusCode::FORBIDDEN, "screening_not_passed").await;
    }
    // Reception is held to the same rule.
    let token = app.admin().await;
    let s = app.screen("preg@example.com", &["pregnant"]).await;
    let r = app
        .post_auth(
            "/api/v1/staff/appointments",
            &token,
            &body(s["id"].as_str().unwrap(), &p, &start),
        )
        .await;
    expect_error(r, StatusCode::FORBIDDEN, "screening_not_passed").await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM appointments").await, 0);
}

async fn expired_screening_is_refused(db: Db) {
    let app = spawn_with(db, |s| {
        s.booking.screening_valid_for = Duration::from_secs(1)
    })
    .await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let r = app.book(body(&s, &p, &local_at(10, 10, 0))).await;
    let e = expect_error(r, StatusCode::FORBIDDEN, "screening_not_passed").await;
    assert!(e["error"]["message"].as_str().unwrap().contains("expired"));
}

async fn an_approved_review_books_a_rejected_one_does_not(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let token = app.admin().await;
    let yes = app
        .screen("yes@example.com", &["sensitive_skin_or_rosacea"])
        .await;
    let no = app
        .screen("no@example.com", &["sensitive_skin_or_rosacea"])
        .await;
    let review = |id: &Value, decision: &str| {
        let path = format!("/api/v1/staff/screenings/{}/review", id.as_str().unwrap());
        let body = json!({"decision": decision, "note": "checked in person"});
        let app = &app;
        let token = token.clone();
        async move { app.post_auth(&path, &token, &body).await }
    };
    let r = expect(review(&yes["id"], "approve").await, StatusCode::OK).await;
    assert_eq!(r["review_decision"], "approve");
    expect(review(&no["id"], "reject").await, StatusCode::OK).await;
    // A decision is final.
    expect_error(
        review(&no["id"], "approve").await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let start = local_at(10, 10, 0);
    expect(
        app.book(body(yes["id"].as_str().unwrap(), &p, &start))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let r = app
        .book(body(no["id"].as_str().unwrap(), &p, &local_at(11, 10, 0)))
        .await;
    expect_error(r, StatusCode::FORBIDDEN, "screening_not_passed").await;
}

async fn consultation_needs_no_screening(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let r = app
        .book(json!({"service": "skin_consultation", "start": local_at(10, 9, 0), "practitioner_id": p,
            "client": {"name": "Unsure Ulla", "email": "ulla@example.com", "phone": "+49 30 1234567"}}))
        .await;
    let b = expect(r, StatusCode::CREATED).await;
    assert_eq!(b["appointments"][0]["end"], local_at(10, 9, 30).as_str());
    // A refused booking writes nothing, not even the new client.
    let ghost = json!({"service": "skin_consultation", "start": local_at(10, 9, 0), "practitioner_id": p,
        "client": {"name": "Ghost", "email": "ghost@example.com"}});
    expect_error(app.book(ghost).await, StatusCode::CONFLICT, "slot_taken").await;
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM clients WHERE email = 'ghost@example.com'")
            .await,
        0
    );
    // Without a client or a screening there is nobody to book for.
    let r = app
        .book(json!({"service": "skin_consultation", "start": local_at(10, 11, 0)}))
        .await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    // A contraindicated client can still talk to the clinic.
    let s = app.screen("preg@example.com", &["pregnant"]).await;
    let r = app
        .book(json!({"service": "skin_consultation", "start": local_at(10, 12, 0), "screening_id": s["id"]}))
        .await;
    expect(r, StatusCode::CREATED).await;
}

async fn idempotent_retries_book_once(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let b = body(&s, &p, &local_at(10, 10, 0));
    let send = |b: Value| {
        app.client
            .post(app.url("/api/v1/bookings"))
            .header("Idempotency-Key", "retry-1")
            .json(&b)
            .send()
    };
    let first = expect(send(b.clone()).await.unwrap(), StatusCode::CREATED).await;
    let again = send(b.clone()).await.unwrap();
    assert_eq!(again.headers()["Idempotent-Replayed"], "true");
    let again = expect(again, StatusCode::CREATED).await;
    assert_eq!(
        first["appointments"][0]["id"],
        again["appointments"][0]["id"]
    );
    // The replay's fresh token replaces the first; neither is stored in clear.
    let (one, two) = (
        first["manage_token"].as_str().unwrap(),
        again["manage_token"].as_str().unwrap(),
    );
    assert_ne!(one, two);
    assert!(columns_holding(&app, one).await.is_empty());
    assert_stored_only_as_hash(&app, two).await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM appointments").await, 1);
    let mut other = b.clone();
    other["start"] = json!(local_at(10, 12, 0));
    expect_error(send(other).await.unwrap(), StatusCode::CONFLICT, "conflict").await;
}

on_both!(
    eligible_books_and_gets_a_manage_token,
    unscreened_unknown_review_and_contraindicated_are_refused,
    expired_screening_is_refused,
    an_approved_review_books_a_rejected_one_does_not,
    consultation_needs_no_screening,
    idempotent_retries_book_once,
);

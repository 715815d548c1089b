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
    // Every closed-set column (the schema's own list) refuses a value outside its set.
    for (table, column, _) in migration::checked() {
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

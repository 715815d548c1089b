//! The aftercare check-in that reaches a clinician: the `irritation_check` email's own link,
//! normal and warning answers, the alert on the staff list and its one email to the clinic
//! (no answers in it), a worse second answer, acknowledging, the re-alert of an ignored alert,
//! the link's limits, export and erasure, and no answer in any log line.

use std::time::Duration;

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::{
    helpers::{Db, TestApp, expect, expect_error, local_at, spawn_mail},
    logs, on_both,
    smtp::Sink,
};

const PUBLIC_URL: &str = "https://book.clinic.example";
const CLINIC_EMAIL: &str = "desk@clinic.example";
const HOUR: Duration = Duration::from_secs(3600);
const NOTE: &str = "yellowish crust near the left cheek zq7";

/// A completed microneedling visit whose irritation_check email went out; returns the booking,
/// the visit id and the aftercare secret from the email.
async fn completed_visit(app: &TestApp, sink: &Sink, email: &str) -> (Value, String, String) {
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible(email).await;
    let b = json!({"screening_id": s, "service": "microneedling", "start": local_at(3, 10, 0),
        "practitioner_id": p});
    let b = expect(app.book(b).await, StatusCode::CREATED).await;
    let id = b["appointments"][0]["id"].as_str().unwrap().to_owned();
    app.advance_to_before(b["appointments"][0]["start"].as_str().unwrap(), 15);
    app.sign_consent(&id).await;
    let admin = app.admin().await;
    for step in ["check-in", "complete"] {
        let path = format!("/api/v1/staff/appointments/{id}/{step}");
        expect(
            app.post_auth(&path, &admin, &json!({})).await,
            StatusCode::OK,
        )
        .await;
    }
    app.advance(25 * HOUR);
    app.dispatch().await;
    let mail = sink
        .of_kind("irritation_check")
        .into_iter()
        .find(|m| m.to == [email])
        .expect("the irritation_check email");
    let text = mail.text();
    let prefix = format!("{PUBLIC_URL}/aftercare#");
    let at = text
        .find(&prefix)
        .unwrap_or_else(|| panic!("no link: {text}"));
    let secret: String = text[at + prefix.len()..].chars().take(64).collect();
    assert!(secret.bytes().all(|c| c.is_ascii_hexdigit()) && secret.len() == 64);
    assert!(mail.html().contains(&format!("aftercare#{secret}\"")));
    assert!(
        !text.contains("/manage#"),
        "aftercare emails carry no manage link"
    );
    (b, id, secret)
}

/// A second instance: its own pool and dispatcher on the same database and clock.
async fn second_instance(app: &TestApp) -> std::sync::Arc<dermadesk::dispatch::Dispatcher> {
    let mut settings = (*app.state.settings).clone();
    settings.database.max_connections = 4;
    let db = dermadesk::store::connect(&settings.database).await.unwrap();
    let state = dermadesk::state::AppState {
        db,
        settings: std::sync::Arc::new(settings.clone()),
        clock: app.state.clock.clone(),
        metrics: Default::default(),
        slot_cache: Default::default(),
    };
    dermadesk::dispatch::Dispatcher::new(
        state,
        dermadesk::mail::Mailer::new(&settings.mail).unwrap(),
    )
}

fn normal() -> Value {
    json!({"redness": "mild", "swelling": true, "pain_increasing": false, "pus_or_fever": false,
        "blisters_or_cold_sore": false, "notes": "a bit tight"})
}

fn warning() -> Value {
    json!({"redness": "mild", "swelling": false, "pain_increasing": false, "pus_or_fever": true,
        "blisters_or_cold_sore": false, "notes": NOTE})
}

async fn answer(app: &TestApp, id: &str, token: &str, body: &Value) -> reqwest::Response {
    app.post_auth(&format!("/api/v1/bookings/{id}/aftercare"), token, body)
        .await
}

async fn alerts(app: &TestApp, token: &str, open: bool) -> Vec<Value> {
    let path = if open {
        "/api/v1/staff/alerts?open=true"
    } else {
        "/api/v1/staff/alerts"
    };
    let r = expect(app.get_auth(path, token).await, StatusCode::OK).await;
    r.as_array().unwrap().clone()
}

/// The desk's menu count of open alerts.
async fn open_count(app: &TestApp, token: &str) -> Value {
    expect(
        app.get_auth("/api/v1/staff/alerts/open-count", token).await,
        StatusCode::OK,
    )
    .await
}

/// How many `aftercare.alerts.view` audit rows exist.
async fn alert_views(app: &TestApp, admin: &str) -> usize {
    let rows = expect(
        app.get_auth("/api/v1/staff/audit?limit=1000", admin).await,
        StatusCode::OK,
    )
    .await;
    rows.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "aftercare.alerts.view")
        .count()
}

fn clinic_mails(sink: &Sink) -> Vec<crate::smtp::Received> {
    sink.of_kind("clinician_alert")
}

async fn a_warning_reaches_a_clinician_once_and_again_when_ignored(db: Db) {
    logs::capture();
    let (app, sink) = spawn_mail(db, |s| {
        s.clinic.public_url = PUBLIC_URL.to_owned();
        s.clinic.email = CLINIC_EMAIL.to_owned();
    })
    .await;
    let (b, id, secret) = completed_visit(&app, &sink, "ana@example.com").await;
    let admin = app.admin().await;

    // The link opens its visit, and nothing else: no manage route takes it.
    let v = expect(
        app.get_auth("/api/v1/aftercare", &secret).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(v["appointment_id"], id.as_str());
    assert_eq!(v["answered_at"], Value::Null);
    expect_error(
        app.post_auth(
            &format!("/api/v1/bookings/{id}/cancel"),
            &secret,
            &json!({}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    expect_error(
        app.get_auth("/api/v1/booking", &secret).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    // The manage token names no single visit on the aftercare page's route.
    let manage = b["manage_token"].as_str().unwrap();
    expect_error(
        app.get_auth("/api/v1/aftercare", manage).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    // Bad input is named, never a 500.
    let mut bad = normal();
    bad["redness"] = json!("purple");
    expect_error(
        answer(&app, &id, &secret, &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;

    // A normal answer (day 1: mild redness, some swelling): no alert, no email.
    let r = expect(
        answer(&app, &id, &secret, &normal()).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(r, json!({"alert": false}));
    assert!(alerts(&app, &admin, false).await.is_empty());
    assert_eq!(open_count(&app, &admin).await, json!({"open": 0}));
    app.dispatch().await;
    assert!(clinic_mails(&sink).is_empty());

    // A warning sign (the manage token works too): listed at once, one email to the clinic.
    let r = expect(
        answer(&app, &id, manage, &warning()).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(r, json!({"alert": true}));
    let open = alerts(&app, &admin, true).await;
    assert_eq!(open.len(), 1, "{open:?}");
    let first = &open[0];
    assert_eq!(first["status"], "open");
    assert_eq!(first["appointment_id"], id.as_str());
    assert_eq!(first["client"]["name"], "Test Client");
    assert_eq!(first["answers"]["pus_or_fever"], true);
    assert_eq!(first["answers"]["notes"], NOTE);
    assert_eq!(first["warning_signs"], json!(["pus_or_fever"]));
    // The menu count: every staff role may read it, and reading it is not audited (it names
    // nobody), unlike the list with the answers.
    let views = alert_views(&app, &admin).await;
    assert!(views >= 1, "the list's reads are audited");
    assert_eq!(open_count(&app, &admin).await, json!({"open": 1}));
    let reception = app
        .staff_user("front@clinic.example", "reception", None)
        .await;
    assert_eq!(open_count(&app, &reception).await, json!({"open": 1}));
    assert_eq!(alert_views(&app, &admin).await, views);
    app.dispatch().await;
    let mails = clinic_mails(&sink);
    assert_eq!(mails.len(), 1);
    let m = &mails[0];
    assert_eq!(m.to, [CLINIC_EMAIL]);
    assert_eq!(m.header("X-Dermadesk-Kind"), "clinician_alert");
    assert_eq!(m.header("X-Dermadesk-Appointment"), id);
    let (text, html) = (m.text(), m.html());
    assert!(text.contains("Test Client") && html.contains("Test Client"));
    assert!(text.contains("Microneedling"), "{text}");
    for answer_text in [
        "zq7", "crust", "pus", "fever", "Fever", "blister", "swelling", "tight",
    ] {
        assert!(
            !text.contains(answer_text)
                && !html.contains(answer_text)
                && !m.subject().contains(answer_text),
            "{answer_text} in the clinic's email: {text}"
        );
    }
    // The client got no copy.
    assert!(
        sink.mails()
            .iter()
            .all(|x| x.kind() != "clinician_alert" || x.to == [CLINIC_EMAIL])
    );

    // The same answer again: no new alert, no email. Fewer signs: none either.
    expect(
        answer(&app, &id, &secret, &warning()).await,
        StatusCode::CREATED,
    )
    .await;
    app.dispatch().await;
    assert_eq!(clinic_mails(&sink).len(), 1);
    assert_eq!(alerts(&app, &admin, false).await.len(), 1);
    let v = expect(
        app.get_auth("/api/v1/aftercare", &secret).await,
        StatusCode::OK,
    )
    .await;
    assert!(v["answered_at"].is_string());

    app.advance(Duration::from_secs(60));
    // Worse (a new sign): a new alert supersedes the open one, and a new email.
    let mut worse = warning();
    worse["blisters_or_cold_sore"] = json!(true);
    let r = expect(
        answer(&app, &id, &secret, &worse).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(r["alert"], true);
    let all = alerts(&app, &admin, false).await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["status"], "open");
    assert_eq!(all[1]["status"], "superseded");
    assert_eq!(
        all[0]["warning_signs"],
        json!(["pus_or_fever", "blisters_or_cold_sore"])
    );
    app.dispatch().await;
    assert_eq!(clinic_mails(&sink).len(), 2);
    let alert_id = all[0]["id"].as_str().unwrap().to_owned();

    // Ignored for `aftercare.realert_after` (4 h): emailed again, once per period.
    app.advance(3 * HOUR);
    app.dispatch().await;
    assert_eq!(clinic_mails(&sink).len(), 2, "not before 4 hours");
    app.advance(HOUR + Duration::from_secs(5));
    // Two instances (each its own pool and dispatcher on the same database) run at once: the
    // alert is emailed again exactly once.
    let second = second_instance(&app).await;
    let (a, b) = tokio::join!(app.dispatcher.run_once(), second.run_once());
    assert_eq!(a.unwrap().sent + b.unwrap().sent, 1);
    let mails = clinic_mails(&sink);
    assert_eq!(mails.len(), 3, "emailed again after 4 hours");
    assert!(mails[2].text().contains("REMINDER"), "{}", mails[2].text());
    app.dispatch().await;
    assert_eq!(clinic_mails(&sink).len(), 3, "once per period");
    let open = alerts(&app, &admin, true).await;
    assert_eq!(open[0]["emails"], 2);

    // Acknowledge: a clinician, with a note. Reception may read, not acknowledge.
    let ack = format!("/api/v1/staff/alerts/{alert_id}/acknowledge");
    let reception = app
        .staff_user("rita@clinic.example", "reception", None)
        .await;
    assert_eq!(alerts(&app, &reception, true).await.len(), 1);
    expect_error(
        app.post_auth(&ack, &reception, &json!({"note": "called"}))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    expect_error(
        app.post_auth(&ack, &admin, &json!({"note": "  "})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let practitioner = app
        .staff_user("lena@clinic.example", "practitioner", None)
        .await;
    let done = expect(
        app.post_auth(
            &ack,
            &practitioner,
            &json!({"note": "called, comes in today"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(done["status"], "acknowledged");
    assert_eq!(done["note"], "called, comes in today");
    assert!(done["acknowledged_by"].is_string());
    expect_error(
        app.post_auth(&ack, &admin, &json!({"note": "again"})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(alerts(&app, &admin, true).await.is_empty());
    // Acknowledged: no more emails.
    app.advance(5 * HOUR);
    app.dispatch().await;
    assert_eq!(clinic_mails(&sink).len(), 3);

    // The closed sets of the new tables refuse other values.
    let backend = app.state.db.get_database_backend();
    for (table, column) in [
        ("aftercare_reports", "redness"),
        ("aftercare_alerts", "status"),
    ] {
        let sql = format!("UPDATE {table} SET {column} = 'not-one-of-ours'");
        let err = app
            .state
            .db
            .execute_raw(Statement::from_string(backend, sql.clone()))
            .await
            .expect_err(&sql)
            .to_string();
        assert!(err.to_lowercase().contains("check"), "{sql}: {err}");
    }

    // Never in a log line: the answers, the note, the secret.
    let logs = logs::captured();
    assert!(
        logs.contains("aftercare check-in stored"),
        "the capture works"
    );
    for s in [
        NOTE,
        "zq7",
        "pus_or_fever",
        "blisters_or_cold_sore",
        secret.as_str(),
        "a bit tight",
    ] {
        assert!(!logs.contains(s), "{s} reached a log line");
    }
}

async fn check_ins_only_for_a_completed_visit_exported_and_erased(db: Db) {
    let (app, sink) = spawn_mail(db, |s| {
        s.clinic.public_url = PUBLIC_URL.to_owned();
        s.clinic.email = CLINIC_EMAIL.to_owned();
    })
    .await;
    let (b, id, secret) = completed_visit(&app, &sink, "bea@example.com").await;
    // Another client's booked visit: the link is for one visit only (404), and a booked visit
    // takes no check-in (409).
    let s = app.eligible("cleo@example.com").await;
    let p = b["appointments"][0]["practitioner_id"].as_str().unwrap();
    let other = json!({"screening_id": s, "service": "microneedling", "start": local_at(9, 10, 0),
        "practitioner_id": p});
    let other = expect(app.book(other).await, StatusCode::CREATED).await;
    let other_id = other["appointments"][0]["id"].as_str().unwrap();
    expect_error(
        answer(&app, other_id, &secret, &warning()).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_error(
        answer(
            &app,
            other_id,
            other["manage_token"].as_str().unwrap(),
            &normal(),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    // Day 3 after the visit: swelling is now a warning sign (day 1 it was not).
    app.advance(48 * HOUR);
    let r = expect(
        answer(&app, &id, &secret, &normal()).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(r["alert"], true);
    app.dispatch().await;
    assert_eq!(clinic_mails(&sink).len(), 1);

    // Exported with the client; erased with the client.
    let admin = app.admin().await;
    let client_id = alerts(&app, &admin, true).await[0]["client"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let export = expect(
        app.get_auth(&format!("/api/v1/staff/clients/{client_id}/export"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    let check_ins = export["aftercare"]["check_ins"].as_array().unwrap();
    assert_eq!(check_ins.len(), 1);
    assert_eq!(check_ins[0]["swelling"], true);
    assert_eq!(check_ins[0]["notes"], "a bit tight");
    assert_eq!(export["aftercare"]["alerts"].as_array().unwrap().len(), 1);
    expect(
        app.client
            .delete(app.url(&format!("/api/v1/staff/clients/{client_id}")))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM aftercare_reports")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM aftercare_alerts")
            .await,
        0
    );
    assert!(alerts(&app, &admin, false).await.is_empty());
    expect_error(
        app.get_auth("/api/v1/aftercare", &secret).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    // Nothing was re-sent about an erased client.
    app.advance(5 * HOUR);
    app.dispatch().await;
    assert_eq!(clinic_mails(&sink).len(), 1);
}

on_both!(
    a_warning_reaches_a_clinician_once_and_again_when_ignored,
    check_ins_only_for_a_completed_visit_exported_and_erased
);

#[test]
fn realert_after_has_a_default_and_bounds() {
    use crate::config::with_default;
    let s = with_default("[server]", "[server]").unwrap();
    assert_eq!(s.aftercare.realert_after, 4 * HOUR);
    assert_eq!(s.aftercare.report_window.as_secs(), 14 * 86_400);
    let s = with_default("realert_after = \"4h\"", "realert_after = \"90m\"").unwrap();
    assert_eq!(s.aftercare.realert_after.as_secs(), 90 * 60);
    for bad in ["\"1m\"", "\"8d\"", "\"90.5s\"", "\"soon\"", "4"] {
        let err =
            with_default("realert_after = \"4h\"", &format!("realert_after = {bad}")).unwrap_err();
        assert!(err.contains("realert_after"), "{bad}: {err}");
    }
    for bad in ["\"12h\"", "\"91d\"", "\"36h\""] {
        let err =
            with_default("report_window = \"14d\"", &format!("report_window = {bad}")).unwrap_err();
        assert!(err.contains("aftercare.report_window"), "{bad}: {err}");
    }
    let printed = with_default("realert_after = \"4h\"", "realert_after = \"2h\"")
        .unwrap()
        .to_toml()
        .unwrap();
    assert!(
        printed.contains("[aftercare]\nrealert_after = \"2h\""),
        "{printed}"
    );
}

//! Emails through the outbox to a real SMTP server: each kind at its moment, exactly once,
//! through cancellations, reschedules, outages, crashes and quiet hours.

use std::{collections::HashSet, time::Duration};

use dermadesk::{domain::time::to_db, store};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{Db, TestApp, expect, expect_error, local_at, spawn_mail},
    on_both,
    smtp::Mode,
};

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

async fn book(app: &TestApp, days: i64, anesthesia: bool) -> (Value, String) {
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let b = json!({"screening_id": s, "service": "microneedling", "start": local_at(days, 10, 0),
        "practitioner_id": p, "anesthesia": anesthesia});
    let b = expect(app.book(b).await, StatusCode::CREATED).await;
    let id = b["appointments"][0]["id"].as_str().unwrap().to_owned();
    (b, id)
}

async fn messages_of(app: &TestApp, token: &str, appointment: &str) -> Vec<Value> {
    let list = expect(
        app.get_auth(
            &format!("/api/v1/staff/messages?appointment_id={appointment}"),
            token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    list.as_array().unwrap().clone()
}

fn status_of(list: &[Value], kind: &str) -> Vec<String> {
    list.iter()
        .filter(|m| m["kind"] == kind)
        .map(|m| m["status"].as_str().unwrap().to_owned())
        .collect()
}

async fn booking_sends_confirmation_then_prep_then_day_before(db: Db) {
    let (app, sink) = spawn_mail(db, |_| {}).await;
    let (booked, id) = book(&app, 10, true).await;
    let r = app.dispatch().await;
    assert_eq!(r.sent, 1, "{r:?}");
    let conf = &sink.of_kind("booking_confirmation")[0];
    assert_eq!(conf.to, vec!["ana@example.com".to_owned()]);
    assert_eq!(conf.header("X-Dermadesk-Appointment"), id);
    let date = &local_at(10, 10, 0)[..10];
    assert!(conf.subject().contains("10:00"), "{}", conf.subject());
    let text = conf.text();
    assert!(
        text.contains("10:00") && text.contains("Musterstrasse"),
        "{text}"
    );
    assert!(text.contains("cancel or reschedule"), "{text}");
    assert!(text.contains("numbing cream"), "{text}");
    assert!(
        conf.html().contains("<strong>"),
        "multipart with an HTML part"
    );
    let ics = conf.ics().expect("an .ics attachment");
    let cal: icalendar::Calendar = ics.parse().expect("parseable iCalendar");
    assert!(ics.contains("METHOD:REQUEST"));
    assert!(ics.contains(&format!("UID:{id}@dermadesk")));
    assert!(
        ics.contains(&format!("DTSTART:{}", date.replace('-', ""))),
        "{ics}"
    );
    assert_eq!(cal.components.len(), 1);
    // Nothing more is due now; running again sends nothing twice.
    assert_eq!(app.dispatch().await.sent, 0);

    // An hour after each reminder's time (72 h and 24 h before the visit), whatever the time
    // of day the test runs at.
    // (the start as booked: recomputing it from the clock could cross midnight)
    let start = booked["appointments"][0]["start"]
        .as_str()
        .unwrap()
        .to_owned();
    app.advance_to_before(&start, 71 * 60);
    assert_eq!(app.dispatch().await.sent, 1);
    let prep = &sink.of_kind("prep")[0];
    let text = prep.text().to_lowercase();
    for word in [
        "sun",
        "retinoids",
        "exfoliating acids",
        "medication",
        "pregnancy",
        "cold sores",
    ] {
        assert!(text.contains(word), "prep lacks {word}: {text}");
    }
    app.advance_to_before(&start, 23 * 60);
    assert_eq!(app.dispatch().await.sent, 1);
    let day_before = &sink.of_kind("day_before")[0];
    let text = day_before.text();
    assert!(
        text.contains("cleansed skin") && text.contains("no make-up"),
        "{text}"
    );
    assert!(text.contains("numbing cream"), "{text}");
    assert_eq!(app.dispatch().await.sent, 0);
    assert_eq!(sink.mails().len(), 3);
    // The Message-ID is the one fixed at planning time.
    let token = app.admin().await;
    let list = messages_of(&app, &token, &id).await;
    let planned: HashSet<String> = list
        .iter()
        .map(|m| {
            m["message_id"]
                .as_str()
                .unwrap()
                .trim_matches(['<', '>'])
                .to_owned()
        })
        .collect();
    for m in sink.mails() {
        assert!(planned.contains(&m.message_id()), "{}", m.message_id());
    }
}

async fn completion_sends_aftercare(db: Db) {
    let (app, sink) = spawn_mail(db, |_| {}).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let b = json!({"screening_id": s, "service": "microneedling", "start": local_at(3, 10, 0),
        "practitioner_id": p, "sessions": 2});
    let b = expect(app.book(b).await, StatusCode::CREATED).await;
    let id = b["appointments"][0]["id"].as_str().unwrap().to_owned();
    app.sign_consent(&id).await;
    app.dispatch().await;
    app.advance_to_before(b["appointments"][0]["start"].as_str().unwrap(), 15);
    app.dispatch().await;
    let token = app.admin().await;
    expect(
        app.post_auth(
            &format!("/api/v1/staff/appointments/{id}/check-in"),
            &token,
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let done = expect(
        app.post_auth(
            &format!("/api/v1/staff/appointments/{id}/complete"),
            &token,
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(done["status"], "completed");
    let before = sink.mails().len();
    assert_eq!(app.dispatch().await.sent, 0, "aftercare waits for its time");
    app.advance(2 * HOUR + Duration::from_secs(60));
    assert_eq!(app.dispatch().await.sent, 1);
    assert!(sink.of_kind("soothing")[0].text().contains("oothing"));
    app.advance(22 * HOUR);
    assert_eq!(app.dispatch().await.sent, 1);
    let irritation = sink.of_kind("irritation_check")[0].text();
    assert!(
        irritation.contains("irritation") && irritation.contains("1-3 days"),
        "{irritation}"
    );
    app.advance(2 * DAY);
    assert_eq!(app.dispatch().await.sent, 1);
    let follow = sink.of_kind("follow_up")[0].text();
    assert!(
        follow.contains("next session")
            && follow.contains(&b["appointments"][1]["start"].as_str().unwrap()[11..16]),
        "{follow}"
    );
    // It names the next session's date in words (issue 12), not only its time.
    let next: jiff::Zoned = b["appointments"][1]["start"]
        .as_str()
        .unwrap()
        .parse::<jiff::Timestamp>()
        .unwrap()
        .in_tz("Europe/Berlin")
        .unwrap();
    let day = next.strftime("%A, %-d %B %Y").to_string();
    assert!(follow.contains(&day), "{day} in {follow}");
    assert_eq!(sink.mails().len(), before + 3);
    for m in sink.mails().iter().skip(before) {
        assert_eq!(m.header("X-Dermadesk-Appointment"), id);
        assert!(m.ics().is_none(), "aftercare carries no calendar");
    }
}

async fn cancel_withdraws_reminders_and_tells_the_client(db: Db) {
    let (app, sink) = spawn_mail(db, |_| {}).await;
    let (_, id) = book(&app, 10, false).await;
    app.dispatch().await;
    let token = app.admin().await;
    let r = app
        .post_auth(
            &format!("/api/v1/staff/appointments/{id}/cancel"),
            &token,
            &json!({"reason": "practitioner ill"}),
        )
        .await;
    assert_eq!(expect(r, StatusCode::OK).await["status"], "cancelled");
    assert_eq!(app.dispatch().await.sent, 1);
    let c = &sink.of_kind("cancellation")[0];
    assert!(c.text().contains("cancelled") && c.text().contains("practitioner ill"));
    let ics = c.ics().unwrap();
    assert!(
        ics.contains("METHOD:CANCEL")
            && ics.contains("STATUS:CANCELLED")
            && ics.contains("SEQUENCE:1"),
        "{ics}"
    );
    app.advance(10 * DAY);
    assert_eq!(app.dispatch().await.sent, 0);
    let token = app.admin().await;
    let list = messages_of(&app, &token, &id).await;
    assert_eq!(status_of(&list, "prep"), ["cancelled"]);
    assert_eq!(status_of(&list, "day_before"), ["cancelled"]);
    assert_eq!(sink.mails().len(), 2);
    // A cancelled visit cannot be cancelled again or completed.
    let again = app
        .post_auth(
            &format!("/api/v1/staff/appointments/{id}/cancel"),
            &token,
            &json!({}),
        )
        .await;
    expect_error(again, StatusCode::CONFLICT, "conflict").await;
}

async fn reschedule_replans_and_sends_the_new_time_once(db: Db) {
    let (app, sink) = spawn_mail(db, |_| {}).await;
    let (booked, id) = book(&app, 10, false).await;
    let old_start = booked["appointments"][0]["start"]
        .as_str()
        .unwrap()
        .to_owned();
    app.dispatch().await;
    let token = app.admin().await;
    let r = app
        .post_auth(
            &format!("/api/v1/staff/appointments/{id}/reschedule"),
            &token,
            &json!({"start": local_at(12, 11, 0)}),
        )
        .await;
    let moved = expect(r, StatusCode::OK).await;
    assert_eq!(moved["start"], local_at(12, 11, 0).as_str());
    assert_eq!(moved["status"], "booked");
    assert_eq!(app.dispatch().await.sent, 1);
    let r = &sink.of_kind("rescheduled")[0];
    assert!(r.text().contains("11:00"));
    // It says where the visit moved from, in the clinic's words.
    let words = dermadesk::mail::templates::locale(dermadesk::config::Language::En).unwrap();
    let old_day: jiff::civil::Date = old_start[..10].parse().unwrap();
    let from = format!("has moved from {}, 10:00 to:", words.date(old_day));
    assert!(r.text().contains(&from), "{}", r.text());
    assert!(r.html().contains(&from), "{}", r.html());
    let ics = r.ics().unwrap();
    assert!(
        ics.contains("SEQUENCE:1") && ics.contains(&format!("UID:{id}@dermadesk")),
        "{ics}"
    );
    // The old prep time passes silently; the new one sends once (each an hour past its time,
    // whatever the time of day the test runs at).
    app.advance_to_before(&old_start, 71 * 60);
    assert_eq!(app.dispatch().await.sent, 0);
    let start = moved["start"].as_str().unwrap().to_owned();
    app.advance_to_before(&start, 71 * 60);
    assert_eq!(app.dispatch().await.sent, 1);
    assert!(sink.of_kind("prep")[0].text().contains("11:00"));
    app.advance_to_before(&start, 23 * 60);
    assert_eq!(app.dispatch().await.sent, 1);
    assert_eq!(sink.of_kind("prep").len(), 1);
    assert_eq!(sink.of_kind("day_before").len(), 1);
}

async fn an_outage_delays_and_then_delivers_once(db: Db) {
    let (app, sink) = spawn_mail(db, |s| {
        s.reminders.retry_base = Duration::from_secs(60);
        s.reminders.retry_max = Duration::from_secs(600);
    })
    .await;
    sink.set_mode(Mode::Down);
    let (_, id) = book(&app, 10, false).await;
    let before = to_db(app.state.now());
    let r = app.dispatch().await;
    let after = to_db(app.state.now());
    assert_eq!((r.sent, r.retried), (0, 1), "{r:?}");
    let token = app.admin().await;
    let confirmation = |list: Vec<Value>| -> Value {
        let conf: Vec<Value> = list
            .into_iter()
            .filter(|m| m["kind"] == "booking_confirmation")
            .collect();
        assert_eq!(conf.len(), 1, "{conf:?}");
        conf[0].clone()
    };
    // The first attempt: still pending, one attempt counted, the server's 421 recorded, and
    // the next try `retry_base` (60 s, scaled by 0.5-1.0 jitter) after this one.
    let conf = confirmation(messages_of(&app, &token, &id).await);
    assert_eq!(conf["status"], "pending", "{conf}");
    assert_eq!(conf["attempts"], 1, "{conf}");
    assert_eq!(conf["last_error"], OUTAGE_421, "{conf}");
    assert_eq!(conf["sent_at"], Value::Null, "{conf}");
    let row = stored(&app, &conf).await;
    assert!(
        (before + 30..=after + 60).contains(&row.next_attempt_at),
        "first retry 30-60 s after the attempt ({before}..{after}): {}",
        row.next_attempt_at
    );
    assert_eq!(
        (row.claim_token, row.lease_until),
        (None, None),
        "claim released"
    );
    // Still down at the next retry: a second attempt, backoff doubled (120 s, jittered).
    app.advance(Duration::from_secs(61));
    let before = to_db(app.state.now());
    let r = app.dispatch().await;
    let after = to_db(app.state.now());
    assert_eq!((r.sent, r.retried, r.failed), (0, 1, 0), "{r:?}");
    let conf = confirmation(messages_of(&app, &token, &id).await);
    assert_eq!(
        (&conf["status"], &conf["attempts"], &conf["last_error"]),
        (&json!("pending"), &json!(2), &json!(OUTAGE_421)),
        "{conf}"
    );
    let row = stored(&app, &conf).await;
    assert!(
        (before + 60..=after + 120).contains(&row.next_attempt_at),
        "second retry 60-120 s after the attempt ({before}..{after}): {}",
        row.next_attempt_at
    );
    sink.set_mode(Mode::Accept);
    // The backoff has not passed yet: nothing goes.
    assert_eq!(app.dispatch().await.claimed, 0);
    assert!(sink.mails().is_empty());
    app.advance(Duration::from_secs(601));
    assert_eq!(app.dispatch().await.sent, 1);
    assert_eq!(app.dispatch().await.sent, 0);
    assert_eq!(sink.mails().len(), 1);
    // Delivered on the third attempt; the error of the outage is cleared.
    let conf = confirmation(messages_of(&app, &token, &id).await);
    assert_eq!(
        (&conf["status"], &conf["attempts"], &conf["last_error"]),
        (&json!("sent"), &json!(3), &Value::Null),
        "{conf}"
    );
}

/// What lettre reports when the sink answers 421 at the greeting (`Mode::Down`).
const OUTAGE_421: &str = "transient error (421): Service not available, closing connection";

/// The stored outbox row behind a `/staff/messages` entry.
async fn stored(app: &TestApp, message: &Value) -> dermadesk::store::entities::outbox::Model {
    let id: Uuid = message["id"].as_str().unwrap().parse().unwrap();
    store::outbox::find(&app.state.db, id)
        .await
        .unwrap()
        .expect("the row exists")
}

async fn a_permanent_rejection_fails_at_once_and_staff_can_retry(db: Db) {
    let (app, sink) = spawn_mail(db, |_| {}).await;
    sink.set_mode(Mode::Reject);
    let (_, id) = book(&app, 10, false).await;
    let r = app.dispatch().await;
    assert_eq!((r.sent, r.failed), (0, 1), "{r:?}");
    let token = app.admin().await;
    let failed = expect(
        app.get_auth("/api/v1/staff/messages?status=failed", &token)
            .await,
        StatusCode::OK,
    )
    .await;
    let failed = failed.as_array().unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["attempts"], 1);
    assert_eq!(failed[0]["appointment_id"], id.as_str());
    assert!(
        failed[0]["last_error"].as_str().unwrap().contains("554"),
        "{}",
        failed[0]
    );
    sink.set_mode(Mode::Accept);
    let mid = failed[0]["id"].as_str().unwrap();
    let retried = expect(
        app.post_auth(
            &format!("/api/v1/staff/messages/{mid}/retry"),
            &token,
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(retried["status"], "pending");
    expect_error(
        app.post_auth(
            &format!("/api/v1/staff/messages/{mid}/retry"),
            &token,
            &json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert_eq!(app.dispatch().await.sent, 1);
    let sent = sink.mails();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].message_id(),
        failed[0]["message_id"]
            .as_str()
            .unwrap()
            .trim_matches(['<', '>'])
    );
}

async fn max_attempts_marks_the_message_failed(db: Db) {
    let (app, sink) = spawn_mail(db, |s| {
        s.reminders.max_attempts = 3;
        s.reminders.retry_base = Duration::from_secs(10);
        s.reminders.retry_max = Duration::from_secs(10);
    })
    .await;
    sink.set_mode(Mode::Down);
    book(&app, 10, false).await;
    let mut failed = 0;
    for _ in 0..4 {
        failed += app.dispatch().await.failed;
        app.advance(Duration::from_secs(11));
    }
    assert_eq!(failed, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM outbox WHERE status = 'failed' AND attempts = 3")
            .await,
        1
    );
}

async fn overdue_reminders_expire_unsent(db: Db) {
    let (app, sink) = spawn_mail(db, |_| {}).await;
    let (_, id) = book(&app, 4, false).await;
    // Nothing ran until after the visit started (a long outage of the whole service).
    app.advance(5 * DAY);
    let r = app.dispatch().await;
    assert_eq!(r.sent, 0);
    assert_eq!(r.expired, 3, "{r:?}");
    let token = app.admin().await;
    let list = messages_of(&app, &token, &id).await;
    assert!(list.iter().all(|m| m["status"] == "expired"), "{list:?}");
    assert!(sink.mails().is_empty());
}

async fn a_crashed_claim_is_sent_after_its_lease(db: Db) {
    let (app, sink) = spawn_mail(db, |s| s.reminders.lease = Duration::from_secs(30)).await;
    book(&app, 10, false).await;
    // Another instance claims the confirmation and dies before sending.
    let now = app.state.now();
    let claimed = store::outbox::claim(
        &app.state.db,
        Uuid::new_v4(),
        to_db(now),
        to_db(now) + 30,
        10,
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(app.dispatch().await.claimed, 0, "the lease still holds");
    app.advance(Duration::from_secs(31));
    let r = app.dispatch().await;
    assert_eq!(r.sent, 1, "{r:?}");
    let mails = sink.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].message_id(),
        claimed[0].message_id.trim_matches(['<', '>'])
    );
    // The dead claimer cannot overwrite the outcome afterwards.
    let stale = store::outbox::finish(
        &app.state.db,
        claimed[0].id,
        claimed[0].claim_token.unwrap(),
        store::outbox::Outcome::Failed { error: "late" },
        to_db(now),
    )
    .await
    .unwrap();
    assert!(!stale);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM outbox WHERE status = 'sent'")
            .await,
        1
    );
}

async fn two_dispatchers_send_a_thousand_messages_once(db: Db) {
    let (app, sink) = spawn_mail(db, |s| {
        s.reminders.batch_size = 50;
        s.reminders.concurrency = 8;
    })
    .await;
    let (_, id) = book(&app, 10, false).await;
    app.dispatch().await;
    // 1,000 due messages for the appointment (versions keep them distinct).
    let now = to_db(app.state.now());
    let rows: Vec<_> = (1..=1000)
        .map(|v| dermadesk::store::entities::outbox::Model {
            id: Uuid::new_v4(),
            appointment_id: id.parse().unwrap(),
            kind: dermadesk::domain::messages::MessageKind::DayBefore,
            version: v,
            recipient: format!("c{v}@example.com"),
            due_at: now,
            send_by: now + 86_400,
            status: dermadesk::domain::messages::MessageStatus::Pending,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            message_id: format!("<{}@clinic.example>", Uuid::new_v4()),
            claim_token: None,
            lease_until: None,
            sent_at: None,
            created_at: now,
            updated_at: now,
        })
        .collect();
    for chunk in rows.chunks(200) {
        store::outbox::insert(&app.state.db, chunk.to_vec())
            .await
            .unwrap();
    }
    // A second instance: its own pool and dispatcher on the same database.
    let mut settings = (*app.state.settings).clone();
    settings.database.max_connections = 4;
    let db2 = store::connect(&settings.database).await.unwrap();
    let state2 = dermadesk::state::AppState {
        db: db2,
        settings: std::sync::Arc::new(settings.clone()),
        clock: app.state.clock.clone(),
        metrics: Default::default(),
        slot_cache: Default::default(),
    };
    let second = dermadesk::dispatch::Dispatcher::new(
        state2,
        dermadesk::mail::Mailer::new(&settings.mail).unwrap(),
    );
    let (a, b) = tokio::join!(app.dispatcher.run_once(), second.run_once());
    let (a, b) = (a.unwrap(), b.unwrap());
    let errors = store::outbox::list(
        &app.state.db,
        None,
        Some(dermadesk::domain::messages::MessageStatus::Pending),
        5,
    )
    .await
    .unwrap();
    let errors: Vec<_> = errors.iter().map(|m| m.last_error.clone()).collect();
    assert_eq!(a.sent + b.sent, 1000, "{a:?} {b:?} {errors:?}");
    let mails = sink.wait_for(1001, Duration::from_secs(10)).await;
    let day_before: Vec<_> = mails.iter().filter(|m| m.kind() == "day_before").collect();
    assert_eq!(day_before.len(), 1000);
    let ids: HashSet<String> = day_before.iter().map(|m| m.message_id()).collect();
    assert_eq!(ids.len(), 1000, "no message twice");
    if db == Db::Postgres {
        assert!(
            a.sent > 0 && b.sent > 0,
            "both instances took a share: {a:?} {b:?}"
        );
    }
}

/// A quiet window from half an hour before the current local time to 90 minutes after it.
fn quiet_window_now() -> String {
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let local = jiff::Timestamp::now().to_zoned(tz);
    let from = (local.hour() as i32 * 60 + local.minute() as i32 - 30).rem_euclid(1440);
    let until = (from + 120) % 1440;
    format!(
        "{:02}:{:02}-{:02}:{:02}",
        from / 60,
        from % 60,
        until / 60,
        until % 60
    )
}

async fn quiet_hours_hold_messages_until_morning(db: Db) {
    let window = quiet_window_now();
    let (app, sink) = spawn_mail(db, move |s| {
        s.reminders.quiet_hours = window.parse().unwrap()
    })
    .await;
    let (_, id) = book(&app, 10, false).await;
    assert_eq!(app.dispatch().await.sent, 0);
    let token = app.admin().await;
    let list = messages_of(&app, &token, &id).await;
    let conf = list
        .iter()
        .find(|m| m["kind"] == "booking_confirmation")
        .unwrap();
    let due: jiff::Timestamp = conf["due_at"].as_str().unwrap().parse().unwrap();
    assert!(
        due > jiff::Timestamp::now() + jiff::SignedDuration::from_mins(80),
        "moved to the window's end: {due}"
    );
    app.advance(HOUR + HOUR / 2);
    assert_eq!(app.dispatch().await.sent, 1);
    assert_eq!(sink.mails().len(), 1);
}

/// Two moves while the emails wait for the end of quiet hours: one `rescheduled` email, from
/// the time the client last heard of (the booking's) to the last one.
async fn two_moves_in_quiet_hours_send_one_email_from_the_time_the_client_knew(db: Db) {
    let window = quiet_window_now();
    let (app, sink) = spawn_mail(db, move |s| {
        s.reminders.quiet_hours = window.parse().unwrap()
    })
    .await;
    let (booked, id) = book(&app, 10, false).await;
    let first = booked["appointments"][0]["start"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = app.admin().await;
    for (days, hour) in [(12, 11), (13, 12)] {
        expect(
            app.post_auth(
                &format!("/api/v1/staff/appointments/{id}/reschedule"),
                &token,
                &json!({"start": local_at(days, hour, 0)}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
    }
    assert_eq!(app.dispatch().await.sent, 0, "held by quiet hours");
    app.advance(HOUR + HOUR / 2);
    app.dispatch().await;
    let moved = sink.of_kind("rescheduled");
    assert_eq!(moved.len(), 1);
    let words = dermadesk::mail::templates::locale(dermadesk::config::Language::En).unwrap();
    let day: jiff::civil::Date = first[..10].parse().unwrap();
    let text = moved[0].text();
    assert!(
        text.contains(&format!("has moved from {}, 10:00 to:", words.date(day))),
        "{text}"
    );
    assert!(text.contains("12:00"), "{text}");
}

async fn the_scheduler_ticks_the_dispatcher(db: Db) {
    let (app, sink) = spawn_mail(db, |s| {
        s.reminders.enabled = true;
        s.reminders.tick = Duration::from_secs(1);
    })
    .await;
    book(&app, 10, false).await;
    let mails = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].kind(), "booking_confirmation");
}

async fn a_refused_connection_is_retried_until_a_server_answers(db: Db) {
    // A free port with nothing listening yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = crate::helpers::spawn_with(db, |s| {
        s.mail.smtp_port = port;
        s.reminders.retry_base = Duration::from_secs(30);
    })
    .await;
    book(&app, 10, false).await;
    let r = app.dispatch().await;
    assert_eq!((r.sent, r.retried), (0, 1), "{r:?}");
    let sink =
        crate::smtp::Sink::start_on(std::net::TcpListener::bind(("127.0.0.1", port)).unwrap());
    app.advance(Duration::from_secs(31));
    assert_eq!(app.dispatch().await.sent, 1);
    assert_eq!(sink.mails().len(), 1);
}

async fn due_times_on_dst_days_follow_real_hours(db: Db) {
    use jiff::{ToSpan, tz::TimeZone};
    let tz = TimeZone::get("Europe/Berlin").unwrap();
    let change = tz
        .following(jiff::Timestamp::now() + 96.hours())
        .next()
        .unwrap()
        .timestamp();
    let change_day = change.to_zoned(tz.clone()).date();
    let (app, _sink) = spawn_mail(db, |s| {
        s.booking.horizon = Duration::from_secs(400 * 86_400);
        s.reminders.quiet_hours = "21:00-08:00".parse().unwrap();
    })
    .await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    // The visit is on the change day at 10:00: `day_before` is due 24 real hours earlier,
    // which is 09:00 local before a spring change and 11:00 before an autumn one.
    let start = crate::helpers::at_date(change_day, 10, 0);
    let b = json!({"screening_id": s, "service": "microneedling", "start": start, "practitioner_id": p});
    let b = expect(app.book(b).await, StatusCode::CREATED).await;
    let id = b["appointments"][0]["id"].as_str().unwrap();
    let token = app.admin().await;
    let list = messages_of(&app, &token, id).await;
    let due = |kind: &str| -> String {
        list.iter().find(|m| m["kind"] == kind).unwrap()["due_at"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let start_ts: jiff::Timestamp = start.parse().unwrap();
    let before = change_day.yesterday().unwrap();
    let spring =
        change.to_zoned(tz.clone()).offset() > (change - 1.hours()).to_zoned(tz.clone()).offset();
    let expected = crate::helpers::at_date(before, if spring { 9 } else { 11 }, 0);
    assert_eq!(due("day_before"), expected);
    let prep: jiff::Timestamp = due("prep").parse().unwrap();
    assert!(
        prep <= start_ts - 72.hours() + 2.hours() && prep >= start_ts - 72.hours(),
        "{prep}"
    );
}

async fn a_stopped_dispatcher_claims_nothing(db: Db) {
    let (app, sink) = spawn_mail(db, |_| {}).await;
    book(&app, 10, false).await;
    app.dispatcher.stop().await;
    assert_eq!(app.dispatch().await.claimed, 0);
    assert!(sink.mails().is_empty());
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")
            .await,
        3
    );
}

/// A cancelled session of a course says which one it was and lists the sessions still ahead.
async fn a_cancelled_course_session_lists_the_sessions_still_booked(db: Db) {
    let (app, sink) = spawn_mail(db, |_| {}).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("course@example.com").await;
    let b = expect(
        app.book(json!({"screening_id": s, "service": "microneedling",
            "start": local_at(5, 10, 0), "practitioner_id": p, "sessions": 3}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let second = b["appointments"][1]["id"].as_str().unwrap();
    let desk = app.admin().await;
    expect(
        app.post_auth(
            &format!("/api/v1/staff/appointments/{second}/cancel"),
            &desk,
            &json!({"reason": "practitioner ill"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    app.dispatch().await;
    let mail = &sink.of_kind("cancellation")[0];
    let (text, html) = (mail.text(), mail.html());
    assert!(text.contains("(session 2)"), "{text}");
    assert!(text.contains("Your other sessions stay booked:"), "{text}");
    assert!(
        text.contains("Session 1: ") && text.contains("Session 3: "),
        "{text}"
    );
    assert!(!text.contains("Session 2: "), "{text}");
    assert!(html.contains("<li>Session 3: "), "{html}");
    assert!(text.contains("To book again"), "{text}");
}

/// Each client reads only what applies: a skin consultation gets the confirmation and the
/// day-before reminder (no skin to prepare, no needle, no numbing cream offered); a client
/// allergic to local anaesthetics is not invited to ask for numbing cream; anyone else is.
async fn a_consultation_and_an_allergy_get_only_the_words_that_apply(db: Db) {
    let (app, sink) = spawn_mail(db, |_| {}).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let consultation = expect(
        app.book(
            json!({"service": "skin_consultation", "start": local_at(10, 9, 0),
            "practitioner_id": p,
            "client": {"name": "Cora Consult", "email": "cora@example.com"}}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let mut allergic = crate::helpers::answers(&[]);
    allergic["local_anaesthetic_allergy"] = json!(true);
    let screened = expect(
        app.post(
            "/api/v1/screenings",
            &json!({"client": {"name": "Ali Allergy", "email": "ali@example.com"},
                "answers": allergic}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let plain = app.eligible("pia@example.com").await;
    let mut last = String::new();
    for (sid, hour) in [(screened["id"].as_str().unwrap(), 11), (plain.as_str(), 14)] {
        let b = expect(
            app.book(json!({"screening_id": sid, "service": "microneedling",
                "start": local_at(10, hour, 0), "practitioner_id": p}))
                .await,
            StatusCode::CREATED,
        )
        .await;
        last = b["appointments"][0]["start"].as_str().unwrap().to_owned();
    }
    app.dispatch().await;
    assert_eq!(sink.of_kind("booking_confirmation").len(), 3);
    // Past every reminder's time (the last visit's day_before, 24 h before it; the start as
    // booked, so the test holds at any time of day).
    app.advance_to_before(&last, 71 * 60);
    app.dispatch().await;
    app.advance_to_before(&last, 23 * 60);
    app.dispatch().await;
    let to = |m: &crate::smtp::Received| m.to[0].clone();
    let mut preps: Vec<String> = sink.of_kind("prep").iter().map(to).collect();
    preps.sort();
    assert_eq!(preps, ["ali@example.com", "pia@example.com"]);
    let day_before = sink.of_kind("day_before");
    assert_eq!(day_before.len(), 3);
    let invites = |who: &str| {
        let m = day_before.iter().find(|m| to(m) == who).unwrap();
        let (text, html) = (m.text(), m.html());
        assert!(text.contains("cleansed skin"), "{text}");
        text.contains("numbing cream") || html.contains("numbing cream")
    };
    assert!(!invites("cora@example.com"));
    assert!(!invites("ali@example.com"));
    assert!(invites("pia@example.com"));
    // Completed, the consultation gets no aftercare.
    let id = consultation["appointments"][0]["id"].as_str().unwrap();
    let start = consultation["appointments"][0]["start"].as_str().unwrap();
    app.advance_to(start.parse().unwrap());
    let desk = app.admin().await;
    for step in ["check-in", "complete"] {
        expect(
            app.post_auth(
                &format!("/api/v1/staff/appointments/{id}/{step}"),
                &desk,
                &json!({}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
    }
    assert!(
        messages_of(&app, &desk, id)
            .await
            .iter()
            .all(|m| ["booking_confirmation", "day_before"].contains(&m["kind"].as_str().unwrap())),
        "a consultation's emails are the confirmation and the day-before reminder"
    );
}

on_both!(
    a_refused_connection_is_retried_until_a_server_answers,
    due_times_on_dst_days_follow_real_hours,
    a_stopped_dispatcher_claims_nothing,
    booking_sends_confirmation_then_prep_then_day_before,
    completion_sends_aftercare,
    cancel_withdraws_reminders_and_tells_the_client,
    reschedule_replans_and_sends_the_new_time_once,
    an_outage_delays_and_then_delivers_once,
    a_permanent_rejection_fails_at_once_and_staff_can_retry,
    max_attempts_marks_the_message_failed,
    overdue_reminders_expire_unsent,
    a_crashed_claim_is_sent_after_its_lease,
    two_dispatchers_send_a_thousand_messages_once,
    quiet_hours_hold_messages_until_morning,
    the_scheduler_ticks_the_dispatcher,
    a_consultation_and_an_allergy_get_only_the_words_that_apply,
    a_cancelled_course_session_lists_the_sessions_still_booked,
    two_moves_in_quiet_hours_send_one_email_from_the_time_the_client_knew,
);

//! No double booking, enforced by the database.

use reqwest::StatusCode;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{Db, expect, expect_error, local_at, spawn, spawn_mail},
    on_both,
};

fn body(screening: &str, practitioner: &str, start: &str) -> Value {
    json!({"screening_id": screening, "service": "microneedling", "start": start, "practitioner_id": practitioner})
}

async fn hundred_requests_for_one_slot_book_it_once(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let mut screenings = Vec::new();
    for i in 0..100 {
        screenings.push(app.eligible(&format!("c{i}@example.com")).await);
    }
    let start = local_at(12, 14, 0);
    let requests = screenings.iter().map(|s| {
        let b = body(s, &p, &start);
        let req = app.client.post(app.url("/api/v1/bookings")).json(&b);
        async move { req.send().await.expect("response").status() }
    });
    let statuses = futures_util::future::join_all(requests).await;
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let taken = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, taken), (1, 99), "{statuses:?}");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM appointments").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM bookings").await,
        1,
        "losers leave no booking row"
    );
}

async fn overlaps_are_refused_and_back_to_back_is_fine(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    expect(
        app.book(body(&s, &p, &local_at(10, 10, 0))).await,
        StatusCode::CREATED,
    )
    .await;
    // 10:00-11:00 plus 15 minutes of cleaning: 10:30 overlaps, 11:00 is inside the buffer.
    for (h, m) in [(10, 0), (10, 30), (11, 0), (9, 15)] {
        let r = app.book(body(&s, &p, &local_at(10, h, m))).await;
        expect_error(r, StatusCode::CONFLICT, "slot_taken").await;
    }
    // Back to back, buffer respected on both sides.
    expect(
        app.book(body(&s, &p, &local_at(10, 11, 15))).await,
        StatusCode::CREATED,
    )
    .await;
    expect(
        app.book(body(&s, &p, &local_at(10, 8, 45))).await,
        StatusCode::CREATED,
    )
    .await;
    // Off the 15-minute grid or outside working hours is not an offered time.
    let r = app.book(body(&s, &p, &local_at(10, 13, 10))).await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let r = app.book(body(&s, &p, &local_at(10, 19, 30))).await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    // Another practitioner is free at the same time.
    let q = app.practitioner("Dr. Vos", "08:00", "20:00").await;
    expect(
        app.book(body(&s, &q, &local_at(10, 10, 0))).await,
        StatusCode::CREATED,
    )
    .await;
    // Without a practitioner, a free one is chosen; when none is, the slot is taken.
    let r = app
        .book(json!({"screening_id": s, "service": "microneedling", "start": local_at(10, 15, 0)}))
        .await;
    expect(r, StatusCode::CREATED).await;
    let r = app
        .book(json!({"screening_id": s, "service": "microneedling", "start": local_at(10, 15, 0)}))
        .await;
    expect(r, StatusCode::CREATED).await;
    let r = app
        .book(json!({"screening_id": s, "service": "microneedling", "start": local_at(10, 15, 0)}))
        .await;
    expect_error(r, StatusCode::CONFLICT, "slot_taken").await;
}

async fn a_cancelled_slot_can_be_booked_again(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let start = local_at(10, 10, 0);
    expect(app.book(body(&s, &p, &start)).await, StatusCode::CREATED).await;
    expect_error(
        app.book(body(&s, &p, &start)).await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;
    let backend = app.state.db.get_database_backend();
    app.state
        .db
        .execute_raw(sea_orm::Statement::from_string(
            backend,
            "UPDATE appointments SET status = 'cancelled'",
        ))
        .await
        .unwrap();
    expect(app.book(body(&s, &p, &start)).await, StatusCode::CREATED).await;
}

/// The rule holds even for a writer that skips every check in the code.
async fn the_database_itself_refuses_an_overlap(db: Db) {
    use dermadesk::store::entities::appointment;
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let b = expect(
        app.book(body(&s, &p, &local_at(10, 10, 0))).await,
        StatusCode::CREATED,
    )
    .await;
    let existing_id: Uuid = b["appointments"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let existing = appointment::Entity::find_by_id(existing_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let clash = |shift: i64| appointment::ActiveModel {
        id: Set(Uuid::new_v4()),
        booking_id: Set(existing.booking_id),
        client_id: Set(existing.client_id),
        practitioner_id: Set(existing.practitioner_id),
        service: Set(existing.service),
        session_number: Set(existing.session_number + 1 + shift as i32),
        starts_at: Set(existing.starts_at + shift),
        ends_at: Set(existing.ends_at + shift),
        busy_until: Set(existing.busy_until + shift),
        anesthesia: Set(false),
        status: Set(dermadesk::domain::status::AppointmentStatus::Booked),
        cancel_reason: Set(None),
        created_at: Set(existing.created_at),
        updated_at: Set(existing.updated_at),
        sequence: Set(0),
        completed_at: Set(None),
        reconfirm_screening_id: Set(None),
        reconfirm_outcome: Set(None),
        reconfirmed_at: Set(None),
        rescheduled_from: Set(None),
    };
    let err = appointment::Entity::insert(clash(60 * 74))
        .exec_without_returning(&app.state.db)
        .await
        .unwrap_err();
    assert!(dermadesk::store::is_overlap(&err), "{err}");
    // Half-open ranges: starting exactly at busy_until is allowed.
    let touching = existing.busy_until - existing.starts_at;
    appointment::Entity::insert(clash(touching))
        .exec_without_returning(&app.state.db)
        .await
        .unwrap();
}

/// A status move reception can fire at a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    CheckIn,
    NoShow,
    Cancel,
    Reschedule(i64),
}

/// 20 moves on one visit fired at once (check-in, no-show, staff cancel, reschedule, five of
/// each): the ones that succeed form one legal path from `booked`, every other is a 409, the
/// visit ends where that path ends, and the outbox and the mailbox hold exactly that path's
/// messages. Three rounds, each on its own visit an hour ahead (check-in is allowed then).
async fn concurrent_moves_on_one_visit_leave_one_legal_outcome(db: Db) {
    use dermadesk::store::entities::{appointment, outbox};
    use sea_orm::{ColumnTrait, QueryFilter};
    let (app, sink) = spawn_mail(db, |_| {}).await;
    let start_text = local_at(1, 10, 0);
    let start: jiff::Timestamp = start_text.parse().unwrap();
    let mut visits = Vec::new();
    for round in 0..3 {
        let p = app
            .practitioner(&format!("Dr. {round}"), "08:00", "20:00")
            .await;
        let s = app.eligible(&format!("race{round}@example.com")).await;
        let b = expect(
            app.book(body(&s, &p, &start_text)).await,
            StatusCode::CREATED,
        )
        .await;
        let id = b["appointments"][0]["id"].as_str().unwrap().to_owned();
        // Signed consent, so a check-in is one of the legal outcomes.
        app.sign_consent(&id).await;
        visits.push(id);
    }
    app.advance_to(start - jiff::SignedDuration::from_hours(1));
    // Whatever is due before the race (confirmations, day_before) goes out first.
    app.dispatch().await;
    let token = app.admin().await;
    for (round, id) in visits.iter().enumerate() {
        let mailed_before = sink.mails().len();
        let moves: Vec<Move> = (0..20)
            .map(|i| match i % 4 {
                0 => Move::CheckIn,
                1 => Move::NoShow,
                2 => Move::Cancel,
                _ => Move::Reschedule(3 + i as i64 / 4),
            })
            .collect();
        let requests = moves.iter().map(|m| {
            let path = |what: &str| format!("/api/v1/staff/appointments/{id}/{what}");
            let (path, body) = match m {
                Move::CheckIn => (path("check-in"), json!({})),
                Move::NoShow => (path("no-show"), json!({})),
                Move::Cancel => (path("cancel"), json!({"reason": "clinic closed"})),
                Move::Reschedule(day) => (
                    path("reschedule"),
                    json!({"start": local_at(*day + round as i64 * 10, 10, 0)}),
                ),
            };
            let req = app
                .client
                .post(app.url(&path))
                .bearer_auth(&token)
                .json(&body);
            async move {
                let r = req.send().await.expect("response");
                let status = r.status();
                (status, r.json::<Value>().await.unwrap_or(Value::Null))
            }
        });
        let answers = futures_util::future::join_all(requests).await;
        let mut won = Vec::new();
        for (m, (status, body)) in moves.iter().zip(&answers) {
            match *status {
                StatusCode::OK => won.push((*m, body.clone())),
                StatusCode::CONFLICT => {
                    assert_eq!(body["error"]["code"], "conflict", "{m:?}: {body}")
                }
                other => panic!("{m:?} answered {other}: {body}"),
            }
        }
        // A legal path from booked: reschedules (booked -> booked), then at most one of
        // check-in (perhaps followed by cancel), no-show or cancel.
        let count = |f: fn(&Move) -> bool| won.iter().filter(|(m, _)| f(m)).count();
        let reschedules = count(|m| matches!(m, Move::Reschedule(_)));
        let (check_ins, no_shows, cancels) = (
            count(|m| *m == Move::CheckIn),
            count(|m| *m == Move::NoShow),
            count(|m| *m == Move::Cancel),
        );
        assert!(
            !won.is_empty(),
            "every move is legal from booked: one must win"
        );
        assert!(
            check_ins <= 1
                && no_shows <= 1
                && cancels <= 1
                && no_shows + check_ins <= 1
                && no_shows + cancels <= 1,
            "not a legal path: {won:?}"
        );
        let last = if cancels == 1 {
            "cancelled"
        } else if no_shows == 1 {
            "no_show"
        } else if check_ins == 1 {
            "checked_in"
        } else {
            "booked"
        };
        // Each winner answered with the status its own move led to (the answer is the row it
        // wrote, not a later read).
        let to = |m: &Move| match m {
            Move::CheckIn => "checked_in",
            Move::NoShow => "no_show",
            Move::Cancel => "cancelled",
            Move::Reschedule(_) => "booked",
        };
        for (m, body) in &won {
            assert_eq!(body["status"], to(m), "{m:?}: {body}");
        }
        let row = appointment::Entity::find_by_id(id.parse::<Uuid>().unwrap())
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status.as_str(), last, "round {round}: {won:?}");
        let k = reschedules as i32;
        assert_eq!(row.sequence, k + cancels as i32, "round {round}: {won:?}");
        let moved_to: Vec<i64> = won
            .iter()
            .filter_map(|(m, b)| match m {
                Move::Reschedule(_) => Some(
                    b["start"]
                        .as_str()
                        .unwrap()
                        .parse::<jiff::Timestamp>()
                        .unwrap()
                        .as_second(),
                ),
                _ => None,
            })
            .collect();
        if reschedules == 0 {
            assert_eq!(row.starts_at, start.as_second());
        } else {
            assert!(
                moved_to.contains(&row.starts_at),
                "{moved_to:?} {}",
                row.starts_at
            );
        }
        // The outbox: one row per kind and version; a rescheduled notice per reschedule
        // (versions 1..=k), a cancellation only if cancelled (version k + 1), no aftercare,
        // and pending pre-visit messages only for the latest version of a visit still ahead.
        let rows = outbox::Entity::find()
            .filter(outbox::Column::AppointmentId.eq(row.id))
            .all(&app.state.db)
            .await
            .unwrap();
        let mut kinds: Vec<(String, i32)> = rows
            .iter()
            .map(|m| (m.kind.as_str().to_owned(), m.version))
            .collect();
        kinds.sort();
        let distinct = {
            let mut d = kinds.clone();
            d.dedup();
            d
        };
        assert_eq!(kinds, distinct, "a kind twice for one version");
        let versions = |kind: &str| -> Vec<i32> {
            let mut v: Vec<i32> = rows
                .iter()
                .filter(|m| m.kind.as_str() == kind)
                .map(|m| m.version)
                .collect();
            v.sort();
            v
        };
        assert_eq!(versions("booking_confirmation"), [0]);
        assert_eq!(versions("rescheduled"), (1..=k).collect::<Vec<_>>());
        let want_cancel: Vec<i32> = if cancels == 1 { vec![k + 1] } else { vec![] };
        assert_eq!(versions("cancellation"), want_cancel);
        for aftercare in ["soothing", "irritation_check", "follow_up"] {
            assert!(versions(aftercare).is_empty(), "{aftercare} planned");
        }
        let pending_pre_visit: Vec<(&str, i32)> = rows
            .iter()
            .filter(|m| m.status.as_str() == "pending")
            .filter(|m| {
                ["prep", "day_before", "rescheduled", "booking_confirmation"]
                    .contains(&m.kind.as_str())
            })
            .map(|m| (m.kind.as_str(), m.version))
            .collect();
        if matches!(last, "cancelled" | "no_show") {
            assert!(pending_pre_visit.is_empty(), "{pending_pre_visit:?}");
        } else {
            assert!(
                pending_pre_visit.iter().all(|(_, v)| *v == k),
                "{pending_pre_visit:?}"
            );
        }
        // The mailbox: one notice of the outcome, carrying its calendar sequence.
        let r = app.dispatch().await;
        assert_eq!((r.failed, r.retried), (0, 0), "{r:?}");
        let new: Vec<_> = sink
            .mails()
            .into_iter()
            .skip(mailed_before)
            .filter(|m| m.header("X-Dermadesk-Appointment") == *id)
            .collect();
        let new_kinds: Vec<String> = new.iter().map(|m| m.kind()).collect();
        let want: Vec<String> = match (last, reschedules) {
            ("cancelled", _) => vec!["cancellation".into()],
            ("no_show", _) | (_, 0) => vec![],
            _ => vec!["rescheduled".into()],
        };
        assert_eq!(new_kinds, want, "round {round}: {won:?}");
        if let Some(m) = new.first() {
            let ics = m.ics().expect("a calendar");
            assert!(ics.contains(&format!("SEQUENCE:{}", row.sequence)), "{ics}");
        }
    }
}

/// 20 reschedules of one visit at once: each answers 200 or 409, and the winners apply one
/// after another (sequence = winners, one `rescheduled` row per version, only the newest
/// pending).
async fn concurrent_reschedules_of_one_visit_apply_one_at_a_time(db: Db) {
    use dermadesk::store::entities::{appointment, outbox};
    use sea_orm::{ColumnTrait, QueryFilter};
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("ana@example.com").await;
    let b = expect(
        app.book(body(&s, &p, &local_at(2, 10, 0))).await,
        StatusCode::CREATED,
    )
    .await;
    let id = b["appointments"][0]["id"].as_str().unwrap().to_owned();
    let token = app.admin().await;
    let requests = (0..20).map(|i| {
        let req = app
            .client
            .post(app.url(&format!("/api/v1/staff/appointments/{id}/reschedule")))
            .bearer_auth(&token)
            .json(&json!({"start": local_at(3 + i, 10, 0)}));
        async move {
            let r = req.send().await.expect("response");
            (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    });
    let answers = futures_util::future::join_all(requests).await;
    let mut winners = 0;
    for (status, body) in &answers {
        match *status {
            StatusCode::OK => winners += 1,
            StatusCode::CONFLICT => assert_eq!(body["error"]["code"], "conflict", "{body}"),
            other => panic!("a reschedule answered {other}: {body}"),
        }
    }
    let row = appointment::Entity::find_by_id(id.parse::<Uuid>().unwrap())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.sequence, winners);
    let rows = outbox::Entity::find()
        .filter(outbox::Column::AppointmentId.eq(row.id))
        .filter(outbox::Column::Kind.eq("rescheduled"))
        .all(&app.state.db)
        .await
        .unwrap();
    let mut versions: Vec<i32> = rows.iter().map(|m| m.version).collect();
    versions.sort_unstable();
    assert_eq!(versions, (1..=winners).collect::<Vec<_>>());
    let pending: Vec<i32> = rows
        .iter()
        .filter(|m| m.status.as_str() == "pending")
        .map(|m| m.version)
        .collect();
    assert_eq!(pending, [winners]);
}

on_both!(
    concurrent_moves_on_one_visit_leave_one_legal_outcome,
    concurrent_reschedules_of_one_visit_apply_one_at_a_time,
    hundred_requests_for_one_slot_book_it_once,
    overlaps_are_refused_and_back_to_back_is_fine,
    a_cancelled_slot_can_be_booked_again,
    the_database_itself_refuses_an_overlap,
);

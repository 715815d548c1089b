//! Questionnaire version 2: the added questions, dated answers and `eligible_from` (a local
//! day in the clinic's zone), how availability and booking honour it, the anaesthetic allergy
//! and the cold-sore flag, and the versioning of answer sets.

use std::time::Duration;

use jiff::{Timestamp, ToSpan, civil::Date};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Db, TestApp, answers, at_date, expect, expect_error, local_at, spawn, spawn_mail},
    on_both,
};

const DAY: Duration = Duration::from_secs(86_400);

/// Today in the clinic's zone, as the app sees it.
fn today(app: &TestApp) -> Date {
    app.state.zone().local_date(app.state.now())
}

/// Submits answers (all "no" but `with`); returns the response.
async fn submit(app: &TestApp, email: &str, with: &[(&str, Value)]) -> reqwest::Response {
    let mut a = answers(&[]);
    for (k, v) in with {
        a[*k] = v.clone();
    }
    app.post(
        "/api/v1/screenings",
        &json!({"client": {"name": "Test Client", "email": email}, "answers": a}),
    )
    .await
}

async fn screened(app: &TestApp, email: &str, with: &[(&str, Value)]) -> Value {
    expect(submit(app, email, with).await, StatusCode::CREATED).await
}

/// The local start dates of the offered slots.
fn slot_days(body: &Value) -> Vec<Date> {
    body["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["start"].as_str().unwrap()[..10].parse().unwrap())
        .collect()
}

async fn availability(app: &TestApp, from: Date, to: Date, extra: &str) -> reqwest::Response {
    app.get(&format!(
        "/api/v1/availability?service=microneedling&from={from}&to={to}{extra}"
    ))
    .await
}

async fn version_2_lists_dated_questions_and_each_added_outcome(db: Db) {
    let app = spawn(db).await;
    let q = expect(app.get("/api/v1/screening/questions").await, StatusCode::OK).await;
    assert_eq!(q["version"], "2026-11-2");
    let by_id = |id: &str| {
        q["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} listed: {q}"))
    };
    assert_eq!(by_id("pregnant")["answer"], "yes_no");
    for id in [
        "isotretinoin_last_dose",
        "recent_filler_or_botulinum_toxin",
        "recent_laser_or_peel",
    ] {
        assert_eq!(by_id(id)["answer"], "date", "{id}");
        assert_eq!(by_id(id)["outcome_if_yes"], "eligible", "{id}");
    }
    // The waits are settings, and the texts say them.
    assert!(
        by_id("isotretinoin_last_dose")["text"]
            .as_str()
            .unwrap()
            .contains("6 months")
    );
    assert!(
        by_id("recent_laser_or_peel")["text"]
            .as_str()
            .unwrap()
            .contains("4 weeks")
    );
    let cases = [
        ("breastfeeding", "contraindicated"),
        ("skin_cancer_or_changing_mole", "contraindicated"),
        ("open_wounds_or_irritated_skin", "contraindicated"),
        ("keloid_tendency", "needs_review"),
        ("weakened_immune_system", "needs_review"),
        ("local_anaesthetic_allergy", "eligible"),
        ("cold_sore_history", "eligible"),
    ];
    for (i, (id, outcome)) in cases.into_iter().enumerate() {
        assert_eq!(by_id(id)["outcome_if_yes"], outcome, "{id}");
        let s = screened(&app, &format!("q{i}@example.com"), &[(id, json!(true))]).await;
        assert_eq!(s["outcome"], outcome, "{id}: {s}");
        assert_eq!(s["reasons"][0]["question"], id);
        assert_eq!(s["eligible_from"], Value::Null);
        assert_eq!(s["questionnaire_version"], "2026-11-2");
    }
    let wound = screened(
        &app,
        "wound@example.com",
        &[("open_wounds_or_irritated_skin", json!(true))],
    )
    .await;
    let message = wound["reasons"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("answer the health questions again"),
        "{message}"
    );
}

on_both!(version_2_lists_dated_questions_and_each_added_outcome);

async fn dated_answers_set_eligible_from_and_bad_dates_are_named(db: Db) {
    let app = spawn(db).await;
    let t = today(&app);
    // Isotretinoin a month ago: eligible 6 months after the last dose, told in words.
    let dose = t.checked_sub(1.month()).unwrap();
    let s = screened(
        &app,
        "iso@example.com",
        &[("isotretinoin_last_dose", json!(dose.to_string()))],
    )
    .await;
    let from = dose.checked_add(6.months()).unwrap();
    assert_eq!(s["outcome"], "eligible");
    assert_eq!(s["eligible_from"], from.to_string());
    assert_eq!(s["reasons"][0]["eligible_from"], from.to_string());
    let words = from.strftime("%-d %B %Y").to_string();
    let message = s["reasons"][0]["message"].as_str().unwrap();
    assert!(message.contains(&words), "{message} names {words}");
    // Two dated answers: the latest first day wins; a wait already over shapes nothing.
    let filler = t.checked_sub(3.days()).unwrap();
    let peel = t.checked_sub(2.days()).unwrap();
    let s = screened(
        &app,
        "both@example.com",
        &[
            (
                "recent_filler_or_botulinum_toxin",
                json!(filler.to_string()),
            ),
            ("recent_laser_or_peel", json!(peel.to_string())),
            ("isotretinoin_last_dose", json!("2020-01-01")),
        ],
    )
    .await;
    assert_eq!(
        s["eligible_from"],
        peel.checked_add(28.days()).unwrap().to_string()
    );
    assert_eq!(s["reasons"].as_array().unwrap().len(), 2, "{s}");
    // The worst outcome still wins, with the date kept.
    let s = screened(
        &app,
        "worst@example.com",
        &[
            ("recent_laser_or_peel", json!(peel.to_string())),
            ("keloid_tendency", json!(true)),
        ],
    )
    .await;
    assert_eq!(s["outcome"], "needs_review");
    assert!(s["eligible_from"].is_string());
    // A future date, a date that does not parse, `true` and a number: each named.
    let tomorrow = t.tomorrow().unwrap().to_string();
    let r = submit(
        &app,
        "bad@example.com",
        &[
            ("isotretinoin_last_dose", json!(tomorrow)),
            ("recent_filler_or_botulinum_toxin", json!("2026-13-01")),
            ("recent_laser_or_peel", json!(true)),
            ("pregnant", json!("2026-01-01")),
        ],
    )
    .await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let details = e["error"]["details"].as_object().unwrap();
    let keys: Vec<&str> = details.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "answers.isotretinoin_last_dose",
            "answers.pregnant",
            "answers.recent_filler_or_botulinum_toxin",
            "answers.recent_laser_or_peel"
        ]
    );
    assert!(
        details["answers.isotretinoin_last_dose"]
            .as_str()
            .unwrap()
            .contains("future")
    );
    // Nothing was stored for the refused submission.
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM screenings").await,
        3,
        "only the three accepted screenings"
    );
}

on_both!(dated_answers_set_eligible_from_and_bad_dates_are_named);

async fn another_versions_answer_set_is_refused_naming_ids(db: Db) {
    let app = spawn(db).await;
    let v1: serde_json::Map<String, Value> = [
        "pregnant",
        "active_skin_infection",
        "blood_clotting_disorder",
        "blood_thinning_medication",
        "active_inflammatory_acne",
        "sensitive_skin_or_rosacea",
    ]
    .into_iter()
    .map(|id| (id.to_owned(), json!(false)))
    .collect();
    let r = app
        .post(
            "/api/v1/screenings",
            &json!({"client": {"name": "Old Page", "email": "old@example.com"}, "answers": v1}),
        )
        .await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let details = e["error"]["details"].as_object().unwrap();
    assert_eq!(details.len(), 10, "{e}");
    for id in [
        "breastfeeding",
        "isotretinoin_last_dose",
        "skin_cancer_or_changing_mole",
        "open_wounds_or_irritated_skin",
        "keloid_tendency",
        "weakened_immune_system",
        "local_anaesthetic_allergy",
        "cold_sore_history",
        "recent_filler_or_botulinum_toxin",
        "recent_laser_or_peel",
    ] {
        assert!(details.contains_key(&format!("answers.{id}")), "{id}: {e}");
    }
    // An id of no version is named as unknown, with the version in force.
    let mut a = answers(&[]);
    a["roaccutane"] = json!(false);
    let r = app
        .post(
            "/api/v1/screenings",
            &json!({"client": {"name": "Old Page", "email": "old@example.com"}, "answers": a}),
        )
        .await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let why = e["error"]["details"]["answers.roaccutane"]
        .as_str()
        .unwrap();
    assert!(why.contains("2026-11-2"), "{why}");
}

on_both!(another_versions_answer_set_is_refused_naming_ids);

/// A screening eligible from `days` after today (a peel today, with the wait set to `days`).
async fn eligible_from_in(app: &TestApp, email: &str) -> (String, Date) {
    let t = today(app);
    let s = screened(
        app,
        email,
        &[("recent_laser_or_peel", json!(t.to_string()))],
    )
    .await;
    let from: Date = s["eligible_from"].as_str().unwrap().parse().unwrap();
    (s["id"].as_str().unwrap().to_owned(), from)
}

async fn availability_and_booking_honour_eligible_from_on_the_local_day(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "00:00", "24:00").await;
    let (sid, from) = eligible_from_in(&app, "peel@example.com").await;
    assert_eq!(from, today(&app).checked_add(28.days()).unwrap());
    let before = from.yesterday().unwrap();
    // Without the screening the days before are offered; with it, nothing before the day, and
    // the day itself from local midnight (which is the evening before in UTC).
    let all = expect(
        availability(&app, before.yesterday().unwrap(), from, "").await,
        StatusCode::OK,
    )
    .await;
    assert!(slot_days(&all).contains(&before));
    let mine = expect(
        availability(
            &app,
            before.yesterday().unwrap(),
            from.tomorrow().unwrap(),
            &format!("&screening_id={sid}"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let days = slot_days(&mine);
    assert!(days.iter().all(|d| *d >= from), "{days:?}");
    assert_eq!(mine["slots"][0]["start"], at_date(from, 0, 0));
    // A range wholly before the day offers nothing.
    let none = expect(
        availability(&app, before, before, &format!("&screening_id={sid}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(none["slots"], json!([]));
    // Booking the evening before: 403 with the date; at local midnight on the day: booked.
    let body = |start: String| json!({"screening_id": sid, "service": "microneedling", "start": start, "practitioner_id": p});
    let e = expect_error(
        app.book(body(at_date(before, 23, 0))).await,
        StatusCode::FORBIDDEN,
        "not_eligible_until",
    )
    .await;
    assert_eq!(e["error"]["details"]["eligible_from"], from.to_string());
    let words = from.strftime("%-d %B %Y").to_string();
    let message = e["error"]["message"].as_str().unwrap();
    assert!(message.contains(&words), "{message}");
    // Staff booking: the same rule.
    let desk = app.admin().await;
    expect_error(
        app.post_auth(
            "/api/v1/staff/appointments",
            &desk,
            &body(at_date(before, 12, 0)),
        )
        .await,
        StatusCode::FORBIDDEN,
        "not_eligible_until",
    )
    .await;
    expect(
        app.book(body(at_date(from, 0, 0))).await,
        StatusCode::CREATED,
    )
    .await;
    // An unknown screening id is named.
    let e = expect_error(
        availability(
            &app,
            from,
            from,
            &format!("&screening_id={}", uuid::Uuid::new_v4()),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["error"]["details"]["screening_id"].is_string());
}

on_both!(availability_and_booking_honour_eligible_from_on_the_local_day);

/// Today and the local date of the clinic's next daylight-saving change at least two days
/// from now (the test settings' zone is Europe/Berlin).
fn next_dst_change() -> (Date, Date) {
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let now = Timestamp::now();
    let t = tz
        .following(now + jiff::SignedDuration::from_hours(48))
        .next()
        .expect("Europe/Berlin changes its clocks");
    (
        now.to_zoned(tz.clone()).date(),
        t.timestamp().to_zoned(tz).date(),
    )
}

async fn eligible_from_in_a_dst_week(db: Db) {
    let (today, change) = next_dst_change();
    let wait = (change - today).get_days();
    // The wait is a setting: make the first day the day the clocks change.
    let app = crate::helpers::spawn_with(db, |s| {
        s.booking.horizon = Duration::from_secs(400 * 86_400);
        s.screening.resurfacing_wait = Duration::from_secs(wait.unsigned_abs() as u64 * 86_400);
    })
    .await;
    let p = app.practitioner("Dr. Rhee", "00:00", "24:00").await;
    let (sid, from) = eligible_from_in(&app, "dst@example.com").await;
    assert_eq!(from, change);
    let week = expect(
        availability(
            &app,
            from.checked_sub(3.days()).unwrap(),
            from.checked_add(3.days()).unwrap(),
            &format!("&screening_id={sid}"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let days = slot_days(&week);
    assert_eq!(days.first(), Some(&from), "{days:?}");
    assert!(days.contains(&from.checked_add(3.days()).unwrap()));
    assert_eq!(week["slots"][0]["start"], at_date(from, 0, 0));
    let body = |start: String| json!({"screening_id": sid, "service": "microneedling", "start": start, "practitioner_id": p});
    let before = from.yesterday().unwrap();
    let e = expect_error(
        app.book(body(at_date(before, 22, 0))).await,
        StatusCode::FORBIDDEN,
        "not_eligible_until",
    )
    .await;
    assert_eq!(e["error"]["details"]["eligible_from"], from.to_string());
    expect(
        app.book(body(at_date(from, 0, 0))).await,
        StatusCode::CREATED,
    )
    .await;
}

on_both!(eligible_from_in_a_dst_week);

async fn a_course_needs_only_its_first_session_on_or_after_the_day(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let (sid, from) = eligible_from_in(&app, "course@example.com").await;
    let b = expect(
        app.book(json!({"screening_id": sid, "service": "microneedling",
            "start": at_date(from, 10, 0), "practitioner_id": p, "sessions": 3}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let visits = b["appointments"].as_array().unwrap();
    assert_eq!(visits.len(), 3);
    assert_eq!(visits[0]["start"], at_date(from, 10, 0));
}

on_both!(a_course_needs_only_its_first_session_on_or_after_the_day);

async fn an_anaesthetic_allergy_refuses_numbing_cream(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = screened(
        &app,
        "allergy@example.com",
        &[("local_anaesthetic_allergy", json!(true))],
    )
    .await;
    assert_eq!(s["outcome"], "eligible");
    assert_eq!(s["numbing_cream_allowed"], false);
    assert!(
        s["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .contains("without numbing cream")
    );
    let sid = s["id"].as_str().unwrap();
    let day = today(&app).checked_add(5.days()).unwrap();
    let e = expect_error(
        availability(
            &app,
            day,
            day,
            &format!("&screening_id={sid}&anesthesia=true"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["error"]["details"]["anesthesia"].is_string(), "{e}");
    expect(
        availability(&app, day, day, &format!("&screening_id={sid}")).await,
        StatusCode::OK,
    )
    .await;
    let body = |anesthesia: bool| {
        json!({"screening_id": sid, "service": "microneedling", "start": local_at(5, 10, 0),
            "practitioner_id": p, "anesthesia": anesthesia})
    };
    let e = expect_error(
        app.book(body(true)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let why = e["error"]["details"]["anesthesia"].as_str().unwrap();
    assert!(why.contains("allergy to local anaesthetics"), "{why}");
    expect(app.book(body(false)).await, StatusCode::CREATED).await;
    // Another client may still choose it.
    let other = screened(&app, "other@example.com", &[]).await;
    assert_eq!(other["numbing_cream_allowed"], true);
    let other = other["id"].as_str().unwrap();
    expect(
        app.book(json!({"screening_id": other, "service": "microneedling",
            "start": local_at(5, 14, 0), "practitioner_id": p, "anesthesia": true}))
            .await,
        StatusCode::CREATED,
    )
    .await;
}

on_both!(an_anaesthetic_allergy_refuses_numbing_cream);

async fn cold_sores_show_on_the_calendar_and_in_the_prep_email(db: Db) {
    let (app, sink) = spawn_mail(db, |_| {}).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let sores = screened(
        &app,
        "sores@example.com",
        &[("cold_sore_history", json!(true))],
    )
    .await;
    assert_eq!(sores["outcome"], "eligible");
    let clear = app.eligible("clear@example.com").await;
    for (sid, h) in [(sores["id"].as_str().unwrap(), 10), (clear.as_str(), 14)] {
        expect(
            app.book(json!({"screening_id": sid, "service": "microneedling",
                "start": local_at(10, h, 0), "practitioner_id": p}))
                .await,
            StatusCode::CREATED,
        )
        .await;
    }
    let desk = app.admin().await;
    let d = &local_at(10, 10, 0)[..10];
    let cal = expect(
        app.get_auth(&format!("/api/v1/staff/calendar?from={d}&to={d}"), &desk)
            .await,
        StatusCode::OK,
    )
    .await;
    let flags: Vec<(String, bool)> = cal["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["client"]["email"].as_str().unwrap().to_owned(),
                a["screening"]["cold_sore_history"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            ("sores@example.com".to_owned(), true),
            ("clear@example.com".to_owned(), false)
        ]
    );
    app.dispatch().await;
    // An hour past the later visit's prep time (72 h before), whatever the time of day.
    app.advance_to_before(&local_at(10, 14, 0), 71 * 60);
    app.dispatch().await;
    let preps = sink.of_kind("prep");
    assert_eq!(preps.len(), 2);
    let asks = |to: &str| {
        let m = preps.iter().find(|m| m.to == vec![to.to_owned()]).unwrap();
        m.text().contains("You told us you have had cold sores")
            && m.html().contains("You told us you have had cold sores")
    };
    assert!(asks("sores@example.com"));
    assert!(!asks("clear@example.com"));
}

on_both!(cold_sores_show_on_the_calendar_and_in_the_prep_email);

async fn a_stored_version_1_screening_books_until_it_expires(db: Db) {
    use dermadesk::{
        domain::{
            client::ClientDetails,
            screening::{Outcome, QuestionnaireVersion},
            time::to_db,
        },
        store::clients::{NewScreening, insert_screening_with_client},
    };
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let now = app.state.now();
    let id = uuid::Uuid::new_v4();
    let details = ClientDetails::parse("client", "Vera Eins", "v1@example.com", None).unwrap();
    let v1_answers: serde_json::Map<String, Value> = [
        "pregnant",
        "active_skin_infection",
        "blood_clotting_disorder",
        "blood_thinning_medication",
        "active_inflammatory_acne",
        "sensitive_skin_or_rosacea",
    ]
    .into_iter()
    .map(|q| (q.to_owned(), json!(false)))
    .collect();
    insert_screening_with_client(
        &app.state.db,
        &details,
        NewScreening {
            id,
            questionnaire_version: QuestionnaireVersion::V1,
            answers: serde_json::to_string(&v1_answers).unwrap(),
            concerns: "[]".into(),
            outcome: Outcome::Eligible,
            reasons: "[]".into(),
            created_at: to_db(now),
            valid_until: to_db(now + jiff::SignedDuration::from_hours(24 * 3)),
            eligible_from: None,
            no_numbing_cream: false,
            cold_sore_history: false,
        },
    )
    .await
    .unwrap();
    let body = |days: i64| {
        json!({"screening_id": id, "service": "microneedling", "start": local_at(days, 10, 0),
            "practitioner_id": p, "anesthesia": true})
    };
    expect(app.book(body(10)).await, StatusCode::CREATED).await;
    // Staff read it with its version.
    let desk = app.admin().await;
    let stored = expect(
        app.get_auth(&format!("/api/v1/staff/screenings/{id}"), &desk)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stored["questionnaire_version"], "2026-11-1", "{stored}");
    app.advance(4 * DAY);
    expect_error(
        app.book(body(12)).await,
        StatusCode::FORBIDDEN,
        "screening_not_passed",
    )
    .await;
}

on_both!(a_stored_version_1_screening_books_until_it_expires);

async fn the_reconfirmation_uses_version_2_and_the_same_date_rule(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("course@example.com").await;
    let b = expect(
        app.book(json!({"screening_id": s, "service": "microneedling",
            "start": local_at(3, 10, 0), "practitioner_id": p, "sessions": 2}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let token = b["manage_token"].as_str().unwrap().to_owned();
    let second = b["appointments"][1]["id"].as_str().unwrap().to_owned();
    let second_day: Date = b["appointments"][1]["start"].as_str().unwrap()[..10]
        .parse()
        .unwrap();
    let reconfirm = |a: Value| {
        app.client
            .post(app.url(&format!("/api/v1/bookings/{second}/reconfirm")))
            .bearer_auth(&token)
            .json(&json!({ "answers": a }))
            .send()
    };
    // An answer set of version 1 is refused naming the missing ids.
    let mut old = answers(&[]);
    old.as_object_mut().unwrap().remove("breastfeeding");
    let e = expect_error(
        reconfirm(old).await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["error"]["details"]["answers.breastfeeding"].is_string());
    // Isotretinoin today: the repeat session is sooner than 6 months: refused with the date,
    // nothing recorded.
    let mut recent = answers(&[]);
    let t = today(&app);
    assert!(second_day < t.checked_add(6.months()).unwrap());
    recent["isotretinoin_last_dose"] = json!(t.to_string());
    let e = expect_error(
        reconfirm(recent).await.unwrap(),
        StatusCode::FORBIDDEN,
        "not_eligible_until",
    )
    .await;
    assert_eq!(
        e["error"]["details"]["eligible_from"],
        t.checked_add(6.months()).unwrap().to_string()
    );
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM screenings").await,
        1,
        "the refused re-confirmation stored nothing"
    );
    // All clear: confirmed.
    let ok = expect(reconfirm(answers(&[])).await.unwrap(), StatusCode::OK).await;
    assert_eq!(ok["outcome"], "eligible");
}

on_both!(the_reconfirmation_uses_version_2_and_the_same_date_rule);

/// An allergy to local anaesthetics reported at a re-confirmation takes numbing cream off every
/// session of the booking not yet over (their times stay), whoever records it and whatever the
/// outcome; the reminders then neither expect numbing cream nor offer it.
async fn a_reconfirmed_anaesthetic_allergy_takes_numbing_cream_off_the_rest_of_the_course(db: Db) {
    let (app, sink) = spawn_mail(db, |_| {}).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let course = |email: &'static str, hour: i8| {
        let app = &app;
        let p = p.clone();
        async move {
            let s = app.eligible(email).await;
            expect(
                app.book(json!({"screening_id": s, "service": "microneedling",
                    "start": local_at(3, hour, 0), "practitioner_id": p, "sessions": 3,
                    "anesthesia": true}))
                    .await,
                StatusCode::CREATED,
            )
            .await
        }
    };
    let b = course("numbing@example.com", 10).await;
    let token = b["manage_token"].as_str().unwrap().to_owned();
    let booked = b["appointments"].as_array().unwrap().clone();
    let id = |k: usize| booked[k]["id"].as_str().unwrap().to_owned();
    let mut allergic = answers(&[]);
    allergic["local_anaesthetic_allergy"] = json!(true);
    let numbing = |token: String| {
        let app = &app;
        async move {
            let view = expect(
                app.get_auth("/api/v1/booking", &token).await,
                StatusCode::OK,
            )
            .await;
            view["appointments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["anesthesia"].as_bool().unwrap())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(numbing(token.clone()).await, [true, true, true]);

    // The client, from the link, for session 2: confirmed, told in words, its time kept; every
    // session still ahead (session 1 too) loses the cream.
    let r = expect(
        app.post_auth(
            &format!("/api/v1/bookings/{}/reconfirm", id(1)),
            &token,
            &json!({ "answers": allergic }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["outcome"], "eligible");
    assert!(
        r["reasons"].as_array().unwrap().iter().any(|x| x["message"]
            .as_str()
            .unwrap()
            .contains("without numbing cream")),
        "{r}"
    );
    assert_eq!(r["appointment"]["start"], booked[1]["start"]);
    assert_eq!(r["appointment"]["end"], booked[1]["end"]);
    assert_eq!(numbing(token.clone()).await, [false, false, false]);
    let desk = app
        .staff_user("reception@example.com", "reception", None)
        .await;
    let d = &booked[1]["start"].as_str().unwrap()[..10];
    let cal = expect(
        app.get_auth(&format!("/api/v1/staff/calendar?from={d}&to={d}"), &desk)
            .await,
        StatusCode::OK,
    )
    .await;
    let row = cal["appointments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id(1).as_str())
        .cloned()
        .unwrap();
    assert_eq!(row["anesthesia"], false, "{row}");
    assert_eq!(row["end"], booked[1]["end"], "{row}");

    // Another client's course, at the desk: answers that rule session 2 out AND report the
    // allergy cancel session 2 and still take the cream off the sessions left.
    let other = course("other@example.com", 14).await;
    let other_token = other["manage_token"].as_str().unwrap().to_owned();
    let mut both = answers(&["pregnant"]);
    both["local_anaesthetic_allergy"] = json!(true);
    let r = expect(
        app.post_auth(
            &format!(
                "/api/v1/staff/appointments/{}/reconfirm",
                other["appointments"][1]["id"].as_str().unwrap()
            ),
            &desk,
            &json!({ "answers": both }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["outcome"], "contraindicated");
    assert_eq!(r["appointment"]["status"], "cancelled");
    assert_eq!(numbing(other_token).await, [false, false, false]);
    // Each change is in the audit log with its re-confirmation.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'appointment.reconfirm' \
             AND detail LIKE '%\"numbing_cream_taken_off\":true%'"
        )
        .await,
        2
    );
    // The reminders the day before sessions 2 and 3 neither expect numbing cream nor offer it.
    for k in [1, 2] {
        app.advance_to_before(booked[k]["start"].as_str().unwrap(), 23 * 60);
        app.dispatch().await;
        let reminders: Vec<_> = sink
            .of_kind("day_before")
            .into_iter()
            .filter(|m| m.header("X-Dermadesk-Appointment") == id(k))
            .collect();
        assert_eq!(reminders.len(), 1, "session {}", k + 1);
        let (text, html) = (reminders[0].text(), reminders[0].html());
        assert!(text.contains("cleansed skin"), "{text}");
        assert!(
            !text.contains("numbing cream") && !html.contains("numbing cream"),
            "session {}: {text}",
            k + 1
        );
    }
}

on_both!(a_reconfirmed_anaesthetic_allergy_takes_numbing_cream_off_the_rest_of_the_course);

async fn the_schema_keeps_eligible_from_a_date(db: Db) {
    use sea_orm::{ConnectionTrait, Statement};
    let app = spawn(db).await;
    let (_, from) = eligible_from_in(&app, "schema@example.com").await;
    let backend = app.state.db.get_database_backend();
    let run = |sql: &str| {
        app.state
            .db
            .execute_raw(Statement::from_string(backend, sql.to_owned()))
    };
    run("UPDATE screenings SET eligible_from = 'next week'")
        .await
        .expect_err("not a date");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM screenings WHERE eligible_from = '{from}'"
        ))
        .await,
        1
    );
    run("UPDATE screenings SET eligible_from = NULL")
        .await
        .expect("none is allowed");
}

on_both!(the_schema_keeps_eligible_from_a_date);

//! What the desk draws a week on: each practitioner's weekly hours and time off in the
//! calendar answer, and time off that can be removed again.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{
    helpers::{Db, TestApp, expect, expect_error, local_at, spawn},
    on_both,
};

async fn delete(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.client
        .request(Method::DELETE, app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

fn day(days: i64) -> String {
    local_at(days, 12, 0)[..10].to_owned()
}

async fn the_calendar_carries_hours_and_time_off_and_time_off_can_be_removed(db: Db) {
    let app = spawn(db).await;
    let vos = app.practitioner("Dr. Vos", "08:00", "20:00").await;
    let rhee = app.practitioner("Dr. Rhee", "09:00", "12:00").await;
    let admin = app.admin().await;
    // Dr. Rhee: Mondays and Thursdays only.
    let hours = json!([{"weekday": "mon", "start": "09:00", "end": "12:00"},
        {"weekday": "thu", "start": "13:30", "end": "24:00"}]);
    expect(
        app.put_auth(
            &format!("/api/v1/staff/practitioners/{rhee}/working-hours"),
            &admin,
            &hours,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    let off = |days: i64, reason: &str| json!({"start": local_at(days, 9, 0), "end": local_at(days, 11, 0), "reason": reason});
    let add = |p: String, body: Value| {
        let desk = desk.clone();
        let app = &app;
        async move {
            let r = app
                .post_auth(
                    &format!("/api/v1/staff/practitioners/{p}/time-off"),
                    &desk,
                    &body,
                )
                .await;
            expect(r, StatusCode::CREATED).await["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let inside = add(vos.clone(), off(10, "<b>Course</b>")).await;
    let outside = add(vos.clone(), off(30, "Holiday")).await;

    let (from, to) = (day(8), day(14));
    let cal = expect(
        app.get_auth(
            &format!("/api/v1/staff/calendar?from={from}&to={to}"),
            &desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Every active practitioner by name, with weekly hours and only the time off in range.
    let ps = cal["practitioners"].as_array().unwrap();
    let names: Vec<&str> = ps.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Dr. Rhee", "Dr. Vos"]);
    assert_eq!(ps[0]["id"], rhee.as_str());
    assert_eq!(ps[0]["working_hours"], hours);
    assert_eq!(ps[0]["time_off"], json!([]));
    assert_eq!(ps[1]["working_hours"].as_array().unwrap().len(), 7);
    assert_eq!(
        ps[1]["time_off"],
        json!([{"id": inside, "start": local_at(10, 9, 0), "end": local_at(10, 11, 0),
            "reason": "<b>Course</b>"}])
    );
    assert_eq!(cal["closures"], json!([]));

    // A practitioner login sees its own column only.
    let own = app
        .staff_user("vos@clinic.example", "practitioner", Some(&vos))
        .await;
    let cal = expect(
        app.get_auth(&format!("/api/v1/staff/calendar?from={from}&to={to}"), &own)
            .await,
        StatusCode::OK,
    )
    .await;
    let ps = cal["practitioners"].as_array().unwrap();
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0]["id"], vos.as_str());

    // The time off blocks the slots; removing it (desk roles only) frees them at once.
    let d = day(10);
    let avail = format!(
        "/api/v1/availability?service=skin_consultation&from={d}&to={d}&practitioner_id={vos}"
    );
    let slots = |v: &Value| v["slots"].as_array().unwrap().len();
    let blocked = slots(&expect(app.get(&avail).await, StatusCode::OK).await);
    let path = |p: &str, t: &str| format!("/api/v1/staff/practitioners/{p}/time-off/{t}");
    expect_error(
        delete(&app, &path(&vos, &inside), &own).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // Another practitioner's id, an unknown block, a malformed id: 404.
    for wrong in [
        path(&rhee, &inside),
        path(&vos, "6f1c7f66-3c5e-4c2a-9d7e-5f2a1d0c9b11"),
        path(&vos, "not-an-id"),
    ] {
        expect_error(
            delete(&app, &wrong, &desk).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    let r = delete(&app, &path(&vos, &inside), &desk).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let freed = slots(&expect(app.get(&avail).await, StatusCode::OK).await);
    // 09:00-11:00 held every 30-minute start from 08:45 to 10:45: nine more.
    assert_eq!(freed, blocked + 9);
    expect_error(
        delete(&app, &path(&vos, &inside), &desk).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let cal = expect(
        app.get_auth(
            &format!("/api/v1/staff/calendar?from={from}&to={to}"),
            &desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cal["practitioners"][1]["time_off"], json!([]));
    // The one outside the range is still there.
    let later = day(30);
    let cal = expect(
        app.get_auth(
            &format!("/api/v1/staff/calendar?from={later}&to={later}"),
            &desk,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        cal["practitioners"][1]["time_off"][0]["id"],
        outside.as_str()
    );
}

on_both!(the_calendar_carries_hours_and_time_off_and_time_off_can_be_removed);

async fn every_time_off_not_yet_over_is_listed_however_far_ahead(db: Db) {
    let app = spawn(db).await;
    let vos = app.practitioner("Dr. Vos", "08:00", "20:00").await;
    let rhee = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let desk = app
        .staff_user("desk@clinic.example", "reception", None)
        .await;
    let add = |p: &str, start: String, end: String, reason: &str| {
        let (app, desk, p) = (&app, desk.clone(), p.to_owned());
        let body = json!({"start": start, "end": end, "reason": reason});
        async move {
            let r = app
                .post_auth(
                    &format!("/api/v1/staff/practitioners/{p}/time-off"),
                    &desk,
                    &body,
                )
                .await;
            expect(r, StatusCode::CREATED).await["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    // Added out of order: far ahead first, then one under way now, one over, one next week.
    let far = add(
        &vos,
        local_at(200, 9, 0),
        local_at(214, 18, 0),
        "Sabbatical",
    )
    .await;
    let now = add(&vos, local_at(-1, 0, 0), local_at(1, 0, 0), "Ill").await;
    add(&vos, local_at(-3, 9, 0), local_at(-3, 11, 0), "Over").await;
    let soon = add(
        &vos,
        local_at(45, 9, 0),
        local_at(45, 11, 0),
        "<b>Course</b>",
    )
    .await;
    add(&rhee, local_at(60, 9, 0), local_at(60, 11, 0), "Not Vos").await;

    let path = format!("/api/v1/staff/practitioners/{vos}/time-off");
    let list = expect(app.get_auth(&path, &desk).await, StatusCode::OK).await;
    // By start; the block over is gone, the one under way stays until it ends; nothing of
    // another practitioner; the calendar's shape.
    assert_eq!(
        list,
        json!([
            {"id": now, "start": local_at(-1, 0, 0), "end": local_at(1, 0, 0), "reason": "Ill"},
            {"id": soon, "start": local_at(45, 9, 0), "end": local_at(45, 11, 0), "reason": "<b>Course</b>"},
            {"id": far, "start": local_at(200, 9, 0), "end": local_at(214, 18, 0), "reason": "Sabbatical"},
        ])
    );
    // Removed: no longer listed.
    let r = delete(
        &app,
        &format!("/api/v1/staff/practitioners/{vos}/time-off/{soon}"),
        &desk,
    )
    .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let list = expect(app.get_auth(&path, &desk).await, StatusCode::OK).await;
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [now.as_str(), far.as_str()]);

    // The desk roles only (as for adding and removing); an unknown practitioner is 404.
    let own = app
        .staff_user("vos@clinic.example", "practitioner", Some(&vos))
        .await;
    expect_error(
        app.get_auth(&path, &own).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    expect_error(
        app.get_auth(
            "/api/v1/staff/practitioners/6f1c7f66-3c5e-4c2a-9d7e-5f2a1d0c9b11/time-off",
            &desk,
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let empty = expect(
        app.get_auth(
            &format!("/api/v1/staff/practitioners/{rhee}/time-off"),
            &app.admin().await,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(empty.as_array().unwrap().len(), 1);
}

on_both!(every_time_off_not_yet_over_is_listed_however_far_ahead);

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

//! Session records (treatment notes): practitioners and admins write them for a checked-in or
//! completed microneedling visit, reception may not; bad records are named; every read is
//! audited; a course shows its sessions side by side.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Db, expect, expect_error, local_at, spawn},
    on_both,
};

fn record() -> Value {
    json!({"needle_depth_mm": 0.75, "areas": ["cheeks", "forehead"], "product": "hyaluronic serum",
        "numbing": "lidocaine cream, 30 min", "reaction": "even erythema", "notes": "tolerated well"})
}

async fn notes_by_role_validation_and_audit(db: Db) {
    let app = spawn(db).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    app.staff_user("desk@clinic.example", "reception", None)
        .await;
    let clinician = app
        .staff_user("lena@clinic.example", "practitioner", Some(&p))
        .await;
    let s = app.eligible("ana@example.com").await;
    let b = json!({"screening_id": s, "service": "microneedling", "start": local_at(2, 10, 0),
        "practitioner_id": p, "sessions": 2});
    let b = expect(app.book(b).await, StatusCode::CREATED).await;
    let course = b["course_id"].as_str().unwrap().to_owned();
    let a = b["appointments"][0]["id"].as_str().unwrap().to_owned();
    let notes = format!("/api/v1/staff/appointments/{a}/notes");

    // Not before check-in: nothing was treated yet.
    expect_error(
        app.put_auth(&notes, &clinician, &record()).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    app.advance_to_before(b["appointments"][0]["start"].as_str().unwrap(), 20);
    app.sign_consent(&a).await;
    // Staff sessions last 12 hours: sign in again after the clock moved.
    let admin = app.admin().await;
    let desk = app.login("desk@clinic.example", "staff-password-1").await;
    let clinician = app.login("lena@clinic.example", "staff-password-1").await;
    expect(
        app.post_auth(
            &format!("/api/v1/staff/appointments/{a}/check-in"),
            &desk,
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // No record yet.
    expect_error(
        app.get_auth(&notes, &clinician).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // Reception may not write them.
    expect_error(
        app.put_auth(&notes, &desk, &record()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // Every bad field is named at once.
    let e = expect_error(
        app.put_auth(
            &notes,
            &clinician,
            &json!({"needle_depth_mm": 3.5, "areas": [], "notes": "x".repeat(4001)}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let d = &e["error"]["details"];
    for field in ["needle_depth_mm", "areas", "notes"] {
        assert!(d[field].is_string(), "{field}: {e}");
    }
    for bad in [
        json!({"needle_depth_mm": 0.05, "areas": ["cheeks"]}),
        json!({"needle_depth_mm": "deep", "areas": ["cheeks"]}),
        json!({"needle_depth_mm": 1.0, "areas": ["elbow"]}),
        json!({"needle_depth_mm": 1.0, "areas": ["neck", "neck"]}),
        json!({"areas": ["neck"]}),
    ] {
        expect_error(
            app.put_auth(&notes, &clinician, &bad).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM session_notes").await,
        0
    );

    // The practitioner writes it; reading it back gives the same record.
    let w = expect(
        app.put_auth(&notes, &clinician, &record()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(w["needle_depth_mm"], 0.75);
    assert_eq!(w["areas"], json!(["cheeks", "forehead"]));
    let r = expect(app.get_auth(&notes, &desk).await, StatusCode::OK).await;
    assert_eq!(r["notes"], "tolerated well");
    assert_eq!(r["product"], "hyaluronic serum");
    // An admin corrects it after completion: replaced, not added.
    expect(
        app.post_auth(
            &format!("/api/v1/staff/appointments/{a}/complete"),
            &clinician,
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let mut fixed = record();
    fixed["needle_depth_mm"] = json!(1.0);
    fixed["reaction"] = Value::Null;
    let w = expect(app.put_auth(&notes, &admin, &fixed).await, StatusCode::OK).await;
    assert_eq!(w["needle_depth_mm"], 1.0);
    assert!(w["reaction"].is_null());
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM session_notes").await,
        1
    );

    // The course's history: session 1 with its record, session 2 without.
    let h = expect(
        app.get_auth(&format!("/api/v1/staff/courses/{course}/notes"), &clinician)
            .await,
        StatusCode::OK,
    )
    .await;
    let sessions = h["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0]["session_number"], 1);
    assert_eq!(sessions[0]["notes"]["needle_depth_mm"], 1.0);
    assert!(sessions[1]["notes"].is_null(), "{h}");
    let unknown = uuid::Uuid::new_v4();
    expect_error(
        app.get_auth(&format!("/api/v1/staff/courses/{unknown}/notes"), &admin)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // Each read is audited (who read it), and no audit detail carries the notes.
    let audit = expect(
        app.get_auth(&format!("/api/v1/staff/audit?subject_id={a}"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    let entries = audit.as_array().unwrap();
    let views = entries
        .iter()
        .filter(|e| e["action"] == "notes.view")
        .count();
    assert_eq!(views, 1, "{audit}");
    assert_eq!(
        entries
            .iter()
            .filter(|e| e["action"] == "notes.write")
            .count(),
        2
    );
    let course_audit = expect(
        app.get_auth(&format!("/api/v1/staff/audit?subject_id={course}"), &admin)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(course_audit.to_string().contains("notes.view"));
    let all = expect(
        app.get_auth("/api/v1/staff/audit", &admin).await,
        StatusCode::OK,
    )
    .await;
    let all = all.to_string();
    assert!(
        !all.contains("tolerated well") && !all.contains("hyaluronic"),
        "{all}"
    );

    // A consultation has no session record.
    let cons = json!({"service": "skin_consultation", "start": local_at(3, 10, 0),
        "practitioner_id": p, "client": {"name": "Cem", "email": "cem@example.com"}});
    let cons = expect(app.book(cons).await, StatusCode::CREATED).await;
    let cid = cons["appointments"][0]["id"].as_str().unwrap();
    expect_error(
        app.put_auth(
            &format!("/api/v1/staff/appointments/{cid}/notes"),
            &admin,
            &record(),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
}

on_both!(notes_by_role_validation_and_audit);

/// Neither a session record nor the name typed to sign a consent reaches a log line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_records_and_signatures_never_reach_the_logs() {
    crate::logs::capture();
    let app = spawn(Db::Sqlite).await;
    let p = app.practitioner("Dr. Rhee", "08:00", "20:00").await;
    let s = app.eligible("quentin@example.com").await;
    let b = json!({"screening_id": s, "service": "microneedling", "start": local_at(2, 10, 0),
        "practitioner_id": p});
    let b = expect(app.book(b).await, StatusCode::CREATED).await;
    let a = b["appointments"][0]["id"].as_str().unwrap().to_owned();
    let token = b["manage_token"].as_str().unwrap();
    expect(
        app.post_auth(
            &format!("/api/v1/bookings/{a}/consent"),
            token,
            &json!({"full_name": "Quentin Quietname", "agree": true}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    app.advance_to_before(b["appointments"][0]["start"].as_str().unwrap(), 20);
    let admin = app.admin().await;
    expect(
        app.post_auth(
            &format!("/api/v1/staff/appointments/{a}/check-in"),
            &admin,
            &json!({}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let notes = format!("/api/v1/staff/appointments/{a}/notes");
    let body = json!({"needle_depth_mm": 1.25, "areas": ["decollete"], "product": "Zyxquor serum",
        "reaction": "Wheal-flare-unique", "notes": "Fragile-capillary-secret"});
    expect(app.put_auth(&notes, &admin, &body).await, StatusCode::OK).await;
    expect(app.get_auth(&notes, &admin).await, StatusCode::OK).await;
    let logs = crate::logs::captured();
    assert!(
        logs.contains("session record written") && logs.contains("consent signed"),
        "the capture works"
    );
    for secret in [
        "Quentin",
        "Quietname",
        "Zyxquor",
        "Wheal-flare",
        "Fragile-capillary",
        "decollete",
    ] {
        assert!(!logs.contains(secret), "{secret} reached a log line");
    }
}

//! The screening questionnaire and its outcome rules, through the HTTP API.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Db, answers, expect, expect_error, spawn},
    on_both,
};

const CONTRAINDICATIONS: [&str; 5] = [
    "pregnant",
    "active_skin_infection",
    "blood_clotting_disorder",
    "blood_thinning_medication",
    "active_inflammatory_acne",
];

async fn questions_list_the_contract_ids(db: Db) {
    let app = spawn(db).await;
    let body = expect(app.get("/api/v1/screening/questions").await, StatusCode::OK).await;
    assert!(body["version"].is_string());
    let qs = body["questions"].as_array().unwrap();
    let pairs: Vec<(String, String)> = qs
        .iter()
        .map(|q| {
            (
                q["id"].as_str().unwrap().to_owned(),
                q["outcome_if_yes"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for id in CONTRAINDICATIONS {
        assert!(
            pairs.contains(&(id.to_owned(), "contraindicated".to_owned())),
            "{id}"
        );
    }
    assert!(pairs.contains(&(
        "sensitive_skin_or_rosacea".to_owned(),
        "needs_review".to_owned()
    )));
    assert!(
        qs.iter()
            .all(|q| q["text"].as_str().is_some_and(|t| !t.is_empty()))
    );
}

async fn the_outcome_matrix(db: Db) {
    let app = spawn(db).await;
    let clean = app.screen("clean@example.com", &[]).await;
    assert_eq!(clean["outcome"], "eligible");
    assert_eq!(clean["reasons"], json!([]));
    assert!(clean["valid_until"].as_str().unwrap().contains('T'));
    for (i, id) in CONTRAINDICATIONS.iter().enumerate() {
        let s = app.screen(&format!("c{i}@example.com"), &[id]).await;
        assert_eq!(s["outcome"], "contraindicated", "{id}");
        assert_eq!(s["reasons"][0]["question"], *id);
        assert_eq!(s["reasons"][0]["outcome"], "contraindicated");
        assert!(s["reasons"][0]["message"].as_str().unwrap().len() > 10);
    }
    let review = app
        .screen("rosacea@example.com", &["sensitive_skin_or_rosacea"])
        .await;
    assert_eq!(review["outcome"], "needs_review");
    // The worst answer wins, and every "yes" is a reason.
    let both = app
        .screen(
            "both@example.com",
            &["sensitive_skin_or_rosacea", "pregnant"],
        )
        .await;
    assert_eq!(both["outcome"], "contraindicated");
    assert_eq!(both["reasons"].as_array().unwrap().len(), 2);
    // The same email is one client.
    let again = app.screen("CLEAN@example.com", &[]).await;
    assert_eq!(again["client_id"], clean["client_id"]);
}

async fn missing_or_non_boolean_answers_are_named(db: Db) {
    let app = spawn(db).await;
    let client = json!({"name": "Ana", "email": "ana@example.com"});
    let mut a = answers(&[]);
    a.as_object_mut().unwrap().remove("pregnant");
    let r = app
        .post(
            "/api/v1/screenings",
            &json!({"client": client, "answers": a}),
        )
        .await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(
        body["error"]["details"]["answers.pregnant"].is_string(),
        "{body}"
    );

    for bad in [json!("no"), json!(0), Value::Null, json!([true])] {
        let mut a = answers(&[]);
        a["blood_clotting_disorder"] = bad.clone();
        let r = app
            .post(
                "/api/v1/screenings",
                &json!({"client": client, "answers": a}),
            )
            .await;
        let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(
            body["error"]["details"]["answers.blood_clotting_disorder"].is_string(),
            "{bad}: {body}"
        );
    }
    let r = app
        .post(
            "/api/v1/screenings",
            &json!({"client": client, "answers": "all fine"}),
        )
        .await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["error"]["details"]["answers"].is_string(), "{body}");

    let r = app
        .post(
            "/api/v1/screenings",
            &json!({"client": {"name": "", "email": "not-an-email"}, "answers": answers(&[])}),
        )
        .await;
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(body["error"]["details"]["client.email"].is_string());
    assert!(body["error"]["details"]["client.name"].is_string());
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM screenings").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM clients").await, 0);
}

async fn answers_are_for_staff_only(db: Db) {
    let app = spawn(db).await;
    let s = app
        .screen("ana@example.com", &["sensitive_skin_or_rosacea"])
        .await;
    let id = s["id"].as_str().unwrap();
    expect_error(
        app.get(&format!("/api/v1/staff/screenings/{id}")).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let token = app.admin().await;
    let body = expect(
        app.get_auth(&format!("/api/v1/staff/screenings/{id}"), &token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["answers"]["sensitive_skin_or_rosacea"], true);
    assert_eq!(body["answers"]["pregnant"], false);
    let list = expect(
        app.get_auth("/api/v1/staff/screenings?outcome=needs_review", &token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(list[0].get("answers").is_none(), "lists carry no answers");
}

/// A returning client (same email) keeps one client record, updated with the new name and
/// phone, and every screening is kept; the stored row holds what was submitted.
async fn a_returning_client_is_one_record_with_every_screening(db: Db) {
    let app = spawn(db).await;
    let submit = |name: &str, phone: &str, yes: &[&str]| {
        json!({"client": {"name": name, "email": "ana@example.com", "phone": phone},
               "answers": answers(yes), "concerns": ["acne_scars"]})
    };
    let first = expect(
        app.post("/api/v1/screenings", &submit("Ana", "+49 30 1234567", &[]))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let second = expect(
        app.post(
            "/api/v1/screenings",
            &submit("Ana Maria", "+49 30 7654321", &["pregnant"]),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(first["client_id"], second["client_id"]);
    assert_ne!(first["id"], second["id"]);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM clients").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM clients WHERE name = 'Ana Maria' AND phone = '+49 30 7654321'")
            .await,
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM screenings").await, 2);
    let token = app.admin().await;
    let id = second["id"].as_str().unwrap();
    let stored = expect(
        app.get_auth(&format!("/api/v1/staff/screenings/{id}"), &token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stored["outcome"], "contraindicated");
    assert_eq!(stored["answers"]["pregnant"], true);
    assert_eq!(stored["concerns"], json!(["acne_scars"]));
    assert_eq!(stored["client_id"], second["client_id"]);
    assert_eq!(stored["valid_until"], second["valid_until"]);
}

on_both!(
    a_returning_client_is_one_record_with_every_screening,
    questions_list_the_contract_ids,
    the_outcome_matrix,
    missing_or_non_boolean_answers_are_named,
    answers_are_for_staff_only,
);

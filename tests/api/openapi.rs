//! The OpenAPI document is usable by generated clients: parameters where they are sent,
//! optional ones optional, every protected operation naming its credential, optional bodies
//! optional. (The document's validity against the OpenAPI schema is `.ci/run`'s
//! openapi-spec-validator step.)

use std::collections::{BTreeMap, BTreeSet};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Db, expect, spawn};

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// Headers an operation may declare as parameters; everything else not in the path is a query.
const HEADERS: [&str; 1] = ["Idempotency-Key"];

/// The query parameters that are required, per path; every other query parameter is optional.
const REQUIRED_QUERY: [(&str, &[&str]); 3] = [
    ("/api/v1/availability", &["from", "service", "to"]),
    ("/api/v1/staff/calendar", &["from", "to"]),
    ("/api/v1/staff/clients", &["q"]),
];

/// Operations anyone may call (no credential).
const PUBLIC: [&str; 11] = [
    "GET /healthz",
    "GET /readyz",
    "GET /api/v1/services",
    "GET /api/v1/practitioners",
    "GET /api/v1/screening/questions",
    "POST /api/v1/screenings",
    "GET /api/v1/availability",
    "POST /api/v1/bookings",
    "POST /api/v1/bookings/preview",
    "GET /api/v1/clinic",
    "POST /api/v1/auth/login",
];

async fn document() -> Value {
    let app = spawn(Db::Sqlite).await;
    expect(app.get("/api-docs/openapi.json").await, StatusCode::OK).await
}

/// `(label, path, operation)` for every operation in the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                let label = format!("{} {path}", method.to_uppercase());
                out.push((label, path.clone(), op.clone()));
            }
        }
    }
    assert!(out.len() > 30, "only {} operations", out.len());
    out
}

fn segments(path: &str) -> BTreeSet<String> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .map(str::to_owned)
        .collect()
}

fn security_names(op: &Value) -> BTreeSet<String> {
    op["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|req| req.keys().cloned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameters_are_declared_where_they_are_sent() {
    let doc = document().await;
    let required_query: BTreeMap<&str, &[&str]> = REQUIRED_QUERY.into_iter().collect();
    let mut problems = Vec::new();
    for (label, path, op) in operations(&doc) {
        let in_path = segments(&path);
        let mut declared_path = BTreeSet::new();
        for p in op["parameters"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap_or_default();
            let place = p["in"].as_str().unwrap_or_default();
            let required = p["required"].as_bool().unwrap_or(false);
            if in_path.contains(name) {
                declared_path.insert(name.to_owned());
                if place != "path" || !required {
                    problems.push(format!("{label}: {name} must be a required path parameter"));
                }
            } else if HEADERS.contains(&name) {
                if place != "header" || required {
                    problems.push(format!("{label}: {name} must be an optional header"));
                }
            } else if place != "query" {
                problems.push(format!("{label}: {name} is \"in\": \"{place}\", not query"));
            } else {
                let must = required_query
                    .get(path.as_str())
                    .is_some_and(|r| r.contains(&name));
                if required != must {
                    problems.push(format!(
                        "{label}: query {name} required={required}, expected {must}"
                    ));
                }
            }
        }
        if declared_path != in_path {
            problems.push(format!(
                "{label}: path parameters {declared_path:?}, path has {in_path:?}"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_protected_operation_names_its_credential() {
    let doc = document().await;
    let schemes = doc["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes");
    for name in ["bearer", "manage_token"] {
        assert_eq!(schemes[name]["type"], "http", "{name}");
        assert_eq!(schemes[name]["scheme"], "bearer", "{name}");
    }
    let mut problems = Vec::new();
    for (label, path, op) in operations(&doc) {
        let names = security_names(&op);
        let expected: BTreeSet<String> =
            if path.starts_with("/api/v1/staff/") || label == "POST /api/v1/auth/logout" {
                ["bearer".to_owned()].into()
            } else if path.starts_with("/api/v1/bookings/{id}")
                || path == "/api/v1/booking"
                || path == "/api/v1/aftercare"
            {
                ["manage_token".to_owned()].into()
            } else if PUBLIC.contains(&label.as_str()) {
                BTreeSet::new()
            } else {
                problems.push(format!(
                    "{label}: neither public nor staff nor manage: classify it"
                ));
                continue;
            };
        if names != expected {
            problems.push(format!(
                "{label}: security {names:?}, expected {expected:?}"
            ));
        }
        for n in &names {
            if !schemes.contains_key(n) {
                problems.push(format!("{label}: unknown security scheme {n}"));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_cancel_is_documented_as_allowed() {
    let doc = document().await;
    for path in [
        "/api/v1/bookings/{id}/cancel",
        "/api/v1/staff/appointments/{id}/cancel",
    ] {
        let body = &doc["paths"][path]["post"]["requestBody"];
        assert!(body.is_object(), "{path}: the body is documented");
        assert_ne!(body["required"], Value::Bool(true), "{path}: {body}");
    }
    // Other bodies stay required.
    let book = &doc["paths"]["/api/v1/bookings"]["post"]["requestBody"];
    assert_eq!(book["required"], Value::Bool(true), "{book}");
}

/// Questionnaire version 2's fields: dated questions, `eligible_from`, the version, the
/// availability's `screening_id`, the desk's cold-sore flag, the 403 `not_eligible_until`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dated_questionnaire_is_documented() {
    let doc = document().await;
    let schemas = &doc["components"]["schemas"];
    let props = |name: &str| {
        schemas[name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name} documented"))
            .clone()
    };
    let kinds = &schemas["AnswerKind"]["enum"];
    assert_eq!(*kinds, serde_json::json!(["yes_no", "date"]), "{kinds}");
    assert!(props("QuestionDto").contains_key("answer"));
    let versions = &schemas["QuestionnaireVersion"]["enum"];
    assert!(
        versions
            .as_array()
            .is_some_and(|v| v.contains(&Value::from("2026-11-2"))),
        "{versions}"
    );
    for (schema, field) in [
        ("ScreeningDto", "eligible_from"),
        ("ScreeningDto", "questionnaire_version"),
        ("ScreeningDto", "numbing_cream_allowed"),
        ("Reason", "eligible_from"),
        ("CalendarScreening", "cold_sore_history"),
        ("CalendarScreening", "no_numbing_cream"),
        ("CalendarScreening", "eligible_from"),
    ] {
        let p = props(schema);
        assert!(p.contains_key(field), "{schema}.{field}");
    }
    assert_eq!(props("ScreeningDto")["eligible_from"]["format"], "date");
    let params = doc["paths"]["/api/v1/availability"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        params
            .iter()
            .any(|p| p["name"] == "screening_id" && p["required"] != Value::Bool(true)),
        "{params:?}"
    );
    let forbidden =
        doc["paths"]["/api/v1/bookings"]["post"]["responses"]["403"]["description"].to_string();
    assert!(forbidden.contains("not_eligible_until"), "{forbidden}");
}

/// The desk's session and the services' catalogue: logout (204), the admin's change of a
/// service and its body, and the price on the listed service (nullable) in minor units.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_and_the_services_catalogue_are_documented() {
    let doc = document().await;
    let logout = &doc["paths"]["/api/v1/auth/logout"]["post"];
    assert!(logout["responses"]["204"].is_object(), "{logout}");
    let put = &doc["paths"]["/api/v1/staff/services/{code}"]["put"];
    assert!(put["requestBody"].is_object(), "{put}");
    for status in ["200", "403", "404", "422"] {
        assert!(put["responses"][status].is_object(), "{status}: {put}");
    }
    let schemas = &doc["components"]["schemas"];
    let body = &schemas["ServiceChangeBody"]["properties"];
    for field in ["name", "duration_minutes", "price"] {
        assert!(body[field].is_object(), "{field}: {body}");
    }
    let listed = &schemas["ServiceDto"]["properties"]["price"];
    assert!(listed.to_string().contains("null"), "nullable: {listed}");
    let price = &schemas["Price"]["properties"];
    assert!(
        price["amount_minor"].is_object() && price["currency"].is_object(),
        "{price}"
    );
    assert_eq!(schemas["Currency"]["enum"], serde_json::json!(["EUR"]));
}

/// The clinical loop: consent (client and desk), session records, the course's history, the
/// calendar's consent state, the 409 `consent_missing` at check-in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_and_session_records_are_documented() {
    let doc = document().await;
    let paths = &doc["paths"];
    for (path, methods) in [
        ("/api/v1/bookings/{id}/consent", &["get", "post"][..]),
        (
            "/api/v1/staff/appointments/{id}/consent",
            &["get", "post"][..],
        ),
        ("/api/v1/staff/appointments/{id}/notes", &["get", "put"][..]),
        ("/api/v1/staff/courses/{id}/notes", &["get"][..]),
    ] {
        for m in methods {
            assert!(paths[path][m].is_object(), "{m} {path} documented");
        }
    }
    let schemas = &doc["components"]["schemas"];
    let props = |name: &str| {
        schemas[name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{name} documented"))
            .clone()
    };
    for (schema, fields) in [
        (
            "ConsentDto",
            &["version", "text", "signed", "required", "state"][..],
        ),
        ("SignatureDto", &["at", "by", "version", "via"][..]),
        ("ConsentBody", &["full_name", "agree"][..]),
        (
            "NotesInput",
            &[
                "needle_depth_mm",
                "areas",
                "product",
                "numbing",
                "reaction",
                "notes",
            ][..],
        ),
        ("NotesDto", &["needle_depth_mm", "areas", "recorded_by"][..]),
        ("CourseNotesDto", &["course_id", "sessions"][..]),
        ("CalendarEntryDto", &["consent"][..]),
        ("SessionDto", &["consent"][..]),
    ] {
        let p = props(schema);
        for f in fields {
            assert!(p.contains_key(*f), "{schema}.{f}");
        }
    }
    let required = schemas["NotesInput"]["required"].to_string();
    assert!(
        required.contains("needle_depth_mm") && required.contains("areas"),
        "{required}"
    );
    assert_eq!(
        schemas["ConsentState"]["enum"],
        serde_json::json!(["not_needed", "missing", "outdated", "signed"])
    );
    assert_eq!(
        schemas["ConsentSource"]["enum"],
        serde_json::json!(["client_link", "desk"])
    );
    assert!(
        schemas["Area"]["enum"]
            .as_array()
            .is_some_and(|a| a.len() > 5)
    );
    let check_in = paths["/api/v1/staff/appointments/{id}/check-in"]["post"]["responses"]["409"]
        ["description"]
        .to_string();
    assert!(check_in.contains("consent_missing"), "{check_in}");
}

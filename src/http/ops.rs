//! Operations: liveness, readiness, the OpenAPI document.

use actix_web::{HttpResponse, get, web};
use serde_json::json;
use utoipa::OpenApi;

use crate::{flows, state::AppState};

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", tag = "ops", responses((status = 200), (status = 503)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if flows::ops::ready(&state).await {
        HttpResponse::Ok().json(json!({ "status": "ready" }))
    } else {
        HttpResponse::ServiceUnavailable().json(json!({ "status": "database unreachable" }))
    }
}

/// Prometheus metrics; the outbox depth is read from the database at scrape time.
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    // A database hiccup leaves the gauge at its last value; the scrape itself still answers.
    if let Err(e) = flows::ops::record_outbox_depth(&state).await {
        tracing::warn!(error = %e, "outbox depth not read");
    }
    HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(state.metrics.render())
}

/// Counts requests by route pattern (not raw path, so ids do not explode the label set) and
/// status, and times them.
pub async fn measure(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    // A client may send any method token; only the standard ones become label values, so
    // the label set (and the registry's memory) stays bounded.
    let method = match req.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m,
        _ => "OTHER",
    }
    .to_owned();
    let res = next.call(req).await?;
    if let Some(state) = state {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        let m = &state.metrics;
        m.http_requests
            .get_or_create(&crate::metrics::HttpLabels {
                method: method.clone(),
                route: route.clone(),
                status: res.status().as_u16(),
            })
            .inc();
        m.http_duration
            .get_or_create(&crate::metrics::RouteLabels { method, route })
            .observe(started.elapsed().as_secs_f64());
    }
    Ok(res)
}

/// The OpenAPI document, generated from the handlers and types.
#[get("/api-docs/openapi.json")]
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(super::ApiDoc::openapi())
}

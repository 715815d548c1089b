//! The client pages (`/book`, `/manage`), the staff desk (`/desk`) and their static files, built
//! into the binary from `web/` (rust-embed, embedded in debug builds too): no build step,
//! nothing from another origin. Every answer here carries the pages' security headers; the
//! desk may not be framed by anyone (`frame-ancestors 'none'`, `X-Frame-Options: DENY`).

use actix_web::{
    HttpRequest, HttpResponse, HttpResponseBuilder,
    http::{StatusCode, header},
    route, web,
};
use rust_embed::Embed;

use crate::{config::WebSettings, error::ApiError, state::AppState};

/// `web/`: the pages at its top, their CSS, scripts and strings under `web/assets/`.
#[derive(Embed)]
#[folder = "web/"]
struct Files;

/// Registers the page routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(root)
        .service(book)
        .service(manage)
        .service(aftercare)
        .service(desk)
        .service(asset);
}

/// The `Content-Security-Policy` of every page: everything from this origin only, no inline
/// script or style, and framing by this origin plus `web.frame_ancestors`.
pub fn content_security_policy(web: &WebSettings) -> String {
    let mut ancestors = String::from("'self'");
    for origin in &web.frame_ancestors {
        ancestors.push(' ');
        ancestors.push_str(origin);
    }
    policy(&ancestors)
}

/// The desk's policy: the client pages' one, but no page anywhere may frame it (a staff
/// session inside someone else's frame invites clickjacking).
pub fn desk_content_security_policy() -> String {
    policy("'none'")
}

fn policy(ancestors: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'; \
         frame-ancestors {ancestors}"
    )
}

fn with_headers(status: StatusCode, state: &AppState) -> HttpResponseBuilder {
    with_policy(status, content_security_policy(&state.settings.web))
}

fn with_policy(status: StatusCode, csp: String) -> HttpResponseBuilder {
    let mut b = HttpResponse::build(status);
    b.insert_header((header::CONTENT_SECURITY_POLICY, csp))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        // Small files without versioned names: the browser revalidates (ETag) on every use.
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    b
}

#[route("/", method = "GET", method = "HEAD")]
async fn root(state: web::Data<AppState>) -> HttpResponse {
    with_headers(StatusCode::FOUND, &state)
        .insert_header((header::LOCATION, "/book"))
        .finish()
}

#[route("/book", method = "GET", method = "HEAD")]
async fn book(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    serve(&req, &state, "book.html")
}

#[route("/manage", method = "GET", method = "HEAD")]
async fn manage(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    serve(&req, &state, "manage.html")
}

/// The aftercare check-in (`/aftercare#<secret>` from the `irritation_check` email).
#[route("/aftercare", method = "GET", method = "HEAD")]
async fn aftercare(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    serve(&req, &state, "aftercare.html")
}

/// The staff desk: never framed, never cached by a shared cache.
#[route("/desk", method = "GET", method = "HEAD")]
async fn desk(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let mut res = serve_with(&req, "desk.html", || {
        with_policy(StatusCode::OK, desk_content_security_policy())
    })?;
    res.headers_mut().insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    Ok(res)
}

#[route("/assets/{path:.*}", method = "GET", method = "HEAD")]
async fn asset(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    serve(&req, &state, &format!("assets/{path}"))
}

/// One embedded file with its content type and an ETag (its SHA-256); `If-None-Match` with
/// that tag answers 304.
fn serve(req: &HttpRequest, state: &AppState, path: &str) -> Result<HttpResponse, ApiError> {
    serve_with(req, path, || with_headers(StatusCode::OK, state))
}

/// `serve` with the headers `start` gives (its status is replaced by 304 when fresh).
fn serve_with(
    req: &HttpRequest,
    path: &str,
    start: impl Fn() -> HttpResponseBuilder,
) -> Result<HttpResponse, ApiError> {
    let file = Files::get(path).ok_or(ApiError::NotFound)?;
    let etag = format!("\"{}\"", hex::encode(file.metadata.sha256_hash()));
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if fresh {
        let mut b = start();
        b.status(StatusCode::NOT_MODIFIED);
        return Ok(b.insert_header((header::ETAG, etag)).finish());
    }
    Ok(start()
        .insert_header((header::CONTENT_TYPE, content_type(path)))
        .insert_header((header::ETAG, etag))
        .body(file.data.into_owned()))
}

/// The few kinds of file under `web/`.
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

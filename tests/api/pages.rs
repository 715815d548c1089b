//! The client pages as HTTP sees them: routes, content types, security headers, ETags, the
//! clinic route the pages start from, and `web.frame_ancestors`. (What the pages do is tested
//! in a real browser: tests/browser/.)

use std::path::PathBuf;

use dermadesk::config::Settings;
use reqwest::{StatusCode, redirect::Policy};

use crate::helpers::{Db, expect, spawn, spawn_with};

const CSP_START: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'; frame-ancestors 'self'";

#[tokio::test]
async fn the_root_redirects_to_the_booking_page() {
    let app = spawn(Db::Sqlite).await;
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let r = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()["location"], "/book");
}

#[tokio::test]
async fn pages_and_assets_carry_their_type_and_the_security_headers() {
    let app = spawn(Db::Sqlite).await;
    for (path, kind) in [
        ("/book", "text/html; charset=utf-8"),
        ("/manage", "text/html; charset=utf-8"),
        ("/assets/style.css", "text/css; charset=utf-8"),
        ("/assets/book.js", "text/javascript; charset=utf-8"),
        ("/assets/i18n/en.js", "text/javascript; charset=utf-8"),
        ("/assets/i18n/de.js", "text/javascript; charset=utf-8"),
        ("/assets/icon.svg", "image/svg+xml"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let h = r.headers();
        assert_eq!(h["content-type"], kind, "{path}");
        assert_eq!(h["content-security-policy"], CSP_START, "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert!(h.contains_key("etag"), "{path}");
    }
    let page = app.get("/book").await.text().await.unwrap();
    // No inline script or style, nothing from another origin.
    assert!(page.contains(r#"<script type="module" src="/assets/book.js"></script>"#));
    assert!(!page.contains("<style") && !page.contains(" style=") && !page.contains("http"));
}

#[tokio::test]
async fn an_unchanged_asset_answers_304_and_an_unknown_one_404() {
    let app = spawn(Db::Sqlite).await;
    let r = app.get("/assets/book.js").await;
    let etag = r.headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .client
        .get(app.url("/assets/book.js"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    for path in [
        "/assets/nope.js",
        "/assets/../Cargo.toml",
        "/assets/%2e%2e/Cargo.toml",
        "/book.html",
    ] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_clinic_route_tells_the_pages_name_contact_zone_and_language() {
    let app = spawn(Db::Sqlite).await;
    let body = expect(app.get("/api/v1/clinic").await, StatusCode::OK).await;
    let s = &app.state.settings.clinic;
    assert_eq!(body["name"], s.name.as_str());
    assert_eq!(body["phone"], s.phone.as_str());
    assert_eq!(body["email"], s.email.as_str());
    assert_eq!(body["timezone"], "Europe/Berlin");
    assert_eq!(body["language"], "en");
    // The desk page locks itself after `desk.idle_lock` (15 minutes by default).
    assert_eq!(body["desk"]["idle_lock_seconds"], 900);
    // A German clinic's pages speak German.
    let de = spawn_with(Db::Sqlite, |s| {
        s.clinic.language = dermadesk::config::Language::De;
        s.desk.idle_lock = std::time::Duration::from_secs(5 * 60);
    })
    .await;
    let body = expect(de.get("/api/v1/clinic").await, StatusCode::OK).await;
    assert_eq!(body["language"], "de");
    assert_eq!(body["desk"]["idle_lock_seconds"], 300);
}

#[tokio::test]
async fn frame_ancestors_extend_the_policy() {
    let app = spawn_with(Db::Sqlite, |s| {
        s.web.frame_ancestors = vec![
            "https://clinic.example".to_owned(),
            "https://*.clinic.example:8443".to_owned(),
        ];
    })
    .await;
    let r = app.get("/book").await;
    assert_eq!(
        r.headers()["content-security-policy"],
        format!("{CSP_START} https://clinic.example https://*.clinic.example:8443").as_str()
    );
}

fn load_web(value: &str) -> Result<Settings, String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("test-config")
        .join(uuid::Uuid::new_v4().to_string());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("default.toml"),
        format!("[web]\nframe_ancestors = {value:?}\n"),
    )
    .unwrap();
    let res = Settings::load_env(&dir, "none").map_err(|e| e.to_string());
    let _ = std::fs::remove_dir_all(&dir);
    res
}

#[test]
fn frame_ancestors_are_checked_origins() {
    assert!(load_web("").unwrap().web.frame_ancestors.is_empty());
    let s = load_web("https://clinic.example,  http://127.0.0.1:9000 https://*.Clinic.example")
        .unwrap();
    assert_eq!(
        s.web.frame_ancestors,
        [
            "https://clinic.example",
            "http://127.0.0.1:9000",
            "https://*.clinic.example"
        ]
    );
    for bad in [
        "clinic.example",
        "https://clinic.example/path",
        "https://clinic.example; script-src *",
        "'self'",
        "*",
        "https://clinic.example:0",
        "javascript://x",
        "https://",
    ] {
        let err = load_web(bad).unwrap_err();
        assert!(err.contains("frame_ancestors"), "{bad}: {err}");
    }
}

//! `spawn_app` on SQLite or PostgreSQL (a fresh database per test, dropped after), and the
//! request helpers the scenarios share.

use std::{path::PathBuf, time::Duration};

use std::sync::Arc;

use dermadesk::{
    app::Application,
    config::{MailTransportKind, Settings},
    dispatch::{Dispatcher, Report},
    domain::time::QuietHours,
    state::AppState,
};
use jiff::{Timestamp, ToSpan, civil::Date, tz::TimeZone};
use reqwest::{Response, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use uuid::Uuid;

/// Which database a scenario runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn name(db: Db)` scenario once per database.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Db::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::helpers::Db::Postgres).await
            }
        }
    )*};
}

pub const ADMIN_EMAIL: &str = "admin@clinic.example";
pub const ADMIN_PASSWORD: &str = "admin-password-123";

fn pg_base() -> String {
    std::env::var("DERMADESK_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// A running app on a fresh database.
pub struct TestApp {
    pub addr: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub dispatcher: Arc<Dispatcher>,
    cleanup: Cleanup,
}

pub enum Cleanup {
    File(PathBuf),
    Pg(String),
}

impl Drop for TestApp {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Pg(name) => {
                let name = name.clone();
                // Drop runs inside the test's runtime; a thread with its own runtime can block.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    rt.block_on(async {
                        let admin = Database::connect(format!("{}/postgres", pg_base()))
                            .await
                            .ok()?;
                        admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await
                            .ok()
                    })
                })
                .join();
            }
        }
    }
}

/// The default test settings on the given database.
async fn settings(db: Db) -> (Settings, Cleanup) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut s = Settings::load_env(&dir.join("config"), "test").expect("test settings");
    s.server.port = 0;
    s.bootstrap.admin_email = Some(ADMIN_EMAIL.to_owned());
    s.bootstrap.admin_password = Some(ADMIN_PASSWORD.to_owned().into());
    let id = Uuid::new_v4().simple().to_string();
    // Mail goes to a real SMTP sink; the dispatcher is driven by the tests (`app.dispatch()`).
    s.mail.transport = MailTransportKind::Smtp;
    s.mail.smtp_host = "127.0.0.1".to_owned();
    s.mail.smtp_port = 9; // nothing listens: tests that send start a sink with `spawn_mail`
    s.mail.send_timeout = Duration::from_secs(5);
    s.reminders.enabled = false;
    s.reminders.quiet_hours = QuietHours::NONE;
    s.reminders.lease = Duration::from_secs(30);
    // Scenarios send hundreds of requests from one IP; the rate-limit tests turn it back on.
    s.rate_limit.public_per_minute = 0;
    s.rate_limit.login_per_minute = 0;
    let cleanup = match db {
        Db::Sqlite => {
            let folder = dir.join("target").join("test-db");
            std::fs::create_dir_all(&folder).expect("test-db folder");
            let path = folder.join(format!("{id}.db"));
            s.database.url = format!("sqlite://{}?mode=rwc", path.display()).into();
            Cleanup::File(path)
        }
        Db::Postgres => {
            let name = format!("dermadesk_test_{id}");
            let admin = Database::connect(format!("{}/postgres", pg_base()))
                .await
                .expect("PostgreSQL must be reachable (DERMADESK_TEST_PG)");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            s.database.url = format!("{}/{name}", pg_base()).into();
            Cleanup::Pg(name)
        }
    };
    (s, cleanup)
}

/// Spawns the app with default test settings.
pub async fn spawn(db: Db) -> TestApp {
    spawn_with(db, |_| {}).await
}

/// Spawns the app after `tweak` adjusts the settings.
pub async fn spawn_with(db: Db, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let (mut s, cleanup) = settings(db).await;
    tweak(&mut s);
    let app = Application::build(s).await.expect("app builds");
    let addr = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let dispatcher = app.dispatcher();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    TestApp {
        addr,
        client,
        state,
        dispatcher,
        cleanup,
    }
}

/// Spawns the app sending to a fresh SMTP sink.
pub async fn spawn_mail(db: Db, tweak: impl FnOnce(&mut Settings)) -> (TestApp, crate::smtp::Sink) {
    let sink = crate::smtp::Sink::start();
    let port = sink.port;
    let app = spawn_with(db, |s| {
        s.mail.smtp_port = port;
        tweak(s)
    })
    .await;
    (app, sink)
}

/// Every screening answer "no", with overrides.
pub fn answers(yes: &[&str]) -> Value {
    let mut m = serde_json::Map::new();
    for q in dermadesk::domain::screening::CURRENT.questions {
        m.insert(q.id.to_owned(), Value::Bool(yes.contains(&q.id)));
    }
    Value::Object(m)
}

/// A local date `days` from today in the clinic's zone at `hh:mm`, as RFC 3339.
pub fn local_at(days: i64, hh: i8, mm: i8) -> String {
    let tz = TimeZone::get("Europe/Berlin").unwrap();
    let today = Timestamp::now().to_zoned(tz.clone()).date();
    let date = today.checked_add(days.days()).unwrap();
    at_date(date, hh, mm)
}

/// A local date at `hh:mm` in the clinic's zone, as RFC 3339.
pub fn at_date(date: Date, hh: i8, mm: i8) -> String {
    let tz = TimeZone::get("Europe/Berlin").unwrap();
    let z = date.at(hh, mm, 0, 0).to_zoned(tz).unwrap();
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET")
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn post_auth(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    /// Creates a staff user with `role` (optionally linked to a practitioner) and logs it in.
    pub async fn staff_user(&self, email: &str, role: &str, practitioner: Option<&str>) -> String {
        let admin = self.admin().await;
        let body = json!({"email": email, "password": "staff-password-1", "role": role, "practitioner_id": practitioner});
        let r = self.post_auth("/api/v1/staff/users", &admin, &body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        self.login(email, "staff-password-1").await
    }

    pub async fn put_auth(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("PUT")
    }

    /// Logs in and returns the bearer token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let r = self
            .post(
                "/api/v1/auth/login",
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "login {email}");
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// One dispatcher run, as a tick would do it.
    pub async fn dispatch(&self) -> Report {
        self.dispatcher.run_once().await.expect("dispatch run")
    }

    /// Moves the app's clock forward.
    pub fn advance(&self, by: Duration) {
        self.state.clock.advance(by);
    }

    /// Moves the app's clock to `minutes` before the RFC 3339 instant `start` (a visit's
    /// check-in opens shortly before its start).
    pub fn advance_to_before(&self, start: &str, minutes: i64) {
        let start: jiff::Timestamp = start.parse().expect("an RFC 3339 start");
        let target = start - jiff::SignedDuration::from_mins(minutes);
        let by = target.duration_since(self.state.now());
        assert!(by.is_positive(), "the clock only moves forward");
        self.advance(Duration::from_secs(by.as_secs().unsigned_abs()));
    }

    /// Moves the app's clock forward to just after `at` (never back).
    pub fn advance_to(&self, at: Timestamp) {
        let ahead = at.duration_since(self.state.now());
        if ahead.is_positive() {
            self.advance(Duration::from_secs(ahead.as_secs().unsigned_abs() + 1));
        }
    }

    pub async fn admin(&self) -> String {
        self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// A practitioner working `start`..`end` (HH:MM) every day of the week.
    pub async fn practitioner(&self, name: &str, start: &str, end: &str) -> String {
        let token = self.admin().await;
        let r = self
            .post_auth(
                "/api/v1/staff/practitioners",
                &token,
                &json!({"name": name}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let hours: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter()
            .map(|d| json!({"weekday": d, "start": start, "end": end}))
            .collect();
        let r = self
            .put_auth(
                &format!("/api/v1/staff/practitioners/{id}/working-hours"),
                &token,
                &json!(hours),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        id
    }

    /// Submits a screening; returns its JSON.
    pub async fn screen(&self, email: &str, yes: &[&str]) -> Value {
        let r = self
            .post(
                "/api/v1/screenings",
                &json!({"client": {"name": "Test Client", "email": email}, "answers": answers(yes)}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }

    /// An eligible screening id.
    pub async fn eligible(&self, email: &str) -> String {
        self.screen(email, &[]).await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Books microneedling; returns the response.
    pub async fn book(&self, body: Value) -> Response {
        self.post("/api/v1/bookings", &body).await
    }

    /// The client signs the microneedling consent at the desk (an admin records it) for the
    /// booking of `appointment_id`, so the visit may be checked in (201, or 200 when the
    /// booking already holds this version's signature).
    pub async fn sign_consent(&self, appointment_id: &str) -> Value {
        let admin = self.admin().await;
        let r = self
            .post_auth(
                &format!("/api/v1/staff/appointments/{appointment_id}/consent"),
                &admin,
                &json!({"full_name": "Test Client", "agree": true}),
            )
            .await;
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "consent {status}: {body}"
        );
        assert_eq!(body["state"], "signed", "{body}");
        body
    }

    /// Counts rows with a raw SQL query returning one integer column named `n`.
    pub async fn count(&self, sql: &str) -> i64 {
        let backend = self.state.db.get_database_backend();
        let row = self
            .state
            .db
            .query_one_raw(sea_orm::Statement::from_string(backend, sql.to_owned()))
            .await
            .expect("count query")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("n")
    }
}

/// Reads the JSON body and asserts the status.
pub async fn expect(r: Response, status: StatusCode) -> Value {
    let got = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "body: {body}");
    body
}

/// Asserts a JSON error with the given status and code.
pub async fn expect_error(r: Response, status: StatusCode, code: &str) -> Value {
    let body = expect(r, status).await;
    assert_eq!(body["error"]["code"], code, "body: {body}");
    body
}

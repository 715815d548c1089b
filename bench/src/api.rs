//! The few API calls the scenarios make, and the slot plan that keeps bookings distinct.

use std::time::Duration;

use anyhow::{Context, bail};
use jiff::{Timestamp, civil::Date, tz::TimeZone};
use serde_json::{Value, json};

/// An HTTP client for one server.
#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
}

pub fn answers(yes: &[&str]) -> Value {
    let mut m = serde_json::Map::new();
    for q in dermadesk::domain::screening::CURRENT.questions {
        m.insert(q.id.to_owned(), Value::Bool(yes.contains(&q.id)));
    }
    Value::Object(m)
}

impl Api {
    #[expect(
        clippy::expect_used,
        reason = "a benchmark harness stops on a broken setup"
    )]
    pub fn new(base: &str) -> Self {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client");
        Self {
            client,
            base: base.to_owned(),
        }
    }

    pub async fn admin(&self) -> anyhow::Result<String> {
        let r = self
            .client
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"email": "admin@clinic.example", "password": "bench-admin-password"}))
            .send()
            .await?;
        let v: Value = r.json().await?;
        v["token"].as_str().map(str::to_owned).context("login")
    }

    /// `n` practitioners working around the clock every day.
    pub async fn practitioners(&self, n: usize) -> anyhow::Result<Vec<String>> {
        let token = self.admin().await?;
        let mut ids = Vec::new();
        for i in 0..n {
            let r = self
                .client
                .post(format!("{}/api/v1/staff/practitioners", self.base))
                .bearer_auth(&token)
                .json(&json!({"name": format!("Practitioner {i}")}))
                .send()
                .await?;
            let v: Value = r.json().await?;
            let id = v["id"].as_str().context("practitioner id")?.to_owned();
            let hours: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                .iter()
                .map(|d| json!({"weekday": d, "start": "00:00", "end": "24:00"}))
                .collect();
            let r = self
                .client
                .put(format!(
                    "{}/api/v1/staff/practitioners/{id}/working-hours",
                    self.base
                ))
                .bearer_auth(&token)
                .json(&hours)
                .send()
                .await?;
            if !r.status().is_success() {
                bail!("working hours: {}", r.status());
            }
            ids.push(id);
        }
        Ok(ids)
    }

    /// Submits an eligible screening; returns (status, screening id).
    pub async fn screen(&self, email: &str) -> (u16, Option<String>) {
        let body =
            json!({"client": {"name": "Bench Client", "email": email}, "answers": answers(&[])});
        match self
            .client
            .post(format!("{}/api/v1/screenings", self.base))
            .json(&body)
            .send()
            .await
        {
            Ok(r) => {
                let status = r.status().as_u16();
                let v: Value = r.json().await.unwrap_or(Value::Null);
                (status, v["id"].as_str().map(str::to_owned))
            }
            Err(_) => (599, None),
        }
    }

    /// Books microneedling; returns (status, body).
    pub async fn book(&self, screening: &str, start: &str, practitioner: &str) -> (u16, Value) {
        let body = json!({"screening_id": screening, "service": "microneedling", "start": start,
            "practitioner_id": practitioner});
        match self
            .client
            .post(format!("{}/api/v1/bookings", self.base))
            .json(&body)
            .send()
            .await
        {
            Ok(r) => {
                let status = r.status().as_u16();
                (status, r.json().await.unwrap_or(Value::Null))
            }
            Err(_) => (599, Value::Null),
        }
    }

    /// The number of slots in an availability answer, and its size in bytes.
    pub async fn slots(&self, path: &str) -> anyhow::Result<(usize, usize)> {
        let body = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await?
            .bytes()
            .await?;
        let v: Value = serde_json::from_slice(&body)?;
        let n = v["slots"].as_array().map_or(0, Vec::len);
        Ok((n, body.len()))
    }

    pub async fn get_status(&self, path: &str, token: Option<&str>) -> u16 {
        let mut req = self.client.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        match req.send().await {
            Ok(r) => {
                let s = r.status().as_u16();
                let _ = r.bytes().await;
                s
            }
            Err(_) => 599,
        }
    }
}

/// Distinct, non-overlapping slots: practitioner `k % P`, and per practitioner 19 visits a
/// day, 75 minutes apart (60-minute visit + 15-minute buffer), on days of 24 hours (DST days
/// are skipped so every planned start is on the grid).
pub struct SlotPlan {
    days: Vec<Date>,
    practitioners: Vec<String>,
    per_day: u64,
    spacing_minutes: u64,
}

impl SlotPlan {
    pub fn new(practitioners: Vec<String>, first_day_offset: i64, n_days: usize) -> Self {
        Self::spaced(practitioners, first_day_offset, n_days, 75)
    }

    /// Visits `spacing_minutes` apart (at least 75): with 180, a practitioner-day holds 8
    /// visits and 24 free starts, like a busy but not full clinic day.
    #[expect(
        clippy::expect_used,
        reason = "a benchmark harness stops on a broken setup"
    )]
    pub fn spaced(
        practitioners: Vec<String>,
        first_day_offset: i64,
        n_days: usize,
        spacing_minutes: u64,
    ) -> Self {
        let tz = TimeZone::get("Europe/Berlin").expect("tz");
        let today = Timestamp::now().to_zoned(tz.clone()).date();
        let mut days = Vec::new();
        let mut d = today
            .checked_add(jiff::Span::new().days(first_day_offset))
            .expect("date");
        while days.len() < n_days {
            let start = d.to_zoned(tz.clone()).expect("zoned");
            let next = d
                .tomorrow()
                .expect("date")
                .to_zoned(tz.clone())
                .expect("zoned");
            if next.timestamp().as_second() - start.timestamp().as_second() == 86_400 {
                days.push(d);
            }
            d = d.tomorrow().expect("date");
        }
        Self {
            days,
            practitioners,
            per_day: 24 * 60 / spacing_minutes,
            spacing_minutes,
        }
    }

    pub fn capacity(&self) -> u64 {
        self.days.len() as u64 * self.per_day * self.practitioners.len() as u64
    }

    pub fn first_day(&self) -> Date {
        self.days[0]
    }

    /// Slot `k`: (start RFC 3339, practitioner id).
    #[expect(
        clippy::expect_used,
        reason = "a benchmark harness stops on a broken setup"
    )]
    pub fn slot(&self, k: u64) -> (String, String) {
        let p = self.practitioners.len() as u64;
        let practitioner = self.practitioners[(k % p) as usize].clone();
        let idx = k / p;
        let day = self.days[((idx / self.per_day) as usize) % self.days.len()];
        let minutes = (idx % self.per_day) * self.spacing_minutes;
        let tz = TimeZone::get("Europe/Berlin").expect("tz");
        let z = day
            .at((minutes / 60) as i8, (minutes % 60) as i8, 0, 0)
            .to_zoned(tz)
            .expect("zoned");
        (z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(), practitioner)
    }
}

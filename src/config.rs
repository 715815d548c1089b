//! Typed settings: `config/default.toml`, then `config/{APP_ENV}.toml`, then `APP__SECTION__KEY`.
//!
//! Every value is checked at start; a bad one stops the process with a message naming its key.

use std::{fmt, path::Path, time::Duration};

use serde::Deserialize;

use crate::domain::{
    availability::MAX_BUSY_SPAN,
    service::Service,
    time::{ClinicZone, QuietHours},
};

/// All settings of the service.
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub clinic: ClinicSettings,
    pub booking: BookingSettings,
    pub course: CourseSettings,
    pub mail: MailSettings,
    pub reminders: ReminderSettings,
    pub rate_limit: RateLimitSettings,
    pub auth: AuthSettings,
    pub log: LogSettings,
    #[serde(default)]
    pub bootstrap: BootstrapSettings,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: Secret,
    pub migrate_on_start: bool,
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// How long a request waits for a pooled connection before it is answered 503.
    #[serde(with = "humantime_serde", default = "default_acquire_timeout")]
    pub acquire_timeout: Duration,
}

fn default_max_connections() -> u32 {
    10
}

fn default_acquire_timeout() -> Duration {
    Duration::from_secs(5)
}

#[derive(Debug, Clone, Deserialize)]
pub struct ClinicSettings {
    pub name: String,
    pub timezone: ClinicZone,
    pub email: String,
    pub phone: String,
    #[serde(default)]
    pub address: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct BookingSettings {
    #[serde(with = "humantime_serde")]
    pub min_notice: Duration,
    #[serde(with = "humantime_serde")]
    pub horizon: Duration,
    #[serde(with = "humantime_serde")]
    pub slot_step: Duration,
    #[serde(with = "humantime_serde")]
    pub buffer: Duration,
    #[serde(with = "humantime_serde")]
    pub anesthesia_extra: Duration,
    #[serde(with = "humantime_serde")]
    pub screening_valid_for: Duration,
    #[serde(with = "humantime_serde")]
    pub client_cancel_notice: Duration,
    /// A visit may be checked in from this long before its start (until its end).
    #[serde(with = "humantime_serde")]
    pub check_in_lead: Duration,
    #[serde(with = "humantime_serde")]
    pub manage_token_valid_for: Duration,
    /// How long a computed availability answer may be reused (0s disables the cache).
    #[serde(with = "humantime_serde")]
    pub availability_cache: Duration,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CourseSettings {
    pub max_sessions: u32,
    #[serde(with = "humantime_serde")]
    pub min_interval: Duration,
    #[serde(with = "humantime_serde")]
    pub default_interval: Duration,
    #[serde(with = "humantime_serde")]
    pub flex: Duration,
}

/// Which lettre transport carries the mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    File,
    Smtp,
}

/// TLS mode of the SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MailSettings {
    pub transport: MailTransportKind,
    pub file_dir: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    #[serde(default)]
    pub smtp_username: String,
    #[serde(default)]
    pub smtp_password: Secret,
    pub from: String,
    /// Upper bound of one SMTP send (connect, dialogue, data).
    #[serde(with = "humantime_serde")]
    pub send_timeout: Duration,
    /// Idle SMTP connections kept in lettre's pool.
    pub pool_max_size: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReminderSettings {
    #[serde(with = "humantime_serde")]
    pub tick: Duration,
    #[serde(with = "humantime_serde")]
    pub prep_before: Duration,
    #[serde(with = "humantime_serde")]
    pub day_before: Duration,
    #[serde(with = "humantime_serde")]
    pub soothing_after: Duration,
    #[serde(with = "humantime_serde")]
    pub irritation_check_after: Duration,
    #[serde(with = "humantime_serde")]
    pub follow_up_after: Duration,
    pub max_attempts: u32,
    #[serde(with = "humantime_serde")]
    pub retry_base: Duration,
    #[serde(with = "humantime_serde")]
    pub retry_max: Duration,
    pub quiet_hours: QuietHours,
    /// Whether this instance runs the dispatcher (tests and one-off tools turn it off).
    pub enabled: bool,
    /// How long a claimed message stays with its claimer before another instance may retry it.
    #[serde(with = "humantime_serde")]
    pub lease: Duration,
    /// Messages claimed per round.
    pub batch_size: u32,
    /// Sends in flight at once.
    pub concurrency: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RateLimitSettings {
    pub public_per_minute: u32,
    pub login_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` is believed, as a comma-separated list of
    /// addresses or networks (`"10.0.0.5, 172.16.0.0/12"`); empty: the peer address counts.
    #[serde(default, deserialize_with = "networks")]
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

fn networks<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<ipnet::IpNet>, D::Error> {
    let raw = String::deserialize(d)?;
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    serde::de::Error::custom(format!("{s:?} is not an IP address or network"))
                })
        })
        .collect()
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    #[serde(with = "humantime_serde")]
    pub token_ttl: Duration,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    pub format: LogFormat,
    pub level: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct BootstrapSettings {
    pub admin_email: Option<String>,
    pub admin_password: Option<Secret>,
}

/// A string that never shows in `Debug` output (passwords, database URLs with credentials).
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The value itself; call only where it is used, never to log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Why the settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("configuration: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration key `{key}`: {message}")]
    Invalid { key: &'static str, message: String },
}

impl Settings {
    /// Loads the layers from `dir` (normally `config/`), with `APP_ENV` naming the optional second file.
    pub fn load_from(dir: &Path) -> Result<Self, SettingsError> {
        let env = std::env::var("APP_ENV").unwrap_or_else(|_| "local".to_owned());
        Self::load_env(dir, &env)
    }

    /// Loads the layers with an explicit environment name (`config/{env}.toml`).
    pub fn load_env(dir: &Path, env: &str) -> Result<Self, SettingsError> {
        let builder = config::Config::builder()
            .add_source(config::File::from(dir.join("default.toml")).required(true))
            .add_source(config::File::from(dir.join(format!("{env}.toml"))).required(false))
            .add_source(
                config::Environment::with_prefix("APP")
                    .prefix_separator("__")
                    .separator("__")
                    .try_parsing(true),
            );
        let settings: Settings = builder.build()?.try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    /// Loads from `./config`.
    pub fn load() -> Result<Self, SettingsError> {
        Self::load_from(Path::new("config"))
    }

    /// Checks the rules that types alone do not hold.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let invalid = |key, message: &str| {
            Err(SettingsError::Invalid {
                key,
                message: message.to_owned(),
            })
        };
        let b = &self.booking;
        if b.slot_step < Duration::from_secs(60) || !b.slot_step.as_secs().is_multiple_of(60) {
            return invalid(
                "booking.slot_step",
                "must be a whole number of minutes, at least 1m",
            );
        }
        if b.horizon > Duration::from_secs(5 * 365 * 86_400) {
            return invalid("booking.horizon", "must be at most 5 years");
        }
        if b.horizon <= b.min_notice {
            return invalid("booking.horizon", "must be longer than booking.min_notice");
        }
        let longest = Service::ALL
            .into_iter()
            .map(Service::duration)
            .max()
            .unwrap_or_default();
        if longest + b.anesthesia_extra + b.buffer > MAX_BUSY_SPAN {
            return invalid(
                "booking.buffer",
                "a visit with booking.anesthesia_extra and booking.buffer must fit in 12 hours",
            );
        }
        if b.screening_valid_for.is_zero() {
            return invalid("booking.screening_valid_for", "must be positive");
        }
        let c = &self.course;
        if c.max_sessions == 0 || c.max_sessions > 24 {
            return invalid("course.max_sessions", "must be between 1 and 24");
        }
        if c.default_interval < c.min_interval {
            return invalid(
                "course.default_interval",
                "must not be shorter than course.min_interval",
            );
        }
        if !c.min_interval.as_secs().is_multiple_of(86_400)
            || !c.default_interval.as_secs().is_multiple_of(86_400)
        {
            return invalid("course.min_interval", "intervals must be whole days");
        }
        if self.reminders.max_attempts == 0 {
            return invalid("reminders.max_attempts", "must be at least 1");
        }
        if self.reminders.lease < self.mail.send_timeout + Duration::from_secs(5) {
            return invalid(
                "reminders.lease",
                "must exceed mail.send_timeout by at least 5s",
            );
        }
        if self.reminders.batch_size == 0 || self.reminders.concurrency == 0 {
            return invalid(
                "reminders.batch_size",
                "batch_size and concurrency must be at least 1",
            );
        }
        if self.reminders.tick < Duration::from_secs(1) {
            return invalid("reminders.tick", "must be at least 1s");
        }
        let url = self.database.url.expose();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return invalid(
                "database.url",
                "must start with sqlite:, postgres:// or postgresql://",
            );
        }
        if self.auth.token_ttl.is_zero() {
            return invalid("auth.token_ttl", "must be positive");
        }
        Ok(())
    }
}

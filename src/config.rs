//! Typed settings. Layers, later wins: the built-in defaults (`config/default.toml`, compiled
//! in), then `default.toml` and `{APP_ENV}.toml` from the configuration folder (`config/`,
//! `--config DIR` or `APP_CONFIG_DIR`; all optional), then `APP__SECTION__KEY` variables.
//!
//! Every value is checked at start; a bad one stops the process with a message naming its key.

use std::{fmt, path::Path, time::Duration};

use serde::{Deserialize, Serialize, Serializer};

use crate::domain::{
    availability::MAX_BUSY_SPAN,
    service::MAX_DURATION,
    time::{ClinicZone, QuietHours},
};

/// The shipped `config/default.toml`, built into the binary so it starts from any folder;
/// files in the configuration folder and `APP__` variables override it.
pub const DEFAULTS: &str = include_str!("../config/default.toml");

/// All settings of the service.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub clinic: ClinicSettings,
    pub booking: BookingSettings,
    pub course: CourseSettings,
    pub screening: ScreeningSettings,
    pub mail: MailSettings,
    pub reminders: ReminderSettings,
    pub rate_limit: RateLimitSettings,
    pub auth: AuthSettings,
    pub log: LogSettings,
    #[serde(default)]
    pub bootstrap: BootstrapSettings,
    #[serde(default)]
    pub web: WebSettings,
    #[serde(default)]
    pub desk: DeskSettings,
    #[serde(default)]
    pub aftercare: AftercareSettings,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DatabaseSettings {
    /// Printed with the password masked; the rest (file path, host) is what an operator checks.
    #[serde(serialize_with = "masked_url")]
    pub url: Secret,
    pub migrate_on_start: bool,
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// How long a request waits for a pooled connection before it is answered 503.
    #[serde(with = "human", default = "default_acquire_timeout")]
    pub acquire_timeout: Duration,
}

fn default_max_connections() -> u32 {
    10
}

fn default_acquire_timeout() -> Duration {
    Duration::from_secs(5)
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ClinicSettings {
    pub name: String,
    #[serde(serialize_with = "zone_name")]
    pub timezone: ClinicZone,
    pub email: String,
    pub phone: String,
    #[serde(default)]
    pub address: String,
    /// Where clients reach the service (no trailing slash); every link in an email starts
    /// with it.
    #[serde(deserialize_with = "trimmed_url")]
    pub public_url: String,
    /// The language of the emails (and the client pages).
    pub language: Language,
}

/// The clients' language (`clinic.language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    De,
}

impl Language {
    /// Every language, in the order of `clinic.language`'s documentation.
    pub const ALL: [Language; 2] = [Language::En, Language::De];

    /// The code: the folder of its templates and the `lang` attribute of its pages.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::De => "de",
        }
    }
}

fn trimmed_url<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(String::deserialize(d)?
        .trim()
        .trim_end_matches('/')
        .to_owned())
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct BookingSettings {
    #[serde(with = "human")]
    pub min_notice: Duration,
    #[serde(with = "human")]
    pub horizon: Duration,
    #[serde(with = "human")]
    pub slot_step: Duration,
    #[serde(with = "human")]
    pub buffer: Duration,
    #[serde(with = "human")]
    pub anesthesia_extra: Duration,
    #[serde(with = "human")]
    pub screening_valid_for: Duration,
    #[serde(with = "human")]
    pub client_cancel_notice: Duration,
    /// A visit may be checked in from this long before its start (until its end).
    #[serde(with = "human")]
    pub check_in_lead: Duration,
    #[serde(with = "human")]
    pub manage_token_valid_for: Duration,
    /// How long a computed availability answer may be reused (0s disables the cache).
    #[serde(with = "human")]
    pub availability_cache: Duration,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CourseSettings {
    pub max_sessions: u32,
    #[serde(with = "human")]
    pub min_interval: Duration,
    #[serde(with = "human")]
    pub default_interval: Duration,
    #[serde(with = "human")]
    pub flex: Duration,
}

/// The waits of the questionnaire's dated answers (`domain::screening::ScreeningRules`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ScreeningSettings {
    /// Months from the last isotretinoin dose to a first treatment.
    pub isotretinoin_wait_months: u32,
    /// From fillers or botulinum toxin in the area to a first treatment (whole days).
    #[serde(with = "human")]
    pub injectables_wait: Duration,
    /// From a laser treatment or a chemical peel in the area to a first treatment (whole days).
    #[serde(with = "human")]
    pub resurfacing_wait: Duration,
}

/// Which lettre transport carries the mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransportKind {
    File,
    Smtp,
}

/// TLS mode of the SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
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
    #[serde(with = "human")]
    pub send_timeout: Duration,
    /// Idle SMTP connections kept in lettre's pool.
    pub pool_max_size: u32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ReminderSettings {
    #[serde(with = "human")]
    pub tick: Duration,
    #[serde(with = "human")]
    pub prep_before: Duration,
    #[serde(with = "human")]
    pub day_before: Duration,
    #[serde(with = "human")]
    pub soothing_after: Duration,
    #[serde(with = "human")]
    pub irritation_check_after: Duration,
    #[serde(with = "human")]
    pub follow_up_after: Duration,
    pub max_attempts: u32,
    #[serde(with = "human")]
    pub retry_base: Duration,
    #[serde(with = "human")]
    pub retry_max: Duration,
    #[serde(serialize_with = "quiet_window")]
    pub quiet_hours: QuietHours,
    /// Whether this instance runs the dispatcher (tests and one-off tools turn it off).
    pub enabled: bool,
    /// How long a claimed message stays with its claimer before another instance may retry it.
    #[serde(with = "human")]
    pub lease: Duration,
    /// Messages claimed per round.
    pub batch_size: u32,
    /// Sends in flight at once.
    pub concurrency: u32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RateLimitSettings {
    pub public_per_minute: u32,
    pub login_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` is believed, as a comma-separated list of
    /// addresses or networks (`"10.0.0.5, 172.16.0.0/12"`); empty: the peer address counts.
    #[serde(
        default,
        deserialize_with = "networks",
        serialize_with = "network_list"
    )]
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

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct AuthSettings {
    #[serde(with = "human")]
    pub token_ttl: Duration,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct LogSettings {
    pub format: LogFormat,
    pub level: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct BootstrapSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_password: Option<Secret>,
}

/// The client pages.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct WebSettings {
    /// Origins (besides the service's own) allowed to show the pages in an iframe, written as
    /// `"https://clinic.example, https://www.clinic.example"` (commas or spaces); empty: only
    /// the service's own origin.
    #[serde(default, deserialize_with = "origins", serialize_with = "origin_list")]
    pub frame_ancestors: Vec<String>,
}

/// The reception desk page.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DeskSettings {
    /// An untouched desk locks after this long (the page asks for the password again).
    #[serde(with = "human", default = "default_idle_lock")]
    pub idle_lock: Duration,
    /// A calendar read is audited again only when this long has passed since the same user's
    /// audited read of the same range, or when it shows a client that read did not
    /// (`domain::audit::calendar_view_is_new`); `0s` audits every read.
    #[serde(with = "human", default = "default_view_audit_window")]
    pub view_audit_window: Duration,
}

impl Default for DeskSettings {
    fn default() -> Self {
        Self {
            idle_lock: default_idle_lock(),
            view_audit_window: default_view_audit_window(),
        }
    }
}

/// Aftercare check-ins and their alerts.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct AftercareSettings {
    /// An alert nobody acknowledged is emailed to the clinic again after this long (and again
    /// each period while it stays open).
    #[serde(with = "human", default = "default_realert_after")]
    pub realert_after: Duration,
    /// A check-in is taken until this long after the visit was completed (the aftercare link
    /// stops working then too).
    #[serde(with = "human", default = "default_report_window")]
    pub report_window: Duration,
}

impl Default for AftercareSettings {
    fn default() -> Self {
        Self {
            realert_after: default_realert_after(),
            report_window: default_report_window(),
        }
    }
}

fn default_realert_after() -> Duration {
    Duration::from_secs(4 * 3600)
}

fn default_report_window() -> Duration {
    Duration::from_secs(14 * 86_400)
}

fn default_idle_lock() -> Duration {
    Duration::from_secs(15 * 60)
}

fn default_view_audit_window() -> Duration {
    Duration::from_secs(10 * 60)
}

fn origins<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let raw = String::deserialize(d)?;
    raw.split([',', ' ', '\t'])
        .filter(|s| !s.is_empty())
        .map(|s| parse_origin(s).map_err(serde::de::Error::custom))
        .collect()
}

/// One origin as CSP `frame-ancestors` takes it: `http(s)://host[:port]`, the host a DNS name
/// or IPv4 address, optionally starting with `*.`; no path, query, quote or semicolon, so a
/// value can never add a directive to the header.
pub fn parse_origin(s: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "{s:?} is not an origin like https://clinic.example or https://*.clinic.example:8443"
        )
    };
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    let name = host.strip_prefix("*.").unwrap_or(host);
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if name.is_empty() || !name.split('.').all(label_ok) {
        return Err(bad());
    }
    if let Some(p) = port
        && p.parse::<u16>().map_or(true, |n| n == 0)
    {
        return Err(bad());
    }
    Ok(s.to_ascii_lowercase())
}

fn origin_list<S: Serializer>(origins: &[String], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&origins.join(", "))
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
        f.write_str(REDACTED)
    }
}

/// What a secret prints as.
const REDACTED: &str = "[redacted]";

/// Printed masked, so `check-config` output can be pasted into a ticket; an empty secret
/// prints empty (it hides nothing and says "not set").
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if self.0.is_empty() { "" } else { REDACTED })
    }
}

/// Durations read as humantime strings and written as the shortest exact human string.
mod human {
    use std::time::Duration;

    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_duration(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        humantime_serde::deserialize(d)
    }
}

/// A duration as one exact unit, the way the config files write them: "180d", "72h", "30m",
/// "90s", "250ms". Days are used from a week up (a notice of "72h" reads better than "3d").
pub fn format_duration(d: Duration) -> String {
    const UNITS: [(&str, u128); 7] = [
        ("d", 86_400_000_000_000),
        ("h", 3_600_000_000_000),
        ("m", 60_000_000_000),
        ("s", 1_000_000_000),
        ("ms", 1_000_000),
        ("us", 1_000),
        ("ns", 1),
    ];
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".to_owned();
    }
    UNITS
        .iter()
        .filter(|(unit, size)| *unit != "d" || nanos >= 7 * size)
        .find(|(_, size)| nanos.is_multiple_of(*size))
        .map(|(unit, size)| format!("{}{unit}", nanos / size))
        .unwrap_or_else(|| format!("{nanos}ns"))
}

/// `scheme://user:password@host/...` with the password (and a `password=` parameter) masked.
pub fn mask_url(url: &str) -> String {
    let mut out = url.to_owned();
    if let Some(scheme_end) = url.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = url[rest_start..]
            .find(['/', '?'])
            .map_or(url.len(), |i| rest_start + i);
        if let Some(at) = url[rest_start..authority_end].rfind('@') {
            let userinfo = &url[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                out = format!(
                    "{}{REDACTED}{}",
                    &url[..rest_start + colon + 1],
                    &url[rest_start + at..]
                );
            }
        }
    }
    if let Some((base, query)) = out.clone().split_once('?') {
        let params: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}={REDACTED}"),
                _ => p.to_owned(),
            })
            .collect();
        out = format!("{base}?{}", params.join("&"));
    }
    out
}

fn masked_url<S: Serializer>(url: &Secret, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&mask_url(url.expose()))
}

fn zone_name<S: Serializer>(zone: &ClinicZone, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(zone.name())
}

fn quiet_window<S: Serializer>(q: &QuietHours, s: S) -> Result<S::Ok, S::Error> {
    match q.window() {
        Some((from, until)) => s.serialize_str(&format!("{}-{}", from.hhmm(), until.hhmm())),
        None => s.serialize_str(""),
    }
}

fn network_list<S: Serializer>(nets: &[ipnet::IpNet], s: S) -> Result<S::Ok, S::Error> {
    let list: Vec<String> = nets.iter().map(ToString::to_string).collect();
    s.serialize_str(&list.join(", "))
}

/// `http(s)://host[:port][/path]`: a scheme, a host, and nothing a link could not be appended
/// to (no query, fragment or whitespace).
fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split('/').next().unwrap_or_default();
        !host.is_empty()
            && !host.starts_with(':')
            && !r.contains(['?', '#', '@'])
            && !r.chars().any(char::is_whitespace)
    })
}

/// Why the settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("configuration: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration key `{key}`: {message}")]
    Invalid { key: &'static str, message: String },
    #[error("configuration folder {0:?} not found (named by --config or APP_CONFIG_DIR)")]
    MissingDir(String),
    #[error("printing the configuration: {0}")]
    Print(String),
}

impl Settings {
    /// Loads the layers over the built-in defaults, with `APP_ENV` naming the optional
    /// `{dir}/{APP_ENV}.toml` (default `local`). `dir` need not exist.
    pub fn load_from(dir: &Path) -> Result<Self, SettingsError> {
        let env = std::env::var("APP_ENV").unwrap_or_else(|_| "local".to_owned());
        Self::load_env(dir, &env)
    }

    /// Loads the layers with an explicit environment name: built-in defaults,
    /// `{dir}/default.toml`, `{dir}/{env}.toml` (both optional), `APP__` variables.
    pub fn load_env(dir: &Path, env: &str) -> Result<Self, SettingsError> {
        let builder = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml))
            .add_source(config::File::from(dir.join("default.toml")).required(false))
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

    /// Loads with the folder named by `APP_CONFIG_DIR`, else `./config`.
    pub fn load() -> Result<Self, SettingsError> {
        let named = std::env::var_os("APP_CONFIG_DIR").map(std::path::PathBuf::from);
        Self::load_dir(named.as_deref())
    }

    /// Loads with the folder an operator named (`--config` / `APP_CONFIG_DIR`), which must
    /// exist (a typo should not silently run on defaults), or else `./config` if there is one.
    pub fn load_dir(named: Option<&Path>) -> Result<Self, SettingsError> {
        match named {
            Some(dir) if !dir.is_dir() => Err(SettingsError::MissingDir(dir.display().to_string())),
            Some(dir) => Self::load_from(dir),
            None => Self::load_from(Path::new("config")),
        }
    }

    /// The effective settings as TOML that loads back to the same settings, secrets masked
    /// (what `dermadesk check-config` prints).
    pub fn to_toml(&self) -> Result<String, SettingsError> {
        toml::to_string(self).map_err(|e| SettingsError::Print(e.to_string()))
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
        // The longest treatment an admin may set (`domain::service::MAX_DURATION`, 8 hours).
        if MAX_DURATION + b.anesthesia_extra + b.buffer > MAX_BUSY_SPAN {
            return invalid(
                "booking.buffer",
                "the longest treatment (8 hours) with booking.anesthesia_extra and booking.buffer must fit in 12 hours",
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
        let sc = &self.screening;
        if !(1..=24).contains(&sc.isotretinoin_wait_months) {
            return invalid(
                "screening.isotretinoin_wait_months",
                "must be between 1 and 24",
            );
        }
        for (key, wait) in [
            ("screening.injectables_wait", sc.injectables_wait),
            ("screening.resurfacing_wait", sc.resurfacing_wait),
        ] {
            if wait.is_zero()
                || !wait.as_secs().is_multiple_of(86_400)
                || wait > Duration::from_secs(365 * 86_400)
            {
                return invalid(key, "must be whole days, from 1d to 365d");
            }
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
        if !is_http_url(&self.clinic.public_url) {
            return invalid(
                "clinic.public_url",
                "must be an http:// or https:// address such as https://booking.clinic.example",
            );
        }
        if self.auth.token_ttl.is_zero() {
            return invalid("auth.token_ttl", "must be positive");
        }
        let idle = self.desk.idle_lock;
        if idle < Duration::from_secs(60)
            || idle > Duration::from_secs(86_400)
            || idle.subsec_nanos() != 0
        {
            return invalid("desk.idle_lock", "must be whole seconds between 1m and 24h");
        }
        let a = &self.aftercare;
        if a.realert_after < Duration::from_secs(5 * 60)
            || a.realert_after > Duration::from_secs(7 * 86_400)
            || a.realert_after.subsec_nanos() != 0
        {
            return invalid(
                "aftercare.realert_after",
                "must be whole seconds between 5m and 7d",
            );
        }
        if a.report_window < Duration::from_secs(86_400)
            || a.report_window > Duration::from_secs(90 * 86_400)
            || !a.report_window.as_secs().is_multiple_of(86_400)
        {
            return invalid(
                "aftercare.report_window",
                "must be whole days, from 1d to 90d",
            );
        }
        let w = self.desk.view_audit_window;
        if w > Duration::from_secs(86_400) || w.subsec_nanos() != 0 {
            return invalid(
                "desk.view_audit_window",
                "must be whole seconds between 0s and 24h",
            );
        }
        Ok(())
    }
}

//! Email texts, one folder per language under `templates/` (`clinic.language`): a folder per
//! kind (subject, text, html), the shared layout and footer, and `locale.toml` with the words
//! the service fills in itself (dates, service names, the calendar entry). Everything is
//! compiled into the binary; templates are rendered with minijinja.

use std::sync::OnceLock;

use jiff::civil::Date;
use minijinja::Environment;
use serde::{Deserialize, Serialize};

use crate::{config::Language, domain::messages::MessageKind, domain::service::Service};

macro_rules! kind_templates {
    ($lang:literal: $($kind:literal),* $(,)?) => {
        &[
            (concat!($lang, "/_layout.html"), include_str!(concat!("../../templates/", $lang, "/_layout.html"))),
            (concat!($lang, "/_footer.txt"), include_str!(concat!("../../templates/", $lang, "/_footer.txt"))),
            (concat!($lang, "/_prep_summary.txt"), include_str!(concat!("../../templates/", $lang, "/_prep_summary.txt"))),
            (concat!($lang, "/_prep_summary.html"), include_str!(concat!("../../templates/", $lang, "/_prep_summary.html"))),
            $(
            (concat!($lang, "/", $kind, "/subject.txt"), include_str!(concat!("../../templates/", $lang, "/", $kind, "/subject.txt"))),
            (concat!($lang, "/", $kind, "/text.txt"), include_str!(concat!("../../templates/", $lang, "/", $kind, "/text.txt"))),
            (concat!($lang, "/", $kind, "/html.html"), include_str!(concat!("../../templates/", $lang, "/", $kind, "/html.html"))),
            )*
        ]
    };
}

macro_rules! language {
    ($lang:literal) => {
        kind_templates!($lang:
            "booking_confirmation",
            "prep",
            "day_before",
            "soothing",
            "irritation_check",
            "follow_up",
            "cancellation",
            "rescheduled",
            "clinician_alert",
        )
    };
}

/// Every template of every language, by name (`<lang>/<kind>/<part>`).
const SOURCES: &[&[(&str, &str)]] = &[language!("en"), language!("de")];

/// Each language's `locale.toml`.
fn locale_source(lang: Language) -> &'static str {
    match lang {
        Language::En => include_str!("../../templates/en/locale.toml"),
        Language::De => include_str!("../../templates/de/locale.toml"),
    }
}

/// The words of one language that the service puts into emails and calendar entries itself.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Locale {
    /// Monday first.
    weekdays: [String; 7],
    /// January first.
    months: [String; 12],
    /// A date with `{weekday}`, `{day}`, `{month}` and `{year}`.
    date: String,
    /// Named instead of a practitioner who is no longer on record.
    pub our_team: String,
    /// The calendar entry's title, with `{service}` and `{clinic}`.
    ics_summary: String,
    /// The calendar entry's description, with `{phone}`.
    ics_description: String,
    /// The reason a cancellation email gives when a re-confirmation ruled the visit out.
    pub health_cancel_reason: String,
    services: ServiceNames,
    /// Units of time, for durations shown to clients ("24 hours", "24 Stunden").
    durations: crate::domain::time::DurationWords,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceNames {
    microneedling: String,
    skin_consultation: String,
}

impl Locale {
    /// A local date in words ("Monday, 7 December 2026", "Montag, 7. Dezember 2026").
    pub fn date(&self, d: Date) -> String {
        let weekday = d.weekday().to_monday_zero_offset() as usize;
        let month = usize::try_from(d.month() - 1).unwrap_or(0);
        self.date
            .replace("{weekday}", &self.weekdays[weekday % 7])
            .replace("{day}", &d.day().to_string())
            .replace("{month}", &self.months[month % 12])
            .replace("{year}", &d.year().to_string())
    }

    /// The service's name for clients.
    pub fn service(&self, s: Service) -> &str {
        match s {
            Service::Microneedling => &self.services.microneedling,
            Service::SkinConsultation => &self.services.skin_consultation,
        }
    }

    /// The calendar entry's title.
    pub fn ics_summary(&self, service: Service, clinic: &str) -> String {
        self.ics_summary
            .replace("{service}", self.service(service))
            .replace("{clinic}", clinic)
    }

    /// A duration in words ("24 hours", "24 Stunden").
    pub fn duration(&self, d: std::time::Duration) -> String {
        crate::domain::time::human_duration_in(d, &self.durations)
    }

    /// The calendar entry's description.
    pub fn ics_description(&self, phone: &str) -> String {
        self.ics_description.replace("{phone}", phone)
    }
}

fn invalid(message: String) -> minijinja::Error {
    minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, message)
}

/// The words of `lang` (parsed once; `check` at start makes a broken file fail fast).
pub fn locale(lang: Language) -> Result<&'static Locale, minijinja::Error> {
    static EN: OnceLock<Result<Locale, String>> = OnceLock::new();
    static DE: OnceLock<Result<Locale, String>> = OnceLock::new();
    let cell = match lang {
        Language::En => &EN,
        Language::De => &DE,
    };
    cell.get_or_init(|| {
        toml::from_str(locale_source(lang))
            .map_err(|e| format!("templates/{}/locale.toml: {e}", lang.code()))
    })
    .as_ref()
    .map_err(|e| invalid(e.clone()))
}

fn build() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    // HTML templates escape; text and subject do not.
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            minijinja::AutoEscape::Html
        } else {
            minijinja::AutoEscape::None
        }
    });
    for (name, source) in SOURCES.iter().flat_map(|l| l.iter()) {
        env.add_template(name, source)?;
    }
    Ok(env)
}

fn env() -> Result<&'static Environment<'static>, minijinja::Error> {
    static ENV: OnceLock<Result<Environment<'static>, minijinja::Error>> = OnceLock::new();
    ENV.get_or_init(build)
        .as_ref()
        .map_err(|e| invalid(e.to_string()))
}

/// A rendered email body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Renders the three parts of a kind in a language with the given context.
pub fn render(
    lang: Language,
    kind: MessageKind,
    ctx: &impl Serialize,
) -> Result<Rendered, minijinja::Error> {
    let env = env()?;
    let part = |file: &str| {
        env.get_template(&format!("{}/{}/{file}", lang.code(), kind.as_str()))?
            .render(ctx)
    };
    Ok(Rendered {
        subject: part("subject.txt")?.trim().replace(['\r', '\n'], " "),
        text: part("text.txt")?,
        html: part("html.html")?,
    })
}

/// Parses every template and every locale (called at start, so a broken template fails fast,
/// not at 3 a.m.).
pub fn check() -> Result<(), minijinja::Error> {
    let env = env()?;
    for (name, _) in SOURCES.iter().flat_map(|l| l.iter()) {
        env.get_template(name)?;
    }
    for lang in Language::ALL {
        locale(lang)?;
    }
    Ok(())
}

//! Email templates: one folder per kind under `templates/` (subject, text, html), compiled into
//! the binary and rendered with minijinja.

use std::sync::OnceLock;

use minijinja::Environment;
use serde::Serialize;

use crate::domain::messages::MessageKind;

macro_rules! kind_templates {
    ($($kind:literal),* $(,)?) => {
        &[$(
            (concat!($kind, "/subject.txt"), include_str!(concat!("../../templates/", $kind, "/subject.txt"))),
            (concat!($kind, "/text.txt"), include_str!(concat!("../../templates/", $kind, "/text.txt"))),
            (concat!($kind, "/html.html"), include_str!(concat!("../../templates/", $kind, "/html.html"))),
        )*]
    };
}

const SOURCES: &[(&str, &str)] = kind_templates!(
    "booking_confirmation",
    "prep",
    "day_before",
    "soothing",
    "irritation_check",
    "follow_up",
    "cancellation",
    "rescheduled",
);

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
    env.add_template("_layout.html", include_str!("../../templates/_layout.html"))?;
    env.add_template("_footer.txt", include_str!("../../templates/_footer.txt"))?;
    for (name, source) in SOURCES {
        env.add_template(name, source)?;
    }
    Ok(env)
}

fn env() -> Result<&'static Environment<'static>, minijinja::Error> {
    static ENV: OnceLock<Result<Environment<'static>, minijinja::Error>> = OnceLock::new();
    ENV.get_or_init(build)
        .as_ref()
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string()))
}

/// A rendered email body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Renders the three parts of a kind with the given context.
pub fn render(kind: MessageKind, ctx: &impl Serialize) -> Result<Rendered, minijinja::Error> {
    let env = env()?;
    let part = |file: &str| {
        env.get_template(&format!("{}/{file}", kind.as_str()))?
            .render(ctx)
    };
    Ok(Rendered {
        subject: part("subject.txt")?.trim().replace(['\r', '\n'], " "),
        text: part("text.txt")?,
        html: part("html.html")?,
    })
}

/// Parses every template (called at start, so a broken template fails fast, not at 3 a.m.).
pub fn check() -> Result<(), minijinja::Error> {
    let env = env()?;
    for (name, _) in SOURCES {
        env.get_template(name)?;
    }
    Ok(())
}

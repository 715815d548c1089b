//! Structured logs: human-readable by default, JSON with `APP__LOG__FORMAT=json`.

use std::io::IsTerminal;

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::{LogFormat, LogSettings};

/// Installs the global subscriber (once; later calls are ignored, which tests rely on).
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        // sqlx and sea-orm would log statements; they stay at warn.
        EnvFilter::new(format!(
            "{},sqlx=warn,sea_orm=warn,sea_orm_migration=warn",
            settings.level
        ))
    });
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match settings.format {
        LogFormat::Json => registry
            .with(fmt::layer().json().flatten_event(true))
            .try_init(),
        // Colours only on a terminal: redirected to a file or journald, escape codes are noise.
        LogFormat::Text => registry
            .with(fmt::layer().with_ansi(std::io::stdout().is_terminal()))
            .try_init(),
    };
}

//! dermadesk's schema, one migration per change, each with `up` and `down`.
//!
//! The same SQL runs on SQLite and PostgreSQL; where the two differ (column types, the
//! no-overlap rule) each migration says so next to the statement.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_core;
mod m20261124_000002_outbox;
mod m20261124_000003_desk;
mod m20261125_000004_checked_values;
mod m20261126_000005_manage_links;
mod m20261127_000006_screening_v2;
mod m20261127_000007_closures;
mod m20261128_000008_consent;
mod m20261128_000009_session_notes;
mod m20261128_000010_aftercare;
mod m20261128_000011_services;
mod m20261129_000012_client_search;
mod m20261130_000013_audit_mentions;
mod m20261207_000014_rescheduled_from;

/// The closed-set columns and their allowed values as the latest migration leaves them (for the
/// application's test that its enums store exactly these, and the database test that each
/// refuses anything else).
pub fn checked() -> impl Iterator<Item = (&'static str, &'static str, &'static [&'static str])> {
    m20261125_000004_checked_values::CHECKED
        .iter()
        .copied()
        // Migration 10 widened the outbox's kinds (clinician_alert).
        .filter(|(t, c, _)| !(*t == "outbox" && *c == "kind"))
        .chain([
            (
                "manage_links",
                "purpose",
                m20261126_000005_manage_links::PURPOSES,
            ),
            (
                "screenings",
                "questionnaire_version",
                m20261127_000006_screening_v2::VERSIONS,
            ),
            ("outbox", "kind", m20261128_000010_aftercare::KINDS),
            (
                "aftercare_reports",
                "redness",
                m20261128_000010_aftercare::REDNESS,
            ),
            (
                "aftercare_alerts",
                "status",
                m20261128_000010_aftercare::ALERT_STATUS,
            ),
            ("services", "code", m20261128_000011_services::CODES),
            (
                "services",
                "price_currency",
                m20261128_000011_services::CURRENCIES,
            ),
            ("consents", "service", m20261128_000008_consent::SERVICES),
            ("consents", "source", m20261128_000008_consent::SOURCES),
        ])
}

/// Applies dermadesk's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_core::Migration),
            Box::new(m20261124_000002_outbox::Migration),
            Box::new(m20261124_000003_desk::Migration),
            Box::new(m20261125_000004_checked_values::Migration),
            Box::new(m20261126_000005_manage_links::Migration),
            Box::new(m20261127_000006_screening_v2::Migration),
            Box::new(m20261127_000007_closures::Migration),
            Box::new(m20261128_000008_consent::Migration),
            Box::new(m20261128_000009_session_notes::Migration),
            Box::new(m20261128_000010_aftercare::Migration),
            Box::new(m20261128_000011_services::Migration),
            Box::new(m20261129_000012_client_search::Migration),
            Box::new(m20261130_000013_audit_mentions::Migration),
            Box::new(m20261207_000014_rescheduled_from::Migration),
        ]
    }
}

/// Column types that differ between the two backends.
pub(crate) struct Dialect {
    pub uuid: &'static str,
    pub postgres: bool,
}

impl Dialect {
    pub(crate) fn of(manager: &SchemaManager) -> Self {
        match manager.get_database_backend() {
            sea_orm_migration::sea_orm::DatabaseBackend::Postgres => Self {
                uuid: "UUID",
                postgres: true,
            },
            // sqlx stores a Uuid as a 16-byte BLOB on SQLite.
            _ => Self {
                uuid: "BLOB",
                postgres: false,
            },
        }
    }
}

/// Runs each statement in order (sqlx runs one statement per call on some backends).
pub(crate) async fn run_all(
    manager: &SchemaManager<'_>,
    statements: &[String],
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for sql in statements {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

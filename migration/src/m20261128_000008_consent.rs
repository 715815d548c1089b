//! Consent signatures: a client's signature of a treatment's consent text (a version of it),
//! typed full name plus an explicit tick, made on the manage page (`client_link`) or at the
//! desk (`desk`, with the staff user). A signature covers the visit's booking (every session of
//! a course) and is never updated: signing a new version adds a row; the one change allowed is
//! erasure blanking the typed name (README, Privacy). One row per booking and version.

use sea_orm_migration::prelude::*;

use crate::{Dialect, run_all};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000008_consent"
    }
}

/// Where a signature was made.
pub const SOURCES: &[&str] = &["client_link", "desk"];
/// The services a consent text exists for.
pub const SERVICES: &[&str] = &["microneedling"];

fn list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let u = Dialect::of(manager).uuid;
        let (sources, services) = (list(SOURCES), list(SERVICES));
        run_all(
            manager,
            &[
                format!(
                    "CREATE TABLE consents (
                        id {u} PRIMARY KEY,
                        booking_id {u} NOT NULL REFERENCES bookings (id),
                        appointment_id {u} NOT NULL REFERENCES appointments (id),
                        client_id {u} NOT NULL REFERENCES clients (id),
                        service TEXT NOT NULL CONSTRAINT consents_service_valid CHECK (service IN ({services})),
                        version TEXT NOT NULL CHECK (length(version) > 0),
                        full_name TEXT NULL,
                        source TEXT NOT NULL CONSTRAINT consents_source_valid CHECK (source IN ({sources})),
                        staff_user_id {u} NULL REFERENCES staff_users (id) ON DELETE SET NULL,
                        signed_at BIGINT NOT NULL,
                        CONSTRAINT consents_one_per_version UNIQUE (booking_id, version)
                    )"
                ),
                "CREATE INDEX consents_client ON consents (client_id)".to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(manager, &["DROP TABLE IF EXISTS consents".to_owned()]).await
    }
}

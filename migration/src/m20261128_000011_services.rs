//! The services' catalogue as an admin manages it: the display name, the treatment's length and
//! the price shown to clients. The codes stay the contract's closed set (one row each, seeded
//! with the lengths that were fixed in code until now and no price). Existing visits keep the
//! end they were booked with: a length applies to visits booked or moved after the change.

use sea_orm_migration::prelude::*;

use crate::run_all;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000011_services"
    }
}

/// The service codes (as `appointments.service`).
pub const CODES: &[&str] = &["microneedling", "skin_consultation"];
/// The currencies a price may be in.
pub const CURRENCIES: &[&str] = &["EUR"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(
            manager,
            &[
                // The checks are named so that the currency's own check is the one a bad
                // currency trips first on both databases (PostgreSQL checks by name, SQLite in
                // order of definition).
                "CREATE TABLE services (
                    code TEXT PRIMARY KEY
                        CONSTRAINT services_code_valid CHECK (code IN ('microneedling', 'skin_consultation')),
                    name TEXT NOT NULL
                        CONSTRAINT services_name_valid CHECK (length(name) BETWEEN 1 AND 100),
                    duration_minutes INTEGER NOT NULL
                        CONSTRAINT services_duration_minutes_valid CHECK (duration_minutes BETWEEN 15 AND 480),
                    price_minor BIGINT NULL
                        CONSTRAINT services_price_minor_valid CHECK (price_minor >= 0),
                    price_currency TEXT NULL
                        CONSTRAINT services_price_currency_valid CHECK (price_currency IN ('EUR')),
                    updated_at BIGINT NOT NULL,
                    CONSTRAINT services_price_pair CHECK ((price_minor IS NULL) = (price_currency IS NULL))
                )"
                .to_owned(),
                "INSERT INTO services (code, name, duration_minutes, price_minor, price_currency, updated_at)
                 VALUES ('microneedling', 'Microneedling', 60, NULL, NULL, 0),
                        ('skin_consultation', 'Skin consultation', 30, NULL, NULL, 0)"
                    .to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(manager, &["DROP TABLE IF EXISTS services".to_owned()]).await
    }
}

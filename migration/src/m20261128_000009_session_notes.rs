//! Session records (treatment notes) of microneedling visits: one per visit, written by a
//! practitioner or an admin once the visit is checked in. Health data: exported with the
//! client and deleted at erasure. The needle depth is stored in hundredths of a millimetre (an
//! integer, identical on both databases); the areas as a JSON array of area codes.

use sea_orm_migration::prelude::*;

use crate::{Dialect, run_all};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000009_session_notes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let u = Dialect::of(manager).uuid;
        run_all(
            manager,
            &[
                format!(
                    "CREATE TABLE session_notes (
                        appointment_id {u} PRIMARY KEY REFERENCES appointments (id),
                        booking_id {u} NOT NULL REFERENCES bookings (id),
                        client_id {u} NOT NULL REFERENCES clients (id),
                        needle_depth_hundredths INTEGER NOT NULL CHECK (needle_depth_hundredths BETWEEN 10 AND 300),
                        areas TEXT NOT NULL,
                        product TEXT NULL,
                        numbing TEXT NULL,
                        reaction TEXT NULL,
                        notes TEXT NULL,
                        recorded_by {u} NULL REFERENCES staff_users (id) ON DELETE SET NULL,
                        created_at BIGINT NOT NULL,
                        updated_at BIGINT NOT NULL
                    )"
                ),
                "CREATE INDEX session_notes_booking ON session_notes (booking_id)".to_owned(),
                "CREATE INDEX session_notes_client ON session_notes (client_id)".to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(manager, &["DROP TABLE IF EXISTS session_notes".to_owned()]).await
    }
}

//! Links in emails: each client email that carries a "Manage your booking" link has a row here
//! with the SHA-256 of the link's secret (the secret itself is only in the email), the booking
//! it opens, when it stops working and what it is for.

use sea_orm_migration::prelude::*;

use crate::{Dialect, run_all};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000005_manage_links"
    }
}

/// The purposes a link may have (checked by the schema).
pub const PURPOSES: &[&str] = &["manage", "aftercare"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let u = Dialect::of(manager).uuid;
        let purposes = PURPOSES
            .iter()
            .map(|p| format!("'{p}'"))
            .collect::<Vec<_>>()
            .join(", ");
        run_all(
            manager,
            &[
                // outbox_id is the email the link went out in (NULL for a link made elsewhere);
                // one email may have several rows: each render makes a fresh secret, and an
                // earlier attempt may have reached the client (a lost 250), so none is replaced.
                format!(
                    "CREATE TABLE manage_links (
                        id {u} PRIMARY KEY,
                        booking_id {u} NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
                        outbox_id {u} NULL REFERENCES outbox (id) ON DELETE SET NULL,
                        secret_hash TEXT NOT NULL UNIQUE,
                        purpose TEXT NOT NULL CHECK (purpose IN ({purposes})),
                        expires_at BIGINT NOT NULL,
                        created_at BIGINT NOT NULL
                    )"
                ),
                "CREATE INDEX manage_links_booking ON manage_links (booking_id)".to_owned(),
                "CREATE INDEX manage_links_outbox ON manage_links (outbox_id)".to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(manager, &["DROP TABLE IF EXISTS manage_links".to_owned()]).await
    }
}

//! The message outbox: every email is a row first, written in the transaction that causes it.
//! Also gives appointments an iCalendar SEQUENCE that rises with each change.

use sea_orm_migration::prelude::*;

use crate::{Dialect, run_all};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000002_outbox"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let u = Dialect::of(manager).uuid;
        run_all(
            manager,
            &[
                "ALTER TABLE appointments ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0".to_owned(),
                "ALTER TABLE appointments ADD COLUMN completed_at BIGINT NULL".to_owned(),
                format!(
                    "CREATE TABLE outbox (
                        id {u} PRIMARY KEY,
                        appointment_id {u} NOT NULL REFERENCES appointments (id),
                        kind TEXT NOT NULL CHECK (kind IN ('booking_confirmation', 'prep', 'day_before',
                            'soothing', 'irritation_check', 'follow_up', 'cancellation', 'rescheduled')),
                        version INTEGER NOT NULL,
                        recipient TEXT NOT NULL,
                        due_at BIGINT NOT NULL,
                        send_by BIGINT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled', 'expired')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at BIGINT NOT NULL,
                        last_error TEXT NULL,
                        message_id TEXT NOT NULL UNIQUE,
                        claim_token {u} NULL,
                        lease_until BIGINT NULL,
                        sent_at BIGINT NULL,
                        created_at BIGINT NOT NULL,
                        updated_at BIGINT NOT NULL,
                        UNIQUE (appointment_id, kind, version)
                    )"
                ),
                "CREATE INDEX outbox_due ON outbox (status, next_attempt_at)".to_owned(),
                "CREATE INDEX outbox_appointment ON outbox (appointment_id)".to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(
            manager,
            &[
                "DROP TABLE IF EXISTS outbox".to_owned(),
                "ALTER TABLE appointments DROP COLUMN completed_at".to_owned(),
                "ALTER TABLE appointments DROP COLUMN sequence".to_owned(),
            ],
        )
        .await
    }
}

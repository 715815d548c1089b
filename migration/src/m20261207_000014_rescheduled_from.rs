//! The start a visit had before its latest reschedule, so the `rescheduled` email can say
//! where the visit moved from (the email is rendered when it is sent, from the row as it is
//! then). Null for a visit never moved; rows moved before this migration stay null.

use sea_orm_migration::prelude::*;

use crate::run_all;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000014_rescheduled_from"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(
            manager,
            &["ALTER TABLE appointments ADD COLUMN rescheduled_from BIGINT NULL".to_owned()],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(
            manager,
            &["ALTER TABLE appointments DROP COLUMN rescheduled_from".to_owned()],
        )
        .await
    }
}

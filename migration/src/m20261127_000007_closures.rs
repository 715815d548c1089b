//! Clinic-wide closure days (holidays): a local date in the clinic zone on which no
//! practitioner offers or takes visits. One row per date (the primary key keeps it unique).

use sea_orm_migration::prelude::*;

use crate::{Dialect, run_all};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000007_closures"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let u = Dialect::of(manager).uuid;
        run_all(
            manager,
            &[
                // `day` is the local date as YYYY-MM-DD text: identical on both databases, and
                // its text order is the date order, so a range is an index range.
                format!(
                    "CREATE TABLE closures (
                        day TEXT PRIMARY KEY CHECK (day LIKE '____-__-__'),
                        reason TEXT NULL,
                        created_by {u} NULL REFERENCES staff_users (id) ON DELETE SET NULL,
                        created_at BIGINT NOT NULL
                    )"
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(manager, &["DROP TABLE IF EXISTS closures".to_owned()]).await
    }
}

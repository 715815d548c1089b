//! The clients an audit entry showed, beside the entry's one subject: a calendar read, a client
//! search or the aftercare alerts list names several clients (their ids were only in the
//! entry's JSON details, which no index reads), and an access request must find every entry
//! that showed a client's details. One row per (client, entry), read by client.
//! Entries written before this migration are found by their subject only.

use sea_orm_migration::prelude::*;

use crate::{Dialect, run_all};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000013_audit_mentions"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let u = Dialect::of(manager).uuid;
        run_all(
            manager,
            &[format!(
                "CREATE TABLE audit_mentions (
                    client_id {u} NOT NULL REFERENCES clients (id),
                    audit_id {u} NOT NULL REFERENCES audit_log (id),
                    PRIMARY KEY (client_id, audit_id)
                )"
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(manager, &["DROP TABLE IF EXISTS audit_mentions".to_owned()]).await
    }
}

//! The desk's client search: each found client's newest valid screening and a client's
//! screening history are read by client, newest first, so screenings get an index on
//! (client_id, created_at) (erasure's delete by client uses it too). The search itself matches
//! substrings (`LIKE '%...%'`), which no B-tree index serves; the clients table stays small
//! enough for a scan.

use sea_orm_migration::prelude::*;

use crate::run_all;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000012_client_search"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(
            manager,
            &[
                "CREATE INDEX screenings_client_created ON screenings (client_id, created_at)"
                    .to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(
            manager,
            &["DROP INDEX IF EXISTS screenings_client_created".to_owned()],
        )
        .await
    }
}

//! Reception desk: the audit log of staff actions, and the health re-confirmation of a visit.

use sea_orm_migration::prelude::*;

use crate::{Dialect, run_all};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000003_desk"
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
                    "CREATE TABLE audit_log (
                        id {u} PRIMARY KEY,
                        at BIGINT NOT NULL,
                        actor_user_id {u} NULL REFERENCES staff_users (id),
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL,
                        subject_type TEXT NOT NULL,
                        subject_id {u} NOT NULL,
                        detail TEXT NULL
                    )"
                ),
                "CREATE INDEX audit_log_at ON audit_log (at)".to_owned(),
                "CREATE INDEX audit_log_subject ON audit_log (subject_id)".to_owned(),
                format!("ALTER TABLE appointments ADD COLUMN reconfirm_screening_id {u} NULL REFERENCES screenings (id) ON DELETE SET NULL"),
                "ALTER TABLE appointments ADD COLUMN reconfirm_outcome TEXT NULL
                    CHECK (reconfirm_outcome IN ('eligible', 'needs_review', 'contraindicated'))"
                    .to_owned(),
                "ALTER TABLE appointments ADD COLUMN reconfirmed_at BIGINT NULL".to_owned(),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(
            manager,
            &[
                "ALTER TABLE appointments DROP COLUMN reconfirmed_at".to_owned(),
                "ALTER TABLE appointments DROP COLUMN reconfirm_outcome".to_owned(),
                "ALTER TABLE appointments DROP COLUMN reconfirm_screening_id".to_owned(),
                "DROP TABLE IF EXISTS audit_log".to_owned(),
            ],
        )
        .await
    }
}

//! Questionnaire version 2: dated answers and what the desk must know. A screening keeps the
//! version it was answered under (now a closed set the schema checks), the first local day a
//! treatment may take place (`eligible_from`, `YYYY-MM-DD` in the clinic's zone, NULL when no
//! answer sets one), and two flags derived from its answers: an allergy to local anaesthetics
//! (numbing cream cannot be chosen) and a history of cold sores (the desk and the prep email).
//! Rows of version 1 keep NULL and false. The version check is a constraint on PostgreSQL and a
//! pair of triggers on SQLite (which cannot add a constraint to an existing table), as in
//! migration 4.

use sea_orm_migration::prelude::*;

use crate::{Dialect, run_all};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000006_screening_v2"
    }
}

/// The questionnaire versions a screening may carry (a later version adds itself here in a
/// new migration).
pub const VERSIONS: &[&str] = &["2026-11-1", "2026-11-2"];

const NAME: &str = "screenings_questionnaire_version_valid";

fn up_statements(d: &Dialect) -> Vec<String> {
    let allowed = VERSIONS
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut out = vec![
        "ALTER TABLE screenings ADD COLUMN eligible_from TEXT NULL \
         CHECK (eligible_from IS NULL OR (length(eligible_from) = 10 AND eligible_from LIKE '____-__-__'))"
            .to_owned(),
        "ALTER TABLE screenings ADD COLUMN no_numbing_cream BOOLEAN NOT NULL DEFAULT FALSE"
            .to_owned(),
        "ALTER TABLE screenings ADD COLUMN cold_sore_history BOOLEAN NOT NULL DEFAULT FALSE"
            .to_owned(),
    ];
    if d.postgres {
        out.push(format!(
            "ALTER TABLE screenings ADD CONSTRAINT {NAME} CHECK (questionnaire_version IN ({allowed}))"
        ));
    } else {
        for (event, suffix) in [
            ("INSERT", "insert"),
            ("UPDATE OF questionnaire_version", "update"),
        ] {
            out.push(format!(
                "CREATE TRIGGER {NAME}_{suffix} BEFORE {event} ON screenings
                 WHEN NEW.questionnaire_version NOT IN ({allowed})
                 BEGIN SELECT RAISE(ABORT, '{NAME}'); END"
            ));
        }
    }
    out
}

fn down_statements(d: &Dialect) -> Vec<String> {
    let mut out = Vec::new();
    if d.postgres {
        out.push(format!("ALTER TABLE screenings DROP CONSTRAINT {NAME}"));
    } else {
        out.push(format!("DROP TRIGGER {NAME}_insert"));
        out.push(format!("DROP TRIGGER {NAME}_update"));
    }
    for column in ["cold_sore_history", "no_numbing_cream", "eligible_from"] {
        out.push(format!("ALTER TABLE screenings DROP COLUMN {column}"));
    }
    out
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(manager, &up_statements(&Dialect::of(manager))).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_all(manager, &down_statements(&Dialect::of(manager))).await
    }
}

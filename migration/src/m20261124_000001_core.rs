//! The booking core: staff, practitioners and their hours, clients, screenings, bookings and
//! appointments, with the database-enforced no-double-booking rule.

use sea_orm_migration::prelude::*;

use crate::{Dialect, run_all};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000001_core"
    }
}

fn tables(d: &Dialect) -> Vec<String> {
    let u = d.uuid;
    vec![
        format!(
            "CREATE TABLE practitioners (
                id {u} PRIMARY KEY,
                name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
                email TEXT NULL,
                active BOOLEAN NOT NULL DEFAULT TRUE,
                created_at BIGINT NOT NULL
            )"
        ),
        format!(
            "CREATE TABLE staff_users (
                id {u} PRIMARY KEY,
                email TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('admin', 'reception', 'practitioner')),
                practitioner_id {u} NULL REFERENCES practitioners (id),
                failed_logins INTEGER NOT NULL DEFAULT 0,
                locked_until BIGINT NULL,
                created_at BIGINT NOT NULL
            )"
        ),
        format!(
            "CREATE TABLE staff_sessions (
                token_hash TEXT PRIMARY KEY,
                user_id {u} NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
                expires_at BIGINT NOT NULL,
                created_at BIGINT NOT NULL
            )"
        ),
        format!(
            "CREATE TABLE working_hours (
                practitioner_id {u} NOT NULL REFERENCES practitioners (id) ON DELETE CASCADE,
                weekday SMALLINT NOT NULL CHECK (weekday BETWEEN 0 AND 6),
                start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
                end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
                CHECK (start_minute < end_minute),
                PRIMARY KEY (practitioner_id, weekday, start_minute)
            )"
        ),
        format!(
            "CREATE TABLE time_off (
                id {u} PRIMARY KEY,
                practitioner_id {u} NOT NULL REFERENCES practitioners (id) ON DELETE CASCADE,
                starts_at BIGINT NOT NULL,
                ends_at BIGINT NOT NULL,
                reason TEXT NULL,
                created_at BIGINT NOT NULL,
                CHECK (starts_at < ends_at)
            )"
        ),
        "CREATE INDEX time_off_practitioner_start ON time_off (practitioner_id, starts_at)".to_owned(),
        format!(
            "CREATE TABLE clients (
                id {u} PRIMARY KEY,
                name TEXT NOT NULL,
                email TEXT NOT NULL UNIQUE,
                phone TEXT NULL,
                created_at BIGINT NOT NULL,
                erased_at BIGINT NULL
            )"
        ),
        format!(
            "CREATE TABLE screenings (
                id {u} PRIMARY KEY,
                client_id {u} NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
                questionnaire_version TEXT NOT NULL,
                answers TEXT NOT NULL,
                concerns TEXT NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('eligible', 'needs_review', 'contraindicated')),
                reasons TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                valid_until BIGINT NOT NULL,
                review_decision TEXT NULL CHECK (review_decision IN ('approve', 'reject')),
                review_note TEXT NULL,
                reviewed_by {u} NULL REFERENCES staff_users (id),
                reviewed_at BIGINT NULL
            )"
        ),
        "CREATE INDEX screenings_outcome_created ON screenings (outcome, created_at)".to_owned(),
        format!(
            "CREATE TABLE bookings (
                id {u} PRIMARY KEY,
                client_id {u} NOT NULL REFERENCES clients (id),
                screening_id {u} NULL REFERENCES screenings (id) ON DELETE SET NULL,
                service TEXT NOT NULL CHECK (service IN ('microneedling', 'skin_consultation')),
                sessions INTEGER NOT NULL CHECK (sessions >= 1),
                interval_days INTEGER NULL,
                manage_token_hash TEXT NOT NULL UNIQUE,
                manage_token_expires_at BIGINT NOT NULL,
                idempotency_key TEXT NULL UNIQUE,
                request_hash TEXT NULL,
                created_by {u} NULL REFERENCES staff_users (id),
                created_at BIGINT NOT NULL
            )"
        ),
        format!(
            "CREATE TABLE appointments (
                id {u} PRIMARY KEY,
                booking_id {u} NOT NULL REFERENCES bookings (id),
                client_id {u} NOT NULL REFERENCES clients (id),
                practitioner_id {u} NOT NULL REFERENCES practitioners (id),
                service TEXT NOT NULL CHECK (service IN ('microneedling', 'skin_consultation')),
                session_number INTEGER NOT NULL CHECK (session_number >= 1),
                starts_at BIGINT NOT NULL,
                ends_at BIGINT NOT NULL,
                busy_until BIGINT NOT NULL,
                anesthesia BOOLEAN NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('booked', 'checked_in', 'completed', 'no_show', 'cancelled')),
                cancel_reason TEXT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                CHECK (starts_at < ends_at AND ends_at <= busy_until),
                UNIQUE (booking_id, session_number)
            )"
        ),
        "CREATE INDEX appointments_practitioner_start ON appointments (practitioner_id, starts_at)".to_owned(),
        "CREATE INDEX appointments_start ON appointments (starts_at)".to_owned(),
    ]
}

/// No double booking, enforced by the database. A busy range is `[starts_at, busy_until)`
/// (the visit plus its cleaning buffer); cancelled rows hold no time.
fn no_overlap(d: &Dialect) -> Vec<String> {
    if d.postgres {
        vec![
            "CREATE EXTENSION IF NOT EXISTS btree_gist".to_owned(),
            "ALTER TABLE appointments ADD CONSTRAINT appointments_no_overlap
                EXCLUDE USING gist (practitioner_id WITH =, int8range(starts_at, busy_until) WITH &&)
                WHERE (status <> 'cancelled')"
                .to_owned(),
        ]
    } else {
        // SQLite has no exclusion constraints; triggers run inside the writing statement, and
        // SQLite admits one writer at a time, so the check cannot race.
        let clash = "EXISTS (SELECT 1 FROM appointments a
                WHERE a.practitioner_id = NEW.practitioner_id AND a.id <> NEW.id
                AND a.status <> 'cancelled'
                AND a.starts_at < NEW.busy_until AND NEW.starts_at < a.busy_until)";
        vec![
            format!(
                "CREATE TRIGGER appointments_no_overlap_insert BEFORE INSERT ON appointments
                 WHEN NEW.status <> 'cancelled' AND {clash}
                 BEGIN SELECT RAISE(ABORT, 'appointments_no_overlap'); END"
            ),
            format!(
                "CREATE TRIGGER appointments_no_overlap_update
                 BEFORE UPDATE OF practitioner_id, starts_at, busy_until, status ON appointments
                 WHEN NEW.status <> 'cancelled' AND {clash}
                 BEGIN SELECT RAISE(ABORT, 'appointments_no_overlap'); END"
            ),
        ]
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let d = Dialect::of(manager);
        run_all(manager, &tables(&d)).await?;
        run_all(manager, &no_overlap(&d)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drops: Vec<String> = [
            "appointments",
            "bookings",
            "screenings",
            "clients",
            "time_off",
            "working_hours",
            "staff_sessions",
            "staff_users",
            "practitioners",
        ]
        .iter()
        .map(|t| format!("DROP TABLE IF EXISTS {t}"))
        .collect();
        run_all(manager, &drops).await
    }
}

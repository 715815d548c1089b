//! Aftercare check-ins and the alerts they raise: `aftercare_reports` (one client answer per
//! visit; health data, deleted with the client), `aftercare_alerts` (one per warning raised,
//! acknowledged by a clinician with a note), and the `clinician_alert` email kind in the
//! outbox's check.
//!
//! The outbox's kind check was written inline when the table was created. PostgreSQL replaces
//! the constraint; SQLite cannot change a table's check, so there the outbox is copied into a
//! new table with the new check (rows, indexes, and the links that point at its rows kept).

use sea_orm_migration::prelude::*;

use crate::{Dialect, run_all};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000010_aftercare"
    }
}

/// `aftercare_reports.redness`.
pub const REDNESS: &[&str] = &["none", "mild", "strong"];
/// `aftercare_alerts.status`.
pub const ALERT_STATUS: &[&str] = &["open", "acknowledged", "superseded"];
/// `outbox.kind` after this migration.
pub const KINDS: &[&str] = &[
    "booking_confirmation",
    "prep",
    "day_before",
    "soothing",
    "irritation_check",
    "follow_up",
    "cancellation",
    "rescheduled",
    "clinician_alert",
];
const OLD_KINDS: &[&str] = &[
    "booking_confirmation",
    "prep",
    "day_before",
    "soothing",
    "irritation_check",
    "follow_up",
    "cancellation",
    "rescheduled",
];

fn list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The outbox as migration 2 made it, with the given kinds allowed (SQLite's copy).
fn outbox_table(name: &str, u: &str, kinds: &[&str]) -> String {
    format!(
        "CREATE TABLE {name} (
            id {u} PRIMARY KEY,
            appointment_id {u} NOT NULL REFERENCES appointments (id),
            kind TEXT NOT NULL CHECK (kind IN ({kinds})),
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
        )",
        kinds = list(kinds)
    )
}

/// Changes the outbox's kind check to `kinds`.
fn outbox_kinds(d: &Dialect, kinds: &[&str]) -> Vec<String> {
    if d.postgres {
        return vec![
            "ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check".to_owned(),
            format!(
                "ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ({}))",
                list(kinds)
            ),
        ];
    }
    // One batch on one connection (SQLite runs every statement of it in order). Dropping the
    // old table sets manage_links.outbox_id to NULL (ON DELETE SET NULL, with
    // foreign keys on): keep the pairs aside and put them back after the rename (a plain
    // table, not TEMP: the statements may run on different pooled connections).
    let batch = [
        "CREATE TABLE outbox_link_keep AS SELECT id, outbox_id FROM manage_links WHERE outbox_id IS NOT NULL".to_owned(),
        outbox_table("outbox_next", d.uuid, kinds),
        "INSERT INTO outbox_next SELECT id, appointment_id, kind, version, recipient, due_at, send_by, status, attempts, next_attempt_at, last_error, message_id, claim_token, lease_until, sent_at, created_at, updated_at FROM outbox".to_owned(),
        "DROP TABLE outbox".to_owned(),
        "ALTER TABLE outbox_next RENAME TO outbox".to_owned(),
        "CREATE INDEX outbox_due ON outbox (status, next_attempt_at)".to_owned(),
        "CREATE INDEX outbox_appointment ON outbox (appointment_id)".to_owned(),
        "UPDATE manage_links SET outbox_id = (SELECT k.outbox_id FROM outbox_link_keep k WHERE k.id = manage_links.id) WHERE id IN (SELECT id FROM outbox_link_keep)".to_owned(),
        "DROP TABLE outbox_link_keep".to_owned(),
    ];
    vec![batch.join(";\n")]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let d = Dialect::of(manager);
        let u = d.uuid;
        let mut statements = outbox_kinds(&d, KINDS);
        statements.extend([
            // One answer per visit: a second one updates this row. `alert_emails` counts the
            // clinician_alert emails of the visit (their outbox version).
            format!(
                "CREATE TABLE aftercare_reports (
                    id {u} PRIMARY KEY,
                    appointment_id {u} NOT NULL UNIQUE REFERENCES appointments (id),
                    client_id {u} NOT NULL REFERENCES clients (id),
                    redness TEXT NOT NULL CHECK (redness IN ({redness})),
                    swelling BOOLEAN NOT NULL,
                    pain_increasing BOOLEAN NOT NULL,
                    pus_or_fever BOOLEAN NOT NULL,
                    blisters_or_cold_sore BOOLEAN NOT NULL,
                    notes TEXT NULL,
                    day INTEGER NOT NULL,
                    alert_emails INTEGER NOT NULL DEFAULT 0,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL
                )",
                redness = list(REDNESS)
            ),
            "CREATE INDEX aftercare_reports_client ON aftercare_reports (client_id)".to_owned(),
            // next_email_at: when an open alert is emailed again (NULL once closed).
            format!(
                "CREATE TABLE aftercare_alerts (
                    id {u} PRIMARY KEY,
                    report_id {u} NOT NULL REFERENCES aftercare_reports (id) ON DELETE CASCADE,
                    appointment_id {u} NOT NULL REFERENCES appointments (id),
                    client_id {u} NOT NULL REFERENCES clients (id),
                    status TEXT NOT NULL CHECK (status IN ({status})),
                    raised_at BIGINT NOT NULL,
                    next_email_at BIGINT NULL,
                    emails INTEGER NOT NULL DEFAULT 1,
                    acknowledged_at BIGINT NULL,
                    acknowledged_by {u} NULL REFERENCES staff_users (id),
                    note TEXT NULL
                )",
                status = list(ALERT_STATUS)
            ),
            "CREATE INDEX aftercare_alerts_due ON aftercare_alerts (status, next_email_at)"
                .to_owned(),
            "CREATE INDEX aftercare_alerts_client ON aftercare_alerts (client_id)".to_owned(),
        ]);
        run_all(manager, &statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let d = Dialect::of(manager);
        let mut statements = vec![
            "DROP TABLE IF EXISTS aftercare_alerts".to_owned(),
            "DROP TABLE IF EXISTS aftercare_reports".to_owned(),
            "DELETE FROM outbox WHERE kind = 'clinician_alert'".to_owned(),
        ];
        statements.extend(outbox_kinds(&d, OLD_KINDS));
        run_all(manager, &statements).await
    }
}

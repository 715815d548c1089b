//! Every column that holds one of a closed set of values (statuses, services, outcomes,
//! message kinds, roles, audit actors) refuses anything else. Migrations 1 to 3 created these
//! columns with inline CHECKs; the audit log's `actor` was the one left open, and gets its
//! check here: a constraint on PostgreSQL, a pair of triggers on SQLite (which cannot add a
//! constraint to an existing table). `CHECKED` lists every such column with the values the
//! schema allows after this migration: the application maps the same values to enums
//! (`DeriveActiveEnum`) and its tests compare the two and try a value outside each set.

use sea_orm_migration::prelude::*;

use crate::{Dialect, run_all};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000004_checked_values"
    }
}

const STATUS: &[&str] = &["booked", "checked_in", "completed", "no_show", "cancelled"];
const SERVICE: &[&str] = &["microneedling", "skin_consultation"];
const OUTCOME: &[&str] = &["eligible", "needs_review", "contraindicated"];

/// (table, column, allowed values) as of this migration. NULL stays allowed where the column
/// is nullable.
pub const CHECKED: &[(&str, &str, &[&str])] = &[
    ("appointments", "status", STATUS),
    ("appointments", "service", SERVICE),
    ("appointments", "reconfirm_outcome", OUTCOME),
    ("bookings", "service", SERVICE),
    ("screenings", "outcome", OUTCOME),
    ("screenings", "review_decision", &["approve", "reject"]),
    (
        "outbox",
        "kind",
        &[
            "booking_confirmation",
            "prep",
            "day_before",
            "soothing",
            "irritation_check",
            "follow_up",
            "cancellation",
            "rescheduled",
        ],
    ),
    (
        "outbox",
        "status",
        &[
            "pending",
            "sending",
            "sent",
            "failed",
            "cancelled",
            "expired",
        ],
    ),
    (
        "staff_users",
        "role",
        &["admin", "reception", "practitioner"],
    ),
    ("audit_log", "actor", &["staff", "client"]),
];

fn list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The columns this migration adds a check to (the others have theirs since creation).
const ADDED: &[(&str, &str, &[&str])] = &[("audit_log", "actor", &["staff", "client"])];

fn up_statements(d: &Dialect) -> Vec<String> {
    let mut out = Vec::new();
    for (table, column, values) in ADDED {
        let name = format!("{table}_{column}_valid");
        let allowed = list(values);
        if d.postgres {
            out.push(format!(
                "ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({column} IN ({allowed}))"
            ));
        } else {
            for (event, suffix) in [
                ("INSERT", "insert"),
                (&*format!("UPDATE OF {column}"), "update"),
            ] {
                out.push(format!(
                    "CREATE TRIGGER {name}_{suffix} BEFORE {event} ON {table}
                     WHEN NEW.{column} IS NOT NULL AND NEW.{column} NOT IN ({allowed})
                     BEGIN SELECT RAISE(ABORT, '{name}'); END"
                ));
            }
        }
    }
    out
}

fn down_statements(d: &Dialect) -> Vec<String> {
    let mut out = Vec::new();
    for (table, column, _) in ADDED {
        let name = format!("{table}_{column}_valid");
        if d.postgres {
            out.push(format!("ALTER TABLE {table} DROP CONSTRAINT {name}"));
        } else {
            out.push(format!("DROP TRIGGER {name}_insert"));
            out.push(format!("DROP TRIGGER {name}_update"));
        }
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

//! Storage: sea-orm entities and the queries the flows use. Query functions take
//! `&impl ConnectionTrait`, so a whole change can run in one transaction.

pub mod aftercare;
pub mod appointments;
pub mod audit;
pub mod calendars;
pub mod clients;
pub mod closures;
pub mod consents;
pub mod desk;
pub mod entities;
pub mod links;
pub mod notes;
pub mod outbox;
pub mod privacy;
pub mod services;
pub mod staff;

use std::{path::Path, time::Duration};

use anyhow::Context;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::config::DatabaseSettings;

/// Opens the pool; creates the SQLite file's folder when needed.
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<DatabaseConnection> {
    let url = settings.url.expose();
    if let Some(rest) = url.strip_prefix("sqlite://") {
        let path = rest.split('?').next().unwrap_or_default();
        if let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the database folder {}", dir.display()))?;
        }
    }
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(settings.max_connections)
        .min_connections(1)
        .acquire_timeout(settings.acquire_timeout)
        // sqlx pings a pooled connection on every checkout by default: one extra round trip
        // per query or transaction. Only a connection idle long enough to have been dropped by
        // the server or a proxy is tested; a broken hot connection fails its query instead.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        // sqlx would log every statement; ours carry health data in bind values only, but a
        // quiet driver is the safer default.
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    let db = Database::connect(opts)
        .await
        .context("connecting to the database")?;
    Ok(db)
}

/// Applies pending migrations.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    use migration::MigratorTrait;
    migration::Migrator::up(db, None)
        .await
        .context("applying migrations")
}

/// Begins a transaction that will write. On SQLite it takes the write lock at `BEGIN`
/// (IMMEDIATE), so a read-then-write never fails on the lock upgrade; PostgreSQL relies on its
/// constraints instead.
pub async fn begin_write(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        db.begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await
    } else {
        db.begin().await
    }
}

/// Whether the error is the no-double-booking rule firing (PostgreSQL's exclusion constraint or
/// SQLite's trigger, both named `appointments_no_overlap`).
pub fn is_overlap(err: &DbErr) -> bool {
    err.to_string().contains("appointments_no_overlap")
}

/// Whether the error is a unique-key violation.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

/// Whether the database answers.
pub async fn ping(db: &impl ConnectionTrait) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

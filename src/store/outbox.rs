//! The outbox: planned emails, claimed by dispatchers with a lease, stamped with the outcome.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement, Value,
};
use uuid::Uuid;

use super::entities::outbox;
use crate::domain::messages::MessageStatus;

/// Inserts planned messages.
pub async fn insert(db: &impl ConnectionTrait, rows: Vec<outbox::Model>) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    outbox::Entity::insert_many(rows.into_iter().map(|r| outbox::ActiveModel {
        id: Set(r.id),
        appointment_id: Set(r.appointment_id),
        kind: Set(r.kind),
        version: Set(r.version),
        recipient: Set(r.recipient),
        due_at: Set(r.due_at),
        send_by: Set(r.send_by),
        status: Set(r.status),
        attempts: Set(r.attempts),
        next_attempt_at: Set(r.next_attempt_at),
        last_error: Set(r.last_error),
        message_id: Set(r.message_id),
        claim_token: Set(r.claim_token),
        lease_until: Set(r.lease_until),
        sent_at: Set(r.sent_at),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    }))
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// Cancels the still-pending messages of an appointment whose kinds match `kinds`.
pub async fn cancel_pending(
    db: &impl ConnectionTrait,
    appointment_id: Uuid,
    kinds: &[&str],
    now: i64,
) -> Result<u64, DbErr> {
    let res = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, MessageStatus::Cancelled.into())
        .col_expr(outbox::Column::UpdatedAt, now.into())
        .filter(outbox::Column::AppointmentId.eq(appointment_id))
        .filter(outbox::Column::Status.eq(MessageStatus::Pending))
        .filter(outbox::Column::Kind.is_in(kinds.iter().copied()))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Whether an email of `kind` about the appointment is still waiting to be sent.
pub async fn has_pending(
    db: &impl ConnectionTrait,
    appointment_id: Uuid,
    kind: &str,
) -> Result<bool, DbErr> {
    let n = outbox::Entity::find()
        .filter(outbox::Column::AppointmentId.eq(appointment_id))
        .filter(outbox::Column::Status.eq(MessageStatus::Pending))
        .filter(outbox::Column::Kind.eq(kind))
        .count(db)
        .await?;
    Ok(n > 0)
}

/// Marks pending messages whose send-by deadline has passed as `expired`.
pub async fn expire_overdue(db: &impl ConnectionTrait, now: i64) -> Result<u64, DbErr> {
    let res = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, MessageStatus::Expired.into())
        .col_expr(outbox::Column::UpdatedAt, now.into())
        .filter(outbox::Column::Status.eq(MessageStatus::Pending))
        .filter(outbox::Column::SendBy.lt(now))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Claims up to `limit` due messages for `token` until `lease_until`: pending rows whose time
/// has come, and rows whose previous claimer's lease ran out (it crashed or hung). Attempts
/// count at claim time, so a message that crashes its sender cannot loop for ever.
///
/// PostgreSQL: one UPDATE over a `FOR UPDATE SKIP LOCKED` sub-select, so concurrent
/// dispatchers take disjoint rows without waiting. SQLite: the same single UPDATE ...
/// RETURNING; SQLite runs one writer at a time, so two claims cannot overlap.
pub async fn claim(
    db: &impl ConnectionTrait,
    token: Uuid,
    now: i64,
    lease_until: i64,
    limit: u64,
) -> Result<Vec<outbox::Model>, DbErr> {
    let backend = db.get_database_backend();
    let (sql, values): (&str, Vec<Value>) = match backend {
        DbBackend::Postgres => (
            "UPDATE outbox SET status = 'sending', claim_token = $1, lease_until = $2,
                attempts = attempts + 1, updated_at = $3
             WHERE id IN (
                SELECT id FROM outbox
                WHERE (status = 'pending' AND next_attempt_at <= $3)
                   OR (status = 'sending' AND lease_until < $3)
                ORDER BY next_attempt_at
                LIMIT $4
                FOR UPDATE SKIP LOCKED)
             RETURNING *",
            vec![
                token.into(),
                lease_until.into(),
                now.into(),
                (limit as i64).into(),
            ],
        ),
        _ => (
            "UPDATE outbox SET status = 'sending', claim_token = ?, lease_until = ?,
                attempts = attempts + 1, updated_at = ?
             WHERE id IN (
                SELECT id FROM outbox
                WHERE (status = 'pending' AND next_attempt_at <= ?)
                   OR (status = 'sending' AND lease_until < ?)
                ORDER BY next_attempt_at
                LIMIT ?)
             RETURNING *",
            vec![
                token.into(),
                lease_until.into(),
                now.into(),
                now.into(),
                now.into(),
                (limit as i64).into(),
            ],
        ),
    };
    outbox::Model::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
        .all(db)
        .await
}

/// What became of one claimed message.
pub enum Outcome<'a> {
    Sent,
    Retry {
        at: i64,
        error: &'a str,
    },
    Failed {
        error: &'a str,
    },
    Expired,
    /// Handed back unsent (shutdown): the attempt does not count.
    Released,
}

/// Records the outcome, only while the claim is still ours; false when another dispatcher
/// took the row over after our lease ran out.
pub async fn finish(
    db: &impl ConnectionTrait,
    id: Uuid,
    token: Uuid,
    outcome: Outcome<'_>,
    now: i64,
) -> Result<bool, DbErr> {
    let mut q = outbox::Entity::update_many()
        .col_expr(outbox::Column::UpdatedAt, now.into())
        .col_expr(outbox::Column::LeaseUntil, Option::<i64>::None.into())
        .col_expr(outbox::Column::ClaimToken, Option::<Uuid>::None.into());
    q = match outcome {
        Outcome::Sent => q
            .col_expr(outbox::Column::Status, MessageStatus::Sent.into())
            .col_expr(outbox::Column::SentAt, Some(now).into())
            .col_expr(outbox::Column::LastError, Option::<String>::None.into()),
        Outcome::Retry { at, error } => q
            .col_expr(outbox::Column::Status, MessageStatus::Pending.into())
            .col_expr(outbox::Column::NextAttemptAt, at.into())
            .col_expr(outbox::Column::LastError, Some(truncate(error)).into()),
        Outcome::Failed { error } => q
            .col_expr(outbox::Column::Status, MessageStatus::Failed.into())
            .col_expr(outbox::Column::LastError, Some(truncate(error)).into()),
        Outcome::Expired => q.col_expr(outbox::Column::Status, MessageStatus::Expired.into()),
        Outcome::Released => q
            .col_expr(outbox::Column::Status, MessageStatus::Pending.into())
            .col_expr(outbox::Column::Attempts, {
                use sea_orm::sea_query::ExprTrait;
                sea_orm::sea_query::Expr::col(outbox::Column::Attempts).sub(1)
            }),
    };
    let res = q
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::ClaimToken.eq(token))
        .filter(outbox::Column::Status.eq(MessageStatus::Sending))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

fn truncate(error: &str) -> String {
    error.chars().take(500).collect()
}

/// Messages for reception, newest due first.
pub async fn list(
    db: &impl ConnectionTrait,
    appointment_id: Option<Uuid>,
    status: Option<MessageStatus>,
    limit: u64,
) -> Result<Vec<outbox::Model>, DbErr> {
    let mut q = outbox::Entity::find()
        .order_by_desc(outbox::Column::DueAt)
        .limit(limit);
    if let Some(a) = appointment_id {
        q = q.filter(outbox::Column::AppointmentId.eq(a));
    }
    if let Some(s) = status {
        q = q.filter(outbox::Column::Status.eq(s));
    }
    q.all(db).await
}

/// Puts a failed message back in the queue with fresh attempts.
pub async fn retry_failed(db: &impl ConnectionTrait, id: Uuid, now: i64) -> Result<bool, DbErr> {
    let res = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, MessageStatus::Pending.into())
        .col_expr(outbox::Column::Attempts, 0.into())
        .col_expr(outbox::Column::NextAttemptAt, now.into())
        .col_expr(outbox::Column::UpdatedAt, now.into())
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::Status.eq(MessageStatus::Failed))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// One message.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<outbox::Model>, DbErr> {
    outbox::Entity::find_by_id(id).one(db).await
}

/// Counts by status (for metrics and tests).
pub async fn count_by_status(db: &impl ConnectionTrait) -> Result<Vec<(String, i64)>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        status: String,
        n: i64,
    }
    let backend = db.get_database_backend();
    let rows = Row::find_by_statement(Statement::from_string(
        backend,
        "SELECT status, COUNT(*) AS n FROM outbox GROUP BY status",
    ))
    .all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.status, r.n)).collect())
}

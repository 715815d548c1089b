//! The audit log's rows.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::entities::audit_log;

/// Appends one entry.
pub async fn insert(db: &impl ConnectionTrait, e: audit_log::Model) -> Result<(), DbErr> {
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: Set(e.id),
        at: Set(e.at),
        actor_user_id: Set(e.actor_user_id),
        actor: Set(e.actor),
        action: Set(e.action),
        subject_type: Set(e.subject_type),
        subject_id: Set(e.subject_id),
        detail: Set(e.detail),
    })
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// Entries, newest first, optionally about one subject.
pub async fn list(
    db: &impl ConnectionTrait,
    subject: Option<Uuid>,
    limit: u64,
) -> Result<Vec<audit_log::Model>, DbErr> {
    let mut q = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id)
        .limit(limit);
    if let Some(s) = subject {
        q = q.filter(audit_log::Column::SubjectId.eq(s));
    }
    q.all(db).await
}

/// One staff user's entries of `action` written after `since` (the `at` index bounds the scan).
pub async fn recent_of(
    db: &impl ConnectionTrait,
    actor_user_id: Uuid,
    action: &str,
    since: i64,
) -> Result<Vec<audit_log::Model>, DbErr> {
    audit_log::Entity::find()
        .filter(audit_log::Column::At.gt(since))
        .filter(audit_log::Column::ActorUserId.eq(actor_user_id))
        .filter(audit_log::Column::Action.eq(action))
        .all(db)
        .await
}

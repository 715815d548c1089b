//! The audit log: who did what to which appointment, screening or client, and when. Written in
//! the same transaction as the action. Details never carry health answers or contact data.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    domain::{ids::StaffUserId, time::to_db},
    error::ApiResult,
    state::AppState,
    store::entities::audit_log,
};

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Staff(StaffUserId),
    /// A client, through the manage token of their booking.
    Client,
}

/// Appends one entry.
pub async fn record(
    db: &impl ConnectionTrait,
    state: &AppState,
    actor: Actor,
    action: &str,
    subject_type: &str,
    subject_id: Uuid,
    detail: Option<Value>,
) -> ApiResult<()> {
    let (actor_user_id, actor) = match actor {
        Actor::Staff(id) => (Some(id.0), "staff"),
        Actor::Client => (None, "client"),
    };
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: Set(Uuid::new_v4()),
        at: Set(to_db(state.now())),
        actor_user_id: Set(actor_user_id),
        actor: Set(actor.to_owned()),
        action: Set(action.to_owned()),
        subject_type: Set(subject_type.to_owned()),
        subject_id: Set(subject_id),
        detail: Set(detail.map(|d| d.to_string())),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Entries, newest first, optionally about one subject.
pub async fn list(
    state: &AppState,
    subject: Option<Uuid>,
    limit: u64,
) -> ApiResult<Vec<audit_log::Model>> {
    let mut q = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id)
        .limit(limit);
    if let Some(s) = subject {
        q = q.filter(audit_log::Column::SubjectId.eq(s));
    }
    Ok(q.all(&state.db).await?)
}

//! The audit log: who did what to which appointment, screening or client, and when. Written in
//! the same transaction as the action. Details never carry health answers or contact data.

use sea_orm::ConnectionTrait;
use serde_json::Value;
use uuid::Uuid;

use crate::{
    domain::{ids::StaffUserId, time::to_db},
    error::ApiResult,
    state::AppState,
    store::{self, entities::audit_log},
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
    store::audit::insert(
        db,
        audit_log::Model {
            id: Uuid::new_v4(),
            at: to_db(state.now()),
            actor_user_id,
            actor: actor.to_owned(),
            action: action.to_owned(),
            subject_type: subject_type.to_owned(),
            subject_id,
            detail: detail.map(|d| d.to_string()),
        },
    )
    .await?;
    Ok(())
}

/// Entries, newest first, optionally about one subject.
pub async fn list(
    state: &AppState,
    subject: Option<Uuid>,
    limit: u64,
) -> ApiResult<Vec<audit_log::Model>> {
    Ok(store::audit::list(&state.db, subject, limit).await?)
}

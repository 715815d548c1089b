//! The `outbox` table.

use sea_orm::entity::prelude::*;

use crate::domain::messages::{MessageKind, MessageStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub appointment_id: Uuid,
    pub kind: MessageKind,
    pub version: i32,
    pub recipient: String,
    pub due_at: i64,
    pub send_by: i64,
    pub status: MessageStatus,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub message_id: String,
    pub claim_token: Option<Uuid>,
    pub lease_until: Option<i64>,
    pub sent_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

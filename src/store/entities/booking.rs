//! The `bookings` table.

use sea_orm::entity::prelude::*;

use crate::domain::service::Service;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bookings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub client_id: Uuid,
    pub screening_id: Option<Uuid>,
    pub service: Service,
    pub sessions: i32,
    pub interval_days: Option<i32>,
    pub manage_token_hash: String,
    pub manage_token_expires_at: i64,
    pub idempotency_key: Option<String>,
    pub request_hash: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

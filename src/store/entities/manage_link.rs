//! The `manage_links` table.

use sea_orm::entity::prelude::*;

use crate::domain::messages::LinkPurpose;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "manage_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub booking_id: Uuid,
    pub outbox_id: Option<Uuid>,
    /// SHA-256 of the secret; the secret itself is only in the email.
    pub secret_hash: String,
    pub purpose: LinkPurpose,
    pub expires_at: i64,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

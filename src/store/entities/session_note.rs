//! The `session_notes` table: the session record of a microneedling visit (health data).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "session_notes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub appointment_id: Uuid,
    pub booking_id: Uuid,
    pub client_id: Uuid,
    /// Needle depth in hundredths of a millimetre (10..=300).
    pub needle_depth_hundredths: i32,
    /// JSON array of area codes.
    pub areas: String,
    pub product: Option<String>,
    pub numbing: Option<String>,
    pub reaction: Option<String>,
    pub notes: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

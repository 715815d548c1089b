//! The `appointments` table.

use sea_orm::entity::prelude::*;

use crate::domain::{screening::Outcome, service::Service, status::AppointmentStatus};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub booking_id: Uuid,
    pub client_id: Uuid,
    pub practitioner_id: Uuid,
    pub service: Service,
    pub session_number: i32,
    pub starts_at: i64,
    pub ends_at: i64,
    pub busy_until: i64,
    pub anesthesia: bool,
    pub status: AppointmentStatus,
    pub cancel_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub sequence: i32,
    pub completed_at: Option<i64>,
    pub reconfirm_screening_id: Option<Uuid>,
    pub reconfirm_outcome: Option<Outcome>,
    pub reconfirmed_at: Option<i64>,
    /// The start before the latest reschedule (the `rescheduled` email says it).
    pub rescheduled_from: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

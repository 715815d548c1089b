//! The `aftercare_reports` table: one client check-in per visit (health data).

use sea_orm::entity::prelude::*;

use crate::domain::aftercare::Redness;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "aftercare_reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub appointment_id: Uuid,
    pub client_id: Uuid,
    pub redness: Redness,
    pub swelling: bool,
    pub pain_increasing: bool,
    pub pus_or_fever: bool,
    pub blisters_or_cold_sore: bool,
    pub notes: Option<String>,
    /// Local days after the visit's day when this answer was given (0 = that day).
    pub day: i32,
    /// How many clinician_alert emails this visit has had (their outbox version).
    pub alert_emails: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

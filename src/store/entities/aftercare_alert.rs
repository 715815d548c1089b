//! The `aftercare_alerts` table: a warning sign raised by a check-in, until acknowledged.

use sea_orm::entity::prelude::*;

use crate::domain::aftercare::AlertStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "aftercare_alerts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub report_id: Uuid,
    pub appointment_id: Uuid,
    pub client_id: Uuid,
    pub status: AlertStatus,
    pub raised_at: i64,
    /// When the clinic is emailed again if still open; `None` once closed.
    pub next_email_at: Option<i64>,
    /// Emails sent (planned) about this alert.
    pub emails: i32,
    pub acknowledged_at: Option<i64>,
    pub acknowledged_by: Option<Uuid>,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

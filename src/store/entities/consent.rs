//! The `consents` table: signatures of a treatment's consent text (never updated, except that
//! erasure blanks the typed name).

use sea_orm::entity::prelude::*;

use crate::domain::{consent::ConsentSource, service::Service};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The booking the signature covers (every session of a course).
    pub booking_id: Uuid,
    /// The visit it was signed for.
    pub appointment_id: Uuid,
    pub client_id: Uuid,
    pub service: Service,
    pub version: String,
    /// The name the client typed; NULL after erasure.
    pub full_name: Option<String>,
    pub source: ConsentSource,
    /// The staff user who recorded it at the desk.
    pub staff_user_id: Option<Uuid>,
    pub signed_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

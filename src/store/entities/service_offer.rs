//! The `services` table: the catalogue an admin manages (name, treatment length, price).

use sea_orm::entity::prelude::*;

use crate::domain::service::{Currency, Service};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "services")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: Service,
    pub name: String,
    pub duration_minutes: i32,
    pub price_minor: Option<i64>,
    pub price_currency: Option<Currency>,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

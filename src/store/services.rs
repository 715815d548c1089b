//! The services' catalogue (one row per service code, seeded by migration 11).

use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect};

use crate::domain::service::Service;

use super::entities::service_offer;

/// Every row, by code.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<service_offer::Model>, DbErr> {
    service_offer::Entity::find()
        .order_by_asc(service_offer::Column::Code)
        .all(db)
        .await
}

/// One row, locked (`FOR UPDATE` on PostgreSQL; SQLite's write transaction is already
/// exclusive), so two admins' changes apply one after the other.
pub async fn find_locked(
    db: &impl ConnectionTrait,
    code: Service,
) -> Result<Option<service_offer::Model>, DbErr> {
    service_offer::Entity::find_by_id(code)
        .lock_exclusive()
        .one(db)
        .await
}

/// Writes a row's changeable columns.
pub async fn update(db: &impl ConnectionTrait, row: service_offer::Model) -> Result<(), DbErr> {
    service_offer::Entity::update(service_offer::ActiveModel {
        code: Set(row.code),
        name: Set(row.name),
        duration_minutes: Set(row.duration_minutes),
        price_minor: Set(row.price_minor),
        price_currency: Set(row.price_currency),
        updated_at: Set(row.updated_at),
    })
    .exec(db)
    .await
    .map(|_| ())
}

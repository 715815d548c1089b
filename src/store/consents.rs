//! Consent signatures. There is no update: a signature is inserted once per booking and
//! version (`insert` does nothing when one exists); erasure blanks the typed name
//! (`blank_names`).

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    sea_query::OnConflict,
};
use uuid::Uuid;

use super::entities::consent;

/// Inserts a signature; false when the booking already holds one of that version (nothing
/// changes then: the first signature stands).
pub async fn insert(db: &impl ConnectionTrait, c: consent::Model) -> Result<bool, DbErr> {
    let res = consent::Entity::insert(consent::ActiveModel {
        id: Set(c.id),
        booking_id: Set(c.booking_id),
        appointment_id: Set(c.appointment_id),
        client_id: Set(c.client_id),
        service: Set(c.service),
        version: Set(c.version),
        full_name: Set(c.full_name),
        source: Set(c.source),
        staff_user_id: Set(c.staff_user_id),
        signed_at: Set(c.signed_at),
    })
    .on_conflict(
        OnConflict::columns([consent::Column::BookingId, consent::Column::Version])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(res == 1)
}

/// The signatures of these bookings, newest first.
pub async fn of_bookings(
    db: &impl ConnectionTrait,
    bookings: &[Uuid],
) -> Result<Vec<consent::Model>, DbErr> {
    consent::Entity::find()
        .filter(consent::Column::BookingId.is_in(bookings.iter().copied()))
        .order_by_desc(consent::Column::SignedAt)
        .order_by_desc(consent::Column::Id)
        .all(db)
        .await
}

/// The client's signatures, oldest first (export).
pub async fn of_client(
    db: &impl ConnectionTrait,
    client_id: Uuid,
) -> Result<Vec<consent::Model>, DbErr> {
    consent::Entity::find()
        .filter(consent::Column::ClientId.eq(client_id))
        .order_by_asc(consent::Column::SignedAt)
        .all(db)
        .await
}

/// Erasure: the typed names go; version, time, source and staff user stay (README, Privacy).
pub async fn blank_names(db: &impl ConnectionTrait, client_id: Uuid) -> Result<(), DbErr> {
    consent::Entity::update_many()
        .col_expr(consent::Column::FullName, Option::<String>::None.into())
        .filter(consent::Column::ClientId.eq(client_id))
        .exec(db)
        .await
        .map(|_| ())
}

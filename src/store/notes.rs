//! Session records (treatment notes): one per visit, replaced by a later write.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::OnConflict,
};
use uuid::Uuid;

use super::entities::session_note;

/// Writes the record of a visit (inserts, or replaces the one there; `created_at` stays).
pub async fn upsert(db: &impl ConnectionTrait, n: session_note::Model) -> Result<(), DbErr> {
    use session_note::Column as C;
    session_note::Entity::insert(session_note::ActiveModel {
        appointment_id: Set(n.appointment_id),
        booking_id: Set(n.booking_id),
        client_id: Set(n.client_id),
        needle_depth_hundredths: Set(n.needle_depth_hundredths),
        areas: Set(n.areas),
        product: Set(n.product),
        numbing: Set(n.numbing),
        reaction: Set(n.reaction),
        notes: Set(n.notes),
        recorded_by: Set(n.recorded_by),
        created_at: Set(n.created_at),
        updated_at: Set(n.updated_at),
    })
    .on_conflict(
        OnConflict::column(C::AppointmentId)
            .update_columns([
                C::NeedleDepthHundredths,
                C::Areas,
                C::Product,
                C::Numbing,
                C::Reaction,
                C::Notes,
                C::RecordedBy,
                C::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// The record of one visit.
pub async fn of_appointment(
    db: &impl ConnectionTrait,
    appointment_id: Uuid,
) -> Result<Option<session_note::Model>, DbErr> {
    session_note::Entity::find_by_id(appointment_id)
        .one(db)
        .await
}

/// The records of a booking's visits (a course).
pub async fn of_booking(
    db: &impl ConnectionTrait,
    booking_id: Uuid,
) -> Result<Vec<session_note::Model>, DbErr> {
    session_note::Entity::find()
        .filter(session_note::Column::BookingId.eq(booking_id))
        .all(db)
        .await
}

/// The client's records (export).
pub async fn of_client(
    db: &impl ConnectionTrait,
    client_id: Uuid,
) -> Result<Vec<session_note::Model>, DbErr> {
    session_note::Entity::find()
        .filter(session_note::Column::ClientId.eq(client_id))
        .all(db)
        .await
}

/// Erasure: the client's records are deleted.
pub async fn delete_of_client(db: &impl ConnectionTrait, client_id: Uuid) -> Result<u64, DbErr> {
    session_note::Entity::delete_many()
        .filter(session_note::Column::ClientId.eq(client_id))
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}

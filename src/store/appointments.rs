//! Bookings (one request, one manage token) and their appointments.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::domain::{screening::Outcome, status::AppointmentStatus};

use super::entities::{appointment, booking, client, practitioner};

/// Inserts a booking.
pub async fn insert_booking(db: &impl ConnectionTrait, b: booking::Model) -> Result<(), DbErr> {
    booking::Entity::insert(booking::ActiveModel {
        id: Set(b.id),
        client_id: Set(b.client_id),
        screening_id: Set(b.screening_id),
        service: Set(b.service),
        sessions: Set(b.sessions),
        interval_days: Set(b.interval_days),
        manage_token_hash: Set(b.manage_token_hash),
        manage_token_expires_at: Set(b.manage_token_expires_at),
        idempotency_key: Set(b.idempotency_key),
        request_hash: Set(b.request_hash),
        created_by: Set(b.created_by),
        created_at: Set(b.created_at),
    })
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// Inserts appointments; the no-overlap rule fires here.
pub async fn insert_appointments(
    db: &impl ConnectionTrait,
    rows: Vec<appointment::Model>,
) -> Result<(), DbErr> {
    // One statement per row: the SQLite trigger then also sees the course's earlier rows.
    for a in rows {
        appointment::Entity::insert(appointment::ActiveModel {
            id: Set(a.id),
            booking_id: Set(a.booking_id),
            client_id: Set(a.client_id),
            practitioner_id: Set(a.practitioner_id),
            service: Set(a.service),
            session_number: Set(a.session_number),
            starts_at: Set(a.starts_at),
            ends_at: Set(a.ends_at),
            busy_until: Set(a.busy_until),
            anesthesia: Set(a.anesthesia),
            status: Set(a.status),
            cancel_reason: Set(a.cancel_reason),
            created_at: Set(a.created_at),
            updated_at: Set(a.updated_at),
            sequence: Set(a.sequence),
            completed_at: Set(a.completed_at),
            reconfirm_screening_id: Set(a.reconfirm_screening_id),
            reconfirm_outcome: Set(a.reconfirm_outcome),
            reconfirmed_at: Set(a.reconfirmed_at),
            rescheduled_from: Set(a.rescheduled_from),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// The booking made with this idempotency key, if any.
pub async fn booking_by_idempotency_key(
    db: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<booking::Model>, DbErr> {
    booking::Entity::find()
        .filter(booking::Column::IdempotencyKey.eq(key))
        .one(db)
        .await
}

/// Replaces a booking's manage token hash (an idempotent replay hands out a fresh token).
pub async fn set_manage_token(
    db: &impl ConnectionTrait,
    booking_id: Uuid,
    token_hash: String,
    expires_at: i64,
) -> Result<(), DbErr> {
    booking::Entity::update_many()
        .col_expr(booking::Column::ManageTokenHash, token_hash.into())
        .col_expr(booking::Column::ManageTokenExpiresAt, expires_at.into())
        .filter(booking::Column::Id.eq(booking_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// A booking's appointments by session number.
pub async fn of_booking(
    db: &impl ConnectionTrait,
    booking_id: Uuid,
) -> Result<Vec<appointment::Model>, DbErr> {
    appointment::Entity::find()
        .filter(appointment::Column::BookingId.eq(booking_id))
        .order_by_asc(appointment::Column::SessionNumber)
        .all(db)
        .await
}

/// The appointments of the booking visit `id` belongs to, by session number (empty for an
/// unknown id): one statement.
pub async fn of_booking_of(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Vec<appointment::Model>, DbErr> {
    use sea_orm::sea_query::Query;
    let booking = Query::select()
        .column(appointment::Column::BookingId)
        .from(appointment::Entity)
        .and_where(appointment::Column::Id.eq(id))
        .to_owned();
    appointment::Entity::find()
        .filter(appointment::Column::BookingId.in_subquery(booking))
        .order_by_asc(appointment::Column::SessionNumber)
        .all(db)
        .await
}

/// A booking's appointments by session number, read after locking the booking row (`FOR
/// UPDATE` on PostgreSQL; SQLite's write transaction is already exclusive), so two sessions of
/// one course moved at once are checked one after the other against each other's new times.
pub async fn of_booking_locked(
    db: &impl ConnectionTrait,
    booking_id: Uuid,
) -> Result<Vec<appointment::Model>, DbErr> {
    booking::Entity::find_by_id(booking_id)
        .lock_exclusive()
        .one(db)
        .await?;
    of_booking(db, booking_id).await
}

/// A booking's appointments by session number, each with its practitioner (`None` for one no
/// longer on record).
pub async fn of_booking_with_practitioners(
    db: &impl ConnectionTrait,
    booking_id: Uuid,
) -> Result<Vec<(appointment::Model, Option<practitioner::Model>)>, DbErr> {
    let rows = of_booking(db, booking_id).await?;
    let ids: Vec<Uuid> = rows.iter().map(|a| a.practitioner_id).collect();
    let practitioners = practitioner::Entity::find()
        .filter(practitioner::Column::Id.is_in(ids))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|a| {
            let p = practitioners
                .iter()
                .find(|p| p.id == a.practitioner_id)
                .cloned();
            (a, p)
        })
        .collect())
}

/// A booking by id.
pub async fn booking(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<booking::Model>, DbErr> {
    booking::Entity::find_by_id(id).one(db).await
}

/// An appointment by id.
pub async fn find(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<appointment::Model>, DbErr> {
    appointment::Entity::find_by_id(id).one(db).await
}

/// The columns a lifecycle move writes.
#[derive(Debug, Clone)]
pub struct Moved {
    pub status: AppointmentStatus,
    pub sequence: i32,
    pub starts_at: i64,
    pub ends_at: i64,
    pub busy_until: i64,
    pub practitioner_id: Uuid,
    pub completed_at: Option<i64>,
    pub cancel_reason: Option<String>,
    pub rescheduled_from: Option<i64>,
    pub updated_at: i64,
}

/// Writes a move only if the row still has the status and sequence it was read with
/// (compare-and-set); false when another move came first. The no-overlap rule fires here
/// when a reschedule lands on a taken slot.
pub async fn apply_move(
    db: &impl ConnectionTrait,
    id: Uuid,
    expected_status: AppointmentStatus,
    expected_sequence: i32,
    m: &Moved,
) -> Result<bool, DbErr> {
    let res = appointment::Entity::update_many()
        .col_expr(appointment::Column::Status, m.status.into())
        .col_expr(appointment::Column::Sequence, m.sequence.into())
        .col_expr(appointment::Column::StartsAt, m.starts_at.into())
        .col_expr(appointment::Column::EndsAt, m.ends_at.into())
        .col_expr(appointment::Column::BusyUntil, m.busy_until.into())
        .col_expr(
            appointment::Column::PractitionerId,
            m.practitioner_id.into(),
        )
        .col_expr(appointment::Column::CompletedAt, m.completed_at.into())
        .col_expr(
            appointment::Column::CancelReason,
            m.cancel_reason.clone().into(),
        )
        .col_expr(
            appointment::Column::RescheduledFrom,
            m.rescheduled_from.into(),
        )
        .col_expr(appointment::Column::UpdatedAt, m.updated_at.into())
        .filter(appointment::Column::Id.eq(id))
        .filter(appointment::Column::Status.eq(expected_status))
        .filter(appointment::Column::Sequence.eq(expected_sequence))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// The booking whose manage token has this hash.
pub async fn booking_by_token_hash(
    db: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<booking::Model>, DbErr> {
    booking::Entity::find()
        .filter(booking::Column::ManageTokenHash.eq(hash))
        .one(db)
        .await
}

/// Records a visit's health re-confirmation (its screening and outcome).
pub async fn set_reconfirmation(
    db: &impl ConnectionTrait,
    id: Uuid,
    screening_id: Uuid,
    outcome: Outcome,
    at: i64,
) -> Result<(), DbErr> {
    appointment::Entity::update_many()
        .col_expr(
            appointment::Column::ReconfirmScreeningId,
            Some(screening_id).into(),
        )
        .col_expr(
            appointment::Column::ReconfirmOutcome,
            Some(outcome.to_owned()).into(),
        )
        .col_expr(appointment::Column::ReconfirmedAt, Some(at).into())
        .filter(appointment::Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Books the visits of `booking_id` still booked and not over at `now` without numbing
/// cream; their times stay as booked (the numbing time is left free). Used when a
/// re-confirmation reports an allergy to local anaesthetics. Returns how many visits changed.
pub async fn take_off_numbing_cream(
    db: &impl ConnectionTrait,
    booking_id: Uuid,
    now: i64,
) -> Result<u64, DbErr> {
    appointment::Entity::update_many()
        .col_expr(appointment::Column::Anesthesia, false.into())
        .filter(appointment::Column::BookingId.eq(booking_id))
        .filter(appointment::Column::EndsAt.gt(now))
        .filter(appointment::Column::Status.eq(AppointmentStatus::Booked))
        .filter(appointment::Column::Anesthesia.eq(true))
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}

/// What an email about a visit shows: the visit, its client, its practitioner and the
/// booking's sessions that still hold their time (by session number).
pub struct EmailContext {
    pub appointment: appointment::Model,
    pub client: Option<client::Model>,
    pub practitioner: Option<practitioner::Model>,
    pub course: Vec<appointment::Model>,
}

/// The visit as an email shows it at send time (`None` for an unknown visit).
pub async fn email_context(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<EmailContext>, DbErr> {
    let Some(a) = find(db, id).await? else {
        return Ok(None);
    };
    let client = client::Entity::find_by_id(a.client_id).one(db).await?;
    let practitioner = practitioner::Entity::find_by_id(a.practitioner_id)
        .one(db)
        .await?;
    let course = appointment::Entity::find()
        .filter(appointment::Column::BookingId.eq(a.booking_id))
        .filter(appointment::Column::Status.ne(AppointmentStatus::Cancelled))
        .order_by_asc(appointment::Column::SessionNumber)
        .all(db)
        .await?;
    Ok(Some(EmailContext {
        appointment: a,
        client,
        practitioner,
        course,
    }))
}

/// A practitioner's visits that still hold their time and end after `after`, by start.
pub async fn open_of_practitioner(
    db: &impl ConnectionTrait,
    practitioner_id: Uuid,
    after: i64,
) -> Result<Vec<appointment::Model>, DbErr> {
    appointment::Entity::find()
        .filter(appointment::Column::PractitionerId.eq(practitioner_id))
        .filter(
            appointment::Column::Status
                .is_in([AppointmentStatus::Booked, AppointmentStatus::CheckedIn]),
        )
        .filter(appointment::Column::EndsAt.gt(after))
        .order_by_asc(appointment::Column::StartsAt)
        .all(db)
        .await
}

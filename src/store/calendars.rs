//! Practitioners, their weekly hours and time off, and the calendars the slot rules read.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::entities::{appointment, practitioner, time_off, working_hours};
use crate::domain::{
    availability::{Interval, PractitionerCalendar, WorkingWindow},
    ids::PractitionerId,
    time::{MinuteOfDay, from_db},
};

/// Active practitioners, by name.
pub async fn practitioners(db: &impl ConnectionTrait) -> Result<Vec<practitioner::Model>, DbErr> {
    practitioner::Entity::find()
        .filter(practitioner::Column::Active.eq(true))
        .order_by_asc(practitioner::Column::Name)
        .order_by_asc(practitioner::Column::Id)
        .all(db)
        .await
}

/// One practitioner.
pub async fn practitioner(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<practitioner::Model>, DbErr> {
    practitioner::Entity::find_by_id(id).one(db).await
}

/// Inserts a practitioner.
pub async fn insert_practitioner(
    db: &impl ConnectionTrait,
    p: practitioner::Model,
) -> Result<(), DbErr> {
    practitioner::Entity::insert(practitioner::ActiveModel {
        id: Set(p.id),
        name: Set(p.name),
        email: Set(p.email),
        active: Set(p.active),
        created_at: Set(p.created_at),
    })
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// A practitioner's weekly hours.
pub async fn working_hours(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Vec<working_hours::Model>, DbErr> {
    working_hours::Entity::find()
        .filter(working_hours::Column::PractitionerId.eq(id))
        .order_by_asc(working_hours::Column::Weekday)
        .order_by_asc(working_hours::Column::StartMinute)
        .all(db)
        .await
}

/// Replaces a practitioner's weekly hours (call inside a transaction).
pub async fn replace_working_hours(
    db: &impl ConnectionTrait,
    id: Uuid,
    windows: &[WorkingWindow],
) -> Result<(), DbErr> {
    working_hours::Entity::delete_many()
        .filter(working_hours::Column::PractitionerId.eq(id))
        .exec(db)
        .await?;
    if windows.is_empty() {
        return Ok(());
    }
    working_hours::Entity::insert_many(windows.iter().map(|w| working_hours::ActiveModel {
        practitioner_id: Set(id),
        weekday: Set(i16::from(w.weekday)),
        start_minute: Set(i32::from(w.start.minutes())),
        end_minute: Set(i32::from(w.end.minutes())),
    }))
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// Inserts a block of time off.
pub async fn insert_time_off(db: &impl ConnectionTrait, t: time_off::Model) -> Result<(), DbErr> {
    time_off::Entity::insert(time_off::ActiveModel {
        id: Set(t.id),
        practitioner_id: Set(t.practitioner_id),
        starts_at: Set(t.starts_at),
        ends_at: Set(t.ends_at),
        reason: Set(t.reason),
        created_at: Set(t.created_at),
    })
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// The calendars of the given practitioners for the instants `[from, to)`: hours, time off and
/// the busy ranges of appointments that hold their slot.
pub async fn load(
    db: &impl ConnectionTrait,
    practitioners: &[Uuid],
    from: i64,
    to: i64,
) -> Result<Vec<PractitionerCalendar>, DbErr> {
    if practitioners.is_empty() {
        return Ok(Vec::new());
    }
    let ids = practitioners.to_vec();
    let hours = working_hours::Entity::find()
        .filter(working_hours::Column::PractitionerId.is_in(ids.clone()))
        .all(db)
        .await?;
    let offs = time_off::Entity::find()
        .filter(time_off::Column::PractitionerId.is_in(ids.clone()))
        .filter(time_off::Column::StartsAt.lt(to))
        .filter(time_off::Column::EndsAt.gt(from))
        .all(db)
        .await?;
    // Only the three columns the slot rules read: this is the hot path of availability.
    let busy: Vec<(Uuid, i64, i64)> = appointment::Entity::find()
        .select_only()
        .columns([
            appointment::Column::PractitionerId,
            appointment::Column::StartsAt,
            appointment::Column::BusyUntil,
        ])
        .filter(appointment::Column::PractitionerId.is_in(ids))
        .filter(appointment::Column::Status.ne("cancelled"))
        .filter(appointment::Column::StartsAt.lt(to))
        .filter(appointment::Column::BusyUntil.gt(from))
        .into_tuple()
        .all(db)
        .await?;
    Ok(practitioners
        .iter()
        .map(|id| PractitionerCalendar {
            id: PractitionerId(*id),
            hours: hours
                .iter()
                .filter(|h| h.practitioner_id == *id)
                .filter_map(|h| {
                    Some(WorkingWindow {
                        weekday: u8::try_from(h.weekday).ok()?,
                        start: MinuteOfDay::new(u16::try_from(h.start_minute).ok()?)?,
                        end: MinuteOfDay::new(u16::try_from(h.end_minute).ok()?)?,
                    })
                })
                .collect(),
            time_off: offs
                .iter()
                .filter(|t| t.practitioner_id == *id)
                .map(|t| Interval::new(from_db(t.starts_at), from_db(t.ends_at)))
                .collect(),
            busy: busy
                .iter()
                .filter(|(p, _, _)| p == id)
                .map(|(_, start, until)| Interval::new(from_db(*start), from_db(*until)))
                .collect(),
        })
        .collect())
}

//! Clinic-wide closure days, and the open visits on one.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    sea_query::OnConflict,
};

use super::entities::{appointment, closure};
use crate::domain::status::AppointmentStatus;

/// The closure days from `from` to `to` (inclusive, `YYYY-MM-DD`), by date.
pub async fn between(
    db: &impl ConnectionTrait,
    from: &str,
    to: Option<&str>,
) -> Result<Vec<closure::Model>, DbErr> {
    let mut q = closure::Entity::find().filter(closure::Column::Day.gte(from));
    if let Some(to) = to {
        q = q.filter(closure::Column::Day.lte(to));
    }
    q.order_by_asc(closure::Column::Day).all(db).await
}

/// Inserts a closure day; false if that day is already closed (nothing changes then).
pub async fn insert(db: &impl ConnectionTrait, c: closure::Model) -> Result<bool, DbErr> {
    let res = closure::Entity::insert(closure::ActiveModel {
        day: Set(c.day),
        reason: Set(c.reason),
        created_by: Set(c.created_by),
        created_at: Set(c.created_at),
    })
    .on_conflict(
        OnConflict::column(closure::Column::Day)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(res == 1)
}

/// Deletes a closure day; false if there was none.
pub async fn delete(db: &impl ConnectionTrait, day: &str) -> Result<bool, DbErr> {
    let res = closure::Entity::delete_by_id(day.to_owned())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Open visits (booked or checked in) starting in `[start, end)` (Unix seconds), by start.
pub async fn open_visits_between(
    db: &impl ConnectionTrait,
    start: i64,
    end: i64,
) -> Result<Vec<appointment::Model>, DbErr> {
    appointment::Entity::find()
        .filter(
            appointment::Column::Status
                .is_in([AppointmentStatus::Booked, AppointmentStatus::CheckedIn]),
        )
        .filter(appointment::Column::StartsAt.gte(start))
        .filter(appointment::Column::StartsAt.lt(end))
        .order_by_asc(appointment::Column::StartsAt)
        .all(db)
        .await
}

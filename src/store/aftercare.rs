//! Aftercare check-ins (`aftercare_reports`, one per visit) and the alerts they raise
//! (`aftercare_alerts`).

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, sea_query::ExprTrait,
};
use uuid::Uuid;

use super::entities::{aftercare_alert, aftercare_report, appointment};
use crate::domain::aftercare::AlertStatus;

/// The visit, its row locked for the rest of the transaction (`FOR UPDATE` on PostgreSQL;
/// SQLite's write transaction is exclusive), so two answers for one visit go one after the
/// other.
pub async fn lock_visit(
    db: &impl ConnectionTrait,
    appointment_id: Uuid,
) -> Result<Option<appointment::Model>, DbErr> {
    appointment::Entity::find_by_id(appointment_id)
        .lock_exclusive()
        .one(db)
        .await
}

/// The check-in of a visit.
pub async fn report_of(
    db: &impl ConnectionTrait,
    appointment_id: Uuid,
) -> Result<Option<aftercare_report::Model>, DbErr> {
    aftercare_report::Entity::find()
        .filter(aftercare_report::Column::AppointmentId.eq(appointment_id))
        .one(db)
        .await
}

/// Writes a check-in: a new row, or the visit's row updated (same id).
pub async fn save_report(
    db: &impl ConnectionTrait,
    r: aftercare_report::Model,
    new: bool,
) -> Result<(), DbErr> {
    let active = aftercare_report::ActiveModel {
        id: Set(r.id),
        appointment_id: Set(r.appointment_id),
        client_id: Set(r.client_id),
        redness: Set(r.redness),
        swelling: Set(r.swelling),
        pain_increasing: Set(r.pain_increasing),
        pus_or_fever: Set(r.pus_or_fever),
        blisters_or_cold_sore: Set(r.blisters_or_cold_sore),
        notes: Set(r.notes),
        day: Set(r.day),
        alert_emails: Set(r.alert_emails),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    };
    if new {
        aftercare_report::Entity::insert(active)
            .exec_without_returning(db)
            .await?;
    } else {
        aftercare_report::Entity::update(active).exec(db).await?;
    }
    Ok(())
}

/// The next clinician_alert email number of the visit (the outbox row's version): counted on
/// the report row, whose update serialises concurrent alerts for one visit.
pub async fn next_email_version(db: &impl ConnectionTrait, report_id: Uuid) -> Result<i32, DbErr> {
    aftercare_report::Entity::update_many()
        .col_expr(
            aftercare_report::Column::AlertEmails,
            sea_orm::sea_query::Expr::col(aftercare_report::Column::AlertEmails).add(1),
        )
        .filter(aftercare_report::Column::Id.eq(report_id))
        .exec(db)
        .await?;
    let r = aftercare_report::Entity::find_by_id(report_id)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("aftercare report".into()))?;
    Ok(r.alert_emails)
}

/// Records an alert.
pub async fn insert_alert(
    db: &impl ConnectionTrait,
    a: aftercare_alert::Model,
) -> Result<(), DbErr> {
    aftercare_alert::Entity::insert(aftercare_alert::ActiveModel {
        id: Set(a.id),
        report_id: Set(a.report_id),
        appointment_id: Set(a.appointment_id),
        client_id: Set(a.client_id),
        status: Set(a.status),
        raised_at: Set(a.raised_at),
        next_email_at: Set(a.next_email_at),
        emails: Set(a.emails),
        acknowledged_at: Set(a.acknowledged_at),
        acknowledged_by: Set(a.acknowledged_by),
        note: Set(a.note),
    })
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// Closes the visit's open alerts as superseded (a worse answer raised a new one).
pub async fn supersede_open(db: &impl ConnectionTrait, appointment_id: Uuid) -> Result<u64, DbErr> {
    let r = aftercare_alert::Entity::update_many()
        .col_expr(
            aftercare_alert::Column::Status,
            AlertStatus::Superseded.into(),
        )
        .col_expr(
            aftercare_alert::Column::NextEmailAt,
            Option::<i64>::None.into(),
        )
        .filter(aftercare_alert::Column::AppointmentId.eq(appointment_id))
        .filter(aftercare_alert::Column::Status.eq(AlertStatus::Open))
        .exec(db)
        .await?;
    Ok(r.rows_affected)
}

/// One alert.
pub async fn alert(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<aftercare_alert::Model>, DbErr> {
    aftercare_alert::Entity::find_by_id(id).one(db).await
}

/// How many alerts nobody acknowledged yet.
pub async fn open_count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    aftercare_alert::Entity::find()
        .filter(aftercare_alert::Column::Status.eq(AlertStatus::Open))
        .count(db)
        .await
}

/// Alerts, newest first (only open ones when `open_only`), at most `limit`.
pub async fn alerts(
    db: &impl ConnectionTrait,
    open_only: bool,
    limit: u64,
) -> Result<Vec<aftercare_alert::Model>, DbErr> {
    let mut q = aftercare_alert::Entity::find();
    if open_only {
        q = q.filter(aftercare_alert::Column::Status.eq(AlertStatus::Open));
    }
    q.order_by_desc(aftercare_alert::Column::RaisedAt)
        .limit(limit)
        .all(db)
        .await
}

/// The reports with these ids.
pub async fn reports(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<Vec<aftercare_report::Model>, DbErr> {
    aftercare_report::Entity::find()
        .filter(aftercare_report::Column::Id.is_in(ids))
        .all(db)
        .await
}

/// Acknowledges an open alert; false if it was not open (any more).
pub async fn acknowledge(
    db: &impl ConnectionTrait,
    id: Uuid,
    by: Uuid,
    note: &str,
    now: i64,
) -> Result<bool, DbErr> {
    let r = aftercare_alert::Entity::update_many()
        .col_expr(
            aftercare_alert::Column::Status,
            AlertStatus::Acknowledged.into(),
        )
        .col_expr(aftercare_alert::Column::AcknowledgedAt, Some(now).into())
        .col_expr(aftercare_alert::Column::AcknowledgedBy, Some(by).into())
        .col_expr(aftercare_alert::Column::Note, Some(note.to_owned()).into())
        .col_expr(
            aftercare_alert::Column::NextEmailAt,
            Option::<i64>::None.into(),
        )
        .filter(aftercare_alert::Column::Id.eq(id))
        .filter(aftercare_alert::Column::Status.eq(AlertStatus::Open))
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Open alerts whose next email is due.
pub async fn due_for_email(
    db: &impl ConnectionTrait,
    now: i64,
    limit: u64,
) -> Result<Vec<aftercare_alert::Model>, DbErr> {
    aftercare_alert::Entity::find()
        .filter(aftercare_alert::Column::Status.eq(AlertStatus::Open))
        .filter(aftercare_alert::Column::NextEmailAt.lte(now))
        .order_by_asc(aftercare_alert::Column::NextEmailAt)
        .limit(limit)
        .all(db)
        .await
}

/// Moves an open alert's next email from `was` to `next` and counts one more email; false if
/// another instance did it first (compare-and-set on `next_email_at`) or it closed meanwhile.
pub async fn take_email_turn(
    db: &impl ConnectionTrait,
    id: Uuid,
    was: i64,
    next: i64,
) -> Result<bool, DbErr> {
    let r = aftercare_alert::Entity::update_many()
        .col_expr(aftercare_alert::Column::NextEmailAt, Some(next).into())
        .col_expr(
            aftercare_alert::Column::Emails,
            sea_orm::sea_query::Expr::col(aftercare_alert::Column::Emails).add(1),
        )
        .filter(aftercare_alert::Column::Id.eq(id))
        .filter(aftercare_alert::Column::Status.eq(AlertStatus::Open))
        .filter(aftercare_alert::Column::NextEmailAt.eq(was))
        .exec(db)
        .await?;
    Ok(r.rows_affected == 1)
}

/// A client's check-ins and alerts (export).
pub async fn of_client(
    db: &impl ConnectionTrait,
    client_id: Uuid,
) -> Result<(Vec<aftercare_report::Model>, Vec<aftercare_alert::Model>), DbErr> {
    let reports = aftercare_report::Entity::find()
        .filter(aftercare_report::Column::ClientId.eq(client_id))
        .order_by_asc(aftercare_report::Column::CreatedAt)
        .all(db)
        .await?;
    let alerts = aftercare_alert::Entity::find()
        .filter(aftercare_alert::Column::ClientId.eq(client_id))
        .order_by_asc(aftercare_alert::Column::RaisedAt)
        .all(db)
        .await?;
    Ok((reports, alerts))
}

/// Deletes a client's check-ins and alerts (erasure: the answers and the notes about them).
pub async fn delete_of_client(db: &impl ConnectionTrait, client_id: Uuid) -> Result<(), DbErr> {
    aftercare_alert::Entity::delete_many()
        .filter(aftercare_alert::Column::ClientId.eq(client_id))
        .exec(db)
        .await?;
    aftercare_report::Entity::delete_many()
        .filter(aftercare_report::Column::ClientId.eq(client_id))
        .exec(db)
        .await?;
    Ok(())
}

//! The audit log's rows.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::entities::{appointment, audit_log, audit_mention, booking, screening};

/// Appends one entry, with the clients it showed beside its subject (`audit_mentions`).
pub async fn insert(
    db: &impl ConnectionTrait,
    e: audit_log::Model,
    mentions: &[Uuid],
) -> Result<(), DbErr> {
    let id = e.id;
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: Set(e.id),
        at: Set(e.at),
        actor_user_id: Set(e.actor_user_id),
        actor: Set(e.actor),
        action: Set(e.action),
        subject_type: Set(e.subject_type),
        subject_id: Set(e.subject_id),
        detail: Set(e.detail),
    })
    .exec_without_returning(db)
    .await?;
    let mut clients = mentions.to_vec();
    clients.sort_unstable();
    clients.dedup();
    if clients.is_empty() {
        return Ok(());
    }
    audit_mention::Entity::insert_many(clients.into_iter().map(|client_id| {
        audit_mention::ActiveModel {
            client_id: Set(client_id),
            audit_id: Set(id),
        }
    }))
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// Which entries a page of the log holds.
#[derive(Debug, Default)]
pub struct Page {
    /// Only entries about one of these subjects (`None`: every entry)...
    pub subjects: Option<Vec<Uuid>>,
    /// ...or, with `subjects`, entries that showed this client (`audit_mentions`).
    pub mentioning: Option<Uuid>,
    /// Leave out entries of this action (the desk's calendar polls).
    pub without_action: Option<&'static str>,
    /// Only entries older than this one in the log's order (`at`, then `id`, descending).
    pub before: Option<(i64, Uuid)>,
    pub limit: u64,
}

/// A page of entries, newest first; ties in `at` by id, so a page ends where the next begins.
pub async fn page(db: &impl ConnectionTrait, p: &Page) -> Result<Vec<audit_log::Model>, DbErr> {
    let mut q = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id)
        .limit(p.limit);
    if let Some(subjects) = &p.subjects {
        let mut about =
            Condition::any().add(audit_log::Column::SubjectId.is_in(subjects.iter().copied()));
        if let Some(client) = p.mentioning {
            about = about.add(
                audit_log::Column::Id.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(audit_mention::Column::AuditId)
                        .from(audit_mention::Entity)
                        .and_where(audit_mention::Column::ClientId.eq(client))
                        .to_owned(),
                ),
            );
        }
        q = q.filter(about);
    }
    if let Some(action) = p.without_action {
        q = q.filter(audit_log::Column::Action.ne(action));
    }
    if let Some((at, id)) = p.before {
        q = q.filter(
            Condition::any().add(audit_log::Column::At.lt(at)).add(
                Condition::all()
                    .add(audit_log::Column::At.eq(at))
                    .add(audit_log::Column::Id.lt(id)),
            ),
        );
    }
    q.all(db).await
}

/// One entry (a page's cursor).
pub async fn entry(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<audit_log::Model>, DbErr> {
    audit_log::Entity::find_by_id(id).one(db).await
}

/// The subjects whose entries make a client's history: the client, every visit and booking
/// of theirs (a course's history is read per booking) and every screening they answered.
pub async fn client_subjects(db: &impl ConnectionTrait, client: Uuid) -> Result<Vec<Uuid>, DbErr> {
    let mut out = vec![client];
    let visits: Vec<(Uuid, Uuid)> = appointment::Entity::find()
        .select_only()
        .column(appointment::Column::Id)
        .column(appointment::Column::BookingId)
        .filter(appointment::Column::ClientId.eq(client))
        .into_tuple()
        .all(db)
        .await?;
    for (visit, booking) in visits {
        out.push(visit);
        if !out.contains(&booking) {
            out.push(booking);
        }
    }
    let screenings: Vec<Uuid> = screening::Entity::find()
        .select_only()
        .column(screening::Column::Id)
        .filter(screening::Column::ClientId.eq(client))
        .into_tuple()
        .all(db)
        .await?;
    out.extend(screenings);
    Ok(out)
}

/// The subjects whose entries make a visit's history: the visit, its booking (a course's
/// history), the screening it was booked with and its health re-confirmation. Only the id
/// itself for an id that is no visit.
pub async fn visit_subjects(db: &impl ConnectionTrait, visit: Uuid) -> Result<Vec<Uuid>, DbErr> {
    let mut out = vec![visit];
    let Some(a) = appointment::Entity::find_by_id(visit).one(db).await? else {
        return Ok(out);
    };
    out.push(a.booking_id);
    out.extend(a.reconfirm_screening_id);
    let screened: Option<Option<Uuid>> = booking::Entity::find_by_id(a.booking_id)
        .select_only()
        .column(booking::Column::ScreeningId)
        .into_tuple()
        .one(db)
        .await?;
    out.extend(screened.flatten());
    Ok(out)
}

/// One staff user's entries of `action` written after `since` (the `at` index bounds the scan).
pub async fn recent_of(
    db: &impl ConnectionTrait,
    actor_user_id: Uuid,
    action: &str,
    since: i64,
) -> Result<Vec<audit_log::Model>, DbErr> {
    audit_log::Entity::find()
        .filter(audit_log::Column::At.gt(since))
        .filter(audit_log::Column::ActorUserId.eq(actor_user_id))
        .filter(audit_log::Column::Action.eq(action))
        .all(db)
        .await
}

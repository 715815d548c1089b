//! The reception calendar's read: the appointments of a range with their clients, bookings,
//! practitioners, screenings, failed messages and consent signatures, in seven indexed queries however many rows.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::{appointment, booking, client, consent, outbox, practitioner, screening};
use crate::domain::messages::MessageStatus;

/// One calendar row.
pub struct Entry {
    pub appointment: appointment::Model,
    pub client: Option<client::Model>,
    pub practitioner_name: Option<String>,
    /// `(sessions, course id)` when the booking is a course.
    pub course: Option<(i32, Uuid)>,
    pub screening: Option<screening::Model>,
    /// The latest re-confirmation of a repeat session (the screening it stored).
    pub reconfirmation: Option<screening::Model>,
    pub messages_failed: bool,
    /// The consent versions signed for the visit's booking.
    pub consent_versions: Vec<String>,
}

/// The appointments starting in `[start, end)` (Unix seconds), of one practitioner or all,
/// sorted by start.
pub async fn entries(
    db: &impl ConnectionTrait,
    start: i64,
    end: i64,
    practitioner: Option<Uuid>,
) -> Result<Vec<Entry>, DbErr> {
    let mut q = appointment::Entity::find()
        .filter(appointment::Column::StartsAt.gte(start))
        .filter(appointment::Column::StartsAt.lt(end))
        .order_by_asc(appointment::Column::StartsAt)
        .order_by_asc(appointment::Column::PractitionerId);
    if let Some(p) = practitioner {
        q = q.filter(appointment::Column::PractitionerId.eq(p));
    }
    let rows = q.all(db).await?;
    let ids = |f: fn(&appointment::Model) -> Uuid| {
        rows.iter()
            .map(f)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    };
    let clients: HashMap<Uuid, client::Model> = client::Entity::find()
        .filter(client::Column::Id.is_in(ids(|a| a.client_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let bookings: HashMap<Uuid, booking::Model> = booking::Entity::find()
        .filter(booking::Column::Id.is_in(ids(|a| a.booking_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    let practitioners: HashMap<Uuid, String> = practitioner::Entity::find()
        .filter(practitioner::Column::Id.is_in(ids(|a| a.practitioner_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let screening_ids: Vec<Uuid> = bookings
        .values()
        .filter_map(|b| b.screening_id)
        .chain(rows.iter().filter_map(|a| a.reconfirm_screening_id))
        .collect();
    let screenings: HashMap<Uuid, screening::Model> = screening::Entity::find()
        .filter(screening::Column::Id.is_in(screening_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let failed: HashSet<Uuid> = outbox::Entity::find()
        .filter(outbox::Column::AppointmentId.is_in(ids(|a| a.id)))
        .filter(outbox::Column::Status.eq(MessageStatus::Failed))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.appointment_id)
        .collect();
    let mut signed: HashMap<Uuid, Vec<String>> = HashMap::new();
    for c in consent::Entity::find()
        .filter(consent::Column::BookingId.is_in(ids(|a| a.booking_id)))
        .all(db)
        .await?
    {
        signed.entry(c.booking_id).or_default().push(c.version);
    }
    Ok(rows
        .into_iter()
        .map(|a| {
            let b = bookings.get(&a.booking_id);
            Entry {
                client: clients.get(&a.client_id).cloned(),
                practitioner_name: practitioners.get(&a.practitioner_id).cloned(),
                course: b.filter(|b| b.sessions > 1).map(|b| (b.sessions, b.id)),
                screening: b
                    .and_then(|b| b.screening_id)
                    .and_then(|s| screenings.get(&s).cloned()),
                reconfirmation: a
                    .reconfirm_screening_id
                    .and_then(|s| screenings.get(&s).cloned()),
                messages_failed: failed.contains(&a.id),
                consent_versions: signed.get(&a.booking_id).cloned().unwrap_or_default(),
                appointment: a,
            }
        })
        .collect())
}

//! The reception calendar: a day or week of appointments with everything the desk needs.

use std::collections::{HashMap, HashSet};

use jiff::civil::Date;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    domain::{ids::PractitionerId, time::to_db},
    error::{ApiError, ApiResult},
    flows::{
        audit,
        auth::{Role, Staff},
        availability::check_range,
    },
    state::AppState,
    store::entities::{appointment, booking, client, outbox, practitioner, screening},
};

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
}

/// Appointments on the local dates `from..=to`, sorted by start. Practitioners see only their
/// own calendar.
pub async fn entries(
    state: &AppState,
    staff: &Staff,
    from: Date,
    to: Date,
    practitioner: Option<PractitionerId>,
) -> ApiResult<Vec<Entry>> {
    check_range(from, to)?;
    let practitioner = match (staff.role, staff.practitioner_id, practitioner) {
        (Role::Practitioner, None, _) => return Ok(Vec::new()),
        (Role::Practitioner, Some(own), Some(asked)) if own != asked => {
            return Err(ApiError::Forbidden);
        }
        (Role::Practitioner, Some(own), _) => Some(own),
        (_, _, asked) => asked,
    };
    let zone = state.zone();
    let start = zone.start_of_day(from);
    let end = zone.start_of_day(to.tomorrow().unwrap_or(to));
    let mut q = appointment::Entity::find()
        .filter(appointment::Column::StartsAt.gte(to_db(start)))
        .filter(appointment::Column::StartsAt.lt(to_db(end)))
        .order_by_asc(appointment::Column::StartsAt)
        .order_by_asc(appointment::Column::PractitionerId);
    if let Some(p) = practitioner {
        q = q.filter(appointment::Column::PractitionerId.eq(p.0));
    }
    let rows = q.all(&state.db).await?;
    let ids = |f: fn(&appointment::Model) -> Uuid| {
        rows.iter()
            .map(f)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    };
    let clients: HashMap<Uuid, client::Model> = client::Entity::find()
        .filter(client::Column::Id.is_in(ids(|a| a.client_id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let bookings: HashMap<Uuid, booking::Model> = booking::Entity::find()
        .filter(booking::Column::Id.is_in(ids(|a| a.booking_id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    let practitioners: HashMap<Uuid, String> = practitioner::Entity::find()
        .filter(practitioner::Column::Id.is_in(ids(|a| a.practitioner_id)))
        .all(&state.db)
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
        .all(&state.db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let failed: HashSet<Uuid> = outbox::Entity::find()
        .filter(outbox::Column::AppointmentId.is_in(ids(|a| a.id)))
        .filter(outbox::Column::Status.eq("failed"))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| m.appointment_id)
        .collect();
    // Who saw which clients' contact data, and when (ids only).
    let shown: Vec<Uuid> = clients.keys().copied().collect();
    audit::record(
        &state.db,
        state,
        audit::Actor::Staff(staff.user_id),
        "calendar.view",
        "calendar",
        practitioner.map_or(Uuid::nil(), |p| p.0),
        Some(serde_json::json!({
            "from": from.to_string(),
            "to": to.to_string(),
            "appointments": rows.len(),
            "clients": shown,
        })),
    )
    .await?;
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
                appointment: a,
            }
        })
        .collect())
}

//! The reception calendar: a day or week of appointments with everything the desk needs.

use std::collections::HashSet;

use jiff::civil::Date;
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
    store,
};

pub use crate::store::desk::Entry;

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
    let rows = store::desk::entries(
        &state.db,
        to_db(start),
        to_db(end),
        practitioner.map(|p| p.0),
    )
    .await?;
    // Who saw which clients' contact data, and when (ids only).
    let shown: Vec<Uuid> = rows
        .iter()
        .filter_map(|e| e.client.as_ref().map(|c| c.id))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
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
    Ok(rows)
}

//! The reception calendar: a day or week of appointments with everything the desk needs, and
//! what it draws them on: each practitioner's weekly hours and time off, and closure days.

use jiff::civil::Date;
use uuid::Uuid;

use crate::{
    domain::{audit::CalendarView, availability::WorkingWindow, ids::PractitionerId, time::to_db},
    error::{ApiError, ApiResult},
    flows::{
        audit,
        auth::{Role, Staff},
        availability::check_range,
        closures::{self, Closure},
        practitioners::window,
    },
    state::AppState,
    store::{
        self,
        entities::{practitioner, time_off},
    },
};

pub use crate::store::desk::Entry;

/// One practitioner's column: weekly hours and the time off overlapping the range.
pub struct Schedule {
    pub practitioner: practitioner::Model,
    pub hours: Vec<WorkingWindow>,
    pub time_off: Vec<time_off::Model>,
}

/// A calendar range as the desk draws it.
pub struct Calendar {
    /// Appointments, sorted by start.
    pub entries: Vec<Entry>,
    /// The practitioner asked for, or every active one by name.
    pub schedules: Vec<Schedule>,
    /// Closure days in the range.
    pub closures: Vec<Closure>,
}

/// Appointments on the local dates `from..=to`, sorted by start, with the practitioners'
/// schedules and the closure days of the range. Practitioners see only their own calendar.
pub async fn entries(
    state: &AppState,
    staff: &Staff,
    from: Date,
    to: Date,
    practitioner: Option<PractitionerId>,
) -> ApiResult<Calendar> {
    check_range(from, to)?;
    let closures = closures::list(state, Some(from), Some(to)).await?;
    let practitioner = match (staff.role, staff.practitioner_id, practitioner) {
        (Role::Practitioner, None, _) => {
            return Ok(Calendar {
                entries: Vec::new(),
                schedules: Vec::new(),
                closures,
            });
        }
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
    // Who saw which clients' contact data, and when (ids only; a repeated poll is not
    // recorded again, see `domain::audit`).
    let view = CalendarView {
        from,
        to,
        practitioner: practitioner.map(|p| p.0),
        clients: rows
            .iter()
            .filter_map(|e| e.client.as_ref().map(|c| c.id))
            .collect(),
    };
    audit::record_calendar_view(state, staff.user_id, &view, rows.len()).await?;
    let practitioners = match practitioner {
        Some(p) => store::calendars::practitioner(&state.db, p.0)
            .await?
            .into_iter()
            .collect(),
        None => store::calendars::practitioners(&state.db).await?,
    };
    let ids: Vec<Uuid> = practitioners.iter().map(|p| p.id).collect();
    let hours = store::calendars::working_hours_of(&state.db, &ids).await?;
    let off = store::calendars::time_off_between(&state.db, &ids, to_db(start), to_db(end)).await?;
    let schedules = practitioners
        .into_iter()
        .map(|p| Schedule {
            hours: hours
                .iter()
                .filter(|h| h.practitioner_id == p.id)
                .filter_map(window)
                .collect(),
            time_off: off
                .iter()
                .filter(|t| t.practitioner_id == p.id)
                .cloned()
                .collect(),
            practitioner: p,
        })
        .collect();
    Ok(Calendar {
        entries: rows,
        schedules,
        closures,
    })
}

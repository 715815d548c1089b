//! Practitioners, weekly hours and time off (staff).

use jiff::Timestamp;
use tracing::info;
use uuid::Uuid;

use crate::{
    domain::{
        availability::{Interval, WorkingWindow},
        ids::{AppointmentId, PractitionerId, TimeOffId},
        time::{MinuteOfDay, from_db, to_db},
    },
    error::{ApiError, ApiResult},
    state::AppState,
    store::{
        self,
        entities::{appointment, practitioner, time_off, working_hours},
    },
};

/// Creates a practitioner (with no hours yet: they offer nothing until hours are set).
pub async fn create(
    state: &AppState,
    name: &str,
    email: Option<&str>,
) -> ApiResult<practitioner::Model> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::invalid("name", "must be 1 to 200 characters"));
    }
    let email = email
        .filter(|e| !e.trim().is_empty())
        .map(crate::domain::client::normalize_email)
        .transpose()
        .map_err(|m| ApiError::invalid("email", m))?;
    let p = practitioner::Model {
        id: Uuid::new_v4(),
        name: name.to_owned(),
        email,
        active: true,
        created_at: to_db(state.now()),
    };
    store::calendars::insert_practitioner(&state.db, p.clone()).await?;
    state.slot_cache.invalidate();
    info!(practitioner_id = %p.id, "practitioner created");
    Ok(p)
}

async fn existing(state: &AppState, id: PractitionerId) -> ApiResult<practitioner::Model> {
    store::calendars::practitioner(&state.db, id.0)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Booked visits of a practitioner from now on that the predicate flags; reception resolves
/// them by hand (nothing is cancelled silently).
async fn conflicts(
    state: &AppState,
    id: PractitionerId,
    flag: impl Fn(&appointment::Model) -> bool,
) -> ApiResult<Vec<AppointmentId>> {
    let rows =
        store::appointments::open_of_practitioner(&state.db, id.0, to_db(state.now())).await?;
    Ok(rows
        .iter()
        .filter(|a| flag(a))
        .map(|a| AppointmentId(a.id))
        .collect())
}

/// Replaces the weekly hours; returns future visits that now fall outside them.
pub async fn set_hours(
    state: &AppState,
    id: PractitionerId,
    windows: Vec<WorkingWindow>,
) -> ApiResult<Vec<AppointmentId>> {
    existing(state, id).await?;
    for (i, a) in windows.iter().enumerate() {
        for (j, b) in windows.iter().enumerate().skip(i + 1) {
            if a.weekday == b.weekday && a.start < b.end && b.start < a.end {
                return Err(ApiError::invalid(
                    format!("[{j}]"),
                    format!("overlaps window [{i}] on the same day"),
                ));
            }
        }
    }
    let tx = store::begin_write(&state.db).await?;
    store::calendars::replace_working_hours(&tx, id.0, &windows).await?;
    tx.commit().await?;
    state.slot_cache.invalidate();
    let zone = state.zone().clone();
    conflicts(state, id, |a| {
        let (start, end) = (from_db(a.starts_at), from_db(a.ends_at));
        let date = zone.local_date(start);
        let weekday = date.weekday().to_monday_zero_offset() as u8;
        !windows
            .iter()
            .filter(|w| w.weekday == weekday)
            .any(|w| w.start.on(date, &zone) <= start && end <= w.end.on(date, &zone))
    })
    .await
}

/// Adds time off; returns the future visits inside it.
pub async fn add_time_off(
    state: &AppState,
    id: PractitionerId,
    start: Timestamp,
    end: Timestamp,
    reason: Option<String>,
) -> ApiResult<(TimeOffId, Vec<AppointmentId>)> {
    if end <= start {
        return Err(ApiError::invalid("end", "must be after start"));
    }
    existing(state, id).await?;
    let off = TimeOffId::new();
    store::calendars::insert_time_off(
        &state.db,
        time_off::Model {
            id: off.0,
            practitioner_id: id.0,
            starts_at: to_db(start),
            ends_at: to_db(end),
            reason: reason.map(|r| r.chars().take(500).collect()),
            created_at: to_db(state.now()),
        },
    )
    .await?;
    state.slot_cache.invalidate();
    let block = Interval::new(start, end);
    let hit = conflicts(state, id, |a| {
        Interval::new(from_db(a.starts_at), from_db(a.ends_at)).overlaps(&block)
    })
    .await?;
    Ok((off, hit))
}

/// Active practitioners, by name (what clients may choose from).
pub async fn active(state: &AppState) -> ApiResult<Vec<practitioner::Model>> {
    Ok(store::calendars::practitioners(&state.db).await?)
}

/// A practitioner with their weekly hours.
pub struct WithHours {
    pub practitioner: practitioner::Model,
    pub hours: Vec<WorkingWindow>,
}

/// A stored weekly window. Rows out of range cannot be written through the API; they are
/// skipped rather than failing a read.
pub(crate) fn window(h: &working_hours::Model) -> Option<WorkingWindow> {
    Some(WorkingWindow {
        weekday: u8::try_from(h.weekday).ok().filter(|d| *d < 7)?,
        start: MinuteOfDay::new(u16::try_from(h.start_minute).ok()?)?,
        end: MinuteOfDay::new(u16::try_from(h.end_minute).ok()?)?,
    })
}

/// Active practitioners, by name, each with their weekly hours (staff).
pub async fn with_hours(state: &AppState) -> ApiResult<Vec<WithHours>> {
    let mut out = Vec::new();
    for p in store::calendars::practitioners(&state.db).await? {
        let hours = store::calendars::working_hours(&state.db, p.id)
            .await?
            .iter()
            .filter_map(window)
            .collect();
        out.push(WithHours {
            practitioner: p,
            hours,
        });
    }
    Ok(out)
}

/// Every block of time off of this practitioner that has not ended yet (under way or ahead,
/// however far), by start; 404 for an unknown practitioner.
pub async fn upcoming_time_off(
    state: &AppState,
    id: PractitionerId,
) -> ApiResult<Vec<time_off::Model>> {
    existing(state, id).await?;
    Ok(
        store::calendars::time_off_between(&state.db, &[id.0], to_db(state.now()), i64::MAX)
            .await?,
    )
}

/// Removes one block of time off; 404 if this practitioner has no such block. Visits are not
/// touched (the time simply becomes bookable again).
pub async fn remove_time_off(
    state: &AppState,
    id: PractitionerId,
    off: TimeOffId,
) -> ApiResult<()> {
    if !store::calendars::delete_time_off(&state.db, id.0, off.0).await? {
        return Err(ApiError::NotFound);
    }
    state.slot_cache.invalidate();
    info!(practitioner_id = %id, time_off_id = %off, "time off removed");
    Ok(())
}

/// A staff login may be linked only to a practitioner that exists (one rule for creating a
/// user and changing a role).
pub(crate) async fn check_link(
    state: &AppState,
    practitioner: Option<PractitionerId>,
) -> ApiResult<()> {
    if let Some(p) = practitioner
        && store::calendars::practitioner(&state.db, p.0)
            .await?
            .is_none()
    {
        return Err(ApiError::invalid(
            "practitioner_id",
            "no practitioner with this id",
        ));
    }
    Ok(())
}

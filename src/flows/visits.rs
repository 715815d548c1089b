//! A visit's life after booking: check-in, completion, no-show, cancellation, reschedule. Each
//! runs in one transaction through the lifecycle door (`flows::lifecycle::apply`), which holds
//! the rules, the compare-and-set, the emails and the audit entry.

use jiff::Timestamp;
use tracing::info;

use crate::{
    domain::{
        availability::{self, Interval, Wanted},
        ids::{AppointmentId, PractitionerId},
        status::Transition,
        time::{from_db, to_db},
    },
    error::{ApiError, ApiResult},
    flows::{
        audit,
        booking::{AppointmentView, slot_error},
        lifecycle::{self, CancelCause, Move},
    },
    state::AppState,
    store,
};

/// Who asks for the change: clients are bound by `booking.client_cancel_notice`, staff are not.
pub type ChangedBy = audit::Actor;

async fn load(
    db: &impl sea_orm::ConnectionTrait,
    id: AppointmentId,
) -> ApiResult<store::entities::appointment::Model> {
    store::appointments::find(db, id.0)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The local dates a visit may be rescheduled to under its course's spacing
/// (`CourseRules::spacing_window`, the rule the reschedule checks), `None` for a visit that
/// is not part of a course of two or more sessions. Read for the desk's time picker; the
/// reschedule itself checks it again in its transaction.
pub async fn reschedule_window(
    state: &AppState,
    id: AppointmentId,
) -> ApiResult<Option<crate::domain::course::SpacingWindow>> {
    let rows = store::appointments::of_booking_of(&state.db, id.0).await?;
    let a = rows
        .iter()
        .find(|r| r.id == id.0)
        .ok_or(ApiError::NotFound)?;
    if rows.len() < 2 {
        return Ok(None);
    }
    let number = u32::try_from(a.session_number).unwrap_or(0);
    Ok(Some(state.course_rules().spacing_window(
        state.zone(),
        &lifecycle::course_sessions(&rows),
        number,
    )))
}

/// Check-in, completion, no-show or cancellation.
pub async fn transition(
    state: &AppState,
    id: AppointmentId,
    t: Transition,
    by: ChangedBy,
    reason: Option<String>,
) -> ApiResult<AppointmentView> {
    let mv = match t {
        Transition::CheckIn => Move::CheckIn,
        Transition::Complete => Move::Complete,
        Transition::NoShow => Move::NoShow,
        Transition::Cancel => Move::Cancel(CancelCause::Asked(reason)),
        Transition::Reschedule => {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "a reschedule needs a new start (visits::reschedule)"
            )));
        }
    };
    let tx = store::begin_write(&state.db).await?;
    let a = load(&tx, id).await?;
    let moved = lifecycle::apply(&tx, state, &a, mv, by).await?;
    tx.commit().await?;
    state.slot_cache.invalidate();
    info!(appointment_id = %id, from = a.status.as_str(), to = moved.status.as_str(), "appointment status changed");
    AppointmentView::try_from_row(&moved)
}

/// Moves a booked visit to a new start (and optionally another practitioner). The course link
/// and session number stay; the pending reminders are re-planned for the new time.
pub async fn reschedule(
    state: &AppState,
    id: AppointmentId,
    start: Timestamp,
    practitioner: Option<PractitionerId>,
    by: ChangedBy,
) -> ApiResult<AppointmentView> {
    let now = state.now();
    let rules = state.slot_rules();
    availability::check_window(&rules, now, start).map_err(slot_error)?;
    let tx = store::begin_write(&state.db).await?;
    let a = load(&tx, id).await?;
    // The practitioner asked for, or the current one first and then anyone free.
    let which = store::calendars::Practitioners::wanted(practitioner.as_ref());
    let day = jiff::SignedDuration::from_hours(24);
    let store::calendars::Loaded {
        mut calendars,
        durations,
    } = store::calendars::load(&tx, which, to_db(start - day), to_db(start + day)).await?;
    // The new time is placed with the catalogue's treatment length now (the visit's old
    // end is not kept: a moved visit is booked anew by today's rules).
    let visit = Wanted {
        service: a.service,
        anesthesia: a.anesthesia,
    }
    .lasting(&durations);
    if calendars.is_empty() && practitioner.is_some() {
        return Err(ApiError::invalid(
            "practitioner_id",
            "no active practitioner with this id",
        ));
    }
    calendars.sort_by_key(|c| c.id.0 != a.practitioner_id);
    // The visit being moved must not block its own new time.
    let own = Interval::new(from_db(a.starts_at), from_db(a.busy_until));
    for c in calendars.iter_mut().filter(|c| c.id.0 == a.practitioner_id) {
        c.busy.retain(|b| *b != own);
    }
    let slot = availability::first_free(&rules, state.zone(), now, &calendars, visit, start)
        .map_err(slot_error)?;
    let moved = lifecycle::apply(&tx, state, &a, Move::Reschedule(slot), by).await?;
    tx.commit().await?;
    state.slot_cache.invalidate();
    info!(appointment_id = %id, "appointment rescheduled");
    AppointmentView::try_from_row(&moved)
}

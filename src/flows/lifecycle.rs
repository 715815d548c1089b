//! The one door through which a visit's status (or time) changes. Cancel (by the client, by
//! staff, after a contraindication at re-confirmation, at erasure), reschedule, check-in,
//! completion and no-show all come here: the domain decides whether the move is allowed
//! (`domain::status::decide`), the row is updated only if nobody moved it meanwhile
//! (compare-and-set on status and calendar sequence), the message table
//! (`ReminderRules::on`) withdraws and plans its emails, and the audit entry is written, all in
//! the caller's transaction.

use sea_orm::DatabaseTransaction;
use serde_json::json;

use crate::{
    domain::{
        availability::Slot,
        course::{CourseSession, SpacingWindow},
        ids::AppointmentId,
        messages::{MessageKind, VisitEvent},
        screening::{CheckInHold, clears_check_in, reconfirmation_state},
        status::{Mover, Refusal, Transition, VisitTimes, decide},
        time::{from_db, to_db},
    },
    error::{ApiError, ApiResult},
    flows::{audit::Actor, messages},
    state::AppState,
    store::{self, appointments::Moved, entities::appointment},
};

/// Why a visit is cancelled.
#[derive(Debug, Clone)]
pub enum CancelCause {
    /// The client or staff asked; an optional free-text reason.
    Asked(Option<String>),
    /// The client's re-confirmed answers contraindicate the treatment.
    Health,
    /// The client was erased: nobody is told (the address is gone).
    Erasure,
}

/// A move of one visit.
#[derive(Debug, Clone)]
pub enum Move {
    CheckIn,
    Complete,
    NoShow,
    Cancel(CancelCause),
    /// To this slot (already checked free by the caller against the calendar).
    Reschedule(Slot),
}

/// The reason shown to the client when a re-confirmation cancels the visit: it names no
/// health detail (emails carry none).
pub const HEALTH_CANCEL_REASON: &str = "Your updated health answers mean we cannot treat you safely at this visit. Please call us to talk it through.";

impl Move {
    fn transition(&self) -> Transition {
        match self {
            Move::CheckIn => Transition::CheckIn,
            Move::Complete => Transition::Complete,
            Move::NoShow => Transition::NoShow,
            Move::Cancel(_) => Transition::Cancel,
            Move::Reschedule(_) => Transition::Reschedule,
        }
    }
}

/// The refusal as the API error: a 409 whose message says why, for the person at the desk or
/// the client.
fn refused(state: &AppState, r: Refusal) -> ApiError {
    match r {
        Refusal::TooLateForClient { .. } => ApiError::TooLateToChange(format!(
            "{}; please call us at {}",
            r.message(),
            state.settings.clinic.phone
        )),
        Refusal::TooEarly { opens } => ApiError::Conflict(format!(
            "{} (from {})",
            r.message(),
            state.zone().local(opens).strftime("%A %-d %B, %H:%M")
        )),
        other => ApiError::Conflict(other.message()),
    }
}

/// Applies `mv` to the visit `a` (as read in `tx`) and returns the row as it now is. The caller
/// commits and then drops the availability cache.
pub async fn apply(
    tx: &DatabaseTransaction,
    state: &AppState,
    a: &appointment::Model,
    mv: Move,
    by: Actor,
) -> ApiResult<appointment::Model> {
    let now = state.now();
    let from = a.status;
    let transition = mv.transition();
    let mover = match (&mv, by) {
        (Move::Cancel(CancelCause::Health | CancelCause::Erasure), _) => Mover::Service,
        (_, Actor::Client) => Mover::Client,
        (_, Actor::Staff(_)) => Mover::Staff,
    };
    let times = VisitTimes {
        start: from_db(a.starts_at),
        end: from_db(a.ends_at),
    };
    let to = decide(
        &state.lifecycle_rules(),
        from,
        transition,
        mover,
        times,
        now,
    )
    .map_err(|r| refused(state, r))?;
    if matches!(mv, Move::CheckIn) {
        check_reconfirmation(tx, a).await?;
        // Then the signed consent of the current version (`domain::consent`).
        crate::flows::consent::check_in_hold(tx, state, a).await?;
    }
    if let Move::Reschedule(slot) = &mv {
        check_spacing(tx, state, a, slot).await?;
    }

    let mut row = a.clone();
    row.status = to;
    row.updated_at = to_db(now);
    let event = match &mv {
        Move::CheckIn => VisitEvent::CheckedIn,
        Move::NoShow => VisitEvent::NoShow,
        Move::Complete => {
            row.completed_at = Some(to_db(now));
            VisitEvent::Completed
        }
        Move::Cancel(cause) => {
            // The calendar event ends: clients' calendars need a higher SEQUENCE to drop it.
            row.sequence += 1;
            row.cancel_reason = match cause {
                CancelCause::Asked(reason) => reason
                    .as_deref()
                    .map(|r| r.trim().chars().take(500).collect::<String>())
                    .filter(|r| !r.is_empty())
                    .or(row.cancel_reason),
                CancelCause::Health => Some(HEALTH_CANCEL_REASON.to_owned()),
                CancelCause::Erasure => None,
            };
            VisitEvent::Cancelled {
                notify: !matches!(cause, CancelCause::Erasure),
            }
        }
        Move::Reschedule(slot) => {
            row.sequence += 1;
            // The time the client last heard of: a reschedule whose email is still waiting
            // (quiet hours) was never announced, so the email says the time before it.
            let unannounced = a.rescheduled_from.is_some()
                && store::outbox::has_pending(tx, a.id, MessageKind::Rescheduled.as_str()).await?;
            if !unannounced {
                row.rescheduled_from = Some(row.starts_at);
            }
            row.starts_at = to_db(slot.start);
            row.ends_at = to_db(slot.end);
            row.busy_until = to_db(slot.busy(&state.slot_rules()).end);
            row.practitioner_id = slot.practitioner_id.0;
            VisitEvent::Rescheduled
        }
    };

    let moved = Moved {
        status: row.status,
        sequence: row.sequence,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        busy_until: row.busy_until,
        practitioner_id: row.practitioner_id,
        completed_at: row.completed_at,
        cancel_reason: row.cancel_reason.clone(),
        rescheduled_from: row.rescheduled_from,
        updated_at: row.updated_at,
    };
    // Compare-and-set: only if neither the status nor the calendar sequence moved since `a` was
    // read, so of two racing moves exactly one wins.
    if !store::appointments::apply_move(tx, a.id, a.status, a.sequence, &moved).await? {
        return Err(ApiError::Conflict(
            "the appointment changed meanwhile; please reload and try again".into(),
        ));
    }

    let id = AppointmentId(a.id);
    let plan =
        messages::rules(state).on(state.zone(), a.service, event, now, from_db(row.starts_at));
    messages::withdraw(tx, id, plan.withdraw, now).await?;
    if !plan.plan.is_empty() {
        let client = store::clients::find(tx, a.client_id)
            .await?
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("appointment without client")))?;
        messages::enqueue(tx, state, id, row.sequence, &client.email, &plan.plan, now).await?;
    }

    let mut detail = json!({ "from": from.as_str(), "to": to.as_str() });
    match &mv {
        Move::Reschedule(slot) => {
            let zone = state.zone();
            detail["from_start"] = zone.rfc3339(from_db(a.starts_at)).into();
            detail["to_start"] = zone.rfc3339(slot.start).into();
            detail["practitioner_id"] = slot.practitioner_id.0.to_string().into();
        }
        Move::Cancel(CancelCause::Health) => {
            detail["reason"] = "contraindication at re-confirmation".into();
        }
        Move::Cancel(CancelCause::Erasure) => detail["reason"] = "client erased".into(),
        _ => {}
    }
    crate::flows::audit::record(
        tx,
        state,
        by,
        transition.audit_action(),
        "appointment",
        a.id,
        Some(detail),
    )
    .await?;
    Ok(row)
}

/// The sessions of a course (the booking's appointments) as the spacing rule sees them.
pub fn course_sessions(rows: &[appointment::Model]) -> Vec<CourseSession> {
    rows.iter()
        .map(|r| {
            let number = u32::try_from(r.session_number).unwrap_or(0);
            CourseSession::new(number, from_db(r.starts_at), r.status)
        })
        .collect()
}

/// A session of a course moves only within the course's spacing
/// (`CourseRules::spacing_window`), whoever moves it: the interval is clinical, so staff are
/// bound too (they can still move the neighbour first).
async fn check_spacing(
    tx: &DatabaseTransaction,
    state: &AppState,
    a: &appointment::Model,
    slot: &Slot,
) -> ApiResult<()> {
    let rows = store::appointments::of_booking_locked(tx, a.booking_id).await?;
    if rows.len() < 2 {
        return Ok(());
    }
    let zone = state.zone();
    let number = u32::try_from(a.session_number).unwrap_or(0);
    let window = state
        .course_rules()
        .spacing_window(zone, &course_sessions(&rows), number);
    if window.allows(zone.local_date(slot.start)) {
        return Ok(());
    }
    Err(spacing_refused(state, number, &window))
}

/// The 409 for a move that breaks the course's spacing: which dates are allowed, in words and
/// in `details` (`earliest` / `latest` local dates, null where the course sets no bound).
fn spacing_refused(state: &AppState, number: u32, w: &SpacingWindow) -> ApiError {
    let day = crate::domain::time::weekday_date_words;
    let days = w.min_days;
    let keep = match (w.previous, w.next) {
        (Some(p), Some(q)) => {
            format!("at least {days} days after session {p} and before session {q}")
        }
        (Some(p), None) => format!("at least {days} days after session {p}"),
        (None, Some(q)) => format!("at least {days} days before session {q}"),
        (None, None) => format!("at least {days} days from the other sessions"),
    };
    let choose = match (w.from, w.to) {
        _ if w.is_empty() => format!(
            "no date is left between them; please call us at {}",
            state.settings.clinic.phone
        ),
        (Some(f), Some(t)) => format!("choose a date from {} to {}", day(f), day(t)),
        (Some(f), None) => format!("choose a date on or after {}", day(f)),
        (None, Some(t)) => format!("choose a date on or before {}", day(t)),
        (None, None) => "choose another date".to_owned(),
    };
    ApiError::ConflictWith {
        message: format!("session {number} of this course must stay {keep}: {choose}"),
        details: json!({
            "session_number": number,
            "earliest": w.from.map(|d| d.to_string()),
            "latest": w.to.map(|d| d.to_string()),
            "min_interval_days": days,
        }),
    }
}

/// A visit is checked in only when its re-confirmation allows it
/// (`domain::screening::clears_check_in`): a repeat session without one is 409
/// `reconfirmation_missing`, any other hold 409 `conflict`.
async fn check_reconfirmation(tx: &DatabaseTransaction, a: &appointment::Model) -> ApiResult<()> {
    let reconfirmation = match a.reconfirm_screening_id {
        None => None,
        Some(id) => {
            let s = store::clients::find_screening(tx, id)
                .await?
                .ok_or_else(|| {
                    ApiError::Internal(anyhow::anyhow!("re-confirmation screening missing"))
                })?;
            Some((s.outcome, s.review_decision))
        }
    };
    let session = u32::try_from(a.session_number).unwrap_or(1);
    clears_check_in(reconfirmation_state(
        a.service,
        a.status,
        session,
        reconfirmation,
    ))
    .map_err(|h| match h {
        CheckInHold::Missing => ApiError::ReconfirmationMissing(h.message().into()),
        CheckInHold::Blocked(m) => ApiError::Conflict(m.into()),
    })
}

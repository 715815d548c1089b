//! A visit's life after booking: check-in, completion, no-show, cancellation, reschedule. Each
//! move is checked by the state machine in `domain::status` and writes its messages in the same
//! transaction.

use jiff::Timestamp;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use tracing::info;

use crate::{
    domain::{
        availability::{self, Interval, SlotProblem, Visit},
        ids::{AppointmentId, PractitionerId},
        messages::MessageKind,
        screening::{Outcome, ReviewDecision, clears_check_in},
        service::Service,
        status::{AppointmentStatus, Transition},
        time::{from_db, sdur, to_db},
    },
    error::{ApiError, ApiResult},
    flows::{
        audit,
        booking::{AppointmentView, slot_error},
        messages,
    },
    state::AppState,
    store::{self, entities::appointment},
};

/// Who asks for the change: clients are bound by `booking.client_cancel_notice`, staff are not.
pub type ChangedBy = audit::Actor;

async fn load(db: &impl ConnectionTrait, id: AppointmentId) -> ApiResult<appointment::Model> {
    appointment::Entity::find_by_id(id.0)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

fn status_of(a: &appointment::Model) -> AppointmentStatus {
    AppointmentStatus::parse(&a.status).unwrap_or(AppointmentStatus::Cancelled)
}

fn illegal(t: Transition, from: AppointmentStatus) -> ApiError {
    ApiError::Conflict(
        format!("cannot {t:?} an appointment that is {}", from.as_str()).to_lowercase(),
    )
}

fn check_notice(
    state: &AppState,
    by: ChangedBy,
    a: &appointment::Model,
    now: Timestamp,
) -> ApiResult<()> {
    let notice = state.settings.booking.client_cancel_notice;
    if by == ChangedBy::Client && now + sdur(notice) > from_db(a.starts_at) {
        return Err(ApiError::TooLateToChange(
            humantime::format_duration(notice).to_string(),
        ));
    }
    Ok(())
}

async fn recipient(db: &DatabaseTransaction, a: &appointment::Model) -> ApiResult<String> {
    let client = store::clients::find(db, a.client_id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("appointment without client")))?;
    Ok(client.email)
}

/// A repeat session is checked in only when its re-confirmation allows it
/// (`domain::screening::clears_check_in`).
async fn check_reconfirmation(db: &DatabaseTransaction, a: &appointment::Model) -> ApiResult<()> {
    let Some(id) = a.reconfirm_screening_id else {
        return clears_check_in(None).map_err(|m| ApiError::Conflict(m.into()));
    };
    let s = store::clients::find_screening(db, id).await?;
    let outcome = s
        .as_ref()
        .and_then(|s| Outcome::parse(&s.outcome))
        .unwrap_or(Outcome::Contraindicated);
    let review = s
        .as_ref()
        .and_then(|s| s.review_decision.as_deref())
        .and_then(ReviewDecision::parse);
    clears_check_in(Some((outcome, review))).map_err(|m| ApiError::Conflict(m.into()))
}

/// Check-in, completion, no-show or cancellation.
pub async fn transition(
    state: &AppState,
    id: AppointmentId,
    t: Transition,
    by: ChangedBy,
    reason: Option<String>,
) -> ApiResult<AppointmentView> {
    let now = state.now();
    let tx = store::begin_write(&state.db).await?;
    let a = load(&tx, id).await?;
    let from = status_of(&a);
    let to = from.apply(t).ok_or_else(|| illegal(t, from))?;
    if t == Transition::Cancel {
        check_notice(state, by, &a, now)?;
    }
    if t == Transition::CheckIn {
        check_reconfirmation(&tx, &a).await?;
    }
    let sequence = if t == Transition::Cancel {
        a.sequence + 1
    } else {
        a.sequence
    };
    let completed_at = (t == Transition::Complete)
        .then_some(to_db(now))
        .or(a.completed_at);
    let reason = reason
        .map(|r| r.trim().chars().take(500).collect::<String>())
        .filter(|r| !r.is_empty());
    let res = appointment::Entity::update_many()
        .col_expr(appointment::Column::Status, to.as_str().into())
        .col_expr(appointment::Column::Sequence, sequence.into())
        .col_expr(appointment::Column::CompletedAt, completed_at.into())
        .col_expr(
            appointment::Column::CancelReason,
            reason.clone().or(a.cancel_reason.clone()).into(),
        )
        .col_expr(appointment::Column::UpdatedAt, to_db(now).into())
        .filter(appointment::Column::Id.eq(a.id))
        .filter(appointment::Column::Status.eq(a.status.as_str()))
        .exec(&tx)
        .await?;
    if res.rows_affected != 1 {
        return Err(ApiError::Conflict(
            "the appointment changed meanwhile; try again".into(),
        ));
    }
    let rules = messages::rules(state);
    let zone = state.zone();
    // Cancel and no-show withdraw the reminders still pending; cancel and a completed
    // microneedling visit plan their own messages.
    if matches!(t, Transition::Cancel | Transition::NoShow) {
        messages::withdraw_pre_visit(&tx, id, now).await?;
    }
    let planned = match t {
        Transition::Cancel => {
            vec![rules.immediate(zone, MessageKind::Cancellation, now, from_db(a.starts_at))]
        }
        Transition::Complete if Service::from_code(&a.service) == Some(Service::Microneedling) => {
            rules.after_visit(zone, now, now)
        }
        _ => Vec::new(),
    };
    if !planned.is_empty() {
        messages::enqueue(
            &tx,
            state,
            id,
            sequence,
            &recipient(&tx, &a).await?,
            &planned,
            now,
        )
        .await?;
    }
    let action = format!("appointment.{}", format!("{t:?}").to_lowercase());
    let detail = serde_json::json!({ "from": from.as_str(), "to": to.as_str() });
    audit::record(&tx, state, by, &action, "appointment", id.0, Some(detail)).await?;
    tx.commit().await?;
    state.slot_cache.invalidate();
    info!(appointment_id = %id, from = from.as_str(), to = to.as_str(), "appointment status changed");
    let a = load(&state.db, id).await?;
    Ok(AppointmentView::from_row(&a))
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
    if let Err(p) = availability::check_window(&rules, now, start) {
        return Err(slot_error(p));
    }
    let tx = store::begin_write(&state.db).await?;
    let a = load(&tx, id).await?;
    let from = status_of(&a);
    from.apply(Transition::Reschedule)
        .ok_or_else(|| illegal(Transition::Reschedule, from))?;
    check_notice(state, by, &a, now)?;
    let visit = Visit {
        service: Service::from_code(&a.service).unwrap_or(Service::SkinConsultation),
        anesthesia: a.anesthesia,
    };
    let active: Vec<_> = store::calendars::practitioners(&tx)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let candidates: Vec<_> = match practitioner {
        Some(p) if active.contains(&p.0) => vec![p.0],
        Some(_) => {
            return Err(ApiError::invalid(
                "practitioner_id",
                "no active practitioner with this id",
            ));
        }
        // The current practitioner first, then anyone free.
        None => std::iter::once(a.practitioner_id)
            .chain(active.into_iter().filter(|p| *p != a.practitioner_id))
            .collect(),
    };
    let day = jiff::SignedDuration::from_hours(24);
    let mut calendars = store::calendars::load(
        &tx,
        store::calendars::Practitioners::Only(&candidates),
        to_db(start - day),
        to_db(start + day),
    )
    .await?;
    // The visit being moved must not block its own new time.
    let own = Interval::new(from_db(a.starts_at), from_db(a.busy_until));
    for c in calendars.iter_mut().filter(|c| c.id.0 == a.practitioner_id) {
        c.busy.retain(|b| *b != own);
    }
    let mut worst = SlotProblem::NotOffered;
    let mut chosen = None;
    for cal in &calendars {
        match availability::check_start(&rules, state.zone(), now, cal, visit, start) {
            Ok(slot) => {
                chosen = Some(slot);
                break;
            }
            Err(SlotProblem::Taken) => worst = SlotProblem::Taken,
            Err(_) => {}
        }
    }
    let slot = chosen.ok_or_else(|| slot_error(worst))?;
    let sequence = a.sequence + 1;
    let res = appointment::Entity::update_many()
        .col_expr(appointment::Column::StartsAt, to_db(slot.start).into())
        .col_expr(appointment::Column::EndsAt, to_db(slot.end).into())
        .col_expr(
            appointment::Column::BusyUntil,
            to_db(slot.end + sdur(rules.buffer)).into(),
        )
        .col_expr(
            appointment::Column::PractitionerId,
            slot.practitioner_id.0.into(),
        )
        .col_expr(appointment::Column::Sequence, sequence.into())
        .col_expr(appointment::Column::UpdatedAt, to_db(now).into())
        .filter(appointment::Column::Id.eq(a.id))
        .filter(appointment::Column::Status.eq("booked"))
        .exec(&tx)
        .await?;
    if res.rows_affected != 1 {
        return Err(ApiError::Conflict(
            "the appointment changed meanwhile; try again".into(),
        ));
    }
    let reminder_rules = messages::rules(state);
    let zone = state.zone();
    messages::withdraw_pre_visit(&tx, id, now).await?;
    let mut planned =
        vec![reminder_rules.immediate(zone, MessageKind::Rescheduled, now, slot.start)];
    planned.extend(reminder_rules.before_visit(zone, now, slot.start));
    messages::enqueue(
        &tx,
        state,
        id,
        sequence,
        &recipient(&tx, &a).await?,
        &planned,
        now,
    )
    .await?;
    tx.commit().await?;
    state.slot_cache.invalidate();
    info!(appointment_id = %id, "appointment rescheduled");
    let a = load(&state.db, id).await?;
    Ok(AppointmentView::from_row(&a))
}

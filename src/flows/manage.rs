//! Client self-service through the manage token of a booking or the secret of a "Manage your
//! booking" link from one of its emails: read, cancel, reschedule, the calendar file, and
//! re-confirming health answers before a repeat session.

use tracing::info;

use crate::{
    domain::{
        course::SpacingWindow,
        ids::{AppointmentId, BookingId, ScreeningId},
        messages::LinkPurpose,
        screening::{Outcome, Reason, needs_reconfirmation},
        service::Service,
        status::{self, AppointmentStatus, Mover, Transition, VisitTimes},
        time::{from_db, sdur, to_db},
    },
    error::{ApiError, ApiResult},
    flows::{
        audit,
        booking::AppointmentView,
        lifecycle::{self, CancelCause, Move},
        visits,
    },
    mail::{ics, templates},
    secret,
    state::AppState,
    store::{
        self,
        entities::{appointment, booking},
    },
};

/// The booking a client's credential opens: its manage token (shown once at booking), or the
/// secret of a "Manage your booking" link from one of its emails, which works exactly alike.
/// The one place that decides: an unknown, expired or revoked (erased) credential is 401.
async fn booking_of(state: &AppState, token: Option<String>) -> ApiResult<booking::Model> {
    let Some(token) = token.filter(|t| secret::is_token_shaped(t)) else {
        return Err(ApiError::Unauthorized);
    };
    let hash = secret::token_hash(&token);
    let now = state.now();
    if let Some(b) = store::appointments::booking_by_token_hash(&state.db, &hash).await? {
        if from_db(b.manage_token_expires_at) < now {
            return Err(ApiError::Unauthorized);
        }
        return Ok(b);
    }
    let link = store::links::by_hash(&state.db, &hash)
        .await?
        .filter(|l| l.purpose == LinkPurpose::Manage && from_db(l.expires_at) >= now)
        .ok_or(ApiError::Unauthorized)?;
    store::appointments::booking(&state.db, link.booking_id)
        .await?
        .ok_or(ApiError::Unauthorized)
}

/// The appointment `id`, if the credential opens its booking (see `booking_of`). An unknown
/// or expired credential is 401; a valid one for another booking is 404 (it learns nothing
/// about others).
pub async fn authorize(
    state: &AppState,
    token: Option<String>,
    id: AppointmentId,
) -> ApiResult<appointment::Model> {
    let b = booking_of(state, token).await?;
    store::appointments::find(&state.db, id.0)
        .await?
        .filter(|a| a.booking_id == b.id)
        .ok_or(ApiError::NotFound)
}

/// One session of a booking as the manage page shows it.
pub struct SessionView {
    pub appointment: AppointmentView,
    /// The practitioner's name; `None` for one no longer on record.
    pub practitioner_name: Option<String>,
    /// Numbing cream was asked for (the visit takes longer, so fewer times fit).
    pub anesthesia: bool,
    /// The client may still cancel or reschedule it (booked, outside the notice window).
    pub can_change: bool,
    /// A repeat session whose health answers the client is asked to confirm again.
    pub needs_reconfirmation: bool,
    /// The local dates a session of a course may be moved to (`CourseRules::spacing_window`,
    /// the rule the reschedule itself checks); `None` for a single visit.
    pub reschedule_window: Option<SpacingWindow>,
    /// Where the session stands with the consent it needs before check-in.
    pub consent: crate::domain::consent::ConsentState,
}

/// A whole booking (every session of a course) as the client sees it.
pub struct BookingOverview {
    pub booking_id: BookingId,
    /// Set for a course of more than one session.
    pub course_id: Option<BookingId>,
    pub service: Service,
    /// `booking.client_cancel_notice`, and the same in words in the clinic's language
    /// ("24 hours", "24 Stunden": the email templates' `[durations]`).
    pub change_deadline: std::time::Duration,
    pub change_deadline_words: String,
    pub sessions: Vec<SessionView>,
}

/// Every session of the booking the credential opens (the manage page's one call).
pub async fn overview(state: &AppState, token: Option<String>) -> ApiResult<BookingOverview> {
    let b = booking_of(state, token).await?;
    let now = state.now();
    let rules = state.lifecycle_rules();
    let rows = store::appointments::of_booking_with_practitioners(&state.db, b.id).await?;
    let course = (b.sessions > 1).then(|| {
        let models: Vec<appointment::Model> = rows.iter().map(|(a, _)| a.clone()).collect();
        lifecycle::course_sessions(&models)
    });
    let course_rules = state.course_rules();
    let signed = store::consents::of_bookings(&state.db, &[b.id]).await?;
    let consent_version = super::consent::current_version(state, b.service)?;
    let mut sessions = Vec::with_capacity(rows.len());
    for (a, p) in rows {
        let v = AppointmentView::try_from_row(&a)?;
        let visit = VisitTimes {
            start: v.start,
            end: v.end,
        };
        // The same decision the cancel and reschedule routes make for a client.
        let can_change = [Transition::Cancel, Transition::Reschedule]
            .into_iter()
            .all(|t| status::decide(&rules, v.status, t, Mover::Client, visit, now).is_ok());
        sessions.push(SessionView {
            needs_reconfirmation: needs_reconfirmation(
                v.service,
                v.status,
                v.session_number,
                a.reconfirmed_at.is_some(),
            ),
            consent: crate::domain::consent::state(
                a.service,
                signed.iter().map(|c| c.version.as_str()),
                &consent_version,
            ),
            practitioner_name: p.map(|p| p.name),
            anesthesia: a.anesthesia,
            can_change,
            reschedule_window: course
                .as_deref()
                .map(|c| course_rules.spacing_window(state.zone(), c, v.session_number)),
            appointment: v,
        });
    }
    let notice = state.settings.booking.client_cancel_notice;
    let words =
        templates::locale(state.settings.clinic.language).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(BookingOverview {
        booking_id: BookingId(b.id),
        course_id: (b.sessions > 1).then_some(BookingId(b.id)),
        service: b.service,
        change_deadline: notice,
        change_deadline_words: words.duration(notice),
        sessions,
    })
}

/// The appointment as the client sees it.
pub async fn get(
    state: &AppState,
    token: Option<String>,
    id: AppointmentId,
) -> ApiResult<AppointmentView> {
    AppointmentView::try_from_row(&authorize(state, token, id).await?)
}

/// Cancels, within the client notice window.
pub async fn cancel(
    state: &AppState,
    token: Option<String>,
    id: AppointmentId,
    reason: Option<String>,
) -> ApiResult<AppointmentView> {
    authorize(state, token, id).await?;
    visits::transition(state, id, Transition::Cancel, audit::Actor::Client, reason).await
}

/// Reschedules, within the client notice window.
pub async fn reschedule(
    state: &AppState,
    token: Option<String>,
    id: AppointmentId,
    start: jiff::Timestamp,
    practitioner: Option<crate::domain::ids::PractitionerId>,
) -> ApiResult<AppointmentView> {
    authorize(state, token, id).await?;
    visits::reschedule(state, id, start, practitioner, audit::Actor::Client).await
}

/// The appointment as an iCalendar file.
pub async fn calendar(
    state: &AppState,
    token: Option<String>,
    id: AppointmentId,
) -> ApiResult<String> {
    let a = authorize(state, token, id).await?;
    let view = AppointmentView::try_from_row(&a)?;
    let clinic = &state.settings.clinic;
    let words = templates::locale(clinic.language).map_err(|e| anyhow::anyhow!("{e}"))?;
    let event = ics::IcsEvent::for_visit(
        &a,
        view.service,
        clinic,
        words,
        view.status == AppointmentStatus::Cancelled,
    );
    Ok(ics::calendar(
        &[event],
        &state.settings.clinic.email,
        state.now(),
    ))
}

/// The result of a re-confirmation.
pub struct Reconfirmed {
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    pub appointment: AppointmentView,
}

/// The client answers the questionnaire again before a visit. A new contraindication cancels
/// the visit (the client gets the cancellation email; reception sees the flag); a review case
/// flags it for a clinician; eligible answers mark it re-confirmed.
pub async fn reconfirm(
    state: &AppState,
    token: Option<String>,
    id: AppointmentId,
    raw_answers: &serde_json::Map<String, serde_json::Value>,
) -> ApiResult<Reconfirmed> {
    // Authorised before the answers are checked, so a stranger learns nothing from the
    // validation details.
    authorize(state, token, id).await?;
    record_reconfirmation(state, id, raw_answers, audit::Actor::Client).await
}

/// Stores a re-confirmation of visit `id` made by the client (manage page) or recorded at the
/// desk (`by` staff, audited as them): the same rules and effects either way. A client may
/// re-confirm until the visit starts; the desk until it ends (the client is standing there,
/// and check-in stays open until the end).
pub async fn record_reconfirmation(
    state: &AppState,
    id: AppointmentId,
    raw_answers: &serde_json::Map<String, serde_json::Value>,
    by: audit::Actor,
) -> ApiResult<Reconfirmed> {
    let answers = super::screening::parse_answers(state, raw_answers)
        .map_err(|e| ApiError::Validation(e.0))?;
    let now = state.now();
    let eval = super::screening::evaluate(state, &answers);
    let screening_id = ScreeningId::new();
    let tx = store::begin_write(&state.db).await?;
    // Read and checked inside the transaction, so a visit cancelled or moved meanwhile is seen.
    let a = store::appointments::find(&tx, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    if a.status != AppointmentStatus::Booked || a.service != Service::Microneedling {
        return Err(ApiError::Conflict(
            "only a booked microneedling visit can be re-confirmed".into(),
        ));
    }
    let (until, past) = match by {
        audit::Actor::Client => (a.starts_at, "the visit has already started"),
        audit::Actor::Staff(_) => (a.ends_at, "the visit has already ended"),
    };
    if from_db(until) <= now {
        return Err(ApiError::Conflict(past.into()));
    }
    // The same rules as a first booking: a visit before the answers' first day cannot be
    // confirmed (the client reschedules it to that day or later, then confirms again); numbing
    // cream the answers rule out (an allergy to local anaesthetics) is taken off every session
    // of the booking still booked and not over, which keep their times, as the answers' reason tells the
    // client ("the treatment is done without numbing cream"), whatever the outcome.
    let limits = super::screening::Limits {
        eligible_from: eval.eligible_from,
        flags: eval.flags,
    };
    if eval.outcome != Outcome::Contraindicated {
        limits.check_first_day(state.zone().local_date(from_db(a.starts_at)))?;
    }
    let numbing_cream_ruled_out = limits.check_numbing_cream(true).is_err();
    let valid_until = now + sdur(state.settings.booking.screening_valid_for);
    let row =
        super::screening::new_row(screening_id, a.client_id, &answers, &eval, now, valid_until)?;
    store::clients::insert_screening(&tx, row).await?;
    store::appointments::set_reconfirmation(&tx, a.id, screening_id.0, eval.outcome, to_db(now))
        .await?;
    let taken_off = if numbing_cream_ruled_out {
        store::appointments::take_off_numbing_cream(&tx, a.booking_id, to_db(now)).await?
    } else {
        0
    };
    let detail = serde_json::json!({
        "outcome": eval.outcome.as_str(),
        "screening_id": screening_id.0,
        "numbing_cream_taken_off": taken_off > 0,
    });
    audit::record(
        &tx,
        state,
        by,
        "appointment.reconfirm",
        "appointment",
        a.id,
        Some(detail),
    )
    .await?;
    let fresh = if eval.outcome == Outcome::Contraindicated {
        let cancel = Move::Cancel(CancelCause::Health);
        lifecycle::apply(&tx, state, &a, cancel, by).await?
    } else {
        appointment::Model {
            anesthesia: a.anesthesia && !numbing_cream_ruled_out,
            ..a
        }
    };
    tx.commit().await?;
    state.slot_cache.invalidate();
    // Ids only: an outcome derived from health answers stays out of the logs.
    info!(appointment_id = %id, "questionnaire re-confirmed");
    Ok(Reconfirmed {
        outcome: eval.outcome,
        reasons: eval.reasons,
        appointment: AppointmentView::try_from_row(&fresh)?,
    })
}

//! Client self-service through the manage token of a booking: read, cancel, reschedule, the
//! calendar file, and re-confirming health answers before a repeat session.

use tracing::info;

use crate::{
    domain::{
        ids::{AppointmentId, ScreeningId},
        screening::{CURRENT, Outcome, Reason},
        service::Service,
        status::{AppointmentStatus, Transition},
        time::{from_db, sdur, to_db},
    },
    error::{ApiError, ApiResult},
    flows::{
        audit,
        booking::AppointmentView,
        lifecycle::{self, CancelCause, Move},
        screening::to_json,
        visits,
    },
    mail::ics,
    secret,
    state::AppState,
    store::{
        self,
        entities::{appointment, screening},
    },
};

/// The appointment `id`, if the token is its booking's manage token. An unknown or expired
/// token is 401; a valid token for another booking is 404 (it learns nothing about others).
pub async fn authorize(
    state: &AppState,
    token: Option<String>,
    id: AppointmentId,
) -> ApiResult<appointment::Model> {
    let Some(token) = token.filter(|t| secret::is_token_shaped(t)) else {
        return Err(ApiError::Unauthorized);
    };
    let b = store::appointments::booking_by_token_hash(&state.db, &secret::token_hash(&token))
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if from_db(b.manage_token_expires_at) < state.now() {
        return Err(ApiError::Unauthorized);
    }
    store::appointments::find(&state.db, id.0)
        .await?
        .filter(|a| a.booking_id == b.id)
        .ok_or(ApiError::NotFound)
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
    let event = ics::IcsEvent::for_visit(
        &a,
        view.service,
        &state.settings.clinic,
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
    let answers = CURRENT
        .parse_answers(raw_answers)
        .map_err(|e| ApiError::Validation(e.0))?;
    let now = state.now();
    let eval = CURRENT.evaluate(&answers);
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
    if from_db(a.starts_at) <= now {
        return Err(ApiError::Conflict("the visit has already started".into()));
    }
    store::clients::insert_screening(
        &tx,
        screening::Model {
            id: screening_id.0,
            client_id: a.client_id,
            questionnaire_version: CURRENT.version.to_owned(),
            answers: to_json(&answers)?,
            concerns: "[]".to_owned(),
            outcome: eval.outcome,
            reasons: to_json(&eval.reasons)?,
            created_at: to_db(now),
            valid_until: to_db(now + sdur(state.settings.booking.screening_valid_for)),
            review_decision: None,
            review_note: None,
            reviewed_by: None,
            reviewed_at: None,
        },
    )
    .await?;
    store::appointments::set_reconfirmation(&tx, a.id, screening_id.0, eval.outcome, to_db(now))
        .await?;
    let detail =
        serde_json::json!({ "outcome": eval.outcome.as_str(), "screening_id": screening_id.0 });
    audit::record(
        &tx,
        state,
        audit::Actor::Client,
        "appointment.reconfirm",
        "appointment",
        a.id,
        Some(detail),
    )
    .await?;
    let fresh = if eval.outcome == Outcome::Contraindicated {
        let cancel = Move::Cancel(CancelCause::Health);
        lifecycle::apply(&tx, state, &a, cancel, audit::Actor::Client).await?
    } else {
        a
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

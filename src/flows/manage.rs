//! Client self-service through the manage token of a booking: read, cancel, reschedule, the
//! calendar file, and re-confirming health answers before a repeat session.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tracing::info;

use crate::{
    domain::{
        ids::{AppointmentId, ScreeningId},
        messages::MessageKind,
        screening::{Answers, CURRENT, Outcome, Reason},
        service::Service,
        status::{AppointmentStatus, Transition},
        time::{from_db, sdur, to_db},
    },
    error::{ApiError, ApiResult},
    flows::{audit, booking::AppointmentView, messages, screening::to_json, visits},
    mail::ics,
    secret,
    state::AppState,
    store::{
        self,
        entities::{appointment, booking, screening},
    },
};

/// The appointment `id`, if the token is its booking's manage token. An unknown or expired
/// token is 401; a valid token for another booking is 404 (it learns nothing about others).
pub async fn authorize(
    state: &AppState,
    token: Option<String>,
    id: AppointmentId,
) -> ApiResult<appointment::Model> {
    let token = token.filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()));
    let Some(token) = token else {
        return Err(ApiError::Unauthorized);
    };
    let b = booking::Entity::find()
        .filter(booking::Column::ManageTokenHash.eq(secret::token_hash(&token)))
        .one(&state.db)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if from_db(b.manage_token_expires_at) < state.now() {
        return Err(ApiError::Unauthorized);
    }
    appointment::Entity::find_by_id(id.0)
        .filter(appointment::Column::BookingId.eq(b.id))
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The appointment as the client sees it.
pub async fn get(
    state: &AppState,
    token: Option<String>,
    id: AppointmentId,
) -> ApiResult<AppointmentView> {
    Ok(AppointmentView::from_row(
        &authorize(state, token, id).await?,
    ))
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
    let s = &state.settings.clinic;
    let service = Service::from_code(&a.service).unwrap_or(Service::SkinConsultation);
    let event = ics::IcsEvent {
        uid: format!("{}@dermadesk", a.id),
        sequence: u32::try_from(a.sequence).unwrap_or(0),
        start: from_db(a.starts_at),
        end: from_db(a.ends_at),
        summary: format!("{} at {}", service.name(), s.name),
        location: format!("{}, {}", s.name, s.address),
        description: format!("Questions or changes: {}", s.phone),
        cancelled: a.status == AppointmentStatus::Cancelled.as_str(),
    };
    Ok(ics::calendar(&[event], &s.email, state.now()))
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
    answers: Answers,
) -> ApiResult<Reconfirmed> {
    let a = authorize(state, token, id).await?;
    if a.status != AppointmentStatus::Booked.as_str() || a.service != Service::Microneedling.code()
    {
        return Err(ApiError::Conflict(
            "only a booked microneedling visit can be re-confirmed".into(),
        ));
    }
    let now = state.now();
    if from_db(a.starts_at) <= now {
        return Err(ApiError::Conflict("the visit has already started".into()));
    }
    let eval = CURRENT.evaluate(&answers);
    let screening_id = ScreeningId::new();
    let tx = store::begin_write(&state.db).await?;
    store::clients::insert_screening(
        &tx,
        screening::Model {
            id: screening_id.0,
            client_id: a.client_id,
            questionnaire_version: CURRENT.version.to_owned(),
            answers: to_json(&answers)?,
            concerns: "[]".to_owned(),
            outcome: eval.outcome.as_str().to_owned(),
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
    appointment::Entity::update_many()
        .col_expr(
            appointment::Column::ReconfirmScreeningId,
            Some(screening_id.0).into(),
        )
        .col_expr(
            appointment::Column::ReconfirmOutcome,
            Some(eval.outcome.as_str().to_owned()).into(),
        )
        .col_expr(appointment::Column::ReconfirmedAt, Some(to_db(now)).into())
        .filter(appointment::Column::Id.eq(a.id))
        .exec(&tx)
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
    if eval.outcome == Outcome::Contraindicated {
        cancel_for_health(state, &tx, &a, now).await?;
    }
    tx.commit().await?;
    state.slot_cache.invalidate();
    // Ids only: an outcome derived from health answers stays out of the logs.
    info!(appointment_id = %a.id, "questionnaire re-confirmed");
    let fresh = appointment::Entity::find_by_id(a.id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Reconfirmed {
        outcome: eval.outcome,
        reasons: eval.reasons,
        appointment: AppointmentView::from_row(&fresh),
    })
}

/// The reason shown to the client: it names no health detail (emails carry none).
pub const HEALTH_CANCEL_REASON: &str = "Your updated health answers mean we cannot treat you safely at this visit. Please call us to talk it through.";

async fn cancel_for_health(
    state: &AppState,
    tx: &sea_orm::DatabaseTransaction,
    a: &appointment::Model,
    now: jiff::Timestamp,
) -> ApiResult<()> {
    let sequence = a.sequence + 1;
    appointment::Entity::update_many()
        .col_expr(
            appointment::Column::Status,
            AppointmentStatus::Cancelled.as_str().into(),
        )
        .col_expr(appointment::Column::Sequence, sequence.into())
        .col_expr(
            appointment::Column::CancelReason,
            Some(HEALTH_CANCEL_REASON.to_owned()).into(),
        )
        .col_expr(appointment::Column::UpdatedAt, to_db(now).into())
        .filter(appointment::Column::Id.eq(a.id))
        .exec(tx)
        .await?;
    let id = AppointmentId(a.id);
    messages::withdraw_pre_visit(tx, id, now).await?;
    let client = store::clients::find(tx, a.client_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let planned = [messages::rules(state).immediate(
        state.zone(),
        MessageKind::Cancellation,
        now,
        from_db(a.starts_at),
    )];
    messages::enqueue(tx, state, id, sequence, &client.email, &planned, now).await?;
    let detail = serde_json::json!({ "reason": "contraindication at re-confirmation" });
    audit::record(
        tx,
        state,
        audit::Actor::Client,
        "appointment.cancel",
        "appointment",
        a.id,
        Some(detail),
    )
    .await
}

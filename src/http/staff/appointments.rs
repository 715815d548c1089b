//! The front desk's appointment routes: booking for a client and the visit lifecycle.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{CLINICAL, DESK};
use crate::{
    domain::{
        ids::{AppointmentId, PractitionerId},
        status::Transition,
    },
    error::ApiResult,
    flows::{self, audit::Actor, auth::Staff, visits::ChangedBy},
    http::{
        dto::{AppointmentDto, BookingBody, BookingDto, CancelBody, RescheduleBody},
        error::ErrorBody,
        extract::Json,
        manage::{ReconfirmBody, ReconfirmDto, RescheduleWindowDto},
        public::book_as,
    },
    state::AppState,
};

/// Books on a client's behalf (admin, reception); the same screening rule applies.
#[utoipa::path(post, path = "/api/v1/staff/appointments", tag = "staff", request_body = BookingBody,
    security(("bearer" = [])),
    responses((status = 201, body = BookingDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/staff/appointments")]
pub async fn book_for_client(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    body: Json<BookingBody>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    book_as(&req, &state, body, Actor::Staff(staff.user_id)).await
}

async fn moved(
    state: &AppState,
    staff: Staff,
    id: Uuid,
    t: Transition,
    reason: Option<String>,
) -> ApiResult<HttpResponse> {
    let by = ChangedBy::Staff(staff.user_id);
    let v = flows::visits::transition(state, AppointmentId(id), t, by, reason).await?;
    Ok(HttpResponse::Ok().json(AppointmentDto::new(&v, state.zone())))
}

/// Checks a client in (admin, reception). A microneedling visit needs a signature of the
/// current consent version for its booking, and a repeat session its health re-confirmation.
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/check-in", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("bearer" = [])),
    responses((status = 200, body = AppointmentDto), (status = 409, body = ErrorBody,
        description = "`conflict` (not allowed now), `reconfirmation_missing` (a repeat session without re-confirmed answers), or `consent_missing` (a microneedling visit without a signature of the current consent version)")))]
#[post("/staff/appointments/{id}/check-in")]
pub async fn check_in(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    moved(&state, staff, *id, Transition::CheckIn, None).await
}

/// Marks a visit completed and plans its aftercare emails (admin, reception, practitioner).
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/complete", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("bearer" = [])),
    responses((status = 200, body = AppointmentDto), (status = 409, body = ErrorBody)))]
#[post("/staff/appointments/{id}/complete")]
pub async fn complete(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    staff.require(CLINICAL)?;
    moved(&state, staff, *id, Transition::Complete, None).await
}

/// Records a no-show (admin, reception).
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/no-show", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("bearer" = [])),
    responses((status = 200, body = AppointmentDto), (status = 409, body = ErrorBody)))]
#[post("/staff/appointments/{id}/no-show")]
pub async fn no_show(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    moved(&state, staff, *id, Transition::NoShow, None).await
}

/// Cancels a visit at any time (admin, reception); the client is told. The body is optional.
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/cancel", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    request_body = Option<CancelBody>,
    security(("bearer" = [])),
    responses((status = 200, body = AppointmentDto), (status = 409, body = ErrorBody)))]
#[post("/staff/appointments/{id}/cancel")]
pub async fn cancel(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    body: Option<Json<CancelBody>>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    moved(
        &state,
        staff,
        *id,
        Transition::Cancel,
        body.and_then(|b| b.value.reason),
    )
    .await
}

/// Moves a booked visit (admin, reception); reminders are re-planned, the client is told.
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/reschedule", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the resource id")), request_body = RescheduleBody,
    security(("bearer" = [])),
    responses((status = 200, body = AppointmentDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/staff/appointments/{id}/reschedule")]
pub async fn reschedule(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    body: Json<RescheduleBody>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    let b = body.value;
    let v = flows::visits::reschedule(
        &state,
        AppointmentId(*id),
        b.start.0,
        b.practitioner_id.map(PractitionerId),
        ChangedBy::Staff(staff.user_id),
    )
    .await?;
    Ok(HttpResponse::Ok().json(AppointmentDto::new(&v, state.zone())))
}

/// Where a visit may be rescheduled to under its course's spacing.
#[derive(Serialize, ToSchema)]
pub struct StaffRescheduleWindowDto {
    /// The local dates a session of a course may move to (the rule
    /// `POST .../reschedule` checks); `null` for a visit that is not part of a course.
    pub reschedule_window: Option<RescheduleWindowDto>,
}

/// The local dates a visit may be moved to under its course's spacing (admin, reception),
/// for the desk's time picker; the same window `GET /api/v1/booking` gives the client.
#[utoipa::path(get, path = "/api/v1/staff/appointments/{id}/reschedule-window", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("bearer" = [])),
    responses((status = 200, body = StaffRescheduleWindowDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/staff/appointments/{id}/reschedule-window")]
pub async fn reschedule_window(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    let w = flows::visits::reschedule_window(&state, AppointmentId(*id)).await?;
    Ok(HttpResponse::Ok().json(StaffRescheduleWindowDto {
        reschedule_window: w.as_ref().map(RescheduleWindowDto::new),
    }))
}

/// Records the client's re-confirmed health answers at the desk before a repeat session
/// (admin, reception): the same questionnaire, rules and effects as the client's
/// `POST /api/v1/bookings/{id}/reconfirm` (a contraindication cancels the visit and the client
/// is told; `needs_review` waits for a clinician), audited as the staff user. Allowed until
/// the visit ends.
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/reconfirm", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    request_body = ReconfirmBody,
    security(("bearer" = [])),
    responses((status = 200, body = ReconfirmDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/staff/appointments/{id}/reconfirm")]
pub async fn record_reconfirmation(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    body: Json<ReconfirmBody>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    let r = flows::manage::record_reconfirmation(
        &state,
        AppointmentId(*id),
        &body.value.answers,
        Actor::Staff(staff.user_id),
    )
    .await?;
    Ok(HttpResponse::Ok().json(ReconfirmDto {
        outcome: r.outcome,
        reasons: r.reasons,
        appointment: AppointmentDto::new(&r.appointment, state.zone()),
    }))
}

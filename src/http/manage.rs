//! Client self-service with the booking's manage token or the secret of a link in its emails
//! (`Authorization: Bearer <token>`).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    dto::{AppointmentDto, CancelBody, RescheduleBody},
    error::ErrorBody,
    extract::{Json, bearer},
};
use crate::{
    domain::{
        consent::ConsentState,
        ids::{AppointmentId, PractitionerId},
        screening::{Outcome, Reason},
        service::Service,
        status::AppointmentStatus,
    },
    error::ApiResult,
    flows::manage,
    state::AppState,
};

/// How to reach the clinic.
#[derive(Serialize, ToSchema)]
pub struct ClinicContactDto {
    pub name: String,
    pub phone: String,
    pub email: String,
}

/// One session of the booking.
#[derive(Serialize, ToSchema)]
pub struct SessionDto {
    pub id: Uuid,
    pub service: Service,
    pub practitioner_id: Uuid,
    /// `null` for a practitioner no longer on record.
    pub practitioner_name: Option<String>,
    /// RFC 3339 in the clinic's offset.
    pub start: String,
    pub end: String,
    pub status: AppointmentStatus,
    pub session_number: u32,
    /// Numbing cream was asked for (pass it as `anesthesia` to `GET /api/v1/availability` to
    /// see the times this visit fits).
    pub anesthesia: bool,
    /// The client may cancel or reschedule it now: booked and not yet inside the notice
    /// window (`change_deadline_notice` before the start).
    pub can_change: bool,
    /// A booked microneedling repeat session whose health answers are not yet re-confirmed
    /// (`POST /api/v1/bookings/{id}/reconfirm`).
    pub needs_reconfirmation: bool,
    /// For a session of a course: the local dates it may be rescheduled to, keeping at least
    /// `course.min_interval` to its neighbouring active sessions (the rule the reschedule
    /// checks, for clients and staff). `null` for a single visit.
    pub reschedule_window: Option<RescheduleWindowDto>,
    /// The consent this session needs before check-in: `not_needed`, `missing`, `outdated`
    /// (only an older version signed) or `signed`; read and sign it at
    /// `GET|POST /api/v1/bookings/{id}/consent` (one signature covers every session).
    pub consent: ConsentState,
}

/// Where a course session may move (local dates, inclusive).
#[derive(Serialize, ToSchema)]
pub struct RescheduleWindowDto {
    /// The earliest local date (`YYYY-MM-DD`); `null` when no earlier session bounds it.
    pub from: Option<String>,
    /// The latest local date; `null` when no later session bounds it. Earlier than `from`
    /// when no date is left.
    pub to: Option<String>,
    /// `course.min_interval` in whole days.
    pub min_interval_days: i64,
}

impl RescheduleWindowDto {
    pub fn new(w: &crate::domain::course::SpacingWindow) -> Self {
        Self {
            from: w.from.map(|d| d.to_string()),
            to: w.to.map(|d| d.to_string()),
            min_interval_days: w.min_days,
        }
    }
}

/// The whole booking the credential opens.
#[derive(Serialize, ToSchema)]
pub struct BookingOverviewDto {
    pub booking_id: Uuid,
    /// Set for a course of more than one session.
    pub course_id: Option<Uuid>,
    pub service: Service,
    /// The clinic's IANA time zone; every time is local to it.
    pub timezone: String,
    pub clinic: ClinicContactDto,
    /// How long before a session the client can still change it
    /// (`booking.client_cancel_notice`), in words in the clinic's language (`clinic.language`:
    /// "24 hours", "24 Stunden").
    pub change_deadline_notice: String,
    /// The same in seconds (e.g. to warn that a new time would lie inside it).
    pub change_deadline_seconds: u64,
    /// Every session, by session number (cancelled ones included).
    pub appointments: Vec<SessionDto>,
}

/// The whole booking (every session of a course) that the manage token or link secret opens.
#[utoipa::path(get, path = "/api/v1/booking", tag = "manage",
    security(("manage_token" = [])),
    responses((status = 200, body = BookingOverviewDto), (status = 401, body = ErrorBody)))]
#[get("/booking")]
pub async fn get_whole_booking(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let o = manage::overview(&state, bearer(&req)).await?;
    let zone = state.zone();
    let clinic = &state.settings.clinic;
    Ok(HttpResponse::Ok().json(BookingOverviewDto {
        booking_id: o.booking_id.0,
        course_id: o.course_id.map(|c| c.0),
        service: o.service,
        timezone: zone.name().to_owned(),
        clinic: ClinicContactDto {
            name: clinic.name.clone(),
            phone: clinic.phone.clone(),
            email: clinic.email.clone(),
        },
        change_deadline_notice: o.change_deadline_words,
        change_deadline_seconds: o.change_deadline.as_secs(),
        appointments: o
            .sessions
            .into_iter()
            .map(|s| {
                let a = AppointmentDto::new(&s.appointment, zone);
                SessionDto {
                    id: a.id,
                    service: a.service,
                    practitioner_id: a.practitioner_id,
                    practitioner_name: s.practitioner_name,
                    start: a.start,
                    end: a.end,
                    status: a.status,
                    session_number: a.session_number,
                    anesthesia: s.anesthesia,
                    can_change: s.can_change,
                    needs_reconfirmation: s.needs_reconfirmation,
                    consent: s.consent,
                    reschedule_window: s.reschedule_window.as_ref().map(RescheduleWindowDto::new),
                }
            })
            .collect(),
    }))
}

/// The appointment.
#[utoipa::path(get, path = "/api/v1/bookings/{id}", tag = "manage", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("manage_token" = [])),
    responses((status = 200, body = AppointmentDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/bookings/{id}")]
pub async fn get_booking(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let v = manage::get(&state, bearer(&req), AppointmentId(*id)).await?;
    Ok(HttpResponse::Ok().json(AppointmentDto::new(&v, state.zone())))
}

/// Cancels, up to `booking.client_cancel_notice` before the start.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/cancel", tag = "manage", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("manage_token" = [])), request_body = Option<CancelBody>,
    responses((status = 200, body = AppointmentDto), (status = 409, body = ErrorBody)))]
#[post("/bookings/{id}/cancel")]
pub async fn cancel_booking(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Option<Json<CancelBody>>,
) -> ApiResult<HttpResponse> {
    let reason = body.and_then(|b| b.value.reason);
    let v = manage::cancel(&state, bearer(&req), AppointmentId(*id), reason).await?;
    Ok(HttpResponse::Ok().json(AppointmentDto::new(&v, state.zone())))
}

/// Moves the visit, up to `booking.client_cancel_notice` before the (old) start.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/reschedule", tag = "manage", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("manage_token" = [])), request_body = RescheduleBody,
    responses((status = 200, body = AppointmentDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/bookings/{id}/reschedule")]
pub async fn reschedule_booking(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<RescheduleBody>,
) -> ApiResult<HttpResponse> {
    let b = body.value;
    let v = manage::reschedule(
        &state,
        bearer(&req),
        AppointmentId(*id),
        b.start.0,
        b.practitioner_id.map(PractitionerId),
    )
    .await?;
    Ok(HttpResponse::Ok().json(AppointmentDto::new(&v, state.zone())))
}

/// The appointment as an iCalendar file.
#[utoipa::path(get, path = "/api/v1/bookings/{id}/calendar.ics", tag = "manage", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("manage_token" = [])),
    responses((status = 200, content_type = "text/calendar"), (status = 401, body = ErrorBody)))]
#[get("/bookings/{id}/calendar.ics")]
pub async fn calendar_ics(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let ics = manage::calendar(&state, bearer(&req), AppointmentId(*id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"appointment.ics\"",
        ))
        .body(ics))
}

/// `POST /api/v1/bookings/{id}/reconfirm`.
#[derive(Deserialize, ToSchema)]
pub struct ReconfirmBody {
    /// Every question of the questionnaire, answered true or false.
    #[schema(value_type = Object)]
    pub answers: serde_json::Map<String, serde_json::Value>,
}

/// The re-confirmation's result.
#[derive(Serialize, ToSchema)]
pub struct ReconfirmDto {
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    pub appointment: AppointmentDto,
}

/// Re-confirms the health answers before a visit; a new contraindication cancels the visit,
/// an allergy to local anaesthetics takes numbing cream off it (its time stays).
#[utoipa::path(post, path = "/api/v1/bookings/{id}/reconfirm", tag = "manage", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("manage_token" = [])), request_body = ReconfirmBody,
    responses((status = 200, body = ReconfirmDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/bookings/{id}/reconfirm")]
pub async fn reconfirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<ReconfirmBody>,
) -> ApiResult<HttpResponse> {
    let r = manage::reconfirm(
        &state,
        bearer(&req),
        AppointmentId(*id),
        &body.value.answers,
    )
    .await?;
    Ok(HttpResponse::Ok().json(ReconfirmDto {
        outcome: r.outcome,
        reasons: r.reasons,
        appointment: AppointmentDto::new(&r.appointment, state.zone()),
    }))
}

//! The clinical loop at the desk: the consent signed at the desk, and session records
//! (treatment notes) of microneedling visits.
//!
//! Roles: consent read and sign: admin, reception, practitioner (whoever receives the client);
//! notes write: admin, practitioner (reception 403); notes read: every staff role, audited
//! (`notes.view`).

use actix_web::{HttpResponse, get, post, put, web};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{CLINICAL, CLINICIANS};
use crate::{
    domain::{
        ids::{AppointmentId, BookingId},
        notes::{Area, NotesInput},
        status::AppointmentStatus,
        time::ClinicZone,
    },
    error::ApiResult,
    flows::{
        self,
        audit::Actor,
        auth::Staff,
        notes::{CourseSession, NotesView},
    },
    http::{
        consent::{ConsentBody, ConsentDto, signed_response},
        error::ErrorBody,
        extract::Json,
    },
    state::AppState,
};

/// The visit's consent text and the booking's signature, for the desk (every staff role).
#[utoipa::path(get, path = "/api/v1/staff/appointments/{id}/consent", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("bearer" = [])),
    responses((status = 200, body = ConsentDto), (status = 404, body = ErrorBody)))]
#[get("/staff/appointments/{id}/consent")]
pub async fn get_consent_at_desk(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    staff.require(CLINICAL)?;
    let v = flows::consent::for_staff(&state, AppointmentId(*id)).await?;
    Ok(HttpResponse::Ok().json(ConsentDto::new(v, state.zone())))
}

/// The client signs the current consent version at the desk (admin, reception, practitioner):
/// the client types the full name and ticks; recorded with the staff user (`via: desk`).
/// 201 with the signature; 200 with the first signature when this version was already signed
/// for the booking; 409 for a visit no longer booked or checked in, after its end, or for a
/// treatment that needs no consent; 422 naming `full_name` / `agree`.
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/consent", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("bearer" = [])), request_body = ConsentBody,
    responses((status = 201, body = ConsentDto), (status = 200, body = ConsentDto), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/staff/appointments/{id}/consent")]
pub async fn sign_consent_at_desk(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    body: Json<ConsentBody>,
) -> ApiResult<HttpResponse> {
    staff.require(CLINICAL)?;
    let b = body.value;
    let (v, created) = flows::consent::sign(
        &state,
        AppointmentId(*id),
        &b.full_name,
        b.agree,
        Actor::Staff(staff.user_id),
    )
    .await?;
    Ok(signed_response(v, created, state.zone()))
}

/// A session record (treatment notes) of a microneedling visit.
#[derive(Serialize, ToSchema)]
pub struct NotesDto {
    pub appointment_id: Uuid,
    /// Needle depth in millimetres (0.1 to 3.0, two decimals at most).
    pub needle_depth_mm: f64,
    /// The areas treated, in the order recorded.
    pub areas: Vec<Area>,
    pub product: Option<String>,
    pub numbing: Option<String>,
    pub reaction: Option<String>,
    pub notes: Option<String>,
    /// The staff user who wrote the record last.
    pub recorded_by: Option<Uuid>,
    pub created_at: String,
    pub updated_at: String,
}

impl NotesDto {
    fn new(v: NotesView, zone: &ClinicZone) -> Self {
        Self {
            appointment_id: v.appointment_id,
            needle_depth_mm: v.needle_depth_mm,
            areas: v.areas,
            product: v.product,
            numbing: v.numbing,
            reaction: v.reaction,
            notes: v.notes,
            recorded_by: v.recorded_by,
            created_at: zone.rfc3339(v.created_at),
            updated_at: zone.rfc3339(v.updated_at),
        }
    }
}

/// The session record of a visit (every staff role; each read is audited as `notes.view`).
/// 404 when the visit has no record yet.
#[utoipa::path(get, path = "/api/v1/staff/appointments/{id}/notes", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("bearer" = [])),
    responses((status = 200, body = NotesDto), (status = 404, body = ErrorBody)))]
#[get("/staff/appointments/{id}/notes")]
pub async fn get_notes(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    staff.require(CLINICAL)?;
    let v = flows::notes::read(&state, staff.user_id, AppointmentId(*id)).await?;
    Ok(HttpResponse::Ok().json(NotesDto::new(v, state.zone())))
}

/// Writes (or replaces) the session record of a checked-in or completed microneedling visit
/// (admin, practitioner; reception 403). 422 naming each bad field (depth 0.1 to 3.0 mm,
/// at least one area from the list, each once; texts of at most 500 characters, `notes` 4000);
/// 409 for a visit that is not a checked-in or completed microneedling visit.
#[utoipa::path(put, path = "/api/v1/staff/appointments/{id}/notes", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("bearer" = [])), request_body = NotesInput,
    responses((status = 200, body = NotesDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/staff/appointments/{id}/notes")]
pub async fn put_notes(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    body: Json<NotesInput>,
) -> ApiResult<HttpResponse> {
    staff.require(CLINICIANS)?;
    let v = flows::notes::write(&state, staff.user_id, AppointmentId(*id), &body.value).await?;
    Ok(HttpResponse::Ok().json(NotesDto::new(v, state.zone())))
}

/// One session of a course with its record.
#[derive(Serialize, ToSchema)]
pub struct CourseSessionNotesDto {
    pub appointment_id: Uuid,
    pub session_number: i32,
    pub start: String,
    pub status: AppointmentStatus,
    /// `null` where no record was written.
    pub notes: Option<NotesDto>,
}

/// A course's history of session records.
#[derive(Serialize, ToSchema)]
pub struct CourseNotesDto {
    /// The course (its booking id, the calendar's `course.id`).
    pub course_id: Uuid,
    /// Every session by number (cancelled ones included), side by side.
    pub sessions: Vec<CourseSessionNotesDto>,
}

/// The session records of a course, session 1..n (every staff role; audited as one
/// `notes.view` of the course). 404 for an unknown course.
#[utoipa::path(get, path = "/api/v1/staff/courses/{id}/notes", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the course id (the booking id)")),
    security(("bearer" = [])),
    responses((status = 200, body = CourseNotesDto), (status = 404, body = ErrorBody)))]
#[get("/staff/courses/{id}/notes")]
pub async fn course_notes(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    staff.require(CLINICAL)?;
    let rows = flows::notes::course(&state, staff.user_id, BookingId(*id)).await?;
    let zone = state.zone();
    Ok(HttpResponse::Ok().json(CourseNotesDto {
        course_id: *id,
        sessions: rows
            .into_iter()
            .map(|s: CourseSession| CourseSessionNotesDto {
                appointment_id: s.appointment.id,
                session_number: s.appointment.session_number,
                start: zone.rfc3339(crate::domain::time::from_db(s.appointment.starts_at)),
                status: s.status,
                notes: s.notes.map(|n| NotesDto::new(n, zone)),
            })
            .collect(),
    }))
}

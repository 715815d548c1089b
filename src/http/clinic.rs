//! Reception calendar, clients (export, erasure), staff users and the audit log.

use actix_web::{HttpResponse, delete, get, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    domain::{
        ids::{ClientId, PractitionerId, StaffUserId},
        screening::{Outcome, ReviewDecision},
        service::Service,
        status::AppointmentStatus,
        time::{from_db, parse_date},
    },
    error::{ApiError, ApiResult, ErrorBody},
    flows::{
        self,
        audit::Actor,
        auth::{Role, Staff},
    },
    state::AppState,
    store::{self, entities::staff_user},
};

/// `GET /api/v1/staff/calendar` query.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct CalendarQuery {
    pub from: String,
    pub to: String,
    pub practitioner_id: Option<Uuid>,
}

/// The client on a calendar row.
#[derive(Serialize, ToSchema)]
pub struct CalendarClient {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

/// Course position.
#[derive(Serialize, ToSchema)]
pub struct CalendarCourse {
    pub id: Uuid,
    pub session_number: i32,
    pub sessions: i32,
}

/// The booking's screening.
#[derive(Serialize, ToSchema)]
pub struct CalendarScreening {
    pub id: Uuid,
    pub outcome: Outcome,
    pub review_decision: Option<ReviewDecision>,
}

/// The health re-confirmation before this visit.
#[derive(Serialize, ToSchema)]
pub struct Reconfirmation {
    /// The screening the re-confirmation stored (review it at
    /// `POST /api/v1/staff/screenings/{id}/review`).
    pub screening_id: Option<Uuid>,
    pub outcome: Outcome,
    /// A clinician's decision on a `needs_review` re-confirmation; check-in waits for `approve`.
    pub review_decision: Option<ReviewDecision>,
    pub at: String,
}

/// One appointment on the reception calendar.
#[derive(Serialize, ToSchema)]
pub struct CalendarEntryDto {
    pub id: Uuid,
    pub start: String,
    pub end: String,
    pub status: AppointmentStatus,
    pub service: Service,
    pub practitioner_id: Uuid,
    pub practitioner_name: Option<String>,
    pub anesthesia: bool,
    pub client: Option<CalendarClient>,
    pub course: Option<CalendarCourse>,
    pub screening: Option<CalendarScreening>,
    /// For repeat sessions: the latest re-confirmation, or null when the client has not
    /// re-confirmed yet.
    pub reconfirmation: Option<Reconfirmation>,
    pub messages_failed: bool,
}

/// The calendar.
#[derive(Serialize, ToSchema)]
pub struct CalendarDto {
    pub timezone: String,
    pub appointments: Vec<CalendarEntryDto>,
}

/// A day or a week (at most 31 days) of appointments; practitioners see their own only.
#[utoipa::path(get, path = "/api/v1/staff/calendar", tag = "desk", params(CalendarQuery),
    responses((status = 200, body = CalendarDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/staff/calendar")]
pub async fn calendar(
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<CalendarQuery>,
) -> ApiResult<HttpResponse> {
    let from = parse_date(&q.from).map_err(|m| ApiError::invalid("from", m))?;
    let to = parse_date(&q.to).map_err(|m| ApiError::invalid("to", m))?;
    let rows = flows::calendar::entries(
        &state,
        &staff,
        from,
        to,
        q.practitioner_id.map(PractitionerId),
    )
    .await?;
    let zone = state.zone();
    let appointments = rows
        .into_iter()
        .map(|e| {
            let a = &e.appointment;
            CalendarEntryDto {
                id: a.id,
                start: zone.rfc3339(from_db(a.starts_at)),
                end: zone.rfc3339(from_db(a.ends_at)),
                status: a.status,
                service: a.service,
                practitioner_id: a.practitioner_id,
                practitioner_name: e.practitioner_name,
                anesthesia: a.anesthesia,
                client: e.client.map(|c| CalendarClient {
                    id: c.id,
                    name: c.name,
                    email: c.email,
                    phone: c.phone,
                }),
                course: e.course.map(|(sessions, id)| CalendarCourse {
                    id,
                    session_number: a.session_number,
                    sessions,
                }),
                screening: e.screening.map(|s| CalendarScreening {
                    id: s.id,
                    outcome: s.outcome,
                    review_decision: s.review_decision,
                }),
                reconfirmation: a.reconfirm_outcome.map(|o| Reconfirmation {
                    screening_id: a.reconfirm_screening_id,
                    outcome: o,
                    review_decision: e.reconfirmation.as_ref().and_then(|s| s.review_decision),
                    at: a
                        .reconfirmed_at
                        .map(|t| zone.rfc3339(from_db(t)))
                        .unwrap_or_default(),
                }),
                messages_failed: e.messages_failed,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(CalendarDto {
        timezone: zone.name().to_owned(),
        appointments,
    }))
}

/// What an erasure did.
#[derive(Serialize, ToSchema)]
pub struct ErasedDto {
    pub erased: bool,
    pub cancelled_appointments: usize,
}

/// Right to erasure (admin).
#[utoipa::path(delete, path = "/api/v1/staff/clients/{id}", tag = "clients", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    responses((status = 200, body = ErasedDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/staff/clients/{id}")]
pub async fn erase_client(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    staff.require(&[Role::Admin])?;
    let e = flows::clients::erase(&state, Actor::Staff(staff.user_id), ClientId(*id)).await?;
    Ok(HttpResponse::Ok().json(ErasedDto {
        erased: true,
        cancelled_appointments: e.cancelled_appointments,
    }))
}

/// Everything held about a client (admin; access requests).
#[utoipa::path(get, path = "/api/v1/staff/clients/{id}/export", tag = "clients", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/staff/clients/{id}/export")]
pub async fn export_client(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    staff.require(&[Role::Admin])?;
    let data = flows::clients::export(&state, Actor::Staff(staff.user_id), ClientId(*id)).await?;
    Ok(HttpResponse::Ok().json(data))
}

/// A staff user.
#[derive(Serialize, ToSchema)]
pub struct StaffUserDto {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub practitioner_id: Option<Uuid>,
}

fn user_dto(u: staff_user::Model) -> StaffUserDto {
    StaffUserDto {
        id: u.id,
        role: u.role,
        email: u.email,
        practitioner_id: u.practitioner_id,
    }
}

/// Staff users (admin).
#[utoipa::path(get, path = "/api/v1/staff/users", tag = "staff", responses((status = 200, body = [StaffUserDto])))]
#[get("/staff/users")]
pub async fn list_users(state: web::Data<AppState>, staff: Staff) -> ApiResult<HttpResponse> {
    staff.require(&[Role::Admin])?;
    let users: Vec<_> = store::staff::list_users(&state.db)
        .await?
        .into_iter()
        .map(user_dto)
        .collect();
    Ok(HttpResponse::Ok().json(users))
}

/// `PUT /api/v1/staff/users/{id}/role`.
#[derive(Deserialize, ToSchema)]
pub struct RoleBody {
    pub role: Role,
    pub practitioner_id: Option<Uuid>,
}

/// Sets a user's role (admin); an admin cannot demote themselves.
#[utoipa::path(put, path = "/api/v1/staff/users/{id}/role", tag = "staff", params(("id" = uuid::Uuid, Path, description = "the resource id")), request_body = RoleBody,
    responses((status = 200, body = StaffUserDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/staff/users/{id}/role")]
pub async fn set_role(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    body: super::extract::Json<RoleBody>,
) -> ApiResult<HttpResponse> {
    staff.require(&[Role::Admin])?;
    let b = body.value;
    let u = flows::auth::set_role(
        &state,
        staff,
        StaffUserId(*id),
        b.role,
        b.practitioner_id.map(PractitionerId),
    )
    .await?;
    Ok(HttpResponse::Ok().json(user_dto(u)))
}

/// `GET /api/v1/staff/audit` query.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    pub subject_id: Option<Uuid>,
    pub limit: Option<u64>,
}

/// One audit entry.
#[derive(Serialize, ToSchema)]
pub struct AuditDto {
    pub at: String,
    pub actor: String,
    pub actor_user_id: Option<Uuid>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Uuid,
    /// Statuses, times and ids of the action; null when it has none.
    #[schema(value_type = Option<Object>)]
    pub detail: Option<serde_json::Value>,
}

/// The audit log, newest first (admin).
#[utoipa::path(get, path = "/api/v1/staff/audit", tag = "staff", params(AuditQuery), responses((status = 200, body = [AuditDto])))]
#[get("/staff/audit")]
pub async fn audit(
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    staff.require(&[Role::Admin])?;
    let rows = flows::audit::list(&state, q.subject_id, q.limit.unwrap_or(200).min(1000)).await?;
    let zone = state.zone();
    let out: Vec<AuditDto> = rows
        .into_iter()
        .map(|r| AuditDto {
            at: zone.rfc3339(from_db(r.at)),
            actor: r.actor,
            actor_user_id: r.actor_user_id,
            action: r.action,
            subject_type: r.subject_type,
            subject_id: r.subject_id,
            detail: r.detail.and_then(|d| serde_json::from_str(&d).ok()),
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

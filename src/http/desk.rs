//! Reception desk routes: visit lifecycle moves and the outbox.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    dto::AppointmentDto,
    extract::{Instant, Json},
};
use crate::{
    domain::{
        ids::{AppointmentId, PractitionerId},
        messages::{MessageKind, MessageStatus},
        status::Transition,
        time::from_db,
    },
    error::{ApiResult, ErrorBody},
    flows::{
        self,
        auth::{Role, Staff},
        visits::ChangedBy,
    },
    state::AppState,
    store::{self, entities::outbox},
};

const DESK: &[Role] = &[Role::Admin, Role::Reception];
const CLINICAL: &[Role] = &[Role::Admin, Role::Reception, Role::Practitioner];

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

/// Checks a client in (admin, reception).
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/check-in", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    responses((status = 200, body = AppointmentDto), (status = 409, body = ErrorBody)))]
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

/// `POST .../cancel`.
#[derive(Deserialize, ToSchema, Default)]
pub struct CancelBody {
    pub reason: Option<String>,
}

/// Cancels a visit at any time (admin, reception); the client is told.
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/cancel", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the resource id")), request_body = CancelBody,
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

/// `POST .../reschedule`.
#[derive(Deserialize, ToSchema)]
pub struct RescheduleBody {
    pub start: Instant,
    pub practitioner_id: Option<Uuid>,
}

/// Moves a booked visit (admin, reception); reminders are re-planned, the client is told.
#[utoipa::path(post, path = "/api/v1/staff/appointments/{id}/reschedule", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the resource id")), request_body = RescheduleBody,
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

/// `GET /api/v1/staff/messages` query.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct MessagesQuery {
    pub appointment_id: Option<Uuid>,
    pub status: Option<MessageStatus>,
}

/// One outbox message.
#[derive(Serialize, ToSchema)]
pub struct MessageDto {
    pub id: Uuid,
    pub appointment_id: Uuid,
    pub kind: MessageKind,
    pub status: MessageStatus,
    pub recipient: String,
    pub due_at: String,
    pub send_by: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub message_id: String,
    pub sent_at: Option<String>,
}

impl MessageDto {
    fn new(m: &outbox::Model, state: &AppState) -> Self {
        let at = |t: i64| state.zone().rfc3339(from_db(t));
        Self {
            id: m.id,
            appointment_id: m.appointment_id,
            kind: m.kind,
            status: m.status,
            recipient: m.recipient.clone(),
            due_at: at(m.due_at),
            send_by: at(m.send_by),
            attempts: m.attempts,
            last_error: m.last_error.clone(),
            message_id: m.message_id.clone(),
            sent_at: m.sent_at.map(at),
        }
    }
}

/// The outbox for reception: status, attempts, last error (admin, reception).
#[utoipa::path(get, path = "/api/v1/staff/messages", tag = "desk", params(MessagesQuery),
    responses((status = 200, body = [MessageDto])))]
#[get("/staff/messages")]
pub async fn messages(
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<MessagesQuery>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    let rows = store::outbox::list(
        &state.db,
        q.appointment_id,
        q.status.map(MessageStatus::as_str),
        1000,
    )
    .await?;
    let out: Vec<MessageDto> = rows.iter().map(|m| MessageDto::new(m, &state)).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Puts a failed message back in the queue (admin, reception).
#[utoipa::path(post, path = "/api/v1/staff/messages/{id}/retry", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    responses((status = 200, body = MessageDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/staff/messages/{id}/retry")]
pub async fn retry_message(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    let m = flows::messages::retry(&state, *id).await?;
    Ok(HttpResponse::Ok().json(MessageDto::new(&m, &state)))
}

//! The outbox for reception: what was sent, what failed, and a retry.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::DESK;
use crate::{
    domain::{
        ids::AppointmentId,
        messages::{MessageKind, MessageStatus},
        time::from_db,
    },
    error::ApiResult,
    flows::{self, auth::Staff},
    http::error::ErrorBody,
    state::AppState,
    store::entities::outbox,
};

/// `GET /api/v1/staff/messages` query.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
    security(("bearer" = [])),
    responses((status = 200, body = [MessageDto])))]
#[get("/staff/messages")]
pub async fn messages(
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<MessagesQuery>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    let rows = flows::messages::list(&state, q.appointment_id.map(AppointmentId), q.status).await?;
    let out: Vec<MessageDto> = rows.iter().map(|m| MessageDto::new(m, &state)).collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Puts a failed message back in the queue (admin, reception).
#[utoipa::path(post, path = "/api/v1/staff/messages/{id}/retry", tag = "desk", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("bearer" = [])),
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

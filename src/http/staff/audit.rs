//! The audit log (admin).

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ADMIN;
use crate::{
    domain::time::from_db,
    error::{ApiError, ApiResult},
    flows::{self, audit::About, auth::Staff},
    http::error::ErrorBody,
    state::AppState,
};

/// `GET /api/v1/staff/audit` query. At most one of `subject_id`, `client_id` and
/// `appointment_id`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries whose subject is exactly this id.
    pub subject_id: Option<Uuid>,
    /// A client's history: entries about the client, their visits, their bookings (a
    /// course's history) and their screenings.
    pub client_id: Option<Uuid>,
    /// A visit's history: entries about the visit, its booking, the screening it was booked
    /// with and its health re-confirmation.
    pub appointment_id: Option<Uuid>,
    /// `false` leaves out the desk's calendar reads (`calendar.view`); default `true`.
    pub views: Option<bool>,
    /// The next page: only entries older than the entry with this id (the `id` of the last
    /// entry of the page before); 422 naming `before` for an unknown entry.
    pub before: Option<Uuid>,
    /// Entries per page, 1 to 1,000 (default 200).
    pub limit: Option<u64>,
}

/// One audit entry.
#[derive(Serialize, ToSchema)]
pub struct AuditDto {
    /// The entry's id: pass it as `before` for the entries older than it.
    pub id: Uuid,
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

/// The audit log, newest first (ties in time by id), a page at a time (admin).
#[utoipa::path(get, path = "/api/v1/staff/audit", tag = "staff", params(AuditQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [AuditDto]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/staff/audit")]
pub async fn audit(
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    staff.require(ADMIN)?;
    let about = match (q.subject_id, q.client_id, q.appointment_id) {
        (None, None, None) => About::Everything,
        (Some(id), None, None) => About::Subject(id),
        (None, Some(id), None) => About::Client(id),
        (None, None, Some(id)) => About::Visit(id),
        (_, _, Some(_)) => {
            return Err(ApiError::invalid(
                "appointment_id",
                "give one of subject_id, client_id and appointment_id",
            ));
        }
        _ => {
            return Err(ApiError::invalid(
                "client_id",
                "give one of subject_id, client_id and appointment_id",
            ));
        }
    };
    let limit = q.limit.unwrap_or(200).clamp(1, 1000);
    let views = q.views.unwrap_or(true);
    let rows = flows::audit::page(&state, about, views, q.before, limit).await?;
    let zone = state.zone();
    let out: Vec<AuditDto> = rows
        .into_iter()
        .map(|r| AuditDto {
            id: r.id,
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

//! The audit log (admin).

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ADMIN;
use crate::{
    domain::time::from_db,
    error::ApiResult,
    flows::{self, auth::Staff},
    state::AppState,
};

/// `GET /api/v1/staff/audit` query.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
#[utoipa::path(get, path = "/api/v1/staff/audit", tag = "staff", params(AuditQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [AuditDto])))]
#[get("/staff/audit")]
pub async fn audit(
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    staff.require(ADMIN)?;
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

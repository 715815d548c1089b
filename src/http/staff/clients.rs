//! Data-protection requests about a client: export and erasure (admin).

use actix_web::{HttpResponse, delete, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::ADMIN;
use crate::{
    domain::ids::ClientId,
    error::ApiResult,
    flows::{self, audit::Actor, auth::Staff},
    http::error::ErrorBody,
    state::AppState,
};

/// What an erasure did.
#[derive(Serialize, ToSchema)]
pub struct ErasedDto {
    pub erased: bool,
    pub cancelled_appointments: usize,
}

/// Right to erasure (admin).
#[utoipa::path(delete, path = "/api/v1/staff/clients/{id}", tag = "clients", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("bearer" = [])),
    responses((status = 200, body = ErasedDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/staff/clients/{id}")]
pub async fn erase_client(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    staff.require(ADMIN)?;
    let e = flows::clients::erase(&state, Actor::Staff(staff.user_id), ClientId(*id)).await?;
    Ok(HttpResponse::Ok().json(ErasedDto {
        erased: true,
        cancelled_appointments: e.cancelled_appointments,
    }))
}

/// Everything held about a client (admin; access requests).
#[utoipa::path(get, path = "/api/v1/staff/clients/{id}/export", tag = "clients", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/staff/clients/{id}/export")]
pub async fn export_client(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    staff.require(ADMIN)?;
    let data = flows::clients::export(&state, Actor::Staff(staff.user_id), ClientId(*id)).await?;
    Ok(HttpResponse::Ok().json(data))
}

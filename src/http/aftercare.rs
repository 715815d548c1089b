//! The client's aftercare check-in: the secret of the `irritation_check` email's link (or the
//! booking's manage token) as `Authorization: Bearer <secret>`.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    error::ErrorBody,
    extract::{Json, bearer},
};
use crate::{
    domain::{
        aftercare::{Answers, Redness},
        ids::AppointmentId,
    },
    error::ApiResult,
    flows::aftercare,
    state::AppState,
};

/// The visit an aftercare link opens.
#[derive(Serialize, ToSchema)]
pub struct AftercareVisitDto {
    /// Post the check-in to `/api/v1/bookings/{appointment_id}/aftercare`.
    pub appointment_id: Uuid,
    /// The visit's start, RFC 3339 in the clinic's offset.
    pub start: String,
    /// When the client last answered (a new answer replaces it); `null` before the first.
    pub answered_at: Option<String>,
}

/// The visit the aftercare link's secret opens (only an aftercare link's secret: a manage
/// token names no single visit, 401).
#[utoipa::path(get, path = "/api/v1/aftercare", tag = "manage",
    security(("manage_token" = [])),
    responses((status = 200, body = AftercareVisitDto), (status = 401, body = ErrorBody)))]
#[get("/aftercare")]
pub async fn aftercare_visit(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> ApiResult<HttpResponse> {
    let v = aftercare::link_visit(&state, bearer(&req)).await?;
    let zone = state.zone();
    Ok(HttpResponse::Ok().json(AftercareVisitDto {
        appointment_id: v.appointment_id.0,
        start: zone.rfc3339(v.start),
        answered_at: v.answered_at.map(|t| zone.rfc3339(t)),
    }))
}

/// `POST /api/v1/bookings/{id}/aftercare`: how the treated skin is.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AftercareBody {
    pub redness: Redness,
    pub swelling: bool,
    /// Pain that gets worse (rather than better).
    pub pain_increasing: bool,
    pub pus_or_fever: bool,
    pub blisters_or_cold_sore: bool,
    /// Anything else, as the client typed it (at most 2000 characters).
    #[serde(default)]
    pub notes: Option<String>,
}

/// The answer to a check-in.
#[derive(Serialize, ToSchema)]
pub struct AftercareAnswerDto {
    /// The answers show a warning sign (`domain::aftercare`): the clinic has been told.
    /// `false`: what the client describes is normal healing.
    pub alert: bool,
}

/// The client's aftercare check-in for a completed microneedling visit (one per visit: a new
/// answer replaces the earlier one and alerts the clinic again only if it is worse).
#[utoipa::path(post, path = "/api/v1/bookings/{id}/aftercare", tag = "manage", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("manage_token" = [])), request_body = AftercareBody,
    responses((status = 201, body = AftercareAnswerDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/bookings/{id}/aftercare")]
pub async fn submit_aftercare(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<AftercareBody>,
) -> ApiResult<HttpResponse> {
    let b = body.value;
    let submission = aftercare::Submission {
        answers: Answers {
            redness: b.redness,
            swelling: b.swelling,
            pain_increasing: b.pain_increasing,
            pus_or_fever: b.pus_or_fever,
            blisters_or_cold_sore: b.blisters_or_cold_sore,
        },
        notes: b.notes,
    };
    let alert = aftercare::submit(&state, bearer(&req), AppointmentId(*id), submission).await?;
    Ok(HttpResponse::Created().json(AftercareAnswerDto { alert }))
}

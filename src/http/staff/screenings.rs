//! Screenings for staff: the list, one with its answers (audited), a clinician's review.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::CLINICIANS;
use crate::{
    domain::{
        ids::ScreeningId,
        screening::{Concern, Outcome, Reason, ReviewDecision},
        time::ClinicZone,
    },
    error::ApiResult,
    flows::{
        self,
        auth::Staff,
        screening::{ScreeningDetail, ScreeningSummary},
    },
    http::{error::ErrorBody, extract::Json},
    state::AppState,
};

/// `GET /api/v1/staff/screenings` query.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScreeningListQuery {
    pub outcome: Option<Outcome>,
}

/// A screening as reception lists it (no answers).
#[derive(Serialize, ToSchema)]
pub struct ScreeningSummaryDto {
    pub id: Uuid,
    pub client_id: Uuid,
    pub client_name: Option<String>,
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    pub created_at: String,
    pub valid_until: String,
    pub review_decision: Option<ReviewDecision>,
}

impl ScreeningSummaryDto {
    fn new(s: ScreeningSummary, zone: &ClinicZone) -> Self {
        Self {
            id: s.id.0,
            client_id: s.client_id.0,
            client_name: s.client_name,
            outcome: s.outcome,
            reasons: s.reasons,
            created_at: zone.rfc3339(s.created_at),
            valid_until: zone.rfc3339(s.valid_until),
            review_decision: s.review_decision,
        }
    }
}

/// Lists screenings, newest first (admin, reception, practitioner).
#[utoipa::path(get, path = "/api/v1/staff/screenings", tag = "staff", params(ScreeningListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [ScreeningSummaryDto])))]
#[get("/staff/screenings")]
pub async fn list_screenings(
    state: web::Data<AppState>,
    _staff: Staff,
    q: web::Query<ScreeningListQuery>,
) -> ApiResult<HttpResponse> {
    let zone = state.zone();
    let out: Vec<ScreeningSummaryDto> = flows::screening::list(&state, q.outcome)
        .await?
        .into_iter()
        .map(|s| ScreeningSummaryDto::new(s, zone))
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// A screening with its answers (staff only: health data).
#[derive(Serialize, ToSchema)]
pub struct ScreeningDetailDto {
    #[serde(flatten)]
    pub summary: ScreeningSummaryDto,
    pub questionnaire_version: String,
    #[schema(value_type = Object)]
    pub answers: serde_json::Value,
    /// The skin concerns the client named (for a re-confirmation: none).
    pub concerns: Vec<Concern>,
    pub review_note: Option<String>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<String>,
}

impl ScreeningDetailDto {
    fn new(d: ScreeningDetail, zone: &ClinicZone) -> Self {
        Self {
            summary: ScreeningSummaryDto::new(d.summary, zone),
            questionnaire_version: d.questionnaire_version,
            answers: d.answers,
            concerns: d.concerns,
            review_note: d.review_note,
            reviewed_by: d.reviewed_by.map(|u| u.0),
            reviewed_at: d.reviewed_at.map(|t| zone.rfc3339(t)),
        }
    }
}

/// Reads one screening with its answers; the read is audited.
#[utoipa::path(get, path = "/api/v1/staff/screenings/{id}", tag = "staff", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("bearer" = [])),
    responses((status = 200, body = ScreeningDetailDto), (status = 404, body = ErrorBody)))]
#[get("/staff/screenings/{id}")]
pub async fn get_screening(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let d = flows::screening::detail(&state, staff.user_id, ScreeningId(*id)).await?;
    Ok(HttpResponse::Ok().json(ScreeningDetailDto::new(d, state.zone())))
}

/// `POST /api/v1/staff/screenings/{id}/review`.
#[derive(Deserialize, ToSchema)]
pub struct ReviewBody {
    pub decision: ReviewDecision,
    pub note: String,
}

/// A clinician approves or rejects a `needs_review` screening (admin, practitioner).
#[utoipa::path(post, path = "/api/v1/staff/screenings/{id}/review", tag = "staff", params(("id" = uuid::Uuid, Path, description = "the resource id")), request_body = ReviewBody,
    security(("bearer" = [])),
    responses((status = 200, body = ScreeningDetailDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/staff/screenings/{id}/review")]
pub async fn review_screening(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    body: Json<ReviewBody>,
) -> ApiResult<HttpResponse> {
    staff.require(CLINICIANS)?;
    let b = body.value;
    let d = flows::screening::review(&state, staff.user_id, ScreeningId(*id), b.decision, &b.note)
        .await?;
    Ok(HttpResponse::Ok().json(ScreeningDetailDto::new(d, state.zone())))
}

//! Clients at the desk: the search when booking (admin, reception), a client's screening
//! history (every staff role, audited), and the data-protection requests, export and erasure
//! (admin).

use actix_web::{HttpResponse, delete, get, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ADMIN, CLINICAL, DESK};
use crate::{
    domain::{
        ids::ClientId,
        screening::{Outcome, QuestionnaireVersion, Reason, ReviewDecision},
        time::ClinicZone,
    },
    error::ApiResult,
    flows::{
        self,
        audit::Actor,
        auth::Staff,
        clients::{Found, PastScreening, ValidScreening},
    },
    http::error::ErrorBody,
    state::AppState,
};

/// `GET /api/v1/staff/clients` query.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientSearchQuery {
    /// Part of the name, email or phone: 2 to 100 characters, case-insensitive. Missing is
    /// the same as empty (422 naming `q`), so it is documented as required.
    #[serde(default)]
    #[param(required = true)]
    pub q: String,
}

/// The newest screening of a found client that is still valid.
#[derive(Serialize, ToSchema)]
pub struct ValidScreeningDto {
    pub id: Uuid,
    pub outcome: Outcome,
    pub review_decision: Option<ReviewDecision>,
    pub created_at: String,
    pub valid_until: String,
    /// The first local day a treatment may take place (null when none).
    #[schema(value_type = Option<String>, format = Date, example = "2027-05-14")]
    pub eligible_from: Option<String>,
    pub numbing_cream_allowed: bool,
    /// Whether booking accepts this screening now (eligible, or approved by a clinician, and
    /// still valid); the booking itself decides again.
    pub allows_booking: bool,
}

impl ValidScreeningDto {
    fn new(s: ValidScreening, zone: &ClinicZone) -> Self {
        Self {
            id: s.id.0,
            outcome: s.outcome,
            review_decision: s.review_decision,
            created_at: zone.rfc3339(s.created_at),
            valid_until: zone.rfc3339(s.valid_until),
            eligible_from: s.eligible_from.map(|d| d.to_string()),
            numbing_cream_allowed: s.numbing_cream_allowed,
            allows_booking: s.allows_booking,
        }
    }
}

/// A client the search found.
#[derive(Serialize, ToSchema)]
pub struct FoundClientDto {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    /// The client's newest screening that is still valid (whatever its outcome), or null.
    pub screening: Option<ValidScreeningDto>,
}

impl FoundClientDto {
    fn new(c: Found, zone: &ClinicZone) -> Self {
        Self {
            id: c.id.0,
            name: c.name,
            email: c.email,
            phone: c.phone,
            screening: c.screening.map(|s| ValidScreeningDto::new(s, zone)),
        }
    }
}

/// What a client search found.
#[derive(Serialize, ToSchema)]
pub struct ClientSearchDto {
    /// At most 20, by name.
    pub clients: Vec<FoundClientDto>,
    /// More clients match: the desk types more to narrow it down.
    pub more: bool,
}

/// Finds clients by part of their name, email or phone (admin, reception: booking is the
/// desk's job). Erased clients are never listed. Audited as `client.search` (the number and
/// ids of the clients shown, not the text searched for).
#[utoipa::path(get, path = "/api/v1/staff/clients", tag = "clients",
    params(ClientSearchQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ClientSearchDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/staff/clients")]
pub async fn search_clients(
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<ClientSearchQuery>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    let found = flows::clients::search(&state, staff.user_id, &q.q).await?;
    let zone = state.zone();
    Ok(HttpResponse::Ok().json(ClientSearchDto {
        clients: found
            .clients
            .into_iter()
            .map(|c| FoundClientDto::new(c, zone))
            .collect(),
        more: found.more,
    }))
}

/// Who reviewed a screening.
#[derive(Serialize, ToSchema)]
pub struct ReviewerDto {
    pub id: Uuid,
    /// The staff login's email (null when the login no longer exists).
    pub email: Option<String>,
}

/// One screening of a client's history (no answers).
#[derive(Serialize, ToSchema)]
pub struct PastScreeningDto {
    pub id: Uuid,
    pub created_at: String,
    pub questionnaire_version: QuestionnaireVersion,
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    #[schema(value_type = Option<String>, format = Date, example = "2027-05-14")]
    pub eligible_from: Option<String>,
    pub valid_until: String,
    /// A visit's health re-confirmation (rather than a screening before booking).
    pub reconfirmation: bool,
    pub review_decision: Option<ReviewDecision>,
    pub review_note: Option<String>,
    pub reviewed_at: Option<String>,
    pub reviewed_by: Option<ReviewerDto>,
}

impl PastScreeningDto {
    fn new(s: PastScreening, zone: &ClinicZone) -> Self {
        Self {
            id: s.id.0,
            created_at: zone.rfc3339(s.created_at),
            questionnaire_version: s.questionnaire_version,
            outcome: s.outcome,
            reasons: s.reasons,
            eligible_from: s.eligible_from.map(|d| d.to_string()),
            valid_until: zone.rfc3339(s.valid_until),
            reconfirmation: s.reconfirmation,
            review_decision: s.review_decision,
            review_note: s.review_note,
            reviewed_at: s.reviewed_at.map(|t| zone.rfc3339(t)),
            reviewed_by: s
                .reviewed_by
                .map(|(id, email)| ReviewerDto { id: id.0, email }),
        }
    }
}

/// A client's screenings, newest first, with outcomes and reviews but not the answers (every
/// staff role, as screenings are; audited as `client.screenings.view`).
#[utoipa::path(get, path = "/api/v1/staff/clients/{id}/screenings", tag = "clients",
    params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("bearer" = [])),
    responses((status = 200, body = [PastScreeningDto]), (status = 404, body = ErrorBody)))]
#[get("/staff/clients/{id}/screenings")]
pub async fn client_screenings(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    staff.require(CLINICAL)?;
    let rows = flows::clients::screening_history(&state, staff.user_id, ClientId(*id)).await?;
    let zone = state.zone();
    let out: Vec<PastScreeningDto> = rows
        .into_iter()
        .map(|s| PastScreeningDto::new(s, zone))
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

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

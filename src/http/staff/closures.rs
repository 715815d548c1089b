//! Clinic-wide closure days (holidays): read by all staff, changed by an admin.

use actix_web::{HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ADMIN;
use crate::{
    domain::time::parse_date,
    error::{ApiError, ApiResult},
    flows::{self, auth::Staff, closures::Closure},
    http::{error::ErrorBody, extract::Json},
    state::AppState,
};

/// One closure day.
#[derive(Serialize, ToSchema)]
pub struct ClosureDto {
    /// The local date in the clinic zone, `YYYY-MM-DD`.
    pub date: String,
    pub reason: Option<String>,
}

impl ClosureDto {
    pub fn new(c: &Closure) -> Self {
        Self {
            date: c.date.to_string(),
            reason: c.reason.clone(),
        }
    }
}

/// `GET /api/v1/staff/closures` query (local dates).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClosuresQuery {
    /// First date (default: today).
    pub from: Option<String>,
    /// Last date (default: no end).
    pub to: Option<String>,
}

/// The closure days from today (or `from`) on, by date (all staff).
#[utoipa::path(get, path = "/api/v1/staff/closures", tag = "staff", params(ClosuresQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [ClosureDto]), (status = 422, body = ErrorBody)))]
#[get("/staff/closures")]
pub async fn list_closures(
    state: web::Data<AppState>,
    _staff: Staff,
    q: web::Query<ClosuresQuery>,
) -> ApiResult<HttpResponse> {
    let date = |field: &'static str, v: &Option<String>| {
        v.as_deref()
            .map(|s| parse_date(s).map_err(|m| ApiError::invalid(field, m)))
            .transpose()
    };
    let (from, to) = (date("from", &q.from)?, date("to", &q.to)?);
    let out: Vec<ClosureDto> = flows::closures::list(&state, from, to)
        .await?
        .iter()
        .map(ClosureDto::new)
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// `POST /api/v1/staff/closures`.
#[derive(Deserialize, ToSchema)]
pub struct NewClosureBody {
    /// A local date, `YYYY-MM-DD`, today or later.
    pub date: String,
    /// Shown to staff (at most 200 characters).
    pub reason: Option<String>,
}

/// A created closure day and the visits still open on it.
#[derive(Serialize, ToSchema)]
pub struct NewClosureDto {
    pub date: String,
    pub reason: Option<String>,
    /// Visits still booked or checked in that day: nothing is cancelled automatically; the
    /// desk moves or cancels each (and the client is told then).
    pub conflicts: Vec<Uuid>,
}

/// Closes the clinic for a local day (admin): no practitioner is offered or bookable that day.
#[utoipa::path(post, path = "/api/v1/staff/closures", tag = "staff", request_body = NewClosureBody,
    security(("bearer" = [])),
    responses((status = 201, body = NewClosureDto), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/staff/closures")]
pub async fn add_closure(
    state: web::Data<AppState>,
    staff: Staff,
    body: Json<NewClosureBody>,
) -> ApiResult<HttpResponse> {
    staff.require(ADMIN)?;
    let b = body.value;
    let date = parse_date(&b.date).map_err(|m| ApiError::invalid("date", m))?;
    let (c, conflicts) = flows::closures::add(&state, &staff, date, b.reason).await?;
    Ok(HttpResponse::Created().json(NewClosureDto {
        date: c.date.to_string(),
        reason: c.reason,
        conflicts: conflicts.iter().map(|a| a.0).collect(),
    }))
}

/// Opens a closed day again (admin); 404 if it was not closed.
#[utoipa::path(delete, path = "/api/v1/staff/closures/{date}", tag = "staff",
    params(("date" = String, Path, description = "the local date, YYYY-MM-DD")),
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[delete("/staff/closures/{date}")]
pub async fn remove_closure(
    state: web::Data<AppState>,
    staff: Staff,
    date: web::Path<String>,
) -> ApiResult<HttpResponse> {
    staff.require(ADMIN)?;
    // A path that is not a date names no closure: 404, like a malformed id.
    let date = parse_date(&date).map_err(|_| ApiError::NotFound)?;
    flows::closures::remove(&state, &staff, date).await?;
    Ok(HttpResponse::NoContent().finish())
}

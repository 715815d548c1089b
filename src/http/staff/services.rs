//! The services' catalogue: an admin changes a service's listed name, treatment length and price.

use actix_web::{HttpResponse, put, web};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use super::ADMIN;
use crate::{
    domain::service::{Price, Service},
    error::{ApiError, ApiResult},
    flows::{self, auth::Staff, services::Change},
    http::{error::ErrorBody, extract::Json, public::ServiceDto},
    state::AppState,
};

/// `PUT /api/v1/staff/services/{code}`: only the fields given change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceChangeBody {
    /// The listed name (1 to 100 characters). Emails keep the templates' own service names.
    pub name: Option<String>,
    /// The treatment's length: 15 to 480 minutes, a multiple of `booking.slot_step`. Applies to
    /// visits booked or moved from now on; booked visits keep their end.
    pub duration_minutes: Option<i64>,
    /// `{"amount_minor", "currency"}`, or null to show no price; absent keeps it.
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable, value_type = Option<Price>)]
    pub price: Option<Option<Price>>,
}

/// A field that is present (null included) is `Some`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// Changes a service (admin): 200 with the service as `GET /api/v1/services` lists it.
#[utoipa::path(put, path = "/api/v1/staff/services/{code}", tag = "staff",
    params(("code" = Service, Path, description = "the service's code")),
    request_body = ServiceChangeBody, security(("bearer" = [])),
    responses((status = 200, body = ServiceDto), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/staff/services/{code}")]
pub async fn update_service(
    state: web::Data<AppState>,
    staff: Staff,
    code: web::Path<String>,
    body: Json<ServiceChangeBody>,
) -> ApiResult<HttpResponse> {
    staff.require(ADMIN)?;
    let service = Service::from_code(&code).ok_or(ApiError::NotFound)?;
    let b = body.value;
    if b.name.is_none() && b.duration_minutes.is_none() && b.price.is_none() {
        return Err(ApiError::invalid(
            "body",
            "give name, duration_minutes or price",
        ));
    }
    let offer = flows::services::update(
        &state,
        staff.user_id,
        service,
        Change {
            name: b.name,
            duration_minutes: b.duration_minutes,
            price: b.price,
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(ServiceDto::new(offer)))
}

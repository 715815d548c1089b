//! Consent before the needle, for the client (manage token or an email link's secret) and the
//! shapes the desk's consent route shares.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{error::ErrorBody, extract::Json, extract::bearer};
use crate::{
    domain::{
        consent::{ConsentSource, ConsentState},
        ids::AppointmentId,
        time::ClinicZone,
    },
    error::ApiResult,
    flows::consent::{self, ConsentView},
    state::AppState,
};

/// A signature of a consent text (immutable).
#[derive(Serialize, ToSchema)]
pub struct SignatureDto {
    /// When it was signed (RFC 3339 in the clinic's offset).
    pub at: String,
    /// The full name the client typed; `null` after the client's erasure.
    pub by: Option<String>,
    /// The version of the text signed; when it differs from the consent's `version`, the
    /// client must sign again before check-in.
    pub version: String,
    /// `client_link` (manage page) or `desk`.
    pub via: ConsentSource,
    /// The staff user who recorded it at the desk (`null` for the client's own).
    pub staff_user_id: Option<Uuid>,
}

/// A visit's consent: the text in force (in `clinic.language`) and the booking's latest
/// signature. A signature covers every session of its booking (a course).
#[derive(Serialize, ToSchema)]
pub struct ConsentDto {
    /// Whether this treatment needs a signed consent (microneedling yes, a skin consultation
    /// no: then `version`, `title` and `text` are null).
    pub required: bool,
    /// The version in force.
    pub version: Option<String>,
    pub title: Option<String>,
    /// Plain text (paragraphs separated by blank lines): show it as text, never as HTML.
    pub text: Option<String>,
    /// The booking's latest signature (of any version), or null.
    pub signed: Option<SignatureDto>,
    /// `not_needed`, `missing`, `outdated` (only an older version signed) or `signed` (the
    /// current version): check-in needs `not_needed` or `signed`.
    pub state: ConsentState,
}

impl ConsentDto {
    pub fn new(v: ConsentView, zone: &ClinicZone) -> Self {
        Self {
            required: v.required,
            version: v.version,
            title: v.title,
            text: v.text,
            signed: v.signed.map(|s| SignatureDto {
                at: zone.rfc3339(s.at),
                by: s.by,
                version: s.version,
                via: s.via,
                staff_user_id: s.staff_user_id,
            }),
            state: v.state,
        }
    }
}

/// `POST .../consent`: the typed full name and the explicit tick.
#[derive(Deserialize, ToSchema)]
pub struct ConsentBody {
    /// The client's full name, typed (non-empty, at most 200 characters).
    #[serde(default)]
    pub full_name: String,
    /// Must be `true`: the client has read and agrees to the text.
    #[serde(default)]
    pub agree: bool,
}

/// The answer to a signature: 201 when it was recorded, 200 when the booking already held a
/// signature of this version (the first one stands, nothing is written).
pub fn signed_response(v: ConsentView, created: bool, zone: &ClinicZone) -> HttpResponse {
    let dto = ConsentDto::new(v, zone);
    if created {
        HttpResponse::Created().json(dto)
    } else {
        HttpResponse::Ok().json(dto)
    }
}

/// The visit's consent text (current version) and the booking's signature.
#[utoipa::path(get, path = "/api/v1/bookings/{id}/consent", tag = "manage", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("manage_token" = [])),
    responses((status = 200, body = ConsentDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/bookings/{id}/consent")]
pub async fn get_consent(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let v = consent::for_client(&state, bearer(&req), AppointmentId(*id)).await?;
    Ok(HttpResponse::Ok().json(ConsentDto::new(v, state.zone())))
}

/// The client signs the current consent version before the visit (typed full name, `agree`
/// true). 201 with the signature; 200 with the first signature when this version was already
/// signed for the booking (a signature is never changed); 409 once the visit has started or is
/// no longer booked, or for a treatment that needs no consent; 422 naming `full_name` / `agree`.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/consent", tag = "manage", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    security(("manage_token" = [])), request_body = ConsentBody,
    responses((status = 201, body = ConsentDto), (status = 200, body = ConsentDto), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/bookings/{id}/consent")]
pub async fn sign_consent(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: Json<ConsentBody>,
) -> ApiResult<HttpResponse> {
    let b = body.value;
    let (v, created) = consent::sign_as_client(
        &state,
        bearer(&req),
        AppointmentId(*id),
        &b.full_name,
        b.agree,
    )
    .await?;
    Ok(signed_response(v, created, state.zone()))
}

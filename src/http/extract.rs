//! Request extractors that turn bad input into the API's JSON errors.

use std::{collections::BTreeMap, future::Future, pin::Pin};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use jiff::Timestamp;
use serde::{Deserialize, Deserializer, de::DeserializeOwned};

use crate::{
    error::ApiError,
    flows::auth::{self, Staff},
    state::AppState,
};

/// Largest accepted JSON body.
const MAX_BODY: usize = 64 * 1024;

/// A JSON body: unreadable JSON is a 400, JSON of the wrong shape a 422 naming the field.
pub struct Json<T> {
    pub value: T,
    /// The body as parsed JSON, canonical (sorted keys), for idempotency hashing; computed only
    /// when the request carries an `Idempotency-Key`.
    pub canonical: Option<String>,
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        let has_key = req.headers().contains_key("Idempotency-Key");
        Box::pin(async move {
            let bytes = bytes
                .await
                .map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
            if bytes.len() > MAX_BODY {
                return Err(ApiError::BadRequest("the body is too large".into()));
            }
            let raw: serde_json::Value = serde_json::from_slice(&bytes)
                .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
            let canonical = has_key.then(|| raw.to_string());
            let value = serde_path_to_error::deserialize(raw).map_err(|e| {
                let path = e.path().to_string();
                let field = if path == "." { "body".to_owned() } else { path };
                let mut m = BTreeMap::new();
                m.insert(field, e.into_inner().to_string());
                ApiError::Validation(m)
            })?;
            Ok(Json { value, canonical })
        })
    }
}

/// An RFC 3339 instant with an offset; a local time without one is rejected.
#[derive(Debug, Clone, Copy)]
pub struct Instant(pub Timestamp);

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        crate::domain::time::parse_instant(&s)
            .map(Instant)
            .map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Instant {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::DateTime,
            )))
            .into()
    }
}

impl utoipa::ToSchema for Instant {}

/// The bearer token of the `Authorization` header.
pub fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// A logged-in staff member (401 otherwise). Role checks are per route.
impl FromRequest for Staff {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let req = req.clone();
        Box::pin(async move {
            let (Some(token), Some(state)) = (token, state) else {
                return Err(ApiError::Unauthorized);
            };
            let staff = auth::authenticate(&state, &token).await?;
            tracing::Span::current().record("staff_user", tracing::field::display(staff.user_id));
            req.extensions_mut().insert(staff);
            Ok(staff)
        })
    }
}

/// The optional `Idempotency-Key` header (1 to 200 visible ASCII characters).
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(v) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let v = v
        .to_str()
        .map_err(|_| ApiError::invalid("Idempotency-Key", "must be visible ASCII"))?;
    if v.is_empty() || v.len() > 200 || !v.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid(
            "Idempotency-Key",
            "must be 1 to 200 visible ASCII characters",
        ));
    }
    Ok(Some(v.to_owned()))
}

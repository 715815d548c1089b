//! Staff login and logout.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    error::{ApiError, ApiResult},
    flows::{
        self,
        auth::{Role, Staff},
    },
    http::{error::ErrorBody, extract::Json},
    state::AppState,
};

/// `POST /api/v1/auth/login`.
#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
}

/// A staff session.
#[derive(Serialize, ToSchema)]
pub struct LoginDto {
    pub token: String,
    pub expires_at: String,
    pub role: Role,
}

/// Staff login.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "staff", request_body = LoginBody,
    responses((status = 200, body = LoginDto), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/auth/login")]
pub async fn login(state: web::Data<AppState>, body: Json<LoginBody>) -> ApiResult<HttpResponse> {
    let s = flows::auth::login(&state, &body.value.email, &body.value.password).await?;
    Ok(HttpResponse::Ok().json(LoginDto {
        token: s.token,
        expires_at: state.zone().rfc3339(s.expires_at),
        role: s.role,
    }))
}

/// Staff logout: ends the session of the bearer token sent (204). The token is refused (401)
/// from then on; other sessions of the same user stay valid.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "staff", security(("bearer" = [])),
    responses((status = 204, description = "the session is ended"), (status = 401, body = ErrorBody)))]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let token = crate::http::extract::bearer(&req).ok_or(ApiError::Unauthorized)?;
    flows::auth::logout(&state, &staff, &token).await?;
    Ok(HttpResponse::NoContent().finish())
}

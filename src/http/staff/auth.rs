//! Staff login.

use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    error::ApiResult,
    flows::{self, auth::Role},
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

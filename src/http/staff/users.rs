//! Staff users and roles (admin).

use actix_web::{HttpResponse, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ADMIN;
use crate::{
    domain::ids::{PractitionerId, StaffUserId},
    error::ApiResult,
    flows::{
        self,
        auth::{NewUser, Role, Staff},
        staff::StaffUser,
    },
    http::{error::ErrorBody, extract::Json},
    state::AppState,
};

/// `POST /api/v1/staff/users`.
#[derive(Deserialize, ToSchema)]
pub struct NewUserBody {
    pub email: String,
    pub password: String,
    pub role: Role,
    /// Links a practitioner login to its practitioner record.
    pub practitioner_id: Option<Uuid>,
}

/// A created user.
#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
}

/// Creates a staff user (admin).
#[utoipa::path(post, path = "/api/v1/staff/users", tag = "staff", request_body = NewUserBody,
    security(("bearer" = [])),
    responses((status = 201, body = UserDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/staff/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    staff: Staff,
    body: Json<NewUserBody>,
) -> ApiResult<HttpResponse> {
    staff.require(ADMIN)?;
    let b = body.value;
    let email = b.email.trim().to_lowercase();
    let id = flows::auth::create_user(
        &state,
        NewUser {
            email: email.clone(),
            password: b.password,
            role: b.role,
            practitioner_id: b.practitioner_id.map(PractitionerId),
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(UserDto {
        id: id.0,
        email,
        role: b.role,
    }))
}

/// A staff user.
#[derive(Serialize, ToSchema)]
pub struct StaffUserDto {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub practitioner_id: Option<Uuid>,
}

impl From<StaffUser> for StaffUserDto {
    fn from(u: StaffUser) -> Self {
        Self {
            id: u.id.0,
            email: u.email,
            role: u.role,
            practitioner_id: u.practitioner_id.map(|p| p.0),
        }
    }
}

/// Staff users (admin).
#[utoipa::path(get, path = "/api/v1/staff/users", tag = "staff", security(("bearer" = [])),
    responses((status = 200, body = [StaffUserDto])))]
#[get("/staff/users")]
pub async fn list_users(state: web::Data<AppState>, staff: Staff) -> ApiResult<HttpResponse> {
    staff.require(ADMIN)?;
    let users: Vec<StaffUserDto> = flows::staff::list_users(&state)
        .await?
        .into_iter()
        .map(StaffUserDto::from)
        .collect();
    Ok(HttpResponse::Ok().json(users))
}

/// `PUT /api/v1/staff/users/{id}/role`.
#[derive(Deserialize, ToSchema)]
pub struct RoleBody {
    pub role: Role,
    pub practitioner_id: Option<Uuid>,
}

/// Sets a user's role (admin); an admin cannot demote themselves.
#[utoipa::path(put, path = "/api/v1/staff/users/{id}/role", tag = "staff", params(("id" = uuid::Uuid, Path, description = "the resource id")), request_body = RoleBody,
    security(("bearer" = [])),
    responses((status = 200, body = StaffUserDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[put("/staff/users/{id}/role")]
pub async fn set_role(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    body: Json<RoleBody>,
) -> ApiResult<HttpResponse> {
    staff.require(ADMIN)?;
    let b = body.value;
    let u = flows::staff::set_role(
        &state,
        staff,
        StaffUserId(*id),
        b.role,
        b.practitioner_id.map(PractitionerId),
    )
    .await?;
    Ok(HttpResponse::Ok().json(StaffUserDto::from(u)))
}

//! Staff users and their roles (admin).

use serde_json::json;
use tracing::info;

use crate::{
    domain::ids::{PractitionerId, StaffUserId},
    error::{ApiError, ApiResult},
    flows::{
        audit::{self, Actor},
        auth::{Role, Staff},
    },
    state::AppState,
    store::{self, entities::staff_user},
};

/// A staff user (never their password hash).
pub struct StaffUser {
    pub id: StaffUserId,
    pub email: String,
    pub role: Role,
    pub practitioner_id: Option<PractitionerId>,
}

impl From<staff_user::Model> for StaffUser {
    fn from(u: staff_user::Model) -> Self {
        Self {
            id: StaffUserId(u.id),
            role: u.role,
            email: u.email,
            practitioner_id: u.practitioner_id.map(PractitionerId),
        }
    }
}

/// All staff users, by email.
pub async fn list_users(state: &AppState) -> ApiResult<Vec<StaffUser>> {
    Ok(store::staff::list_users(&state.db)
        .await?
        .into_iter()
        .map(StaffUser::from)
        .collect())
}

/// Sets a user's role and practitioner link (admin); an admin cannot change their own role (no
/// lock-out by mistake). Audited as `staff.role` with the roles before and after, in the same
/// transaction as the change.
pub async fn set_role(
    state: &AppState,
    by: Staff,
    id: StaffUserId,
    role: Role,
    practitioner_id: Option<PractitionerId>,
) -> ApiResult<StaffUser> {
    if by.user_id == id {
        return Err(ApiError::Conflict(
            "admins cannot change their own role".into(),
        ));
    }
    crate::flows::practitioners::check_link(state, practitioner_id).await?;
    let tx = store::begin_write(&state.db).await?;
    let before = store::staff::find(&tx, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    let after = store::staff::set_role(&tx, id.0, role, practitioner_id.map(|p| p.0))
        .await?
        .ok_or(ApiError::NotFound)?;
    audit::record(
        &tx,
        state,
        Actor::Staff(by.user_id),
        "staff.role",
        "staff_user",
        id.0,
        Some(json!({
            "from": before.role,
            "to": after.role,
            "practitioner_from": before.practitioner_id,
            "practitioner_to": after.practitioner_id,
        })),
    )
    .await?;
    tx.commit().await?;
    info!(user_id = %id, role = role.as_str(), "staff role changed");
    Ok(after.into())
}

//! Staff login, sessions, roles and creating users (listing users and changing roles: `staff`).

use std::time::Duration;

use jiff::Timestamp;

use tracing::{info, warn};
use uuid::Uuid;

use crate::{
    domain::{
        client::mask_email,
        ids::{PractitionerId, StaffUserId},
        time::{from_db, sdur, to_db},
    },
    error::{ApiError, ApiResult},
    secret,
    state::AppState,
    store::{self, entities::staff_user},
};

pub use crate::domain::role::Role;

/// An authenticated staff member.
#[derive(Debug, Clone, Copy)]
pub struct Staff {
    pub user_id: StaffUserId,
    pub role: Role,
    /// For practitioners: their own practitioner record.
    pub practitioner_id: Option<PractitionerId>,
}

impl Staff {
    /// Passes when the role is one of `allowed`.
    pub fn require(&self, allowed: &[Role]) -> ApiResult<()> {
        if allowed.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

/// Failed logins before an account is locked.
const LOCK_AFTER: i32 = 5;
/// First lockout; it doubles with each further failure, up to an hour.
const LOCK_BASE: Duration = Duration::from_secs(60);

/// A new session.
pub struct Session {
    pub token: String,
    pub expires_at: Timestamp,
    pub role: Role,
}

/// Checks email and password; locks the account for a while after repeated failures.
pub async fn login(state: &AppState, email: &str, password: &str) -> ApiResult<Session> {
    let email = email.trim().to_lowercase();
    let now = state.now();
    let user = store::staff::find_by_email(&state.db, &email).await?;
    let phc = user
        .as_ref()
        .map_or(secret::DUMMY_HASH.to_owned(), |u| u.password_hash.clone());
    let pw = password.to_owned();
    // Always verify (against a dummy for unknown emails) so timing tells nothing.
    let ok = tokio::task::spawn_blocking(move || secret::verify_password(&pw, &phc))
        .await
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("password check")))?;
    let Some(user) = user else {
        warn!(email = %mask_email(&email), "login for unknown email");
        return Err(ApiError::Unauthorized);
    };
    if user.locked_until.is_some_and(|t| from_db(t) > now) {
        warn!(user_id = %user.id, "login while locked");
        return Err(ApiError::RateLimited);
    }
    if !ok {
        let failures = user.failed_logins + 1;
        let locked = (failures >= LOCK_AFTER).then(|| {
            let factor = 1u32 << (failures - LOCK_AFTER).min(6) as u32;
            to_db(now + sdur((LOCK_BASE * factor).min(Duration::from_secs(3600))))
        });
        store::staff::record_login(&state.db, user.id, failures, locked).await?;
        warn!(user_id = %user.id, failures, "failed login");
        return Err(ApiError::Unauthorized);
    }
    let role = user.role;
    if user.failed_logins != 0 || user.locked_until.is_some() {
        store::staff::record_login(&state.db, user.id, 0, None).await?;
    }
    let token = secret::new_token();
    let expires_at = now + sdur(state.settings.auth.token_ttl);
    store::staff::insert_session(
        &state.db,
        secret::token_hash(&token),
        user.id,
        to_db(expires_at),
        to_db(now),
    )
    .await?;
    info!(user_id = %user.id, role = role.as_str(), "staff login");
    Ok(Session {
        token,
        expires_at,
        role,
    })
}

/// The staff member behind a bearer token, if the token is known and unexpired.
pub async fn authenticate(state: &AppState, token: &str) -> ApiResult<Staff> {
    if !secret::is_token_shaped(token) {
        return Err(ApiError::Unauthorized);
    }
    let user =
        store::staff::session_user(&state.db, &secret::token_hash(token), to_db(state.now()))
            .await?
            .ok_or(ApiError::Unauthorized)?;
    Ok(Staff {
        user_id: StaffUserId(user.id),
        role: user.role,
        practitioner_id: user.practitioner_id.map(PractitionerId),
    })
}

/// Ends the session of `token` (the bearer that `staff` was authenticated with): its row is
/// deleted, so the token is refused (401) from then on. *Choice made:* logged like a login,
/// not written to the audit log (logins are not either; the audit log is about clients' data
/// and staff actions on it, and a desk signs out at every idle lock).
pub async fn logout(state: &AppState, staff: &Staff, token: &str) -> ApiResult<()> {
    if !store::staff::delete_session(&state.db, &secret::token_hash(token)).await? {
        // Expired or deleted between the check and now (a second logout racing this one).
        return Err(ApiError::Unauthorized);
    }
    info!(user_id = %staff.user_id, "staff logout");
    Ok(())
}

/// A new staff user's checked details.
pub struct NewUser {
    pub email: String,
    pub password: String,
    pub role: Role,
    pub practitioner_id: Option<PractitionerId>,
}

/// Minimum password length for staff.
pub const MIN_PASSWORD: usize = 10;

/// Creates a staff user (admin only at the HTTP edge; also used by bootstrap).
pub async fn create_user(state: &AppState, new: NewUser) -> ApiResult<StaffUserId> {
    let email = crate::domain::client::normalize_email(&new.email)
        .map_err(|m| ApiError::invalid("email", m))?;
    if new.password.chars().count() < MIN_PASSWORD {
        return Err(ApiError::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD} characters"),
        ));
    }
    crate::flows::practitioners::check_link(state, new.practitioner_id).await?;
    let pw = new.password;
    let hash = tokio::task::spawn_blocking(move || secret::hash_password(&pw))
        .await
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("password hash")))??;
    let id = Uuid::new_v4();
    let res = store::staff::insert_user(
        &state.db,
        staff_user::Model {
            id,
            email: email.clone(),
            password_hash: hash,
            role: new.role,
            practitioner_id: new.practitioner_id.map(|p| p.0),
            failed_logins: 0,
            locked_until: None,
            created_at: to_db(state.now()),
        },
    )
    .await;
    match res {
        Ok(()) => {
            info!(user_id = %id, role = new.role.as_str(), "staff user created");
            Ok(StaffUserId(id))
        }
        Err(e) if store::is_unique_violation(&e) => Err(ApiError::Conflict(
            "a staff user with this email exists".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Creates the configured admin when no staff user exists yet.
pub async fn bootstrap_admin(state: &AppState) -> anyhow::Result<()> {
    let b = &state.settings.bootstrap;
    let (Some(email), Some(password)) = (&b.admin_email, &b.admin_password) else {
        return Ok(());
    };
    if store::staff::count_users(&state.db).await? > 0 {
        return Ok(());
    }
    create_user(
        state,
        NewUser {
            email: email.clone(),
            password: password.expose().to_owned(),
            role: Role::Admin,
            practitioner_id: None,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("bootstrap admin: {e}"))?;
    info!(email = %mask_email(email), "bootstrap admin created");
    Ok(())
}

//! Staff users and their login sessions.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use crate::domain::role::Role;

use super::entities::{staff_session, staff_user};

/// How many staff users exist.
pub async fn count_users(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    staff_user::Entity::find().count(db).await
}

/// Inserts a user.
pub async fn insert_user(db: &impl ConnectionTrait, user: staff_user::Model) -> Result<(), DbErr> {
    staff_user::Entity::insert(staff_user::ActiveModel {
        id: Set(user.id),
        email: Set(user.email),
        password_hash: Set(user.password_hash),
        role: Set(user.role),
        practitioner_id: Set(user.practitioner_id),
        failed_logins: Set(user.failed_logins),
        locked_until: Set(user.locked_until),
        created_at: Set(user.created_at),
    })
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// The user with this (lower-cased) email.
pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<staff_user::Model>, DbErr> {
    staff_user::Entity::find()
        .filter(staff_user::Column::Email.eq(email))
        .one(db)
        .await
}

/// Records the outcome of a password check: resets or counts failures and sets a lockout.
pub async fn record_login(
    db: &impl ConnectionTrait,
    id: Uuid,
    failed_logins: i32,
    locked_until: Option<i64>,
) -> Result<(), DbErr> {
    staff_user::Entity::update_many()
        .col_expr(staff_user::Column::FailedLogins, failed_logins.into())
        .col_expr(staff_user::Column::LockedUntil, locked_until.into())
        .filter(staff_user::Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Stores a session by the hash of its token.
pub async fn insert_session(
    db: &impl ConnectionTrait,
    token_hash: String,
    user_id: Uuid,
    expires_at: i64,
    now: i64,
) -> Result<(), DbErr> {
    staff_session::Entity::insert(staff_session::ActiveModel {
        token_hash: Set(token_hash),
        user_id: Set(user_id),
        expires_at: Set(expires_at),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// The user behind an unexpired session token hash.
pub async fn session_user(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: i64,
) -> Result<Option<staff_user::Model>, DbErr> {
    let Some(session) = staff_session::Entity::find_by_id(token_hash.to_owned())
        .filter(staff_session::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    staff_user::Entity::find_by_id(session.user_id)
        .one(db)
        .await
}

/// All staff users, by email.
pub async fn list_users(db: &impl ConnectionTrait) -> Result<Vec<staff_user::Model>, DbErr> {
    use sea_orm::QueryOrder;
    staff_user::Entity::find()
        .order_by_asc(staff_user::Column::Email)
        .all(db)
        .await
}

/// Sets role and practitioner link; returns the updated user.
pub async fn set_role(
    db: &impl ConnectionTrait,
    id: Uuid,
    role: Role,
    practitioner_id: Option<Uuid>,
) -> Result<Option<staff_user::Model>, DbErr> {
    staff_user::Entity::update_many()
        .col_expr(staff_user::Column::Role, role.into())
        .col_expr(staff_user::Column::PractitionerId, practitioner_id.into())
        .filter(staff_user::Column::Id.eq(id))
        .exec(db)
        .await?;
    staff_user::Entity::find_by_id(id).one(db).await
}

/// One user by id.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<staff_user::Model>, DbErr> {
    staff_user::Entity::find_by_id(id).one(db).await
}

/// Deletes the session with this token hash (logout); whether one was deleted.
pub async fn delete_session(db: &impl ConnectionTrait, token_hash: &str) -> Result<bool, DbErr> {
    let res = staff_session::Entity::delete_by_id(token_hash.to_owned())
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}

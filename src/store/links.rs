//! The secrets of links in emails, stored as hashes (`manage_links`).

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::entities::{manage_link, outbox};

/// Records a link (its secret's hash).
pub async fn insert(db: &impl ConnectionTrait, l: manage_link::Model) -> Result<(), DbErr> {
    manage_link::Entity::insert(manage_link::ActiveModel {
        id: Set(l.id),
        booking_id: Set(l.booking_id),
        outbox_id: Set(l.outbox_id),
        secret_hash: Set(l.secret_hash),
        purpose: Set(l.purpose),
        expires_at: Set(l.expires_at),
        created_at: Set(l.created_at),
    })
    .exec_without_returning(db)
    .await
    .map(|_| ())
}

/// The link whose secret has this hash.
pub async fn by_hash(
    db: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<manage_link::Model>, DbErr> {
    manage_link::Entity::find()
        .filter(manage_link::Column::SecretHash.eq(hash))
        .one(db)
        .await
}

/// The visit an aftercare link was sent about (the appointment of the email that carried it);
/// `None` for a link of another purpose, or one whose email is gone.
pub async fn aftercare_visit(
    db: &impl ConnectionTrait,
    link: &manage_link::Model,
) -> Result<Option<uuid::Uuid>, DbErr> {
    if link.purpose != crate::domain::messages::LinkPurpose::Aftercare {
        return Ok(None);
    }
    let Some(outbox_id) = link.outbox_id else {
        return Ok(None);
    };
    Ok(outbox::Entity::find_by_id(outbox_id)
        .one(db)
        .await?
        .map(|m| m.appointment_id))
}

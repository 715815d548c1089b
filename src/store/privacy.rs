//! Data-protection storage: everything held about one client (export), and wiping it (erasure).

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::entities::{
    aftercare_alert, aftercare_report, appointment, booking, client, consent, manage_link, outbox,
    screening, session_note,
};
use crate::domain::{messages::MessageStatus, status::AppointmentStatus};

/// Everything stored about a client.
pub struct Held {
    pub client: client::Model,
    pub screenings: Vec<screening::Model>,
    pub appointments: Vec<appointment::Model>,
    pub messages: Vec<outbox::Model>,
    /// Aftercare check-ins (health answers) and the alerts they raised.
    pub aftercare: (Vec<aftercare_report::Model>, Vec<aftercare_alert::Model>),
    /// Consent signatures (kept at erasure without the typed name).
    pub consents: Vec<consent::Model>,
    /// Session records (deleted at erasure).
    pub session_notes: Vec<session_note::Model>,
}

/// Every row about the client, oldest first (`None` for an unknown client).
pub async fn held(db: &impl ConnectionTrait, client_id: Uuid) -> Result<Option<Held>, DbErr> {
    let Some(c) = client::Entity::find_by_id(client_id).one(db).await? else {
        return Ok(None);
    };
    let screenings = screening::Entity::find()
        .filter(screening::Column::ClientId.eq(client_id))
        .order_by_asc(screening::Column::CreatedAt)
        .all(db)
        .await?;
    let appointments = appointment::Entity::find()
        .filter(appointment::Column::ClientId.eq(client_id))
        .order_by_asc(appointment::Column::StartsAt)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = appointments.iter().map(|a| a.id).collect();
    let messages = outbox::Entity::find()
        .filter(outbox::Column::AppointmentId.is_in(ids))
        .order_by_asc(outbox::Column::DueAt)
        .all(db)
        .await?;
    let aftercare = super::aftercare::of_client(db, client_id).await?;
    let consents = super::consents::of_client(db, client_id).await?;
    let session_notes = super::notes::of_client(db, client_id).await?;
    Ok(Some(Held {
        client: c,
        screenings,
        appointments,
        messages,
        aftercare,
        consents,
        session_notes,
    }))
}

/// The client's visits that still hold their time (booked or checked in).
pub async fn open_visits(
    db: &impl ConnectionTrait,
    client_id: Uuid,
) -> Result<Vec<appointment::Model>, DbErr> {
    appointment::Entity::find()
        .filter(appointment::Column::ClientId.eq(client_id))
        .filter(
            appointment::Column::Status
                .is_in([AppointmentStatus::Booked, AppointmentStatus::CheckedIn]),
        )
        .order_by_asc(appointment::Column::StartsAt)
        .all(db)
        .await
}

/// Wipes what identifies the client or their health, keeping anonymous appointment rows
/// (service, time, status) for counts: screenings deleted; free-text reasons and the
/// re-confirmation link cleared; unsent messages cancelled and every recipient removed; the
/// booking's screening link and idempotency key cleared; the links sent in emails deleted (they
/// stop working); session records deleted; consent signatures kept (version, time, where, the
/// staff user) with the typed name blanked; name, email and phone replaced.
/// The caller has cancelled the open visits through the lifecycle door first.
pub async fn wipe(db: &impl ConnectionTrait, client_id: Uuid, now: i64) -> Result<(), DbErr> {
    appointment::Entity::update_many()
        .col_expr(
            appointment::Column::CancelReason,
            Option::<String>::None.into(),
        )
        .col_expr(
            appointment::Column::ReconfirmOutcome,
            Option::<String>::None.into(),
        )
        .col_expr(
            appointment::Column::ReconfirmScreeningId,
            Option::<Uuid>::None.into(),
        )
        .filter(appointment::Column::ClientId.eq(client_id))
        .exec(db)
        .await?;
    let all: Vec<Uuid> = appointment::Entity::find()
        .filter(appointment::Column::ClientId.eq(client_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, MessageStatus::Cancelled.into())
        .col_expr(outbox::Column::UpdatedAt, now.into())
        .filter(outbox::Column::AppointmentId.is_in(all.clone()))
        .filter(outbox::Column::Status.is_in([MessageStatus::Pending, MessageStatus::Failed]))
        .exec(db)
        .await?;
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Recipient, "erased@invalid".into())
        .col_expr(outbox::Column::LastError, Option::<String>::None.into())
        .filter(outbox::Column::AppointmentId.is_in(all))
        .exec(db)
        .await?;
    let bookings: Vec<Uuid> = booking::Entity::find()
        .filter(booking::Column::ClientId.eq(client_id))
        .all(db)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    manage_link::Entity::delete_many()
        .filter(manage_link::Column::BookingId.is_in(bookings))
        .exec(db)
        .await?;
    booking::Entity::update_many()
        .col_expr(booking::Column::ScreeningId, Option::<Uuid>::None.into())
        .col_expr(
            booking::Column::IdempotencyKey,
            Option::<String>::None.into(),
        )
        // The manage token shown at booking stops working with the links.
        .col_expr(booking::Column::ManageTokenExpiresAt, (now - 1).into())
        .filter(booking::Column::ClientId.eq(client_id))
        .exec(db)
        .await?;
    // Aftercare answers and their alerts (with the notes staff wrote about them) go too.
    super::aftercare::delete_of_client(db, client_id).await?;
    screening::Entity::delete_many()
        .filter(screening::Column::ClientId.eq(client_id))
        .exec(db)
        .await?;
    super::notes::delete_of_client(db, client_id).await?;
    super::consents::blank_names(db, client_id).await?;
    client::Entity::update_many()
        .col_expr(client::Column::Name, "erased".into())
        .col_expr(
            client::Column::Email,
            format!("erased-{client_id}@invalid").into(),
        )
        .col_expr(client::Column::Phone, Option::<String>::None.into())
        .col_expr(client::Column::ErasedAt, Some(now).into())
        .filter(client::Column::Id.eq(client_id))
        .exec(db)
        .await?;
    Ok(())
}

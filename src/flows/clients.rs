//! Data-protection requests: export everything held about a client; erase a client.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use tracing::info;

use crate::{
    domain::{
        ids::{AppointmentId, ClientId},
        time::{from_db, to_db},
    },
    error::{ApiError, ApiResult},
    flows::{audit, messages, screening::stored_answers},
    state::AppState,
    store::{
        self,
        entities::{appointment, booking, client, outbox, screening},
    },
};

/// Everything held about a client, as JSON (access requests).
pub async fn export(state: &AppState, actor: audit::Actor, id: ClientId) -> ApiResult<Value> {
    let c = client::Entity::find_by_id(id.0)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let zone = state.zone();
    let at = |t: i64| zone.rfc3339(from_db(t));
    let screenings = screening::Entity::find()
        .filter(screening::Column::ClientId.eq(id.0))
        .order_by_asc(screening::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let appointments = appointment::Entity::find()
        .filter(appointment::Column::ClientId.eq(id.0))
        .order_by_asc(appointment::Column::StartsAt)
        .all(&state.db)
        .await?;
    let appointment_ids: Vec<_> = appointments.iter().map(|a| a.id).collect();
    let messages = outbox::Entity::find()
        .filter(outbox::Column::AppointmentId.is_in(appointment_ids))
        .order_by_asc(outbox::Column::DueAt)
        .all(&state.db)
        .await?;
    audit::record(
        &state.db,
        state,
        actor,
        "client.export",
        "client",
        id.0,
        None,
    )
    .await?;
    Ok(json!({
        "client": {"id": c.id, "name": c.name, "email": c.email, "phone": c.phone, "created_at": at(c.created_at),
                   "erased_at": c.erased_at.map(at)},
        "screenings": screenings.iter().map(|s| json!({
            "id": s.id, "questionnaire_version": s.questionnaire_version, "answers": stored_answers(&s.answers),
            "concerns": stored_answers(&s.concerns), "outcome": s.outcome, "created_at": at(s.created_at),
            "review_decision": s.review_decision, "review_note": s.review_note,
        })).collect::<Vec<_>>(),
        "appointments": appointments.iter().map(|a| json!({
            "id": a.id, "service": a.service, "start": at(a.starts_at), "end": at(a.ends_at), "status": a.status,
            "session_number": a.session_number, "anesthesia": a.anesthesia,
        })).collect::<Vec<_>>(),
        "messages": messages.iter().map(|m| json!({
            "kind": m.kind, "status": m.status, "due_at": at(m.due_at), "sent_at": m.sent_at.map(at),
        })).collect::<Vec<_>>(),
    }))
}

/// What an erasure did.
pub struct Erased {
    pub cancelled_appointments: usize,
}

/// Right to erasure: health answers deleted, contact data anonymised, future visits cancelled
/// (without an email: the address is gone), pending messages withdrawn and their recipient
/// removed. Appointments stay as anonymous history (service, time, status) for counts.
pub async fn erase(state: &AppState, actor: audit::Actor, id: ClientId) -> ApiResult<Erased> {
    let now = state.now();
    let tx = store::begin_write(&state.db).await?;
    let c = client::Entity::find_by_id(id.0)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound)?;
    if c.erased_at.is_some() {
        return Err(ApiError::Conflict("this client was already erased".into()));
    }
    let future = appointment::Entity::find()
        .filter(appointment::Column::ClientId.eq(id.0))
        .filter(appointment::Column::Status.is_in(["booked", "checked_in"]))
        .all(&tx)
        .await?;
    for a in &future {
        messages::withdraw_pre_visit(&tx, AppointmentId(a.id), now).await?;
    }
    appointment::Entity::update_many()
        .col_expr(appointment::Column::Status, "cancelled".into())
        .col_expr(
            appointment::Column::CancelReason,
            Some("client erased".to_owned()).into(),
        )
        .col_expr(appointment::Column::UpdatedAt, to_db(now).into())
        .filter(appointment::Column::ClientId.eq(id.0))
        .filter(appointment::Column::Status.is_in(["booked", "checked_in"]))
        .exec(&tx)
        .await?;
    // Free-text reasons may name the person; the reconfirmation link goes with the screenings.
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
            Option::<uuid::Uuid>::None.into(),
        )
        .filter(appointment::Column::ClientId.eq(id.0))
        .exec(&tx)
        .await?;
    let all: Vec<_> = appointment::Entity::find()
        .filter(appointment::Column::ClientId.eq(id.0))
        .all(&tx)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, "cancelled".into())
        .filter(outbox::Column::AppointmentId.is_in(all.clone()))
        .filter(outbox::Column::Status.is_in(["pending", "failed"]))
        .exec(&tx)
        .await?;
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Recipient, "erased@invalid".into())
        .col_expr(outbox::Column::LastError, Option::<String>::None.into())
        .filter(outbox::Column::AppointmentId.is_in(all))
        .exec(&tx)
        .await?;
    booking::Entity::update_many()
        .col_expr(
            booking::Column::ScreeningId,
            Option::<uuid::Uuid>::None.into(),
        )
        .col_expr(
            booking::Column::IdempotencyKey,
            Option::<String>::None.into(),
        )
        .filter(booking::Column::ClientId.eq(id.0))
        .exec(&tx)
        .await?;
    screening::Entity::delete_many()
        .filter(screening::Column::ClientId.eq(id.0))
        .exec(&tx)
        .await?;
    client::Entity::update_many()
        .col_expr(client::Column::Name, "erased".into())
        .col_expr(
            client::Column::Email,
            format!("erased-{}@invalid", id.0).into(),
        )
        .col_expr(client::Column::Phone, Option::<String>::None.into())
        .col_expr(client::Column::ErasedAt, Some(to_db(now)).into())
        .filter(client::Column::Id.eq(id.0))
        .exec(&tx)
        .await?;
    let detail = json!({ "cancelled_appointments": future.len() });
    audit::record(
        &tx,
        state,
        actor,
        "client.erase",
        "client",
        id.0,
        Some(detail),
    )
    .await?;
    tx.commit().await?;
    state.slot_cache.invalidate();
    info!(client_id = %id, cancelled = future.len(), "client erased");
    Ok(Erased {
        cancelled_appointments: future.len(),
    })
}

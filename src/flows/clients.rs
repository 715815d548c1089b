//! Data-protection requests: export everything held about a client; erase a client.

use serde_json::{Value, json};
use tracing::info;

use crate::{
    domain::{
        ids::ClientId,
        time::{from_db, to_db},
    },
    error::{ApiError, ApiResult},
    flows::{
        audit,
        lifecycle::{self, CancelCause, Move},
        screening::stored_answers,
    },
    state::AppState,
    store,
};

/// Everything held about a client, as JSON (access requests).
pub async fn export(state: &AppState, actor: audit::Actor, id: ClientId) -> ApiResult<Value> {
    let held = store::privacy::held(&state.db, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    let zone = state.zone();
    let at = |t: i64| zone.rfc3339(from_db(t));
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
    let c = &held.client;
    Ok(json!({
        "client": {"id": c.id, "name": c.name, "email": c.email, "phone": c.phone, "created_at": at(c.created_at),
                   "erased_at": c.erased_at.map(at)},
        "screenings": held.screenings.iter().map(|s| json!({
            "id": s.id, "questionnaire_version": s.questionnaire_version, "answers": stored_answers(&s.answers),
            "concerns": stored_answers(&s.concerns), "outcome": s.outcome, "created_at": at(s.created_at),
            "review_decision": s.review_decision, "review_note": s.review_note,
        })).collect::<Vec<_>>(),
        "appointments": held.appointments.iter().map(|a| json!({
            "id": a.id, "service": a.service, "start": at(a.starts_at), "end": at(a.ends_at), "status": a.status,
            "session_number": a.session_number, "anesthesia": a.anesthesia,
        })).collect::<Vec<_>>(),
        "messages": held.messages.iter().map(|m| json!({
            "kind": m.kind, "status": m.status, "due_at": at(m.due_at), "sent_at": m.sent_at.map(at),
        })).collect::<Vec<_>>(),
        "aftercare": super::aftercare::export(&held.aftercare.0, &held.aftercare.1, &at),
        "consents": held.consents.iter().map(|k| json!({
            "appointment_id": k.appointment_id, "booking_id": k.booking_id, "service": k.service,
            "version": k.version, "full_name": k.full_name, "via": k.source.as_str(),
            "staff_user_id": k.staff_user_id, "signed_at": at(k.signed_at),
        })).collect::<Vec<_>>(),
        "session_notes": held.session_notes.iter().map(|n| json!({
            "appointment_id": n.appointment_id, "needle_depth_mm": f64::from(n.needle_depth_hundredths) / 100.0,
            "areas": stored_answers(&n.areas), "product": n.product, "numbing": n.numbing,
            "reaction": n.reaction, "notes": n.notes, "recorded_by": n.recorded_by,
            "created_at": at(n.created_at), "updated_at": at(n.updated_at),
        })).collect::<Vec<_>>(),
    }))
}

/// What an erasure did.
pub struct Erased {
    pub cancelled_appointments: usize,
}

/// Right to erasure: open visits cancelled through the lifecycle door (without an email: the
/// address is gone), then health answers deleted, contact data anonymised and unsent messages
/// withdrawn (`store::privacy::wipe`). Appointments stay as anonymous history for counts.
pub async fn erase(state: &AppState, actor: audit::Actor, id: ClientId) -> ApiResult<Erased> {
    let now = state.now();
    let tx = store::begin_write(&state.db).await?;
    let c = store::clients::find(&tx, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    if c.erased_at.is_some() {
        return Err(ApiError::Conflict("this client was already erased".into()));
    }
    let open = store::privacy::open_visits(&tx, id.0).await?;
    for a in &open {
        lifecycle::apply(&tx, state, a, Move::Cancel(CancelCause::Erasure), actor).await?;
    }
    store::privacy::wipe(&tx, id.0, to_db(now)).await?;
    let detail = json!({ "cancelled_appointments": open.len() });
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
    info!(client_id = %id, cancelled = open.len(), "client erased");
    Ok(Erased {
        cancelled_appointments: open.len(),
    })
}

//! Turning the message plan into outbox rows (inside the caller's transaction), and the
//! reception views of the outbox.

use jiff::Timestamp;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{
    domain::{
        ids::AppointmentId,
        messages::{MessageKind, MessageStatus, Planned, Recipient, ReminderRules},
        time::to_db,
    },
    error::{ApiError, ApiResult},
    state::AppState,
    store::{self, entities::outbox},
};

/// The `reminders.*` settings as plan rules.
pub fn rules(state: &AppState) -> ReminderRules {
    let r = &state.settings.reminders;
    ReminderRules {
        prep_before: r.prep_before,
        day_before: r.day_before,
        soothing_after: r.soothing_after,
        irritation_check_after: r.irritation_check_after,
        follow_up_after: r.follow_up_after,
        quiet_hours: r.quiet_hours,
    }
}

/// A Message-ID fixed when the message is planned, so every attempt carries the same one.
fn message_id(state: &AppState) -> String {
    let domain = state
        .settings
        .mail
        .from
        .rsplit_once('@')
        .map_or("dermadesk.local", |(_, d)| d.trim_end_matches('>').trim());
    format!("<{}@{}>", Uuid::new_v4(), domain)
}

/// Writes planned messages for one appointment (same transaction as the change).
pub async fn enqueue(
    db: &impl ConnectionTrait,
    state: &AppState,
    appointment: AppointmentId,
    version: i32,
    client_email: &str,
    planned: &[Planned],
    now: Timestamp,
) -> ApiResult<()> {
    let rows = outbox_rows(state, appointment, version, client_email, planned, now);
    store::outbox::insert(db, rows).await?;
    Ok(())
}

/// Where an email of `kind` goes: the client's address, or the clinic's own
/// (`MessageKind::recipient` decides; this is the one place that turns it into an address).
pub fn recipient(state: &AppState, kind: MessageKind, client_email: &str) -> String {
    match kind.recipient() {
        Recipient::Client => client_email.to_owned(),
        Recipient::Clinic => state.settings.clinic.email.clone(),
    }
}

/// The outbox rows of planned messages for one appointment (to insert many appointments'
/// messages in one statement); each row's recipient from `recipient`.
pub fn outbox_rows(
    state: &AppState,
    appointment: AppointmentId,
    version: i32,
    client_email: &str,
    planned: &[Planned],
    now: Timestamp,
) -> Vec<outbox::Model> {
    planned
        .iter()
        .map(|p| outbox::Model {
            id: Uuid::new_v4(),
            appointment_id: appointment.0,
            kind: p.kind,
            version,
            recipient: recipient(state, p.kind, client_email),
            due_at: to_db(p.due_at),
            send_by: to_db(p.send_by),
            status: MessageStatus::Pending,
            attempts: 0,
            next_attempt_at: to_db(p.due_at),
            last_error: None,
            message_id: message_id(state),
            claim_token: None,
            lease_until: None,
            sent_at: None,
            created_at: to_db(now),
            updated_at: to_db(now),
        })
        .collect()
}

/// Withdraws the still-pending messages of these kinds for an appointment (the message table
/// says which a change withdraws).
pub async fn withdraw(
    db: &impl ConnectionTrait,
    appointment: AppointmentId,
    kinds: &[MessageKind],
    now: Timestamp,
) -> ApiResult<()> {
    if kinds.is_empty() {
        return Ok(());
    }
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    store::outbox::cancel_pending(db, appointment.0, &kinds, to_db(now)).await?;
    Ok(())
}

/// Reception puts a failed message back in the queue.
pub async fn retry(state: &AppState, id: Uuid) -> ApiResult<outbox::Model> {
    let now = to_db(state.now());
    if !store::outbox::retry_failed(&state.db, id, now).await? {
        return match store::outbox::find(&state.db, id).await? {
            None => Err(ApiError::NotFound),
            Some(_) => Err(ApiError::Conflict(
                "only a failed message can be retried".into(),
            )),
        };
    }
    store::outbox::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// How many messages reception's list shows at most.
const LIST_LIMIT: u64 = 1000;

/// The outbox for reception, newest due first, optionally of one appointment or status.
pub async fn list(
    state: &AppState,
    appointment: Option<AppointmentId>,
    status: Option<MessageStatus>,
) -> ApiResult<Vec<outbox::Model>> {
    Ok(store::outbox::list(&state.db, appointment.map(|a| a.0), status, LIST_LIMIT).await?)
}

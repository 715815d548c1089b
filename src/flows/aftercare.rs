//! The aftercare check-in that reaches a clinician: the client answers (through the link of
//! the `irritation_check` email, or the booking's manage token), a warning sign raises an
//! alert that the desk lists at once and the clinic is emailed about through the outbox; an
//! alert nobody acknowledges is emailed again each `aftercare.realert_after`. The rule of what
//! is a warning sign, and what is worse, is `domain::aftercare`. Answers are health data: no
//! log line carries them (nor whether they alerted).

use jiff::Timestamp;
use serde_json::{Value, json};
use tracing::{info, warn};
use uuid::Uuid;

use crate::{
    domain::{
        aftercare::{self, AlertStatus, Answers, Sign},
        ids::AppointmentId,
        service::Service,
        status::AppointmentStatus,
        time::{from_db, sdur, to_db},
    },
    error::{ApiError, ApiResult},
    flows::{audit, auth::Staff, manage, messages},
    secret,
    state::AppState,
    store::{
        self,
        entities::{aftercare_alert, aftercare_report, appointment},
    },
};

/// At most this many characters of free text.
const NOTES_MAX: usize = 2000;
/// The staff list shows at most this many alerts.
const LIST_LIMIT: u64 = 500;

/// What the client sent.
pub struct Submission {
    pub answers: Answers,
    pub notes: Option<String>,
}

/// The visit an aftercare link opens (what the page needs to post its answer).
pub struct LinkVisit {
    pub appointment_id: AppointmentId,
    pub start: Timestamp,
    /// When the client last answered; `None` before the first answer.
    pub answered_at: Option<Timestamp>,
}

/// The visit an aftercare secret was sent about, if `token` is one and still valid.
async fn link_visit_id(state: &AppState, token: Option<&str>) -> ApiResult<Option<Uuid>> {
    let Some(token) = token.filter(|t| secret::is_token_shaped(t)) else {
        return Ok(None);
    };
    let Some(link) = store::links::by_hash(&state.db, &secret::token_hash(token)).await? else {
        return Ok(None);
    };
    if from_db(link.expires_at) < state.now() {
        return Ok(None);
    }
    Ok(store::links::aftercare_visit(&state.db, &link).await?)
}

/// `GET /api/v1/aftercare`: the visit of an aftercare link (401 for anything else).
pub async fn link_visit(state: &AppState, token: Option<String>) -> ApiResult<LinkVisit> {
    let id = link_visit_id(state, token.as_deref())
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let a = store::appointments::find(&state.db, id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let report = store::aftercare::report_of(&state.db, id).await?;
    Ok(LinkVisit {
        appointment_id: AppointmentId(a.id),
        start: from_db(a.starts_at),
        answered_at: report.map(|r| from_db(r.updated_at)),
    })
}

/// The aftercare link of visit `id` (a link of another visit is 404), or the booking's
/// manage token / "Manage your booking" link (`flows::manage` decides those).
async fn authorize(state: &AppState, token: Option<String>, id: AppointmentId) -> ApiResult<()> {
    if let Some(visit) = link_visit_id(state, token.as_deref()).await? {
        return if visit == id.0 {
            Ok(())
        } else {
            Err(ApiError::NotFound)
        };
    }
    manage::authorize(state, token, id).await.map(|_| ())
}

fn answers_of(r: &aftercare_report::Model) -> Answers {
    Answers {
        redness: r.redness,
        swelling: r.swelling,
        pain_increasing: r.pain_increasing,
        pus_or_fever: r.pus_or_fever,
        blisters_or_cold_sore: r.blisters_or_cold_sore,
    }
}

/// The warning signs of a stored check-in (on the day it was given).
pub fn signs_of(r: &aftercare_report::Model) -> Vec<Sign> {
    aftercare::warning_signs(&answers_of(r), i64::from(r.day))
}

/// The client's check-in for a completed microneedling visit. One per visit: a second answer
/// replaces the first, and raises a new alert only when it is worse
/// (`domain::aftercare::is_worse`). Returns whether the answer shows a warning sign.
pub async fn submit(
    state: &AppState,
    token: Option<String>,
    id: AppointmentId,
    s: Submission,
) -> ApiResult<bool> {
    authorize(state, token, id).await?;
    let notes = s
        .notes
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    if notes
        .as_ref()
        .is_some_and(|n| n.chars().count() > NOTES_MAX)
    {
        return Err(ApiError::invalid(
            "notes",
            format!("at most {NOTES_MAX} characters"),
        ));
    }
    let now = state.now();
    let tx = store::begin_write(&state.db).await?;
    let a = store::aftercare::lock_visit(&tx, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    let completed_at = match (a.service, a.status, a.completed_at) {
        (Service::Microneedling, AppointmentStatus::Completed, Some(at)) => from_db(at),
        _ => {
            return Err(ApiError::Conflict(
                "an aftercare check-in is taken only for a completed microneedling visit".into(),
            ));
        }
    };
    if completed_at + sdur(state.settings.aftercare.report_window) < now {
        return Err(ApiError::Conflict(format!(
            "the check-in for this visit has closed; please call the clinic at {}",
            state.settings.clinic.phone
        )));
    }
    let zone = state.zone();
    let day = zone
        .local_date(from_db(a.starts_at))
        .until(zone.local_date(now))
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .get_days();
    let signs = aftercare::warning_signs(&s.answers, i64::from(day));
    let old = store::aftercare::report_of(&tx, a.id).await?;
    let old_signs = old.as_ref().map(signs_of).unwrap_or_default();
    let report = aftercare_report::Model {
        id: old.as_ref().map_or_else(Uuid::new_v4, |r| r.id),
        appointment_id: a.id,
        client_id: a.client_id,
        redness: s.answers.redness,
        swelling: s.answers.swelling,
        pain_increasing: s.answers.pain_increasing,
        pus_or_fever: s.answers.pus_or_fever,
        blisters_or_cold_sore: s.answers.blisters_or_cold_sore,
        notes,
        day,
        alert_emails: old.as_ref().map_or(0, |r| r.alert_emails),
        created_at: old.as_ref().map_or(to_db(now), |r| r.created_at),
        updated_at: to_db(now),
    };
    let report_id = report.id;
    store::aftercare::save_report(&tx, report, old.is_none()).await?;
    let mut detail = json!({ "updated": old.is_some() });
    if aftercare::is_worse(&signs, &old_signs) {
        let alert_id = raise(&tx, state, &a, report_id, now).await?;
        detail["alert_id"] = json!(alert_id);
    }
    audit::record(
        &tx,
        state,
        audit::Actor::Client,
        "aftercare.report",
        "appointment",
        a.id,
        Some(detail),
    )
    .await?;
    tx.commit().await?;
    // Ids only: neither the answers nor whether they alerted reach a log line.
    info!(appointment_id = %id, "aftercare check-in stored");
    Ok(!signs.is_empty())
}

/// A new open alert for the visit (an older open one is superseded) and its email to the
/// clinic, due now.
async fn raise(
    tx: &impl sea_orm::ConnectionTrait,
    state: &AppState,
    a: &appointment::Model,
    report_id: Uuid,
    now: Timestamp,
) -> ApiResult<Uuid> {
    store::aftercare::supersede_open(tx, a.id).await?;
    let alert_id = Uuid::new_v4();
    store::aftercare::insert_alert(
        tx,
        aftercare_alert::Model {
            id: alert_id,
            report_id,
            appointment_id: a.id,
            client_id: a.client_id,
            status: AlertStatus::Open,
            raised_at: to_db(now),
            next_email_at: Some(to_db(now + sdur(state.settings.aftercare.realert_after))),
            emails: 1,
            acknowledged_at: None,
            acknowledged_by: None,
            note: None,
        },
    )
    .await?;
    email_clinic(tx, state, a.id, report_id, now).await?;
    Ok(alert_id)
}

/// Plans one `clinician_alert` email about visit `appointment` (to the clinic: the kind's
/// recipient), numbered on the visit's report.
async fn email_clinic(
    tx: &impl sea_orm::ConnectionTrait,
    state: &AppState,
    appointment: Uuid,
    report_id: Uuid,
    now: Timestamp,
) -> ApiResult<()> {
    let version = store::aftercare::next_email_version(tx, report_id).await?;
    let planned = messages::rules(state).clinician_alert(state.zone(), now);
    messages::enqueue(
        tx,
        state,
        AppointmentId(appointment),
        version,
        // The kind's recipient is the clinic (`MessageKind::recipient`); no client address.
        "",
        &[planned],
        now,
    )
    .await
}

/// Emails the clinic again about every open alert whose `next_email_at` has come (called by
/// each dispatcher run before it claims, so the email goes out in the same run). Each alert is
/// taken with a compare-and-set on `next_email_at` inside the transaction that plans its
/// email, so of several instances exactly one plans it, a restart loses nothing (the time is
/// in the database), and an alert is emailed once per period however long the service was
/// down. Returns how many were planned.
pub async fn email_overdue_alerts(state: &AppState, now: Timestamp) -> ApiResult<usize> {
    let period = sdur(state.settings.aftercare.realert_after);
    let due = store::aftercare::due_for_email(&state.db, to_db(now), 100).await?;
    let mut planned = 0;
    for alert in due {
        let Some(was) = alert.next_email_at else {
            continue;
        };
        let tx = store::begin_write(&state.db).await?;
        if !store::aftercare::take_email_turn(&tx, alert.id, was, to_db(now + period)).await? {
            continue;
        }
        email_clinic(&tx, state, alert.appointment_id, alert.report_id, now).await?;
        tx.commit().await?;
        planned += 1;
    }
    if planned > 0 {
        info!(
            alerts = planned,
            "unacknowledged aftercare alerts emailed again"
        );
    }
    Ok(planned)
}

/// An alert as staff see it, with the check-in's answers.
pub struct AlertView {
    pub alert: aftercare_alert::Model,
    pub report: Option<aftercare_report::Model>,
    pub signs: Vec<Sign>,
    pub appointment: Option<appointment::Model>,
    pub client_name: Option<String>,
    pub client_email: Option<String>,
    pub client_phone: Option<String>,
    pub practitioner_name: Option<String>,
}

async fn view(state: &AppState, alert: aftercare_alert::Model) -> ApiResult<AlertView> {
    let report = store::aftercare::reports(&state.db, vec![alert.report_id])
        .await?
        .pop();
    let ctx = store::appointments::email_context(&state.db, alert.appointment_id).await?;
    let (appointment, client, practitioner) = match ctx {
        Some(c) => (Some(c.appointment), c.client, c.practitioner),
        None => (None, None, None),
    };
    Ok(AlertView {
        signs: report.as_ref().map(signs_of).unwrap_or_default(),
        report,
        appointment,
        client_name: client.as_ref().map(|c| c.name.clone()),
        client_email: client.as_ref().map(|c| c.email.clone()),
        client_phone: client.and_then(|c| c.phone),
        practitioner_name: practitioner.map(|p| p.name),
        alert,
    })
}

/// How many alerts are open: a number that names nobody and shows no answer, so reading it is
/// not audited (the desk asks for it with every calendar poll).
pub async fn open_count(state: &AppState) -> ApiResult<u64> {
    Ok(store::aftercare::open_count(&state.db).await?)
}

/// The alerts, newest first (only open ones with `open_only`), with the answers (health data:
/// the read is audited with the clients it showed).
pub async fn list(state: &AppState, staff: &Staff, open_only: bool) -> ApiResult<Vec<AlertView>> {
    let alerts = store::aftercare::alerts(&state.db, open_only, LIST_LIMIT).await?;
    let mut out = Vec::with_capacity(alerts.len());
    for a in alerts {
        out.push(view(state, a).await?);
    }
    let clients: Vec<Uuid> = out.iter().map(|v| v.alert.client_id).collect();
    audit::record_showing(
        state,
        audit::Actor::Staff(staff.user_id),
        ("aftercare.alerts.view", "staff_user", staff.user_id.0),
        json!({ "count": out.len(), "client_ids": clients }),
        &clients,
    )
    .await?;
    Ok(out)
}

/// A clinician acknowledges an open alert with a note (no more emails about it).
pub async fn acknowledge(
    state: &AppState,
    staff: &Staff,
    id: Uuid,
    note: &str,
) -> ApiResult<AlertView> {
    let note = note.trim();
    if note.is_empty() {
        return Err(ApiError::invalid(
            "note",
            "say what was done (e.g. the client was called)",
        ));
    }
    if note.chars().count() > NOTES_MAX {
        return Err(ApiError::invalid(
            "note",
            format!("at most {NOTES_MAX} characters"),
        ));
    }
    let now = state.now();
    let tx = store::begin_write(&state.db).await?;
    let alert = store::aftercare::alert(&tx, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !store::aftercare::acknowledge(&tx, id, staff.user_id.0, note, to_db(now)).await? {
        return Err(ApiError::Conflict(format!(
            "this alert is already {}",
            match alert.status {
                AlertStatus::Acknowledged => "acknowledged",
                _ => "superseded by a newer alert for the same visit",
            }
        )));
    }
    audit::record(
        &tx,
        state,
        audit::Actor::Staff(staff.user_id),
        "aftercare.acknowledge",
        "appointment",
        alert.appointment_id,
        Some(json!({ "alert_id": id })),
    )
    .await?;
    tx.commit().await?;
    let alert = store::aftercare::alert(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    view(state, alert).await
}

/// A client's check-ins and alerts for the export (answers, alerts and staff notes).
pub fn export(
    reports: &[aftercare_report::Model],
    alerts: &[aftercare_alert::Model],
    at: &dyn Fn(i64) -> String,
) -> Value {
    json!({
        "check_ins": reports.iter().map(|r| json!({
            "appointment_id": r.appointment_id, "redness": r.redness, "swelling": r.swelling,
            "pain_increasing": r.pain_increasing, "pus_or_fever": r.pus_or_fever,
            "blisters_or_cold_sore": r.blisters_or_cold_sore, "notes": r.notes,
            "created_at": at(r.created_at), "updated_at": at(r.updated_at),
        })).collect::<Vec<_>>(),
        "alerts": alerts.iter().map(|a| json!({
            "id": a.id, "appointment_id": a.appointment_id, "status": a.status,
            "raised_at": at(a.raised_at), "acknowledged_at": a.acknowledged_at.map(at),
            "note": a.note,
        })).collect::<Vec<_>>(),
    })
}

/// Logs a failed re-alert run without its cause's data (ids only).
pub fn log_failure(e: &ApiError) {
    warn!(error = %e, "aftercare re-alert run failed");
}

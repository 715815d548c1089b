//! Clients at the desk: the search that finds a known client when booking (with the screening
//! they may book with), their screening history for a clinician's review, and the
//! data-protection requests (export everything held about a client; erase a client).

use serde_json::{Value, json};
use tracing::info;

use crate::{
    domain::{
        client::search_term,
        ids::{ClientId, ScreeningId, StaffUserId},
        screening::{Outcome, QuestionnaireVersion, Reason, ReviewDecision, allows_booking},
        time::{from_db, to_db},
    },
    error::{ApiError, ApiResult},
    flows::{
        audit,
        lifecycle::{self, CancelCause, Move},
        screening::{stored_answers, stored_eligible_from, stored_reasons},
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

/// The newest screening of a client that is still valid: what the desk may book with.
#[derive(Debug, Clone)]
pub struct ValidScreening {
    pub id: ScreeningId,
    pub outcome: Outcome,
    pub review_decision: Option<ReviewDecision>,
    pub created_at: jiff::Timestamp,
    pub valid_until: jiff::Timestamp,
    pub eligible_from: Option<jiff::civil::Date>,
    pub numbing_cream_allowed: bool,
    /// Whether booking would accept it now (`domain::screening::allows_booking`); the booking
    /// still decides when it is made.
    pub allows_booking: bool,
}

/// A client found by the desk's search.
#[derive(Debug, Clone)]
pub struct Found {
    pub id: ClientId,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub screening: Option<ValidScreening>,
}

/// What a search found: at most `SEARCH_LIMIT` clients, and whether more match.
pub struct SearchResult {
    pub clients: Vec<Found>,
    pub more: bool,
}

/// The action of a client search in the audit log.
pub const SEARCH_AUDIT: &str = "client.search";

/// How many clients one search shows at most (a desk types more to narrow it).
pub const SEARCH_LIMIT: usize = 20;

/// Finds clients (not erased) whose name, email or phone contains `q` (2 to 100 characters,
/// else 422 naming `q`), by name, each with its newest valid screening. Audited as
/// `client.search` with the number shown and the ids of the clients shown; the text searched
/// for is not kept (a name, an email, or anything typed).
pub async fn search(state: &AppState, by: StaffUserId, q: &str) -> ApiResult<SearchResult> {
    let term = search_term(q).map_err(|m| ApiError::invalid("q", m))?;
    let now = state.now();
    let mut clients = store::clients::search(&state.db, &term, SEARCH_LIMIT as u64 + 1).await?;
    let more = clients.len() > SEARCH_LIMIT;
    clients.truncate(SEARCH_LIMIT);
    let ids: Vec<uuid::Uuid> = clients.iter().map(|c| c.id).collect();
    let screenings = store::clients::latest_valid_screenings(&state.db, &ids, to_db(now)).await?;
    audit::record_showing(
        state,
        audit::Actor::Staff(by),
        (SEARCH_AUDIT, "clients", uuid::Uuid::nil()),
        json!({ "matches": ids.len(), "more": more, "clients": ids }),
        &ids,
    )
    .await?;
    let clients = clients
        .into_iter()
        .map(|c| {
            let screening =
                screenings
                    .iter()
                    .find(|s| s.client_id == c.id)
                    .map(|s| ValidScreening {
                        id: ScreeningId(s.id),
                        outcome: s.outcome,
                        review_decision: s.review_decision,
                        created_at: from_db(s.created_at),
                        valid_until: from_db(s.valid_until),
                        eligible_from: stored_eligible_from(s.eligible_from.as_deref()),
                        numbing_cream_allowed: !s.no_numbing_cream,
                        allows_booking: allows_booking(
                            s.outcome,
                            s.review_decision,
                            from_db(s.valid_until),
                            now,
                        ),
                    });
            Found {
                id: ClientId(c.id),
                name: c.name,
                email: c.email,
                phone: c.phone,
                screening,
            }
        })
        .collect();
    Ok(SearchResult { clients, more })
}

/// One screening of a client's history (no answers: those are read one screening at a time,
/// `GET /staff/screenings/{id}`, audited there).
#[derive(Debug, Clone)]
pub struct PastScreening {
    pub id: ScreeningId,
    pub created_at: jiff::Timestamp,
    pub questionnaire_version: QuestionnaireVersion,
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    pub eligible_from: Option<jiff::civil::Date>,
    pub valid_until: jiff::Timestamp,
    /// A visit's health re-confirmation rather than a screening before booking.
    pub reconfirmation: bool,
    pub review_decision: Option<ReviewDecision>,
    pub review_note: Option<String>,
    pub reviewed_at: Option<jiff::Timestamp>,
    /// The reviewer's staff id and email (the email gone when the login was deleted).
    pub reviewed_by: Option<(StaffUserId, Option<String>)>,
}

/// A client's screenings, newest first (404 for an unknown client). Health data: audited as
/// `client.screenings.view` on the client, with the number shown.
pub async fn screening_history(
    state: &AppState,
    by: StaffUserId,
    id: ClientId,
) -> ApiResult<Vec<PastScreening>> {
    store::clients::find(&state.db, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    let h = store::clients::screening_history(&state.db, id.0).await?;
    audit::record(
        &state.db,
        state,
        audit::Actor::Staff(by),
        "client.screenings.view",
        "client",
        id.0,
        Some(json!({ "screenings": h.screenings.len() })),
    )
    .await?;
    Ok(h.screenings
        .into_iter()
        .map(|s| PastScreening {
            id: ScreeningId(s.id),
            created_at: from_db(s.created_at),
            questionnaire_version: s.questionnaire_version,
            outcome: s.outcome,
            reasons: stored_reasons(&s.reasons),
            eligible_from: stored_eligible_from(s.eligible_from.as_deref()),
            valid_until: from_db(s.valid_until),
            reconfirmation: h.reconfirmations.contains(&s.id),
            review_decision: s.review_decision,
            review_note: s.review_note,
            reviewed_at: s.reviewed_at.map(from_db),
            reviewed_by: s.reviewed_by.map(|u| {
                let email = h
                    .reviewers
                    .iter()
                    .find(|(i, _)| *i == u)
                    .map(|(_, e)| e.clone());
                (StaffUserId(u), email)
            }),
        })
        .collect())
}

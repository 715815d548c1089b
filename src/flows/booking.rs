//! Booking one appointment or a whole course, all or nothing.

use jiff::{SignedDuration, Timestamp};
use sea_orm::{ConnectionTrait, DatabaseTransaction};
use serde_json::json;
use tracing::info;
use uuid::Uuid;

use crate::{
    domain::{
        availability::{self, Slot, SlotProblem},
        client::ClientDetails,
        course::{self, CourseShape},
        ids::{AppointmentId, BookingId, ClientId, PractitionerId, ScreeningId},
        messages::VisitEvent,
        screening::{Outcome, ReviewDecision, allows_booking},
        service::Service,
        status::AppointmentStatus,
        time::{from_db, sdur, to_db},
    },
    error::{ApiError, ApiResult},
    flows::{audit, messages},
    secret,
    state::AppState,
    store::{
        self,
        entities::{appointment, booking},
    },
};

const DAY: SignedDuration = SignedDuration::from_hours(24);

/// A checked booking request.
#[derive(Debug, Clone)]
pub struct BookingRequest {
    pub screening_id: Option<ScreeningId>,
    /// Only for services without screening, when no screening is given.
    pub client: Option<ClientDetails>,
    pub service: Service,
    pub start: Timestamp,
    pub practitioner_id: Option<PractitionerId>,
    pub anesthesia: bool,
    pub shape: CourseShape,
    /// `Idempotency-Key` header and a hash of the request it came with.
    pub idempotency: Option<(String, String)>,
}

/// Who books (the same actors the audit log knows).
pub use super::audit::Actor;

/// One appointment as the API shows it.
#[derive(Debug, Clone)]
pub struct AppointmentView {
    pub id: AppointmentId,
    pub service: Service,
    pub practitioner_id: PractitionerId,
    pub start: Timestamp,
    pub end: Timestamp,
    pub status: AppointmentStatus,
    pub session_number: u32,
}

impl AppointmentView {
    /// From a stored row; a stored value that does not parse is an internal error.
    pub fn try_from_row(a: &appointment::Model) -> ApiResult<Self> {
        let bad = |what: &str| {
            ApiError::Internal(anyhow::anyhow!(
                "appointment {} has an unknown stored {what}",
                a.id
            ))
        };
        Ok(Self {
            id: AppointmentId(a.id),
            service: a.service,
            practitioner_id: PractitionerId(a.practitioner_id),
            start: from_db(a.starts_at),
            end: from_db(a.ends_at),
            status: a.status,
            session_number: u32::try_from(a.session_number).map_err(|_| bad("session number"))?,
        })
    }
}

/// A made (or replayed) booking.
#[derive(Debug, Clone)]
pub struct Booked {
    pub booking_id: BookingId,
    /// Set when more than one session was booked.
    pub course_id: Option<BookingId>,
    /// Shown once; only its hash is stored.
    pub manage_token: String,
    pub appointments: Vec<AppointmentView>,
    /// True when this answers a retry with the same `Idempotency-Key`.
    pub replayed: bool,
}

/// Books, or answers an idempotent retry with the original booking.
pub async fn book(state: &AppState, req: BookingRequest, actor: Actor) -> ApiResult<Booked> {
    if let Some((key, hash)) = &req.idempotency
        && let Some(done) = replay(state, key, hash).await?
    {
        return Ok(done);
    }
    let now = state.now();
    let (client_id, screening_id, email) = resolve_client(state, &req, now).await?;
    let rules = state.slot_rules();
    let wanted = checked(state, &req, now)?;

    let token = secret::new_token();
    let booking_id = BookingId::new();
    let tx = store::begin_write(&state.db).await?;
    let client_id = match (client_id, &req.client) {
        (Some(id), _) => id,
        (None, Some(details)) => ClientId(store::clients::upsert(&tx, details, to_db(now)).await?),
        (None, None) => {
            return Err(ApiError::invalid(
                "client",
                "name the client (or give a screening_id)",
            ));
        }
    };
    let slots = plan(state, &tx, &req, wanted, now).await?;
    let b = booking::Model {
        id: booking_id.0,
        client_id: client_id.0,
        screening_id: screening_id.map(|s| s.0),
        service: req.service,
        sessions: req.shape.sessions as i32,
        interval_days: (req.shape.sessions > 1).then_some(req.shape.interval_days as i32),
        manage_token_hash: secret::token_hash(&token),
        manage_token_expires_at: to_db(
            slots.last().map_or(now, |s| s.end)
                + sdur(state.settings.booking.manage_token_valid_for),
        ),
        idempotency_key: req.idempotency.as_ref().map(|(k, _)| k.clone()),
        request_hash: req.idempotency.as_ref().map(|(_, h)| h.clone()),
        created_by: match actor {
            Actor::Staff(id) => Some(id.0),
            Actor::Client => None,
        },
        created_at: to_db(now),
    };
    if let Err(err) = store::appointments::insert_booking(&tx, b).await {
        // A concurrent retry with the same key won: answer as it did.
        if store::is_unique_violation(&err)
            && let Some((key, hash)) = &req.idempotency
        {
            drop(tx);
            return replay(state, key, hash)
                .await?
                .ok_or(ApiError::Conflict("booking in progress".into()));
        }
        return Err(err.into());
    }
    let rows: Vec<appointment::Model> = slots
        .iter()
        .enumerate()
        .map(|(i, s)| appointment::Model {
            id: Uuid::new_v4(),
            booking_id: booking_id.0,
            client_id: client_id.0,
            practitioner_id: s.practitioner_id.0,
            service: req.service,
            session_number: i as i32 + 1,
            starts_at: to_db(s.start),
            ends_at: to_db(s.end),
            busy_until: to_db(s.busy(&rules).end),
            anesthesia: req.anesthesia,
            status: AppointmentStatus::Booked,
            cancel_reason: None,
            created_at: to_db(now),
            updated_at: to_db(now),
            sequence: 0,
            completed_at: None,
            reconfirm_screening_id: None,
            reconfirm_outcome: None,
            reconfirmed_at: None,
            rescheduled_from: None,
        })
        .collect();
    let views = rows
        .iter()
        .map(AppointmentView::try_from_row)
        .collect::<ApiResult<Vec<_>>>()?;
    store::appointments::insert_appointments(&tx, rows).await?;
    plan_messages(state, &tx, &email, &views, now).await?;
    if let Actor::Staff(staff) = actor {
        for v in &views {
            let detail = serde_json::json!({ "session_number": v.session_number, "start": state.zone().rfc3339(v.start) });
            audit::record(
                &tx,
                state,
                Actor::Staff(staff),
                "appointment.book",
                "appointment",
                v.id.0,
                Some(detail),
            )
            .await?;
        }
    }
    tx.commit().await?;
    state.slot_cache.invalidate();
    info!(booking_id = %booking_id, sessions = views.len(), service = req.service.code(), "booked");
    Ok(Booked {
        booking_id,
        course_id: (req.shape.sessions > 1).then_some(booking_id),
        manage_token: token,
        appointments: views,
        replayed: false,
    })
}

/// The request's own rules, before any calendar is read: the start inside the booking window
/// (before any date arithmetic, so a start far outside the horizon is refused here), numbing
/// cream only where offered, a course only for microneedling.
fn checked(
    state: &AppState,
    req: &BookingRequest,
    now: Timestamp,
) -> ApiResult<availability::Wanted> {
    availability::check_window(&state.slot_rules(), now, req.start).map_err(slot_error)?;
    let wanted = availability::Wanted::new(req.service, req.anesthesia)
        .map_err(|m| ApiError::invalid("anesthesia", m))?;
    if req.shape.sessions > 1 && !req.service.allows_course() {
        return Err(ApiError::invalid(
            "sessions",
            "a course can be booked only for microneedling",
        ));
    }
    Ok(wanted)
}

/// Where every session of a request would go if it were booked now, without booking it: the
/// same checks and the same placement as [`book`] (so a course's dates can be shown before
/// the client confirms). Nothing is written; a slot may still be taken before the booking.
pub async fn preview(state: &AppState, req: BookingRequest) -> ApiResult<Vec<Slot>> {
    let now = state.now();
    resolve_client(state, &req, now).await?;
    let wanted = checked(state, &req, now)?;
    plan(state, &state.db, &req, wanted, now).await
}

/// The messages of a new booking, from the message table: one confirmation for the whole
/// booking (on session 1, listing every session) and the reminders before each visit.
async fn plan_messages(
    state: &AppState,
    tx: &DatabaseTransaction,
    email: &str,
    views: &[AppointmentView],
    now: Timestamp,
) -> ApiResult<()> {
    let rules = messages::rules(state);
    let zone = state.zone();
    let mut rows = Vec::new();
    for (i, v) in views.iter().enumerate() {
        let event = VisitEvent::Booked {
            first_of_booking: i == 0,
        };
        let planned = rules.on(zone, v.service, event, now, v.start).plan;
        rows.extend(messages::outbox_rows(state, v.id, 0, email, &planned, now));
    }
    // One statement for the whole course.
    store::outbox::insert(tx, rows).await?;
    Ok(())
}

/// The client who books (with their email, for the messages), and the screening that allows
/// it (the screening rule's one use).
async fn resolve_client(
    state: &AppState,
    req: &BookingRequest,
    now: Timestamp,
) -> ApiResult<(Option<ClientId>, Option<ScreeningId>, String)> {
    let screening = match req.screening_id {
        Some(id) => store::clients::screening_for_booking(&state.db, id.0).await?,
        None => None,
    };
    if req.service.requires_screening() {
        let Some(s) = screening else {
            return Err(ApiError::ScreeningNotPassed(match req.screening_id {
                Some(_) => "no screening with this id; please complete the health screening".into(),
                None => "microneedling needs a passed health screening (screening_id)".into(),
            }));
        };
        let (outcome, review) = (s.outcome, s.review_decision);
        if !allows_booking(outcome, review, from_db(s.valid_until), now) {
            let why = match outcome {
                Outcome::Contraindicated => "the screening found a contraindication",
                Outcome::NeedsReview if review == Some(ReviewDecision::Reject) => {
                    "a clinician did not clear this screening"
                }
                Outcome::NeedsReview if review.is_none() => {
                    "the screening awaits a clinician's review"
                }
                _ => "the screening has expired; please answer the questions again",
            };
            return Err(ApiError::ScreeningNotPassed(why.into()));
        }
        // What the answers allow of this visit: numbing cream, and the first session's day
        // (a course's later sessions follow it).
        let limits = super::screening::Limits {
            eligible_from: super::screening::stored_eligible_from(s.eligible_from.as_deref()),
            flags: crate::domain::screening::Flags {
                no_numbing_cream: s.no_numbing_cream,
                cold_sore_history: s.cold_sore_history,
            },
        };
        limits.check_numbing_cream(req.anesthesia)?;
        limits.check_first_day(state.zone().local_date(req.start))?;
        return Ok((
            Some(ClientId(s.client_id)),
            Some(ScreeningId(s.id)),
            s.client_email,
        ));
    }
    if let Some(s) = screening {
        return Ok((
            Some(ClientId(s.client_id)),
            Some(ScreeningId(s.id)),
            s.client_email,
        ));
    }
    if req.screening_id.is_some() {
        return Err(ApiError::invalid(
            "screening_id",
            "no screening with this id",
        ));
    }
    let Some(details) = &req.client else {
        return Err(ApiError::invalid(
            "client",
            "name the client (or give a screening_id)",
        ));
    };
    // A new or updated client is written with the booking, in its transaction.
    Ok((None, None, details.email.clone()))
}

/// Places every session, or fails naming the first that cannot be placed.
async fn plan(
    state: &AppState,
    db: &impl ConnectionTrait,
    req: &BookingRequest,
    wanted: availability::Wanted,
    now: Timestamp,
) -> ApiResult<Vec<Slot>> {
    let rules = state.slot_rules();
    let course_rules = state.course_rules();
    let zone = state.zone();
    let last_target = course_rules.target(
        zone,
        req.start,
        req.shape,
        req.shape.sessions.saturating_sub(1),
    );
    let from = req.start - DAY;
    let to = last_target + sdur(course_rules.flex) + DAY * 2;
    // The practitioner asked for (whether they are active is read with their calendar), or
    // every active one, by name.
    let which = store::calendars::Practitioners::wanted(req.practitioner_id.as_ref());
    // The calendars and the treatment length as the catalogue says now, in one read inside the
    // booking's transaction.
    let store::calendars::Loaded {
        calendars,
        durations,
    } = store::calendars::load(db, which, to_db(from), to_db(to)).await?;
    let visit = wanted.lasting(&durations);
    if calendars.is_empty() && req.practitioner_id.is_some() {
        return Err(ApiError::invalid(
            "practitioner_id",
            "no active practitioner with this id",
        ));
    }

    // The first session: exactly the requested start, with the wanted or the first free
    // practitioner.
    let first = availability::first_free(&rules, zone, now, &calendars, visit, req.start)
        .map_err(slot_error)?;
    let mut slots = vec![first];
    for k in 1..req.shape.sessions {
        let target = course_rules.target(zone, req.start, req.shape, k);
        let previous = slots.last().map_or(req.start, |s| s.start);
        let window = course_rules.window(zone, target, previous);
        let offered = availability::offered_slots(
            &rules,
            zone,
            now,
            zone.local_date(window.0),
            zone.local_date(window.1),
            &calendars,
            visit,
        );
        match course::pick(&offered, target, window, first.practitioner_id) {
            Some(slot) => slots.push(slot),
            None => {
                return Err(ApiError::SlotTaken {
                    message: format!(
                        "session {} of the course has no free slot near its date",
                        k + 1
                    ),
                    details: json!({ "session_number": k + 1, "target": zone.rfc3339(target) }),
                });
            }
        }
    }
    Ok(slots)
}

/// The API error for a start that cannot be booked.
pub(crate) fn slot_error(problem: SlotProblem) -> ApiError {
    match problem {
        SlotProblem::Taken => ApiError::SlotTaken {
            message: "this time is no longer free".into(),
            details: json!({ "session_number": 1 }),
        },
        SlotProblem::TooSoon => ApiError::invalid("start", "is too soon; see booking.min_notice"),
        SlotProblem::TooFar => ApiError::invalid("start", "is beyond the booking horizon"),
        SlotProblem::NotOffered => ApiError::invalid(
            "start",
            "is not an offered start time (see GET /api/v1/availability)",
        ),
    }
}

/// The booking made earlier with this idempotency key, with a fresh manage token.
async fn replay(state: &AppState, key: &str, hash: &str) -> ApiResult<Option<Booked>> {
    let Some(b) = store::appointments::booking_by_idempotency_key(&state.db, key).await? else {
        return Ok(None);
    };
    if b.request_hash.as_deref() != Some(hash) {
        return Err(ApiError::Conflict(
            "this Idempotency-Key was used with a different request".into(),
        ));
    }
    // The first token was shown once and may be lost with the response being retried; a fresh
    // one replaces it (only the hash is stored, so the original cannot be shown again).
    let token = secret::new_token();
    store::appointments::set_manage_token(
        &state.db,
        b.id,
        secret::token_hash(&token),
        b.manage_token_expires_at,
    )
    .await?;
    let appointments = store::appointments::of_booking(&state.db, b.id).await?;
    Ok(Some(Booked {
        booking_id: BookingId(b.id),
        course_id: (b.sessions > 1).then_some(BookingId(b.id)),
        manage_token: token,
        appointments: appointments
            .iter()
            .map(AppointmentView::try_from_row)
            .collect::<ApiResult<_>>()?,
        replayed: true,
    }))
}

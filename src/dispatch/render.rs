//! Builds one outbox row's email from the current state of its appointment.

use jiff::Timestamp;
use serde::Serialize;

use crate::{
    domain::{
        messages::{LinkPurpose, MessageKind},
        screening::Flags,
        status::AppointmentStatus,
        time::{from_db, to_db},
    },
    mail::{Outgoing, ics, templates},
    secret,
    state::AppState,
    store::{
        self,
        entities::{appointment, manage_link, outbox},
    },
};

#[derive(Serialize)]
struct ClinicCtx<'a> {
    name: &'a str,
    address: &'a str,
    phone: &'a str,
    email: &'a str,
}

#[derive(Serialize, Clone)]
struct SessionCtx {
    number: i32,
    date: String,
    time: String,
}

#[derive(Serialize)]
struct Ctx<'a> {
    clinic: ClinicCtx<'a>,
    client_name: String,
    service: &'static str,
    service_name: &'a str,
    date: String,
    time: String,
    end_time: String,
    practitioner: String,
    anesthesia: bool,
    anesthesia_minutes: u64,
    session_number: i32,
    sessions: usize,
    course: Vec<SessionCtx>,
    next_session: Option<SessionCtx>,
    /// Where a rescheduled visit moved from (`rescheduled` only; unknown for visits moved
    /// before the start was kept).
    previous: Option<SessionCtx>,
    /// The booking's other sessions booked and still ahead (`cancellation`: they stay).
    still_booked: Vec<SessionCtx>,
    reason: Option<String>,
    /// `booking.client_cancel_notice` in words of the clinic's language.
    cancel_notice: String,
    /// `{clinic.public_url}/manage#<secret>`, when the kind carries the link.
    manage_url: Option<String>,
    /// The visit's screening (or its re-confirmation) reports a history of cold sores: the
    /// prep email asks about antiviral cover.
    cold_sore_history: bool,
    /// Numbing cream could still be asked for at the desk: a service that offers it and no
    /// allergy to local anaesthetics on the visit's screening or re-confirmation (the
    /// `day_before` email's invitation).
    numbing_cream_offered: bool,
    /// The visit was cancelled because re-confirmed answers rule the treatment out: the
    /// cancellation does not invite the client to book again online.
    health_cancel: bool,
    /// `{clinic.public_url}/aftercare#<secret>` in the `irritation_check` email.
    aftercare_url: Option<String>,
    /// For the clinic's own emails (`clinician_alert`): the client's phone, the desk, and
    /// whether an earlier email about this visit went out already.
    client_phone: Option<String>,
    desk_url: String,
    repeat: bool,
}

/// Why a row cannot become an email (permanent: retrying will not help).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("appointment {0} not found")]
    NoAppointment(uuid::Uuid),
    #[error("client of appointment not found")]
    NoClient,
    #[error("template: {0}")]
    Template(#[from] minijinja::Error),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// The email for `row`, with local times in the clinic's zone, in the clinic's language. A
/// kind that carries a "Manage your booking" link gets a fresh secret here; only its hash is
/// stored (`manage_links`, one row per render: an earlier attempt may have reached the client,
/// so its link keeps working until the booking's manage window ends).
pub async fn outgoing(
    state: &AppState,
    row: &outbox::Model,
    now: Timestamp,
) -> Result<Outgoing, RenderError> {
    let kind = row.kind;
    let visit = store::appointments::email_context(&state.db, row.appointment_id)
        .await?
        .ok_or(RenderError::NoAppointment(row.appointment_id))?;
    let (a, p, course) = (visit.appointment, visit.practitioner, visit.course);
    let c = visit.client.ok_or(RenderError::NoClient)?;
    let zone = state.zone();
    let settings = &state.settings;
    let words = templates::locale(settings.clinic.language)?;
    let session_at = |number: i32, start: i64| {
        let l = zone.local(from_db(start));
        SessionCtx {
            number,
            date: words.date(l.date()),
            time: l.strftime("%H:%M").to_string(),
        }
    };
    let session = |x: &appointment::Model| session_at(x.session_number, x.starts_at);
    let me = session(&a);
    let service = a.service;
    let next_session = course
        .iter()
        .find(|x| x.session_number > a.session_number && x.status == AppointmentStatus::Booked);
    let sessions_left = course.iter().any(|x| x.status == AppointmentStatus::Booked);
    let manage_url = if kind.carries_manage_link(sessions_left) && c.erased_at.is_none() {
        manage_link(state, row, a.booking_id, now).await?
    } else {
        None
    };
    let aftercare_url = if kind.carries_aftercare_link() && c.erased_at.is_none() {
        aftercare_link(state, row, &a, now).await?
    } else {
        None
    };
    // Read for the two kinds whose text depends on them.
    let flags = if matches!(kind, MessageKind::Prep | MessageKind::DayBefore) {
        store::clients::visit_flags(&state.db, a.booking_id).await?
    } else {
        Flags::default()
    };
    let health_cancel =
        a.cancel_reason.as_deref() == Some(crate::flows::lifecycle::HEALTH_CANCEL_REASON);
    let reason = a.cancel_reason.clone().map(|r| {
        // The service's own reason (a re-confirmation ruled the visit out) in the clinic's
        // language; a reason someone typed stays as typed.
        if health_cancel {
            words.health_cancel_reason.clone()
        } else {
            r
        }
    });
    let ctx = Ctx {
        clinic: ClinicCtx {
            name: &settings.clinic.name,
            address: &settings.clinic.address,
            phone: &settings.clinic.phone,
            email: &settings.clinic.email,
        },
        client_name: c.name.clone(),
        service: service.code(),
        service_name: words.service(service),
        date: me.date.clone(),
        time: me.time.clone(),
        end_time: zone.local(from_db(a.ends_at)).strftime("%H:%M").to_string(),
        practitioner: p.map_or_else(|| words.our_team.clone(), |p| p.name),
        anesthesia: a.anesthesia,
        anesthesia_minutes: settings.booking.anesthesia_extra.as_secs() / 60,
        session_number: a.session_number,
        sessions: course.len().max(1),
        course: course.iter().map(session).collect(),
        next_session: next_session.map(session),
        still_booked: if kind == MessageKind::Cancellation {
            course
                .iter()
                .filter(|x| {
                    x.id != a.id
                        && x.status == AppointmentStatus::Booked
                        && x.starts_at > to_db(now)
                })
                .map(session)
                .collect()
        } else {
            Vec::new()
        },
        previous: a
            .rescheduled_from
            .filter(|_| kind == MessageKind::Rescheduled)
            .map(|from| session_at(a.session_number, from)),
        reason,
        cancel_notice: words.duration(settings.booking.client_cancel_notice),
        manage_url,
        cold_sore_history: flags.cold_sore_history,
        numbing_cream_offered: service.allows_anesthesia() && !flags.no_numbing_cream,
        health_cancel,
        aftercare_url,
        client_phone: c.phone.clone(),
        desk_url: format!("{}/desk", settings.clinic.public_url),
        repeat: row.version > 1,
    };
    let rendered = templates::render(settings.clinic.language, kind, &ctx)?;
    let calendar = kind.has_calendar().then(|| {
        let events: Vec<&appointment::Model> = match kind {
            MessageKind::BookingConfirmation => course.iter().collect(),
            _ => vec![&a],
        };
        let events: Vec<ics::IcsEvent> = events
            .into_iter()
            .map(|x| {
                ics::IcsEvent::for_visit(
                    x,
                    service,
                    &settings.clinic,
                    words,
                    kind == MessageKind::Cancellation,
                )
            })
            .collect();
        let method = if kind == MessageKind::Cancellation {
            "CANCEL"
        } else {
            "REQUEST"
        };
        (ics::calendar(&events, &settings.clinic.email, now), method)
    });
    Ok(Outgoing {
        to: row.recipient.clone(),
        message_id: row.message_id.clone(),
        kind: kind.as_str().to_owned(),
        appointment_id: a.id.to_string(),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        calendar,
    })
}

/// A fresh aftercare check-in link for the `irritation_check` email of a completed
/// microneedling visit: purpose `aftercare` (it opens only that visit's check-in, found through
/// the email's outbox row), working until `aftercare.report_window` after the completion;
/// `None` when there is nothing to check in for.
async fn aftercare_link(
    state: &AppState,
    row: &outbox::Model,
    a: &appointment::Model,
    now: Timestamp,
) -> Result<Option<String>, RenderError> {
    let Some(completed_at) = a.completed_at.filter(|_| {
        a.status == AppointmentStatus::Completed
            && a.service == crate::domain::service::Service::Microneedling
    }) else {
        return Ok(None);
    };
    let expires_at = to_db(
        from_db(completed_at) + crate::domain::time::sdur(state.settings.aftercare.report_window),
    );
    if from_db(expires_at) <= now {
        return Ok(None);
    }
    let secret = secret::new_token();
    store::links::insert(
        &state.db,
        manage_link::Model {
            id: uuid::Uuid::new_v4(),
            booking_id: a.booking_id,
            outbox_id: Some(row.id),
            secret_hash: secret::token_hash(&secret),
            purpose: LinkPurpose::Aftercare,
            expires_at,
            created_at: to_db(now),
        },
    )
    .await?;
    Ok(Some(format!(
        "{}/aftercare#{secret}",
        state.settings.clinic.public_url
    )))
}

/// A fresh "Manage your booking" link for the email of `row`, valid as long as the booking's
/// manage token; `None` once that window has closed (a link that cannot work is left out).
async fn manage_link(
    state: &AppState,
    row: &outbox::Model,
    booking_id: uuid::Uuid,
    now: Timestamp,
) -> Result<Option<String>, RenderError> {
    let Some(booking) = store::appointments::booking(&state.db, booking_id).await? else {
        return Ok(None);
    };
    if from_db(booking.manage_token_expires_at) <= now {
        return Ok(None);
    }
    let secret = secret::new_token();
    store::links::insert(
        &state.db,
        manage_link::Model {
            id: uuid::Uuid::new_v4(),
            booking_id,
            outbox_id: Some(row.id),
            secret_hash: secret::token_hash(&secret),
            purpose: LinkPurpose::Manage,
            expires_at: booking.manage_token_expires_at,
            created_at: to_db(now),
        },
    )
    .await?;
    Ok(Some(format!(
        "{}/manage#{secret}",
        state.settings.clinic.public_url
    )))
}

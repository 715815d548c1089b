//! Builds one outbox row's email from the current state of its appointment.

use jiff::Timestamp;
use serde::Serialize;

use crate::{
    domain::{messages::MessageKind, status::AppointmentStatus, time::from_db},
    mail::{Outgoing, ics, templates},
    state::AppState,
    store::{
        self,
        entities::{appointment, outbox},
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
    service_name: &'static str,
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
    reason: Option<String>,
    cancel_notice_hours: u64,
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

/// The email for `row`, with local times in the clinic's zone.
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
    let session = |x: &appointment::Model| {
        let l = zone.local(from_db(x.starts_at));
        SessionCtx {
            number: x.session_number,
            date: l.strftime("%A, %-d %B %Y").to_string(),
            time: l.strftime("%H:%M").to_string(),
        }
    };
    let me = session(&a);
    let service = a.service;
    let settings = &state.settings;
    let ctx = Ctx {
        clinic: ClinicCtx {
            name: &settings.clinic.name,
            address: &settings.clinic.address,
            phone: &settings.clinic.phone,
            email: &settings.clinic.email,
        },
        client_name: c.name.clone(),
        service: service.code(),
        service_name: service.name(),
        date: me.date.clone(),
        time: me.time.clone(),
        end_time: zone.local(from_db(a.ends_at)).strftime("%H:%M").to_string(),
        practitioner: p.map_or_else(|| "our team".to_owned(), |p| p.name),
        anesthesia: a.anesthesia,
        anesthesia_minutes: settings.booking.anesthesia_extra.as_secs() / 60,
        session_number: a.session_number,
        sessions: course.len().max(1),
        course: course.iter().map(session).collect(),
        next_session: course
            .iter()
            .find(|x| x.session_number > a.session_number && x.status == AppointmentStatus::Booked)
            .map(session),
        reason: a.cancel_reason.clone(),
        cancel_notice_hours: settings.booking.client_cancel_notice.as_secs() / 3600,
    };
    let rendered = templates::render(kind, &ctx)?;
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

//! The reception calendar: a day or a week of visits with everything the desk needs.

use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    domain::{
        consent::{self, ConsentState},
        ids::PractitionerId,
        screening::{Outcome, ReconfirmationState, ReviewDecision, reconfirmation_state},
        service::Service,
        status::AppointmentStatus,
        time::{from_db, parse_date},
    },
    error::{ApiError, ApiResult},
    flows::{self, auth::Staff},
    http::{
        error::ErrorBody,
        staff::{closures::ClosureDto, practitioners::HoursDto},
    },
    state::AppState,
};

/// `GET /api/v1/staff/calendar` query.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    pub from: String,
    pub to: String,
    pub practitioner_id: Option<Uuid>,
}

/// The client on a calendar row.
#[derive(Serialize, ToSchema)]
pub struct CalendarClient {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

/// Course position.
#[derive(Serialize, ToSchema)]
pub struct CalendarCourse {
    pub id: Uuid,
    pub session_number: i32,
    pub sessions: i32,
}

/// The booking's screening.
#[derive(Serialize, ToSchema)]
pub struct CalendarScreening {
    pub id: Uuid,
    pub outcome: Outcome,
    pub review_decision: Option<ReviewDecision>,
    /// A history of cold sores (questionnaire v2): antiviral cover may be advised; ask the
    /// client.
    pub cold_sore_history: bool,
    /// An allergy to local anaesthetics: no numbing cream.
    pub no_numbing_cream: bool,
    /// The first local day (`YYYY-MM-DD`) the answers allow a first treatment; null when none.
    #[schema(value_type = Option<String>, format = Date)]
    pub eligible_from: Option<String>,
}

/// The health re-confirmation before this visit.
#[derive(Serialize, ToSchema)]
pub struct Reconfirmation {
    /// The screening the re-confirmation stored (review it at
    /// `POST /api/v1/staff/screenings/{id}/review`).
    pub screening_id: Option<Uuid>,
    pub outcome: Outcome,
    /// A clinician's decision on a `needs_review` re-confirmation; check-in waits for `approve`.
    pub review_decision: Option<ReviewDecision>,
    pub at: String,
}

/// One appointment on the reception calendar.
#[derive(Serialize, ToSchema)]
pub struct CalendarEntryDto {
    pub id: Uuid,
    pub start: String,
    pub end: String,
    pub status: AppointmentStatus,
    pub service: Service,
    pub practitioner_id: Uuid,
    pub practitioner_name: Option<String>,
    pub anesthesia: bool,
    pub client: Option<CalendarClient>,
    pub course: Option<CalendarCourse>,
    pub screening: Option<CalendarScreening>,
    /// For repeat sessions: the latest re-confirmation, or null when the client has not
    /// re-confirmed yet.
    pub reconfirmation: Option<Reconfirmation>,
    /// Where the visit stands with the re-confirmation a booked repeat session needs before
    /// check-in: `not_needed`, `missing` (record it at `POST /api/v1/staff/appointments/{id}/reconfirm`),
    /// `needs_review`, `passed`, `rejected` or `contraindicated`. Check-in is possible with
    /// `not_needed` and `passed` only.
    pub reconfirmation_state: ReconfirmationState,
    pub messages_failed: bool,
    /// The consent a microneedling visit needs before check-in: `not_needed` (a
    /// consultation), `missing`, `outdated` (only an older version signed) or `signed` (the
    /// current version; sign at `POST /api/v1/staff/appointments/{id}/consent`). Check-in is
    /// possible with `not_needed` and `signed` only.
    pub consent: ConsentState,
}

/// A block of time off on a practitioner's column.
#[derive(Serialize, ToSchema)]
pub struct TimeOffEntryDto {
    /// Remove it with `DELETE /api/v1/staff/practitioners/{id}/time-off/{time_off_id}`.
    pub id: Uuid,
    pub start: String,
    pub end: String,
    pub reason: Option<String>,
}

/// One practitioner's column: weekly hours (local wall-clock times) and the time off that
/// overlaps the range.
#[derive(Serialize, ToSchema)]
pub struct PractitionerScheduleDto {
    pub id: Uuid,
    pub name: String,
    pub active: bool,
    pub working_hours: Vec<HoursDto>,
    pub time_off: Vec<TimeOffEntryDto>,
}

/// The calendar.
#[derive(Serialize, ToSchema)]
pub struct CalendarDto {
    pub timezone: String,
    pub appointments: Vec<CalendarEntryDto>,
    /// The practitioner asked for (a practitioner login: their own), or every active one by
    /// name, each with weekly hours and time off in the range.
    pub practitioners: Vec<PractitionerScheduleDto>,
    /// Clinic-wide closure days in the range: nobody is bookable on them.
    pub closures: Vec<ClosureDto>,
}

/// A day or a week (at most 31 days) of appointments; practitioners see their own only.
#[utoipa::path(get, path = "/api/v1/staff/calendar", tag = "desk", params(CalendarQuery),
    security(("bearer" = [])),
    responses((status = 200, body = CalendarDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[get("/staff/calendar")]
pub async fn calendar(
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<CalendarQuery>,
) -> ApiResult<HttpResponse> {
    let from = parse_date(&q.from).map_err(|m| ApiError::invalid("from", m))?;
    let to = parse_date(&q.to).map_err(|m| ApiError::invalid("to", m))?;
    let cal = flows::calendar::entries(
        &state,
        &staff,
        from,
        to,
        q.practitioner_id.map(PractitionerId),
    )
    .await?;
    let zone = state.zone();
    let practitioners = cal
        .schedules
        .into_iter()
        .map(|s| PractitionerScheduleDto {
            id: s.practitioner.id,
            name: s.practitioner.name,
            active: s.practitioner.active,
            working_hours: s.hours.iter().map(HoursDto::new).collect(),
            time_off: s
                .time_off
                .into_iter()
                .map(|t| TimeOffEntryDto {
                    id: t.id,
                    start: zone.rfc3339(from_db(t.starts_at)),
                    end: zone.rfc3339(from_db(t.ends_at)),
                    reason: t.reason,
                })
                .collect(),
        })
        .collect();
    let closures = cal.closures.iter().map(ClosureDto::new).collect();
    let consent_version = flows::consent::current_version(&state, Service::Microneedling)?;
    let appointments = cal
        .entries
        .into_iter()
        .map(|e| {
            let a = &e.appointment;
            let consent = consent::state(
                a.service,
                e.consent_versions.iter().map(String::as_str),
                &consent_version,
            );
            let state = reconfirmation_state(
                a.service,
                a.status,
                u32::try_from(a.session_number).unwrap_or(1),
                a.reconfirm_outcome.map(|o| {
                    let review = e.reconfirmation.as_ref().and_then(|s| s.review_decision);
                    (o, review)
                }),
            );
            CalendarEntryDto {
                id: a.id,
                start: zone.rfc3339(from_db(a.starts_at)),
                end: zone.rfc3339(from_db(a.ends_at)),
                status: a.status,
                service: a.service,
                practitioner_id: a.practitioner_id,
                practitioner_name: e.practitioner_name,
                anesthesia: a.anesthesia,
                client: e.client.map(|c| CalendarClient {
                    id: c.id,
                    name: c.name,
                    email: c.email,
                    phone: c.phone,
                }),
                course: e.course.map(|(sessions, id)| CalendarCourse {
                    id,
                    session_number: a.session_number,
                    sessions,
                }),
                screening: e.screening.map(|s| CalendarScreening {
                    id: s.id,
                    outcome: s.outcome,
                    review_decision: s.review_decision,
                    cold_sore_history: s.cold_sore_history,
                    no_numbing_cream: s.no_numbing_cream,
                    eligible_from: s.eligible_from,
                }),
                reconfirmation: a.reconfirm_outcome.map(|o| Reconfirmation {
                    screening_id: a.reconfirm_screening_id,
                    outcome: o,
                    review_decision: e.reconfirmation.as_ref().and_then(|s| s.review_decision),
                    at: a
                        .reconfirmed_at
                        .map(|t| zone.rfc3339(from_db(t)))
                        .unwrap_or_default(),
                }),
                reconfirmation_state: state,
                messages_failed: e.messages_failed,
                consent,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(CalendarDto {
        timezone: zone.name().to_owned(),
        appointments,
        practitioners,
        closures,
    }))
}

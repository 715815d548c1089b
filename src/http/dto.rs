//! Response and request shapes shared by the public and staff routes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::Instant;
use crate::{
    domain::{
        client::ClientDetails,
        course::CourseShape,
        ids::{PractitionerId, ScreeningId},
        service::Service,
        status::AppointmentStatus,
        time::ClinicZone,
    },
    error::{ApiError, ApiResult},
    flows::booking::{AppointmentView, Booked, BookingRequest},
    state::AppState,
};

/// Client contact details.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClientBody {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

impl ClientBody {
    /// Checks the details; errors name `client.<field>`.
    pub fn parse(&self) -> ApiResult<ClientDetails> {
        ClientDetails::parse("client", &self.name, &self.email, self.phone.as_deref())
            .map_err(ApiError::Validation)
    }
}

/// `POST /api/v1/bookings` and `POST /api/v1/staff/appointments`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BookingBody {
    /// Required for microneedling.
    pub screening_id: Option<Uuid>,
    /// For a skin consultation without screening.
    pub client: Option<ClientBody>,
    pub service: Service,
    pub start: Instant,
    pub practitioner_id: Option<Uuid>,
    pub anesthesia: Option<bool>,
    /// 1..course.max_sessions (default 1).
    pub sessions: Option<i64>,
    /// Days between sessions (default course.default_interval).
    pub interval_days: Option<i64>,
}

impl BookingBody {
    /// The checked request.
    pub fn into_request(
        self,
        state: &AppState,
        idempotency: Option<(String, String)>,
    ) -> ApiResult<BookingRequest> {
        let shape: CourseShape = state
            .course_rules()
            .shape(self.sessions, self.interval_days)
            .map_err(|e| ApiError::invalid(e.field, e.message))?;
        let client = self.client.as_ref().map(ClientBody::parse).transpose()?;
        Ok(BookingRequest {
            screening_id: self.screening_id.map(ScreeningId),
            client,
            service: self.service,
            start: self.start.0,
            practitioner_id: self.practitioner_id.map(PractitionerId),
            anesthesia: self.anesthesia.unwrap_or(false),
            shape,
            idempotency,
        })
    }
}

/// One appointment.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentDto {
    pub id: Uuid,
    pub service: Service,
    pub practitioner_id: Uuid,
    /// RFC 3339 in the clinic's zone.
    pub start: String,
    pub end: String,
    pub status: AppointmentStatus,
    pub session_number: u32,
}

impl AppointmentDto {
    /// Formats a view in the clinic's zone.
    pub fn new(v: &AppointmentView, zone: &ClinicZone) -> Self {
        Self {
            id: v.id.0,
            service: v.service,
            practitioner_id: v.practitioner_id.0,
            start: zone.rfc3339(v.start),
            end: zone.rfc3339(v.end),
            status: v.status,
            session_number: v.session_number,
        }
    }
}

/// A made booking.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingDto {
    /// Set for a course of more than one session.
    pub course_id: Option<Uuid>,
    /// Bearer token for the client's manage routes; shown once.
    pub manage_token: String,
    pub appointments: Vec<AppointmentDto>,
}

impl BookingDto {
    /// Formats a booking.
    pub fn new(b: &Booked, zone: &ClinicZone) -> Self {
        Self {
            course_id: b.course_id.map(|c| c.0),
            manage_token: b.manage_token.clone(),
            appointments: b
                .appointments
                .iter()
                .map(|a| AppointmentDto::new(a, zone))
                .collect(),
        }
    }
}

/// `POST .../cancel` (client or staff); the body itself is optional.
#[derive(Debug, Deserialize, ToSchema, Default)]
pub struct CancelBody {
    pub reason: Option<String>,
}

/// `POST .../reschedule` (client or staff).
#[derive(Debug, Deserialize, ToSchema)]
pub struct RescheduleBody {
    pub start: Instant,
    pub practitioner_id: Option<Uuid>,
}

//! Practitioners, their weekly hours and time off.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{DESK, calendar::TimeOffEntryDto};
use crate::{
    domain::{
        availability::WorkingWindow,
        ids::{PractitionerId, TimeOffId},
        time::{MinuteOfDay, from_db},
    },
    error::{ApiError, ApiResult},
    flows::{self, auth::Staff},
    http::{
        error::ErrorBody,
        extract::{Instant, Json},
    },
    state::AppState,
};

/// A practitioner as staff see them.
#[derive(Serialize, ToSchema)]
pub struct StaffPractitionerDto {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub active: bool,
    pub working_hours: Vec<HoursDto>,
}

/// One weekly window.
#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct HoursDto {
    /// mon, tue, wed, thu, fri, sat, sun
    pub weekday: String,
    /// HH:MM
    pub start: String,
    /// HH:MM ("24:00" allowed)
    pub end: String,
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl HoursDto {
    pub fn new(w: &WorkingWindow) -> Self {
        Self {
            weekday: WEEKDAYS
                .get(usize::from(w.weekday))
                .copied()
                .unwrap_or_default()
                .to_owned(),
            start: w.start.hhmm(),
            end: w.end.hhmm(),
        }
    }
}

/// Lists practitioners with their hours.
#[utoipa::path(get, path = "/api/v1/staff/practitioners", tag = "staff", security(("bearer" = [])),
    responses((status = 200, body = [StaffPractitionerDto])))]
#[get("/staff/practitioners")]
pub async fn list_practitioners(
    state: web::Data<AppState>,
    _staff: Staff,
) -> ApiResult<HttpResponse> {
    let out: Vec<StaffPractitionerDto> = flows::practitioners::with_hours(&state)
        .await?
        .into_iter()
        .map(|w| StaffPractitionerDto {
            id: w.practitioner.id,
            name: w.practitioner.name,
            email: w.practitioner.email,
            active: w.practitioner.active,
            working_hours: w.hours.iter().map(HoursDto::new).collect(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// `POST /api/v1/staff/practitioners`.
#[derive(Deserialize, ToSchema)]
pub struct NewPractitionerBody {
    pub name: String,
    pub email: Option<String>,
}

/// Adds a practitioner (admin, reception).
#[utoipa::path(post, path = "/api/v1/staff/practitioners", tag = "staff", request_body = NewPractitionerBody,
    security(("bearer" = [])),
    responses((status = 201, body = StaffPractitionerDto), (status = 422, body = ErrorBody)))]
#[post("/staff/practitioners")]
pub async fn create_practitioner(
    state: web::Data<AppState>,
    staff: Staff,
    body: Json<NewPractitionerBody>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    let p =
        flows::practitioners::create(&state, &body.value.name, body.value.email.as_deref()).await?;
    Ok(HttpResponse::Created().json(StaffPractitionerDto {
        id: p.id,
        name: p.name,
        email: p.email,
        active: p.active,
        working_hours: vec![],
    }))
}

/// Visits that a calendar change leaves in conflict; reception resolves them.
#[derive(Serialize, ToSchema)]
pub struct ConflictsDto {
    pub conflicts: Vec<Uuid>,
}

/// The windows of a request; every bad field is reported at once, named `[i].field`.
fn parse_hours(body: &[HoursDto]) -> ApiResult<Vec<WorkingWindow>> {
    let mut windows = Vec::new();
    let mut errors = BTreeMap::new();
    for (i, h) in body.iter().enumerate() {
        let weekday = WEEKDAYS.iter().position(|d| *d == h.weekday.to_lowercase());
        let start = MinuteOfDay::parse_hhmm(&h.start);
        let end = MinuteOfDay::parse_hhmm(&h.end);
        match (weekday, start, end) {
            (Some(d), Ok(s), Ok(e)) if s < e => windows.push(WorkingWindow {
                weekday: d as u8,
                start: s,
                end: e,
            }),
            (None, _, _) => {
                errors.insert(
                    format!("[{i}].weekday"),
                    "must be one of mon..sun".to_owned(),
                );
            }
            (_, Err(m), _) => {
                errors.insert(format!("[{i}].start"), m);
            }
            (_, _, Err(m)) => {
                errors.insert(format!("[{i}].end"), m);
            }
            _ => {
                errors.insert(format!("[{i}].end"), "must be after start".to_owned());
            }
        }
    }
    if errors.is_empty() {
        Ok(windows)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Replaces a practitioner's weekly hours (admin, reception).
#[utoipa::path(put, path = "/api/v1/staff/practitioners/{id}/working-hours", tag = "staff", params(("id" = uuid::Uuid, Path, description = "the resource id")), request_body = [HoursDto],
    security(("bearer" = [])),
    responses((status = 200, body = ConflictsDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/staff/practitioners/{id}/working-hours")]
pub async fn set_hours(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    body: Json<Vec<HoursDto>>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    let windows = parse_hours(&body.value)?;
    let conflicts = flows::practitioners::set_hours(&state, PractitionerId(*id), windows).await?;
    Ok(HttpResponse::Ok().json(ConflictsDto {
        conflicts: conflicts.iter().map(|a| a.0).collect(),
    }))
}

/// `POST /api/v1/staff/practitioners/{id}/time-off`.
#[derive(Deserialize, ToSchema)]
pub struct TimeOffBody {
    pub start: Instant,
    pub end: Instant,
    pub reason: Option<String>,
}

/// Created time off and the visits inside it.
#[derive(Serialize, ToSchema)]
pub struct TimeOffDto {
    pub id: Uuid,
    pub conflicts: Vec<Uuid>,
}

/// Blocks time off (admin, reception); booked visits inside it are listed, not cancelled.
#[utoipa::path(post, path = "/api/v1/staff/practitioners/{id}/time-off", tag = "staff", params(("id" = uuid::Uuid, Path, description = "the resource id")), request_body = TimeOffBody,
    security(("bearer" = [])),
    responses((status = 201, body = TimeOffDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/staff/practitioners/{id}/time-off")]
pub async fn add_time_off(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    body: Json<TimeOffBody>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    let b = body.value;
    let (off, conflicts) = flows::practitioners::add_time_off(
        &state,
        PractitionerId(*id),
        b.start.0,
        b.end.0,
        b.reason,
    )
    .await?;
    Ok(HttpResponse::Created().json(TimeOffDto {
        id: off.0,
        conflicts: conflicts.iter().map(|a| a.0).collect(),
    }))
}

/// Every block of time off of a practitioner that has not ended yet, however far ahead, by
/// start (admin, reception); the calendar shows the blocks of its range only.
#[utoipa::path(get, path = "/api/v1/staff/practitioners/{id}/time-off", tag = "staff",
    params(("id" = uuid::Uuid, Path, description = "the practitioner")),
    security(("bearer" = [])),
    responses((status = 200, body = [TimeOffEntryDto]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[get("/staff/practitioners/{id}/time-off")]
pub async fn list_time_off(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    let rows = flows::practitioners::upcoming_time_off(&state, PractitionerId(*id)).await?;
    let zone = state.zone();
    let out: Vec<TimeOffEntryDto> = rows
        .into_iter()
        .map(|t| TimeOffEntryDto {
            id: t.id,
            start: zone.rfc3339(from_db(t.starts_at)),
            end: zone.rfc3339(from_db(t.ends_at)),
            reason: t.reason,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Removes a block of time off (admin, reception); the time becomes bookable again.
#[utoipa::path(delete, path = "/api/v1/staff/practitioners/{id}/time-off/{time_off_id}", tag = "staff",
    params(("id" = uuid::Uuid, Path, description = "the practitioner"),
        ("time_off_id" = uuid::Uuid, Path, description = "the block of time off")),
    security(("bearer" = [])),
    responses((status = 204), (status = 404, body = ErrorBody)))]
#[delete("/staff/practitioners/{id}/time-off/{time_off_id}")]
pub async fn remove_time_off(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    let (id, off) = path.into_inner();
    flows::practitioners::remove_time_off(&state, PractitionerId(id), TimeOffId(off)).await?;
    Ok(HttpResponse::NoContent().finish())
}

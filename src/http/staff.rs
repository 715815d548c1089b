//! Staff routes: login, users, practitioners and hours, booking for a client, screening review.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    dto::BookingBody,
    extract::{Instant, Json},
    public::book_as,
};
use crate::{
    domain::{
        availability::WorkingWindow,
        ids::{PractitionerId, ScreeningId},
        screening::{Concern, Outcome, Reason, ReviewDecision},
        time::MinuteOfDay,
    },
    error::{ApiError, ApiResult, ErrorBody},
    flows::{
        self,
        audit::Actor,
        auth::{NewUser, Role, Staff},
    },
    state::AppState,
    store,
};

const DESK: &[Role] = &[Role::Admin, Role::Reception];

/// `POST /api/v1/auth/login`.
#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    pub email: String,
    pub password: String,
}

/// A staff session.
#[derive(Serialize, ToSchema)]
pub struct LoginDto {
    pub token: String,
    pub expires_at: String,
    pub role: Role,
}

/// Staff login.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "staff", request_body = LoginBody,
    responses((status = 200, body = LoginDto), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
#[post("/auth/login")]
pub async fn login(state: web::Data<AppState>, body: Json<LoginBody>) -> ApiResult<HttpResponse> {
    let s = flows::auth::login(&state, &body.value.email, &body.value.password).await?;
    Ok(HttpResponse::Ok().json(LoginDto {
        token: s.token,
        expires_at: state.zone().rfc3339(s.expires_at),
        role: s.role,
    }))
}

/// `POST /api/v1/staff/users`.
#[derive(Deserialize, ToSchema)]
pub struct NewUserBody {
    pub email: String,
    pub password: String,
    pub role: Role,
    /// Links a practitioner login to its practitioner record.
    pub practitioner_id: Option<Uuid>,
}

/// A created user.
#[derive(Serialize, ToSchema)]
pub struct UserDto {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
}

/// Creates a staff user (admin).
#[utoipa::path(post, path = "/api/v1/staff/users", tag = "staff", request_body = NewUserBody,
    responses((status = 201, body = UserDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/staff/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    staff: Staff,
    body: Json<NewUserBody>,
) -> ApiResult<HttpResponse> {
    staff.require(&[Role::Admin])?;
    let b = body.value;
    let email = b.email.trim().to_lowercase();
    let id = flows::auth::create_user(
        &state,
        NewUser {
            email: email.clone(),
            password: b.password,
            role: b.role,
            practitioner_id: b.practitioner_id.map(PractitionerId),
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(UserDto {
        id: id.0,
        email,
        role: b.role,
    }))
}

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

fn hours_dto(rows: &[store::entities::working_hours::Model]) -> Vec<HoursDto> {
    rows.iter()
        .filter_map(|h| {
            Some(HoursDto {
                weekday: (*WEEKDAYS.get(usize::try_from(h.weekday).ok()?)?).to_owned(),
                start: MinuteOfDay::new(u16::try_from(h.start_minute).ok()?)?.hhmm(),
                end: MinuteOfDay::new(u16::try_from(h.end_minute).ok()?)?.hhmm(),
            })
        })
        .collect()
}

/// Lists practitioners with their hours.
#[utoipa::path(get, path = "/api/v1/staff/practitioners", tag = "staff", responses((status = 200, body = [StaffPractitionerDto])))]
#[get("/staff/practitioners")]
pub async fn list_practitioners(
    state: web::Data<AppState>,
    _staff: Staff,
) -> ApiResult<HttpResponse> {
    let mut out = Vec::new();
    for p in store::calendars::practitioners(&state.db).await? {
        let hours = store::calendars::working_hours(&state.db, p.id).await?;
        out.push(StaffPractitionerDto {
            id: p.id,
            name: p.name,
            email: p.email,
            active: p.active,
            working_hours: hours_dto(&hours),
        });
    }
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

/// Replaces a practitioner's weekly hours (admin, reception).
#[utoipa::path(put, path = "/api/v1/staff/practitioners/{id}/working-hours", tag = "staff", params(("id" = uuid::Uuid, Path, description = "the resource id")), request_body = [HoursDto],
    responses((status = 200, body = ConflictsDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[put("/staff/practitioners/{id}/working-hours")]
pub async fn set_hours(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    body: Json<Vec<HoursDto>>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    let mut windows = Vec::new();
    let mut errors = std::collections::BTreeMap::new();
    for (i, h) in body.value.iter().enumerate() {
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
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
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

/// Books on a client's behalf (admin, reception); the same screening rule applies.
#[utoipa::path(post, path = "/api/v1/staff/appointments", tag = "staff", request_body = BookingBody,
    responses((status = 201, body = super::dto::BookingDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/staff/appointments")]
pub async fn book_for_client(
    req: HttpRequest,
    state: web::Data<AppState>,
    staff: Staff,
    body: Json<BookingBody>,
) -> ApiResult<HttpResponse> {
    staff.require(DESK)?;
    book_as(&req, &state, body, Actor::Staff(staff.user_id)).await
}

/// `GET /api/v1/staff/screenings` query.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct ScreeningListQuery {
    pub outcome: Option<Outcome>,
}

/// A screening as reception lists it (no answers).
#[derive(Serialize, ToSchema)]
pub struct ScreeningSummaryDto {
    pub id: Uuid,
    pub client_id: Uuid,
    pub client_name: Option<String>,
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    pub created_at: String,
    pub valid_until: String,
    pub review_decision: Option<ReviewDecision>,
}

/// Lists screenings, newest first (admin, reception, practitioner).
#[utoipa::path(get, path = "/api/v1/staff/screenings", tag = "staff", params(ScreeningListQuery),
    responses((status = 200, body = [ScreeningSummaryDto])))]
#[get("/staff/screenings")]
pub async fn list_screenings(
    state: web::Data<AppState>,
    _staff: Staff,
    q: web::Query<ScreeningListQuery>,
) -> ApiResult<HttpResponse> {
    let rows = store::clients::list_screenings(&state.db, q.outcome, 500).await?;
    let zone = state.zone();
    let out: Vec<ScreeningSummaryDto> = rows
        .into_iter()
        .map(|(s, c)| ScreeningSummaryDto {
            id: s.id,
            client_id: s.client_id,
            client_name: c.map(|c| c.name),
            outcome: s.outcome,
            reasons: flows::screening::stored_reasons(&s.reasons),
            created_at: zone.rfc3339(crate::domain::time::from_db(s.created_at)),
            valid_until: zone.rfc3339(crate::domain::time::from_db(s.valid_until)),
            review_decision: s.review_decision,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// A screening with its answers (staff only: health data).
#[derive(Serialize, ToSchema)]
pub struct ScreeningDetailDto {
    #[serde(flatten)]
    pub summary: ScreeningSummaryDto,
    pub questionnaire_version: String,
    #[schema(value_type = Object)]
    pub answers: serde_json::Value,
    /// The skin concerns the client named (for a re-confirmation: none).
    pub concerns: Vec<Concern>,
    pub review_note: Option<String>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<String>,
}

/// Reads one screening with its answers.
#[utoipa::path(get, path = "/api/v1/staff/screenings/{id}", tag = "staff", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    responses((status = 200, body = ScreeningDetailDto), (status = 404, body = ErrorBody)))]
#[get("/staff/screenings/{id}")]
pub async fn get_screening(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let detail = screening_detail(&state, ScreeningId(*id)).await?;
    // Reading health answers is itself an audited action.
    flows::audit::record(
        &state.db,
        &state,
        Actor::Staff(staff.user_id),
        "screening.view",
        "screening",
        *id,
        None,
    )
    .await?;
    Ok(HttpResponse::Ok().json(detail))
}

async fn screening_detail(state: &AppState, id: ScreeningId) -> ApiResult<ScreeningDetailDto> {
    let s = store::clients::find_screening(&state.db, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    let c = store::clients::find(&state.db, s.client_id).await?;
    let zone = state.zone();
    let at = |t: i64| zone.rfc3339(crate::domain::time::from_db(t));
    Ok(ScreeningDetailDto {
        summary: ScreeningSummaryDto {
            id: s.id,
            client_id: s.client_id,
            client_name: c.map(|c| c.name),
            outcome: s.outcome,
            reasons: flows::screening::stored_reasons(&s.reasons),
            created_at: at(s.created_at),
            valid_until: at(s.valid_until),
            review_decision: s.review_decision,
        },
        questionnaire_version: s.questionnaire_version,
        answers: flows::screening::stored_answers(&s.answers),
        concerns: flows::screening::stored_concerns(&s.concerns),
        review_note: s.review_note,
        reviewed_by: s.reviewed_by,
        reviewed_at: s.reviewed_at.map(at),
    })
}

/// `POST /api/v1/staff/screenings/{id}/review`.
#[derive(Deserialize, ToSchema)]
pub struct ReviewBody {
    pub decision: ReviewDecision,
    pub note: String,
}

/// A clinician approves or rejects a `needs_review` screening (admin, practitioner).
#[utoipa::path(post, path = "/api/v1/staff/screenings/{id}/review", tag = "staff", params(("id" = uuid::Uuid, Path, description = "the resource id")), request_body = ReviewBody,
    responses((status = 200, body = ScreeningDetailDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[post("/staff/screenings/{id}/review")]
pub async fn review_screening(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    body: Json<ReviewBody>,
) -> ApiResult<HttpResponse> {
    staff.require(&[Role::Admin, Role::Practitioner])?;
    let b = body.value;
    let note = b.note.trim();
    if note.is_empty() || note.chars().count() > 2000 {
        return Err(ApiError::invalid("note", "must be 1 to 2000 characters"));
    }
    let s = store::clients::find_screening(&state.db, *id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let now = crate::domain::time::to_db(state.now());
    let tx = store::begin_write(&state.db).await?;
    if !store::clients::review_screening(&tx, s.id, b.decision, note, staff.user_id.0, now).await? {
        return Err(ApiError::Conflict(
            "only an unreviewed needs_review screening can be reviewed".into(),
        ));
    }
    let detail = serde_json::json!({ "decision": b.decision.as_str() });
    flows::audit::record(
        &tx,
        &state,
        Actor::Staff(staff.user_id),
        "screening.review",
        "screening",
        s.id,
        Some(detail),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(screening_id = %s.id, "screening reviewed");
    Ok(HttpResponse::Ok().json(screening_detail(&state, ScreeningId(s.id)).await?))
}

//! Aftercare alerts for staff: the list with the check-in's answers (all staff; the read is
//! audited), and a clinician's acknowledgement with a note (admin, practitioner).

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{CLINICAL, CLINICIANS};
use crate::{
    domain::{
        aftercare::{AlertStatus, Redness, Sign},
        service::Service,
        time::{ClinicZone, from_db},
    },
    error::ApiResult,
    flows::{self, aftercare::AlertView, auth::Staff},
    http::{error::ErrorBody, extract::Json},
    state::AppState,
};

/// `GET /api/v1/staff/alerts` query.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertListQuery {
    /// `true`: only alerts nobody acknowledged yet.
    pub open: Option<bool>,
}

/// The client an alert is about (to call them).
#[derive(Serialize, ToSchema)]
pub struct AlertClientDto {
    pub id: Uuid,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The check-in's answers (health data; the latest answer of the visit).
#[derive(Serialize, ToSchema)]
pub struct AlertAnswersDto {
    pub redness: Redness,
    pub swelling: bool,
    pub pain_increasing: bool,
    pub pus_or_fever: bool,
    pub blisters_or_cold_sore: bool,
    /// What the client typed (show it as text).
    pub notes: Option<String>,
    /// Local days after the visit's day when it was answered (0 = that day).
    pub day: i32,
    pub answered_at: String,
}

/// One alert.
#[derive(Serialize, ToSchema)]
pub struct AlertDto {
    pub id: Uuid,
    /// `open` until acknowledged; `superseded` when a worse answer raised a newer alert.
    pub status: AlertStatus,
    pub raised_at: String,
    /// Emails sent to the clinic about it (the first, then one per `aftercare.realert_after`
    /// while open).
    pub emails: i32,
    pub appointment_id: Uuid,
    pub service: Option<Service>,
    pub visit_start: Option<String>,
    pub practitioner_name: Option<String>,
    pub client: AlertClientDto,
    /// `null` once the client was erased.
    pub answers: Option<AlertAnswersDto>,
    /// The warning signs in the answers (`domain::aftercare`).
    pub warning_signs: Vec<Sign>,
    pub acknowledged_at: Option<String>,
    pub acknowledged_by: Option<Uuid>,
    pub note: Option<String>,
}

impl AlertDto {
    fn new(v: AlertView, zone: &ClinicZone) -> Self {
        let at = |t: i64| zone.rfc3339(from_db(t));
        let a = v.alert;
        Self {
            id: a.id,
            status: a.status,
            raised_at: at(a.raised_at),
            emails: a.emails,
            appointment_id: a.appointment_id,
            service: v.appointment.as_ref().map(|x| x.service),
            visit_start: v.appointment.as_ref().map(|x| at(x.starts_at)),
            practitioner_name: v.practitioner_name,
            client: AlertClientDto {
                id: a.client_id,
                name: v.client_name,
                email: v.client_email,
                phone: v.client_phone,
            },
            answers: v.report.map(|r| AlertAnswersDto {
                redness: r.redness,
                swelling: r.swelling,
                pain_increasing: r.pain_increasing,
                pus_or_fever: r.pus_or_fever,
                blisters_or_cold_sore: r.blisters_or_cold_sore,
                notes: r.notes,
                day: r.day,
                answered_at: at(r.updated_at),
            }),
            warning_signs: v.signs,
            acknowledged_at: a.acknowledged_at.map(at),
            acknowledged_by: a.acknowledged_by,
            note: a.note,
        }
    }
}

/// `GET /api/v1/staff/alerts/open-count` answer.
#[derive(Serialize, ToSchema)]
pub struct OpenAlertCountDto {
    /// Alerts nobody acknowledged yet.
    pub open: u64,
}

/// How many aftercare alerts are open (all staff; names nobody, so not audited: the desk's
/// menu count).
#[utoipa::path(get, path = "/api/v1/staff/alerts/open-count", tag = "staff",
    security(("bearer" = [])),
    responses((status = 200, body = OpenAlertCountDto), (status = 401, body = ErrorBody)))]
#[get("/staff/alerts/open-count")]
pub async fn open_alert_count(state: web::Data<AppState>, staff: Staff) -> ApiResult<HttpResponse> {
    staff.require(CLINICAL)?;
    let open = flows::aftercare::open_count(&state).await?;
    Ok(HttpResponse::Ok().json(OpenAlertCountDto { open }))
}

/// Aftercare alerts, newest first, with the answers (admin, reception, practitioner; audited).
#[utoipa::path(get, path = "/api/v1/staff/alerts", tag = "staff", params(AlertListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = [AlertDto]), (status = 401, body = ErrorBody)))]
#[get("/staff/alerts")]
pub async fn list_alerts(
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<AlertListQuery>,
) -> ApiResult<HttpResponse> {
    staff.require(CLINICAL)?;
    let zone = state.zone();
    let out: Vec<AlertDto> = flows::aftercare::list(&state, &staff, q.open.unwrap_or(false))
        .await?
        .into_iter()
        .map(|v| AlertDto::new(v, zone))
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// `POST /api/v1/staff/alerts/{id}/acknowledge`.
#[derive(Deserialize, ToSchema)]
pub struct AcknowledgeBody {
    /// What was done (e.g. "called, normal healing"; required).
    pub note: String,
}

/// A clinician acknowledges an open alert with a note (admin, practitioner): no more emails.
#[utoipa::path(post, path = "/api/v1/staff/alerts/{id}/acknowledge", tag = "staff", params(("id" = uuid::Uuid, Path, description = "the resource id")),
    request_body = AcknowledgeBody, security(("bearer" = [])),
    responses((status = 200, body = AlertDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/staff/alerts/{id}/acknowledge")]
pub async fn acknowledge_alert(
    state: web::Data<AppState>,
    staff: Staff,
    id: web::Path<Uuid>,
    body: Json<AcknowledgeBody>,
) -> ApiResult<HttpResponse> {
    staff.require(CLINICIANS)?;
    let v = flows::aftercare::acknowledge(&state, &staff, *id, &body.value.note).await?;
    Ok(HttpResponse::Ok().json(AlertDto::new(v, state.zone())))
}

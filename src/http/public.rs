//! Client routes: catalogue, screening, availability, booking.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    dto::{BookingBody, BookingDto, ClientBody},
    error::ErrorBody,
    extract::{Json, idempotency_key},
};
use crate::{
    domain::{
        ids::PractitionerId,
        screening::{AnswerKind, CURRENT, Concern, Outcome, QuestionnaireVersion, Reason},
        service::{Offer, Price, Service},
        time::parse_date,
    },
    error::{ApiError, ApiResult},
    flows::{self, booking::Actor},
    secret,
    state::AppState,
};

/// A bookable service, as the admin's catalogue lists it.
#[derive(Serialize, ToSchema)]
pub struct ServiceDto {
    pub code: Service,
    pub name: String,
    /// The treatment itself (numbing cream adds `booking.anesthesia_extra` before it).
    pub duration_minutes: u64,
    pub requires_screening: bool,
    /// The price shown to clients; null when the clinic has set none.
    #[schema(nullable)]
    pub price: Option<Price>,
}

impl ServiceDto {
    pub fn new(o: Offer) -> Self {
        Self {
            code: o.service,
            requires_screening: o.service.requires_screening(),
            name: o.name,
            duration_minutes: o.duration.as_secs() / 60,
            price: o.price,
        }
    }
}

/// The service catalogue.
#[utoipa::path(get, path = "/api/v1/services", tag = "public", responses((status = 200, body = [ServiceDto])))]
#[get("/services")]
pub async fn services(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let list: Vec<ServiceDto> = flows::services::list(&state)
        .await?
        .into_iter()
        .map(ServiceDto::new)
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

/// A practitioner as clients see them.
#[derive(Serialize, ToSchema)]
pub struct PractitionerDto {
    pub id: Uuid,
    pub name: String,
}

/// Active practitioners.
#[utoipa::path(get, path = "/api/v1/practitioners", tag = "public", responses((status = 200, body = [PractitionerDto])))]
#[get("/practitioners")]
pub async fn practitioners(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let list: Vec<PractitionerDto> = flows::practitioners::active(&state)
        .await?
        .into_iter()
        .map(|p| PractitionerDto {
            id: p.id,
            name: p.name,
        })
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

/// One question.
#[derive(Serialize, ToSchema)]
pub struct QuestionDto {
    pub id: &'static str,
    pub text: String,
    /// `yes_no`: answered true or false. `date`: answered false, or with the local date
    /// (`YYYY-MM-DD`, clinic zone, not in the future) the question asks for; a recent date
    /// makes the client eligible only from a later day (`eligible_from`).
    pub answer: AnswerKind,
    /// What a "yes" means (`eligible` for a date question: eligible from a later day).
    pub outcome_if_yes: Outcome,
}

/// The questionnaire in force.
#[derive(Serialize, ToSchema)]
pub struct QuestionnaireDto {
    /// Answer sets of another version are refused (422 naming the missing or unknown ids).
    pub version: QuestionnaireVersion,
    pub questions: Vec<QuestionDto>,
}

/// The screening questionnaire.
#[utoipa::path(get, path = "/api/v1/screening/questions", tag = "public", responses((status = 200, body = QuestionnaireDto)))]
#[get("/screening/questions")]
pub async fn questions(state: web::Data<AppState>) -> HttpResponse {
    let rules = state.screening_rules();
    HttpResponse::Ok().json(QuestionnaireDto {
        version: CURRENT.version,
        questions: CURRENT
            .questions
            .iter()
            .map(|q| QuestionDto {
                id: q.id,
                text: q.text(&rules),
                answer: q.answer_kind(),
                outcome_if_yes: q.outcome_if_yes(),
            })
            .collect(),
    })
}

/// `POST /api/v1/screenings`.
#[derive(Deserialize, ToSchema)]
pub struct ScreeningBody {
    pub client: ClientBody,
    /// Every question id of the questionnaire in force: `true`/`false`, or for a `date`
    /// question `false` or `"YYYY-MM-DD"`.
    #[schema(value_type = Object)]
    pub answers: serde_json::Map<String, serde_json::Value>,
    pub concerns: Option<Vec<Concern>>,
}

/// A stored screening's outcome.
#[derive(Serialize, ToSchema)]
pub struct ScreeningDto {
    pub id: Uuid,
    pub client_id: Uuid,
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    pub valid_until: String,
    /// The first local day (`YYYY-MM-DD`, clinic zone) a treatment may take place; null when
    /// no answer sets one. Availability with this `screening_id` offers nothing earlier and
    /// booking earlier is 403 `not_eligible_until`.
    #[schema(value_type = Option<String>, format = Date, example = "2027-05-14")]
    pub eligible_from: Option<String>,
    /// The questionnaire version the answers were given under.
    pub questionnaire_version: QuestionnaireVersion,
    /// Whether numbing cream may be chosen with this screening (false after an allergy to
    /// local anaesthetics: `anesthesia=true` is then refused, 422 naming `anesthesia`).
    pub numbing_cream_allowed: bool,
}

/// Submits the health screening.
#[utoipa::path(post, path = "/api/v1/screenings", tag = "public", request_body = ScreeningBody,
    responses((status = 201, body = ScreeningDto), (status = 422, body = ErrorBody)))]
#[post("/screenings")]
pub async fn submit_screening(
    state: web::Data<AppState>,
    body: Json<ScreeningBody>,
) -> ApiResult<HttpResponse> {
    let body = body.value;
    let client = body.client.parse();
    let answers = flows::screening::parse_answers(&state, &body.answers);
    // Report every bad field at once.
    let (client, answers) = match (client, answers) {
        (Ok(c), Ok(a)) => (c, a),
        (c, a) => {
            let mut fields = match c {
                Err(ApiError::Validation(f)) => f,
                _ => Default::default(),
            };
            if let Err(e) = a {
                fields.extend(e.0);
            }
            return Err(ApiError::Validation(fields));
        }
    };
    let mut concerns = body.concerns.unwrap_or_default();
    concerns.sort();
    concerns.dedup();
    let s = flows::screening::submit(
        &state,
        flows::screening::Submission {
            client,
            answers,
            concerns,
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(ScreeningDto {
        id: s.id.0,
        client_id: s.client_id.0,
        outcome: s.outcome,
        reasons: s.reasons,
        valid_until: state.zone().rfc3339(s.valid_until),
        eligible_from: s.eligible_from.map(|d| d.to_string()),
        questionnaire_version: CURRENT.version,
        numbing_cream_allowed: !s.flags.no_numbing_cream,
    }))
}

/// `GET /api/v1/availability` query.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    pub service: Service,
    /// First local date, YYYY-MM-DD.
    pub from: String,
    /// Last local date (inclusive), at most 31 days after `from`.
    pub to: String,
    pub practitioner_id: Option<Uuid>,
    pub anesthesia: Option<bool>,
    /// The client's screening: no slot before its `eligible_from`; numbing cream refused (422
    /// `anesthesia`) after an allergy to local anaesthetics.
    pub screening_id: Option<Uuid>,
}

/// One offered slot.
#[derive(Serialize, ToSchema)]
pub struct SlotDto {
    pub start: String,
    pub end: String,
    pub practitioner_id: Uuid,
}

/// Offered slots.
#[derive(Serialize, ToSchema)]
pub struct AvailabilityDto {
    pub timezone: String,
    pub slots: Vec<SlotDto>,
}

/// Offered start times.
#[utoipa::path(get, path = "/api/v1/availability", tag = "public", params(AvailabilityQuery),
    responses((status = 200, body = AvailabilityDto), (status = 422, body = ErrorBody)))]
#[get("/availability")]
pub async fn availability(
    state: web::Data<AppState>,
    q: web::Query<AvailabilityQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let from = parse_date(&q.from).map_err(|m| ApiError::invalid("from", m))?;
    let to = parse_date(&q.to).map_err(|m| ApiError::invalid("to", m))?;
    let offered = flows::availability::slots(
        &state,
        flows::availability::Query {
            service: q.service,
            from,
            to,
            practitioner_id: q.practitioner_id.map(PractitionerId),
            anesthesia: q.anesthesia.unwrap_or(false),
            screening_id: q.screening_id.map(crate::domain::ids::ScreeningId),
        },
    )
    .await?;
    let zone = state.zone();
    let body = offered.rendered(|slots| {
        serde_json::to_vec(&AvailabilityDto {
            timezone: zone.name().to_owned(),
            slots: slots
                .iter()
                .map(|s| SlotDto {
                    start: zone.rfc3339(s.start),
                    end: zone.rfc3339(s.end),
                    practitioner_id: s.practitioner_id.0,
                })
                .collect(),
        })
        .map(bytes::Bytes::from)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("rendering availability")))
    })?;
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(body))
}

/// Books one session or a course. Send an `Idempotency-Key` header to make retries safe.
#[utoipa::path(post, path = "/api/v1/bookings", tag = "public", request_body = BookingBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses((status = 201, body = BookingDto),
        (status = 403, body = ErrorBody, description = "`screening_not_passed`, or `not_eligible_until` (a first session before the screening's `eligible_from`; `details.eligible_from`)"),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/bookings")]
pub async fn book(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<BookingBody>,
) -> ApiResult<HttpResponse> {
    book_as(&req, &state, body, Actor::Client).await
}

/// One session of a preview.
#[derive(Serialize, ToSchema)]
pub struct PlannedSessionDto {
    pub session_number: u32,
    pub start: String,
    pub end: String,
    pub practitioner_id: Uuid,
}

/// Where the sessions of a booking request would go.
#[derive(Serialize, ToSchema)]
pub struct PreviewDto {
    pub appointments: Vec<PlannedSessionDto>,
}

/// Where every session of this request would go if booked now (a course's dates before the
/// client confirms): the same body, checks and placement as `POST /api/v1/bookings`, but
/// nothing is written, so a time may still be taken before the booking.
#[utoipa::path(post, path = "/api/v1/bookings/preview", tag = "public", request_body = BookingBody,
    responses((status = 200, body = PreviewDto),
        (status = 403, body = ErrorBody, description = "`screening_not_passed`, or `not_eligible_until` (`details.eligible_from`)"),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/bookings/preview")]
pub async fn preview(
    state: web::Data<AppState>,
    body: Json<BookingBody>,
) -> ApiResult<HttpResponse> {
    let request = body.value.into_request(&state, None)?;
    let slots = flows::booking::preview(&state, request).await?;
    let zone = state.zone();
    Ok(HttpResponse::Ok().json(PreviewDto {
        appointments: slots
            .iter()
            .zip(1..)
            .map(|(s, n)| PlannedSessionDto {
                session_number: n,
                start: zone.rfc3339(s.start),
                end: zone.rfc3339(s.end),
                practitioner_id: s.practitioner_id.0,
            })
            .collect(),
    }))
}

/// Shared by the client and the staff booking routes.
pub async fn book_as(
    req: &HttpRequest,
    state: &AppState,
    body: Json<BookingBody>,
    actor: Actor,
) -> ApiResult<HttpResponse> {
    let canonical = body.canonical.as_deref().unwrap_or_default();
    let idempotency = idempotency_key(req)?.map(|k| (k, secret::token_hash(canonical)));
    let service = body.value.service;
    let result = match body.value.into_request(state, idempotency) {
        Ok(request) => flows::booking::book(state, request, actor).await,
        Err(e) => Err(e),
    };
    let booked = match result {
        Ok(b) => {
            if !b.replayed {
                let labels = crate::metrics::ServiceLabels {
                    service: service.code().to_owned(),
                };
                state.metrics.bookings_made.get_or_create(&labels).inc();
            }
            b
        }
        Err(e) => {
            let labels = crate::metrics::ReasonLabels {
                reason: e.code().to_owned(),
            };
            state.metrics.bookings_refused.get_or_create(&labels).inc();
            return Err(e);
        }
    };
    // A replay answers like the original (201), marked so a client can tell.
    let mut resp = HttpResponse::Created();
    if booked.replayed {
        resp.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(resp.json(BookingDto::new(&booked, state.zone())))
}

/// What the client pages show about the clinic and speak.
#[derive(Serialize, ToSchema)]
pub struct ClinicDto {
    pub name: String,
    pub phone: String,
    pub email: String,
    /// IANA zone; every local date and time of the API is in it.
    pub timezone: String,
    /// Language of the client pages and emails: `en` or `de`.
    pub language: &'static str,
    /// What the reception desk page needs before sign-in.
    pub desk: DeskDto,
}

/// The reception desk page's settings.
#[derive(Serialize, ToSchema)]
pub struct DeskDto {
    /// An untouched desk locks after this many seconds (`desk.idle_lock`).
    pub idle_lock_seconds: u64,
}

/// The clinic's public details, for the client pages.
#[utoipa::path(get, path = "/api/v1/clinic", tag = "public", responses((status = 200, body = ClinicDto)))]
#[get("/clinic")]
pub async fn clinic(state: web::Data<AppState>) -> HttpResponse {
    let c = &state.settings.clinic;
    HttpResponse::Ok().json(ClinicDto {
        name: c.name.clone(),
        phone: c.phone.clone(),
        email: c.email.clone(),
        timezone: state.zone().name().to_owned(),
        language: c.language.code(),
        desk: DeskDto {
            idle_lock_seconds: state.settings.desk.idle_lock.as_secs(),
        },
    })
}

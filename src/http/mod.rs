//! Thin HTTP handlers grouped by audience; routing, JSON error handlers and the OpenAPI doc.

pub mod clinic;
pub mod desk;
pub mod dto;
pub mod extract;
pub mod limit;
pub mod manage;
pub mod ops;
pub mod public;
pub mod staff;

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use utoipa::OpenApi;

use crate::error::ApiError;

/// The generated API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "dermadesk", description = "Microneedling booking and aftercare messaging"),
    paths(
        public::services, public::practitioners, public::questions, public::submit_screening,
        public::availability, public::book,
        staff::login, staff::create_user, staff::list_practitioners, staff::create_practitioner,
        staff::set_hours, staff::add_time_off, staff::book_for_client, staff::list_screenings,
        staff::get_screening, staff::review_screening,
        desk::check_in, desk::complete, desk::no_show, desk::cancel, desk::reschedule,
        desk::messages, desk::retry_message,
        manage::get_booking, manage::cancel_booking, manage::reschedule_booking, manage::calendar_ics,
        manage::reconfirm,
        clinic::calendar, clinic::erase_client, clinic::export_client, clinic::list_users, clinic::set_role,
        clinic::audit,
        ops::healthz, ops::readyz,
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// Registers every route.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::QueryConfig::default()
            .error_handler(|err, _| ApiError::invalid("query", err.to_string()).into()),
    )
    .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()))
    .service(ops::healthz)
    .service(ops::readyz)
    .service(ops::openapi)
    .service(ops::metrics)
    .service(
        web::scope("/api/v1")
            .service(public::services)
            .service(public::practitioners)
            .service(public::questions)
            .service(public::submit_screening)
            .service(public::availability)
            .service(public::book)
            .service(staff::login)
            .service(staff::create_user)
            .service(staff::list_practitioners)
            .service(staff::create_practitioner)
            .service(staff::set_hours)
            .service(staff::add_time_off)
            .service(staff::book_for_client)
            .service(staff::list_screenings)
            .service(staff::get_screening)
            .service(staff::review_screening)
            .service(desk::check_in)
            .service(desk::complete)
            .service(desk::no_show)
            .service(desk::cancel)
            .service(desk::reschedule)
            .service(desk::messages)
            .service(desk::retry_message)
            .service(manage::calendar_ics)
            .service(manage::get_booking)
            .service(manage::cancel_booking)
            .service(manage::reschedule_booking)
            .service(manage::reconfirm)
            .service(clinic::calendar)
            .service(clinic::erase_client)
            .service(clinic::export_client)
            .service(clinic::list_users)
            .service(clinic::set_role)
            .service(clinic::audit),
    )
    .default_service(web::to(not_found));
}

/// Unknown route or method: a JSON 404 like every other error.
async fn not_found(_req: HttpRequest) -> HttpResponse {
    ApiError::NotFound.error_response()
}

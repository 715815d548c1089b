//! Thin HTTP handlers grouped by audience; routing, JSON error handlers and the OpenAPI doc.

pub mod aftercare;
pub mod consent;
pub mod dto;
pub mod error;
pub mod extract;
pub mod limit;
pub mod manage;
pub mod ops;
pub mod pages;
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
        public::availability, public::book, public::preview, public::clinic,
        staff::auth::login, staff::auth::logout,
        staff::users::create_user, staff::users::list_users, staff::users::set_role,
        staff::practitioners::list_practitioners, staff::practitioners::create_practitioner,
        staff::practitioners::set_hours, staff::practitioners::add_time_off,
        staff::appointments::book_for_client, staff::appointments::check_in,
        staff::appointments::complete, staff::appointments::no_show, staff::appointments::cancel,
        staff::appointments::reschedule, staff::appointments::reschedule_window,
        staff::calendar::calendar,
        staff::screenings::list_screenings, staff::screenings::get_screening,
        staff::screenings::review_screening,
        staff::messages::messages, staff::messages::retry_message,
        staff::clients::erase_client, staff::clients::export_client,
        staff::clients::search_clients, staff::clients::client_screenings,
        staff::audit::audit,
        manage::get_whole_booking, manage::get_booking, manage::cancel_booking, manage::reschedule_booking, manage::calendar_ics,
        manage::reconfirm,
        ops::healthz, ops::readyz,
        staff::appointments::record_reconfirmation,
        staff::closures::list_closures, staff::closures::add_closure, staff::closures::remove_closure,
        staff::practitioners::list_time_off,
        staff::practitioners::remove_time_off,
        aftercare::aftercare_visit, aftercare::submit_aftercare,
        staff::alerts::list_alerts, staff::alerts::open_alert_count, staff::alerts::acknowledge_alert,
        staff::services::update_service,
        consent::get_consent, consent::sign_consent,
        staff::clinical::get_consent_at_desk, staff::clinical::sign_consent_at_desk,
        staff::clinical::get_notes, staff::clinical::put_notes, staff::clinical::course_notes,
    ),
    components(schemas(error::ErrorBody)),
    modifiers(&SecuritySchemes)
)]
pub struct ApiDoc;

/// The two credentials, both sent as `Authorization: Bearer ...`: `bearer` is a staff session
/// token from `POST /api/v1/auth/login` (every `/api/v1/staff/*` operation); `manage_token` is
/// a booking's manage token or the secret of an email's link (`/api/v1/booking` and every
/// `/api/v1/bookings/{id}...` operation). Separate schemes, so a generated client keeps the two apart.
struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("a staff session token from POST /api/v1/auth/login"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "manage_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "a booking's manage token, or the secret of a link in its emails",
                    ))
                    .build(),
            ),
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
    .configure(pages::routes)
    .service(
        web::scope("/api/v1")
            .service(public::services)
            .service(public::practitioners)
            .service(public::questions)
            .service(public::submit_screening)
            .service(public::availability)
            .service(public::book)
            .service(public::preview)
            .service(public::clinic)
            .service(staff::auth::login)
            .service(staff::auth::logout)
            .service(staff::users::create_user)
            .service(staff::users::list_users)
            .service(staff::users::set_role)
            .service(staff::practitioners::list_practitioners)
            .service(staff::practitioners::create_practitioner)
            .service(staff::practitioners::set_hours)
            .service(staff::practitioners::add_time_off)
            .service(staff::appointments::book_for_client)
            .service(staff::appointments::check_in)
            .service(staff::appointments::complete)
            .service(staff::appointments::no_show)
            .service(staff::appointments::cancel)
            .service(staff::appointments::reschedule)
            .service(staff::appointments::reschedule_window)
            .service(staff::calendar::calendar)
            .service(staff::screenings::list_screenings)
            .service(staff::screenings::get_screening)
            .service(staff::screenings::review_screening)
            .service(staff::messages::messages)
            .service(staff::messages::retry_message)
            .service(staff::clients::erase_client)
            .service(staff::clients::export_client)
            .service(staff::clients::search_clients)
            .service(staff::clients::client_screenings)
            .service(staff::audit::audit)
            .service(manage::get_whole_booking)
            .service(manage::calendar_ics)
            .service(manage::get_booking)
            .service(manage::cancel_booking)
            .service(manage::reschedule_booking)
            .service(manage::reconfirm)
            .service(staff::appointments::record_reconfirmation)
            .service(staff::closures::list_closures)
            .service(staff::closures::add_closure)
            .service(staff::closures::remove_closure)
            .service(staff::practitioners::list_time_off)
            .service(staff::practitioners::remove_time_off)
            .service(aftercare::aftercare_visit)
            .service(aftercare::submit_aftercare)
            .service(staff::alerts::open_alert_count)
            .service(staff::alerts::list_alerts)
            .service(staff::alerts::acknowledge_alert)
            .service(staff::services::update_service)
            .service(consent::get_consent)
            .service(consent::sign_consent)
            .service(staff::clinical::get_consent_at_desk)
            .service(staff::clinical::sign_consent_at_desk)
            .service(staff::clinical::get_notes)
            .service(staff::clinical::put_notes)
            .service(staff::clinical::course_notes),
    )
    .default_service(web::to(not_found));
}

/// Unknown route or method: a JSON 404 like every other error.
async fn not_found(_req: HttpRequest) -> HttpResponse {
    ApiError::NotFound.error_response()
}

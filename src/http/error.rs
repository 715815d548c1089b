//! `ApiError` over HTTP: each error's status, headers and JSON body, in one place:
//! `{"error": {"code": "...", "message": "...", "details": {...}}}`.

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::ApiError;

/// The JSON error body.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorInner,
}

/// The inside of [`ErrorBody`].
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorInner {
    /// Machine-readable code, e.g. `validation_failed`.
    pub code: String,
    /// For people.
    pub message: String,
    /// Field names for `validation_failed`, more context elsewhere.
    #[schema(value_type = Object)]
    pub details: Value,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden
            | ApiError::ScreeningNotPassed(_)
            | ApiError::NotEligibleUntil { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::SlotTaken { .. }
            | ApiError::TooLateToChange(_)
            | ApiError::Conflict(_)
            | ApiError::ConflictWith { .. }
            | ApiError::ReconfirmationMissing(_)
            | ApiError::ConsentMissing(_) => StatusCode::CONFLICT,
            ApiError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (message, details) = match self {
            ApiError::Internal(err) => {
                // The whole cause chain goes to the log; the client learns nothing of it.
                tracing::error!(error = format!("{err:#}"), "request failed");
                ("internal error".to_owned(), json!({}))
            }
            ApiError::Validation(fields) => {
                let names: Vec<&str> = fields.keys().map(String::as_str).collect();
                (
                    format!("invalid fields: {}", names.join(", ")),
                    json!(fields),
                )
            }
            ApiError::SlotTaken { message, details }
            | ApiError::ConflictWith { message, details } => (message.clone(), details.clone()),
            ApiError::NotEligibleUntil {
                message,
                eligible_from,
            } => (
                message.clone(),
                json!({ "eligible_from": eligible_from.to_string() }),
            ),
            other => (other.to_string(), json!({})),
        };
        let body = ErrorBody {
            error: ErrorInner {
                code: self.code().to_owned(),
                message,
                details,
            },
        };
        let mut resp = HttpResponse::build(self.status_code());
        match self {
            ApiError::Unauthorized => {
                resp.insert_header(("WWW-Authenticate", "Bearer"));
            }
            ApiError::Unavailable => {
                resp.insert_header(("Retry-After", "1"));
            }
            _ => {}
        }
        resp.json(body)
    }
}

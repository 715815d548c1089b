//! The API's error enum and its JSON body, in one place:
//! `{"error": {"code": "...", "message": "...", "details": {...}}}`.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use serde::Serialize;
use serde_json::{Value, json};

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body or query could not be read at all (400).
    #[error("malformed request: {0}")]
    BadRequest(String),
    /// Well-formed but invalid; details name the fields (422).
    #[error("validation failed")]
    Validation(BTreeMap<String, String>),
    #[error("authentication required")]
    Unauthorized,
    #[error("not allowed for this role")]
    Forbidden,
    /// Booking a screened service without an eligible, unexpired screening (403).
    #[error("{0}")]
    ScreeningNotPassed(String),
    #[error("not found")]
    NotFound,
    /// The slot (or one session of a course) is no longer free (409).
    #[error("{message}")]
    SlotTaken { message: String, details: Value },
    /// A client change inside the notice window (409).
    #[error("changes are possible only {0} before the start; please call the clinic")]
    TooLateToChange(String),
    /// A state conflict: an illegal status move, a reused idempotency key (409).
    #[error("{0}")]
    Conflict(String),
    #[error("too many requests; try again in a minute")]
    RateLimited,
    /// The database could not be reached in time (pool exhausted or connection lost): the
    /// request may be retried (503 with `Retry-After`).
    #[error("the service is busy; please try again shortly")]
    Unavailable,
    /// Anything unexpected; the cause is logged, the client sees only the code.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A 422 for one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut m = BTreeMap::new();
        m.insert(field.into(), message.into());
        ApiError::Validation(m)
    }

    /// The machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Validation(_) => "validation_failed",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::ScreeningNotPassed(_) => "screening_not_passed",
            ApiError::NotFound => "not_found",
            ApiError::SlotTaken { .. } => "slot_taken",
            ApiError::TooLateToChange(_) => "too_late_to_change",
            ApiError::Conflict(_) => "conflict",
            ApiError::RateLimited => "rate_limited",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        if crate::store::is_overlap(&err) {
            return ApiError::SlotTaken {
                message: "this time is no longer free".to_owned(),
                details: json!({}),
            };
        }
        if let sea_orm::DbErr::ConnectionAcquire(why) = &err {
            tracing::warn!(error = %why, "no database connection in time");
            return ApiError::Unavailable;
        }
        ApiError::Internal(anyhow::Error::new(err).context("database"))
    }
}

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
            ApiError::Forbidden | ApiError::ScreeningNotPassed(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::SlotTaken { .. } | ApiError::TooLateToChange(_) | ApiError::Conflict(_) => {
                StatusCode::CONFLICT
            }
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
            ApiError::SlotTaken { message, details } => (message.clone(), details.clone()),
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

/// Result of a handler or flow.
pub type ApiResult<T> = Result<T, ApiError>;

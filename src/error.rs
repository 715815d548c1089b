//! The error every flow returns: what went wrong and its machine-readable code. It knows
//! nothing of HTTP; `http::error` maps it to a status and the JSON body.

use std::collections::BTreeMap;

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
    /// Booking a first visit before the screening's `eligible_from` (403); the message names
    /// the date in words, the details as `YYYY-MM-DD`.
    #[error("{message}")]
    NotEligibleUntil {
        message: String,
        eligible_from: jiff::civil::Date,
    },
    #[error("not found")]
    NotFound,
    /// The slot (or one session of a course) is no longer free (409).
    #[error("{message}")]
    SlotTaken { message: String, details: Value },
    /// A client change inside the notice window (409).
    #[error("{0}")]
    TooLateToChange(String),
    /// A state conflict: an illegal status move, a reused idempotency key (409).
    #[error("{0}")]
    Conflict(String),
    /// A conflict whose details say more (e.g. the dates a course session may move to) (409,
    /// code `conflict`).
    #[error("{message}")]
    ConflictWith { message: String, details: Value },
    /// Check-in of a repeat session whose health answers nobody re-confirmed (409).
    #[error("{0}")]
    ReconfirmationMissing(String),
    /// Check-in of a microneedling visit without a signature of the current consent version
    /// (409).
    #[error("{0}")]
    ConsentMissing(String),
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
            ApiError::NotEligibleUntil { .. } => "not_eligible_until",
            ApiError::NotFound => "not_found",
            ApiError::SlotTaken { .. } => "slot_taken",
            ApiError::TooLateToChange(_) => "too_late_to_change",
            ApiError::Conflict(_) | ApiError::ConflictWith { .. } => "conflict",
            ApiError::ReconfirmationMissing(_) => "reconfirmation_missing",
            ApiError::ConsentMissing(_) => "consent_missing",
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

/// Result of a flow (and of a handler, through `http::error`).
pub type ApiResult<T> = Result<T, ApiError>;

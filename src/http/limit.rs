//! Per-IP rate limits (governor's GCRA): `rate_limit.public_per_minute` on screening, booking
//! and manage-link routes, `rate_limit.login_per_minute` on login; 0 disables either.

use std::{net::IpAddr, num::NonZeroU32};

use actix_web::{
    Error, ResponseError,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::Method,
    middleware::Next,
    web,
};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::{config::RateLimitSettings, error::ApiError};

/// The limiters of one app.
pub struct Limits {
    public: Option<DefaultKeyedRateLimiter<IpAddr>>,
    login: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

fn limiter(per_minute: u32) -> Option<DefaultKeyedRateLimiter<IpAddr>> {
    NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n)))
}

impl Limits {
    /// From the settings.
    pub fn new(s: &RateLimitSettings) -> Self {
        Self {
            public: limiter(s.public_per_minute),
            login: limiter(s.login_per_minute),
        }
    }

    fn for_request(&self, method: &Method, path: &str) -> Option<&DefaultKeyedRateLimiter<IpAddr>> {
        let public = (method == Method::POST
            && (path == "/api/v1/screenings" || path == "/api/v1/bookings"))
            || path.starts_with("/api/v1/bookings/");
        if method == Method::POST && path == "/api/v1/auth/login" {
            self.login.as_ref()
        } else if public {
            self.public.as_ref()
        } else {
            None
        }
    }
}

/// The middleware: 429 `rate_limited` beyond the quota of the caller's IP.
pub async fn enforce(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let limits = req.app_data::<web::Data<Limits>>().cloned();
    let ip = req.peer_addr().map(|a| a.ip());
    if let (Some(limits), Some(ip)) = (limits, ip)
        && let Some(l) = limits.for_request(req.method(), req.path())
    {
        if l.len() > 100_000 {
            l.retain_recent();
        }
        if l.check_key(&ip).is_err() {
            let mut resp = ApiError::RateLimited.error_response();
            resp.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from_static("60"),
            );
            return Ok(req.into_response(resp));
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

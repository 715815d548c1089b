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
use ipnet::IpNet;

use crate::{config::RateLimitSettings, error::ApiError};

/// The limiters of one app.
pub struct Limits {
    public: Option<DefaultKeyedRateLimiter<IpAddr>>,
    login: Option<DefaultKeyedRateLimiter<IpAddr>>,
    trusted: Vec<IpNet>,
}

/// The address a request counts against: the peer, or, when the peer is a trusted proxy, the
/// nearest address in `X-Forwarded-For` (read from the right) that is not a trusted proxy.
/// Addresses a client wrote itself sit further left and are never reached past an untrusted
/// hop, so they cannot be used to dodge the limit.
pub fn client_ip<'a>(
    peer: IpAddr,
    forwarded_for: impl Iterator<Item = &'a str>,
    trusted: &[IpNet],
) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for.flat_map(|v| v.split(',')).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            // A hop that is not an address ends the trust chain at the last good one.
            Err(_) => break,
        }
    }
    client
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
            trusted: s.trusted_proxies.clone(),
        }
    }

    fn for_request(&self, method: &Method, path: &str) -> Option<&DefaultKeyedRateLimiter<IpAddr>> {
        let public = (method == Method::POST
            && (path == "/api/v1/screenings" || path == "/api/v1/bookings"))
            || path == "/api/v1/booking"
            || path == "/api/v1/aftercare"
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
    let peer = req.peer_addr().map(|a| a.ip());
    if let (Some(limits), Some(peer)) = (limits, peer)
        && let Some(l) = limits.for_request(req.method(), req.path())
    {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok());
        let ip = client_ip(peer, forwarded, &limits.trusted);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manage_routes_count_against_the_public_limit() {
        let l = Limits::new(&RateLimitSettings {
            public_per_minute: 5,
            login_per_minute: 5,
            trusted_proxies: vec![],
        });
        for (m, path) in [
            (Method::GET, "/api/v1/booking"),
            (Method::GET, "/api/v1/bookings/1"),
            (Method::POST, "/api/v1/bookings/1/cancel"),
            (Method::POST, "/api/v1/bookings"),
        ] {
            assert!(l.for_request(&m, path).is_some(), "{m} {path}");
        }
        assert!(l.for_request(&Method::GET, "/api/v1/services").is_none());
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_proxy_can_name_the_client() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let proxy = ip("10.0.0.5");
        // No proxy configured or an untrusted peer: the peer counts, whatever it claims.
        assert_eq!(
            client_ip(ip("203.0.113.9"), ["198.51.100.1"].into_iter(), &trusted),
            ip("203.0.113.9")
        );
        assert_eq!(client_ip(proxy, ["198.51.100.1"].into_iter(), &[]), proxy);
        // Through the proxy: the address it saw.
        assert_eq!(
            client_ip(proxy, ["198.51.100.1"].into_iter(), &trusted),
            ip("198.51.100.1")
        );
        // A forged entry further left is ignored; two trusted hops are skipped.
        assert_eq!(
            client_ip(
                proxy,
                ["1.2.3.4, 198.51.100.1", "10.0.0.7"].into_iter(),
                &trusted
            ),
            ip("198.51.100.1")
        );
        // Garbage stops the chain at the last trusted hop; no header: the proxy itself.
        assert_eq!(
            client_ip(proxy, ["nonsense, 10.0.0.7"].into_iter(), &trusted),
            ip("10.0.0.7")
        );
        assert_eq!(client_ip(proxy, std::iter::empty(), &trusted), proxy);
    }
}

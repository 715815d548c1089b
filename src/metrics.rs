//! Prometheus metrics (prometheus-client, one registry per app instance, no globals).

use std::sync::Mutex;

use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{
        counter::Counter,
        family::Family,
        gauge::Gauge,
        histogram::{Histogram, exponential_buckets},
    },
    registry::Registry,
};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ServiceLabels {
    pub service: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    pub reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabels {
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FailureLabels {
    pub kind: String,
    pub outcome: String,
}

/// Every metric dermadesk exports.
pub struct Metrics {
    registry: Mutex<Registry>,
    pub http_requests: Family<HttpLabels, Counter>,
    pub http_duration: Family<RouteLabels, Histogram>,
    pub bookings_made: Family<ServiceLabels, Counter>,
    pub bookings_refused: Family<ReasonLabels, Counter>,
    pub outbox_depth: Family<StatusLabels, Gauge>,
    pub dispatch_lateness: Histogram,
    pub messages_sent: Counter,
    pub send_failures: Family<FailureLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("dermadesk");
        let http_requests = Family::<HttpLabels, Counter>::default();
        let http_duration = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
        });
        let bookings_made = Family::<ServiceLabels, Counter>::default();
        let bookings_refused = Family::<ReasonLabels, Counter>::default();
        let outbox_depth = Family::<StatusLabels, Gauge>::default();
        let dispatch_lateness = Histogram::new(exponential_buckets(0.05, 2.0, 16));
        let messages_sent = Counter::default();
        let send_failures = Family::<FailureLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            http_requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP latency by route",
            http_duration.clone(),
        );
        registry.register(
            "bookings_made",
            "Bookings made (one per booking request)",
            bookings_made.clone(),
        );
        registry.register(
            "bookings_refused",
            "Booking requests refused, by error code",
            bookings_refused.clone(),
        );
        registry.register(
            "outbox_messages",
            "Outbox rows by status (read at scrape time)",
            outbox_depth.clone(),
        );
        registry.register(
            "dispatch_lateness_seconds",
            "From a message's due time to its successful send",
            dispatch_lateness.clone(),
        );
        registry.register("messages_sent", "Emails sent", messages_sent.clone());
        registry.register(
            "send_failures",
            "Failed sends by kind and outcome (retry, failed)",
            send_failures.clone(),
        );
        Self {
            registry: Mutex::new(registry),
            http_requests,
            http_duration,
            bookings_made,
            bookings_refused,
            outbox_depth,
            dispatch_lateness,
            messages_sent,
            send_failures,
        }
    }
}

impl Metrics {
    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        let _ = encode(&mut out, &registry);
        out
    }
}

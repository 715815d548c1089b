//! What every request and job shares: the database pool and the settings.

use std::{
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

use jiff::Timestamp;

use sea_orm::DatabaseConnection;

use crate::{
    config::Settings,
    domain::{availability::SlotRules, course::CourseRules, time::ClinicZone},
};

/// Shared application state (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    pub metrics: Arc<crate::metrics::Metrics>,
    pub slot_cache: Arc<crate::slot_cache::SlotCache>,
}

/// The service's notion of "now": the system clock plus an offset that only tests move (so a
/// reminder due in three days can be tested now). Production never advances it.
#[derive(Clone, Default)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    /// The current instant.
    pub fn now(&self) -> Timestamp {
        let offset = jiff::SignedDuration::from_secs(self.offset_seconds.load(Ordering::Relaxed));
        Timestamp::now()
            .checked_add(offset)
            .unwrap_or_else(|_| Timestamp::now())
    }

    /// Moves "now" forward (tests).
    pub fn advance(&self, by: Duration) {
        self.offset_seconds
            .fetch_add(by.as_secs() as i64, Ordering::Relaxed);
    }
}

impl AppState {
    /// State over a connected pool, with a real clock, fresh metrics and an empty cache.
    pub fn new(db: DatabaseConnection, settings: Settings) -> Self {
        Self {
            db,
            settings: Arc::new(settings),
            clock: Clock::default(),
            metrics: Default::default(),
            slot_cache: Default::default(),
        }
    }

    /// The current instant.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The clinic's zone.
    pub fn zone(&self) -> &ClinicZone {
        &self.settings.clinic.timezone
    }

    /// The slot rules from `booking.*`.
    pub fn slot_rules(&self) -> SlotRules {
        let b = &self.settings.booking;
        SlotRules {
            min_notice: b.min_notice,
            horizon: b.horizon,
            slot_step: b.slot_step,
            buffer: b.buffer,
            anesthesia_extra: b.anesthesia_extra,
        }
    }

    /// The lifecycle's time rules from `booking.*`.
    pub fn lifecycle_rules(&self) -> crate::domain::status::LifecycleRules {
        let b = &self.settings.booking;
        crate::domain::status::LifecycleRules {
            check_in_lead: b.check_in_lead,
            client_notice: b.client_cancel_notice,
        }
    }

    /// The waits of dated screening answers from `screening.*`.
    pub fn screening_rules(&self) -> crate::domain::screening::ScreeningRules {
        let s = &self.settings.screening;
        let days = |d: std::time::Duration| u32::try_from(d.as_secs() / 86_400).unwrap_or(u32::MAX);
        crate::domain::screening::ScreeningRules {
            isotretinoin_wait_months: s.isotretinoin_wait_months,
            injectables_wait_days: days(s.injectables_wait),
            resurfacing_wait_days: days(s.resurfacing_wait),
        }
    }

    /// The course rules from `course.*`.
    pub fn course_rules(&self) -> CourseRules {
        let c = &self.settings.course;
        CourseRules {
            max_sessions: c.max_sessions,
            min_interval: c.min_interval,
            default_interval: c.default_interval,
            flex: c.flex,
        }
    }
}

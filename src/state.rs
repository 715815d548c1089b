//! What every request and job shares: the database pool and the settings.

use std::sync::Arc;

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
}

impl AppState {
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

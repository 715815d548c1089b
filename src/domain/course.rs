//! Course planning, in one place: where each repeat session of a course goes.
//!
//! Session k (k = 0 for the first) aims at the first session's local wall-clock time,
//! `k * interval_days` calendar days later (so a DST change does not move it). When that exact
//! slot is taken, the nearest offered slot within `flex` is used, never closer than
//! `min_interval` to the previous session.

use std::time::Duration;

use jiff::Timestamp;

use super::{
    availability::Slot,
    ids::PractitionerId,
    time::{ClinicZone, sdur},
};

/// The course settings.
#[derive(Debug, Clone, Copy)]
pub struct CourseRules {
    pub max_sessions: u32,
    pub min_interval: Duration,
    pub default_interval: Duration,
    pub flex: Duration,
}

/// What the course request asks for, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CourseShape {
    pub sessions: u32,
    pub interval_days: u32,
}

/// Why a course request is invalid; keyed by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    pub field: &'static str,
    pub message: String,
}

impl CourseRules {
    /// Checks `sessions` and `interval_days` against the limits.
    pub fn shape(
        &self,
        sessions: Option<i64>,
        interval_days: Option<i64>,
    ) -> Result<CourseShape, ShapeError> {
        let sessions = sessions.unwrap_or(1);
        if sessions < 1 || sessions > i64::from(self.max_sessions) {
            return Err(ShapeError {
                field: "sessions",
                message: format!("must be between 1 and {}", self.max_sessions),
            });
        }
        let min_days = self.min_interval.as_secs().div_ceil(86_400) as i64;
        let default_days = (self.default_interval.as_secs() / 86_400) as i64;
        let interval_days = interval_days.unwrap_or(default_days);
        if interval_days < min_days || interval_days > 365 {
            return Err(ShapeError {
                field: "interval_days",
                message: format!("must be between {min_days} and 365"),
            });
        }
        Ok(CourseShape {
            sessions: sessions as u32,
            interval_days: interval_days as u32,
        })
    }

    /// The target instant of session `k` (0-based) of a course starting at `first`.
    pub fn target(
        &self,
        zone: &ClinicZone,
        first: Timestamp,
        shape: CourseShape,
        k: u32,
    ) -> Timestamp {
        zone.same_local_time_after(first, i64::from(k) * i64::from(shape.interval_days))
    }

    /// The window in which a session aimed at `target` may be placed, given where the previous
    /// one went. The minimum interval counts calendar days at the same local time, so a DST
    /// change between two sessions does not push the later one off its wall-clock time.
    pub fn window(
        &self,
        zone: &ClinicZone,
        target: Timestamp,
        previous: Timestamp,
    ) -> (Timestamp, Timestamp) {
        let min_days = self.min_interval.as_secs().div_ceil(86_400) as i64;
        let earliest =
            (target - sdur(self.flex)).max(zone.same_local_time_after(previous, min_days));
        (earliest, target + sdur(self.flex))
    }
}

/// Picks the slot for one repeat session among offered `candidates`: inside the window, nearest
/// to the target, then the same practitioner as before, then earlier.
pub fn pick(
    candidates: &[Slot],
    target: Timestamp,
    window: (Timestamp, Timestamp),
    preferred: PractitionerId,
) -> Option<Slot> {
    candidates
        .iter()
        .filter(|s| s.start >= window.0 && s.start <= window.1)
        .min_by_key(|s| {
            let distance = (s.start.as_second() - target.as_second()).abs();
            (distance, s.practitioner_id != preferred, s.start)
        })
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> CourseRules {
        CourseRules {
            max_sessions: 6,
            min_interval: Duration::from_secs(28 * 86400),
            default_interval: Duration::from_secs(28 * 86400),
            flex: Duration::from_secs(7 * 86400),
        }
    }

    #[test]
    fn shape_limits() {
        let r = rules();
        assert_eq!(
            r.shape(None, None).unwrap(),
            CourseShape {
                sessions: 1,
                interval_days: 28
            }
        );
        assert_eq!(r.shape(Some(0), None).unwrap_err().field, "sessions");
        assert_eq!(r.shape(Some(7), None).unwrap_err().field, "sessions");
        assert_eq!(
            r.shape(Some(3), Some(27)).unwrap_err().field,
            "interval_days"
        );
        assert!(r.shape(Some(6), Some(35)).is_ok());
    }

    #[test]
    fn window_never_closer_than_min_interval() {
        let r = rules();
        let zone = ClinicZone::new("Europe/Berlin").unwrap();
        let prev: Timestamp = "2026-02-10T10:00:00+01:00".parse().unwrap();
        let target: Timestamp = "2026-03-03T10:00:00+01:00".parse().unwrap();
        let (earliest, latest) = r.window(&zone, target, prev);
        assert_eq!(earliest, prev + sdur(r.min_interval));
        assert_eq!(latest, target + sdur(r.flex));
        // Across spring-forward, 28 calendar days are 27 days 23 hours: the target still fits.
        let prev: Timestamp = "2026-03-10T10:00:00+01:00".parse().unwrap();
        let target = r.target(
            &zone,
            prev,
            CourseShape {
                sessions: 2,
                interval_days: 28,
            },
            1,
        );
        assert_eq!(zone.rfc3339(target), "2026-04-07T10:00:00+02:00");
        assert_eq!(r.window(&zone, target, prev).0, target);
    }

    #[test]
    fn pick_prefers_nearest_then_same_practitioner() {
        let a = PractitionerId::new();
        let b = PractitionerId::new();
        let t: Timestamp = "2026-03-03T10:00:00Z".parse().unwrap();
        let slot = |h: i64, p| Slot {
            start: t + jiff::SignedDuration::from_hours(h),
            end: t,
            practitioner_id: p,
        };
        let candidates = [slot(-2, a), slot(1, b), slot(1, a), slot(200, a)];
        let window = (
            t - jiff::SignedDuration::from_hours(24),
            t + jiff::SignedDuration::from_hours(24),
        );
        assert_eq!(pick(&candidates, t, window, a), Some(slot(1, a)));
        assert_eq!(pick(&candidates, t, window, b), Some(slot(1, b)));
        assert_eq!(pick(&[slot(200, a)], t, window, a), None);
    }
}

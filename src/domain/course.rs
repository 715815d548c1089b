//! Course planning, in one place: where each repeat session of a course goes.
//!
//! Session k (k = 0 for the first) aims at the first session's local wall-clock time,
//! `k * interval_days` calendar days later (so a DST change does not move it). When that exact
//! slot is taken, the nearest offered slot within `flex` is used, never closer than
//! `min_interval` to the previous session.
//!
//! Moving one session later (a reschedule, by the client or by staff) keeps the course's
//! spacing: [`CourseRules::spacing_window`] says on which local dates the session may go,
//! at least `min_interval` (in calendar days) after the nearest active session before it and
//! before the nearest active session after it.

use std::time::Duration;

use jiff::{Timestamp, civil::Date};

use super::{
    availability::Slot,
    ids::PractitionerId,
    status::AppointmentStatus,
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

/// One session of a course as the spacing rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CourseSession {
    pub number: u32,
    pub start: Timestamp,
    /// Still counts for the spacing: booked, checked in or completed (a cancelled or missed
    /// session was not treated, so it holds no date).
    pub active: bool,
}

impl CourseSession {
    /// A session of a course as stored: booked, checked-in and completed sessions hold their
    /// date for the spacing rule; cancelled and missed ones do not.
    pub fn new(number: u32, start: Timestamp, status: AppointmentStatus) -> Self {
        let active = matches!(
            status,
            AppointmentStatus::Booked | AppointmentStatus::CheckedIn | AppointmentStatus::Completed
        );
        CourseSession {
            number,
            start,
            active,
        }
    }
}

/// The local dates (inclusive) a course session may be moved to; `None` = the course sets no
/// bound on that side (the booking horizon and notice still apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpacingWindow {
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// The session before and after it that set the bounds (their numbers).
    pub previous: Option<u32>,
    pub next: Option<u32>,
    /// `course.min_interval` in whole days.
    pub min_days: i64,
}

impl SpacingWindow {
    /// Whether a session may start on this local date.
    pub fn allows(&self, date: Date) -> bool {
        self.from.is_none_or(|f| date >= f) && self.to.is_none_or(|t| date <= t)
    }

    /// No date at all is left (the neighbours are less than twice the interval apart).
    pub fn is_empty(&self) -> bool {
        matches!((self.from, self.to), (Some(f), Some(t)) if f > t)
    }
}

impl CourseRules {
    /// `min_interval` in whole days (rounded up).
    pub fn min_days(&self) -> i64 {
        self.min_interval.as_secs().div_ceil(86_400) as i64
    }

    /// Where session `number` of a course may be moved: from `min_days` calendar days after
    /// the nearest active session with a lower number up to `min_days` before the nearest
    /// active session with a higher number (local dates in the clinic's zone). The session
    /// itself and cancelled or missed sessions do not count. A booked course always lies
    /// inside it (booking places sessions at least `min_interval` apart at the same local
    /// time, which is stricter).
    pub fn spacing_window(
        &self,
        zone: &ClinicZone,
        sessions: &[CourseSession],
        number: u32,
    ) -> SpacingWindow {
        let min_days = self.min_days();
        let others = sessions.iter().filter(|s| s.active && s.number != number);
        let previous = others
            .clone()
            .filter(|s| s.number < number)
            .max_by_key(|s| s.number);
        let next = others
            .filter(|s| s.number > number)
            .min_by_key(|s| s.number);
        let shift = |at: Timestamp, days: i64| {
            zone.local_date(at)
                .checked_add(jiff::Span::new().days(days))
                .ok()
        };
        SpacingWindow {
            from: previous.and_then(|p| shift(p.start, min_days)),
            to: next.and_then(|n| shift(n.start, -min_days)),
            previous: previous.map(|p| p.number),
            next: next.map(|n| n.number),
            min_days,
        }
    }

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
        let min_days = self.min_days();
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
        let earliest =
            (target - sdur(self.flex)).max(zone.same_local_time_after(previous, self.min_days()));
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
    fn spacing_window_between_active_neighbours() {
        let r = rules();
        let zone = ClinicZone::new("Europe/Berlin").unwrap();
        let at = |s: &str| -> Timestamp { s.parse().unwrap() };
        let d = |s: &str| -> Date { s.parse().unwrap() };
        let course = [
            CourseSession {
                number: 1,
                start: at("2026-12-01T09:00:00+01:00"),
                active: true,
            },
            CourseSession {
                number: 2,
                start: at("2026-12-29T09:00:00+01:00"),
                active: true,
            },
            CourseSession {
                number: 3,
                start: at("2027-02-15T09:00:00+01:00"),
                active: true,
            },
        ];
        let w = r.spacing_window(&zone, &course, 2);
        assert_eq!(
            (w.from, w.to),
            (Some(d("2026-12-29")), Some(d("2027-01-18")))
        );
        assert_eq!((w.previous, w.next, w.min_days), (Some(1), Some(3), 28));
        assert!(w.allows(d("2026-12-29")) && w.allows(d("2027-01-18")));
        assert!(!w.allows(d("2026-12-28")) && !w.allows(d("2027-01-19")));
        // Session 1: only an upper bound; session 3: only a lower one.
        let w1 = r.spacing_window(&zone, &course, 1);
        assert_eq!((w1.from, w1.to), (None, Some(d("2026-12-01"))));
        assert!(!w1.allows(d("2027-01-05")), "session 1 after session 2");
        let w3 = r.spacing_window(&zone, &course, 3);
        assert_eq!((w3.from, w3.to), (Some(d("2027-01-26")), None));
        // A cancelled neighbour holds no date: session 1 is then the only bound of session 3.
        let mut gap = course;
        gap[1].active = false;
        let w3 = r.spacing_window(&zone, &gap, 3);
        assert_eq!((w3.from, w3.previous), (Some(d("2026-12-29")), Some(1)));
        // Local dates: a session at 00:30 Berlin time is on the Berlin date, not UTC's.
        let late = [CourseSession {
            number: 1,
            start: at("2026-12-01T00:30:00+01:00"),
            active: true,
        }];
        assert_eq!(
            r.spacing_window(&zone, &late, 2).from,
            Some(d("2026-12-29"))
        );
        // Neighbours 40 days apart leave no date for the session between them.
        let tight = [
            course[0],
            CourseSession {
                number: 3,
                start: at("2027-01-10T09:00:00+01:00"),
                active: true,
            },
        ];
        assert!(r.spacing_window(&zone, &tight, 2).is_empty());
        // A single visit: no bound at all.
        let w = r.spacing_window(&zone, &course[..1], 1);
        assert_eq!((w.from, w.to), (None, None));
        assert!(!w.is_empty());
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

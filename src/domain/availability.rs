//! The slot rules, in one place: which start times are offered, and whether a given start may be
//! booked. Pure: callers pass the calendar (working hours, time off, busy ranges) and "now".

use std::time::Duration;

use jiff::{Timestamp, civil::Date};

use super::{
    ids::PractitionerId,
    service::{Durations, Service},
    time::{ClinicZone, MinuteOfDay, sdur},
};

/// The booking settings the slot rules need.
#[derive(Debug, Clone, Copy)]
pub struct SlotRules {
    pub min_notice: Duration,
    pub horizon: Duration,
    pub slot_step: Duration,
    pub buffer: Duration,
    pub anesthesia_extra: Duration,
}

impl SlotRules {
    /// The earliest start that may be offered or booked at `now` (`min_notice` ahead).
    pub fn earliest(&self, now: Timestamp) -> Timestamp {
        now + sdur(self.min_notice)
    }
}

/// A half-open interval of instants `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Interval {
    /// `[start, end)`.
    pub fn new(start: Timestamp, end: Timestamp) -> Self {
        Self { start, end }
    }

    /// Whether the two share any instant.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// Weekly working hours: one window on one weekday (0 = Monday .. 6 = Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingWindow {
    pub weekday: u8,
    pub start: MinuteOfDay,
    pub end: MinuteOfDay,
}

/// Everything that decides one practitioner's free time.
#[derive(Debug, Clone)]
pub struct PractitionerCalendar {
    pub id: PractitionerId,
    pub hours: Vec<WorkingWindow>,
    /// Time off: the visit itself must not touch it.
    pub time_off: Vec<Interval>,
    /// Busy ranges of existing appointments, each already including its cleaning buffer.
    pub busy: Vec<Interval>,
    /// Clinic-wide closure days (local dates in the clinic zone): no working window that day.
    pub closed: Vec<Date>,
}

/// An offered start time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub start: Timestamp,
    pub end: Timestamp,
    pub practitioner_id: PractitionerId,
}

/// Why a start time cannot be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotProblem {
    /// Earlier than `min_notice` from now.
    TooSoon,
    /// Later than `horizon` from now.
    TooFar,
    /// Not on the slot grid inside the practitioner's working hours.
    NotOffered,
    /// Overlaps an appointment (with buffers) or time off.
    Taken,
}

/// What is asked for, checked: the service, and whether numbing cream is wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted {
    pub service: Service,
    pub anesthesia: bool,
}

impl Wanted {
    /// A visit as asked for; numbing cream only with a service that offers it (the one rule for
    /// booking and availability alike).
    pub fn new(service: Service, anesthesia: bool) -> Result<Self, &'static str> {
        if anesthesia && !service.allows_anesthesia() {
            return Err("is offered only with microneedling");
        }
        Ok(Self {
            service,
            anesthesia,
        })
    }

    /// The visit with the treatment length the catalogue gives its service now.
    pub fn lasting(self, durations: &Durations) -> Visit {
        Visit {
            service: self.service,
            anesthesia: self.anesthesia,
            treatment: durations.of(self.service),
        }
    }
}

/// What is booked: the service, whether numbing cream is asked for, and the treatment's
/// length (from the services' catalogue, `Wanted::lasting`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    pub service: Service,
    pub anesthesia: bool,
    pub treatment: Duration,
}

impl Slot {
    /// The range this visit keeps its practitioner busy (the visit and the cleaning buffer):
    /// what the database's no-overlap rule compares.
    pub fn busy(&self, rules: &SlotRules) -> Interval {
        Interval::new(self.start, self.end + sdur(rules.buffer))
    }
}

/// The span of one visit: numbing time (if asked for) and the treatment.
pub fn visit_length(visit: Visit, rules: &SlotRules) -> Duration {
    let extra = if visit.anesthesia && visit.service.allows_anesthesia() {
        rules.anesthesia_extra
    } else {
        Duration::ZERO
    };
    visit.treatment + extra
}

/// The longest a visit (treatment, numbing time and cleaning buffer) may keep a practitioner
/// busy. The settings are checked against it at start, so a calendar read for `[from, to)` need
/// only look at appointments starting after `from - MAX_BUSY_SPAN`: an index range, however
/// long the clinic's history.
pub const MAX_BUSY_SPAN: Duration = Duration::from_secs(12 * 3600);

/// The range a visit keeps the practitioner busy: the visit plus the cleaning buffer after it.
/// This is the range the database's no-overlap rule compares.
pub fn busy_range(start: Timestamp, length: Duration, rules: &SlotRules) -> Interval {
    Interval::new(start, start + sdur(length + rules.buffer))
}

/// Sorts and merges overlapping or touching intervals, so a binary search can probe them.
fn merged(mut intervals: Vec<Interval>) -> Vec<Interval> {
    intervals.sort();
    let mut out: Vec<Interval> = Vec::with_capacity(intervals.len());
    for i in intervals {
        match out.last_mut() {
            Some(last) if i.start <= last.end => last.end = last.end.max(i.end),
            _ => out.push(i),
        }
    }
    out
}

/// Whether a sorted, merged list has an interval overlapping `probe`.
fn hits(sorted: &[Interval], probe: &Interval) -> bool {
    let idx = sorted.partition_point(|i| i.end <= probe.start);
    sorted.get(idx).is_some_and(|i| i.start < probe.end)
}

/// A calendar prepared for many probes.
struct Prepared<'a> {
    cal: &'a PractitionerCalendar,
    time_off: Vec<Interval>,
    busy: Vec<Interval>,
}

impl<'a> Prepared<'a> {
    fn new(cal: &'a PractitionerCalendar) -> Self {
        Self {
            cal,
            time_off: merged(cal.time_off.clone()),
            busy: merged(cal.busy.clone()),
        }
    }

    fn free(&self, start: Timestamp, length: Duration, rules: &SlotRules) -> bool {
        let visit = Interval::new(start, start + sdur(length));
        !hits(&self.time_off, &visit) && !hits(&self.busy, &busy_range(start, length, rules))
    }

    /// The working windows of a local date as instants; none on a closure day (the one place
    /// of that rule: listing and booking both read the windows here).
    fn windows(&self, date: Date, zone: &ClinicZone) -> impl Iterator<Item = Interval> + '_ {
        let weekday = date.weekday().to_monday_zero_offset() as u8;
        let zone = zone.clone();
        let closed = self.cal.closed.contains(&date);
        self.cal
            .hours
            .iter()
            .filter(move |w| !closed && w.weekday == weekday && w.start < w.end)
            .map(move |w| Interval::new(w.start.on(date, &zone), w.end.on(date, &zone)))
    }
}

/// The grid starts of a window whose visit fits inside it.
fn grid(window: Interval, length: Duration, step: Duration) -> impl Iterator<Item = Timestamp> {
    let (step, length) = (sdur(step), sdur(length));
    std::iter::successors(Some(window.start), move |s| Some(*s + step))
        .take_while(move |s| *s + length <= window.end)
}

/// Every offered slot on the local dates `from..=to`, over the given practitioners, sorted by
/// start time (then practitioner).
pub fn offered_slots(
    rules: &SlotRules,
    zone: &ClinicZone,
    now: Timestamp,
    from: Date,
    to: Date,
    calendars: &[PractitionerCalendar],
    visit: Visit,
) -> Vec<Slot> {
    let length = visit_length(visit, rules);
    let earliest = rules.earliest(now);
    let latest = now + sdur(rules.horizon);
    let mut slots = Vec::new();
    for cal in calendars {
        let prepared = Prepared::new(cal);
        let mut date = from;
        while date <= to {
            for window in prepared.windows(date, zone) {
                for start in grid(window, length, rules.slot_step) {
                    if start >= earliest && start <= latest && prepared.free(start, length, rules) {
                        slots.push(Slot {
                            start,
                            end: start + sdur(length),
                            practitioner_id: cal.id,
                        });
                    }
                }
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
    }
    slots.sort_by_key(|s| (s.start, s.practitioner_id));
    // Overlapping windows on one day would offer a start twice.
    slots.dedup();
    slots
}

/// Whether `start` lies between `min_notice` and `horizon` from now.
pub fn check_window(
    rules: &SlotRules,
    now: Timestamp,
    start: Timestamp,
) -> Result<(), SlotProblem> {
    if start < rules.earliest(now) {
        return Err(SlotProblem::TooSoon);
    }
    if start > now + sdur(rules.horizon) {
        return Err(SlotProblem::TooFar);
    }
    Ok(())
}

/// Whether `start` may be booked with this practitioner; the same rule as [`offered_slots`].
pub fn check_start(
    rules: &SlotRules,
    zone: &ClinicZone,
    now: Timestamp,
    cal: &PractitionerCalendar,
    visit: Visit,
    start: Timestamp,
) -> Result<Slot, SlotProblem> {
    check_window(rules, now, start)?;
    let length = visit_length(visit, rules);
    let prepared = Prepared::new(cal);
    let date = zone.local_date(start);
    let on_grid = prepared
        .windows(date, zone)
        .any(|w| grid(w, length, rules.slot_step).any(|s| s == start));
    if !on_grid {
        return Err(SlotProblem::NotOffered);
    }
    if !prepared.free(start, length, rules) {
        return Err(SlotProblem::Taken);
    }
    Ok(Slot {
        start,
        end: start + sdur(length),
        practitioner_id: cal.id,
    })
}

/// The first practitioner, in the caller's order of preference, who may take `start`. When
/// none may, the reason: `Taken` if anyone's calendar is merely busy then (the client should
/// pick another time), else the first calendar's reason (they share the window rule).
pub fn first_free(
    rules: &SlotRules,
    zone: &ClinicZone,
    now: Timestamp,
    calendars: &[PractitionerCalendar],
    visit: Visit,
    start: Timestamp,
) -> Result<Slot, SlotProblem> {
    let mut first_problem = None;
    for cal in calendars {
        match check_start(rules, zone, now, cal, visit, start) {
            Ok(slot) => return Ok(slot),
            Err(SlotProblem::Taken) => first_problem = Some(SlotProblem::Taken),
            Err(p) => {
                first_problem.get_or_insert(p);
            }
        }
    }
    Err(first_problem.unwrap_or(SlotProblem::NotOffered))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);
    const CONSULT: Visit = Visit {
        service: Service::SkinConsultation,
        anesthesia: false,
        treatment: Duration::from_secs(30 * 60),
    };
    const MN: Visit = Visit {
        service: Service::Microneedling,
        anesthesia: false,
        treatment: HOUR,
    };

    fn rules() -> SlotRules {
        SlotRules {
            min_notice: Duration::from_secs(2 * 3600),
            horizon: Duration::from_secs(400 * 86400),
            slot_step: Duration::from_secs(15 * 60),
            buffer: Duration::from_secs(15 * 60),
            anesthesia_extra: Duration::from_secs(30 * 60),
        }
    }

    fn all_day(id: PractitionerId) -> PractitionerCalendar {
        PractitionerCalendar {
            id,
            hours: (0..7)
                .map(|d| WorkingWindow {
                    weekday: d,
                    start: MinuteOfDay::new(0).unwrap(),
                    end: MinuteOfDay::END_OF_DAY,
                })
                .collect(),
            time_off: vec![],
            busy: vec![],
            closed: vec![],
        }
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn spring_gap_has_no_slot_and_autumn_fold_no_duplicate() {
        let zone = ClinicZone::new("Europe/Berlin").unwrap();
        let now = ts("2026-01-01T00:00:00Z");
        let cal = all_day(PractitionerId::new());
        let spring: Date = "2026-03-29".parse().unwrap();
        let slots = offered_slots(
            &rules(),
            &zone,
            now,
            spring,
            spring,
            std::slice::from_ref(&cal),
            CONSULT,
        );
        // 23 real hours, 30-minute visits on a 15-minute grid: 23*4 - 1 starts.
        assert_eq!(slots.len(), 23 * 4 - 1);
        assert!(slots.iter().all(|s| zone.local(s.start).hour() != 2));
        let autumn: Date = "2026-10-25".parse().unwrap();
        let slots = offered_slots(&rules(), &zone, now, autumn, autumn, &[cal], CONSULT);
        assert_eq!(slots.len(), 25 * 4 - 1);
        let mut starts: Vec<_> = slots.iter().map(|s| s.start).collect();
        starts.dedup();
        assert_eq!(starts.len(), slots.len());
    }

    #[test]
    fn a_closure_day_offers_nothing_from_local_midnight_to_midnight() {
        let zone = ClinicZone::new("Europe/Berlin").unwrap();
        let now = ts("2026-01-01T00:00:00Z");
        let mut cal = all_day(PractitionerId::new());
        // The autumn change: 25 real hours, from 2026-10-24T22:00Z to 2026-10-25T23:00Z.
        let closed: Date = "2026-10-25".parse().unwrap();
        cal.closed.push(closed);
        let (before, after) = (closed.yesterday().unwrap(), closed.tomorrow().unwrap());
        let slots = offered_slots(&rules(), &zone, now, before, after, &[cal.clone()], CONSULT);
        assert!(slots.iter().all(|s| zone.local_date(s.start) != closed));
        // The days around it keep every slot, right up to the closure's midnight.
        assert_eq!(slots.len(), 2 * (24 * 4 - 1));
        let check = |s: &str| check_start(&rules(), &zone, now, &cal, CONSULT, ts(s));
        assert_eq!(
            check("2026-10-24T21:15:00Z").map(|s| s.end),
            Ok(ts("2026-10-24T21:45:00Z"))
        );
        // 00:00 local on the closed day (still the 24th in UTC) and 23:30 local (the 25th, UTC).
        assert_eq!(check("2026-10-24T22:00:00Z"), Err(SlotProblem::NotOffered));
        assert_eq!(check("2026-10-25T22:30:00Z"), Err(SlotProblem::NotOffered));
        assert!(check("2026-10-25T23:00:00Z").is_ok());
    }

    #[test]
    fn buffer_keeps_cleaning_time_and_back_to_back_is_allowed() {
        let zone = ClinicZone::new("UTC").unwrap();
        let now = ts("2026-01-01T00:00:00Z");
        let mut cal = all_day(PractitionerId::new());
        let r = rules();
        let start = ts("2026-02-02T10:00:00Z");
        cal.busy.push(busy_range(start, HOUR, &r));
        let check = |s: &str| check_start(&r, &zone, now, &cal, MN, ts(s));
        assert_eq!(
            check("2026-02-02T10:00:00Z").unwrap_err(),
            SlotProblem::Taken
        );
        assert_eq!(
            check("2026-02-02T11:00:00Z").unwrap_err(),
            SlotProblem::Taken
        );
        assert!(check("2026-02-02T11:15:00Z").is_ok());
        // A visit before must end (plus its buffer) by 10:00.
        assert!(check("2026-02-02T08:45:00Z").is_ok());
        assert_eq!(
            check("2026-02-02T09:00:00Z").unwrap_err(),
            SlotProblem::Taken
        );
        assert_eq!(
            check("2026-02-02T11:20:00Z").unwrap_err(),
            SlotProblem::NotOffered
        );
        assert_eq!(
            check("2026-01-01T01:00:00Z").unwrap_err(),
            SlotProblem::TooSoon
        );
        assert_eq!(
            check("2027-03-01T10:00:00Z").unwrap_err(),
            SlotProblem::TooFar
        );
    }

    #[test]
    fn first_free_takes_the_preferred_practitioner_and_says_taken_when_all_are_busy() {
        let zone = ClinicZone::new("UTC").unwrap();
        let now = ts("2026-01-01T00:00:00Z");
        let r = rules();
        let start = ts("2026-02-02T10:00:00Z");
        let (a, b) = (
            all_day(PractitionerId::new()),
            all_day(PractitionerId::new()),
        );
        let got = first_free(&r, &zone, now, &[b.clone(), a.clone()], MN, start).unwrap();
        assert_eq!(got.practitioner_id, b.id);
        assert_eq!(got.busy(&r), busy_range(start, HOUR, &r));
        let mut busy_b = b.clone();
        busy_b.busy.push(got.busy(&r));
        let got = first_free(&r, &zone, now, &[busy_b.clone(), a.clone()], MN, start).unwrap();
        assert_eq!(got.practitioner_id, a.id);
        let mut busy_a = a.clone();
        busy_a.busy.push(got.busy(&r));
        assert_eq!(
            first_free(&r, &zone, now, &[busy_b, busy_a], MN, start),
            Err(SlotProblem::Taken)
        );
        assert_eq!(
            first_free(
                &r,
                &zone,
                now,
                std::slice::from_ref(&a),
                MN,
                ts("2026-02-02T10:05:00Z")
            ),
            Err(SlotProblem::NotOffered)
        );
        assert_eq!(
            first_free(&r, &zone, now, &[], MN, start),
            Err(SlotProblem::NotOffered)
        );
        assert_eq!(
            Wanted::new(Service::SkinConsultation, true),
            Err("is offered only with microneedling")
        );
    }
}

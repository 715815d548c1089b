//! Property tests of the slot rules (pure, no database).

use std::time::Duration;

use dermadesk::domain::{
    availability::{
        Interval, PractitionerCalendar, SlotRules, Visit, WorkingWindow, busy_range, check_start,
        offered_slots, visit_length,
    },
    ids::PractitionerId,
    service::Service,
    time::{ClinicZone, MinuteOfDay},
};
use jiff::{SignedDuration, Timestamp, civil::Date};
use proptest::prelude::*;

fn rules(step: u64, buffer: u64, notice: u64) -> SlotRules {
    SlotRules {
        min_notice: Duration::from_secs(notice * 60),
        horizon: Duration::from_secs(400 * 86_400),
        slot_step: Duration::from_secs(step * 60),
        buffer: Duration::from_secs(buffer * 60),
        anesthesia_extra: Duration::from_secs(30 * 60),
    }
}

prop_compose! {
    fn window()(weekday in 0u8..7, start in 0u16..96, len in 1u16..48) -> WorkingWindow {
        let s = start * 15;
        WorkingWindow {
            weekday,
            start: MinuteOfDay::new(s).unwrap(),
            end: MinuteOfDay::new((s + len * 15).min(1440)).unwrap(),
        }
    }
}

prop_compose! {
    // Intervals within the test week, in minutes from its start.
    fn interval()(start in 0i64..(9 * 1440), len in 1i64..600) -> (i64, i64) {
        (start, start + len)
    }
}

fn base() -> Timestamp {
    // A week that contains the spring-forward change in Berlin (2027-03-28).
    "2027-03-24T00:00:00+01:00".parse().unwrap()
}

fn at(min: i64) -> Timestamp {
    base() + SignedDuration::from_mins(min)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn offered_slots_respect_every_rule(
        hours in prop::collection::vec(window(), 0..6),
        busy in prop::collection::vec(interval(), 0..8),
        off in prop::collection::vec(interval(), 0..3),
        now_min in -1440i64..(3 * 1440),
        step in prop::sample::select(vec![5u64, 10, 15, 30]),
        buffer in prop::sample::select(vec![0u64, 10, 15]),
        notice in 0u64..600,
        anesthesia in any::<bool>(),
        consult in any::<bool>(),
        treatment_min in prop::sample::select(vec![15u64, 30, 45, 60, 90, 480]),
    ) {
        let treatment = Duration::from_secs(treatment_min * 60);
        let zone = ClinicZone::new("Europe/Berlin").unwrap();
        let r = rules(step, buffer, notice);
        let service = if consult { Service::SkinConsultation } else { Service::Microneedling };
        let cal = PractitionerCalendar {
            id: PractitionerId::new(),
            hours: hours.clone(),
            time_off: off.iter().map(|(a, b)| Interval::new(at(*a), at(*b))).collect(),
            busy: busy.iter().map(|(a, b)| Interval::new(at(*a), at(*b))).collect(),
            closed: vec![],
        };
        let now = at(now_min);
        let from: Date = "2027-03-24".parse().unwrap();
        let to: Date = "2027-03-31".parse().unwrap();
        let slots = offered_slots(&r, &zone, now, from, to, std::slice::from_ref(&cal), Visit { service, anesthesia, treatment });
        let length = visit_length(Visit { service, anesthesia, treatment }, &r);
        for s in &slots {
            prop_assert_eq!(s.end, s.start + SignedDuration::try_from(length).unwrap());
            prop_assert!(s.start >= now + SignedDuration::try_from(r.min_notice).unwrap());
            let mine = busy_range(s.start, length, &r);
            for b in &cal.busy {
                prop_assert!(!mine.overlaps(b), "slot {:?} overlaps busy {:?}", s, b);
            }
            let visit = Interval::new(s.start, s.end);
            for t in &cal.time_off {
                prop_assert!(!visit.overlaps(t), "slot {:?} overlaps time off {:?}", s, t);
            }
            let date = zone.local_date(s.start);
            let wd = date.weekday().to_monday_zero_offset() as u8;
            prop_assert!(hours.iter().any(|w| w.weekday == wd
                && w.start.on(date, &zone) <= s.start && s.end <= w.end.on(date, &zone)),
                "slot {:?} outside working hours", s);
            // The booking check agrees with the listing.
            prop_assert_eq!(check_start(&r, &zone, now, &cal, Visit { service, anesthesia, treatment }, s.start), Ok(*s));
        }
        let mut starts: Vec<_> = slots.iter().map(|s| s.start).collect();
        starts.dedup();
        prop_assert_eq!(starts.len(), slots.len());
    }
}

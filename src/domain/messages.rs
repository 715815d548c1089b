//! The message plan, in one place: which emails a change causes, when each is due, and until
//! when it is still worth sending. Pure: the outbox stores what this decides.

use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{
    service::Service,
    time::{ClinicZone, QuietHours, sdur},
};

/// The kinds of email (part of the contract: `X-Dermadesk-Kind`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    sea_orm::EnumIter,
    sea_orm::DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum MessageKind {
    BookingConfirmation,
    Prep,
    DayBefore,
    Soothing,
    IrritationCheck,
    FollowUp,
    Cancellation,
    Rescheduled,
    /// To the clinic (`clinic.email`), not the client: an aftercare check-in shows a warning
    /// sign, or an alert is still unacknowledged (`domain::aftercare`).
    ClinicianAlert,
}

/// Who an email goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient {
    /// The client of the visit.
    Client,
    /// The clinic itself (`clinic.email`).
    Clinic,
}

impl MessageKind {
    /// Every kind.
    pub const ALL: [MessageKind; 9] = [
        MessageKind::BookingConfirmation,
        MessageKind::Prep,
        MessageKind::DayBefore,
        MessageKind::Soothing,
        MessageKind::IrritationCheck,
        MessageKind::FollowUp,
        MessageKind::Cancellation,
        MessageKind::Rescheduled,
        MessageKind::ClinicianAlert,
    ];

    /// The stored text and header value.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::BookingConfirmation => "booking_confirmation",
            MessageKind::Prep => "prep",
            MessageKind::DayBefore => "day_before",
            MessageKind::Soothing => "soothing",
            MessageKind::IrritationCheck => "irritation_check",
            MessageKind::FollowUp => "follow_up",
            MessageKind::Cancellation => "cancellation",
            MessageKind::Rescheduled => "rescheduled",
            MessageKind::ClinicianAlert => "clinician_alert",
        }
    }

    /// Who receives it: the one place that decides (the outbox row's `recipient` is written
    /// from it when the message is planned).
    pub fn recipient(self) -> Recipient {
        match self {
            MessageKind::ClinicianAlert => Recipient::Clinic,
            _ => Recipient::Client,
        }
    }

    /// Sent at once when the change happens (always planned, even "late").
    pub fn is_immediate(self) -> bool {
        matches!(
            self,
            MessageKind::BookingConfirmation
                | MessageKind::Cancellation
                | MessageKind::Rescheduled
                | MessageKind::ClinicianAlert
        )
    }

    /// Carries an .ics attachment.
    pub fn has_calendar(self) -> bool {
        matches!(
            self,
            MessageKind::BookingConfirmation | MessageKind::Rescheduled | MessageKind::Cancellation
        )
    }

    /// Carries a "Manage your booking" link: every email about a visit still ahead, and the
    /// follow-up or a cancellation when a session of the booking is still booked (there is
    /// something left to manage). The soothing and irritation emails are about aftercare.
    pub fn carries_manage_link(self, sessions_left: bool) -> bool {
        match self {
            MessageKind::BookingConfirmation
            | MessageKind::Prep
            | MessageKind::DayBefore
            | MessageKind::Rescheduled => true,
            MessageKind::FollowUp | MessageKind::Cancellation => sessions_left,
            MessageKind::Soothing | MessageKind::IrritationCheck | MessageKind::ClinicianAlert => {
                false
            }
        }
    }

    /// Carries an aftercare check-in link (`/aftercare#<secret>`, purpose `aftercare`).
    pub fn carries_aftercare_link(self) -> bool {
        self == MessageKind::IrritationCheck
    }
}

/// What the secret of a link in an email opens (`manage_links.purpose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sea_orm::EnumIter, sea_orm::DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum LinkPurpose {
    /// `/manage#<secret>`: works on the manage routes like the booking's manage token.
    Manage,
    /// `/aftercare#<secret>`: opens only the aftercare check-in of the visit whose
    /// `irritation_check` email carried it (never the manage routes).
    Aftercare,
}

/// Where a message stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    sea_orm::EnumIter,
    sea_orm::DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum MessageStatus {
    Pending,
    Sending,
    Sent,
    Failed,
    Cancelled,
    Expired,
}

impl MessageStatus {
    /// Every status.
    pub const ALL: [MessageStatus; 6] = [
        MessageStatus::Pending,
        MessageStatus::Sending,
        MessageStatus::Sent,
        MessageStatus::Failed,
        MessageStatus::Cancelled,
        MessageStatus::Expired,
    ];

    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Pending => "pending",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Failed => "failed",
            MessageStatus::Cancelled => "cancelled",
            MessageStatus::Expired => "expired",
        }
    }
}

/// The `reminders.*` settings the plan needs.
#[derive(Debug, Clone, Copy)]
pub struct ReminderRules {
    pub prep_before: Duration,
    pub day_before: Duration,
    pub soothing_after: Duration,
    pub irritation_check_after: Duration,
    pub follow_up_after: Duration,
    pub quiet_hours: QuietHours,
}

/// One planned email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    pub kind: MessageKind,
    /// Earliest send time, already moved out of quiet hours.
    pub due_at: Timestamp,
    /// After this the message is `expired`, not sent.
    pub send_by: Timestamp,
}

const HOUR: Duration = Duration::from_secs(3600);

impl ReminderRules {
    fn planned(
        &self,
        zone: &ClinicZone,
        kind: MessageKind,
        due: Timestamp,
        send_by: Timestamp,
    ) -> Planned {
        Planned {
            kind,
            due_at: self.quiet_hours.next_allowed(due, zone),
            send_by,
        }
    }

    /// An immediate message (confirmation, cancellation, rescheduled), good for a week, and
    /// never after the visit it announces has started.
    pub fn immediate(
        &self,
        zone: &ClinicZone,
        kind: MessageKind,
        now: Timestamp,
        visit_start: Timestamp,
    ) -> Planned {
        let week = now + sdur(7 * 24 * HOUR);
        let send_by = if kind == MessageKind::Cancellation {
            week
        } else {
            week.min(visit_start)
        };
        self.planned(zone, kind, now, send_by)
    }

    /// An email to the clinic about an aftercare alert, due now (out of quiet hours), good for
    /// a week.
    pub fn clinician_alert(&self, zone: &ClinicZone, now: Timestamp) -> Planned {
        self.planned(
            zone,
            MessageKind::ClinicianAlert,
            now,
            now + sdur(7 * 24 * HOUR),
        )
    }

    /// The reminders before a visit: `prep` (for a service the skin is prepared for) and
    /// `day_before`, each only if its time is still ahead; both expire when the visit starts.
    pub fn before_visit(
        &self,
        zone: &ClinicZone,
        service: Service,
        now: Timestamp,
        start: Timestamp,
    ) -> Vec<Planned> {
        [
            (MessageKind::Prep, self.prep_before),
            (MessageKind::DayBefore, self.day_before),
        ]
        .into_iter()
        .filter(|(kind, _)| *kind != MessageKind::Prep || service.prepares_skin())
        .map(|(kind, before)| (kind, start - sdur(before)))
        .filter(|(_, due)| *due > now)
        .map(|(kind, due)| self.planned(zone, kind, due, start))
        .collect()
    }

    /// The aftercare of a completed visit, relative to the completion time. Each expires once
    /// it would be stale: soothing after 12 hours, the irritation watch after 2 days, the
    /// follow-up after a week.
    pub fn after_visit(
        &self,
        zone: &ClinicZone,
        now: Timestamp,
        completed_at: Timestamp,
    ) -> Vec<Planned> {
        [
            (MessageKind::Soothing, self.soothing_after, 12 * HOUR),
            (
                MessageKind::IrritationCheck,
                self.irritation_check_after,
                48 * HOUR,
            ),
            (MessageKind::FollowUp, self.follow_up_after, 7 * 24 * HOUR),
        ]
        .into_iter()
        .map(|(kind, after, keep)| (kind, completed_at + sdur(after), keep))
        .filter(|(_, due, _)| *due > now)
        .map(|(kind, due, keep)| self.planned(zone, kind, due, due + sdur(keep)))
        .collect()
    }
}

/// What happened to a visit, as far as its emails are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitEvent {
    /// Booked; `first_of_booking` carries the one confirmation of the whole booking.
    Booked {
        first_of_booking: bool,
    },
    /// Moved to a new start (the event's `start` is the new one).
    Rescheduled,
    /// Cancelled; `notify` is false when there is nobody to tell (an erased client).
    Cancelled {
        notify: bool,
    },
    CheckedIn,
    NoShow,
    /// Completed at the event's `now`.
    Completed,
}

/// The emails a change causes: kinds whose pending rows are withdrawn, and new rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagePlan {
    pub withdraw: &'static [MessageKind],
    pub plan: Vec<Planned>,
}

/// Every kind about a visit that has not happened yet.
const PRE_VISIT: &[MessageKind] = &[
    MessageKind::BookingConfirmation,
    MessageKind::Prep,
    MessageKind::DayBefore,
    MessageKind::Rescheduled,
];

impl ReminderRules {
    /// The table, in one place: which emails each change of a visit of `service` plans and
    /// which pending ones it withdraws. `start` is the visit's (new) start.
    pub fn on(
        &self,
        zone: &ClinicZone,
        service: Service,
        event: VisitEvent,
        now: Timestamp,
        start: Timestamp,
    ) -> MessagePlan {
        let (withdraw, plan): (&'static [MessageKind], Vec<Planned>) = match event {
            VisitEvent::Booked { first_of_booking } => {
                let mut plan = Vec::with_capacity(3);
                if first_of_booking {
                    plan.push(self.immediate(zone, MessageKind::BookingConfirmation, now, start));
                }
                plan.extend(self.before_visit(zone, service, now, start));
                (&[], plan)
            }
            VisitEvent::Rescheduled => {
                let mut plan = vec![self.immediate(zone, MessageKind::Rescheduled, now, start)];
                plan.extend(self.before_visit(zone, service, now, start));
                (PRE_VISIT, plan)
            }
            VisitEvent::Cancelled { notify: true } => (
                PRE_VISIT,
                vec![self.immediate(zone, MessageKind::Cancellation, now, start)],
            ),
            VisitEvent::Cancelled { notify: false } | VisitEvent::NoShow => (PRE_VISIT, Vec::new()),
            VisitEvent::CheckedIn => (&[], Vec::new()),
            VisitEvent::Completed if service.has_aftercare() => {
                (&[], self.after_visit(zone, now, now))
            }
            VisitEvent::Completed => (&[], Vec::new()),
        };
        MessagePlan { withdraw, plan }
    }
}

/// The delay before retry number `attempt` (1-based): `base * 2^(attempt-1)` capped at `max`,
/// then scaled by `jitter` in [0.5, 1.0] so many failed messages do not retry in lockstep.
pub fn backoff(attempt: u32, base: Duration, max: Duration, jitter: f64) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
    exp.min(max).mul_f64(jitter.clamp(0.5, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(quiet: &str) -> ReminderRules {
        ReminderRules {
            prep_before: 72 * HOUR,
            day_before: 24 * HOUR,
            soothing_after: 2 * HOUR,
            irritation_check_after: 24 * HOUR,
            follow_up_after: 72 * HOUR,
            quiet_hours: quiet.parse().unwrap(),
        }
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn reminders_before_a_visit() {
        let z = ClinicZone::new("Europe/Berlin").unwrap();
        let start = ts("2026-12-10T10:00:00+01:00");
        let plan = rules("").before_visit(
            &z,
            Service::Microneedling,
            ts("2026-12-01T10:00:00+01:00"),
            start,
        );
        assert_eq!(plan.len(), 2);
        assert_eq!(
            (plan[0].kind, plan[0].due_at),
            (MessageKind::Prep, ts("2026-12-07T10:00:00+01:00"))
        );
        assert_eq!(
            (plan[1].kind, plan[1].due_at),
            (MessageKind::DayBefore, ts("2026-12-09T10:00:00+01:00"))
        );
        assert!(plan.iter().all(|p| p.send_by == start));
        // Booked two days ahead: the prep time has passed, so only day_before is planned.
        let late = rules("").before_visit(
            &z,
            Service::Microneedling,
            ts("2026-12-08T10:00:00+01:00"),
            start,
        );
        assert_eq!(
            late.iter().map(|p| p.kind).collect::<Vec<_>>(),
            [MessageKind::DayBefore]
        );
    }

    #[test]
    fn quiet_hours_move_the_due_time_to_the_morning() {
        let z = ClinicZone::new("Europe/Berlin").unwrap();
        let start = ts("2026-12-10T07:30:00+01:00");
        let plan = rules("21:00-08:00").before_visit(
            &z,
            Service::Microneedling,
            ts("2026-12-01T10:00:00+01:00"),
            start,
        );
        // 07:30 three days before is quiet: it goes at 08:00.
        assert_eq!(plan[0].due_at, ts("2026-12-07T08:00:00+01:00"));
    }

    #[test]
    fn aftercare_after_completion() {
        let z = ClinicZone::new("Europe/Berlin").unwrap();
        let done = ts("2026-12-10T11:00:00+01:00");
        let plan = rules("").after_visit(&z, done, done);
        let kinds: Vec<_> = plan.iter().map(|p| (p.kind, p.due_at)).collect();
        assert_eq!(
            kinds,
            [
                (MessageKind::Soothing, ts("2026-12-10T13:00:00+01:00")),
                (
                    MessageKind::IrritationCheck,
                    ts("2026-12-11T11:00:00+01:00")
                ),
                (MessageKind::FollowUp, ts("2026-12-13T11:00:00+01:00")),
            ]
        );
        // Marked completed three days late: only what is still ahead is planned.
        let late = rules("").after_visit(&z, ts("2026-12-13T10:00:00+01:00"), done);
        assert_eq!(
            late.iter().map(|p| p.kind).collect::<Vec<_>>(),
            [MessageKind::FollowUp]
        );
    }

    #[test]
    fn the_table_of_changes() {
        let z = ClinicZone::new("Europe/Berlin").unwrap();
        let now = ts("2026-12-01T10:00:00+01:00");
        let start = ts("2026-12-10T10:00:00+01:00");
        let r = rules("");
        let table = |service, e| {
            let p = r.on(&z, service, e, now, start);
            (
                p.withdraw.len(),
                p.plan.iter().map(|p| p.kind).collect::<Vec<_>>(),
            )
        };
        let kinds = |e| table(Service::Microneedling, e);
        let consultation = |e| table(Service::SkinConsultation, e);
        use MessageKind::*;
        assert_eq!(
            kinds(VisitEvent::Booked {
                first_of_booking: true
            }),
            (0, vec![BookingConfirmation, Prep, DayBefore])
        );
        assert_eq!(
            kinds(VisitEvent::Booked {
                first_of_booking: false
            }),
            (0, vec![Prep, DayBefore])
        );
        assert_eq!(
            kinds(VisitEvent::Rescheduled),
            (4, vec![Rescheduled, Prep, DayBefore])
        );
        assert_eq!(
            kinds(VisitEvent::Cancelled { notify: true }),
            (4, vec![Cancellation])
        );
        assert_eq!(kinds(VisitEvent::Cancelled { notify: false }), (4, vec![]));
        assert_eq!(kinds(VisitEvent::NoShow), (4, vec![]));
        assert_eq!(kinds(VisitEvent::CheckedIn), (0, vec![]));
        assert_eq!(
            kinds(VisitEvent::Completed),
            (0, vec![Soothing, IrritationCheck, FollowUp])
        );
        // A skin consultation: no skin to prepare, no aftercare; the rest as for microneedling.
        assert_eq!(
            consultation(VisitEvent::Booked {
                first_of_booking: true
            }),
            (0, vec![BookingConfirmation, DayBefore])
        );
        assert_eq!(
            consultation(VisitEvent::Rescheduled),
            (4, vec![Rescheduled, DayBefore])
        );
        assert_eq!(
            consultation(VisitEvent::Cancelled { notify: true }),
            (4, vec![Cancellation])
        );
        assert_eq!(consultation(VisitEvent::Completed), (0, vec![]));
    }

    #[test]
    fn backoff_doubles_to_the_cap() {
        let b = Duration::from_secs(30);
        let m = Duration::from_secs(1800);
        assert_eq!(backoff(1, b, m, 1.0), b);
        assert_eq!(backoff(2, b, m, 1.0), Duration::from_secs(60));
        assert_eq!(backoff(4, b, m, 1.0), Duration::from_secs(240));
        assert_eq!(backoff(30, b, m, 1.0), m);
        assert_eq!(backoff(2, b, m, 0.5), Duration::from_secs(30));
    }
}

//! Appointment statuses and the legal moves between them, in one place.

use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::time::{human_duration, sdur};

/// Where an appointment stands.
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
pub enum AppointmentStatus {
    Booked,
    CheckedIn,
    Completed,
    NoShow,
    Cancelled,
}

/// A move reception (or the client) asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    CheckIn,
    Complete,
    NoShow,
    Cancel,
    Reschedule,
}

impl AppointmentStatus {
    /// Every status.
    pub const ALL: [AppointmentStatus; 5] = [
        AppointmentStatus::Booked,
        AppointmentStatus::CheckedIn,
        AppointmentStatus::Completed,
        AppointmentStatus::NoShow,
        AppointmentStatus::Cancelled,
    ];

    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::CheckedIn => "checked_in",
            AppointmentStatus::Completed => "completed",
            AppointmentStatus::NoShow => "no_show",
            AppointmentStatus::Cancelled => "cancelled",
        }
    }

    /// The status after `t`, or `None` when the move is illegal from here.
    pub fn apply(self, t: Transition) -> Option<AppointmentStatus> {
        use AppointmentStatus::*;
        match (self, t) {
            (Booked, Transition::CheckIn) => Some(CheckedIn),
            (CheckedIn, Transition::Complete) => Some(Completed),
            (Booked, Transition::NoShow) => Some(NoShow),
            (Booked | CheckedIn, Transition::Cancel) => Some(Cancelled),
            (Booked, Transition::Reschedule) => Some(Booked),
            _ => None,
        }
    }

    /// Whether the appointment still holds its time in the calendar.
    pub fn holds_slot(self) -> bool {
        self != AppointmentStatus::Cancelled
    }
}

/// Who asks for a move: clients are bound by the notice window, staff are not, and the service
/// itself (a contraindication at re-confirmation, an erasure) is bound by neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    Client,
    Staff,
    Service,
}

/// The time rules of the lifecycle (`booking.check_in_lead`, `booking.client_cancel_notice`).
#[derive(Debug, Clone, Copy)]
pub struct LifecycleRules {
    /// A visit may be checked in from this long before its start until its end.
    pub check_in_lead: Duration,
    /// Clients may cancel or reschedule only until this long before the start.
    pub client_notice: Duration,
}

/// When a visit takes place.
#[derive(Debug, Clone, Copy)]
pub struct VisitTimes {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// Why a move is refused, in words for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The state machine does not allow it from here.
    Illegal {
        from: AppointmentStatus,
        transition: Transition,
    },
    /// Check-in before `check_in_lead` ahead of the start.
    TooEarly { opens: Timestamp },
    /// Check-in after the visit's end.
    Over,
    /// A no-show before the visit has started.
    NotStarted,
    /// A client inside the notice window.
    TooLateForClient { notice: Duration },
}

impl Refusal {
    /// The sentence shown to staff or the client (times are added by the caller's zone).
    pub fn message(&self) -> String {
        match self {
            Refusal::Illegal { from, transition } => format!(
                "a visit that is {} cannot be {}",
                from.label(),
                transition.past_participle()
            ),
            Refusal::TooEarly { .. } => {
                "this visit cannot be checked in yet: check-in opens shortly before the start"
                    .to_owned()
            }
            Refusal::Over => "this visit has already ended; it can no longer be checked in \
                (mark it as a no-show or cancel it)"
                .to_owned(),
            Refusal::NotStarted => {
                "a visit can be marked as a no-show only once its start time has passed".to_owned()
            }
            Refusal::TooLateForClient { notice } => format!(
                "Changes are possible until {} before your appointment",
                human_duration(*notice)
            ),
        }
    }
}

impl AppointmentStatus {
    /// For people: "booked", "checked in", "no-show".
    pub fn label(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::CheckedIn => "checked in",
            AppointmentStatus::Completed => "completed",
            AppointmentStatus::NoShow => "marked as a no-show",
            AppointmentStatus::Cancelled => "cancelled",
        }
    }
}

impl Transition {
    /// For people: "checked in", "rescheduled".
    pub fn past_participle(self) -> &'static str {
        match self {
            Transition::CheckIn => "checked in",
            Transition::Complete => "completed",
            Transition::NoShow => "marked as a no-show",
            Transition::Cancel => "cancelled",
            Transition::Reschedule => "rescheduled",
        }
    }

    /// The audit action, e.g. `appointment.check_in`.
    pub fn audit_action(self) -> &'static str {
        match self {
            Transition::CheckIn => "appointment.checkin",
            Transition::Complete => "appointment.complete",
            Transition::NoShow => "appointment.noshow",
            Transition::Cancel => "appointment.cancel",
            Transition::Reschedule => "appointment.reschedule",
        }
    }
}

/// Whether a client may still change a visit starting at `start` (the notice window).
pub fn client_may_change(rules: &LifecycleRules, now: Timestamp, start: Timestamp) -> bool {
    now + sdur(rules.client_notice) <= start
}

/// The whole rule of a move: the state machine, the time window of check-in and no-show, and
/// the client's notice window. Returns the status after the move.
pub fn decide(
    rules: &LifecycleRules,
    from: AppointmentStatus,
    transition: Transition,
    by: Mover,
    visit: VisitTimes,
    now: Timestamp,
) -> Result<AppointmentStatus, Refusal> {
    let to = from
        .apply(transition)
        .ok_or(Refusal::Illegal { from, transition })?;
    match transition {
        Transition::CheckIn => {
            let opens = visit.start - sdur(rules.check_in_lead);
            if now < opens {
                return Err(Refusal::TooEarly { opens });
            }
            if now >= visit.end {
                return Err(Refusal::Over);
            }
        }
        Transition::NoShow if now < visit.start => return Err(Refusal::NotStarted),
        Transition::Cancel | Transition::Reschedule
            if by == Mover::Client && !client_may_change(rules, now, visit.start) =>
        {
            return Err(Refusal::TooLateForClient {
                notice: rules.client_notice,
            });
        }
        _ => {}
    }
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    const RULES: LifecycleRules = LifecycleRules {
        check_in_lead: Duration::from_secs(2 * 3600),
        client_notice: Duration::from_secs(24 * 3600),
    };

    fn visit() -> VisitTimes {
        VisitTimes {
            start: at("2026-11-30T14:30:00Z"),
            end: at("2026-11-30T15:30:00Z"),
        }
    }

    #[test]
    fn check_in_is_open_from_the_lead_until_the_end() {
        use AppointmentStatus::*;
        let go = |now| {
            decide(
                &RULES,
                Booked,
                Transition::CheckIn,
                Mover::Staff,
                visit(),
                at(now),
            )
        };
        assert_eq!(
            go("2026-11-25T12:00:00Z"),
            Err(Refusal::TooEarly {
                opens: at("2026-11-30T12:30:00Z")
            })
        );
        assert!(go("2026-11-30T12:29:59Z").is_err());
        assert_eq!(go("2026-11-30T12:30:00Z"), Ok(CheckedIn));
        assert_eq!(go("2026-11-30T15:29:59Z"), Ok(CheckedIn));
        assert_eq!(go("2026-11-30T15:30:00Z"), Err(Refusal::Over));
    }

    #[test]
    fn completion_needs_a_check_in_and_no_show_a_passed_start() {
        use AppointmentStatus::*;
        let now = at("2026-11-30T14:00:00Z");
        assert!(matches!(
            decide(
                &RULES,
                Booked,
                Transition::Complete,
                Mover::Staff,
                visit(),
                now
            ),
            Err(Refusal::Illegal { .. })
        ));
        assert_eq!(
            decide(
                &RULES,
                CheckedIn,
                Transition::Complete,
                Mover::Staff,
                visit(),
                now
            ),
            Ok(Completed)
        );
        assert_eq!(
            decide(
                &RULES,
                Booked,
                Transition::NoShow,
                Mover::Staff,
                visit(),
                now
            ),
            Err(Refusal::NotStarted)
        );
        assert_eq!(
            decide(
                &RULES,
                Booked,
                Transition::NoShow,
                Mover::Staff,
                visit(),
                at("2026-11-30T14:31:00Z")
            ),
            Ok(NoShow)
        );
    }

    #[test]
    fn only_clients_are_bound_by_the_notice_window() {
        use AppointmentStatus::*;
        let late = at("2026-11-30T10:00:00Z");
        for t in [Transition::Cancel, Transition::Reschedule] {
            assert!(matches!(
                decide(&RULES, Booked, t, Mover::Client, visit(), late),
                Err(Refusal::TooLateForClient { .. })
            ));
            assert!(decide(&RULES, Booked, t, Mover::Staff, visit(), late).is_ok());
            assert!(decide(&RULES, Booked, t, Mover::Service, visit(), late).is_ok());
        }
        assert!(
            decide(
                &RULES,
                Booked,
                Transition::Cancel,
                Mover::Client,
                visit(),
                at("2026-11-29T14:30:00Z")
            )
            .is_ok()
        );
        assert_eq!(
            Refusal::TooLateForClient {
                notice: RULES.client_notice
            }
            .message(),
            "Changes are possible until 24 hours before your appointment"
        );
    }

    #[test]
    fn only_the_documented_moves_are_legal() {
        use AppointmentStatus::*;
        let legal: Vec<_> = AppointmentStatus::ALL
            .into_iter()
            .flat_map(|s| {
                [
                    Transition::CheckIn,
                    Transition::Complete,
                    Transition::NoShow,
                    Transition::Cancel,
                    Transition::Reschedule,
                ]
                .into_iter()
                .filter_map(move |t| s.apply(t).map(|to| (s, to)))
            })
            .collect();
        assert_eq!(
            legal,
            vec![
                (Booked, CheckedIn),
                (Booked, NoShow),
                (Booked, Cancelled),
                (Booked, Booked),
                (CheckedIn, Completed),
                (CheckedIn, Cancelled),
            ]
        );
    }
}

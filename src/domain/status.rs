//! Appointment statuses and the legal moves between them, in one place.

use serde::{Deserialize, Serialize};

/// Where an appointment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
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

    /// Parses the stored text.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
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

#[cfg(test)]
mod tests {
    use super::*;

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

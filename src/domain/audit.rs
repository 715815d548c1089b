//! Which reads are worth an audit row. A desk polls its calendar every few seconds; writing a
//! `calendar.view` row per poll would bury the real entries, so a read is recorded only when it
//! tells something new about who saw which client.

use std::collections::BTreeSet;

use jiff::civil::Date;
use uuid::Uuid;

/// What one calendar read showed: the range, the practitioner asked for (none: every one) and
/// the clients whose contact data it listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarView {
    pub from: Date,
    pub to: Date,
    pub practitioner: Option<Uuid>,
    pub clients: BTreeSet<Uuid>,
}

/// Whether `view` is audited, given the views the same staff user had audited within the
/// window (`desk.view_audit_window`; the caller picks those rows). A read is new unless one of
/// them covers the same range and practitioner and already named every client this read shows.
/// So the same week polled again writes nothing; a client booked into it (shown for the first
/// time) writes a row; a visit gone from it writes nothing (its client was recorded); once the
/// window has passed since the last row, the next read writes one again.
pub fn calendar_view_is_new(recent: &[CalendarView], view: &CalendarView) -> bool {
    !recent.iter().any(|r| {
        r.from == view.from
            && r.to == view.to
            && r.practitioner == view.practitioner
            && view.clients.is_subset(&r.clients)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(from: &str, clients: &[u128]) -> CalendarView {
        CalendarView {
            from: from.parse().unwrap(),
            to: "2026-12-06".parse().unwrap(),
            practitioner: None,
            clients: clients.iter().map(|c| Uuid::from_u128(*c)).collect(),
        }
    }

    #[test]
    fn the_same_read_again_is_not_new() {
        let first = view("2026-11-30", &[1, 2]);
        assert!(calendar_view_is_new(&[], &first));
        assert!(!calendar_view_is_new(std::slice::from_ref(&first), &first));
        // Fewer clients (a visit cancelled): nothing new was seen.
        assert!(!calendar_view_is_new(
            std::slice::from_ref(&first),
            &view("2026-11-30", &[2])
        ));
    }

    #[test]
    fn a_new_client_another_range_or_practitioner_is_new() {
        let first = view("2026-11-30", &[1, 2]);
        let recent = [first.clone()];
        assert!(calendar_view_is_new(
            &recent,
            &view("2026-11-30", &[1, 2, 3])
        ));
        assert!(calendar_view_is_new(&recent, &view("2026-11-29", &[1, 2])));
        let mut one = first.clone();
        one.practitioner = Some(Uuid::from_u128(9));
        assert!(calendar_view_is_new(&recent, &one));
        // Any recent row that covers it will do.
        assert!(!calendar_view_is_new(
            &[view("2026-11-23", &[]), first],
            &view("2026-11-30", &[1])
        ));
    }
}

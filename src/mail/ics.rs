//! iCalendar attachments: one VEVENT per appointment, UID stable per appointment, SEQUENCE
//! rising with each change, METHOD:CANCEL for a cancellation.

use icalendar::{Calendar, Component, Event, EventLike};
use jiff::Timestamp;

/// One event of the attachment.
pub struct IcsEvent {
    pub uid: String,
    pub sequence: u32,
    pub start: Timestamp,
    pub end: Timestamp,
    pub summary: String,
    pub location: String,
    pub description: String,
    pub cancelled: bool,
}

fn utc(ts: Timestamp) -> String {
    ts.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// A calendar with the given events; `method` is REQUEST or CANCEL.
pub fn calendar(events: &[IcsEvent], organizer: &str, now: Timestamp) -> String {
    let cancel = events.iter().all(|e| e.cancelled);
    let mut cal = Calendar::new();
    cal.append_property(("METHOD", if cancel { "CANCEL" } else { "REQUEST" }));
    for e in events {
        let mut ev = Event::new();
        ev.uid(&e.uid)
            .sequence(e.sequence)
            .summary(&e.summary)
            .location(&e.location)
            .description(&e.description)
            .add_property("DTSTAMP", utc(now))
            .add_property("DTSTART", utc(e.start))
            .add_property("DTEND", utc(e.end))
            .add_property("ORGANIZER", format!("mailto:{organizer}"))
            .add_property(
                "STATUS",
                if e.cancelled {
                    "CANCELLED"
                } else {
                    "CONFIRMED"
                },
            );
        cal.push(ev.done());
    }
    cal.done().to_string()
}

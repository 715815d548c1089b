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

impl IcsEvent {
    /// The event of one visit, the same in every email and in the manage link's download: UID
    /// stable per appointment, summary and place from the clinic's settings, words in the
    /// clinic's language.
    pub fn for_visit(
        a: &crate::store::entities::appointment::Model,
        service: crate::domain::service::Service,
        clinic: &crate::config::ClinicSettings,
        words: &crate::mail::templates::Locale,
        cancelled: bool,
    ) -> Self {
        Self {
            uid: format!("{}@dermadesk", a.id),
            sequence: u32::try_from(a.sequence).unwrap_or(0),
            start: crate::domain::time::from_db(a.starts_at),
            end: crate::domain::time::from_db(a.ends_at),
            summary: words.ics_summary(service, &clinic.name),
            location: format!("{}, {}", clinic.name, clinic.address),
            description: words.ics_description(&clinic.phone),
            cancelled,
        }
    }
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

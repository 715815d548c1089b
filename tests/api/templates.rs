//! Snapshot tests: every kind renders in every language, and a change to a template shows up
//! as a diff here. Regenerate after an intended change with
//! `UPDATE_SNAPSHOTS=1 cargo test --test api templates`.

use std::path::PathBuf;

use dermadesk::{
    config::Language,
    domain::{messages::MessageKind, service::Service},
    mail::templates::{locale, render},
};
use jiff::civil::date;
use serde_json::json;

const LINK: &str = "https://booking.clinic.example/manage#0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

const AFTERCARE_LINK: &str = "https://booking.clinic.example/aftercare#fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

fn context(lang: Language, kind: MessageKind) -> serde_json::Value {
    let words = locale(lang).unwrap();
    let day = |y: i16, m: i8, d: i8| words.date(date(y, m, d));
    let session = |n: i32, date: &str| json!({"number": n, "date": date, "time": "10:00"});
    let (first, second, third) = (day(2026, 12, 10), day(2027, 1, 7), day(2027, 2, 4));
    json!({
        "clinic": {"name": "Hautklinik Mitte", "address": "Musterstrasse 1, 10115 Berlin",
                   "phone": "+49 30 1234567", "email": "hello@clinic.example"},
        "client_name": "Ana <Ames>",
        "service": "microneedling",
        "service_name": words.service(Service::Microneedling),
        "date": first,
        "time": "10:00",
        "end_time": "11:30",
        "practitioner": "Dr. Rhee",
        "anesthesia": true,
        "anesthesia_minutes": 30,
        "numbing_cream_offered": true,
        "health_cancel": false,
        "session_number": 1,
        "sessions": 3,
        "course": [session(1, &first), session(2, &second), session(3, &third)],
        "next_session": if kind == MessageKind::FollowUp { session(2, &second) } else { serde_json::Value::Null },
        "still_booked": if kind == MessageKind::Cancellation { json!([session(2, &second), session(3, &third)]) } else { json!([]) },
        "previous": if kind == MessageKind::Rescheduled { session(1, &day(2026, 12, 3)) } else { serde_json::Value::Null },
        "reason": if kind == MessageKind::Cancellation { json!("practitioner ill") } else { serde_json::Value::Null },
        "cancel_notice": words.duration(std::time::Duration::from_secs(24 * 3600)),
        "manage_url": if kind.carries_manage_link(true) { json!(LINK) } else { serde_json::Value::Null },
        "aftercare_url": if kind.carries_aftercare_link() { json!(AFTERCARE_LINK) } else { serde_json::Value::Null },
        "client_phone": "+49 171 1234567",
        "desk_url": "https://booking.clinic.example/desk",
        "repeat": false,
    })
}

#[test]
fn every_kind_matches_its_snapshot() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/api/snapshots");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    for (lang, kind) in Language::ALL
        .into_iter()
        .flat_map(|l| MessageKind::ALL.map(|k| (l, k)))
    {
        let r = render(lang, kind, &context(lang, kind)).expect("renders");
        assert!(!r.subject.is_empty() && !r.subject.contains('\n'));
        // The HTML part escapes client-supplied text; the text part does not need to.
        assert!(r.html.contains("Ana &lt;Ames&gt;"), "{kind:?}");
        assert!(r.text.contains("Ana <Ames>"), "{kind:?}");
        let got = format!(
            "Subject: {}\n\n{}\n---- html ----\n{}",
            r.subject, r.text, r.html
        );
        // Every email that carries the link shows it in both parts.
        if kind.carries_manage_link(true) {
            assert!(r.text.contains(LINK), "{lang:?} {kind:?}");
            assert!(r.html.contains("#0123456789abcdef"), "{lang:?} {kind:?}");
        } else {
            assert!(!r.text.contains("manage#"), "{lang:?} {kind:?}");
        }
        // The irritation watch links to the aftercare check-in, in both parts.
        assert_eq!(
            r.text.contains(AFTERCARE_LINK) && r.html.contains("aftercare#fedcba9876543210"),
            kind.carries_aftercare_link(),
            "{lang:?} {kind:?}"
        );
        let path = dir.join(lang.code()).join(format!("{}.txt", kind.as_str()));
        if update {
            std::fs::write(&path, &got).unwrap();
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            got,
            want,
            "snapshot {} differs (UPDATE_SNAPSHOTS=1 to accept)",
            path.display()
        );
    }
}

#[test]
fn key_words_reach_the_client() {
    let words = [
        (
            MessageKind::Prep,
            vec![
                "sun",
                "retinoids",
                "exfoliating acids",
                "medication",
                "pregnancy",
                "cold sores",
            ],
        ),
        (
            MessageKind::DayBefore,
            vec!["cleansed skin", "no make-up", "numbing cream"],
        ),
        (
            MessageKind::Soothing,
            vec!["Soothing care", "No make-up", "sunscreen"],
        ),
        (
            MessageKind::IrritationCheck,
            vec!["irritation", "1-3 days", "call us"],
        ),
        (
            MessageKind::FollowUp,
            vec!["next session", "7 January 2027"],
        ),
        (
            MessageKind::Cancellation,
            vec!["cancelled", "practitioner ill", "book again"],
        ),
        (MessageKind::Rescheduled, vec!["moved", "10:00"]),
        (
            MessageKind::BookingConfirmation,
            vec![
                "Session 3",
                "cancel or reschedule",
                "cleansed skin",
                "Musterstrasse",
            ],
        ),
    ];
    for (kind, want) in words {
        let text = render(Language::En, kind, &context(Language::En, kind))
            .unwrap()
            .text;
        for w in want {
            assert!(text.contains(w), "{kind:?} lacks {w:?}:\n{text}");
        }
    }
}

/// The branches the snapshots (session 1 of a microneedling course) do not show: a repeat
/// session's prep asks for the health answers as a requirement; a health cancellation does not
/// invite booking online; a skin consultation is told nothing about consent, health answers or
/// a treatment area; a rescheduled visit carries the preparation.
#[test]
fn each_email_says_only_what_applies_to_its_visit() {
    for lang in Language::ALL {
        let text = |kind: MessageKind, change: &dyn Fn(&mut serde_json::Value)| {
            let mut ctx = context(lang, kind);
            change(&mut ctx);
            render(lang, kind, &ctx).unwrap().text
        };
        let (required, if_changed, book_online, consent, health, area, prepare) = match lang {
            Language::En => (
                "Before this repeat session",
                "If anything has changed in your health",
                "To book again",
                "signed consent",
                "confirm your health answers",
                "treatment area",
                "How to prepare:",
            ),
            Language::De => (
                "vor dieser Folgesitzung",
                "Wenn sich an Ihrer Gesundheit etwas geändert hat",
                "Für einen neuen Termin",
                "unterschriebene Einwilligung",
                "Gesundheitsangaben bestätigen",
                "Behandlungsbereich",
                "So bereiten Sie sich vor:",
            ),
        };
        let first = text(MessageKind::Prep, &|_| {});
        assert!(
            first.contains(if_changed) && !first.contains(required),
            "{first}"
        );
        let repeat = text(MessageKind::Prep, &|c| c["session_number"] = json!(2));
        assert!(
            repeat.contains(required) && !repeat.contains(if_changed),
            "{repeat}"
        );

        let asked = text(MessageKind::Cancellation, &|_| {});
        assert!(asked.contains(book_online), "{asked}");
        let health_cancel = text(MessageKind::Cancellation, &|c| {
            c["health_cancel"] = json!(true)
        });
        assert!(!health_cancel.contains(book_online), "{health_cancel}");

        let consultation = |c: &mut serde_json::Value| {
            c["service"] = json!("skin_consultation");
            c["sessions"] = json!(1);
            c["anesthesia"] = json!(false);
            c["numbing_cream_offered"] = json!(false);
        };
        let booked = text(MessageKind::BookingConfirmation, &|_| {});
        assert!(
            booked.contains(consent) && booked.contains(health),
            "{booked}"
        );
        let booked = text(MessageKind::BookingConfirmation, &consultation);
        assert!(
            !booked.contains(consent) && !booked.contains(health),
            "{booked}"
        );
        let tomorrow = text(MessageKind::DayBefore, &consultation);
        assert!(
            !tomorrow.contains(area) && !tomorrow.contains(health),
            "{tomorrow}"
        );

        let moved = text(MessageKind::Rescheduled, &|_| {});
        assert!(moved.contains(prepare), "{moved}");
        let moved = text(MessageKind::Rescheduled, &consultation);
        assert!(!moved.contains(prepare), "{moved}");
    }
}

#[test]
fn german_emails_speak_to_the_client_formally_with_the_same_care() {
    let words = [
        (
            MessageKind::Prep,
            vec![
                "Sonne",
                "Retinoide",
                "Peeling-Säuren",
                "Medikamente",
                "Schwangerschaft",
                "Lippenherpes",
                "Gesundheitsangaben",
            ],
        ),
        (
            MessageKind::DayBefore,
            vec!["gereinigter Haut", "kein Make-up", "Betäubungscreme"],
        ),
        (
            MessageKind::Soothing,
            vec!["Beruhigende Pflege", "kein Make-up", "Sonnenschutz"],
        ),
        (
            MessageKind::IrritationCheck,
            vec!["Reizung", "1-3 Tagen", "rufen Sie uns"],
        ),
        (
            MessageKind::FollowUp,
            vec!["nächste Sitzung", "Donnerstag, 7. Januar 2027"],
        ),
        (
            MessageKind::Cancellation,
            vec!["abgesagt", "practitioner ill", "neuen Termin"],
        ),
        (
            MessageKind::Rescheduled,
            vec!["verlegt", "10:00 - 11:30 Uhr"],
        ),
        (
            MessageKind::BookingConfirmation,
            vec![
                "Sitzung 3",
                "absagen oder verschieben",
                "gereinigter Haut",
                "Musterstrasse",
                "Ihre Buchung verwalten",
                "Donnerstag, 10. Dezember 2026",
            ],
        ),
    ];
    for (kind, want) in words {
        let r = render(Language::De, kind, &context(Language::De, kind)).unwrap();
        for w in want {
            assert!(r.text.contains(w), "{kind:?} lacks {w:?}:\n{}", r.text);
        }
        // Sie-form: the client is never addressed as "du".
        let lower = format!(" {} ", r.text.to_lowercase().replace(['\n', ',', '.'], " "));
        for informal in [" du ", " dein ", " deine ", " dir ", " dich ", " euch "] {
            assert!(!lower.contains(informal), "{kind:?} says {informal:?}");
        }
        assert!(r.text.starts_with("Guten Tag Ana <Ames>,"), "{kind:?}");
        assert!(r.html.contains("<html lang=\"de\">"), "{kind:?}");
    }
}

/// Durations shown to clients are written in the clinic's language: a notice of 90 minutes is
/// not "1 hours" in English nor "1 Stunden" in German.
#[test]
fn durations_are_written_in_the_clinics_language() {
    let h = |n: u64| std::time::Duration::from_secs(n * 3600);
    let (en, de) = (locale(Language::En).unwrap(), locale(Language::De).unwrap());
    assert_eq!(en.duration(h(24)), "24 hours");
    assert_eq!(de.duration(h(24)), "24 Stunden");
    assert_eq!(en.duration(h(1) + h(1) / 2), "1 hour 30 minutes");
    assert_eq!(de.duration(h(1) + h(1) / 2), "1 Stunde 30 Minuten");
    assert_eq!(en.duration(h(72)), "3 days");
    assert_eq!(de.duration(h(72)), "3 Tage");
}

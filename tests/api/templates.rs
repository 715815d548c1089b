//! Snapshot tests: every kind renders, and a change to a template shows up as a diff here.
//! Regenerate after an intended change with `UPDATE_SNAPSHOTS=1 cargo test --test api templates`.

use std::path::PathBuf;

use dermadesk::{domain::messages::MessageKind, mail::templates::render};
use serde_json::json;

fn context(kind: MessageKind) -> serde_json::Value {
    let session = |n: i32, date: &str| json!({"number": n, "date": date, "time": "10:00"});
    json!({
        "clinic": {"name": "Hautklinik Mitte", "address": "Musterstrasse 1, 10115 Berlin",
                   "phone": "+49 30 1234567", "email": "hello@clinic.example"},
        "client_name": "Ana <Ames>",
        "service": "microneedling",
        "service_name": "Microneedling",
        "date": "Thursday, 10 December 2026",
        "time": "10:00",
        "end_time": "11:30",
        "practitioner": "Dr. Rhee",
        "anesthesia": true,
        "anesthesia_minutes": 30,
        "session_number": 1,
        "sessions": 3,
        "course": [session(1, "Thursday, 10 December 2026"), session(2, "Thursday, 7 January 2027"),
                   session(3, "Thursday, 4 February 2027")],
        "next_session": if kind == MessageKind::FollowUp { session(2, "Thursday, 7 January 2027") } else { serde_json::Value::Null },
        "reason": if kind == MessageKind::Cancellation { json!("practitioner ill") } else { serde_json::Value::Null },
        "cancel_notice_hours": 24,
    })
}

#[test]
fn every_kind_matches_its_snapshot() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/api/snapshots");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    for kind in MessageKind::ALL {
        let r = render(kind, &context(kind)).expect("renders");
        assert!(!r.subject.is_empty() && !r.subject.contains('\n'));
        // The HTML part escapes client-supplied text; the text part does not need to.
        assert!(r.html.contains("Ana &lt;Ames&gt;"), "{kind:?}");
        assert!(r.text.contains("Ana <Ames>"), "{kind:?}");
        let got = format!(
            "Subject: {}\n\n{}\n---- html ----\n{}",
            r.subject, r.text, r.html
        );
        let path = dir.join(format!("{}.txt", kind.as_str()));
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
        let text = render(kind, &context(kind)).unwrap().text;
        for w in want {
            assert!(text.contains(w), "{kind:?} lacks {w:?}:\n{text}");
        }
    }
}

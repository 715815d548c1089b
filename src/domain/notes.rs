//! Session records (treatment notes) of a microneedling visit: what a valid record is, and
//! which visits may have one. Health data: never logged.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{service::Service, status::AppointmentStatus};

/// A treated area (a closed set, so the course's history compares like with like).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Forehead,
    Temples,
    Periorbital,
    Nose,
    Cheeks,
    Perioral,
    Chin,
    Jawline,
    Neck,
    Decollete,
    Scalp,
    Back,
    Abdomen,
    Arms,
    Hands,
    Thighs,
    Buttocks,
}

/// The needle depth range accepted, in hundredths of a millimetre (0.1–3.0 mm).
pub const DEPTH_RANGE: std::ops::RangeInclusive<i32> = 10..=300;
/// The longest of `product`, `numbing` and `reaction`.
pub const MAX_SHORT_CHARS: usize = 500;
/// The longest free note.
pub const MAX_NOTES_CHARS: usize = 4000;

/// A session record as submitted (the API's body).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotesInput {
    /// Needle depth in millimetres, 0.1 to 3.0, at most two decimals.
    pub needle_depth_mm: f64,
    /// The areas treated: at least one, each once.
    pub areas: Vec<Area>,
    /// Product or serum used.
    pub product: Option<String>,
    /// Numbing used (e.g. the cream and how long it was on).
    pub numbing: Option<String>,
    /// The skin's immediate reaction.
    pub reaction: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
}

/// A checked session record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notes {
    pub needle_depth_hundredths: i32,
    pub areas: Vec<Area>,
    pub product: Option<String>,
    pub numbing: Option<String>,
    pub reaction: Option<String>,
    pub notes: Option<String>,
}

/// Checks a record: every bad field at once (422 naming them). Texts are trimmed; an empty
/// text counts as absent.
pub fn check(input: &NotesInput) -> Result<Notes, BTreeMap<String, String>> {
    let mut bad = BTreeMap::new();
    let hundredths = input.needle_depth_mm * 100.0;
    let rounded = hundredths.round();
    let depth = if !hundredths.is_finite() || (hundredths - rounded).abs() > 1e-6 {
        bad.insert(
            "needle_depth_mm".into(),
            "a depth in millimetres with at most two decimals".into(),
        );
        0
    } else {
        // Finite and whole, so the cast is exact within the range checked next.
        let d = rounded.clamp(-1.0, 10_000.0) as i32;
        if !DEPTH_RANGE.contains(&d) {
            bad.insert(
                "needle_depth_mm".into(),
                "must be between 0.1 and 3.0 mm".into(),
            );
        }
        d
    };
    let mut areas = input.areas.clone();
    areas.sort();
    areas.dedup();
    if areas.is_empty() {
        bad.insert("areas".into(), "name at least one treated area".into());
    } else if areas.len() != input.areas.len() {
        bad.insert("areas".into(), "each area once".into());
    }
    let mut text = |field: &str, value: &Option<String>, max: usize| {
        let v = value.as_deref().map(str::trim).filter(|v| !v.is_empty());
        if v.is_some_and(|v| v.chars().count() > max) {
            bad.insert(field.to_owned(), format!("at most {max} characters"));
        }
        v.map(str::to_owned)
    };
    let product = text("product", &input.product, MAX_SHORT_CHARS);
    let numbing = text("numbing", &input.numbing, MAX_SHORT_CHARS);
    let reaction = text("reaction", &input.reaction, MAX_SHORT_CHARS);
    let notes = text("notes", &input.notes, MAX_NOTES_CHARS);
    if !bad.is_empty() {
        return Err(bad);
    }
    Ok(Notes {
        needle_depth_hundredths: depth,
        // In the order given (the practitioner's order), duplicates refused above.
        areas: input.areas.clone(),
        product,
        numbing,
        reaction,
        notes,
    })
}

/// Why a visit cannot have a session record (yet), or `None` when it can: a microneedling
/// visit that is checked in or completed.
pub fn refusal(service: Service, status: AppointmentStatus) -> Option<&'static str> {
    if service != Service::Microneedling {
        return Some("only a microneedling visit has a session record");
    }
    match status {
        AppointmentStatus::CheckedIn | AppointmentStatus::Completed => None,
        _ => Some("a session record is written once the visit is checked in (or completed)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(depth: f64, areas: Vec<Area>) -> NotesInput {
        NotesInput {
            needle_depth_mm: depth,
            areas,
            product: Some("  hyaluronic serum ".into()),
            numbing: Some(String::new()),
            reaction: None,
            notes: None,
        }
    }

    #[test]
    fn a_sane_record_passes() {
        let n = check(&input(0.5, vec![Area::Cheeks, Area::Forehead])).unwrap();
        assert_eq!(n.needle_depth_hundredths, 50);
        assert_eq!(n.areas, vec![Area::Cheeks, Area::Forehead]);
        assert_eq!(n.product.as_deref(), Some("hyaluronic serum"));
        assert_eq!(n.numbing, None);
        assert_eq!(
            check(&input(0.1, vec![Area::Neck]))
                .unwrap()
                .needle_depth_hundredths,
            10
        );
        assert_eq!(
            check(&input(3.0, vec![Area::Back]))
                .unwrap()
                .needle_depth_hundredths,
            300
        );
    }

    #[test]
    fn bad_fields_are_named() {
        for depth in [0.0, 0.09, 3.01, 3.5, -1.0, 0.125, f64::NAN] {
            let bad = check(&input(depth, vec![Area::Neck])).unwrap_err();
            assert!(bad.contains_key("needle_depth_mm"), "{depth}");
        }
        assert!(
            check(&input(1.0, vec![]))
                .unwrap_err()
                .contains_key("areas")
        );
        let twice = check(&input(1.0, vec![Area::Neck, Area::Neck])).unwrap_err();
        assert!(twice.contains_key("areas"));
        let mut long = input(1.0, vec![Area::Neck]);
        long.notes = Some("x".repeat(MAX_NOTES_CHARS + 1));
        assert!(check(&long).unwrap_err().contains_key("notes"));
    }

    #[test]
    fn only_a_treated_microneedling_visit_has_a_record() {
        use AppointmentStatus::*;
        assert!(refusal(Service::Microneedling, CheckedIn).is_none());
        assert!(refusal(Service::Microneedling, Completed).is_none());
        for s in [Booked, NoShow, Cancelled] {
            assert!(refusal(Service::Microneedling, s).is_some());
        }
        assert!(refusal(Service::SkinConsultation, Completed).is_some());
    }
}

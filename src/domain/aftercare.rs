//! The aftercare check-in, in one place: what in a client's answers is a warning sign (and
//! so an alert to a clinician), and when a second answer is worse than the first. Pure.
//!
//! Source: `shared/domain/CLINICAL.md`, "After a session". Normal: skin pink or red, warm and
//! tight for 24–48 h; redness, swelling and tenderness clear in 2–3 days (Minutilli 2024);
//! transient effects up to 7 days (Chu 2021). Call the clinic for: increasing pain or swelling
//! after day 2, pus, fever, spreading redness or warmth, blisters, a cold-sore outbreak.
//!
//! The rule (days are local calendar days in the clinic's zone after the visit's day; the
//! visit's day is day 0):
//! - pus or fever: a warning sign on any day;
//! - blisters or a cold sore: a warning sign on any day;
//! - strong redness: a warning sign on any day (the form offers none / mild / strong; redness
//!   a client calls strong is beyond the "pink or red" the source calls normal, and spreading
//!   redness is a sign: the clinic would rather call once too often). Mild redness is normal;
//! - pain that gets worse: a warning sign from day 2 on (tenderness in the first two days is
//!   normal; "increasing pain after day 2" is the sign);
//! - swelling: a warning sign from day 3 on (slight swelling clears within 2–3 days; still
//!   swollen on day 3, or swelling increasing after day 2, is the sign).

use serde::{Deserialize, Serialize};

/// How red the treated skin is (the client's own word).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    sea_orm::EnumIter,
    sea_orm::DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum Redness {
    None,
    Mild,
    Strong,
}

/// The answers of one check-in (the free text is not part of the rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answers {
    pub redness: Redness,
    pub swelling: bool,
    pub pain_increasing: bool,
    pub pus_or_fever: bool,
    pub blisters_or_cold_sore: bool,
}

/// One warning sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sign {
    PusOrFever,
    BlistersOrColdSore,
    StrongRedness,
    PainIncreasing,
    Swelling,
}

/// Where an alert stands: open until a clinician acknowledges it with a note; an open alert
/// whose visit got a worse answer is superseded by the new alert (so one visit has at most one
/// open alert).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    sea_orm::EnumIter,
    sea_orm::DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum AlertStatus {
    Open,
    Acknowledged,
    Superseded,
}

/// From this day after the visit, pain that gets worse is a warning sign.
pub const PAIN_FROM_DAY: i64 = 2;
/// From this day after the visit, swelling is a warning sign.
pub const SWELLING_FROM_DAY: i64 = 3;

/// The warning signs in `a`, answered `day` local days after the visit's day (0 = that day).
pub fn warning_signs(a: &Answers, day: i64) -> Vec<Sign> {
    let mut out = Vec::new();
    if a.pus_or_fever {
        out.push(Sign::PusOrFever);
    }
    if a.blisters_or_cold_sore {
        out.push(Sign::BlistersOrColdSore);
    }
    if a.redness == Redness::Strong {
        out.push(Sign::StrongRedness);
    }
    if a.pain_increasing && day >= PAIN_FROM_DAY {
        out.push(Sign::PainIncreasing);
    }
    if a.swelling && day >= SWELLING_FROM_DAY {
        out.push(Sign::Swelling);
    }
    out
}

/// Whether an answer with signs `new` is worse than the earlier one with signs `old`: it shows
/// a warning sign the earlier did not. The same signs, or fewer, are not worse (no new alert);
/// the first answer is compared with no signs, so any sign alerts.
pub fn is_worse(new: &[Sign], old: &[Sign]) -> bool {
    new.iter().any(|s| !old.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normal() -> Answers {
        Answers {
            redness: Redness::Mild,
            swelling: false,
            pain_increasing: false,
            pus_or_fever: false,
            blisters_or_cold_sore: false,
        }
    }

    #[test]
    fn mild_redness_and_early_swelling_or_pain_are_normal() {
        assert!(warning_signs(&normal(), 1).is_empty());
        let early = Answers {
            swelling: true,
            pain_increasing: true,
            ..normal()
        };
        assert!(warning_signs(&early, 1).is_empty());
        assert_eq!(warning_signs(&early, 2), [Sign::PainIncreasing]);
        assert_eq!(
            warning_signs(&early, 3),
            [Sign::PainIncreasing, Sign::Swelling]
        );
    }

    #[test]
    fn some_signs_count_on_any_day() {
        for (a, sign) in [
            (
                Answers {
                    pus_or_fever: true,
                    ..normal()
                },
                Sign::PusOrFever,
            ),
            (
                Answers {
                    blisters_or_cold_sore: true,
                    ..normal()
                },
                Sign::BlistersOrColdSore,
            ),
            (
                Answers {
                    redness: Redness::Strong,
                    ..normal()
                },
                Sign::StrongRedness,
            ),
        ] {
            assert_eq!(warning_signs(&a, 0), [sign]);
        }
    }

    #[test]
    fn worse_means_a_new_sign() {
        use Sign::*;
        assert!(is_worse(&[StrongRedness], &[]));
        assert!(is_worse(&[StrongRedness, PusOrFever], &[StrongRedness]));
        assert!(!is_worse(&[StrongRedness], &[StrongRedness]));
        assert!(!is_worse(&[], &[StrongRedness]));
        assert!(!is_worse(&[PusOrFever], &[PusOrFever, Swelling]));
        assert!(!is_worse(&[], &[]));
    }
}

//! The health screening: the questionnaire as data and the one rule that turns answers into an
//! outcome (the worst answer wins). Answers are health data: this module never logs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a screening allows.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    sea_orm::EnumIter,
    sea_orm::DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text", rename_all = "snake_case")]
pub enum Outcome {
    /// May book microneedling.
    Eligible,
    /// A clinician must clear the client first.
    NeedsReview,
    /// Must not be treated.
    Contraindicated,
}

impl Outcome {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Eligible => "eligible",
            Outcome::NeedsReview => "needs_review",
            Outcome::Contraindicated => "contraindicated",
        }
    }
}

/// One yes/no question.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    /// Stable id, part of the API contract.
    pub id: &'static str,
    /// Shown to the client.
    pub text: &'static str,
    /// What a "yes" means.
    pub outcome_if_yes: Outcome,
    /// Told to the client when they answered "yes".
    pub message: &'static str,
    /// Where the rule comes from.
    pub source: &'static str,
}

/// A versioned questionnaire.
#[derive(Debug)]
pub struct Questionnaire {
    /// Stored with every screening so old answers stay interpretable.
    pub version: &'static str,
    /// The questions, in display order.
    pub questions: &'static [Question],
}

const SEED: &str = "clinic treatment page (shared/domain/microneedling-seed.txt)";

/// The questionnaire in force.
pub static CURRENT: Questionnaire = Questionnaire {
    version: "2026-11-1",
    questions: &[
        Question {
            id: "pregnant",
            text: "Are you pregnant (or could you be)?",
            outcome_if_yes: Outcome::Contraindicated,
            message: "Microneedling is not performed during pregnancy. We are happy to see you afterwards.",
            source: SEED,
        },
        Question {
            id: "active_skin_infection",
            text: "Do you currently have a skin infection in the area, including herpes / cold sores?",
            outcome_if_yes: Outcome::Contraindicated,
            message: "An active skin infection (including cold sores) must heal completely before microneedling.",
            source: SEED,
        },
        Question {
            id: "blood_clotting_disorder",
            text: "Do you have a blood clotting disorder?",
            outcome_if_yes: Outcome::Contraindicated,
            message: "Microneedling is not suitable with a blood clotting disorder.",
            source: SEED,
        },
        Question {
            id: "blood_thinning_medication",
            text: "Do you take blood-thinning medication?",
            outcome_if_yes: Outcome::Contraindicated,
            message: "Microneedling is not suitable while you take blood-thinning medication. Do not stop a prescribed medication on your own.",
            source: SEED,
        },
        Question {
            id: "active_inflammatory_acne",
            text: "Do you have severe, active inflammatory acne in the area?",
            outcome_if_yes: Outcome::Contraindicated,
            message: "Active inflammatory acne must be treated and calm before microneedling; a skin consultation can help.",
            source: SEED,
        },
        Question {
            id: "sensitive_skin_or_rosacea",
            text: "Do you have very sensitive skin or rosacea?",
            outcome_if_yes: Outcome::NeedsReview,
            message: "With very sensitive skin or rosacea a clinician (dermatologist) reviews your answers before you can book.",
            source: SEED,
        },
    ],
};

/// A "yes" that shapes the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reason {
    /// The question id.
    pub question: String,
    /// What this answer alone means.
    pub outcome: Outcome,
    /// Explanation for the client.
    pub message: String,
}

/// Why a set of answers cannot be evaluated; keyed by the field that is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerErrors(pub BTreeMap<String, String>);

/// The checked answers: every question of the questionnaire answered true or false.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers(BTreeMap<String, bool>);

impl Answers {
    /// The answers, by question id.
    pub fn as_map(&self) -> &BTreeMap<String, bool> {
        &self.0
    }
}

/// The result of a screening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
}

impl Questionnaire {
    /// Checks raw JSON answers: each question must be present and a boolean; no unknown ids.
    pub fn parse_answers(
        &self,
        raw: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Answers, AnswerErrors> {
        let mut errors = BTreeMap::new();
        let mut answers = BTreeMap::new();
        for q in self.questions {
            match raw.get(q.id) {
                None | Some(serde_json::Value::Null) => {
                    errors.insert(
                        format!("answers.{}", q.id),
                        "must be answered true or false".to_owned(),
                    );
                }
                Some(serde_json::Value::Bool(b)) => {
                    answers.insert(q.id.to_owned(), *b);
                }
                Some(_) => {
                    errors.insert(
                        format!("answers.{}", q.id),
                        "must be true or false".to_owned(),
                    );
                }
            }
        }
        for key in raw.keys() {
            if !self.questions.iter().any(|q| q.id == key) {
                errors.insert(
                    format!("answers.{key}"),
                    "is not a question of this questionnaire".to_owned(),
                );
            }
        }
        if errors.is_empty() {
            Ok(Answers(answers))
        } else {
            Err(AnswerErrors(errors))
        }
    }

    /// The outcome: the worst outcome of any "yes", `eligible` when there is none.
    pub fn evaluate(&self, answers: &Answers) -> Evaluation {
        let reasons: Vec<Reason> = self
            .questions
            .iter()
            .filter(|q| answers.0.get(q.id).copied().unwrap_or(false))
            .map(|q| Reason {
                question: q.id.to_owned(),
                outcome: q.outcome_if_yes,
                message: q.message.to_owned(),
            })
            .collect();
        let outcome = reasons
            .iter()
            .map(|r| r.outcome)
            .max()
            .unwrap_or(Outcome::Eligible);
        Evaluation { outcome, reasons }
    }
}

/// A clinician's decision on a `needs_review` screening.
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
pub enum ReviewDecision {
    Approve,
    Reject,
}

impl ReviewDecision {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewDecision::Approve => "approve",
            ReviewDecision::Reject => "reject",
        }
    }
}

/// Whether a screening lets its client book a screened service: the one place of this rule.
pub fn allows_booking(
    outcome: Outcome,
    review: Option<ReviewDecision>,
    valid_until: jiff::Timestamp,
    now: jiff::Timestamp,
) -> bool {
    let cleared = match outcome {
        Outcome::Eligible => true,
        Outcome::NeedsReview => review == Some(ReviewDecision::Approve),
        Outcome::Contraindicated => false,
    };
    cleared && now < valid_until
}

/// Where a visit stands with the health re-confirmation that a repeat session needs before
/// check-in (what the desk's calendar shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReconfirmationState {
    /// A first session (or single visit) with no re-confirmation: none is asked for.
    NotNeeded,
    /// A repeat session nobody re-confirmed yet: the client (manage page) or the desk must.
    Missing,
    /// Re-confirmed with an answer a clinician must review first.
    NeedsReview,
    /// Re-confirmed eligible, or approved by a clinician.
    Passed,
    /// A clinician did not clear the re-confirmation.
    Rejected,
    /// The re-confirmation rules the treatment out (the visit is cancelled).
    Contraindicated,
}

/// The state of a visit's re-confirmation: the one place of this rule. A booked microneedling
/// session after the first of a course needs one (a visit no longer booked waits for nothing);
/// `reconfirmation` is the visit's latest (outcome and a clinician's decision), which counts
/// whatever the session number.
pub fn reconfirmation_state(
    service: super::service::Service,
    status: super::status::AppointmentStatus,
    session_number: u32,
    reconfirmation: Option<(Outcome, Option<ReviewDecision>)>,
) -> ReconfirmationState {
    use ReconfirmationState as S;
    let booked = status == super::status::AppointmentStatus::Booked;
    match reconfirmation {
        None if booked && is_repeat_session(service, session_number) => S::Missing,
        None => S::NotNeeded,
        Some((Outcome::Eligible, _)) => S::Passed,
        Some((Outcome::NeedsReview, Some(ReviewDecision::Approve))) => S::Passed,
        Some((Outcome::NeedsReview, Some(ReviewDecision::Reject))) => S::Rejected,
        Some((Outcome::NeedsReview, None)) => S::NeedsReview,
        Some((Outcome::Contraindicated, _)) => S::Contraindicated,
    }
}

/// Why a visit may not be checked in yet because of its re-confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckInHold {
    /// A repeat session with no re-confirmation: ask the questions first.
    Missing,
    /// Any other hold, with the sentence for the desk.
    Blocked(&'static str),
}

impl CheckInHold {
    /// The sentence for the person at the desk.
    pub fn message(self) -> &'static str {
        match self {
            CheckInHold::Missing => {
                "this repeat session needs the client's health answers confirmed again first: record them at the desk (re-confirm), then check in"
            }
            CheckInHold::Blocked(m) => m,
        }
    }
}

/// Whether a visit may be checked in, given its re-confirmation state
/// ([`reconfirmation_state`]): the one place of this rule. A repeat session needs a
/// re-confirmation (the client's or one recorded at the desk); one that needs review waits
/// for a clinician's approval; a contraindication (the visit is cancelled anyway) never passes.
pub fn clears_check_in(state: ReconfirmationState) -> Result<(), CheckInHold> {
    use ReconfirmationState as S;
    match state {
        S::NotNeeded | S::Passed => Ok(()),
        S::Missing => Err(CheckInHold::Missing),
        S::Rejected => Err(CheckInHold::Blocked(
            "a clinician did not clear the client's re-confirmation",
        )),
        S::NeedsReview => Err(CheckInHold::Blocked(
            "the client's re-confirmation awaits a clinician's review",
        )),
        S::Contraindicated => Err(CheckInHold::Blocked(
            "the client's re-confirmation rules the treatment out",
        )),
    }
}

/// Whether the client is asked to confirm the health answers again before this visit: a booked
/// microneedling repeat session (the first session was booked on a fresh screening) that has
/// not been re-confirmed yet. The `prep` email asks for it; the manage page offers it.
pub fn needs_reconfirmation(
    service: super::service::Service,
    status: super::status::AppointmentStatus,
    session_number: u32,
    reconfirmed: bool,
) -> bool {
    is_repeat_session(service, session_number)
        && status == super::status::AppointmentStatus::Booked
        && !reconfirmed
}

/// A microneedling session after the first of its course: the health answers are confirmed
/// again before it (the first was booked on a fresh screening).
fn is_repeat_session(service: super::service::Service, session_number: u32) -> bool {
    service == super::service::Service::Microneedling && session_number > 1
}

/// The skin concerns a client may name (the treatment's indications).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Concern {
    AcneScars,
    StretchMarks,
    Pigmentation,
    FineLines,
    LargePores,
    UnevenTexture,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value, json};

    fn all(value: bool) -> Map<String, Value> {
        CURRENT
            .questions
            .iter()
            .map(|q| (q.id.to_owned(), Value::Bool(value)))
            .collect()
    }

    #[test]
    fn all_no_is_eligible() {
        let a = CURRENT.parse_answers(&all(false)).unwrap();
        assert_eq!(
            CURRENT.evaluate(&a),
            Evaluation {
                outcome: Outcome::Eligible,
                reasons: vec![]
            }
        );
    }

    #[test]
    fn each_question_alone_gives_its_outcome() {
        for q in CURRENT.questions {
            let mut raw = all(false);
            raw.insert(q.id.to_owned(), Value::Bool(true));
            let e = CURRENT.evaluate(&CURRENT.parse_answers(&raw).unwrap());
            assert_eq!(e.outcome, q.outcome_if_yes, "{}", q.id);
            assert_eq!(e.reasons.len(), 1);
            assert_eq!(e.reasons[0].question, q.id);
        }
    }

    #[test]
    fn worst_answer_wins() {
        let mut raw = all(false);
        raw.insert("sensitive_skin_or_rosacea".into(), json!(true));
        raw.insert("pregnant".into(), json!(true));
        let e = CURRENT.evaluate(&CURRENT.parse_answers(&raw).unwrap());
        assert_eq!(e.outcome, Outcome::Contraindicated);
        assert_eq!(e.reasons.len(), 2);
    }

    #[test]
    fn missing_null_string_and_unknown_answers_are_named() {
        let mut raw = all(false);
        raw.remove("pregnant");
        raw.insert("blood_clotting_disorder".into(), json!("no"));
        raw.insert("active_skin_infection".into(), Value::Null);
        raw.insert("favourite_colour".into(), json!(true));
        let err = CURRENT.parse_answers(&raw).unwrap_err();
        let keys: Vec<_> = err.0.keys().cloned().collect();
        assert_eq!(
            keys,
            [
                "answers.active_skin_infection",
                "answers.blood_clotting_disorder",
                "answers.favourite_colour",
                "answers.pregnant"
            ]
        );
    }

    #[test]
    fn booking_needs_clearance_and_time() {
        let now = jiff::Timestamp::from_second(1_000_000).unwrap();
        let later = jiff::Timestamp::from_second(2_000_000).unwrap();
        assert!(allows_booking(Outcome::Eligible, None, later, now));
        assert!(!allows_booking(Outcome::Eligible, None, now, now));
        assert!(!allows_booking(Outcome::NeedsReview, None, later, now));
        assert!(allows_booking(
            Outcome::NeedsReview,
            Some(ReviewDecision::Approve),
            later,
            now
        ));
        assert!(!allows_booking(
            Outcome::NeedsReview,
            Some(ReviewDecision::Reject),
            later,
            now
        ));
        assert!(!allows_booking(
            Outcome::Contraindicated,
            Some(ReviewDecision::Approve),
            later,
            now
        ));
    }

    #[test]
    fn check_in_waits_for_a_cleared_reconfirmation() {
        use super::super::{service::Service, status::AppointmentStatus::*};
        use Outcome::*;
        use ReviewDecision::*;
        // (repeat session, re-confirmation, state, may check in)
        let cases = [
            (false, None, ReconfirmationState::NotNeeded, true),
            (true, None, ReconfirmationState::Missing, false),
            (
                true,
                Some((Eligible, None)),
                ReconfirmationState::Passed,
                true,
            ),
            (
                false,
                Some((Eligible, None)),
                ReconfirmationState::Passed,
                true,
            ),
            (
                true,
                Some((NeedsReview, None)),
                ReconfirmationState::NeedsReview,
                false,
            ),
            (
                false,
                Some((NeedsReview, None)),
                ReconfirmationState::NeedsReview,
                false,
            ),
            (
                true,
                Some((NeedsReview, Some(Approve))),
                ReconfirmationState::Passed,
                true,
            ),
            (
                true,
                Some((NeedsReview, Some(Reject))),
                ReconfirmationState::Rejected,
                false,
            ),
            (
                true,
                Some((Contraindicated, None)),
                ReconfirmationState::Contraindicated,
                false,
            ),
            (
                true,
                Some((Contraindicated, Some(Approve))),
                ReconfirmationState::Contraindicated,
                false,
            ),
        ];
        for (repeat, reconfirmation, state, passes) in cases {
            let session = if repeat { 2 } else { 1 };
            let got = reconfirmation_state(Service::Microneedling, Booked, session, reconfirmation);
            assert_eq!(got, state, "{repeat} {reconfirmation:?}");
            assert_eq!(
                clears_check_in(got).is_ok(),
                passes,
                "{repeat} {reconfirmation:?}"
            );
        }
        assert_eq!(
            clears_check_in(ReconfirmationState::Missing),
            Err(CheckInHold::Missing)
        );
        // Only microneedling books courses; a consultation never waits for one.
        assert_eq!(
            reconfirmation_state(Service::SkinConsultation, Booked, 2, None),
            ReconfirmationState::NotNeeded
        );
        // A visit no longer booked (checked in, completed, cancelled) waits for nothing.
        for status in [CheckedIn, Completed, Cancelled, NoShow] {
            assert_eq!(
                reconfirmation_state(Service::Microneedling, status, 2, None),
                ReconfirmationState::NotNeeded
            );
        }
    }
}

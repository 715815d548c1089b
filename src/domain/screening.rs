//! The health screening: the questionnaire as data and the one rule that turns answers into an
//! outcome (the worst answer wins). Answers are health data: this module never logs.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::time::{date_words, parse_date};

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

/// A questionnaire's version: stored with every screening (a closed set the schema checks), so
/// old answers stay interpretable and a stored screening keeps the rules it was answered under.
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
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum QuestionnaireVersion {
    /// The six seed questions (yes/no).
    #[serde(rename = "2026-11-1")]
    #[sea_orm(string_value = "2026-11-1")]
    V1,
    /// Version 1 plus the contraindications of the device instructions and the literature,
    /// with dated answers.
    #[serde(rename = "2026-11-2")]
    #[sea_orm(string_value = "2026-11-2")]
    V2,
}

impl QuestionnaireVersion {
    /// The stored and shown text.
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionnaireVersion::V1 => "2026-11-1",
            QuestionnaireVersion::V2 => "2026-11-2",
        }
    }

    /// The questionnaire of this version.
    pub fn questionnaire(self) -> &'static Questionnaire {
        match self {
            QuestionnaireVersion::V1 => &V1,
            QuestionnaireVersion::V2 => &V2,
        }
    }
}

/// How a question is answered (the API's `"answer"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    /// `true` or `false`.
    YesNo,
    /// `false`, or the local date (`YYYY-MM-DD`, not in the future) the question asks for.
    Date,
}

/// How long a dated answer keeps the client from a first treatment; each is a setting
/// (`screening.*`, see [`ScreeningRules`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// `screening.isotretinoin_wait_months` after the last dose.
    Isotretinoin,
    /// `screening.injectables_wait` after fillers or botulinum toxin in the area.
    Injectables,
    /// `screening.resurfacing_wait` after laser or a chemical peel in the area.
    Resurfacing,
}

/// What a "yes" tells the desk beyond the outcome (stored with the screening).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// An allergy to local anaesthetics: numbing cream cannot be chosen.
    NoNumbingCream,
    /// A history of cold sores: the desk sees it, the prep email asks about antiviral cover.
    ColdSoreHistory,
}

/// What an answer means.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// Answered true or false; a "yes" gives this outcome (and sets the flag, if any).
    YesNo {
        outcome_if_yes: Outcome,
        flag: Option<Flag>,
    },
    /// Answered `false` or with the date of the last exposure: eligible from that date plus
    /// the wait (a later date than today makes `eligible_from`).
    Date(Wait),
}

/// One question.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    /// Stable id, part of the API contract.
    pub id: &'static str,
    /// Shown to the client; `{wait}` stands for the question's wait in words.
    pub text: &'static str,
    /// How it is answered and what a "yes" (or a date) means.
    pub rule: Rule,
    /// Told to the client when the answer shapes the outcome; `{wait}` and `{date}` (the first
    /// day a treatment may take place, in words) are filled in.
    pub message: &'static str,
    /// Where the rule comes from (shared/domain/CLINICAL.md names the sources).
    pub source: &'static str,
}

impl Question {
    /// How the question is answered.
    pub fn answer_kind(&self) -> AnswerKind {
        match self.rule {
            Rule::YesNo { .. } => AnswerKind::YesNo,
            Rule::Date(_) => AnswerKind::Date,
        }
    }

    /// The outcome of a "yes" (a dated answer leaves the client eligible, from a later date).
    pub fn outcome_if_yes(&self) -> Outcome {
        match self.rule {
            Rule::YesNo { outcome_if_yes, .. } => outcome_if_yes,
            Rule::Date(_) => Outcome::Eligible,
        }
    }

    /// The text shown to the client, with the configured wait.
    pub fn text(&self, rules: &ScreeningRules) -> String {
        match self.rule {
            Rule::Date(wait) => self.text.replace("{wait}", &rules.wait_words(wait)),
            Rule::YesNo { .. } => self.text.to_owned(),
        }
    }
}

/// A versioned questionnaire.
#[derive(Debug)]
pub struct Questionnaire {
    /// Stored with every screening so old answers stay interpretable.
    pub version: QuestionnaireVersion,
    /// The questions, in display order.
    pub questions: &'static [Question],
}

const SEED: &str = "clinic treatment page (shared/domain/microneedling-seed.txt)";
const SKINPEN: &str = "SkinPen instructions for use, contraindications (shared/domain/CLINICAL.md)";
const ISOTRETINOIN: &str = "SkinPen instructions for use (current isotretinoin) and the isotretinoin \
     label: stop 6 months before cosmetic procedures (shared/domain/CLINICAL.md); the wait is \
     screening.isotretinoin_wait_months";
const MINUTILLI: &str =
    "Minutilli et al. 2024 review: review rather than block (shared/domain/CLINICAL.md)";
const COLD_SORES: &str = "Minutilli et al. 2024 review: with a history of cold sores antiviral \
     cover may be advised (shared/domain/CLINICAL.md, before a session)";
const RECENT: &str = "clinic protocol: no microneedling over fresh fillers, botulinum toxin, \
     laser or peels; not in shared/domain/CLINICAL.md, the waits (screening.injectables_wait, \
     screening.resurfacing_wait) are for the clinic's clinician to confirm";

/// The six seed questions (version 1 and the start of every later version).
const SEED_QUESTIONS: [Question; 6] = [
    Question {
        id: "pregnant",
        text: "Are you pregnant (or could you be)?",
        rule: Rule::YesNo {
            outcome_if_yes: Outcome::Contraindicated,
            flag: None,
        },
        message: "Microneedling is not performed during pregnancy. We are happy to see you afterwards.",
        source: SEED,
    },
    Question {
        id: "active_skin_infection",
        text: "Do you currently have a skin infection in the area, including herpes / cold sores?",
        rule: Rule::YesNo {
            outcome_if_yes: Outcome::Contraindicated,
            flag: None,
        },
        message: "An active skin infection (including cold sores) must heal completely before microneedling.",
        source: SEED,
    },
    Question {
        id: "blood_clotting_disorder",
        text: "Do you have a blood clotting disorder?",
        rule: Rule::YesNo {
            outcome_if_yes: Outcome::Contraindicated,
            flag: None,
        },
        message: "Microneedling is not suitable with a blood clotting disorder.",
        source: SEED,
    },
    Question {
        id: "blood_thinning_medication",
        text: "Do you take blood-thinning medication?",
        rule: Rule::YesNo {
            outcome_if_yes: Outcome::Contraindicated,
            flag: None,
        },
        message: "Microneedling is not suitable while you take blood-thinning medication. Do not stop a prescribed medication on your own.",
        source: SEED,
    },
    Question {
        id: "active_inflammatory_acne",
        text: "Do you have severe, active inflammatory acne in the area?",
        rule: Rule::YesNo {
            outcome_if_yes: Outcome::Contraindicated,
            flag: None,
        },
        message: "Active inflammatory acne must be treated and calm before microneedling; a skin consultation can help.",
        source: SEED,
    },
    Question {
        id: "sensitive_skin_or_rosacea",
        text: "Do you have very sensitive skin or rosacea?",
        rule: Rule::YesNo {
            outcome_if_yes: Outcome::NeedsReview,
            flag: None,
        },
        message: "With very sensitive skin or rosacea a clinician (dermatologist) reviews your answers before you can book.",
        source: SEED,
    },
];

/// Version 1: the seed questions.
pub static V1: Questionnaire = Questionnaire {
    version: QuestionnaireVersion::V1,
    questions: &SEED_QUESTIONS,
};

/// Version 2: the seed questions, then the added ones.
pub static V2: Questionnaire = Questionnaire {
    version: QuestionnaireVersion::V2,
    questions: &[
        SEED_QUESTIONS[0],
        SEED_QUESTIONS[1],
        SEED_QUESTIONS[2],
        SEED_QUESTIONS[3],
        SEED_QUESTIONS[4],
        SEED_QUESTIONS[5],
        Question {
            id: "breastfeeding",
            text: "Are you breastfeeding (nursing)?",
            rule: Rule::YesNo {
                outcome_if_yes: Outcome::Contraindicated,
                flag: None,
            },
            message: "Microneedling is not performed while you are breastfeeding. We are happy to see you afterwards.",
            source: SKINPEN,
        },
        Question {
            id: "isotretinoin_last_dose",
            text: "Have you taken isotretinoin (e.g. Roaccutane) in the last {wait}? If so, when was your last dose?",
            rule: Rule::Date(Wait::Isotretinoin),
            message: "After isotretinoin (e.g. Roaccutane) the skin needs {wait} to recover before microneedling. You can have a first treatment from {date}.",
            source: ISOTRETINOIN,
        },
        Question {
            id: "skin_cancer_or_changing_mole",
            text: "Do you have active skin cancer, or a mole that is changing, in the area to be treated?",
            rule: Rule::YesNo {
                outcome_if_yes: Outcome::Contraindicated,
                flag: None,
            },
            message: "Microneedling is not performed over skin cancer or a changing mole. Please have it checked by a dermatologist.",
            source: SKINPEN,
        },
        Question {
            id: "open_wounds_or_irritated_skin",
            text: "Do you have open wounds, sunburn or irritated skin in the area to be treated?",
            rule: Rule::YesNo {
                outcome_if_yes: Outcome::Contraindicated,
                flag: None,
            },
            message: "Open wounds, sunburn or irritated skin must heal completely before microneedling. Once your skin has healed, please answer the health questions again to book.",
            source: SKINPEN,
        },
        Question {
            id: "keloid_tendency",
            text: "Do you tend to form keloids or raised scars?",
            rule: Rule::YesNo {
                outcome_if_yes: Outcome::NeedsReview,
                flag: None,
            },
            message: "With a tendency to keloids or raised scars a clinician reviews your answers before you can book.",
            source: MINUTILLI,
        },
        Question {
            id: "weakened_immune_system",
            text: "Is your immune system weakened (by an illness or by medication)?",
            rule: Rule::YesNo {
                outcome_if_yes: Outcome::NeedsReview,
                flag: None,
            },
            message: "With a weakened immune system a clinician reviews your answers before you can book.",
            source: MINUTILLI,
        },
        Question {
            id: "local_anaesthetic_allergy",
            text: "Are you allergic to local anaesthetics (numbing cream)?",
            rule: Rule::YesNo {
                outcome_if_yes: Outcome::Eligible,
                flag: Some(Flag::NoNumbingCream),
            },
            message: "Because of your allergy to local anaesthetics, the treatment is done without numbing cream.",
            source: SKINPEN,
        },
        Question {
            id: "cold_sore_history",
            text: "Have you ever had cold sores (herpes simplex)?",
            rule: Rule::YesNo {
                outcome_if_yes: Outcome::Eligible,
                flag: Some(Flag::ColdSoreHistory),
            },
            message: "With a history of cold sores, antiviral cover may be advised before microneedling: please ask your doctor, and tell us at your visit.",
            source: COLD_SORES,
        },
        Question {
            id: "recent_filler_or_botulinum_toxin",
            text: "Have you had fillers or botulinum toxin (e.g. Botox) in the area in the last {wait}? If so, when?",
            rule: Rule::Date(Wait::Injectables),
            message: "After fillers or botulinum toxin the area needs {wait} before microneedling. You can have a first treatment from {date}.",
            source: RECENT,
        },
        Question {
            id: "recent_laser_or_peel",
            text: "Have you had a laser treatment or a chemical peel in the area in the last {wait}? If so, when?",
            rule: Rule::Date(Wait::Resurfacing),
            message: "After a laser treatment or a chemical peel the skin needs {wait} before microneedling. You can have a first treatment from {date}.",
            source: RECENT,
        },
    ],
};

/// The questionnaire in force (what `GET /api/v1/screening/questions` lists).
pub static CURRENT: &Questionnaire = &V2;

/// The waits of the dated answers, from the settings (`screening.*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreeningRules {
    /// `screening.isotretinoin_wait_months` (default 6).
    pub isotretinoin_wait_months: u32,
    /// `screening.injectables_wait` in whole days (default 14).
    pub injectables_wait_days: u32,
    /// `screening.resurfacing_wait` in whole days (default 28).
    pub resurfacing_wait_days: u32,
}

impl Default for ScreeningRules {
    fn default() -> Self {
        Self {
            isotretinoin_wait_months: 6,
            injectables_wait_days: 14,
            resurfacing_wait_days: 28,
        }
    }
}

impl ScreeningRules {
    /// The first local day a treatment may take place after an exposure on `last`: exactly
    /// the wait later (a month-end clamps: 31 August + 6 months is 28/29 February).
    pub fn eligible_from(&self, wait: Wait, last: Date) -> Option<Date> {
        let span = match wait {
            Wait::Isotretinoin => jiff::Span::new().try_months(self.isotretinoin_wait_months),
            Wait::Injectables => jiff::Span::new().try_days(self.injectables_wait_days),
            Wait::Resurfacing => jiff::Span::new().try_days(self.resurfacing_wait_days),
        }
        .ok()?;
        last.checked_add(span).ok()
    }

    /// The wait in words ("6 months", "2 weeks", "10 days").
    pub fn wait_words(&self, wait: Wait) -> String {
        let plural = |n: u32, one: &str, many: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {many}")
            }
        };
        let days = |d: u32| {
            if d.is_multiple_of(7) {
                plural(d / 7, "week", "weeks")
            } else {
                plural(d, "day", "days")
            }
        };
        match wait {
            Wait::Isotretinoin => plural(self.isotretinoin_wait_months, "month", "months"),
            Wait::Injectables => days(self.injectables_wait_days),
            Wait::Resurfacing => days(self.resurfacing_wait_days),
        }
    }
}

/// One answer: yes/no, or the date a dated question asks for (stored as given: `false`,
/// `true`, or `"YYYY-MM-DD"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    YesNo(bool),
    Date(Date),
}

/// An answer that shapes the outcome (a "yes", or a date that makes a later first day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reason {
    /// The question id.
    pub question: String,
    /// What this answer alone means.
    pub outcome: Outcome,
    /// Explanation for the client (names the date when there is one).
    pub message: String,
    /// The first local day (`YYYY-MM-DD`, clinic zone) a treatment may take place because of
    /// this answer; null when the answer sets none.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, example = "2027-05-14")]
    pub eligible_from: Option<Date>,
}

/// Why a set of answers cannot be evaluated; keyed by the field that is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerErrors(pub BTreeMap<String, String>);

/// The checked answers: every question of the questionnaire answered as it asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers(BTreeMap<String, Answer>);

impl Answers {
    /// The answers, by question id.
    pub fn as_map(&self) -> &BTreeMap<String, Answer> {
        &self.0
    }
}

/// What the desk must know beyond the outcome (stored with the screening).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    /// Numbing cream cannot be chosen (allergy to local anaesthetics).
    pub no_numbing_cream: bool,
    /// A history of cold sores (antiviral cover may be advised).
    pub cold_sore_history: bool,
}

/// The result of a screening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    /// The latest first day any answer allows; None when no answer sets one.
    pub eligible_from: Option<Date>,
    pub flags: Flags,
}

impl Questionnaire {
    /// Checks raw JSON answers: each question present and answered as it asks (true/false, or
    /// false / a local date that is not after `today`); no unknown ids. An answer set of
    /// another version is refused naming each missing or unknown id.
    pub fn parse_answers(
        &self,
        raw: &serde_json::Map<String, serde_json::Value>,
        today: Date,
    ) -> Result<Answers, AnswerErrors> {
        use serde_json::Value;
        let mut errors = BTreeMap::new();
        let mut answers = BTreeMap::new();
        for q in self.questions {
            let field = format!("answers.{}", q.id);
            let value = raw.get(q.id);
            let result = match (q.answer_kind(), value) {
                (AnswerKind::YesNo, None | Some(Value::Null)) => {
                    Err("must be answered true or false".to_owned())
                }
                (AnswerKind::YesNo, Some(Value::Bool(b))) => Ok(Answer::YesNo(*b)),
                (AnswerKind::YesNo, Some(_)) => Err("must be true or false".to_owned()),
                (AnswerKind::Date, None | Some(Value::Null)) => {
                    Err("must be answered false or with a date YYYY-MM-DD".to_owned())
                }
                (AnswerKind::Date, Some(Value::Bool(false))) => Ok(Answer::YesNo(false)),
                (AnswerKind::Date, Some(Value::String(s))) => match parse_date(s) {
                    Ok(d) if d > today => Err(format!(
                        "must not be a future date (today is {today} in the clinic's zone)"
                    )),
                    Ok(d) => Ok(Answer::Date(d)),
                    Err(_) => Err("must be false or a date YYYY-MM-DD".to_owned()),
                },
                (AnswerKind::Date, Some(_)) => {
                    Err("must be false or the date asked for (YYYY-MM-DD)".to_owned())
                }
            };
            match result {
                Ok(a) => {
                    answers.insert(q.id.to_owned(), a);
                }
                Err(e) => {
                    errors.insert(field, e);
                }
            }
        }
        for key in raw.keys() {
            if !self.questions.iter().any(|q| q.id == key) {
                errors.insert(
                    format!("answers.{key}"),
                    format!(
                        "is not a question of questionnaire version {} (see GET /api/v1/screening/questions)",
                        self.version.as_str()
                    ),
                );
            }
        }
        if errors.is_empty() {
            Ok(Answers(answers))
        } else {
            Err(AnswerErrors(errors))
        }
    }

    /// The outcome: the worst outcome of any "yes" (`eligible` when there is none);
    /// `eligible_from` the latest first day any dated answer allows, when after `today`.
    pub fn evaluate(&self, answers: &Answers, rules: &ScreeningRules, today: Date) -> Evaluation {
        let mut reasons = Vec::new();
        let mut flags = Flags::default();
        for q in self.questions {
            let answer = answers.0.get(q.id).copied();
            match (q.rule, answer) {
                (
                    Rule::YesNo {
                        outcome_if_yes,
                        flag,
                    },
                    Some(Answer::YesNo(true)),
                ) => {
                    match flag {
                        Some(Flag::NoNumbingCream) => flags.no_numbing_cream = true,
                        Some(Flag::ColdSoreHistory) => flags.cold_sore_history = true,
                        None => {}
                    }
                    reasons.push(Reason {
                        question: q.id.to_owned(),
                        outcome: outcome_if_yes,
                        message: q.message.to_owned(),
                        eligible_from: None,
                    });
                }
                (Rule::Date(wait), Some(Answer::Date(last))) => {
                    // A date so far back that the wait has passed shapes nothing.
                    if let Some(from) = rules.eligible_from(wait, last).filter(|d| *d > today) {
                        reasons.push(Reason {
                            question: q.id.to_owned(),
                            outcome: Outcome::Eligible,
                            message: q
                                .message
                                .replace("{wait}", &rules.wait_words(wait))
                                .replace("{date}", &date_words(from)),
                            eligible_from: Some(from),
                        });
                    }
                }
                _ => {}
            }
        }
        let outcome = reasons
            .iter()
            .map(|r| r.outcome)
            .max()
            .unwrap_or(Outcome::Eligible);
        let eligible_from = reasons.iter().filter_map(|r| r.eligible_from).max();
        Evaluation {
            outcome,
            reasons,
            eligible_from,
            flags,
        }
    }
}

/// The one rule of dated eligibility: a screening with `eligible_from` allows a first
/// treatment on that local day or later, never before (`Err` names the first allowed day).
/// Only a booking's first session is checked; a course's later sessions follow it.
pub fn check_first_day(eligible_from: Option<Date>, day: Date) -> Result<(), Date> {
    match eligible_from {
        Some(from) if day < from => Err(from),
        _ => Ok(()),
    }
}

/// The first local day availability may offer for `from..` on a screening with
/// `eligible_from` (the same rule as [`check_first_day`]).
pub fn first_offered_day(eligible_from: Option<Date>, from: Date) -> Date {
    match check_first_day(eligible_from, from) {
        Ok(()) => from,
        Err(first) => first,
    }
}

/// The client-facing sentence of a start before `eligible_from`.
pub fn not_eligible_message(eligible_from: Date) -> String {
    format!(
        "Because of your health answers, your first treatment can take place from {} on; please choose a day from then.",
        date_words(eligible_from)
    )
}

/// Whether numbing cream may be chosen on a screening with these flags: the one place of
/// this rule (booking and availability).
pub fn check_numbing_cream(flags: Flags, anesthesia: bool) -> Result<(), &'static str> {
    if anesthesia && flags.no_numbing_cream {
        Err(
            "numbing cream cannot be chosen: the screening reports an allergy to local anaesthetics",
        )
    } else {
        Ok(())
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
    use jiff::civil::date;
    use serde_json::{Map, Value, json};

    const TODAY: Date = date(2026, 11, 25);

    fn all(q: &Questionnaire, value: bool) -> Map<String, Value> {
        q.questions
            .iter()
            .map(|q| (q.id.to_owned(), Value::Bool(value)))
            .collect()
    }

    fn eval(raw: &Map<String, Value>) -> Evaluation {
        let a = CURRENT.parse_answers(raw, TODAY).unwrap();
        CURRENT.evaluate(&a, &ScreeningRules::default(), TODAY)
    }

    fn with(pairs: &[(&str, Value)]) -> Map<String, Value> {
        let mut raw = all(CURRENT, false);
        for (k, v) in pairs {
            raw.insert((*k).to_owned(), v.clone());
        }
        raw
    }

    #[test]
    fn all_no_is_eligible() {
        assert_eq!(
            eval(&all(CURRENT, false)),
            Evaluation {
                outcome: Outcome::Eligible,
                reasons: vec![],
                eligible_from: None,
                flags: Flags::default(),
            }
        );
    }

    #[test]
    fn version_2_keeps_the_six_seed_ids_first() {
        let ids: Vec<_> = CURRENT.questions.iter().map(|q| q.id).collect();
        assert_eq!(
            ids[..6],
            [
                "pregnant",
                "active_skin_infection",
                "blood_clotting_disorder",
                "blood_thinning_medication",
                "active_inflammatory_acne",
                "sensitive_skin_or_rosacea"
            ]
        );
        assert_eq!(V1.questions.len(), 6);
        assert_eq!(CURRENT.version, QuestionnaireVersion::V2);
        for q in CURRENT.questions {
            assert!(!q.source.is_empty(), "{} cites its source", q.id);
        }
    }

    #[test]
    fn each_yes_no_question_alone_gives_its_outcome() {
        for q in CURRENT.questions {
            if q.answer_kind() != AnswerKind::YesNo {
                continue;
            }
            let e = eval(&with(&[(q.id, json!(true))]));
            assert_eq!(e.outcome, q.outcome_if_yes(), "{}", q.id);
            assert_eq!(e.reasons.len(), 1);
            assert_eq!(e.reasons[0].question, q.id);
            assert_eq!(e.eligible_from, None);
        }
    }

    #[test]
    fn the_added_questions_mean_what_the_reference_says() {
        use Outcome::*;
        let cases = [
            ("breastfeeding", Contraindicated),
            ("skin_cancer_or_changing_mole", Contraindicated),
            ("open_wounds_or_irritated_skin", Contraindicated),
            ("keloid_tendency", NeedsReview),
            ("weakened_immune_system", NeedsReview),
            ("local_anaesthetic_allergy", Eligible),
            ("cold_sore_history", Eligible),
        ];
        for (id, outcome) in cases {
            assert_eq!(eval(&with(&[(id, json!(true))])).outcome, outcome, "{id}");
        }
        let wound = eval(&with(&[("open_wounds_or_irritated_skin", json!(true))]));
        assert!(
            wound.reasons[0]
                .message
                .contains("answer the health questions again")
        );
        let allergy = eval(&with(&[("local_anaesthetic_allergy", json!(true))]));
        assert_eq!(
            allergy.flags,
            Flags {
                no_numbing_cream: true,
                cold_sore_history: false
            }
        );
        assert!(check_numbing_cream(allergy.flags, true).is_err());
        assert!(check_numbing_cream(allergy.flags, false).is_ok());
        assert!(check_numbing_cream(Flags::default(), true).is_ok());
        let sores = eval(&with(&[("cold_sore_history", json!(true))]));
        assert!(sores.flags.cold_sore_history && !sores.flags.no_numbing_cream);
    }

    #[test]
    fn dated_answers_make_eligible_from_the_wait_later() {
        // Isotretinoin: 6 months after the last dose, eligible on that very day.
        let e = eval(&with(&[("isotretinoin_last_dose", json!("2026-10-03"))]));
        assert_eq!(e.outcome, Outcome::Eligible);
        assert_eq!(e.eligible_from, Some(date(2027, 4, 3)));
        assert_eq!(e.reasons[0].eligible_from, Some(date(2027, 4, 3)));
        assert!(
            e.reasons[0].message.contains("3 April 2027"),
            "{}",
            e.reasons[0].message
        );
        assert!(e.reasons[0].message.contains("6 months"));
        // A month end clamps.
        let r = ScreeningRules::default();
        assert_eq!(
            r.eligible_from(Wait::Isotretinoin, date(2026, 8, 31)),
            Some(date(2027, 2, 28))
        );
        // Fillers 2 weeks, laser 4 weeks: the latest date wins.
        let e = eval(&with(&[
            ("recent_filler_or_botulinum_toxin", json!("2026-11-20")),
            ("recent_laser_or_peel", json!("2026-11-10")),
        ]));
        assert_eq!(e.eligible_from, Some(date(2026, 12, 8)));
        assert_eq!(e.reasons.len(), 2);
        // A wait that ends today or earlier shapes nothing.
        let e = eval(&with(&[
            ("recent_filler_or_botulinum_toxin", json!("2026-11-11")),
            ("isotretinoin_last_dose", json!("2025-01-01")),
        ]));
        assert_eq!((e.eligible_from, e.reasons.len()), (None, 0));
        // Today is a valid answer (a first day 14 days on).
        let e = eval(&with(&[(
            "recent_filler_or_botulinum_toxin",
            json!("2026-11-25"),
        )]));
        assert_eq!(e.eligible_from, Some(date(2026, 12, 9)));
        // The worst outcome still wins, with the date kept.
        let e = eval(&with(&[
            ("recent_laser_or_peel", json!("2026-11-20")),
            ("keloid_tendency", json!(true)),
        ]));
        assert_eq!(e.outcome, Outcome::NeedsReview);
        assert_eq!(e.eligible_from, Some(date(2026, 12, 18)));
    }

    #[test]
    fn the_waits_are_settings() {
        let r = ScreeningRules {
            isotretinoin_wait_months: 1,
            injectables_wait_days: 10,
            resurfacing_wait_days: 7,
        };
        assert_eq!(r.wait_words(Wait::Isotretinoin), "1 month");
        assert_eq!(r.wait_words(Wait::Injectables), "10 days");
        assert_eq!(r.wait_words(Wait::Resurfacing), "1 week");
        assert_eq!(
            ScreeningRules::default().wait_words(Wait::Injectables),
            "2 weeks"
        );
        let q = CURRENT
            .questions
            .iter()
            .find(|q| q.id == "isotretinoin_last_dose")
            .unwrap();
        assert!(q.text(&r).contains("last 1 month?"), "{}", q.text(&r));
        let a = CURRENT
            .parse_answers(
                &with(&[("isotretinoin_last_dose", json!("2026-11-01"))]),
                TODAY,
            )
            .unwrap();
        assert_eq!(
            CURRENT.evaluate(&a, &r, TODAY).eligible_from,
            Some(date(2026, 12, 1))
        );
    }

    #[test]
    fn the_first_day_rule() {
        let from = Some(date(2026, 12, 8));
        assert_eq!(
            check_first_day(from, date(2026, 12, 7)),
            Err(date(2026, 12, 8))
        );
        assert_eq!(check_first_day(from, date(2026, 12, 8)), Ok(()));
        assert_eq!(check_first_day(None, date(2000, 1, 1)), Ok(()));
        assert_eq!(
            first_offered_day(from, date(2026, 12, 1)),
            date(2026, 12, 8)
        );
        assert_eq!(
            first_offered_day(from, date(2026, 12, 20)),
            date(2026, 12, 20)
        );
        assert!(not_eligible_message(date(2026, 12, 8)).contains("8 December 2026"));
    }

    #[test]
    fn bad_dated_answers_are_named() {
        let raw = with(&[
            ("isotretinoin_last_dose", json!(true)),
            ("recent_filler_or_botulinum_toxin", json!("2026-11-26")),
            ("recent_laser_or_peel", json!("last week")),
        ]);
        let err = CURRENT.parse_answers(&raw, TODAY).unwrap_err();
        let keys: Vec<_> = err.0.keys().cloned().collect();
        assert_eq!(
            keys,
            [
                "answers.isotretinoin_last_dose",
                "answers.recent_filler_or_botulinum_toxin",
                "answers.recent_laser_or_peel"
            ]
        );
        assert!(err.0["answers.recent_filler_or_botulinum_toxin"].contains("future"));
    }

    #[test]
    fn another_versions_answer_set_is_refused_naming_the_ids() {
        let err = CURRENT.parse_answers(&all(&V1, false), TODAY).unwrap_err();
        assert_eq!(err.0.len(), CURRENT.questions.len() - 6);
        assert!(err.0.contains_key("answers.breastfeeding"));
        let err = V1.parse_answers(&all(CURRENT, false), TODAY).unwrap_err();
        assert!(err.0["answers.breastfeeding"].contains("2026-11-1"));
    }

    #[test]
    fn stored_answers_and_reasons_read_back() {
        let a = CURRENT
            .parse_answers(
                &with(&[("recent_laser_or_peel", json!("2026-11-20"))]),
                TODAY,
            )
            .unwrap();
        let text = serde_json::to_string(&a).unwrap();
        assert!(
            text.contains("\"recent_laser_or_peel\":\"2026-11-20\""),
            "{text}"
        );
        assert_eq!(serde_json::from_str::<Answers>(&text).unwrap(), a);
        // Version 1's stored reasons have no eligible_from.
        let old: Vec<Reason> = serde_json::from_str(
            r#"[{"question":"pregnant","outcome":"contraindicated","message":"m"}]"#,
        )
        .unwrap();
        assert_eq!(old[0].eligible_from, None);
    }

    #[test]
    fn worst_answer_wins() {
        let e = eval(&with(&[
            ("sensitive_skin_or_rosacea", json!(true)),
            ("pregnant", json!(true)),
        ]));
        assert_eq!(e.outcome, Outcome::Contraindicated);
        assert_eq!(e.reasons.len(), 2);
    }

    #[test]
    fn missing_null_string_and_unknown_answers_are_named() {
        let mut raw = all(CURRENT, false);
        raw.remove("pregnant");
        raw.insert("blood_clotting_disorder".into(), json!("no"));
        raw.insert("active_skin_infection".into(), Value::Null);
        raw.insert("favourite_colour".into(), json!(true));
        let err = CURRENT.parse_answers(&raw, TODAY).unwrap_err();
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

//! Submitting a screening questionnaire; staff lists, reads (audited) and reviews.

use jiff::Timestamp;
use tracing::info;

use crate::{
    domain::{
        client::ClientDetails,
        ids::{ClientId, ScreeningId, StaffUserId},
        screening::{
            AnswerErrors, Answers, CURRENT, Concern, Evaluation, Flags, Outcome, Reason,
            ReviewDecision,
        },
        time::{from_db, sdur, to_db},
    },
    error::{ApiError, ApiResult},
    flows::audit::{self, Actor},
    state::AppState,
    store::{
        self,
        clients::NewScreening,
        entities::{client, screening},
    },
};

/// A checked screening submission.
pub struct Submission {
    pub client: ClientDetails,
    pub answers: Answers,
    pub concerns: Vec<Concern>,
}

/// The stored result.
pub struct Screened {
    pub id: ScreeningId,
    pub client_id: ClientId,
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    pub valid_until: Timestamp,
    /// The first local day a treatment may take place, when an answer sets one.
    pub eligible_from: Option<jiff::civil::Date>,
    pub flags: Flags,
}

/// Checks raw answers against the questionnaire in force: every question answered as it asks,
/// dates not after today in the clinic's zone. The screening and the manage page's
/// re-confirmation both come through here.
pub fn parse_answers(
    state: &AppState,
    raw: &serde_json::Map<String, serde_json::Value>,
) -> Result<Answers, AnswerErrors> {
    CURRENT.parse_answers(raw, state.zone().local_date(state.now()))
}

/// The outcome of checked answers today, with the configured waits (`screening.*`).
pub fn evaluate(state: &AppState, answers: &Answers) -> Evaluation {
    CURRENT.evaluate(
        answers,
        &state.screening_rules(),
        state.zone().local_date(state.now()),
    )
}

/// A new screening row of the questionnaire in force (unreviewed), for the re-confirmation.
pub fn new_row(
    id: ScreeningId,
    client_id: uuid::Uuid,
    answers: &Answers,
    eval: &Evaluation,
    now: Timestamp,
    valid_until: Timestamp,
) -> ApiResult<screening::Model> {
    Ok(screening::Model {
        id: id.0,
        client_id,
        questionnaire_version: CURRENT.version,
        answers: to_json(answers)?,
        concerns: "[]".to_owned(),
        outcome: eval.outcome,
        reasons: to_json(&eval.reasons)?,
        created_at: to_db(now),
        valid_until: to_db(valid_until),
        review_decision: None,
        review_note: None,
        reviewed_by: None,
        reviewed_at: None,
        eligible_from: eval.eligible_from.map(|d| d.to_string()),
        no_numbing_cream: eval.flags.no_numbing_cream,
        cold_sore_history: eval.flags.cold_sore_history,
    })
}

/// A stored `eligible_from` (a value that does not parse is read as none: the schema checks
/// its shape, the service writes only dates).
pub fn stored_eligible_from(raw: Option<&str>) -> Option<jiff::civil::Date> {
    raw.and_then(|d| crate::domain::time::parse_date(d).ok())
}

/// A stored screening's flags.
pub fn stored_flags(s: &screening::Model) -> Flags {
    Flags {
        no_numbing_cream: s.no_numbing_cream,
        cold_sore_history: s.cold_sore_history,
    }
}

/// What a stored screening allows of a first visit: numbing cream or not, and the first local
/// day. The rules are the domain's (`check_numbing_cream`, `check_first_day`); booking and
/// availability both ask here.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub eligible_from: Option<jiff::civil::Date>,
    pub flags: Flags,
}

impl Limits {
    /// 422 naming `anesthesia` when numbing cream is asked for and cannot be used.
    pub fn check_numbing_cream(&self, anesthesia: bool) -> ApiResult<()> {
        crate::domain::screening::check_numbing_cream(self.flags, anesthesia)
            .map_err(|m| ApiError::invalid("anesthesia", m))
    }

    /// 403 `not_eligible_until` for a first visit on a local day before `eligible_from`.
    pub fn check_first_day(&self, day: jiff::civil::Date) -> ApiResult<()> {
        crate::domain::screening::check_first_day(self.eligible_from, day).map_err(|from| {
            ApiError::NotEligibleUntil {
                message: crate::domain::screening::not_eligible_message(from),
                eligible_from: from,
            }
        })
    }

    /// The first local day availability offers for a range starting `from`.
    pub fn first_offered_day(&self, from: jiff::civil::Date) -> jiff::civil::Date {
        crate::domain::screening::first_offered_day(self.eligible_from, from)
    }
}

/// The limits of the screening `id`; 422 naming `screening_id` when there is none.
pub async fn limits(state: &AppState, id: ScreeningId) -> ApiResult<Limits> {
    let s = store::clients::find_screening(&state.db, id.0)
        .await?
        .ok_or_else(|| ApiError::invalid("screening_id", "no screening with this id"))?;
    Ok(Limits {
        eligible_from: stored_eligible_from(s.eligible_from.as_deref()),
        flags: stored_flags(&s),
    })
}

/// Evaluates and stores a screening, creating or updating the client.
pub async fn submit(state: &AppState, sub: Submission) -> ApiResult<Screened> {
    let now = state.now();
    let eval = evaluate(state, &sub.answers);
    let valid_until = now + sdur(state.settings.booking.screening_valid_for);
    let id = ScreeningId::new();
    let client_id = store::clients::insert_screening_with_client(
        &state.db,
        &sub.client,
        NewScreening {
            id: id.0,
            questionnaire_version: CURRENT.version,
            answers: to_json(&sub.answers)?,
            concerns: to_json(&sub.concerns)?,
            outcome: eval.outcome,
            reasons: to_json(&eval.reasons)?,
            created_at: to_db(now),
            valid_until: to_db(valid_until),
            eligible_from: eval.eligible_from.map(|d| d.to_string()),
            no_numbing_cream: eval.flags.no_numbing_cream,
            cold_sore_history: eval.flags.cold_sore_history,
        },
    )
    .await?;
    // Ids only: neither the answers nor the outcome derived from them reach the logs.
    info!(screening_id = %id, "screening stored");
    Ok(Screened {
        id,
        client_id: ClientId(client_id),
        outcome: eval.outcome,
        reasons: eval.reasons,
        valid_until,
        eligible_from: eval.eligible_from,
        flags: eval.flags,
    })
}

/// Serialises a stored JSON column.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("serialising")))
}

/// Parses stored reasons.
pub fn stored_reasons(raw: &str) -> Vec<Reason> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// Parses stored concerns.
pub fn stored_concerns(raw: &str) -> Vec<Concern> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// Stored answers as JSON (staff only).
pub fn stored_answers(raw: &str) -> serde_json::Value {
    serde_json::from_str(raw).unwrap_or(serde_json::Value::Null)
}

/// A stored screening as staff list it (no answers).
pub struct ScreeningSummary {
    pub id: ScreeningId,
    pub client_id: ClientId,
    pub client_name: Option<String>,
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    pub created_at: Timestamp,
    pub valid_until: Timestamp,
    pub review_decision: Option<ReviewDecision>,
}

/// A stored screening with its answers (health data: staff only, every read audited).
pub struct ScreeningDetail {
    pub summary: ScreeningSummary,
    pub questionnaire_version: String,
    pub answers: serde_json::Value,
    pub concerns: Vec<Concern>,
    pub review_note: Option<String>,
    pub reviewed_by: Option<StaffUserId>,
    pub reviewed_at: Option<Timestamp>,
}

/// How many screenings a staff list shows at most.
const LIST_LIMIT: u64 = 500;

fn summary(s: &screening::Model, client: Option<client::Model>) -> ScreeningSummary {
    ScreeningSummary {
        id: ScreeningId(s.id),
        client_id: ClientId(s.client_id),
        client_name: client.map(|c| c.name),
        outcome: s.outcome,
        reasons: stored_reasons(&s.reasons),
        created_at: from_db(s.created_at),
        valid_until: from_db(s.valid_until),
        review_decision: s.review_decision,
    }
}

/// Screenings, newest first, optionally of one outcome (staff).
pub async fn list(state: &AppState, outcome: Option<Outcome>) -> ApiResult<Vec<ScreeningSummary>> {
    let rows = store::clients::list_screenings(&state.db, outcome, LIST_LIMIT).await?;
    Ok(rows.into_iter().map(|(s, c)| summary(&s, c)).collect())
}

async fn load_detail(state: &AppState, id: ScreeningId) -> ApiResult<ScreeningDetail> {
    let s = store::clients::find_screening(&state.db, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    let c = store::clients::find(&state.db, s.client_id).await?;
    Ok(ScreeningDetail {
        summary: summary(&s, c),
        questionnaire_version: s.questionnaire_version.as_str().to_owned(),
        answers: stored_answers(&s.answers),
        concerns: stored_concerns(&s.concerns),
        review_note: s.review_note,
        reviewed_by: s.reviewed_by.map(StaffUserId),
        reviewed_at: s.reviewed_at.map(from_db),
    })
}

/// One screening with its answers; reading health answers is itself an audited action.
pub async fn detail(
    state: &AppState,
    by: StaffUserId,
    id: ScreeningId,
) -> ApiResult<ScreeningDetail> {
    let detail = load_detail(state, id).await?;
    audit::record(
        &state.db,
        state,
        Actor::Staff(by),
        "screening.view",
        "screening",
        id.0,
        None,
    )
    .await?;
    Ok(detail)
}

/// A clinician's final decision on a `needs_review` screening, with a note (1 to 2000
/// characters); recorded once, audited in the same transaction.
pub async fn review(
    state: &AppState,
    by: StaffUserId,
    id: ScreeningId,
    decision: ReviewDecision,
    note: &str,
) -> ApiResult<ScreeningDetail> {
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 2000 {
        return Err(ApiError::invalid("note", "must be 1 to 2000 characters"));
    }
    let s = store::clients::find_screening(&state.db, id.0)
        .await?
        .ok_or(ApiError::NotFound)?;
    let now = to_db(state.now());
    let tx = store::begin_write(&state.db).await?;
    if !store::clients::review_screening(&tx, s.id, decision, note, by.0, now).await? {
        return Err(ApiError::Conflict(
            "only an unreviewed needs_review screening can be reviewed".into(),
        ));
    }
    let detail = serde_json::json!({ "decision": decision.as_str() });
    audit::record(
        &tx,
        state,
        Actor::Staff(by),
        "screening.review",
        "screening",
        s.id,
        Some(detail),
    )
    .await?;
    tx.commit().await?;
    info!(screening_id = %s.id, "screening reviewed");
    load_detail(state, id).await
}

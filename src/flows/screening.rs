//! Submitting a screening questionnaire.

use jiff::Timestamp;
use tracing::info;

use crate::{
    domain::{
        client::ClientDetails,
        ids::{ClientId, ScreeningId},
        screening::{Answers, CURRENT, Concern, Outcome, Reason},
        time::{sdur, to_db},
    },
    error::{ApiError, ApiResult},
    state::AppState,
    store::{self, clients::NewScreening},
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
}

/// Evaluates and stores a screening, creating or updating the client.
pub async fn submit(state: &AppState, sub: Submission) -> ApiResult<Screened> {
    let now = state.now();
    let eval = CURRENT.evaluate(&sub.answers);
    let valid_until = now + sdur(state.settings.booking.screening_valid_for);
    let id = ScreeningId::new();
    let client_id = store::clients::insert_screening_with_client(
        &state.db,
        &sub.client,
        NewScreening {
            id: id.0,
            questionnaire_version: CURRENT.version.to_owned(),
            answers: to_json(&sub.answers)?,
            concerns: to_json(&sub.concerns)?,
            outcome: eval.outcome,
            reasons: to_json(&eval.reasons)?,
            created_at: to_db(now),
            valid_until: to_db(valid_until),
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

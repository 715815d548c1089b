//! What the operations routes read: readiness and the outbox depth for metrics.

use crate::{domain::messages::MessageStatus, error::ApiResult, state::AppState, store};

/// Whether the database answers.
pub async fn ready(state: &AppState) -> bool {
    store::ping(&state.db).await
}

/// Reads the outbox's size by status into the `outbox_depth` gauge (at scrape time).
pub async fn record_outbox_depth(state: &AppState) -> ApiResult<()> {
    let counts = store::outbox::count_by_status(&state.db).await?;
    for status in MessageStatus::ALL {
        let n = counts
            .iter()
            .find(|(s, _)| s == status.as_str())
            .map_or(0, |(_, n)| *n);
        state
            .metrics
            .outbox_depth
            .get_or_create(&crate::metrics::StatusLabels {
                status: status.as_str().to_owned(),
            })
            .set(n);
    }
    Ok(())
}

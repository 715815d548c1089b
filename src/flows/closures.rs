//! Clinic-wide closure days (holidays): a local date on which no practitioner offers or takes
//! visits (`domain::availability` drops that day's working windows). Visits already booked on
//! a newly closed day are not cancelled: they are returned so the desk can move or cancel each
//! one through the lifecycle (and the client is told then).

use jiff::civil::Date;
use serde_json::json;
use tracing::info;
use uuid::Uuid;

use crate::{
    domain::{ids::AppointmentId, time::to_db},
    error::{ApiError, ApiResult},
    flows::{
        audit::{self, Actor},
        auth::Staff,
    },
    state::AppState,
    store::{self, entities::closure},
};

/// A closure day as the flows hand it out.
pub struct Closure {
    pub date: Date,
    pub reason: Option<String>,
}

impl Closure {
    fn from_row(c: closure::Model) -> ApiResult<Self> {
        let date = c
            .day
            .parse::<Date>()
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored closure day: {e}")))?;
        Ok(Self {
            date,
            reason: c.reason,
        })
    }
}

/// The closure days from `from` (default: today, local) to `to` (default: no end), by date.
pub async fn list(
    state: &AppState,
    from: Option<Date>,
    to: Option<Date>,
) -> ApiResult<Vec<Closure>> {
    let from = from.unwrap_or_else(|| state.zone().local_date(state.now()));
    if let Some(to) = to
        && to < from
    {
        return Err(ApiError::invalid("to", "must not be before from"));
    }
    let to = to.map(|d| d.to_string());
    store::closures::between(&state.db, &from.to_string(), to.as_deref())
        .await?
        .into_iter()
        .map(Closure::from_row)
        .collect()
}

/// Closes the clinic on the local date `date` (today or later). Returns the closure and the
/// visits still open (booked or checked in) that day, which the desk resolves by hand.
pub async fn add(
    state: &AppState,
    staff: &Staff,
    date: Date,
    reason: Option<String>,
) -> ApiResult<(Closure, Vec<AppointmentId>)> {
    let zone = state.zone();
    let now = state.now();
    if date < zone.local_date(now) {
        return Err(ApiError::invalid("date", "must be today or later"));
    }
    if date.year() > 9000 {
        return Err(ApiError::invalid("date", "must be before the year 9000"));
    }
    let reason = reason
        .map(|r| r.trim().chars().take(200).collect::<String>())
        .filter(|r| !r.is_empty());
    let (start, end) = (
        zone.start_of_day(date),
        zone.start_of_day(date.tomorrow().unwrap_or(date)),
    );
    let tx = store::begin_write(&state.db).await?;
    let row = closure::Model {
        day: date.to_string(),
        reason: reason.clone(),
        created_by: Some(staff.user_id.0),
        created_at: to_db(now),
    };
    if !store::closures::insert(&tx, row).await? {
        return Err(ApiError::Conflict(format!(
            "the clinic is already closed on {date}"
        )));
    }
    let open = store::closures::open_visits_between(&tx, to_db(start), to_db(end)).await?;
    audit::record(
        &tx,
        state,
        Actor::Staff(staff.user_id),
        "closure.add",
        "closure",
        Uuid::nil(),
        Some(json!({ "date": date.to_string(), "open_visits": open.len() })),
    )
    .await?;
    tx.commit().await?;
    state.slot_cache.invalidate();
    info!(%date, open_visits = open.len(), "closure day added");
    let open = open.into_iter().map(|a| AppointmentId(a.id)).collect();
    Ok((Closure { date, reason }, open))
}

/// Opens a closed day again; 404 if it was not closed.
pub async fn remove(state: &AppState, staff: &Staff, date: Date) -> ApiResult<()> {
    let tx = store::begin_write(&state.db).await?;
    if !store::closures::delete(&tx, &date.to_string()).await? {
        return Err(ApiError::NotFound);
    }
    audit::record(
        &tx,
        state,
        Actor::Staff(staff.user_id),
        "closure.remove",
        "closure",
        Uuid::nil(),
        Some(json!({ "date": date.to_string() })),
    )
    .await?;
    tx.commit().await?;
    state.slot_cache.invalidate();
    info!(%date, "closure day removed");
    Ok(())
}

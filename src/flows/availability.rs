//! Listing offered slots.

use jiff::civil::Date;

use crate::{
    domain::{
        availability::{self, Slot},
        ids::PractitionerId,
        service::Service,
        time::to_db,
    },
    error::{ApiError, ApiResult},
    state::AppState,
    store,
};

/// The longest range one availability request may cover.
pub const MAX_DAYS: i32 = 31;

/// A checked availability query.
pub struct Query {
    pub service: Service,
    pub from: Date,
    pub to: Date,
    pub practitioner_id: Option<PractitionerId>,
    pub anesthesia: bool,
}

/// The offered slots for the query.
pub async fn slots(state: &AppState, q: Query) -> ApiResult<Vec<Slot>> {
    // Keeps every later date computation far from jiff's range limits.
    for (field, d) in [("from", q.from), ("to", q.to)] {
        if !(2000..=9000).contains(&d.year()) {
            return Err(ApiError::invalid(
                field,
                "must be a date between the years 2000 and 9000",
            ));
        }
    }
    if q.to < q.from {
        return Err(ApiError::invalid("to", "must not be before from"));
    }
    if (q.to - q.from).get_days() >= MAX_DAYS {
        return Err(ApiError::invalid(
            "to",
            format!("the range may cover at most {MAX_DAYS} days"),
        ));
    }
    if q.anesthesia && !q.service.allows_anesthesia() {
        return Err(ApiError::invalid(
            "anesthesia",
            "is offered only with microneedling",
        ));
    }
    let practitioners: Vec<_> = store::calendars::practitioners(&state.db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .filter(|id| q.practitioner_id.is_none_or(|want| want.0 == *id))
        .collect();
    if q.practitioner_id.is_some() && practitioners.is_empty() {
        return Err(ApiError::invalid(
            "practitioner_id",
            "no active practitioner with this id",
        ));
    }
    let zone = state.zone();
    let day = jiff::SignedDuration::from_hours(24);
    let from = zone.start_of_day(q.from) - day;
    let to = zone.start_of_day(q.to.tomorrow().unwrap_or(q.to)) + day;
    let calendars =
        store::calendars::load(&state.db, &practitioners, to_db(from), to_db(to)).await?;
    Ok(availability::offered_slots(
        &state.slot_rules(),
        zone,
        state.now(),
        q.from,
        q.to,
        &calendars,
        availability::Visit {
            service: q.service,
            anesthesia: q.anesthesia,
        },
    ))
}

//! Listing offered slots.

use std::sync::Arc;

use jiff::civil::Date;

use crate::{
    domain::{availability, ids::PractitionerId, service::Service, time::to_db},
    error::{ApiError, ApiResult},
    slot_cache::{Key, Offered},
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
    /// A screening whose limits apply: no numbing cream after an anaesthetic allergy, no day
    /// before its `eligible_from`.
    pub screening_id: Option<crate::domain::ids::ScreeningId>,
}

/// Checks a local date range of a query (availability, calendar): real dates far from jiff's
/// limits, `to` not before `from`, at most `MAX_DAYS` days.
pub fn check_range(from: Date, to: Date) -> ApiResult<()> {
    for (field, d) in [("from", from), ("to", to)] {
        if !(2000..=9000).contains(&d.year()) {
            return Err(ApiError::invalid(
                field,
                "must be a date between the years 2000 and 9000",
            ));
        }
    }
    if to < from {
        return Err(ApiError::invalid("to", "must not be before from"));
    }
    if (to - from).get_days() >= MAX_DAYS {
        return Err(ApiError::invalid(
            "to",
            format!("the range may cover at most {MAX_DAYS} days"),
        ));
    }
    Ok(())
}

/// The offered slots for the query.
pub async fn slots(state: &AppState, q: Query) -> ApiResult<Arc<Offered>> {
    check_range(q.from, q.to)?;
    let wanted = availability::Wanted::new(q.service, q.anesthesia)
        .map_err(|m| ApiError::invalid("anesthesia", m))?;
    let mut from = q.from;
    if let Some(id) = q.screening_id {
        let limits = super::screening::limits(state, id).await?;
        limits.check_numbing_cream(q.anesthesia)?;
        from = limits.first_offered_day(q.from);
        if from > q.to {
            return Ok(Arc::new(Offered::new(Vec::new())));
        }
    }
    let key = Key {
        service: q.service,
        from,
        to: q.to,
        practitioner: q.practitioner_id,
        anesthesia: q.anesthesia,
    };
    let ttl = state.settings.booking.availability_cache;
    if let Some(hit) = state.slot_cache.get(&key, ttl) {
        // An answer up to `ttl` old may begin with starts now inside the minimum notice, which
        // booking would refuse: those are left out (the slots are sorted by start).
        let earliest = state.slot_rules().earliest(state.now());
        let stale = hit.slots.partition_point(|s| s.start < earliest);
        if stale == 0 {
            return Ok(hit);
        }
        return Ok(Arc::new(Offered::new(hit.slots[stale..].to_vec())));
    }
    // Read the generation before the database, so a change committed meanwhile is not hidden.
    let generation = state.slot_cache.generation();
    let zone = state.zone();
    let day = jiff::SignedDuration::from_hours(24);
    let first_day = from;
    let from = zone.start_of_day(first_day) - day;
    let to = zone.start_of_day(q.to.tomorrow().unwrap_or(q.to)) + day;
    let which = store::calendars::Practitioners::wanted(q.practitioner_id.as_ref());
    let store::calendars::Loaded {
        calendars,
        durations,
    } = store::calendars::load(&state.db, which, to_db(from), to_db(to)).await?;
    let visit = wanted.lasting(&durations);
    if q.practitioner_id.is_some() && calendars.is_empty() {
        return Err(ApiError::invalid(
            "practitioner_id",
            "no active practitioner with this id",
        ));
    }
    let offered = Arc::new(Offered::new(availability::offered_slots(
        &state.slot_rules(),
        zone,
        state.now(),
        first_day,
        q.to,
        &calendars,
        visit,
    )));
    if !ttl.is_zero() {
        state.slot_cache.put(key, generation, ttl, offered.clone());
    }
    Ok(offered)
}

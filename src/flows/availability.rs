//! Listing offered slots.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

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

/// A short-lived cache of computed availability. Availability is read far more often than the
/// calendar changes, and a stale answer is harmless: every booking re-checks its slot in the
/// database. Entries live `booking.availability_cache` at most, and every local change to a
/// calendar (booking, cancel, reschedule, hours, time off, erasure) drops them all at once;
/// changes made by another instance show within the TTL.
#[derive(Default)]
pub struct SlotCache {
    generation: AtomicU64,
    entries: Mutex<HashMap<Key, Entry>>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    service: Service,
    from: Date,
    to: Date,
    practitioner: Option<PractitionerId>,
    anesthesia: bool,
}

struct Entry {
    generation: u64,
    at: Instant,
    offered: Arc<Offered>,
}

/// The answer to an availability query: the slots, and their wire form, rendered once by the
/// first caller that needs it (a cached answer is served without rendering it again).
pub struct Offered {
    pub slots: Vec<Slot>,
    rendered: OnceLock<bytes::Bytes>,
}

impl Offered {
    fn new(slots: Vec<Slot>) -> Self {
        Self {
            slots,
            rendered: OnceLock::new(),
        }
    }

    /// The rendered answer, computed by `render` the first time.
    pub fn rendered<E>(
        &self,
        render: impl FnOnce(&[Slot]) -> Result<bytes::Bytes, E>,
    ) -> Result<bytes::Bytes, E> {
        if let Some(done) = self.rendered.get() {
            return Ok(done.clone());
        }
        let body = render(&self.slots)?;
        Ok(self.rendered.get_or_init(|| body).clone())
    }
}

/// Entries kept before the cache starts over (bounds memory under many distinct queries).
const MAX_ENTRIES: usize = 4096;

impl SlotCache {
    /// Drops every cached answer (call after a calendar change commits).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::Release);
    }

    fn get(&self, key: &Key, ttl: Duration) -> Option<Arc<Offered>> {
        let generation = self.generation.load(Ordering::Acquire);
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|e| e.generation == generation && e.at.elapsed() < ttl)
            .map(|e| e.offered.clone())
    }

    fn put(&self, key: Key, generation: u64, offered: Arc<Offered>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(
                key,
                Entry {
                    generation,
                    at: Instant::now(),
                    offered,
                },
            );
        }
    }
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
    if q.anesthesia && !q.service.allows_anesthesia() {
        return Err(ApiError::invalid(
            "anesthesia",
            "is offered only with microneedling",
        ));
    }
    let key = Key {
        service: q.service,
        from: q.from,
        to: q.to,
        practitioner: q.practitioner_id,
        anesthesia: q.anesthesia,
    };
    let ttl = state.settings.booking.availability_cache;
    if let Some(hit) = state.slot_cache.get(&key, ttl) {
        return Ok(hit);
    }
    // Read the generation before the database, so a change committed meanwhile is not hidden.
    let generation = state.slot_cache.generation.load(Ordering::Acquire);
    let zone = state.zone();
    let day = jiff::SignedDuration::from_hours(24);
    let from = zone.start_of_day(q.from) - day;
    let to = zone.start_of_day(q.to.tomorrow().unwrap_or(q.to)) + day;
    let which = match &q.practitioner_id {
        Some(id) => store::calendars::Practitioners::Only(std::slice::from_ref(&id.0)),
        None => store::calendars::Practitioners::AllActive,
    };
    let calendars = store::calendars::load(&state.db, which, to_db(from), to_db(to)).await?;
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
        q.from,
        q.to,
        &calendars,
        availability::Visit {
            service: q.service,
            anesthesia: q.anesthesia,
        },
    )));
    if !ttl.is_zero() {
        state.slot_cache.put(key, generation, offered.clone());
    }
    Ok(offered)
}

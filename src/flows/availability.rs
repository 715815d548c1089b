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
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<Key, Entry>,
    /// Slots held by all entries: the memory bound.
    slots: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    service: Service,
    from: Date,
    to: Date,
    practitioner: Option<PractitionerId>,
    anesthesia: bool,
}

/// A held answer. Every held answer belongs to the current generation: `invalidate` empties
/// the map and `put` refuses answers computed before the last change.
struct Entry {
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

/// Entries kept before the cache starts over.
const MAX_ENTRIES: usize = 1024;
/// From this many entries on, each insert first drops the expired ones.
const EXPIRY_SWEEP_AT: usize = 64;
/// Slots held across all entries (about 250 bytes each with their rendered JSON, so about
/// 25 MB), whatever date ranges clients ask for; a larger answer is not cached.
const MAX_SLOTS: usize = 100_000;

impl SlotCache {
    /// Drops every cached answer (call after a calendar change commits). The memory goes at
    /// once, so the cache holds only answers computed since the last change.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::Release);
        if let Ok(mut entries) = self.entries.lock() {
            entries.map.clear();
            entries.slots = 0;
        }
    }

    fn get(&self, key: &Key, ttl: Duration) -> Option<Arc<Offered>> {
        let entries = self.entries.lock().ok()?;
        entries
            .map
            .get(key)
            .filter(|e| e.at.elapsed() < ttl)
            .map(|e| e.offered.clone())
    }

    fn put(&self, key: Key, generation: u64, ttl: Duration, offered: Arc<Offered>) {
        let weight = offered.slots.len() + 1;
        if weight > MAX_SLOTS {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        // Computed from a calendar that has changed since: not worth keeping.
        if generation != self.generation.load(Ordering::Acquire) {
            return;
        }
        if entries.map.len() >= EXPIRY_SWEEP_AT || entries.slots + weight > MAX_SLOTS {
            entries.map.retain(|_, e| e.at.elapsed() < ttl);
            entries.slots = entries.weight_of_map();
        }
        // Still over a bound with fresh answers only: start over.
        if entries.map.len() >= MAX_ENTRIES || entries.slots + weight > MAX_SLOTS {
            entries.map.clear();
            entries.slots = 0;
        }
        let old = entries.map.insert(
            key,
            Entry {
                at: Instant::now(),
                offered,
            },
        );
        entries.slots += weight;
        if let Some(old) = old {
            entries.slots -= old.offered.slots.len() + 1;
        }
    }

    /// Slots held, and entries (for tests).
    #[cfg(test)]
    fn held(&self) -> (usize, usize) {
        self.entries
            .lock()
            .map(|e| (e.slots, e.map.len()))
            .unwrap_or_default()
    }
}

impl Entries {
    fn weight_of_map(&self) -> usize {
        self.map.values().map(|e| e.offered.slots.len() + 1).sum()
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
    let which = store::calendars::Practitioners::wanted(q.practitioner_id.as_ref());
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
        state.slot_cache.put(key, generation, ttl, offered.clone());
    }
    Ok(offered)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(day: i8) -> Key {
        Key {
            service: Service::Microneedling,
            from: jiff::civil::date(2027, 1, day),
            to: jiff::civil::date(2027, 1, day),
            practitioner: None,
            anesthesia: false,
        }
    }

    fn answer(n: usize) -> Arc<Offered> {
        let slot = Slot {
            start: jiff::Timestamp::UNIX_EPOCH,
            end: jiff::Timestamp::UNIX_EPOCH,
            practitioner_id: PractitionerId(uuid::Uuid::nil()),
        };
        Arc::new(Offered::new(vec![slot; n]))
    }

    #[test]
    fn the_cache_holds_at_most_its_slot_budget() {
        let cache = SlotCache::default();
        let ttl = Duration::from_secs(60);
        for day in 1..=28 {
            cache.put(key(day), 0, ttl, answer(MAX_SLOTS / 10));
            assert!(cache.held().0 <= MAX_SLOTS, "{:?}", cache.held());
        }
        // The newest answer is always kept.
        assert!(cache.get(&key(28), ttl).is_some());
        // Too large to keep at all.
        cache.put(key(1), 0, ttl, answer(MAX_SLOTS + 1));
        assert!(cache.get(&key(1), ttl).is_none());
    }

    #[test]
    fn a_change_frees_the_memory_and_late_answers_are_not_kept() {
        let cache = SlotCache::default();
        let ttl = Duration::from_secs(60);
        cache.put(key(1), 0, ttl, answer(MAX_SLOTS / 2));
        assert_eq!(cache.held(), (MAX_SLOTS / 2 + 1, 1));
        cache.invalidate();
        assert_eq!(cache.held(), (0, 0));
        assert!(cache.get(&key(1), ttl).is_none());
        // An answer computed before the change arrives after it: dropped.
        cache.put(key(2), 0, ttl, answer(10));
        assert_eq!(cache.held(), (0, 0));
        cache.put(key(3), 1, ttl, answer(10));
        assert!(cache.get(&key(3), ttl).is_some());
    }

    #[test]
    fn expired_answers_are_swept_as_new_ones_arrive() {
        let cache = SlotCache::default();
        for day in 1..=28 {
            cache.put(key(day), 0, Duration::from_secs(60), answer(1));
        }
        for month_day in 1..=28 {
            let k = Key {
                from: jiff::civil::date(2027, 2, month_day),
                to: jiff::civil::date(2027, 2, month_day),
                ..key(1)
            };
            cache.put(k, 0, Duration::from_secs(60), answer(1));
        }
        assert_eq!(cache.held().1, 56);
        // With a zero TTL every one of them has expired: the next insert sweeps them.
        for day in 1..=10 {
            let k = Key {
                from: jiff::civil::date(2027, 3, day),
                to: jiff::civil::date(2027, 3, day),
                ..key(1)
            };
            cache.put(k, 0, Duration::ZERO, answer(1));
        }
        assert!(cache.held().1 <= EXPIRY_SWEEP_AT, "{:?}", cache.held());
    }
}

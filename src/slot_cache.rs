//! The availability cache: computed answers kept a short while, dropped on every calendar
//! change. Apart from the flows (they fill it) and from `state` (it holds it), so neither
//! imports the other through it.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use jiff::civil::Date;

use crate::domain::{availability::Slot, ids::PractitionerId, service::Service};

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

/// What an answer depends on: the query, exactly.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub service: Service,
    pub from: Date,
    pub to: Date,
    pub practitioner: Option<PractitionerId>,
    pub anesthesia: bool,
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
    /// An answer not rendered yet.
    pub fn new(slots: Vec<Slot>) -> Self {
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

    /// The change counter; read it before computing an answer and hand it to `put`.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// A held answer younger than `ttl`.
    pub fn get(&self, key: &Key, ttl: Duration) -> Option<Arc<Offered>> {
        let entries = self.entries.lock().ok()?;
        entries
            .map
            .get(key)
            .filter(|e| e.at.elapsed() < ttl)
            .map(|e| e.offered.clone())
    }

    /// Keeps an answer computed at `generation`, unless the calendar changed since or it is
    /// too large; sweeps expired answers and keeps within the bounds.
    pub fn put(&self, key: Key, generation: u64, ttl: Duration, offered: Arc<Offered>) {
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

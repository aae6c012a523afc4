//! The replay cache: the signatures (`XroadVnpt-hash-header`) of the requests accepted, per system, so that a
//! captured request sent again while its timestamp is still fresh is refused (`ErrorCode` 16).
//!
//! A request is identified by its HMAC: signing it again needs the secret, and the official SDK (like
//! [`crate::Client`]) stamps every call with a new millisecond timestamp, so two identical signatures are one
//! request sent twice. No operation is exempt; the MAC alone is the key, so a request cannot be replayed at
//! another operation either (the operation, the URL path, is not signed).
//!
//! **How long an entry lives.** The timestamp is accepted in Vietnam time or in UTC ([`Freshness`]): a request
//! stamped with Vietnam local time is fresh around when it was sent and fresh *again* 7 h later, when its
//! reading as UTC comes within the window. Each entry therefore lives until [`Freshness::last_accepted`] of its
//! timestamp: about 7 h plus the window for a Vietnam-time request, about the window for a UTC one (at most twice
//! the window after it was received). Entries are pruned as requests come; past `capacity` the entries closest to
//! their end are dropped first (memory stays bounded: 32 bytes of key per entry, about 100 bytes with the
//! indexes). A dropped entry's request could be replayed in what remains of its windows, so the capacity should
//! exceed the requests of 7 h (default 100 000: about 4 requests a second).
//!
//! The cache is per process: several axis processes behind one address do not share it.

use crate::protocol::Freshness;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use time::{OffsetDateTime, PrimitiveDateTime};

/// Default number of requests remembered.
pub const DEFAULT_CAPACITY: usize = 100_000;

type Key = [u8; 32];

/// The signatures seen, each until its timestamp can no longer be fresh.
pub struct ReplayCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Key → (end of life in Unix nanoseconds, insertion number).
    seen: HashMap<Key, (i128, u64)>,
    /// The same entries ordered by end of life.
    by_end: BTreeSet<(i128, u64, Key)>,
    next: u64,
}

impl std::fmt::Debug for ReplayCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayCache")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl ReplayCache {
    /// A cache remembering at most `capacity` requests (at least one).
    pub fn new(capacity: usize) -> ReplayCache {
        ReplayCache {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// How many requests are remembered.
    pub fn len(&self) -> usize {
        self.lock().seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves consistent maps (no await, no partial update that matters).
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records the request of `system` signed `mac` with timestamp `ts`; `false` when it was seen already (a
    /// replay). `now` is the present instant.
    pub fn first_use(
        &self,
        system: &str,
        mac: &[u8],
        ts: PrimitiveDateTime,
        freshness: &Freshness,
        now: OffsetDateTime,
    ) -> bool {
        let end = freshness.last_accepted(ts).unix_timestamp_nanos();
        let key: Key = {
            let mut h = Sha256::new();
            h.update(system.as_bytes());
            h.update([0u8]);
            h.update(mac);
            h.finalize().into()
        };
        let now = now.unix_timestamp_nanos();
        let mut inner = self.lock();
        // Prune what can no longer be fresh.
        while let Some(&first) = inner.by_end.first() {
            if first.0 >= now {
                break;
            }
            inner.by_end.pop_first();
            inner.seen.remove(&first.2);
        }
        if inner.seen.contains_key(&key) {
            return false;
        }
        let n = inner.next;
        inner.next += 1;
        inner.seen.insert(key, (end, n));
        inner.by_end.insert((end, n, key));
        while inner.seen.len() > self.capacity {
            match inner.by_end.pop_first() {
                Some(first) => {
                    inner.seen.remove(&first.2);
                }
                None => break,
            }
        }
        true
    }
}

impl Default for ReplayCache {
    fn default() -> ReplayCache {
        ReplayCache::new(DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_request_is_used_once_per_system() {
        let f = Freshness::default();
        let c = ReplayCache::new(10);
        let now = datetime!(2026-11-22 7:50:00 UTC);
        // Vietnam local time of `now`.
        let ts = datetime!(2026-11-22 14:50:00.123);
        assert!(c.first_use("A", b"mac-1", ts, &f, now));
        assert!(!c.first_use("A", b"mac-1", ts, &f, now));
        assert!(c.first_use("B", b"mac-1", ts, &f, now), "another system");
        assert!(c.first_use("A", b"mac-2", ts, &f, now));
        assert_eq!(c.len(), 3);
    }

    #[test]
    fn a_vietnam_time_request_is_remembered_through_its_utc_window() {
        let f = Freshness::default();
        let c = ReplayCache::new(10);
        let sent = datetime!(2026-11-22 7:50:00 UTC);
        let ts = datetime!(2026-11-22 14:50:00.123);
        assert!(c.first_use("A", b"mac", ts, &f, sent));
        // 7 h later the timestamp read as UTC is fresh again: the replay must still be caught.
        let later = sent + time::Duration::hours(7);
        assert!(f.accepts(ts, later), "the second window exists");
        assert!(!c.first_use("A", b"mac", ts, &f, later));
        let end = sent + time::Duration::hours(7) + time::Duration::minutes(15);
        assert!(!c.first_use("A", b"mac", ts, &f, end));
        // After it, the timestamp is refused anyway and the entry is pruned.
        let after = end + time::Duration::seconds(1);
        assert!(!f.accepts(ts, after));
        assert!(c.first_use("A", b"other", ts, &f, after));
        assert_eq!(c.len(), 1, "the expired entry was pruned");
    }

    #[test]
    fn a_utc_request_lives_about_twice_the_window() {
        let f = Freshness::default();
        let c = ReplayCache::new(10);
        let now = datetime!(2026-11-22 7:50:00 UTC);
        // A clock on UTC, 10 minutes fast: its last acceptance is 25 minutes from now.
        let ts = datetime!(2026-11-22 8:00:00);
        assert_eq!(
            f.last_accepted(ts),
            datetime!(2026-11-22 8:15:00 UTC),
            "the UTC reading is the later one"
        );
        assert!(c.first_use("A", b"mac", ts, &f, now));
        assert!(!c.first_use("A", b"mac", ts, &f, now + time::Duration::minutes(25)));
        assert!(c.first_use(
            "A",
            b"x",
            ts,
            &f,
            now + time::Duration::minutes(25) + time::Duration::seconds(1)
        ));
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn memory_is_bounded() {
        let f = Freshness::default();
        let c = ReplayCache::new(100);
        let now = datetime!(2026-11-22 7:50:00 UTC);
        for i in 0..1000u32 {
            // Later timestamps live longer: the earliest ones are dropped first.
            let ts = datetime!(2026-11-22 14:40:00) + time::Duration::milliseconds(i64::from(i));
            assert!(c.first_use("A", &i.to_be_bytes(), ts, &f, now));
        }
        assert_eq!(c.len(), 100);
        let last = datetime!(2026-11-22 14:40:00) + time::Duration::milliseconds(999);
        assert!(!c.first_use("A", &999u32.to_be_bytes(), last, &f, now));
    }
}

//! Short-lived caches of the two hottest reads: who a token belongs to, and the unit list.
//!
//! An entry is used only while the store's write generation has not moved since it was filled (every
//! committed write in this process moves it) and for at most the configured time to live (default
//! [`DEFAULT_TTL`]; zero turns the caches off), which bounds how long a change made by another node of a
//! scaled-out installation can go unseen. Writes through this node are seen at once.

use super::views::UnitView;
use axum::body::Bytes;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use vanthu_domain::access::Actor;
use vanthu_store::TokenKind;

pub const DEFAULT_TTL: Duration = Duration::from_secs(2);
const MAX_SESSIONS: usize = 10_000;

#[derive(Clone)]
pub struct CachedSession {
    pub generation: u64,
    pub at: Instant,
    pub kind: TokenKind,
    pub expires_at: i64,
    pub actor: Actor,
    pub csrf: Option<String>,
}

#[derive(Clone)]
pub struct CachedUnits {
    pub generation: u64,
    pub at: Instant,
    pub views: Arc<Vec<UnitView>>,
    pub json: Bytes,
}

pub struct Caches {
    ttl: Duration,
    /// Failed sign-ins under names that are no account: (failures, locked until).
    unknown: Mutex<HashMap<String, (i64, i64)>>,
    sessions: Mutex<HashMap<String, CachedSession>>,
    /// Index 0: active units only; 1: with inactive ones.
    units: Mutex<[Option<CachedUnits>; 2]>,
}

impl Caches {
    pub fn new(ttl: Duration) -> Caches {
        Caches {
            ttl,
            sessions: Mutex::default(),
            units: Mutex::default(),
            unknown: Mutex::default(),
        }
    }

    /// Counts a sign-in attempt under a name that is no account, with the same delays and lock as a real
    /// account; `Err(until)` while it is locked.
    pub fn unknown_attempt(
        &self,
        name: &str,
        now: i64,
        rules: &super::AuthSettings,
    ) -> Result<(), i64> {
        let Ok(mut map) = self.unknown.lock() else {
            return Ok(());
        };
        if map.len() >= MAX_SESSIONS {
            map.retain(|_, (_, until)| *until > now);
            if map.len() >= MAX_SESSIONS {
                map.clear();
            }
        }
        let entry = map.entry(name.to_string()).or_insert((0, 0));
        if entry.1 > now {
            return Err(entry.1);
        }
        entry.0 += 1;
        entry.1 = rules.lock_for(entry.0, now);
        Ok(())
    }

    fn fresh(&self, generation: u64, at: Instant, now_generation: u64) -> bool {
        generation == now_generation && at.elapsed() < self.ttl
    }

    pub fn session(&self, digest: &str, generation: u64) -> Option<CachedSession> {
        let map = self.sessions.lock().ok()?;
        map.get(digest)
            .filter(|s| self.fresh(s.generation, s.at, generation))
            .cloned()
    }

    pub fn put_session(&self, digest: String, s: CachedSession) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut map) = self.sessions.lock() {
            if map.len() >= MAX_SESSIONS {
                map.clear();
            }
            map.insert(digest, s);
        }
    }

    pub fn units(&self, include_inactive: bool, generation: u64) -> Option<CachedUnits> {
        let slots = self.units.lock().ok()?;
        slots[include_inactive as usize]
            .as_ref()
            .filter(|u| self.fresh(u.generation, u.at, generation))
            .cloned()
    }

    pub fn put_units(&self, include_inactive: bool, u: CachedUnits) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut slots) = self.units.lock() {
            slots[include_inactive as usize] = Some(u);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vanthu_domain::Clearance;

    fn session() -> CachedSession {
        CachedSession {
            generation: 7,
            at: Instant::now(),
            kind: TokenKind::Api,
            expires_at: i64::MAX,
            actor: Actor {
                person_id: 1,
                username: "a".into(),
                full_name: "A".into(),
                clearance: Clearance::NONE,
                system_admin: false,
                must_change_password: false,
                memberships: vec![],
            },
            csrf: None,
        }
    }

    #[test]
    fn entries_die_with_a_new_generation_or_age() {
        let c = Caches::new(Duration::from_millis(50));
        c.put_session("d".into(), session());
        assert!(c.session("d", 7).is_some());
        assert!(
            c.session("d", 8).is_none(),
            "a committed write makes it stale"
        );
        assert!(c.session("x", 7).is_none());
        std::thread::sleep(Duration::from_millis(60));
        assert!(c.session("d", 7).is_none(), "older than the time to live");
    }

    #[test]
    fn zero_time_to_live_caches_nothing() {
        let c = Caches::new(Duration::ZERO);
        c.put_session("d".into(), session());
        assert!(c.session("d", 7).is_none());
    }
}

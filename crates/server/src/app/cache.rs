//! Short-lived caches of the two hottest reads: who a token belongs to, and the unit list.
//!
//! An entry is used only while the store's write generation has not moved since it was filled (every
//! committed write in this process moves it) and for at most [`TTL`], which bounds how long a change made by
//! another node of a scaled-out installation can go unseen. Writes through this node are seen at once.

use super::views::UnitView;
use axum::body::Bytes;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use vanthu_domain::access::Actor;
use vanthu_store::TokenKind;

pub const TTL: Duration = Duration::from_secs(2);
const MAX_SESSIONS: usize = 10_000;

#[derive(Clone)]
pub(crate) struct CachedSession {
    pub generation: u64,
    pub at: Instant,
    pub kind: TokenKind,
    pub expires_at: i64,
    pub actor: Actor,
    pub csrf: Option<String>,
}

#[derive(Clone)]
pub(crate) struct CachedUnits {
    pub generation: u64,
    pub at: Instant,
    pub views: Arc<Vec<UnitView>>,
    pub json: Bytes,
}

#[derive(Default)]
pub(crate) struct Caches {
    sessions: Mutex<HashMap<String, CachedSession>>,
    /// Index 0: active units only; 1: with inactive ones.
    units: Mutex<[Option<CachedUnits>; 2]>,
}

fn fresh(generation: u64, at: Instant, now_generation: u64) -> bool {
    generation == now_generation && at.elapsed() < TTL
}

impl Caches {
    pub fn session(&self, digest: &str, generation: u64) -> Option<CachedSession> {
        let map = self.sessions.lock().ok()?;
        map.get(digest)
            .filter(|s| fresh(s.generation, s.at, generation))
            .cloned()
    }

    pub fn put_session(&self, digest: String, s: CachedSession) {
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
            .filter(|u| fresh(u.generation, u.at, generation))
            .cloned()
    }

    pub fn put_units(&self, include_inactive: bool, u: CachedUnits) {
        if let Ok(mut slots) = self.units.lock() {
            slots[include_inactive as usize] = Some(u);
        }
    }
}

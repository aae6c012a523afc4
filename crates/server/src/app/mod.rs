//! The use cases. Each user command is one function that takes the acting identity and the command, checks
//! what the identity may do, applies the domain rules, writes through the store and appends a history event,
//! all in one transaction.

pub mod auth;
pub mod cache;
pub mod delegations;
pub mod doctypes;
pub mod documents;
pub mod exchange;
pub mod flows;
pub mod people;
pub mod registers;
pub mod units;
pub mod views;

use crate::error::{AppError, AppResult};
use std::sync::Arc;
use vanthu_domain::access::Actor;
use vanthu_store::{NewEvent, Store, WriteTx};

/// Settings of the sign-in rules.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Lifetime of an API token.
    pub api_token_ttl_ms: i64,
    /// Lifetime of a web session.
    pub web_session_ttl_ms: i64,
    /// Failures after which each further failure makes the account wait (1 s, 2 s, 4 s … up to a minute).
    pub delay_after: i64,
    /// Failures after which the account is locked for `lock_ms`.
    pub lock_after: i64,
    pub lock_ms: i64,
    /// Whether cookies carry the `Secure` attribute (behind HTTPS).
    pub secure_cookies: bool,
}

impl AuthSettings {
    /// Until when an account with `failed` failures in a row must wait, from `now` (0: no wait).
    pub fn lock_for(&self, failed: i64, now: i64) -> i64 {
        if failed >= self.lock_after {
            now + self.lock_ms
        } else if failed >= self.delay_after {
            let secs = 1i64 << (failed - self.delay_after).min(6);
            now + secs.min(60) * 1000
        } else {
            0
        }
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            api_token_ttl_ms: 12 * 3600 * 1000,
            web_session_ttl_ms: 10 * 3600 * 1000,
            delay_after: 3,
            lock_after: 10,
            lock_ms: 15 * 60 * 1000,
            secure_cookies: false,
        }
    }
}

#[derive(Clone)]
pub struct App {
    pub store: Arc<dyn Store>,
    /// Files of documents, by content hash.
    pub blobs: crate::blobs::Blobs,
    pub auth: AuthSettings,
    pub(crate) caches: Arc<cache::Caches>,
}

/// Stored files nobody refers to are removed once they are this old.
pub const BLOB_SWEEP_AGE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

impl App {
    /// Removes stored files no document refers to, written or stored again more than `age` ago (see
    /// [`crate::blobs`]). Every table that refers to stored files must be asked here.
    pub async fn sweep_blobs(
        &self,
        age: std::time::Duration,
    ) -> AppResult<crate::blobs::SweepReport> {
        let blobs = self.blobs.clone();
        let store = self.store.clone();
        let rt = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || {
            blobs.sweep(age, |hashes| {
                rt.block_on(async {
                    let mut r = store.read().await?;
                    r.referenced_blobs(hashes).await
                })
                .map_err(std::io::Error::other)
            })
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("dọn tệp không còn dùng: {e}")))
    }

    pub fn new(store: Arc<dyn Store>, blobs: crate::blobs::Blobs, auth: AuthSettings) -> App {
        App {
            store,
            blobs,
            auth,
            caches: Arc::new(cache::Caches::new(cache::DEFAULT_TTL)),
        }
    }

    /// Sets how long sessions and the unit list may be served from memory (zero: always read the database).
    pub fn with_cache_ttl(mut self, ttl: std::time::Duration) -> App {
        self.caches = Arc::new(cache::Caches::new(ttl));
        self
    }

    /// The installation acting on its own behalf from the command line (first administrator, imports,
    /// demo): a system administrator that is no account and cannot sign in.
    pub fn installation_actor() -> Actor {
        Actor {
            person_id: 0,
            username: "vanthu".into(),
            full_name: "Hệ thống (dòng lệnh)".into(),
            clearance: vanthu_domain::Clearance(Some(vanthu_domain::Secrecy::TuyetMat)),
            system_admin: true,
            must_change_password: false,
            memberships: vec![],
        }
    }
}

/// Appends a history event inside the command's transaction.
pub(crate) async fn record(
    tx: &mut Box<dyn WriteTx>,
    actor_id: Option<i64>,
    action: &str,
    entity: &str,
    entity_id: i64,
    summary: String,
    details: serde_json::Value,
) -> AppResult<()> {
    tx.append_event(
        &NewEvent {
            // Person 0 is the installation itself (command line, demo), not an account.
            actor_id: actor_id.filter(|id| *id > 0),
            action,
            entity,
            entity_id,
            summary,
            details,
        },
        vanthu_store::now_ms(),
    )
    .await?;
    Ok(())
}

/// Parses an optional local date (`2025-07-01` or `01/07/2025`) into `YYYY-MM-DD`.
pub(crate) fn parse_date(field: &'static str, raw: Option<&str>) -> AppResult<Option<String>> {
    Ok(raw
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| vanthu_domain::document::parse_date(field, "Ngày", s))
        .transpose()?)
}

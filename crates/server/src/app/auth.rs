//! Sign-in: argon2id password hashes, opaque random tokens stored as SHA-256 digests, growing delays and a
//! temporary lock after repeated failures, and a login event for every attempt.

use super::{App, record};
use crate::error::{AppError, AppResult};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use vanthu_domain::access::{Actor, MembershipView};
use vanthu_store::{LoginEvent, TokenKind, now_ms};

/// Hashes a password with argon2id and a random salt, off the async threads.
pub async fn hash_password(password: &str) -> AppResult<String> {
    let pw = password.to_string();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(pw.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// Verifies a password against a PHC string; a malformed hash never verifies.
pub async fn verify_password(password: &str, phc: &str) -> bool {
    let pw = password.to_string();
    let phc = phc.to_string();
    tokio::task::spawn_blocking(move || match PasswordHash::new(&phc) {
        Ok(h) => Argon2::default().verify_password(pw.as_bytes(), &h).is_ok(),
        Err(_) => false,
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password, verified against when the account does not exist, so that the answer
/// takes as long as for a real account.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

async fn dummy_hash() -> AppResult<String> {
    if let Some(h) = DUMMY_HASH.get() {
        return Ok(h.clone());
    }
    let h = hash_password(&random_token()).await?;
    Ok(DUMMY_HASH.get_or_init(|| h).clone())
}

fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A fresh sign-in.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub csrf: String,
    pub expires_at: i64,
    pub person_id: i64,
    pub must_change_password: bool,
}

const BAD_CREDENTIALS: &str = "Tên đăng nhập hoặc mật khẩu không đúng.";

impl App {
    /// Signs a person in. `channel` is `web` or `api`; `ip` is recorded with the attempt.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        kind: TokenKind,
        ip: Option<String>,
    ) -> AppResult<Session> {
        let username = username.trim().to_lowercase();
        if username.is_empty() || password.is_empty() {
            return Err(AppError::Invalid {
                field: "username".into(),
                message: "Nhập tên đăng nhập và mật khẩu.".into(),
            });
        }
        if username.chars().count() > 64
            || password.len() > 1024
            || username.chars().any(char::is_control)
        {
            // No account has such a name or password; record the attempt under a bounded name.
            let mut tx = self.store.write().await?;
            tx.insert_login_event(&LoginEvent {
                id: 0,
                at: now_ms(),
                username: username
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(64)
                    .collect(),
                person_id: None,
                unit_id: None,
                success: false,
                reason: "unknown_user".into(),
                channel: kind.code().into(),
                ip: ip.clone(),
            })
            .await?;
            tx.commit().await?;
            return Err(AppError::Unauthenticated {
                code: "bad_credentials",
                message: BAD_CREDENTIALS.into(),
            });
        }
        let now = now_ms();
        let creds = self.store.read().await?.credentials(&username).await?;
        let unit_id = match &creds {
            Some(c) => self
                .store
                .read()
                .await?
                .memberships(c.person_id)
                .await?
                .first()
                .map(|m| m.unit_id),
            None => None,
        };
        let event = |person_id, success, reason: &str| LoginEvent {
            id: 0,
            at: now,
            username: username.clone(),
            person_id,
            unit_id,
            success,
            reason: reason.into(),
            channel: kind.code().into(),
            ip: ip.clone(),
        };
        let locked = |until: i64| AppError::Locked {
            retry_after: ((until - now) + 999) / 1000,
        };
        let bad = || AppError::Unauthenticated {
            code: "bad_credentials",
            message: BAD_CREDENTIALS.into(),
        };

        let Some(creds) = creds else {
            // Unknown names wait and lock like real accounts, so the answers do not tell which names exist.
            let state = self.caches.unknown_attempt(&username, now, &self.auth);
            let mut tx = self.store.write().await?;
            if let Err(until) = state {
                tx.insert_login_event(&event(None, false, "locked")).await?;
                tx.commit().await?;
                return Err(locked(until));
            }
            tx.insert_login_event(&event(None, false, "unknown_user"))
                .await?;
            tx.commit().await?;
            verify_password(password, &dummy_hash().await?).await;
            return Err(bad());
        };

        // Count the attempt as a failure before checking the password: parallel guesses all count, and
        // none gets past a lock that another one set.
        let mut tx = self.store.write().await?;
        let Some(failed) = tx.reserve_attempt(creds.person_id, now).await? else {
            let until = tx
                .credentials(&username)
                .await?
                .map(|c| c.locked_until)
                .unwrap_or(now);
            tx.insert_login_event(&event(Some(creds.person_id), false, "locked"))
                .await?;
            tx.commit().await?;
            return Err(locked(until));
        };
        let lock = self.auth.lock_for(failed, now);
        tx.set_login_state(creds.person_id, failed, lock).await?;
        tx.commit().await?;

        // An account without a password takes as long to refuse as any other.
        let ok = match &creds.password_hash {
            Some(h) => verify_password(password, h).await,
            None => {
                verify_password(password, &dummy_hash().await?).await;
                false
            }
        };

        let mut tx = self.store.write().await?;
        let fresh = tx
            .credentials(&username)
            .await?
            .ok_or_else(AppError::unauthenticated)?;
        if !ok {
            tx.insert_login_event(&event(Some(fresh.person_id), false, "bad_password"))
                .await?;
            tx.commit().await?;
            return Err(bad());
        }
        // The right password: this attempt was no failure after all.
        tx.set_login_state(fresh.person_id, 0, 0).await?;
        if !fresh.active {
            tx.insert_login_event(&event(Some(fresh.person_id), false, "inactive"))
                .await?;
            tx.commit().await?;
            return Err(AppError::Unauthenticated {
                code: "account_inactive",
                message: "Tài khoản này đã ngừng hoạt động; liên hệ quản trị đơn vị.".into(),
            });
        }
        tx.insert_login_event(&event(Some(fresh.person_id), true, "ok"))
            .await?;
        let token = random_token();
        let csrf = random_token();
        let ttl = match kind {
            TokenKind::Api => self.auth.api_token_ttl_ms,
            TokenKind::Web => self.auth.web_session_ttl_ms,
        };
        tx.insert_token(
            &token_digest(&token),
            fresh.person_id,
            kind,
            Some(&csrf),
            now,
            now + ttl,
        )
        .await?;
        let must_change = tx
            .person(fresh.person_id)
            .await?
            .map(|p| p.must_change_password)
            .unwrap_or(false);
        tx.commit().await?;
        Ok(Session {
            token,
            csrf,
            expires_at: now + ttl,
            person_id: fresh.person_id,
            must_change_password: must_change,
        })
    }

    /// Resolves a presented token to the acting person, or says why it cannot be used.
    pub async fn authenticate(
        &self,
        token: &str,
        kind: TokenKind,
    ) -> AppResult<(Actor, Option<String>)> {
        let digest = token_digest(token);
        // Read the generation before the database: a write committed meanwhile makes the entry stale.
        let generation = self.store.generation();
        if let Some(c) = self.caches.session(&digest, generation)
            && c.kind == kind
            && c.expires_at > now_ms()
        {
            return Ok((c.actor, c.csrf));
        }
        let mut r = self.store.read().await?;
        let Some(t) = r.token(&digest).await? else {
            return Err(AppError::Unauthenticated {
                code: "token_invalid",
                message: "Mã truy cập không hợp lệ; hãy đăng nhập lại.".into(),
            });
        };
        if t.kind != kind {
            return Err(AppError::Unauthenticated {
                code: "token_invalid",
                message: "Mã truy cập không dùng được ở đây; hãy đăng nhập lại.".into(),
            });
        }
        if t.revoked_at.is_some() {
            return Err(AppError::Unauthenticated {
                code: "token_revoked",
                message: "Phiên đăng nhập đã bị thu hồi (đăng xuất hoặc đổi mật khẩu); hãy đăng nhập lại.".into(),
            });
        }
        if t.expires_at <= now_ms() {
            return Err(AppError::Unauthenticated {
                code: "token_expired",
                message: "Phiên đăng nhập đã hết hạn; hãy đăng nhập lại.".into(),
            });
        }
        let p = r
            .person(t.person_id)
            .await?
            .ok_or_else(AppError::unauthenticated)?;
        if !p.active {
            return Err(AppError::Unauthenticated {
                code: "account_inactive",
                message: "Tài khoản này đã ngừng hoạt động; liên hệ quản trị đơn vị.".into(),
            });
        }
        let actor = actor_of(&mut *r, p).await?;
        self.caches.put_session(
            digest,
            super::cache::CachedSession {
                generation,
                at: std::time::Instant::now(),
                kind,
                expires_at: t.expires_at,
                actor: actor.clone(),
                csrf: t.csrf.clone(),
            },
        );
        Ok((actor, t.csrf))
    }

    /// Revokes the presented token.
    pub async fn logout(&self, actor: &Actor, token: &str) -> AppResult<()> {
        let mut tx = self.store.write().await?;
        tx.revoke_token(&token_digest(token), now_ms()).await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "auth.logout",
            "person",
            actor.person_id,
            "Đăng xuất".into(),
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes the actor's own password after checking the current one; every session is revoked.
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
    ) -> AppResult<()> {
        let creds = self
            .store
            .read()
            .await?
            .credentials(&actor.username)
            .await?
            .ok_or_else(AppError::unauthenticated)?;
        // Guesses of the current password count like failed sign-ins: a stolen session cannot try freely.
        let now = now_ms();
        let mut tx = self.store.write().await?;
        let Some(failed) = tx.reserve_attempt(creds.person_id, now).await? else {
            let until = tx
                .credentials(&actor.username)
                .await?
                .map(|c| c.locked_until)
                .unwrap_or(now);
            return Err(AppError::Locked {
                retry_after: ((until - now) + 999) / 1000,
            });
        };
        tx.set_login_state(creds.person_id, failed, self.auth.lock_for(failed, now))
            .await?;
        tx.commit().await?;
        let ok = match &creds.password_hash {
            Some(h) => verify_password(current, h).await,
            None => false,
        };
        if !ok {
            return Err(AppError::Invalid {
                field: "current_password".into(),
                message: "Mật khẩu hiện tại không đúng.".into(),
            });
        }
        // The right current password: that attempt was no failure.
        let mut tx = self.store.write().await?;
        tx.set_login_state(creds.person_id, 0, 0).await?;
        tx.commit().await?;
        if current == new {
            return Err(AppError::Invalid {
                field: "new_password".into(),
                message: "Mật khẩu mới phải khác mật khẩu hiện tại.".into(),
            });
        }
        vanthu_domain::org::check_password(new)?;
        let hash = hash_password(new).await?;
        let mut tx = self.store.write().await?;
        tx.set_password(&actor.own_grant(), &hash, false, now)
            .await?;
        tx.revoke_person_tokens(actor.person_id, now).await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "person.password",
            "person",
            actor.person_id,
            "Tự đổi mật khẩu".into(),
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The person as the access rules see them: roles per unit, clearance, flags.
pub(crate) async fn actor_of(
    tx: &mut dyn vanthu_store::ReadTx,
    p: vanthu_store::Person,
) -> AppResult<Actor> {
    let ms = tx.memberships(p.id).await?;
    Ok(Actor {
        person_id: p.id,
        username: p.username,
        full_name: p.full_name,
        clearance: p.clearance,
        system_admin: p.system_admin,
        must_change_password: p.must_change_password,
        memberships: ms
            .into_iter()
            .map(|m| MembershipView {
                unit_id: m.unit_id,
                roles: m.roles,
            })
            .collect(),
    })
}

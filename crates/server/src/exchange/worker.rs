//! The exchange worker: sends the outbox, pulls the inbox, keeps the directory in step.

use super::{AxisApi, AxisError, inbox, package};
use crate::app::{App, record};
use crate::error::{AppError, AppResult};
use std::sync::Arc;
use std::time::Duration;
use vanthu_edxml::sign::{Algorithm, SigningKey};
use vanthu_store::{Agency, OutboxItem, now_ms};

/// How long a packet that could not be sent waits before the next attempt: 5 s doubling up to an hour.
pub fn backoff(attempts: i64) -> Duration {
    let secs = 5u64.saturating_mul(1u64 << attempts.clamp(0, 10) as u32);
    Duration::from_secs(secs.min(3600))
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    pub imported: usize,
    pub errors: Vec<String>,
}

pub struct Worker {
    app: App,
    axis: Arc<dyn AxisApi>,
    key: Option<SigningKey>,
}

impl Worker {
    /// `key` signs every packet sent; without one, packets go unsigned.
    pub fn new(app: App, axis: Arc<dyn AxisApi>, key: Option<SigningKey>) -> Worker {
        Worker { app, axis, key }
    }

    /// Runs until the task is dropped: the outbox is looked at every second, the axis polled every `poll`, the
    /// directory refreshed every `directory` (and at the start; after a failure, at the next poll).
    pub async fn run(self, poll: Duration, directory: Duration) {
        match self.recover().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                packets = n,
                "packets being sent when the worker stopped are queued again"
            ),
            Err(e) => tracing::warn!(error = %e, "could not requeue packets left being sent"),
        }
        let mut last_poll: Option<tokio::time::Instant> = None;
        let mut next_directory = tokio::time::Instant::now();
        loop {
            let now = tokio::time::Instant::now();
            if now >= next_directory {
                next_directory = match self.sync_directory().await {
                    Ok(n) => {
                        tracing::info!(agencies = n, "axis directory synchronised");
                        now + directory
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "axis directory not synchronised");
                        now + poll.max(Duration::from_secs(5))
                    }
                };
            }
            let r = self.send_due().await;
            if r.sent + r.retried + r.failed > 0 || !r.errors.is_empty() {
                tracing::info!(sent = r.sent, retried = r.retried, failed = r.failed, errors = ?r.errors, "axis outbox");
            }
            if last_poll.is_none_or(|t| now.duration_since(t) >= poll) {
                let r = self.pull_all().await;
                if r.imported > 0 || !r.errors.is_empty() {
                    tracing::info!(imported = r.imported, errors = ?r.errors, "axis inbox");
                }
                last_poll = Some(now);
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Queues again the packets a stopped worker was sending (the axis recognises the same bytes if they did
    /// arrive).
    pub async fn recover(&self) -> AppResult<u64> {
        let mut tx = self.app.store.write().await?;
        let n = tx.outbox_recover().await?;
        tx.commit().await?;
        Ok(n)
    }

    /// One full round: the outbox, then both inboxes.
    pub async fn round(&self) -> Round {
        let mut r = self.send_due().await;
        let p = self.pull_all().await;
        r.imported = p.imported;
        r.errors.extend(p.errors);
        r
    }

    /// Sends what is due.
    pub async fn send_due(&self) -> Round {
        let mut round = Round::default();
        let due = match self.app.store.read().await {
            Ok(mut r) => r.outbox_due(now_ms(), 100).await,
            Err(e) => Err(e),
        };
        let due = match due {
            Ok(d) => d,
            Err(e) => {
                round.errors.push(e.to_string());
                return round;
            }
        };
        for item in due {
            match self.send_one(&item).await {
                Ok(Attempt::Sent) => round.sent += 1,
                Ok(Attempt::Retry) => round.retried += 1,
                Ok(Attempt::Failed) => round.failed += 1,
                Ok(Attempt::Skipped) => {}
                Err(e) => round.errors.push(format!("gói {}: {e}", item.id)),
            }
        }
        round
    }

    /// The signed package of a queued packet, built and stored once (a retry sends the same bytes).
    async fn package_of(&self, item: &OutboxItem) -> AppResult<Vec<u8>> {
        if let Some(sha) = &item.sha256 {
            return self
                .app
                .blobs
                .get(sha)
                .await
                .map_err(|e| AppError::Internal(format!("không đọc được gói tin đã lập: {e}")));
        }
        let bytes = package::build(&self.app, item).await?;
        let bytes = match &self.key {
            Some(k) => vanthu_edxml::sign::sign(&bytes, k, Algorithm::RsaSha256)
                .map_err(|e| AppError::Internal(format!("không ký được gói tin: {e}")))?,
            None => bytes,
        };
        let sha = self
            .app
            .blobs
            .put(axum::body::Bytes::from(bytes.clone()))
            .await
            .map_err(|e| AppError::Internal(format!("không lưu được gói tin: {e}")))?;
        let mut tx = self.app.store.write().await?;
        tx.set_outbox_package(item.id, &sha).await?;
        tx.commit().await?;
        Ok(bytes)
    }

    async fn send_one(&self, item: &OutboxItem) -> AppResult<Attempt> {
        // Taken first: a revocation in the meantime cancels only what is still queued, and a packet cancelled
        // since the list was read is not sent.
        {
            let mut tx = self.app.store.write().await?;
            let claimed = tx.outbox_claim(item.id).await?;
            tx.commit().await?;
            if !claimed {
                return Ok(Attempt::Skipped);
            }
        }
        let bytes = match self.package_of(item).await {
            Ok(b) => b,
            // What cannot be built (a unit without identifier code, a document gone) waits for a person.
            Err(e @ (AppError::Conflict(_) | AppError::NotFound(_))) => {
                self.fail(item, &format!("Không lập được gói tin: {e}"))
                    .await?;
                return Ok(Attempt::Failed);
            }
            Err(e) => {
                // Back in the queue for the next round.
                let mut tx = self.app.store.write().await?;
                let next = now_ms() + backoff(item.attempts).as_millis() as i64;
                tx.outbox_retry(item.id, next, &e.to_string()).await?;
                tx.commit().await?;
                return Err(e);
            }
        };
        match self.axis.send(&item.kind, &bytes).await {
            Ok(axis_id) => {
                let now = now_ms();
                let mut tx = self.app.store.write().await?;
                tx.outbox_sent(item.id, &axis_id, now).await?;
                if let (Some(doc), Some(rid)) = (item.document_id, item.recipient_id)
                    && let Some(r) = tx.recipients(doc).await?.into_iter().find(|r| r.id == rid)
                {
                    let note = if item.code == "revoke" {
                        "Đã gửi yêu cầu thu hồi qua trục liên thông, chờ nơi nhận trả lời"
                            .to_string()
                    } else {
                        format!(
                            "Đã gửi lên trục liên thông (mã gói {axis_id}), chờ nơi nhận báo đã đến"
                        )
                    };
                    tx.set_recipient_status(r.id, r.status, None, Some(&note), now)
                        .await?;
                }
                if let Some(doc) = item.document_id {
                    let what = match (item.kind.as_str(), item.code.as_str()) {
                        ("status", code) => format!(
                            "Đã gửi trạng thái {code} ({}) cho nơi gửi {} qua trục liên thông",
                            package::status_text(code),
                            item.to_code
                        ),
                        (_, "revoke") => {
                            format!(
                                "Đã gửi yêu cầu thu hồi đến {} qua trục liên thông",
                                item.to_code
                            )
                        }
                        _ => format!("Đã gửi đến {} qua trục liên thông", item.to_code),
                    };
                    record(
                        &mut tx,
                        None,
                        "exchange.sent",
                        "document",
                        doc,
                        format!("{what} (mã gói {axis_id})"),
                        serde_json::json!({"outbox_id": item.id, "axis_doc_id": axis_id, "sha256": item.sha256}),
                    )
                    .await?;
                }
                tx.commit().await?;
                Ok(Attempt::Sent)
            }
            Err(AxisError {
                retryable: true,
                message,
            }) => {
                let wait = backoff(item.attempts);
                let next = now_ms() + wait.as_millis() as i64;
                let mut tx = self.app.store.write().await?;
                tx.outbox_retry(item.id, next, &message).await?;
                if let (Some(doc), Some(rid)) = (item.document_id, item.recipient_id)
                    && let Some(r) = tx.recipients(doc).await?.into_iter().find(|r| r.id == rid)
                {
                    let note = format!(
                        "Chưa gửi được qua trục liên thông (lần {}): {message}; sẽ thử lại lúc {}",
                        item.attempts + 1,
                        crate::app::views::local_time(next)
                    );
                    tx.set_recipient_status(r.id, r.status, None, Some(&note), now_ms())
                        .await?;
                }
                tx.commit().await?;
                Ok(Attempt::Retry)
            }
            Err(AxisError { message, .. }) => {
                self.fail(item, &format!("Trục liên thông từ chối: {message}"))
                    .await?;
                Ok(Attempt::Failed)
            }
        }
    }

    async fn fail(&self, item: &OutboxItem, message: &str) -> AppResult<()> {
        let mut tx = self.app.store.write().await?;
        tx.outbox_failed(item.id, message).await?;
        if let (Some(doc), Some(rid)) = (item.document_id, item.recipient_id)
            && let Some(r) = tx.recipients(doc).await?.into_iter().find(|r| r.id == rid)
        {
            let note = format!("{message}. Sửa nguyên nhân rồi gửi lại.");
            tx.set_recipient_status(r.id, r.status, None, Some(&note), now_ms())
                .await?;
        }
        if let Some(doc) = item.document_id {
            record(
                &mut tx,
                None,
                "exchange.failed",
                "document",
                doc,
                format!("Không gửi được đến {}: {message}", item.to_code),
                serde_json::json!({"outbox_id": item.id}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Pulls both kinds of packages waiting on the axis.
    pub async fn pull_all(&self) -> Round {
        let mut round = Round::default();
        // Documents first: a status about a document that arrives in the same round finds it.
        for kind in ["edoc", "status"] {
            match self.pull(kind).await {
                Ok(n) => round.imported += n,
                Err(e) => round.errors.push(e.to_string()),
            }
        }
        round
    }

    /// Pulls the packages of one kind: fetch, store and take, acknowledge. A package that could not be taken
    /// (database down) is not acknowledged, so the axis offers it again.
    pub async fn pull(&self, kind: &str) -> AppResult<usize> {
        let ids = self
            .axis
            .pending(kind)
            .await
            .map_err(|e| AppError::Internal(format!("lấy danh sách gói tin: {e}")))?;
        let mut n = 0;
        // In the axis's order, stopping at the first package that cannot be taken now: a revocation must not
        // overtake the document it revokes.
        for p in ids {
            let id = p.doc_id;
            let bytes = match self.axis.fetch(&id).await {
                Ok(b) => b,
                Err(e) => {
                    tracing::warn!(doc_id = %id, error = %e, "fetching a package failed; the rest waits for the next poll");
                    break;
                }
            };
            let taken = match inbox::import(&self.app, &id, &bytes, Some(&p.from)).await {
                Ok(t) => t,
                Err(e) => {
                    tracing::warn!(doc_id = %id, error = %e, "taking a package failed; it and the rest stay on the axis");
                    break;
                }
            };
            if let Err(e) = self.axis.ack(&id, taken.ack()).await {
                tracing::warn!(doc_id = %id, error = %e, "acknowledging a package failed; the next poll finds it recorded");
            }
            if !taken.again {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Registers this installation's units that carry an identifier code, then takes the axis directory.
    pub async fn sync_directory(&self) -> AppResult<usize> {
        let units = {
            let mut r = self.app.store.read().await?;
            r.units(false).await?
        };
        let listed = self
            .axis
            .agencies()
            .await
            .map_err(|e| AppError::Internal(format!("lấy danh bạ trục: {e}")))?;
        let parents: std::collections::HashMap<i64, Option<String>> =
            units.iter().map(|u| (u.id, u.code.clone())).collect();
        for u in units.iter().filter(|u| u.active) {
            let Some(code) = u.code.clone() else { continue };
            if listed.iter().any(|a| a.code == code && a.name == u.name) {
                continue;
            }
            let pcode = u.parent_id.and_then(|p| parents.get(&p).cloned().flatten());
            let a = super::AxisAgency {
                code,
                name: u.name.clone(),
                pcode,
            };
            if let Err(e) = self.axis.register(&a).await {
                tracing::warn!(code = %a.code, error = %e, "registering a unit on the axis failed");
            }
        }
        let listed = self
            .axis
            .agencies()
            .await
            .map_err(|e| AppError::Internal(format!("lấy danh bạ trục: {e}")))?;
        let now = now_ms();
        let agencies: Vec<Agency> = listed
            .into_iter()
            .map(|a| Agency {
                code: a.code,
                name: a.name,
                pcode: a.pcode,
                synced_at: now,
            })
            .collect();
        let mut tx = self.app.store.write().await?;
        tx.replace_agencies(&agencies).await?;
        tx.commit().await?;
        Ok(agencies.len())
    }
}

enum Attempt {
    Sent,
    Retry,
    Failed,
    /// No longer queued when its turn came.
    Skipped,
}

//! What people see of the exchange over the axis, and what they may do with it: the packets of a document, the
//! outbox and inbox of the installation (system administrators), sending a refused packet again, the raw
//! package of what arrived (for audit), and the directory of agencies.

use super::App;
use super::views::{iso, local_time};
use crate::error::{AppError, AppResult};
use serde::Serialize;
use utoipa::ToSchema;
use vanthu_domain::Role;
use vanthu_domain::access::Actor;
use vanthu_store::{Agency, ExchangeLink, InboxItem, OutboxItem, now_ms};

/// One packet sent (or to send) over the axis.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PacketView {
    pub id: i64,
    /// `edoc` (a document package) or `status` (a status packet).
    pub kind: String,
    /// edoc: `new`, `revoke`, `replace`; status: the code `01`–`16`.
    pub code: String,
    /// What it is, in words.
    pub label: String,
    pub document_id: Option<i64>,
    pub recipient_id: Option<i64>,
    /// The agency it goes to.
    pub to_code: String,
    pub edxml_document_id: String,
    /// `queued` (waiting or being retried), `sent`, `failed` (refused: waits for a person), `cancelled`.
    pub state: String,
    pub state_label: String,
    pub attempts: i64,
    /// When the next attempt is due (queued packets).
    pub next_at: Option<String>,
    pub last_error: Option<String>,
    /// The axis id of the accepted package.
    pub axis_doc_id: Option<String>,
    pub sha256: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub sent_at_local: Option<String>,
}

pub fn packet_view(o: &OutboxItem) -> PacketView {
    let label = match (o.kind.as_str(), o.code.as_str()) {
        ("edoc", "new") => "Gói tin văn bản".to_string(),
        ("edoc", "replace") => "Gói tin văn bản thay thế".to_string(),
        ("edoc", "revoke") => "Yêu cầu thu hồi".to_string(),
        ("status", code) => format!(
            "Trạng thái {code}: {}",
            crate::exchange::package::status_text(code)
        ),
        (_, other) => other.to_string(),
    };
    let state_label = match o.state.as_str() {
        "queued" if o.attempts > 0 => "Đang thử gửi lại",
        "queued" => "Chờ gửi",
        "sent" => "Trục đã nhận",
        "failed" => "Bị từ chối, chờ xử lý",
        "cancelled" => "Đã hủy",
        _ => "Không rõ",
    };
    PacketView {
        id: o.id,
        kind: o.kind.clone(),
        code: o.code.clone(),
        label,
        document_id: o.document_id,
        recipient_id: o.recipient_id,
        to_code: o.to_code.clone(),
        edxml_document_id: o.edxml_document_id.clone(),
        state: o.state.clone(),
        state_label: state_label.into(),
        attempts: o.attempts,
        next_at: (o.state == "queued").then(|| iso(o.next_at)),
        last_error: o.last_error.clone(),
        axis_doc_id: o.axis_doc_id.clone(),
        sha256: o.sha256.clone(),
        created_at: iso(o.created_at),
        sent_at: o.sent_at.map(iso),
        sent_at_local: o.sent_at.map(local_time),
    }
}

/// A package taken from the axis.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InboxView {
    pub id: i64,
    pub axis_doc_id: String,
    pub kind: String,
    pub from_code: Option<String>,
    pub edxml_document_id: Option<String>,
    pub code: Option<String>,
    pub sha256: String,
    pub size: i64,
    /// `created`, `duplicate`, `also_internal`, `unaddressed`, `invalid`, `status`, `revoked`, `not_found`,
    /// `updated`, `unknown_status`.
    pub outcome: String,
    pub outcome_label: String,
    pub note: Option<String>,
    pub received_at: String,
    pub received_at_local: String,
}

pub fn outcome_label(outcome: &str) -> &'static str {
    match outcome {
        "created" => "Đã tạo văn bản đến",
        "duplicate" => "Trùng, đã nhận trước đó",
        "also_internal" => "Đã đến trong hệ thống, đánh dấu",
        "unaddressed" => "Không có đơn vị nhận",
        "invalid" => "Không hợp lệ",
        "status" => "Trạng thái văn bản đã gửi",
        "revoked" => "Thu hồi",
        "updated" => "Cập nhật",
        "not_found" => "Không tìm thấy văn bản",
        "unknown_status" => "Trạng thái không khớp văn bản nào",
        _ => "Khác",
    }
}

pub fn inbox_view(i: &InboxItem) -> InboxView {
    InboxView {
        id: i.id,
        axis_doc_id: i.axis_doc_id.clone(),
        kind: i.kind.clone(),
        from_code: i.from_code.clone(),
        edxml_document_id: i.edxml_document_id.clone(),
        code: i.code.clone(),
        sha256: i.sha256.clone(),
        size: i.size,
        outcome: i.outcome.clone(),
        outcome_label: outcome_label(&i.outcome).into(),
        note: i.note.clone(),
        received_at: iso(i.received_at),
        received_at_local: local_time(i.received_at),
    }
}

/// Where an incoming document came from over the axis.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArrivalView {
    pub inbox_id: i64,
    pub from_code: String,
    /// The sender's `DocumentId`.
    pub edxml_document_id: String,
    pub code: String,
    pub promulgation_date: String,
}

pub fn arrival_view(l: &ExchangeLink) -> ArrivalView {
    ArrivalView {
        inbox_id: l.inbox_id,
        from_code: l.from_code.clone(),
        edxml_document_id: l.edxml_document_id.clone(),
        code: l.code.clone(),
        promulgation_date: l.promulgation_date.clone(),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyView {
    pub code: String,
    pub name: String,
    pub pcode: Option<String>,
    pub synced_at: String,
}

fn agency_view(a: &Agency) -> AgencyView {
    AgencyView {
        code: a.code.clone(),
        name: a.name.clone(),
        pcode: a.pcode.clone(),
        synced_at: iso(a.synced_at),
    }
}

fn system_admin(actor: &Actor) -> AppResult<()> {
    if actor.system_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Chỉ quản trị hệ thống xem và xử lý hàng đợi liên thông.".into(),
        ))
    }
}

impl App {
    /// Packets of the installation, newest first (system administrators).
    pub async fn exchange_outbox(
        &self,
        actor: &Actor,
        state: Option<&str>,
        limit: i64,
    ) -> AppResult<Vec<PacketView>> {
        system_admin(actor)?;
        let mut r = self.store.read().await?;
        Ok(r.outbox_list(state, limit.clamp(1, 1000))
            .await?
            .iter()
            .map(packet_view)
            .collect())
    }

    /// Packages taken from the axis, newest first (system administrators).
    pub async fn exchange_inbox(
        &self,
        actor: &Actor,
        outcome: Option<&str>,
        limit: i64,
    ) -> AppResult<Vec<InboxView>> {
        system_admin(actor)?;
        let mut r = self.store.read().await?;
        Ok(r.inbox_list(outcome, limit.clamp(1, 1000))
            .await?
            .iter()
            .map(inbox_view)
            .collect())
    }

    /// The package as it arrived, byte for byte, with its axis id: for system administrators, and only packages
    /// that became no document here (for nobody, unreadable, statuses, unmatched requests). A package that
    /// became an incoming document is read through that document, by those who may see it.
    pub async fn exchange_package(
        &self,
        actor: &Actor,
        inbox_id: i64,
    ) -> AppResult<(String, Vec<u8>)> {
        system_admin(actor)?;
        let item = {
            let mut r = self.store.read().await?;
            r.inbox_item(inbox_id).await?
        }
        .ok_or_else(|| AppError::NotFound(format!("Không có gói tin số {inbox_id}.")))?;
        if matches!(
            item.outcome.as_str(),
            "created" | "duplicate" | "also_internal" | "revoked" | "updated"
        ) {
            return Err(AppError::Forbidden(
                "Gói tin này đã thành văn bản đến của đơn vị; xem văn bản đó với quyền của đơn vị."
                    .into(),
            ));
        }
        let bytes = self
            .blobs
            .get(&item.sha256)
            .await
            .map_err(|e| AppError::Internal(format!("không đọc được gói tin: {e}")))?;
        Ok((item.axis_doc_id, bytes))
    }

    /// Sends a refused packet again (system administrators, or clerks of the document's unit).
    pub async fn exchange_retry(&self, actor: &Actor, id: i64) -> AppResult<PacketView> {
        let mut tx = self.store.write().await?;
        let item = tx
            .outbox_item(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Không có gói tin số {id}.")))?;
        let unit = match item.document_id {
            Some(d) => tx.document(d).await?.map(|d| d.unit_id),
            None => None,
        };
        let clerk = unit.is_some_and(|u| crate::app::documents::has_role(actor, u, Role::Clerk));
        if !actor.system_admin && !clerk {
            return Err(AppError::Forbidden(
                "Chỉ văn thư của đơn vị gửi hoặc quản trị hệ thống được gửi lại.".into(),
            ));
        }
        // A document revoked since must not go out again.
        if item.kind == "edoc"
            && item.code != "revoke"
            && let Some(d) = item.document_id
            && tx
                .document(d)
                .await?
                .is_some_and(|d| d.state == vanthu_domain::document::DocState::Revoked)
        {
            return Err(AppError::Conflict(
                "Văn bản đã bị thu hồi; không gửi lại gói tin của nó.".into(),
            ));
        }
        if !tx.outbox_requeue(id, now_ms()).await? {
            return Err(AppError::Conflict(
                "Chỉ gửi lại được gói tin bị từ chối.".into(),
            ));
        }
        super::record(
            &mut tx,
            Some(actor.person_id),
            "exchange.retry",
            "document",
            item.document_id.unwrap_or(0),
            format!("Gửi lại gói tin đến {} qua trục liên thông", item.to_code),
            serde_json::json!({"outbox_id": id}),
        )
        .await?;
        let item = tx
            .outbox_item(id)
            .await?
            .ok_or_else(|| AppError::Internal("gói tin vừa gửi lại không còn".into()))?;
        tx.commit().await?;
        Ok(packet_view(&item))
    }

    /// The directory of agencies on the axis (everyone signed in: addressing documents needs it).
    pub async fn exchange_agencies(&self, _actor: &Actor) -> AppResult<Vec<AgencyView>> {
        let mut r = self.store.read().await?;
        Ok(r.agencies().await?.iter().map(agency_view).collect())
    }
}

//! What document commands put in the outbox, inside their own transaction: an issued document addressed to an
//! outside agency, a revocation, and the statuses of a document that came over the axis. The worker sends them
//! later; nothing here talks to the axis, so a command never waits for it and never loses what it queued.

use super::package::{Staff, document_id, status_text};
use crate::error::{AppError, AppResult};
use vanthu_domain::access::Actor;
use vanthu_store::{Document, NewOutbox, Recipient, RecipientStatus, Unit, WriteTx};

/// Who acted, for the StaffInfo of the packets a command queues.
pub fn staff_of(actor: &Actor, unit: Option<&Unit>) -> Staff {
    Staff {
        department: unit.map(|u| u.name.clone()),
        staff: Some(actor.full_name.clone()).filter(|n| !n.is_empty()),
    }
}

/// The DocumentId an issued document goes out with; an error when its unit has no identifier code.
pub fn outgoing_document_id(unit: &Unit, d: &Document) -> AppResult<String> {
    let code = unit.code.as_deref().ok_or_else(|| {
        AppError::Conflict(format!(
            "Đơn vị \"{}\" chưa có mã định danh nên không gửi được qua trục liên thông; quản trị cần nhập mã định danh của đơn vị, hoặc bỏ nơi nhận bên ngoài.",
            unit.name
        ))
    })?;
    Ok(document_id(
        code,
        d.doc_date.as_deref().unwrap_or_default(),
        d.notation.as_deref().unwrap_or_default(),
    ))
}

/// Queues the package of an issued document for one outside recipient (a replacement when the document
/// replaces another).
pub async fn issue(
    tx: &mut Box<dyn WriteTx>,
    unit: &Unit,
    d: &Document,
    r: &Recipient,
    staff: &Staff,
    now: i64,
) -> AppResult<()> {
    let to = r.code.clone().ok_or_else(|| AppError::Invalid {
        field: "recipients".into(),
        message: format!(
            "Nơi nhận \"{}\" gửi qua trục liên thông cần mã định danh.",
            r.name
        ),
    })?;
    tx.insert_outbox(
        &NewOutbox {
            kind: "edoc".into(),
            code: if d.replaces_id.is_some() {
                "replace"
            } else {
                "new"
            }
            .into(),
            document_id: Some(d.id),
            recipient_id: Some(r.id),
            to_code: to,
            edxml_document_id: outgoing_document_id(unit, d)?,
            description: None,
            staff: serde_json::to_string(staff).ok(),
            reference: None,
        },
        now,
    )
    .await?;
    Ok(())
}

/// Revokes what went out over the axis. A package that never left (queued and never tried, or refused by the
/// axis) is cancelled; one that may have arrived (sent, being sent, or tried before — the answer may have been
/// lost) is followed by a revocation package (the recipient answers 16 if it never got it). Returns the
/// recipients that are told.
pub async fn revoke(
    tx: &mut Box<dyn WriteTx>,
    d: &Document,
    reason: &str,
    staff: &Staff,
    now: i64,
) -> AppResult<Vec<i64>> {
    let mut told = Vec::new();
    for o in tx.outbox_of_document(d.id).await? {
        if o.kind != "edoc" || o.code == "revoke" {
            continue;
        }
        if o.state == "cancelled" {
            continue;
        }
        let never_left = o.state == "failed" || (o.state == "queued" && o.attempts == 0);
        // The condition is checked again in the update: a packet taken for sending meanwhile is not cancelled.
        let cancelled = matches!(o.state.as_str(), "queued" | "failed")
            && tx
                .outbox_cancel(o.id, "Văn bản đã bị thu hồi trước khi gửi")
                .await?;
        if cancelled && never_left {
            continue;
        }
        tx.insert_outbox(
            &NewOutbox {
                kind: "edoc".into(),
                code: "revoke".into(),
                document_id: Some(d.id),
                recipient_id: o.recipient_id,
                to_code: o.to_code.clone(),
                edxml_document_id: o.edxml_document_id.clone(),
                description: Some(reason.to_string()),
                staff: serde_json::to_string(staff).ok(),
                reference: None,
            },
            now,
        )
        .await?;
        told.extend(o.recipient_id);
    }
    Ok(told)
}

/// Queues a status packet about a document that came over the axis, when the status moves it forward (or is
/// an answer to a revocation: 15, 16). Returns whether the document came over the axis.
pub async fn status(
    tx: &mut Box<dyn WriteTx>,
    copy: &Document,
    code: &str,
    description: Option<&str>,
    staff: Option<&Staff>,
    now: i64,
) -> AppResult<bool> {
    let Some(link) = tx.exchange_link(copy.id).await? else {
        return Ok(false);
    };
    let rank = |c: &str| -> u8 {
        match c {
            "01" => 1,
            "03" => 2,
            "04" => 3,
            "05" => 4,
            "06" => 5,
            "02" => 6,
            _ => 0,
        }
    };
    if rank(code) > 0 {
        let sent = tx.outbox_of_document(copy.id).await?;
        let best = sent
            .iter()
            .filter(|o| o.kind == "status")
            .map(|o| rank(&o.code))
            .max()
            .unwrap_or(0);
        if rank(code) <= best {
            return Ok(true);
        }
    }
    let text = match description.map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => format!("{}: {d}", status_text(code)),
        None => status_text(code).to_string(),
    };
    tx.insert_outbox(
        &NewOutbox {
            kind: "status".into(),
            code: code.into(),
            document_id: Some(copy.id),
            recipient_id: None,
            to_code: link.from_code.clone(),
            edxml_document_id: link.edxml_document_id.clone(),
            description: Some(text),
            staff: staff.and_then(|s| serde_json::to_string(s).ok()),
            reference: None,
        },
        now,
    )
    .await?;
    Ok(true)
}

/// The status code a recipient state is reported with.
pub fn code_of(s: RecipientStatus) -> Option<&'static str> {
    Some(match s {
        RecipientStatus::Arrived => "01",
        RecipientStatus::Rejected => "02",
        RecipientStatus::Accepted => "03",
        RecipientStatus::Assigned => "04",
        RecipientStatus::Processing => "05",
        RecipientStatus::Done => "06",
        RecipientStatus::Pending | RecipientStatus::Revoked => return None,
    })
}

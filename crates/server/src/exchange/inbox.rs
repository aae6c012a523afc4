//! Packages taken from the axis: each is stored unchanged (by content hash, for audit) and recorded once by its
//! axis id, then turned into what it means here — an incoming document in the addressed unit's clerk queue (with
//! status 01 queued at once), a revocation, update or replacement of one, or the status of a document we sent.
//! Everything a package does happens in one transaction with its inbox row, so a repeated poll finds the row and
//! creates nothing new.

use super::package::{Reference, recipient_status, status_text, urgency};
use super::queue;
use crate::app::{App, record};
use crate::error::{AppError, AppResult};
use vanthu_domain::document::{Channel, Direction, DocState, FileKind, duplicate_key};
use vanthu_edxml::{BusinessDocType, Edoc, Packet, StatusCode};
use vanthu_store::{
    Document, ExchangeLink, InboxItem, NewDocument, NewFile, NewOutbox, RecipientStatus, Unit,
    WriteTx, now_ms,
};

/// What became of one package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The inbox row's outcome (see [`InboxItem::outcome`]).
    pub outcome: String,
    pub note: Option<String>,
    /// Incoming documents created or touched.
    pub documents: Vec<i64>,
    /// Whether the package was taken before (a repeated poll).
    pub again: bool,
}

impl Imported {
    /// The transport status to acknowledge the package with on the axis: `fail` for what could not be read or
    /// has nobody to receive it here (the sender's axis tracking then says it did not arrive; the package is
    /// kept for the administrator all the same).
    pub fn ack(&self) -> &'static str {
        if matches!(self.outcome.as_str(), "invalid" | "unaddressed") {
            "fail"
        } else {
            "done"
        }
    }
}

/// The person that stands for the axis in history and as the author of what arrives.
async fn axis_person(tx: &mut Box<dyn WriteTx>) -> AppResult<i64> {
    Ok(tx
        .person_by_username("@truc")
        .await?
        .ok_or_else(|| AppError::Internal("thiếu tài khoản hệ thống @truc (lược đồ 10)".into()))?
        .id)
}

/// Takes one package fetched from the axis under `axis_doc_id`. `from`: the sender's code as the axis checked
/// it (a package that names another sender is refused).
pub async fn import(
    app: &App,
    axis_doc_id: &str,
    bytes: &[u8],
    from: Option<&str>,
) -> AppResult<Imported> {
    {
        let mut r = app.store.read().await?;
        if let Some(done) = r.inbox_by_axis_id(axis_doc_id).await? {
            return Ok(Imported {
                outcome: done.outcome,
                note: done.note,
                documents: vec![],
                again: true,
            });
        }
    }
    let sha = app
        .blobs
        .put(axum::body::Bytes::copy_from_slice(bytes))
        .await
        .map_err(|e| AppError::Internal(format!("không lưu được gói tin: {e}")))?;
    let mut row = InboxItem {
        id: 0,
        axis_doc_id: axis_doc_id.to_string(),
        kind: "edoc".into(),
        from_code: None,
        edxml_document_id: None,
        code: None,
        sha256: sha.clone(),
        size: bytes.len() as i64,
        outcome: "invalid".into(),
        note: None,
        received_at: now_ms(),
    };
    let decoded = match vanthu_edxml::read(bytes) {
        Ok(d) => d,
        Err(e) => {
            row.note = Some(format!("Gói tin không đọc được: {e}"));
            return finish_alone(app, row).await;
        }
    };
    // A signature that does not check out means the package was changed on the way: refuse it.
    let signature = match vanthu_edxml::sign::verify(bytes, vanthu_edxml::sign::Trust::Embedded) {
        Ok(v) if v.valid => "có chữ ký số hợp lệ".to_string(),
        Ok(v) => {
            row.note = Some(format!(
                "Chữ ký số của gói tin không hợp lệ: {}",
                v.reason.unwrap_or_default()
            ));
            return finish_alone(app, row).await;
        }
        Err(vanthu_edxml::sign::SignError::NotSigned) => "không có chữ ký số".to_string(),
        Err(e) => format!("không kiểm tra được chữ ký số: {e}"),
    };
    let named = match &decoded.value {
        Packet::Edoc(e) => e.header.from.as_ref().map(|f| f.organ_id.trim()),
        Packet::Status(st) => st.from.as_ref().map(|f| f.organ_id.trim()),
    }
    .unwrap_or_default()
    .to_string();
    if let Some(checked) = from.map(str::trim).filter(|f| !f.is_empty())
        && checked != named
    {
        row.from_code = Some(named.clone()).filter(|s| !s.is_empty());
        row.note = Some(format!(
            "Nơi gửi ghi trong gói tin ({named}) khác nơi gửi trục liên thông xác nhận ({checked})."
        ));
        return finish_alone(app, row).await;
    }
    // Attachments are stored before the transaction: the writers of the installation do not wait on their disk
    // writes. (A file whose transaction then fails is swept later like any unreferenced file.)
    let mut files: Vec<NewFile> = Vec::new();
    if let Packet::Edoc(e) = &decoded.value
        && !matches!(
            e.trace.business.as_ref().map(|b| &b.doc_type),
            Some(BusinessDocType::Revoke | BusinessDocType::Update)
        )
    {
        for (i, a) in e.attachments.iter().enumerate() {
            let sha = app
                .blobs
                .put(axum::body::Bytes::copy_from_slice(&a.data))
                .await
                .map_err(|x| AppError::Internal(format!("không lưu được tệp đính kèm: {x}")))?;
            let name = if a.name.trim().is_empty() {
                format!("tep-{}", i + 1)
            } else {
                a.name.trim().to_string()
            };
            files.push(NewFile {
                kind: if i == 0 {
                    FileKind::Main
                } else {
                    FileKind::Appendix
                },
                media_type: vanthu_edxml::attachment::mime_for_name(&name).to_string(),
                name,
                size: a.data.len() as i64,
                sha256: sha,
                version: 1,
                frozen: true,
                uploaded_by: 0,
            });
        }
    }
    let mut tx = app.store.write().await?;
    // Another worker (or an earlier attempt) may have taken it meanwhile.
    if let Some(done) = tx.inbox_by_axis_id(axis_doc_id).await? {
        return Ok(Imported {
            outcome: done.outcome,
            note: done.note,
            documents: vec![],
            again: true,
        });
    }
    let who = axis_person(&mut tx).await?;
    let result = match decoded.value {
        Packet::Status(st) => {
            row.kind = "status".into();
            apply_status(&mut tx, &mut row, &st, who).await?
        }
        Packet::Edoc(e) => {
            row.from_code = e.header.from.as_ref().map(|f| f.organ_id.clone());
            row.edxml_document_id = Some(e.header.document_id.clone());
            row.code = Some(
                match e.trace.business.as_ref().map(|b| &b.doc_type) {
                    Some(BusinessDocType::Revoke) => "revoke",
                    Some(BusinessDocType::Update) => "update",
                    Some(BusinessDocType::Replace) => "replace",
                    _ => "new",
                }
                .into(),
            );
            for f in &mut files {
                f.uploaded_by = who;
            }
            apply_edoc(&mut tx, &mut row, &e, who, &signature, &files).await?
        }
    };
    tx.commit().await?;
    Ok(result)
}

/// Records a package that does nothing here (unreadable, tampered).
async fn finish_alone(app: &App, mut row: InboxItem) -> AppResult<Imported> {
    let mut tx = app.store.write().await?;
    if tx.inbox_by_axis_id(&row.axis_doc_id).await?.is_none() {
        row.id = tx.insert_inbox(&row).await?;
        record(
            &mut tx,
            None,
            "exchange.invalid",
            "exchange_inbox",
            row.id,
            format!(
                "Gói tin {} từ trục liên thông bị từ chối: {}",
                row.axis_doc_id,
                row.note.clone().unwrap_or_default()
            ),
            serde_json::json!({"axis_doc_id": row.axis_doc_id, "sha256": row.sha256}),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(Imported {
        outcome: row.outcome,
        note: row.note,
        documents: vec![],
        again: false,
    })
}

async fn insert_row(
    tx: &mut Box<dyn WriteTx>,
    row: &mut InboxItem,
    outcome: &str,
    note: String,
    documents: Vec<i64>,
) -> AppResult<Imported> {
    row.outcome = outcome.to_string();
    row.note = Some(note);
    row.id = tx.insert_inbox(row).await?;
    Ok(Imported {
        outcome: row.outcome.clone(),
        note: row.note.clone(),
        documents,
        again: false,
    })
}

/// The units of this installation a package is addressed to (by identifier code, active units only).
async fn addressed_units(tx: &mut Box<dyn WriteTx>, e: &Edoc) -> AppResult<Vec<Unit>> {
    let mut out: Vec<Unit> = Vec::new();
    for to in &e.header.to {
        let code = to.organ_id.trim();
        if code.is_empty() {
            continue;
        }
        if let Some(u) = tx.unit_by_code(code).await?
            && u.active
            && !out.iter().any(|x| x.id == u.id)
        {
            out.push(u);
        }
    }
    Ok(out)
}

/// The document a revocation, update or replacement is about.
fn target_of(e: &Edoc) -> Option<String> {
    let b = e.trace.business.as_ref();
    e.header
        .response_for
        .first()
        .map(|r| r.document_id.clone())
        .or_else(|| b.and_then(|b| b.document_id.clone()))
        .or_else(|| {
            b.and_then(|b| b.replacements.first())
                .map(|r| r.document_id.clone())
        })
        .filter(|s| !s.trim().is_empty())
}

async fn apply_edoc(
    tx: &mut Box<dyn WriteTx>,
    row: &mut InboxItem,
    e: &Edoc,
    who: i64,
    signature: &str,
    files: &[NewFile],
) -> AppResult<Imported> {
    let from = e
        .header
        .from
        .as_ref()
        .map(|f| f.organ_id.trim().to_string())
        .unwrap_or_default();
    if from.is_empty() {
        row.outcome = "invalid".into();
        return insert_row(
            tx,
            row,
            "invalid",
            "Gói tin không có cơ quan gửi (From/OrganId).".into(),
            vec![],
        )
        .await;
    }
    let units = addressed_units(tx, e).await?;
    if units.is_empty() {
        let codes: Vec<&str> = e.header.to.iter().map(|t| t.organ_id.as_str()).collect();
        let note = format!(
            "Không có đơn vị nào của hệ thống mang mã định danh nơi nhận ({}); gói tin được lưu để quản trị xử lý.",
            codes.join(", ")
        );
        let out = insert_row(tx, row, "unaddressed", note.clone(), vec![]).await?;
        record(
            tx,
            Some(who),
            "exchange.unaddressed",
            "exchange_inbox",
            row.id,
            note,
            serde_json::json!({"axis_doc_id": row.axis_doc_id, "to": codes}),
        )
        .await?;
        return Ok(out);
    }
    let business = e
        .trace
        .business
        .as_ref()
        .map(|b| b.doc_type.clone())
        .unwrap_or_default();
    match business {
        BusinessDocType::Revoke | BusinessDocType::Update => {
            let revoke = business == BusinessDocType::Revoke;
            let target = target_of(e).unwrap_or_else(|| e.header.document_id.clone());
            let reason = e
                .trace
                .business
                .as_ref()
                .and_then(|b| b.reason.clone())
                .unwrap_or_default();
            let links = tx.exchange_links_for(&from, &target).await?;
            let mut touched = Vec::new();
            for link in links
                .iter()
                .filter(|l| units.iter().any(|u| u.id == l.unit_id))
            {
                let Some(mut d) = tx.lock_document(link.document_id).await? else {
                    continue;
                };
                if revoke {
                    revoke_copy(tx, &mut d, &reason, who, &row.axis_doc_id).await?;
                } else {
                    update_from(&mut d, e);
                    tx.update_document(&d, now_ms()).await?;
                    record(
                        tx,
                        Some(who),
                        "document.update",
                        "document",
                        d.id,
                        format!(
                            "Nơi gửi cập nhật thông tin văn bản (qua trục liên thông): {reason}"
                        ),
                        serde_json::json!({"axis_doc_id": row.axis_doc_id}),
                    )
                    .await?;
                }
                answer_15(tx, &d, &reason).await?;
                touched.push(d.id);
            }
            if touched.is_empty() {
                // Nothing of ours: answer 16 from the first addressed unit.
                let reference = Reference {
                    unit_id: units[0].id,
                    organ_id: from.clone(),
                    code: e
                        .header
                        .response_for
                        .first()
                        .map(|r| r.code.clone())
                        .unwrap_or_else(|| e.header.code.display()),
                    promulgation_date: e
                        .header
                        .response_for
                        .first()
                        .map(|r| r.promulgation_date.as_str().to_string())
                        .unwrap_or_else(|| e.header.promulgation.date.as_str().to_string()),
                    document_id: target.clone(),
                };
                tx.insert_outbox(
                    &NewOutbox {
                        kind: "status".into(),
                        code: "16".into(),
                        document_id: None,
                        recipient_id: None,
                        to_code: from.clone(),
                        edxml_document_id: target.clone(),
                        description: Some(format!(
                            "{}: không tìm thấy văn bản {target}",
                            status_text("16")
                        )),
                        staff: None,
                        reference: serde_json::to_string(&reference).ok(),
                    },
                    now_ms(),
                )
                .await?;
                return insert_row(
                    tx,
                    row,
                    "not_found",
                    format!(
                        "Không tìm thấy văn bản {target} để {}; đã trả lời 16.",
                        if revoke { "thu hồi" } else { "cập nhật" }
                    ),
                    vec![],
                )
                .await;
            }
            let outcome = if revoke { "revoked" } else { "updated" };
            insert_row(
                tx,
                row,
                outcome,
                format!(
                    "{} {} văn bản; đã trả lời 15.",
                    if revoke { "Thu hồi" } else { "Cập nhật" },
                    touched.len()
                ),
                touched,
            )
            .await
        }
        _ => {
            let replaced = if business == BusinessDocType::Replace {
                target_of(e)
            } else {
                None
            };
            let mut created = Vec::new();
            let mut notes = Vec::new();
            let mut duplicates = 0;
            let mut also_internal = 0;
            // The inbox row first: the links below refer to it.
            row.outcome = "created".into();
            row.id = tx.insert_inbox(row).await?;
            for unit in &units {
                let existing: Vec<ExchangeLink> = tx
                    .exchange_links_for(&from, &e.header.document_id)
                    .await?
                    .into_iter()
                    .filter(|l| l.unit_id == unit.id)
                    .collect();
                if !existing.is_empty() {
                    duplicates += 1;
                    notes.push(format!(
                        "{}: đã nhận trước đó (văn bản {})",
                        unit.name, existing[0].document_id
                    ));
                    continue;
                }
                let doc_date = e
                    .header
                    .promulgation
                    .date
                    .date()
                    .map(|d| format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day()));
                let author = e
                    .header
                    .from
                    .as_ref()
                    .and_then(|f| f.organ_name.clone().or(f.organization_in_charge.clone()))
                    .unwrap_or_else(|| from.clone());
                let notation = Some(e.header.code.display()).filter(|s| !s.is_empty());
                // The same document already came inside the installation (an internal copy): flag it, do not
                // double it; its statuses now also go back over the axis.
                if let Some(n) = &notation {
                    let (ka, kn) = duplicate_key(&author, n);
                    let twins: Vec<Document> = tx
                        .find_duplicates(unit.id, &ka, &kn, doc_date.as_deref(), 3)
                        .await?
                        .into_iter()
                        .filter(|d| {
                            d.channel == Some(Channel::Internal)
                                && d.direction == Direction::Incoming
                        })
                        .collect();
                    if let Some(twin) = twins.first() {
                        if tx.exchange_link(twin.id).await?.is_some() {
                            // Already linked to another package of the same document: nothing new.
                            duplicates += 1;
                            notes.push(format!(
                                "{}: đã nhận trước đó (văn bản {})",
                                unit.name, twin.id
                            ));
                            continue;
                        }
                        tx.insert_exchange_link(&link_for(twin.id, unit.id, row.id, &from, e))
                            .await?;
                        record(
                            tx,
                            Some(who),
                            "document.also_axis",
                            "document",
                            twin.id,
                            format!(
                                "Văn bản này cũng đến qua trục liên thông (gói {}): không tạo bản trùng",
                                row.axis_doc_id
                            ),
                            serde_json::json!({"axis_doc_id": row.axis_doc_id}),
                        )
                        .await?;
                        if let Some(code) = state_code(twin.state) {
                            queue::status(tx, twin, code, None, None, now_ms()).await?;
                        }
                        also_internal += 1;
                        notes.push(format!(
                            "{}: đã có bản đến trong hệ thống (văn bản {}), đánh dấu, không tạo bản trùng",
                            unit.name, twin.id
                        ));
                        created.push(twin.id);
                        continue;
                    }
                }
                let replaces_id = match &replaced {
                    Some(old) => tx
                        .exchange_links_for(&from, old)
                        .await?
                        .into_iter()
                        .find(|l| l.unit_id == unit.id)
                        .map(|l| l.document_id),
                    None => None,
                };
                let types = tx.document_types(false).await?;
                let doc_type = e.header.document_type.type_name.as_deref().and_then(|n| {
                    let folded = vanthu_domain::text::fold_ascii(n);
                    types
                        .iter()
                        .find(|t| vanthu_domain::text::fold_ascii(&t.name) == folded)
                        .map(|t| t.code.clone())
                });
                let id = tx
                    .insert_document(
                        &NewDocument {
                            unit_id: unit.id,
                            direction: Direction::Incoming,
                            state: DocState::Received,
                            doc_type,
                            subject: subject_of(e),
                            notation: notation.clone(),
                            doc_date: doc_date.clone(),
                            author: Some(author.clone()),
                            author_code: Some(from.clone()),
                            signer: e.header.signer.as_ref().and_then(|s| s.full_name.clone()),
                            pages: e
                                .header
                                .other_info
                                .page_amount
                                .as_deref()
                                .and_then(|p| p.trim().parse().ok())
                                .filter(|p: &i64| (1..=100_000).contains(p)),
                            copies: None,
                            urgency: urgency(&e.header.other_info.priority),
                            secrecy: None,
                            deadline: e.header.due_date.as_ref().and_then(|d| d.date()).map(|d| {
                                format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
                            }),
                            channel: Some(Channel::Axis),
                            received_at: Some(now_ms()),
                            signer_id: None,
                            review_plan: None,
                            flow_version_id: None,
                            source_id: None,
                            reply_to_id: None,
                            replaces_id,
                            note: None,
                            created_by: who,
                        },
                        now_ms(),
                    )
                    .await?;
                for f in files {
                    tx.insert_file(id, f, now_ms()).await?;
                }
                tx.insert_exchange_link(&link_for(id, unit.id, row.id, &from, e))
                    .await?;
                let d = tx
                    .document(id)
                    .await?
                    .ok_or_else(|| AppError::Internal(format!("văn bản {id} vừa tạo không còn")))?;
                record(
                    tx,
                    Some(who),
                    "document.arrive",
                    "document",
                    id,
                    format!(
                        "Đến từ {author} qua trục liên thông (gói {}, {signature}): {}",
                        row.axis_doc_id, d.subject
                    ),
                    serde_json::json!({"axis_doc_id": row.axis_doc_id, "from": from, "document_id": e.header.document_id, "sha256": row.sha256}),
                )
                .await?;
                queue::status(tx, &d, "01", None, None, now_ms()).await?;
                if let Some(old_id) = replaces_id
                    && let Some(mut old) = tx.lock_document(old_id).await?
                {
                    crate::app::documents::revoke_copy(
                        tx,
                        &mut old,
                        &format!("Được thay thế bằng văn bản {id}"),
                        now_ms(),
                    )
                    .await?;
                    record(
                        tx,
                        Some(who),
                        "document.replace",
                        "document",
                        old_id,
                        format!("Được nơi gửi thay thế bằng văn bản {id} (qua trục liên thông)"),
                        serde_json::json!({"replaced_by": id}),
                    )
                    .await?;
                    queue::status(
                        tx,
                        &old,
                        "15",
                        Some("Đã nhận văn bản thay thế"),
                        None,
                        now_ms(),
                    )
                    .await?;
                }
                created.push(id);
                notes.push(format!("{}: văn bản {id}", unit.name));
            }
            let outcome = if duplicates == units.len() {
                "duplicate"
            } else if also_internal > 0 && also_internal + duplicates == units.len() {
                "also_internal"
            } else {
                "created"
            };
            row.outcome = outcome.into();
            row.note = Some(format!("{} ({signature})", notes.join("; ")));
            tx.set_inbox_outcome(row.id, &row.outcome, row.note.as_deref())
                .await?;
            Ok(Imported {
                outcome: row.outcome.clone(),
                note: row.note.clone(),
                documents: created,
                again: false,
            })
        }
    }
}

/// Revokes an incoming copy on its sender's request (NĐ 30 Điều 18.4: the recipient cancels it): its handlers'
/// work stops. A copy already revoked (a replacement came first, or the request is repeated) is left as it is.
async fn revoke_copy(
    tx: &mut Box<dyn WriteTx>,
    d: &mut Document,
    reason: &str,
    who: i64,
    axis_doc_id: &str,
) -> AppResult<()> {
    if !crate::app::documents::revoke_copy(tx, d, reason, now_ms()).await? {
        return Ok(());
    }
    record(
        tx,
        Some(who),
        "document.revoke",
        "document",
        d.id,
        format!("Bị thu hồi bởi nơi gửi (qua trục liên thông): {reason}"),
        serde_json::json!({"axis_doc_id": axis_doc_id}),
    )
    .await
}

/// Answers 15 about a copy, once: a repeated request does not send it again.
async fn answer_15(tx: &mut Box<dyn WriteTx>, d: &Document, reason: &str) -> AppResult<()> {
    let answered = tx
        .outbox_of_document(d.id)
        .await?
        .iter()
        .any(|o| o.kind == "status" && o.code == "15");
    if !answered {
        queue::status(tx, d, "15", Some(reason), None, now_ms()).await?;
    }
    Ok(())
}

fn subject_of(e: &Edoc) -> String {
    let s = e.header.subject.trim();
    if s.is_empty() {
        "(Không có trích yếu)".into()
    } else {
        s.chars().take(2000).collect()
    }
}

/// Applies the metadata of an update package to an incoming document.
fn update_from(d: &mut Document, e: &Edoc) {
    if !e.header.subject.trim().is_empty() {
        d.subject = subject_of(e);
    }
    if let Some(due) = e.header.due_date.as_ref().and_then(|x| x.date()) {
        d.deadline = Some(format!(
            "{:04}-{:02}-{:02}",
            due.year(),
            due.month() as u8,
            due.day()
        ));
    }
    if let Some(s) = e.header.signer.as_ref().and_then(|s| s.full_name.clone()) {
        d.signer = Some(s);
    }
    d.urgency = urgency(&e.header.other_info.priority);
}

fn link_for(document_id: i64, unit_id: i64, inbox_id: i64, from: &str, e: &Edoc) -> ExchangeLink {
    ExchangeLink {
        document_id,
        inbox_id,
        unit_id,
        from_code: from.to_string(),
        edxml_document_id: e.header.document_id.clone(),
        code: e.header.code.display(),
        promulgation_date: e.header.promulgation.date.as_str().to_string(),
    }
}

/// The status an incoming document's state is reported with.
fn state_code(s: DocState) -> Option<&'static str> {
    Some(match s {
        DocState::Received => "01",
        DocState::Rejected => "02",
        DocState::Registered | DocState::Presented => "03",
        DocState::Assigned => "04",
        DocState::Processing => "05",
        DocState::Done => "06",
        _ => return None,
    })
}

/// A status packet about a document we sent: moves the recipient's state forward and keeps the trail.
async fn apply_status(
    tx: &mut Box<dyn WriteTx>,
    row: &mut InboxItem,
    st: &vanthu_edxml::Status,
    who: i64,
) -> AppResult<Imported> {
    let from = st
        .from
        .as_ref()
        .map(|f| f.organ_id.trim().to_string())
        .unwrap_or_default();
    let code = st.status_code.code().to_string();
    row.from_code = Some(from.clone()).filter(|s| !s.is_empty());
    row.edxml_document_id = Some(st.response_for.document_id.clone());
    row.code = Some(code.clone());
    // 13 from the sender of a document we received: a request to revoke it (some systems revoke with a status
    // packet rather than a revocation package).
    if st.status_code == StatusCode::Revoked && from == st.response_for.organ_id.trim() {
        let links = tx
            .exchange_links_for(&from, &st.response_for.document_id)
            .await?;
        let reason = st
            .description
            .clone()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "Nơi gửi thu hồi văn bản".into());
        let mut touched = Vec::new();
        for link in &links {
            if let Some(mut d) = tx.lock_document(link.document_id).await? {
                revoke_copy(tx, &mut d, &reason, who, &row.axis_doc_id).await?;
                answer_15(tx, &d, &reason).await?;
                touched.push(d.id);
            }
        }
        return if touched.is_empty() {
            insert_row(
                tx,
                row,
                "not_found",
                format!(
                    "Yêu cầu thu hồi (13) văn bản {} không khớp văn bản đến nào.",
                    st.response_for.document_id
                ),
                vec![],
            )
            .await
        } else {
            insert_row(
                tx,
                row,
                "revoked",
                format!(
                    "Thu hồi {} văn bản theo trạng thái 13; đã trả lời 15.",
                    touched.len()
                ),
                touched,
            )
            .await
        };
    }
    let sent = tx
        .outbox_sent_to(&st.response_for.document_id, &from)
        .await?;
    let mut touched = Vec::new();
    let text = st
        .description
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| status_text(&code).to_string());
    let mut seen = std::collections::HashSet::new();
    for o in sent.iter().filter(|o| o.code != "revoke") {
        let (Some(doc_id), Some(rid)) = (o.document_id, o.recipient_id) else {
            continue;
        };
        if !seen.insert(rid) {
            continue;
        }
        let Some(r) = tx
            .recipients(doc_id)
            .await?
            .into_iter()
            .find(|r| r.id == rid)
        else {
            continue;
        };
        let now = now_ms();
        match (recipient_status(&st.status_code), &st.status_code) {
            (Some(s), _) if s.rank() > r.status.rank() => {
                tx.set_recipient_status(r.id, s, None, Some(&text), now)
                    .await?;
            }
            (Some(_), _) => {}
            (None, StatusCode::ChangeAccepted) => {
                let note = if r.status == RecipientStatus::Revoked {
                    "Nơi nhận đã đồng ý thu hồi"
                } else {
                    "Nơi nhận đã đồng ý cập nhật"
                };
                tx.set_recipient_status(r.id, r.status, None, Some(note), now)
                    .await?;
            }
            (None, StatusCode::ChangeRejected) => {
                let note = format!("Nơi nhận từ chối thu hồi/cập nhật: {text}");
                tx.set_recipient_status(r.id, r.status, None, Some(&note), now)
                    .await?;
            }
            (None, _) => {
                tx.set_recipient_status(r.id, r.status, None, Some(&text), now)
                    .await?;
            }
        }
        record(
            tx,
            Some(who),
            "document.status",
            "document",
            doc_id,
            format!(
                "{} ({from}): {} ({code}) — {text}",
                r.name,
                st.status_code.name_vi().unwrap_or("trạng thái khác")
            ),
            serde_json::json!({"axis_doc_id": row.axis_doc_id, "code": code, "from": from}),
        )
        .await?;
        touched.push(doc_id);
    }
    if touched.is_empty() {
        return insert_row(
            tx,
            row,
            "unknown_status",
            format!(
                "Trạng thái {code} từ {from} về văn bản {} không khớp văn bản nào đã gửi.",
                st.response_for.document_id
            ),
            vec![],
        )
        .await;
    }
    insert_row(tx, row, "status", format!("{code}: {text}"), touched).await
}

//! Packages this installation writes: a document package (new, revocation, replacement) for one outside
//! recipient, and a status packet about a document that came over the axis (standards.md §3, §4, §7).

use crate::app::App;
use crate::error::{AppError, AppResult};
use vanthu_domain::document::{RecipientStatus, Urgency};
use vanthu_edxml::{
    Attachment, Business, BusinessDocType, Code, DocumentType, EdDate, EdTimestamp, Edoc,
    MessageHeader, Organization, OtherInfo, Priority, PromulgationInfo, ReplacementInfo,
    ResponseFor, SignerInfo, StaffInfo, Status, StatusCode, SteeringType, TraceHeader,
    TraceHeaderList,
};
use vanthu_store::{Document, OutboxItem, ReadTx, Unit};

/// The `DocumentId` of a document issued by `unit_code` on `date` (`YYYY-MM-DD`) as `notation`:
/// `000.00.00.G22,2024/05/20,123/VPCP-TTĐT` (standards.md §3.2).
pub fn document_id(unit_code: &str, date: &str, notation: &str) -> String {
    format!("{unit_code},{},{notation}", date.replace('-', "/"))
}

/// `Code` of a notation `123/VPCP-TTĐT`: the number before the first slash, the rest after it.
pub fn split_notation(notation: &str) -> Code {
    match notation.split_once('/') {
        Some((n, rest)) if !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) => Code {
            number: n.to_string(),
            notation: rest.to_string(),
        },
        _ => Code {
            number: String::new(),
            notation: notation.to_string(),
        },
    }
}

/// `yyyy/MM/dd` of a stored `YYYY-MM-DD` date.
pub fn ed_date(date: Option<&str>) -> EdDate {
    date.and_then(|d| {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(d, &fmt).ok()
    })
    .map(EdDate::new)
    .unwrap_or_else(|| EdDate::from_text(""))
}

/// The local time of Việt Nam now, as a package timestamp.
pub fn now_timestamp() -> EdTimestamp {
    let now = time::OffsetDateTime::now_utc().to_offset(crate::app::views::vn_offset());
    EdTimestamp::new(time::PrimitiveDateTime::new(now.date(), now.time()))
}

pub fn priority(u: Urgency) -> Priority {
    match u {
        Urgency::Normal => Priority::Normal,
        Urgency::Khan => Priority::Urgent,
        Urgency::ThuongKhan => Priority::VeryUrgent,
        Urgency::HoaToc => Priority::Flash,
    }
}

pub fn urgency(p: &Priority) -> Urgency {
    match p {
        Priority::Urgent => Urgency::Khan,
        Priority::VeryUrgent => Urgency::ThuongKhan,
        Priority::Flash | Priority::FlashTimed => Urgency::HoaToc,
        _ => Urgency::Normal,
    }
}

/// The status code a recipient's state is reported with, and back.
pub fn status_code(s: RecipientStatus) -> Option<StatusCode> {
    Some(match s {
        RecipientStatus::Arrived => StatusCode::Arrived,
        RecipientStatus::Rejected => StatusCode::Rejected,
        RecipientStatus::Accepted => StatusCode::Accepted,
        RecipientStatus::Assigned => StatusCode::Assigned,
        RecipientStatus::Processing => StatusCode::Processing,
        RecipientStatus::Done => StatusCode::Finished,
        RecipientStatus::Pending | RecipientStatus::Revoked => return None,
    })
}

pub fn recipient_status(code: &StatusCode) -> Option<RecipientStatus> {
    Some(match code {
        StatusCode::Arrived => RecipientStatus::Arrived,
        StatusCode::Rejected => RecipientStatus::Rejected,
        StatusCode::Accepted => RecipientStatus::Accepted,
        StatusCode::Assigned => RecipientStatus::Assigned,
        StatusCode::Processing => RecipientStatus::Processing,
        StatusCode::Finished => RecipientStatus::Done,
        _ => return None,
    })
}

/// What a status packet says by default, for the sender's clerk.
pub fn status_text(code: &str) -> &'static str {
    match code {
        "01" => "Đã đến - Phần mềm quản lý văn bản đã nhận, văn thư chưa xử lý",
        "02" => "Từ chối tiếp nhận",
        "03" => "Đã tiếp nhận - đã vào sổ văn bản đến",
        "04" => "Lãnh đạo đã phân công xử lý",
        "05" => "Đang xử lý văn bản đến",
        "06" => "Đã xử lý xong",
        "13" => "Thu hồi văn bản",
        "15" => "Đồng ý thu hồi/cập nhật",
        "16" => "Từ chối thu hồi/cập nhật",
        _ => "Trạng thái khác",
    }
}

fn organization(unit: &Unit) -> AppResult<Organization> {
    let code = unit.code.clone().ok_or_else(|| {
        AppError::Conflict(format!(
            "Đơn vị \"{}\" chưa có mã định danh nên không gửi, nhận được qua trục liên thông.",
            unit.name
        ))
    })?;
    Ok(Organization {
        organ_id: code,
        organization_in_charge: Some(unit.name.clone()),
        organ_name: Some(unit.name.clone()),
        ..Organization::default()
    })
}

/// Who acted, as the StaffInfo of a packet (stored as JSON on the outbox row).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Staff {
    pub department: Option<String>,
    pub staff: Option<String>,
}

fn staff_info(json: Option<&str>) -> Option<StaffInfo> {
    let s: Staff = serde_json::from_str(json?).ok()?;
    Some(StaffInfo {
        department: s.department,
        staff: s.staff,
        ..StaffInfo::default()
    })
}

/// What a status packet about no document of ours answers (stored as JSON on its outbox row).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Reference {
    /// The unit the request was addressed to: the status comes from it.
    pub unit_id: i64,
    pub organ_id: String,
    pub code: String,
    pub promulgation_date: String,
    pub document_id: String,
}

async fn build_status(r: &mut dyn ReadTx, item: &OutboxItem) -> AppResult<Vec<u8>> {
    let (unit_id, response_for) = match item.document_id {
        Some(id) => {
            let d = r
                .document(id)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("Không còn văn bản số {id}.")))?;
            let link = r.exchange_link(id).await?.ok_or_else(|| {
                AppError::Internal(format!("văn bản {id} không đến qua trục liên thông"))
            })?;
            (
                d.unit_id,
                ResponseFor {
                    organ_id: link.from_code,
                    code: link.code,
                    promulgation_date: EdDate::from_text(link.promulgation_date),
                    document_id: link.edxml_document_id,
                },
            )
        }
        None => {
            let re: Reference = serde_json::from_str(item.reference.as_deref().unwrap_or(""))
                .map_err(|e| AppError::Internal(format!("gói trạng thái {}: {e}", item.id)))?;
            (
                re.unit_id,
                ResponseFor {
                    organ_id: re.organ_id,
                    code: re.code,
                    promulgation_date: EdDate::from_text(re.promulgation_date),
                    document_id: re.document_id,
                },
            )
        }
    };
    let unit = r
        .unit(unit_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("không có đơn vị {unit_id}")))?;
    let status = Status {
        from: Some(organization(&unit)?),
        to: vec![],
        response_for,
        staff: staff_info(item.staff.as_deref()),
        status_code: StatusCode::parse(&item.code),
        description: Some(
            item.description
                .clone()
                .unwrap_or_else(|| status_text(&item.code).to_string()),
        ),
        timestamp: now_timestamp(),
    };
    Ok(vanthu_edxml::write_status(&status))
}

/// Writes the package of an outbox row (not signed).
pub async fn build(app: &App, item: &OutboxItem) -> AppResult<Vec<u8>> {
    let mut r = app.store.read().await?;
    if item.kind == "status" {
        return build_status(&mut *r, item).await;
    }
    let id = item
        .document_id
        .ok_or_else(|| AppError::Internal(format!("gói tin {} không có văn bản", item.id)))?;
    let d = r
        .document(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Không còn văn bản số {id}.")))?;
    let unit = r
        .unit(d.unit_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("không có đơn vị {}", d.unit_id)))?;
    let from = organization(&unit)?;
    if item.code != "revoke" && d.state == vanthu_domain::document::DocState::Revoked {
        return Err(AppError::Conflict("Văn bản đã bị thu hồi.".into()));
    }
    let recipient = match item.recipient_id {
        Some(rid) => r.recipients(d.id).await?.into_iter().find(|x| x.id == rid),
        None => None,
    };
    let mut to = Organization::new(item.to_code.clone());
    if let Some(rc) = &recipient {
        to.organ_name = Some(rc.name.clone());
        to.organization_in_charge = Some(rc.name.clone());
    }
    let type_name = match &d.doc_type {
        Some(code) => r.document_type(code).await?.map(|t| t.name),
        None => None,
    };
    let notation = d.notation.clone().unwrap_or_default();
    let mut header = MessageHeader {
        from: Some(from.clone()),
        to: vec![to],
        document_id: item.edxml_document_id.clone(),
        code: split_notation(&notation),
        promulgation: PromulgationInfo {
            place: String::new(),
            date: ed_date(d.doc_date.as_deref()),
        },
        document_type: DocumentType {
            type_code: "1".into(),
            type_detail: None,
            type_name,
        },
        subject: d.subject.clone(),
        content: None,
        signer: d.signer.as_ref().map(|s| SignerInfo {
            full_name: Some(s.clone()),
            ..SignerInfo::default()
        }),
        due_date: d.deadline.as_deref().map(|x| ed_date(Some(x))),
        other_info: OtherInfo {
            priority: priority(d.urgency),
            page_amount: d.pages.map(|p| p.to_string()),
            promulgation_amount: d.copies.map(|c| c.to_string()),
            ..OtherInfo::default()
        },
        steering_type: Some(SteeringType::NotSteering),
        to_places: recipient.iter().map(|x| x.name.clone()).collect(),
        response_for: vec![],
    };
    let mut business = Business {
        doc_type: BusinessDocType::New,
        reason: Some("Văn bản điện tử mới".into()),
        paper: Some("0".into()),
        staff: staff_info(item.staff.as_deref()),
        ..Business::default()
    };
    let mut attachments = Vec::new();
    match item.code.as_str() {
        "revoke" => {
            business.doc_type = BusinessDocType::Revoke;
            business.reason = Some(
                item.description
                    .clone()
                    .unwrap_or_else(|| "Thu hồi văn bản".into()),
            );
            header.response_for = vec![ResponseFor {
                organ_id: from.organ_id.clone(),
                code: notation.clone(),
                promulgation_date: ed_date(d.doc_date.as_deref()),
                document_id: item.edxml_document_id.clone(),
            }];
        }
        code => {
            if code == "replace"
                && let Some(old_id) = d.replaces_id
                && let Some(old) = r.document(old_id).await?
            {
                business.doc_type = BusinessDocType::Replace;
                business.reason = Some("Thay thế văn bản đã gửi".into());
                business.replacements = vec![ReplacementInfo {
                    document_id: old_document_id(&from.organ_id, &old),
                    organ_ids: vec![item.to_code.clone()],
                }];
            }
            let all = r.document_files(d.id).await?;
            for (i, f) in crate::app::documents::outgoing::issued_files(&all)
                .iter()
                .enumerate()
            {
                let data = app.blobs.get(&f.sha256).await.map_err(|e| {
                    AppError::Internal(format!("không đọc được tệp {}: {e}", f.name))
                })?;
                attachments.push(Attachment {
                    content_id: (i + 1).to_string(),
                    name: f.name.clone(),
                    description: Some(f.kind.label().to_string()),
                    content_type: f.media_type.clone(),
                    data,
                });
            }
        }
    }
    let edoc = Edoc {
        header,
        trace: TraceHeaderList {
            business: Some(business),
            trace_headers: vec![TraceHeader {
                organ_id: from.organ_id.clone(),
                timestamp: now_timestamp(),
            }],
        },
        attachments,
        signature: None,
    };
    vanthu_edxml::write_edoc(&edoc)
        .map_err(|e| AppError::Internal(format!("không ghi được gói tin edXML: {e}")))
}

/// The DocumentId a document was sent with.
pub fn old_document_id(unit_code: &str, d: &Document) -> String {
    document_id(
        unit_code,
        d.doc_date.as_deref().unwrap_or_default(),
        d.notation.as_deref().unwrap_or_default(),
    )
}

//! Register books (sổ đăng ký văn bản đến / đi, NĐ 30 Phụ lục IV) printed from a register: every number in
//! order, the document it went to, cancelled numbers with their reason. PDF (embedded Vietnamese font) or XLSX.

use super::*;
use crate::app::registers::visible_register;
use crate::app::views::local_time;
use vanthu_books::{BookMeta, IncomingRow, OutgoingRow};
use vanthu_domain::numbering::RegisterKind;

/// `pdf` or `xlsx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookFormat {
    Pdf,
    Xlsx,
}

impl BookFormat {
    pub fn parse(s: Option<&str>) -> AppResult<BookFormat> {
        match s.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("pdf") => Ok(BookFormat::Pdf),
            Some("xlsx") => Ok(BookFormat::Xlsx),
            Some(other) => Err(AppError::Invalid {
                field: "format".into(),
                message: format!("Định dạng \"{other}\" không hợp lệ: dùng pdf hoặc xlsx."),
            }),
        }
    }
}

/// A printed book: file name, media type, content.
pub struct Book {
    pub file_name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

fn local_date(ms: i64) -> String {
    local_time(ms)
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string()
}

impl App {
    /// The register's book, for the clerks and leaders of its unit (secret registers: cleared readers; each
    /// document above the reader's clearance shows its number only).
    pub async fn register_book(
        &self,
        actor: &Actor,
        register_id: i64,
        format: BookFormat,
    ) -> AppResult<Book> {
        let mut r = self.store.read().await?;
        let reg = visible_register(&mut *r, actor, register_id).await?;
        if !(has_role(actor, reg.unit_id, Role::Clerk)
            || has_role(actor, reg.unit_id, Role::Leader))
        {
            return Err(AppError::Forbidden(
                "Chỉ văn thư và lãnh đạo của đơn vị được in sổ đăng ký văn bản.".into(),
            ));
        }
        let unit = load_unit(&mut *r, reg.unit_id).await?;
        let parent = match unit.parent_id {
            Some(p) => r.unit(p).await?.map(|u| u.name.to_uppercase()),
            None => None,
        };
        let entries = r.register_entries(register_id, i64::MAX, 0).await?;
        let docs: std::collections::HashMap<i64, Document> = r
            .register_documents(register_id)
            .await?
            .into_iter()
            .filter_map(|d| d.reg_number.map(|n| (n, d)))
            .collect();
        let types: std::collections::HashMap<String, String> = r
            .document_types(true)
            .await?
            .into_iter()
            .map(|t| (t.code, t.name))
            .collect();
        // Handlers, recipients and names for the whole book at once, not row by row.
        let mut assignments: std::collections::HashMap<i64, Vec<vanthu_store::Assignment>> =
            std::collections::HashMap::new();
        let mut recipients: std::collections::HashMap<i64, Vec<String>> =
            std::collections::HashMap::new();
        if reg.kind == RegisterKind::Incoming {
            for a in r.register_assignments(register_id).await? {
                assignments.entry(a.document_id).or_default().push(a);
            }
        } else {
            for x in r.register_recipients(register_id).await? {
                recipients.entry(x.document_id).or_default().push(x.name);
            }
        }
        let mut names: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
        let person_ids: std::collections::BTreeSet<i64> = assignments
            .values()
            .flatten()
            .map(|a| a.person_id)
            .chain(docs.values().map(|d| d.created_by))
            .collect();
        for id in person_ids {
            names.insert(id, person_ref(&mut *r, id).await?.full_name);
        }
        let name_of = |id: i64| names.get(&id).cloned().unwrap_or_default();
        let mut numbers: Vec<i64> = entries.iter().map(|e| e.number).collect();
        numbers.sort();
        let type_and_subject = |d: &Document| match d.doc_type.as_ref().and_then(|c| types.get(c)) {
            Some(t) => format!("{t}: {}", d.subject),
            None => d.subject.clone(),
        };
        let hidden = |d: &Document| !actor.clearance.may_read(d.secrecy);
        let hidden_text = |d: &Document| {
            format!(
                "(Tài liệu {} — không hiển thị với quyền đọc của người in)",
                d.secrecy.map(|s| s.label()).unwrap_or("")
            )
        };
        let mut in_rows = Vec::new();
        let mut out_rows = Vec::new();
        let mut dates = Vec::new();
        for e in entries.iter().rev() {
            let doc = docs.get(&e.number);
            if let Some(d) = doc {
                dates.push(d.registered_at.unwrap_or(e.taken_at));
            }
            let hide = doc.is_some_and(hidden);
            let note = match (e.status.as_str(), doc) {
                // Above the reader's clearance: nothing but the number (and the level, in the subject column).
                (_, Some(_)) if hide => String::new(),
                ("cancelled", _) => format!("Hủy số: {}", e.reason.clone().unwrap_or_default()),
                (_, Some(d)) if d.state == DocState::Revoked => {
                    format!("Đã thu hồi: {}", d.reason.clone().unwrap_or_default())
                }
                (_, Some(d)) if d.state == DocState::Rejected => "Đã từ chối".to_string(),
                (_, Some(d)) => {
                    let mut parts = Vec::new();
                    if d.urgency != vanthu_store::Urgency::Normal {
                        parts.push(d.urgency.label().to_string());
                    }
                    if let Some(s) = d.secrecy {
                        parts.push(s.label().to_string());
                    }
                    parts.join(", ")
                }
                _ => "Số đã lấy, chưa dùng".to_string(),
            };
            match reg.kind {
                RegisterKind::Incoming => {
                    let mut row = IncomingRow {
                        arrival_number: e.number.to_string(),
                        note,
                        ..Default::default()
                    };
                    if let Some(d) = doc {
                        row.arrival_date = local_date(d.registered_at.unwrap_or(e.taken_at));
                        if hidden(d) {
                            row.type_and_subject = hidden_text(d);
                        } else {
                            row.author = d.author.clone().unwrap_or_default();
                            row.number_notation = d.notation.clone().unwrap_or_default();
                            row.doc_date = d.doc_date.as_deref().map(date_vn).unwrap_or_default();
                            row.type_and_subject = type_and_subject(d);
                            let handlers = assignments.get(&d.id).map(Vec::as_slice).unwrap_or(&[]);
                            let names: Vec<String> = handlers
                                .iter()
                                .filter(|a| a.role != vanthu_store::AssignmentRole::Info)
                                .map(|a| name_of(a.person_id))
                                .collect();
                            row.recipient = names.join(", ");
                            row.transfer_date = handlers
                                .first()
                                .map(|a| local_date(a.assigned_at))
                                .unwrap_or_default();
                        }
                    }
                    in_rows.push(row);
                }
                RegisterKind::Outgoing | RegisterKind::Internal => {
                    let mut row = OutgoingRow {
                        number_notation: match &e.notation {
                            Some(n) if !hide => n.clone(),
                            _ => e.number.to_string(),
                        },
                        note,
                        ..Default::default()
                    };
                    if let Some(d) = doc {
                        if hidden(d) {
                            row.type_and_subject = hidden_text(d);
                        } else {
                            row.doc_date = d.doc_date.as_deref().map(date_vn).unwrap_or_default();
                            row.type_and_subject = type_and_subject(d);
                            row.signer = d.signer.clone().unwrap_or_default();
                            row.recipients = recipients
                                .get(&d.id)
                                .map(|x| x.join("; "))
                                .unwrap_or_default();
                            row.archive_holder = format!("Văn thư; {}", name_of(d.created_by));
                            row.copies = d.copies.map(|c| c.to_string()).unwrap_or_default();
                            row.transfer_date = d.issued_at.map(local_date).unwrap_or_default();
                        }
                    }
                    out_rows.push(row);
                }
            }
        }
        dates.sort();
        let meta = BookMeta {
            parent_agency: parent,
            agency: unit.name.to_uppercase(),
            title: match reg.kind {
                RegisterKind::Incoming => "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN".into(),
                RegisterKind::Outgoing => "SỔ ĐĂNG KÝ VĂN BẢN ĐI".into(),
                RegisterKind::Internal => "SỔ ĐĂNG KÝ VĂN BẢN NỘI BỘ".into(),
            },
            register_name: reg.name.clone(),
            period: reg.period.clone(),
            secret: reg.secret,
            from_number: numbers.first().copied(),
            to_number: numbers.last().copied(),
            from_date: dates.first().map(|t| local_date(*t)),
            to_date: dates.last().map(|t| local_date(*t)),
            printed_at: local_time(now_ms()),
            volume: None,
        };
        let incoming = reg.kind == RegisterKind::Incoming;
        let built = match (format, incoming) {
            (BookFormat::Pdf, true) => vanthu_books::incoming_pdf(&meta, &in_rows),
            (BookFormat::Pdf, false) => vanthu_books::outgoing_pdf(&meta, &out_rows),
            (BookFormat::Xlsx, true) => vanthu_books::incoming_xlsx(&meta, &in_rows),
            (BookFormat::Xlsx, false) => vanthu_books::outgoing_xlsx(&meta, &out_rows),
        };
        let bytes = built.map_err(|e| match e {
            // Beyond what a spreadsheet holds: the person can print the PDF instead.
            vanthu_books::BookError::TooManyRows { .. } => {
                AppError::Conflict(format!("{e}. Hãy in sổ dạng PDF."))
            }
            other => {
                tracing::error!(error = %other, "register book failed");
                AppError::Internal(other.to_string())
            }
        })?;
        let stem = format!("so-{}-{}-{}", reg.kind.code(), reg.period, reg.id);
        Ok(match format {
            BookFormat::Pdf => Book {
                file_name: format!("{stem}.pdf"),
                media_type: "application/pdf",
                bytes,
            },
            BookFormat::Xlsx => Book {
                file_name: format!("{stem}.xlsx"),
                media_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                bytes,
            },
        })
    }
}

//! Demo documents: a few hundred documents in every state, made through the same use cases users call, so that
//! a newcomer who starts `vanthu serve --demo` sees queues with work in them, documents travelling between
//! units, statuses coming back to senders, and history on every page.

use crate::App;
use crate::app::documents::Upload;
use crate::app::documents::incoming::{
    AssignInput, IncomingInput, PresentInput, RegisterArrivalInput, ReportInput,
};
use crate::app::documents::outgoing::{IssueInput, OutgoingInput, RecipientInput, ReviewInput};
use crate::error::{AppError, AppResult};
use vanthu_domain::access::Actor;
use vanthu_domain::document::FileKind;

/// Senders outside the installation.
/// Senders outside the installation: name, identifier code, notation of their documents after the number.
const SENDERS: &[(&str, Option<&str>, &str)] = &[
    ("Văn phòng Chính phủ", Some("000.00.00.G01"), "/VPCP-KSTT"),
    ("Bộ Nội vụ", Some("000.00.00.G06"), "/BNV-VP"),
    ("Bộ Tài chính", Some("000.00.00.G07"), "/BTC-VP"),
    ("Bộ Công an", None, "/BCA-V03"),
    (
        "Bộ Khoa học và Công nghệ",
        Some("000.00.00.G15"),
        "/BKHCN-CĐS",
    ),
    (
        "Ủy ban nhân dân tỉnh Thanh Hóa",
        Some("000.00.00.H56"),
        "/UBND-VX",
    ),
    ("Tỉnh ủy Hưng Yên", None, "-CV/TU"),
    ("Ban Tổ chức Trung ương", Some("000.00.00.D02"), "-CV/BTCTW"),
];

const SUBJECTS: &[(&str, &str)] = &[
    (
        "cong_van",
        "Về việc báo cáo tình hình triển khai chính quyền địa phương hai cấp",
    ),
    (
        "cong_van",
        "Về việc đôn đốc thực hiện chuyển đổi số trong cơ quan Đảng, Nhà nước",
    ),
    (
        "ke_hoach",
        "Kế hoạch tổ chức Hội nghị sơ kết 6 tháng thực hiện Nghị quyết số 57-NQ/TW",
    ),
    (
        "thong_bao",
        "Thông báo kết luận của Thường trực về công tác cán bộ quý IV",
    ),
    (
        "bao_cao",
        "Báo cáo kết quả thực hiện nhiệm vụ năm 2026, phương hướng năm 2027",
    ),
    (
        "quyet_dinh",
        "Quyết định về việc thành lập Tổ công tác rà soát thủ tục hành chính",
    ),
    (
        "giay_moi",
        "Giấy mời dự Hội nghị trực tuyến toàn quốc về cải cách hành chính",
    ),
    (
        "to_trinh",
        "Tờ trình đề nghị phê duyệt danh mục hồ sơ năm 2027",
    ),
    (
        "huong_dan",
        "Hướng dẫn lập hồ sơ và nộp lưu hồ sơ điện tử vào Lưu trữ cơ quan",
    ),
    (
        "cong_van",
        "Về việc góp ý dự thảo Quy chế làm việc của Ban Chấp hành nhiệm kỳ 2025 - 2030",
    ),
    ("ke_hoach", "Kế hoạch kiểm tra, giám sát năm 2027"),
    (
        "cong_van",
        "Về việc cung cấp thông tin phục vụ xây dựng cơ sở dữ liệu cán bộ, công chức",
    ),
];

const URGENCIES: &[&str] = &[
    "normal",
    "normal",
    "normal",
    "khan",
    "normal",
    "thuong_khan",
    "normal",
    "hoa_toc",
];

/// A small, valid one-page PDF showing the document's notation and subject in Vietnamese (the embedded font of
/// the register books); real documents arrive as the agencies made them.
pub fn demo_pdf(title: &str) -> Vec<u8> {
    vanthu_books::note_pdf(
        title,
        &["Tài liệu mẫu do vanthu tạo để minh họa cách hệ thống xử lý văn bản; không phải văn bản thật."],
    )
    .unwrap_or_else(|e| {
        tracing::warn!(error = %e, "demo PDF without the embedded font");
        ascii_pdf(title)
    })
}

/// The same without an embedded font (diacritics dropped: the standard PDF fonts have none).
fn ascii_pdf(title: &str) -> Vec<u8> {
    let text: String = vanthu_domain::text::fold_ascii(title)
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .filter(|c| !matches!(c, '(' | ')' | '\\'))
        .take(90)
        .collect();
    let content =
        format!("BT /F1 12 Tf 56 780 Td (vanthu - tai lieu mau) Tj 0 -24 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

async fn actor_of(app: &App, username: &str) -> AppResult<Actor> {
    let mut r = app.store.read().await?;
    let p = r
        .person_by_username(username)
        .await?
        .ok_or_else(|| AppError::Internal(format!("demo account {username} missing")))?;
    crate::app::auth::actor_of(&mut *r, p).await
}

fn upload(title: &str) -> Vec<Upload> {
    vec![Upload {
        name: "van-ban.pdf".into(),
        kind: FileKind::Main,
        bytes: demo_pdf(title).into(),
    }]
}

fn days_ago(days: i64) -> String {
    crate::app::documents::date_after_today(-days)
}

fn days_ahead(days: i64) -> String {
    crate::app::documents::date_after_today(days)
}

/// The units whose people handle the demo documents: (unit key, sibling that receives what it sends).
const FLOWS: &[(&str, &str)] = &[
    ("ubnd.ninhbinh", "ubnd.ninhbinh.hoalu"),
    ("ubnd.ninhbinh.snv", "ubnd.ninhbinh"),
    ("ubnd.ninhbinh.vp", "ubnd.ninhbinh.snv"),
    ("ubnd.ninhbinh.hoalu", "ubnd.ninhbinh"),
    ("tu.ninhbinh", "tu.ninhbinh.hoalu"),
    ("tu.ninhbinh.vp", "tu.ninhbinh.btc"),
    ("tu.ninhbinh.btc", "tu.ninhbinh.giavien"),
    ("tu.ninhbinh.hoalu", "tu.ninhbinh"),
    ("tu.laocai", "tu.laocai.yenbai"),
    ("tu.laocai.btc", "tu.laocai"),
    ("tu.tuyenquang", "tu.tuyenquang.dongvan"),
    ("vptw", "btctw"),
    ("btctw", "tu.ninhbinh"),
];

/// Fills the installation with documents in every state; answers how many were made.
pub async fn seed_documents(app: &App) -> AppResult<usize> {
    let mut made = 0usize;
    let mut k = 0usize;
    for (unit_key, to_key) in FLOWS {
        let mut r = app.store.read().await?;
        let unit = r
            .unit_by_key(unit_key)
            .await?
            .ok_or_else(|| AppError::Internal(format!("demo unit {unit_key} missing")))?;
        let to = r
            .unit_by_key(to_key)
            .await?
            .ok_or_else(|| AppError::Internal(format!("demo unit {to_key} missing")))?;
        drop(r);
        let clerk = actor_of(app, &format!("{unit_key}.vanthu")).await?;
        let leader = actor_of(app, &format!("{unit_key}.lanhdao")).await?;
        let spec = actor_of(app, &format!("{unit_key}.chuyenvien")).await?;
        let party = unit.side == vanthu_domain::Side::Party;

        // Incoming documents from outside, in every state of their life.
        for i in 0..12usize {
            k += 1;
            let (sender, code, tail) = SENDERS[k % SENDERS.len()];
            let (doc_type, subject) = SUBJECTS[k % SUBJECTS.len()];
            let notation = format!("{}{tail}", 100 + k);
            let secret = i == 11;
            let input = IncomingInput {
                unit_id: unit.id,
                doc_type: Some(doc_type.into()),
                subject: subject.into(),
                notation: Some(notation.clone()),
                doc_date: Some(days_ago(20 - i as i64)),
                author: sender.into(),
                author_code: code.map(Into::into),
                signer: Some(
                    [
                        "Nguyễn Văn Thắng",
                        "Trần Thị Hương",
                        "Lê Minh Khánh",
                        "Phạm Đức Việt",
                    ][k % 4]
                        .into(),
                ),
                pages: Some(1 + (k % 7) as i64),
                urgency: Some(URGENCIES[k % URGENCIES.len()].into()),
                secrecy: secret.then(|| "mat".into()),
                deadline: (i % 3 != 0).then(|| {
                    // Some deadlines already passed, to show overdue work.
                    if i % 4 == 1 {
                        days_ago(2)
                    } else {
                        days_ahead(10 + i as i64)
                    }
                }),
                channel: Some(
                    if code.is_some() && !secret {
                        "axis"
                    } else {
                        "paper"
                    }
                    .into(),
                ),
                register_id: None,
                note: None,
                confirm_duplicate: false,
            };
            let d = app
                .register_incoming(&clerk, &input, upload(&format!("{notation} {subject}")))
                .await?;
            made += 1;
            if i < 2 {
                continue; // registered, waiting to be presented
            }
            app.present(
                &clerk,
                d.id,
                &PresentInput {
                    leader_id: Some(leader.person_id),
                    note: None,
                },
            )
            .await?;
            if i < 4 {
                continue; // waiting for the leader's direction
            }
            let assign = AssignInput {
                direction:
                    "Giao chuyên viên chủ trì nghiên cứu, tham mưu xử lý; báo cáo kết quả đúng hạn."
                        .into(),
                lead: Some(spec.person_id),
                co: vec![],
                info: vec![],
                deadline: input.deadline.clone(),
            };
            if secret {
                // The specialist is not cleared: the leader handles it himself.
                let mut a = assign.clone();
                a.lead = Some(leader.person_id);
                app.assign(&leader, d.id, &a).await?;
                continue;
            }
            app.assign(&leader, d.id, &assign).await?;
            if i < 7 {
                continue; // assigned
            }
            app.progress(
                &spec,
                d.id,
                &ReportInput {
                    report: Some("Đang tổng hợp, xin ý kiến các phòng liên quan.".into()),
                },
            )
            .await?;
            if i < 9 {
                continue; // processing
            }
            app.complete(
                &spec,
                d.id,
                &ReportInput {
                    report: Some("Đã tham mưu văn bản trả lời.".into()),
                },
            )
            .await?;
        }

        // Outgoing documents: drafts, in review, approved, issued (to a unit of the installation), revoked.
        for i in 0..8usize {
            k += 1;
            let (doc_type, subject) = SUBJECTS[k % SUBJECTS.len()];
            let doc_type = if party && doc_type == "to_trinh" {
                "bao_cao"
            } else {
                doc_type
            };
            let input = OutgoingInput {
                unit_id: unit.id,
                internal: false,
                doc_type: doc_type.into(),
                subject: subject.into(),
                urgency: Some(URGENCIES[k % URGENCIES.len()].into()),
                secrecy: None,
                signer_id: Some(leader.person_id),
                flow_id: None,
                reviewers: vec![],
                recipients: vec![
                    RecipientInput {
                        unit_id: Some(to.id),
                        name: None,
                        code: None,
                        channel: None,
                    },
                    RecipientInput {
                        unit_id: None,
                        name: Some("Bộ Nội vụ".into()),
                        code: Some("000.00.00.G06".into()),
                        channel: None,
                    },
                ],
                reply_to_id: None,
                replaces_id: None,
                deadline: Some(days_ahead(15)),
                pages: Some(2),
                copies: Some(4),
                note: None,
            };
            let d = app.create_draft(&spec, &input, upload(subject)).await?;
            made += 1;
            if i < 2 {
                continue; // draft
            }
            app.submit(&spec, d.id).await?;
            if i < 3 {
                continue; // waiting for the signer
            }
            app.review(
                &leader,
                d.id,
                &ReviewInput {
                    decision: "approve".into(),
                    comment: Some("Đồng ý ban hành.".into()),
                },
            )
            .await?;
            if i < 4 {
                continue; // approved, waiting for the clerk
            }
            let extra = if !party && doc_type == "cong_van" {
                vec!["VP".to_string()]
            } else {
                vec![]
            };
            app.issue(
                &clerk,
                d.id,
                &IssueInput {
                    register_id: None,
                    extra,
                },
            )
            .await?;
            made += 1; // the copy at the recipient
            if i == 7 {
                app.revoke(
                    &clerk,
                    d.id,
                    "Ban hành nhầm phiên bản dự thảo; sẽ ban hành văn bản thay thế.",
                )
                .await?;
                continue;
            }
            // The recipient acts on some of them; the sender sees it.
            if i >= 5 {
                let tclerk = actor_of(app, &format!("{to_key}.vanthu")).await?;
                let copy = app
                    .queue(
                        &tclerk,
                        crate::app::documents::Queue::ToRegister,
                        None,
                        1,
                        0,
                    )
                    .await?
                    .items
                    .into_iter()
                    .next();
                if let Some(c) = copy {
                    app.register_arrival(&tclerk, c.id, &RegisterArrivalInput::default())
                        .await?;
                    if i >= 6 {
                        let tleader = actor_of(app, &format!("{to_key}.lanhdao")).await?;
                        let tspec = actor_of(app, &format!("{to_key}.chuyenvien")).await?;
                        app.assign(
                            &tleader,
                            c.id,
                            &AssignInput {
                                direction: "Giao chuyên viên nghiên cứu, triển khai.".into(),
                                lead: Some(tspec.person_id),
                                co: vec![],
                                info: vec![],
                                deadline: Some(days_ahead(7)),
                            },
                        )
                        .await?;
                    }
                }
            }
        }
    }
    Ok(made)
}

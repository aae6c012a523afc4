//! Outgoing and internal documents (NĐ 30 Điều 10–19): a draft with versions and comments, a review chain
//! (sequential steps, each all-of or any-of), approval by the person with authority to sign, the clerk's format
//! check, the number and notation, issuing (files frozen, hashes kept), dispatch to units of the installation with
//! each recipient's status, revocation and replacement.

use super::incoming::pick_register;
use super::*;
use crate::app::registers::{notation_body, style_of};
use vanthu_domain::document::{
    Action, ChainOutcome, Decision, StepMode, StepState, Urgency, chain_outcome, parse_secrecy,
};
use vanthu_domain::numbering::{
    NotationStyle, RegisterKind, notation, number_and_notation, parse_abbreviation,
};
use vanthu_domain::text::parse_text;
use vanthu_domain::{Name, Secrecy};
use vanthu_store::{Direction, NewDocument, Recipient, RecipientStatus};

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewStepInput {
    /// `all`: every reviewer of the step agrees (parallel); `any`: one is enough.
    pub mode: String,
    /// The reviewers of this step.
    pub people: Vec<i64>,
    /// Days the step has, from the moment it starts; past them it is overdue and the unit's leaders are
    /// alerted. From the flow's step when the chain comes from the flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
}

/// When step `index` of the draft's chain, starting at `from` (ms), is due (`None`: the step has no days, or it
/// is the signer's).
fn step_due(d: &Document, index: i64, from: i64) -> Option<i64> {
    let plan: Vec<ReviewStepInput> =
        serde_json::from_str(d.review_plan.as_deref().unwrap_or("[]")).ok()?;
    let days = plan.get(usize::try_from(index).ok()?)?.days?;
    Some(from + days * 86_400_000)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientInput {
    /// A unit of this installation (the document arrives in its clerk's queue at once).
    pub unit_id: Option<i64>,
    /// Otherwise: the name of an outside agency or person.
    pub name: Option<String>,
    /// Its identifier code, for the interconnection axis.
    pub code: Option<String>,
    /// `axis` (default for an outside agency with a code) or `paper`.
    pub channel: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutgoingInput {
    /// The issuing unit (the drafter's).
    pub unit_id: i64,
    /// An internal document (văn bản nội bộ), addressed to units inside the issuing unit.
    #[serde(default)]
    pub internal: bool,
    /// Code of the document type (`quyet_dinh`, `cong_van`…).
    pub doc_type: String,
    /// Trích yếu nội dung.
    pub subject: String,
    pub urgency: Option<String>,
    pub secrecy: Option<String>,
    /// The leader of the unit with authority to sign; absent: the one the unit's flow names.
    pub signer_id: Option<i64>,
    /// The unit's flow to follow (its current version); absent: the unit's flow in force for this kind. The
    /// flow gives the review steps when `reviewers` is empty, and the signer when `signer_id` is absent.
    pub flow_id: Option<i64>,
    /// Review steps before the signer, in order.
    #[serde(default)]
    pub reviewers: Vec<ReviewStepInput>,
    /// Nơi nhận.
    #[serde(default)]
    pub recipients: Vec<RecipientInput>,
    /// The document this one answers.
    pub reply_to_id: Option<i64>,
    /// The issued document of the same unit this one replaces.
    pub replaces_id: Option<i64>,
    /// Hạn trả lời (for recipients), `YYYY-MM-DD`.
    pub deadline: Option<String>,
    pub pages: Option<i64>,
    /// Số lượng bản.
    pub copies: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// `approve` or `return`.
    pub decision: String,
    /// Required when returning.
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct IssueInput {
    /// The register; by default the unit's outgoing (or internal) register of this year, secret documents in the
    /// secret one, a register with the type's own series first.
    pub register_id: Option<i64>,
    /// Further groups of the notation: for a State công văn the drafting unit (`VP`); Party suffixes (`nb`).
    #[serde(default)]
    pub extra: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuedView {
    pub document: DocumentView,
    pub register_id: i64,
    pub number: i64,
    /// Number and notation (`05/QĐ-UBND`, `15671-CV/VPTW`).
    pub notation: String,
    /// As printed (`Số: 05/QĐ-UBND`, `Số 15671-CV/VPTW`).
    pub display: String,
    /// Hex SHA-256 of each frozen file.
    pub file_hashes: Vec<String>,
}

struct Checked {
    subject: String,
    doc_type: String,
    urgency: Urgency,
    secrecy: Option<Secrecy>,
    plan: Vec<ReviewStepInput>,
    deadline: Option<String>,
    pages: Option<i64>,
    copies: Option<i64>,
    note: Option<String>,
}

fn check_input(actor: &Actor, input: &OutgoingInput) -> AppResult<Checked> {
    let subject = Name::parse("subject", "Trích yếu", &input.subject, 2000)?.into_string();
    let urgency = match input.urgency.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(u) => Urgency::parse(u)?,
        None => Urgency::Normal,
    };
    let secrecy = parse_secrecy(input.secrecy.as_deref())?;
    if !actor.clearance.may_read(secrecy) {
        return Err(AppError::Forbidden(
            "Bạn chưa được phép đọc tài liệu ở độ mật này nên không soạn được.".into(),
        ));
    }
    let mut plan = Vec::new();
    let mut all = std::collections::HashSet::new();
    for (i, s) in input.reviewers.iter().enumerate() {
        let mode = StepMode::parse(&s.mode)?;
        if s.people.is_empty() {
            return Err(AppError::Invalid {
                field: "reviewers".into(),
                message: format!("Bước duyệt {} chưa có người duyệt.", i + 1),
            });
        }
        for p in &s.people {
            if *p == actor.person_id {
                return Err(AppError::Invalid {
                    field: "reviewers".into(),
                    message:
                        "Người soạn không tự duyệt dự thảo của mình; hãy chọn người duyệt khác."
                            .into(),
                });
            }
            if !all.insert(*p) || Some(*p) == input.signer_id {
                return Err(AppError::Invalid {
                    field: "reviewers".into(),
                    message: format!(
                        "Người dùng số {p} có mặt hai lần trong chuỗi duyệt (hoặc là người ký)."
                    ),
                });
            }
        }
        if let Some(days) = s.days
            && !(1..=365).contains(&days)
        {
            return Err(AppError::Invalid {
                field: "reviewers".into(),
                message: format!(
                    "Thời hạn của bước duyệt {} phải từ 1 đến 365 ngày (đang là {days}).",
                    i + 1
                ),
            });
        }
        plan.push(ReviewStepInput {
            mode: mode.code().into(),
            people: s.people.clone(),
            days: s.days,
        });
    }
    if plan.len() > 10 {
        return Err(AppError::Invalid {
            field: "reviewers".into(),
            message: "Tối đa 10 bước duyệt.".into(),
        });
    }
    let deadline = input
        .deadline
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| vanthu_domain::document::parse_date("deadline", "Hạn trả lời", s))
        .transpose()?;
    for (field, label, v) in [
        ("pages", "Số trang", input.pages),
        ("copies", "Số lượng bản", input.copies),
    ] {
        if let Some(n) = v
            && !(1..=100_000).contains(&n)
        {
            return Err(AppError::Invalid {
                field: field.into(),
                message: format!("{label} phải từ 1 đến 100000."),
            });
        }
    }
    Ok(Checked {
        subject,
        doc_type: doc_type_code(&input.doc_type)?.to_string(),
        urgency,
        secrecy,
        plan,
        deadline,
        pages: input.pages,
        copies: input.copies,
        note: Name::parse_opt("note", "Ghi chú", input.note.as_deref(), 2000)?
            .map(Name::into_string),
    })
}

/// Checks the people, the type, the recipients and the links against the store; answers the recipients.
async fn check_against_store(
    tx: &mut Box<dyn WriteTx>,
    actor: &Actor,
    input: &OutgoingInput,
    c: &Checked,
) -> AppResult<Vec<Recipient>> {
    let unit = load_unit(&mut **tx, input.unit_id).await?;
    if !unit.active {
        return Err(AppError::Conflict(format!(
            "Đơn vị \"{}\" đã ngừng hoạt động.",
            unit.name
        )));
    }
    if !actor.memberships.iter().any(|m| {
        m.unit_id == unit.id
            && m.roles
                .iter()
                .any(|r| matches!(r, Role::Specialist | Role::Leader | Role::Clerk))
    }) {
        return Err(AppError::Forbidden(
            "Chỉ chuyên viên, lãnh đạo và văn thư của đơn vị được soạn văn bản của đơn vị.".into(),
        ));
    }
    tx.document_type(&c.doc_type)
        .await?
        .filter(|t| t.active)
        .ok_or_else(|| AppError::Invalid {
            field: "doc_type".into(),
            message: format!("Không có loại văn bản đang dùng mã \"{}\".", c.doc_type),
        })?;
    let check_person = |p: Option<vanthu_store::Person>, id: i64, field: &'static str| {
        p.filter(|p| p.active).ok_or_else(|| AppError::Invalid {
            field: field.into(),
            message: format!("Không có người dùng đang hoạt động số {id}."),
        })
    };
    let signer = check_person(
        tx.person(signer_of(input)).await?,
        signer_of(input),
        "signer_id",
    )?;
    let signs = tx
        .memberships(signer.id)
        .await?
        .iter()
        .any(|m| m.unit_id == unit.id && m.roles.contains(&Role::Leader));
    if !signs {
        return Err(AppError::Invalid {
            field: "signer_id".into(),
            message: format!(
                "{} không phải lãnh đạo của đơn vị nên không ký được.",
                signer.full_name
            ),
        });
    }
    if !signer.clearance.may_read(c.secrecy) {
        return Err(AppError::Invalid {
            field: "signer_id".into(),
            message: format!(
                "{} chưa được phép đọc tài liệu ở độ mật này.",
                signer.full_name
            ),
        });
    }
    for step in &c.plan {
        for pid in &step.people {
            let p = check_person(tx.person(*pid).await?, *pid, "reviewers")?;
            let mut inside = false;
            for m in tx.memberships(p.id).await? {
                if tx.ancestry(m.unit_id).await?.contains(&unit.id) {
                    inside = true;
                }
            }
            if !inside {
                return Err(AppError::Invalid {
                    field: "reviewers".into(),
                    message: format!("{} không thuộc đơn vị soạn văn bản.", p.full_name),
                });
            }
            if !p.clearance.may_read(c.secrecy) {
                return Err(AppError::Invalid {
                    field: "reviewers".into(),
                    message: format!("{} chưa được phép đọc tài liệu ở độ mật này.", p.full_name),
                });
            }
        }
    }
    for (field, link) in [
        ("reply_to_id", input.reply_to_id),
        ("replaces_id", input.replaces_id),
    ] {
        if let Some(id) = link {
            let d = tx.document(id).await?;
            let (d, _) = see(&mut **tx, actor, d, id)
                .await
                .map_err(|_| AppError::Invalid {
                    field: field.into(),
                    message: format!("Không tìm thấy văn bản số {id}."),
                })?;
            if field == "replaces_id"
                && (d.unit_id != unit.id
                    || d.state != DocState::Issued
                    || d.direction == Direction::Incoming)
            {
                return Err(AppError::Invalid {
                    field: field.into(),
                    message: "Chỉ thay thế được văn bản đã ban hành của chính đơn vị.".into(),
                });
            }
        }
    }
    if input.recipients.len() > 500 {
        return Err(AppError::Invalid {
            field: "recipients".into(),
            message: "Tối đa 500 nơi nhận.".into(),
        });
    }
    let mut out: Vec<Recipient> = Vec::new();
    let now = now_ms();
    for r in &input.recipients {
        let rec = match (
            r.unit_id,
            r.name.as_deref().filter(|s| !s.trim().is_empty()),
        ) {
            (Some(uid), None) => {
                let u =
                    tx.unit(uid)
                        .await?
                        .filter(|u| u.active)
                        .ok_or_else(|| AppError::Invalid {
                            field: "recipients".into(),
                            message: format!("Không có đơn vị đang hoạt động số {uid}."),
                        })?;
                if u.id == unit.id {
                    return Err(AppError::Invalid {
                        field: "recipients".into(),
                        message: "Đơn vị không gửi văn bản cho chính mình; dùng văn bản nội bộ."
                            .into(),
                    });
                }
                if input.internal && !tx.ancestry(u.id).await?.contains(&unit.id) {
                    return Err(AppError::Invalid {
                        field: "recipients".into(),
                        message: format!(
                            "Văn bản nội bộ chỉ gửi các đơn vị trực thuộc; \"{}\" ở ngoài.",
                            u.name
                        ),
                    });
                }
                if out.iter().any(|x| x.unit_id == Some(u.id)) {
                    continue;
                }
                Recipient {
                    id: 0,
                    document_id: 0,
                    channel: "internal".into(),
                    unit_id: Some(u.id),
                    name: u.name.clone(),
                    code: u.code.clone(),
                    status: RecipientStatus::Pending,
                    incoming_id: None,
                    note: None,
                    updated_at: now,
                }
            }
            (None, Some(name)) => {
                if input.internal {
                    return Err(AppError::Invalid {
                        field: "recipients".into(),
                        message: "Văn bản nội bộ chỉ gửi các đơn vị trong hệ thống.".into(),
                    });
                }
                let name = Name::parse("recipients", "Tên nơi nhận", name, 300)?.into_string();
                let code =
                    Name::parse_opt("recipients", "Mã định danh nơi nhận", r.code.as_deref(), 64)?
                        .map(Name::into_string);
                let channel = match r.channel.as_deref().map(str::trim) {
                    Some("paper") => "paper",
                    Some("axis") | None if code.is_some() => "axis",
                    None => "paper",
                    Some(other) => {
                        return Err(AppError::Invalid {
                            field: "recipients".into(),
                            message: format!(
                                "Cách gửi \"{other}\" không hợp lệ: dùng axis (trục liên thông, cần mã định danh) hoặc paper (bản giấy)."
                            ),
                        });
                    }
                };
                if channel == "axis" && c.secrecy.is_some() {
                    return Err(AppError::Invalid {
                        field: "recipients".into(),
                        message: "Văn bản mật không được gửi qua trục liên thông.".into(),
                    });
                }
                // Codes out of step between systems are caught here, not days later at the axis: once the
                // directory of the axis is known, an outside code must be in it.
                if channel == "axis"
                    && let Some(code) = &code
                    && tx.agency(code).await?.is_none()
                    && tx.has_agencies().await?
                {
                    return Err(AppError::Invalid {
                        field: "recipients".into(),
                        message: format!(
                            "Mã định danh \"{code}\" của \"{name}\" không có trong danh bạ trục liên thông; kiểm tra lại mã (danh bạ ở trang Liên thông)."
                        ),
                    });
                }
                Recipient {
                    id: 0,
                    document_id: 0,
                    channel: channel.into(),
                    unit_id: None,
                    name,
                    code,
                    status: RecipientStatus::Pending,
                    incoming_id: None,
                    note: None,
                    updated_at: now,
                }
            }
            _ => {
                return Err(AppError::Invalid {
                    field: "recipients".into(),
                    message: "Mỗi nơi nhận ghi hoặc unit_id (đơn vị trong hệ thống) hoặc name (nơi nhận bên ngoài).".into(),
                });
            }
        };
        out.push(rec);
    }
    Ok(out)
}

/// What goes out with an issued document: the latest version of the main file and of each appendix (earlier
/// drafts and the editable source files stay with the issuing unit).
pub(crate) fn issued_files(all: &[vanthu_store::DocFile]) -> Vec<vanthu_store::DocFile> {
    use vanthu_domain::document::FileKind;
    let mut out: Vec<vanthu_store::DocFile> = Vec::new();
    if let Some(main) = all
        .iter()
        .filter(|f| f.kind == FileKind::Main)
        .max_by_key(|f| (f.version, f.id))
    {
        out.push(main.clone());
    }
    for f in all.iter().filter(|f| f.kind == FileKind::Appendix) {
        let newest = all
            .iter()
            .filter(|g| g.kind == FileKind::Appendix && g.name == f.name)
            .max_by_key(|g| (g.version, g.id))
            .is_some_and(|g| g.id == f.id);
        if newest {
            out.push(f.clone());
        }
    }
    out
}

/// Every recipient inside the installation can take the document now: an active unit with, for an outgoing
/// document, an active clerk cleared for its secrecy (otherwise the copy would arrive where nobody can see it).
async fn check_deliverable(tx: &mut dyn ReadTx, d: &Document) -> AppResult<()> {
    for r in tx.recipients(d.id).await? {
        let Some(uid) = r.unit_id else { continue };
        let unit = tx.unit(uid).await?;
        let Some(unit) = unit.filter(|u| u.active) else {
            return Err(AppError::Conflict(format!(
                "Nơi nhận \"{}\" đã ngừng hoạt động; hãy sửa nơi nhận của dự thảo.",
                r.name
            )));
        };
        if d.direction != Direction::Outgoing {
            continue;
        }
        let mut ok = false;
        for m in tx.memberships_of_unit(uid).await? {
            if m.roles.contains(&Role::Clerk)
                && let Some(p) = tx.person(m.person_id).await?
                && p.active
                && p.clearance.may_read(d.secrecy)
            {
                ok = true;
                break;
            }
        }
        if !ok {
            return Err(AppError::Conflict(format!(
                "{} không có văn thư đang hoạt động{} để nhận văn bản; hãy báo quản trị đơn vị đó hoặc sửa nơi nhận.",
                unit.name,
                d.secrecy
                    .map(|s| format!(" được đọc tài liệu {}", s.label()))
                    .unwrap_or_default()
            )));
        }
    }
    Ok(())
}

/// The signer of an input that went through [`apply_flow`] (which always sets one).
fn signer_of(input: &OutgoingInput) -> i64 {
    input.signer_id.unwrap_or_default()
}

/// Fills the review steps and the signer from the unit's flow where the input leaves them out, resolving roles
/// to the people holding them now; answers the effective input and the flow version used. With `pinned`, that
/// version is used instead of the flow in force (a draft keeps its version).
async fn apply_flow(
    tx: &mut dyn ReadTx,
    drafter: i64,
    input: &OutgoingInput,
    pinned: Option<i64>,
) -> AppResult<(OutgoingInput, Option<i64>)> {
    use crate::app::flows::{flow_in_force, resolve};
    let kind = if input.internal {
        Direction::Internal
    } else {
        Direction::Outgoing
    };
    let flow = match pinned {
        Some(v) => match tx.flow_version(v).await? {
            Some(fv) => Some((
                fv.id,
                serde_json::from_str::<vanthu_domain::flow::FlowDef>(&fv.definition)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
            )),
            None => None,
        },
        None => flow_in_force(tx, input.unit_id, kind, input.flow_id).await?,
    };
    let mut eff = input.clone();
    let mut used = false;
    if let Some((_, def)) = &flow {
        if eff.reviewers.is_empty() && !def.steps.is_empty() {
            for (i, st) in def.steps.iter().enumerate() {
                let people = resolve(tx, input.unit_id, &st.assignee.target("steps")?).await?;
                let people: Vec<i64> = people
                    .into_iter()
                    .filter(|p| Some(*p) != input.signer_id && *p != drafter)
                    .collect();
                if people.is_empty() {
                    return Err(AppError::Conflict(format!(
                        "Bước {} \"{}\" của luồng xử lý không có ai nhận trong đơn vị; hãy chọn người duyệt hoặc sửa luồng.",
                        i + 1,
                        st.name
                    )));
                }
                eff.reviewers.push(ReviewStepInput {
                    mode: st.mode.code().into(),
                    people,
                    days: st.deadline_days,
                });
            }
            used = true;
        }
        if eff.signer_id.is_none()
            && let Some(sg) = &def.signer
        {
            let people = resolve(tx, input.unit_id, &sg.target("signer")?).await?;
            match people.as_slice() {
                [one] => eff.signer_id = Some(*one),
                [] => {
                    return Err(AppError::Conflict(
                        "Luồng xử lý của đơn vị không chỉ ra được người ký; hãy chọn người ký (signer_id).".into(),
                    ));
                }
                _ => {
                    return Err(AppError::Invalid {
                        field: "signer_id".into(),
                        message: format!(
                            "Đơn vị có {} người có thể ký theo luồng xử lý; hãy chọn người ký (signer_id).",
                            people.len()
                        ),
                    });
                }
            }
            used = true;
        }
    }
    if eff.signer_id.is_none() {
        return Err(AppError::Invalid {
            field: "signer_id".into(),
            message: "Cần chọn người ký (signer_id): đơn vị chưa có luồng xử lý chỉ ra người ký."
                .into(),
        });
    }
    Ok((eff, if used { flow.map(|(id, _)| id) } else { None }))
}

fn doc_of_mine(d: &Document, rel: Relation) -> AppResult<()> {
    if d.direction == Direction::Incoming {
        return Err(AppError::Conflict(
            "Đây là văn bản đến, không phải dự thảo.".into(),
        ));
    }
    if !rel.creator {
        return Err(AppError::Forbidden(
            "Chỉ người soạn dự thảo này được sửa, trình hay rút lại dự thảo.".into(),
        ));
    }
    Ok(())
}

impl App {
    /// `POST /api/v1/outgoing`: a draft with its files (a main file, appendices, source files).
    pub async fn create_draft(
        &self,
        actor: &Actor,
        input: &OutgoingInput,
        uploads: Vec<Upload>,
    ) -> AppResult<DocumentView> {
        check_input(actor, input)?;
        if !actor.memberships.iter().any(|m| {
            m.unit_id == input.unit_id
                && m.roles
                    .iter()
                    .any(|r| matches!(r, Role::Specialist | Role::Leader | Role::Clerk))
        }) {
            return Err(AppError::Forbidden(
                "Chỉ chuyên viên, lãnh đạo và văn thư của đơn vị được soạn văn bản của đơn vị."
                    .into(),
            ));
        }
        let checked = check_uploads(&uploads)?;
        let stored = self.store_blobs(&uploads).await?;
        let mut tx = self.store.write().await?;
        let (eff, fv) = apply_flow(&mut *tx, actor.person_id, input, None).await?;
        let input = &eff;
        let c = check_input(actor, input)?;
        let recipients = check_against_store(&mut tx, actor, input, &c).await?;
        let now = now_ms();
        let id = tx
            .insert_document(
                &NewDocument {
                    unit_id: input.unit_id,
                    direction: if input.internal {
                        Direction::Internal
                    } else {
                        Direction::Outgoing
                    },
                    state: DocState::Draft,
                    doc_type: Some(c.doc_type.clone()),
                    subject: c.subject.clone(),
                    notation: None,
                    doc_date: None,
                    author: None,
                    author_code: None,
                    signer: None,
                    pages: c.pages,
                    copies: c.copies,
                    urgency: c.urgency,
                    secrecy: c.secrecy,
                    deadline: c.deadline.clone(),
                    channel: None,
                    received_at: None,
                    signer_id: Some(signer_of(&eff)),
                    review_plan: Some(serde_json::to_string(&c.plan).expect("plan serialises")),
                    flow_version_id: fv,
                    source_id: None,
                    reply_to_id: input.reply_to_id,
                    replaces_id: input.replaces_id,
                    note: c.note.clone(),
                    created_by: actor.person_id,
                },
                now,
            )
            .await?;
        for mut r in recipients {
            r.document_id = id;
            tx.insert_recipient(&r).await?;
        }
        for ((u, ch), sha) in uploads.iter().zip(&checked).zip(&stored) {
            tx.insert_file(
                id,
                &NewFile {
                    kind: u.kind,
                    name: ch.name.clone(),
                    media_type: ch.media_type.into(),
                    size: u.bytes.len() as i64,
                    sha256: sha.clone(),
                    version: 1,
                    frozen: false,
                    uploaded_by: actor.person_id,
                },
                now,
            )
            .await?;
        }
        let d = tx
            .document(id)
            .await?
            .ok_or_else(|| AppError::Internal("document vanished".into()))?;
        record(
            &mut tx,
            Some(actor.person_id),
            "document.draft",
            "document",
            id,
            format!("Soạn dự thảo {}", doc_title(&d)),
            serde_json::json!({"files": stored}),
        )
        .await?;
        tx.commit().await?;
        Ok(document_view(&d))
    }

    /// The drafter changes a draft (metadata, chain, recipients); files are added with `attach`.
    pub async fn update_draft(
        &self,
        actor: &Actor,
        id: i64,
        input: &OutgoingInput,
    ) -> AppResult<DocumentView> {
        let mut tx = self.store.write().await?;
        let (mut d, rel) = see_for_update(&mut tx, actor, id).await?;
        // Who may edit and when first: someone who may not gets that answer, whatever they sent.
        doc_of_mine(&d, rel)?;
        if d.state != DocState::Draft {
            return Err(AppError::Conflict(format!(
                "Chỉ sửa được dự thảo; văn bản đang ở trạng thái \"{}\".",
                d.state.label()
            )));
        }
        check_input(actor, input)?;
        // A draft keeps the flow version it started with, unless another flow is named.
        let pinned = if input.flow_id.is_none() {
            d.flow_version_id
        } else {
            None
        };
        let (eff, fv) = apply_flow(&mut *tx, actor.person_id, input, pinned).await?;
        let c = check_input(actor, &eff)?;
        if input.unit_id != d.unit_id || input.internal != (d.direction == Direction::Internal) {
            return Err(AppError::Invalid {
                field: "unit_id".into(),
                message: "Không đổi được đơn vị soạn hay loại (đi / nội bộ) của dự thảo; hãy soạn dự thảo mới.".into(),
            });
        }
        let recipients = check_against_store(&mut tx, actor, &eff, &c).await?;
        d.doc_type = Some(c.doc_type);
        d.subject = c.subject;
        d.urgency = c.urgency;
        d.secrecy = c.secrecy;
        d.signer_id = Some(signer_of(&eff));
        // The draft keeps the flow version it started with, also when its chain is restated by hand.
        d.flow_version_id = if input.flow_id.is_some() {
            fv
        } else {
            fv.or(d.flow_version_id)
        };
        d.review_plan = Some(serde_json::to_string(&c.plan).expect("plan serialises"));
        d.reply_to_id = input.reply_to_id;
        d.replaces_id = input.replaces_id;
        d.deadline = c.deadline;
        d.pages = c.pages;
        d.copies = c.copies;
        d.note = c.note;
        let now = now_ms();
        tx.update_document(&d, now).await?;
        tx.delete_recipients(id).await?;
        for mut r in recipients {
            r.document_id = id;
            tx.insert_recipient(&r).await?;
        }
        record(
            &mut tx,
            Some(actor.person_id),
            "document.edit",
            "document",
            id,
            format!("Sửa dự thảo {}", doc_title(&d)),
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(document_view(&d))
    }

    /// The drafter sends the draft into its review chain (a new round each time).
    pub async fn submit(&self, actor: &Actor, id: i64) -> AppResult<DocumentView> {
        let mut tx = self.store.write().await?;
        let (mut d, rel) = see_for_update(&mut tx, actor, id).await?;
        doc_of_mine(&d, rel)?;
        let next = step(&d, Action::Submit)?;
        let files = tx.document_files(id).await?;
        if !files
            .iter()
            .any(|f| f.kind == vanthu_domain::document::FileKind::Main)
        {
            return Err(AppError::Conflict(
                "Dự thảo chưa có văn bản chính (tệp PDF); hãy tải lên trước khi trình.".into(),
            ));
        }
        let plan: Vec<ReviewStepInput> =
            serde_json::from_str(d.review_plan.as_deref().unwrap_or("[]"))
                .map_err(|e| AppError::Internal(e.to_string()))?;
        let signer = d
            .signer_id
            .ok_or_else(|| AppError::Conflict("Dự thảo chưa có người ký.".into()))?;
        d.review_round += 1;
        d.review_step = 0;
        for (i, step) in plan.iter().enumerate() {
            for p in &step.people {
                tx.insert_review(id, d.review_round, i as i64, &step.mode, *p)
                    .await?;
            }
        }
        tx.insert_review(id, d.review_round, plan.len() as i64, "sign", signer)
            .await?;
        d.state = next;
        d.reason = None;
        let now = now_ms();
        d.step_due_at = step_due(&d, 0, now);
        tx.update_document(&d, now).await?;
        let first = match plan.first() {
            Some(s) => {
                let mut names = Vec::new();
                for p in &s.people {
                    names.push(person_ref(&mut *tx, *p).await?.full_name);
                }
                names.join(", ")
            }
            None => person_ref(&mut *tx, signer).await?.full_name,
        };
        record(
            &mut tx,
            Some(actor.person_id),
            "document.submit",
            "document",
            id,
            format!(
                "Trình duyệt (lần {}), chờ ý kiến của {first}",
                d.review_round
            ),
            serde_json::json!({"round": d.review_round}),
        )
        .await?;
        tx.commit().await?;
        Ok(document_view(&d))
    }

    /// A reviewer (or the signer, at the last step) approves or returns the draft.
    pub async fn review(
        &self,
        actor: &Actor,
        id: i64,
        input: &ReviewInput,
    ) -> AppResult<DocumentView> {
        let approve = match input.decision.trim() {
            "approve" | "approved" => true,
            "return" | "returned" => false,
            other => {
                return Err(AppError::Invalid {
                    field: "decision".into(),
                    message: format!(
                        "Ý kiến \"{other}\" không hợp lệ: dùng approve (đồng ý) hoặc return (trả lại)."
                    ),
                });
            }
        };
        let comment = match input.comment.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(c) => Some(parse_text("comment", "Ý kiến", c, 4000)?),
            None if !approve => {
                return Err(AppError::Invalid {
                    field: "comment".into(),
                    message: "Khi trả lại cần ghi ý kiến để người soạn sửa.".into(),
                });
            }
            None => None,
        };
        let mut tx = self.store.write().await?;
        let (mut d, _) = see_for_update(&mut tx, actor, id).await?;
        if d.state != DocState::InReview {
            return Err(AppError::Conflict(format!(
                "Văn bản đang ở trạng thái \"{}\", không chờ ý kiến.",
                d.state.label()
            )));
        }
        let round: Vec<vanthu_store::Review> = tx
            .reviews(id)
            .await?
            .into_iter()
            .filter(|r| r.round == d.review_round)
            .collect();
        let now = now_ms();
        let pending: Vec<&vanthu_store::Review> = round
            .iter()
            .filter(|r| r.step == d.review_step && r.decision == "pending")
            .collect();
        // One's own decision first; else, one delegated to the actor now.
        let mut mine = pending
            .iter()
            .find(|r| r.person_id == actor.person_id)
            .map(|r| (*r).clone());
        let mut on_behalf = None;
        if mine.is_none() {
            for r in &pending {
                if tx.delegated(r.person_id, actor.person_id, now).await? {
                    on_behalf = Some(person_ref(&mut *tx, r.person_id).await?);
                    mine = Some((*r).clone());
                    break;
                }
            }
        }
        let mine = mine.ok_or_else(|| {
            AppError::Forbidden("Dự thảo không chờ ý kiến của bạn ở bước này.".into())
        })?;
        if on_behalf.is_some() && d.created_by == actor.person_id {
            return Err(AppError::Forbidden(
                "Người soạn không duyệt dự thảo của chính mình thay người khác.".into(),
            ));
        }
        let decision = if approve {
            Decision::Approved
        } else {
            Decision::Returned
        };
        tx.decide_review(mine.id, decision.code(), comment.as_deref(), now)
            .await?;
        let signing = mine.mode == "sign";
        let summary;
        if !approve {
            d.state = step(&d, Action::Return)?;
            d.reason = comment.clone();
            d.step_due_at = None;
            summary = format!(
                "{} trả lại dự thảo: {}",
                if signing {
                    "Người ký"
                } else {
                    "Người duyệt"
                },
                comment.as_deref().unwrap_or("")
            );
        } else {
            let last = round.iter().map(|r| r.step).max().unwrap_or(0);
            let steps: Vec<StepState> = (0..=last)
                .map(|s| {
                    let rows: Vec<&vanthu_store::Review> =
                        round.iter().filter(|r| r.step == s).collect();
                    StepState {
                        mode: if rows.first().is_some_and(|r| r.mode == "all") {
                            StepMode::All
                        } else {
                            StepMode::Any
                        },
                        decisions: rows
                            .iter()
                            .map(|r| {
                                if r.id == mine.id {
                                    Decision::Approved
                                } else {
                                    Decision::parse(&r.decision).unwrap_or(Decision::Pending)
                                }
                            })
                            .collect(),
                    }
                })
                .collect();
            summary = match chain_outcome(&steps, d.review_step as usize) {
                ChainOutcome::Waiting => {
                    "Đồng ý (chờ ý kiến của người duyệt khác cùng bước)".to_string()
                }
                ChainOutcome::NextStep(n) => {
                    d.review_step = n as i64;
                    d.step_due_at = step_due(&d, d.review_step, now);
                    "Đồng ý; chuyển bước duyệt tiếp theo".to_string()
                }
                ChainOutcome::Approved => {
                    d.state = step(&d, Action::Approve)?;
                    d.step_due_at = None;
                    d.signer = Some(actor.full_name.clone());
                    "Duyệt ký; chờ văn thư kiểm tra thể thức, cấp số và ban hành".to_string()
                }
            };
        }
        tx.update_document(&d, now).await?;
        record(
            &mut tx,
            Some(actor.person_id),
            if approve { "document.approve" } else { "document.return" },
            "document",
            id,
            {
                let text = match (&comment, approve) {
                    (Some(c), true) => format!("{summary}. Ý kiến: {}", excerpt(c, 300)),
                    _ => summary,
                };
                match &on_behalf {
                    Some(p) => format!("{text} (được ủy quyền, thay {})", p.full_name),
                    None => text,
                }
            },
            serde_json::json!({"round": d.review_round, "step": mine.step, "decision": decision.code(), "on_behalf_of": on_behalf.as_ref().map(|p| p.id)}),
        )
        .await?;
        tx.commit().await?;
        Ok(document_view(&d))
    }

    /// The drafter takes back a draft under review (a reviewer who left, a change to make); the next submission
    /// starts a new round.
    pub async fn withdraw(&self, actor: &Actor, id: i64) -> AppResult<DocumentView> {
        let mut tx = self.store.write().await?;
        let (mut d, rel) = see_for_update(&mut tx, actor, id).await?;
        doc_of_mine(&d, rel)?;
        if d.state != DocState::InReview {
            return Err(AppError::Conflict(format!(
                "Chỉ rút lại được dự thảo đang trình duyệt; văn bản đang ở trạng thái \"{}\".",
                d.state.label()
            )));
        }
        d.state = step(&d, Action::Return)?;
        d.reason = Some("Người soạn rút lại".into());
        d.step_due_at = None;
        tx.update_document(&d, now_ms()).await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "document.withdraw",
            "document",
            id,
            format!("Người soạn rút lại dự thảo (lần trình {})", d.review_round),
            serde_json::json!({"round": d.review_round}),
        )
        .await?;
        tx.commit().await?;
        Ok(document_view(&d))
    }

    /// The clerk's format check finds a fault: the approved draft goes back to its drafter.
    pub async fn return_draft(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
    ) -> AppResult<DocumentView> {
        let reason = parse_text("reason", "Lý do trả lại", reason, 2000)?;
        let mut tx = self.store.write().await?;
        let (mut d, rel) = see_for_update(&mut tx, actor, id).await?;
        if !rel.clerk || d.state != DocState::Approved {
            return Err(if rel.clerk {
                AppError::Conflict(format!(
                    "Chỉ trả lại được dự thảo đã duyệt; văn bản đang ở trạng thái \"{}\".",
                    d.state.label()
                ))
            } else {
                AppError::Forbidden(
                    "Chỉ văn thư của đơn vị kiểm tra thể thức và trả lại dự thảo.".into(),
                )
            });
        }
        d.state = step(&d, Action::Return)?;
        d.reason = Some(reason.clone());
        tx.update_document(&d, now_ms()).await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "document.return",
            "document",
            id,
            format!("Văn thư trả lại (thể thức): {reason}"),
            serde_json::json!({"reason": reason}),
        )
        .await?;
        tx.commit().await?;
        Ok(document_view(&d))
    }

    /// `POST /api/v1/outgoing/{id}/issue`: the clerk numbers the approved draft, freezes its files and sends it
    /// to its recipients inside the installation, in one transaction.
    pub async fn issue(&self, actor: &Actor, id: i64, input: &IssueInput) -> AppResult<IssuedView> {
        let extra = input
            .extra
            .iter()
            .map(|e| parse_abbreviation("extra", e))
            .collect::<Result<Vec<_>, _>>()?;
        if extra.len() > 3 {
            return Err(AppError::Invalid {
                field: "extra".into(),
                message: "Ký hiệu có tối đa 3 nhóm thêm.".into(),
            });
        }
        let mut tx = self.store.write().await?;
        let (mut d, rel) = see_for_update(&mut tx, actor, id).await?;
        if !rel.clerk {
            return Err(AppError::Forbidden(
                "Chỉ văn thư của đơn vị cấp số và ban hành văn bản.".into(),
            ));
        }
        let next = step(&d, Action::Issue)?;
        let all_files = tx.document_files(id).await?;
        let files = issued_files(&all_files);
        if !files
            .iter()
            .any(|f| f.kind == vanthu_domain::document::FileKind::Main)
        {
            return Err(AppError::Conflict(
                "Văn bản chưa có văn bản chính (tệp PDF).".into(),
            ));
        }
        check_deliverable(&mut *tx, &d).await?;
        let unit = load_unit(&mut *tx, d.unit_id).await?;
        let style = style_of(unit.side);
        let dtype = match &d.doc_type {
            Some(c) => tx.document_type(c).await?,
            None => None,
        };
        let type_abbr = dtype.as_ref().and_then(|t| match style {
            NotationStyle::State => t.state_abbr.clone(),
            NotationStyle::Party => t.party_abbr.clone(),
        });
        let kind = if d.direction == Direction::Internal {
            RegisterKind::Internal
        } else {
            RegisterKind::Outgoing
        };
        let reg = pick_register(
            &mut *tx,
            unit.id,
            kind,
            d.secrecy.is_some(),
            type_abbr.as_deref(),
            input.register_id,
        )
        .await?;
        if !reg.series.is_empty() && type_abbr.as_deref() != Some(reg.series.as_str()) {
            return Err(AppError::Invalid {
                field: "register_id".into(),
                message: format!(
                    "Sổ \"{}\" chỉ đánh số loại văn bản {}.",
                    reg.name, reg.series
                ),
            });
        }
        let body = notation_body(&unit)?;
        let g = actor.clerk_grant(unit.id, reg.secret).ok_or_else(|| {
            AppError::Forbidden(
                "Chỉ văn thư được phép đọc tài liệu mật mới cấp số trong sổ mật.".into(),
            )
        })?;
        let now = now_ms();
        let n = tx
            .take_number(&g, reg.id, actor.person_id, now)
            .await?
            .ok_or_else(|| AppError::Conflict(format!("Sổ \"{}\" đã khóa.", reg.name)))?;
        let extra_refs: Vec<&str> = extra.iter().map(String::as_str).collect();
        let (full, display) = number_and_notation(
            style,
            n,
            &notation(style, type_abbr.as_deref(), &body, &extra_refs),
        );
        tx.use_number(reg.id, n, id, Some(&full)).await?;
        tx.freeze_files(id).await?;
        d.state = next;
        d.register_id = Some(reg.id);
        d.reg_number = Some(n);
        d.registered_at = Some(now);
        d.issued_at = Some(now);
        d.notation = Some(full.clone());
        d.doc_date = Some(today_local());
        d.author = Some(unit.name.clone());
        d.author_code = unit.code.clone();
        tx.update_document(&d, now).await?;

        // Dispatch inside the installation: each internal recipient gets its copy in its clerk's queue now.
        let mut sent = Vec::new();
        for r in tx.recipients(id).await? {
            match (r.channel.as_str(), r.unit_id) {
                ("internal", Some(uid)) if d.direction == Direction::Outgoing => {
                    let copy = tx
                        .insert_document(
                            &NewDocument {
                                unit_id: uid,
                                direction: Direction::Incoming,
                                state: DocState::Received,
                                doc_type: d.doc_type.clone(),
                                subject: d.subject.clone(),
                                notation: d.notation.clone(),
                                doc_date: d.doc_date.clone(),
                                author: d.author.clone(),
                                author_code: d.author_code.clone(),
                                signer: d.signer.clone(),
                                pages: d.pages,
                                copies: None,
                                urgency: d.urgency,
                                secrecy: d.secrecy,
                                deadline: d.deadline.clone(),
                                channel: Some(vanthu_domain::document::Channel::Internal),
                                received_at: Some(now),
                                signer_id: None,
                                review_plan: None,
                                flow_version_id: None,
                                source_id: Some(id),
                                reply_to_id: None,
                                replaces_id: None,
                                note: None,
                                created_by: actor.person_id,
                            },
                            now,
                        )
                        .await?;
                    for f in &files {
                        tx.insert_file(
                            copy,
                            &NewFile {
                                kind: f.kind,
                                name: f.name.clone(),
                                media_type: f.media_type.clone(),
                                size: f.size,
                                sha256: f.sha256.clone(),
                                version: f.version,
                                frozen: true,
                                uploaded_by: f.uploaded_by,
                            },
                            now,
                        )
                        .await?;
                    }
                    tx.set_recipient_status(r.id, RecipientStatus::Arrived, Some(copy), None, now)
                        .await?;
                    record(
                        &mut tx,
                        Some(actor.person_id),
                        "document.arrive",
                        "document",
                        copy,
                        format!("Đến từ {} (trong hệ thống): {}", unit.name, doc_title(&d)),
                        serde_json::json!({"source_id": id}),
                    )
                    .await?;
                    sent.push(r.name.clone());
                }
                ("internal", Some(_)) => {
                    tx.set_recipient_status(r.id, RecipientStatus::Arrived, None, None, now)
                        .await?;
                    sent.push(r.name.clone());
                }
                ("axis", _) => {
                    crate::exchange::queue::issue(
                        &mut tx,
                        &unit,
                        &d,
                        &r,
                        &crate::exchange::queue::staff_of(actor, Some(&unit)),
                        now,
                    )
                    .await?;
                    tx.set_recipient_status(
                        r.id,
                        RecipientStatus::Pending,
                        None,
                        Some("Chờ gửi qua trục liên thông"),
                        now,
                    )
                    .await?;
                }
                _ => {
                    tx.set_recipient_status(
                        r.id,
                        RecipientStatus::Pending,
                        None,
                        Some("Gửi bản giấy"),
                        now,
                    )
                    .await?;
                }
            }
        }
        if let Some(old_id) = d.replaces_id {
            let old = tx.document(old_id).await?;
            if old.as_ref().is_none_or(|o| o.state != DocState::Issued) {
                return Err(AppError::Conflict(format!(
                    "Văn bản được thay thế (số {old_id}) không còn ở trạng thái đã ban hành (đã thu hồi hoặc thay thế); hãy bỏ liên kết thay thế trong dự thảo."
                )));
            }
            self.revoke_in(
                &mut tx,
                actor,
                old_id,
                &format!("Được thay thế bằng văn bản {display}"),
                now,
            )
            .await?;
        }
        let hashes: Vec<String> = files.iter().map(|f| f.sha256.clone()).collect();
        record(
            &mut tx,
            Some(actor.person_id),
            "document.issue",
            "document",
            id,
            format!(
                "Cấp số {display} trong \"{}\" và ban hành{}",
                reg.name,
                if sent.is_empty() {
                    String::new()
                } else {
                    format!("; đã chuyển đến: {}", sent.join(", "))
                }
            ),
            serde_json::json!({"register_id": reg.id, "number": n, "notation": full, "sha256": hashes}),
        )
        .await?;
        tx.commit().await?;
        Ok(IssuedView {
            document: document_view(&d),
            register_id: reg.id,
            number: n,
            notation: full,
            display,
            file_hashes: hashes,
        })
    }

    /// The clerk or a leader of the issuing unit revokes an issued document; every copy inside the installation
    /// is revoked with it (its handlers' work stops) and each recipient's status says so.
    pub async fn revoke(&self, actor: &Actor, id: i64, reason: &str) -> AppResult<DocumentView> {
        let reason = parse_text("reason", "Lý do thu hồi", reason, 2000)?;
        let mut tx = self.store.write().await?;
        let (d, rel) = see_for_update(&mut tx, actor, id).await?;
        if !(rel.clerk || rel.leader) || d.direction == Direction::Incoming {
            return Err(AppError::Forbidden(
                "Chỉ văn thư hoặc lãnh đạo của đơn vị ban hành được thu hồi văn bản.".into(),
            ));
        }
        let now = now_ms();
        let d = self.revoke_in(&mut tx, actor, id, &reason, now).await?;
        tx.commit().await?;
        Ok(document_view(&d))
    }

    async fn revoke_in(
        &self,
        tx: &mut Box<dyn WriteTx>,
        actor: &Actor,
        id: i64,
        reason: &str,
        now: i64,
    ) -> AppResult<Document> {
        let mut d = tx
            .lock_document(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Không tìm thấy văn bản số {id}.")))?;
        d.state = step(&d, Action::Revoke)?;
        d.reason = Some(reason.to_string());
        tx.update_document(&d, now).await?;
        let unit = load_unit(&mut **tx, d.unit_id).await?;
        let over_axis = crate::exchange::queue::revoke(
            tx,
            &d,
            reason,
            &crate::exchange::queue::staff_of(actor, Some(&unit)),
            now,
        )
        .await?;
        for r in tx.recipients(id).await? {
            if let Some(copy_id) = r.incoming_id
                && let Some(mut copy) = tx.lock_document(copy_id).await?
                && super::revoke_copy(tx, &mut copy, reason, now).await?
            {
                record(
                    tx,
                    Some(actor.person_id),
                    "document.revoke",
                    "document",
                    copy_id,
                    format!("Bị thu hồi bởi nơi gửi: {reason}"),
                    serde_json::json!({"source_id": id}),
                )
                .await?;
            }
            if r.status != RecipientStatus::Rejected {
                let note = over_axis
                    .contains(&r.id)
                    .then_some("Đã gửi yêu cầu thu hồi qua trục liên thông, chờ nơi nhận trả lời");
                tx.set_recipient_status(r.id, RecipientStatus::Revoked, None, note, now)
                    .await?;
            }
        }
        record(
            tx,
            Some(actor.person_id),
            "document.revoke",
            "document",
            id,
            format!("Thu hồi {}: {reason}", doc_title(&d)),
            serde_json::json!({"reason": reason}),
        )
        .await?;
        Ok(d)
    }
}

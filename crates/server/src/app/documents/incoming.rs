//! Incoming documents (NĐ 30 Điều 20–24): the clerk registers (arrival number, duplicate warning) or rejects,
//! presents to a leader; the leader directs and assigns; handlers report, forward and complete. A copy that came
//! from another unit of the installation tells its sender every step.

use super::*;
use crate::app::views::current_local_year;
use vanthu_domain::document::{
    Action, AssignmentRole, Channel, Urgency, duplicate_key, parse_date, parse_secrecy,
};
use vanthu_domain::numbering::RegisterKind;
use vanthu_domain::text::parse_text;
use vanthu_domain::{Name, Secrecy};
use vanthu_store::{Direction, NewDocument, RecipientStatus, Register};

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct IncomingInput {
    /// The receiving unit (the clerk's unit).
    pub unit_id: i64,
    /// Code of the document type (`quyet_dinh`, `cong_van`…).
    pub doc_type: Option<String>,
    /// Trích yếu nội dung.
    pub subject: String,
    /// Số, ký hiệu as printed on the document (`15/QĐ-UBND`).
    pub notation: Option<String>,
    /// Ngày văn bản (`2026-11-20` or `20/11/2026`).
    pub doc_date: Option<String>,
    /// Cơ quan ban hành (the sender).
    pub author: String,
    /// The sender's identifier code, when known.
    pub author_code: Option<String>,
    /// Người ký.
    pub signer: Option<String>,
    /// Số trang.
    pub pages: Option<i64>,
    /// `normal`, `khan`, `thuong_khan`, `hoa_toc` (or the Vietnamese words).
    pub urgency: Option<String>,
    /// `mat`, `toi_mat`, `tuyet_mat`, or empty for an ordinary document.
    pub secrecy: Option<String>,
    /// Hạn xử lý.
    pub deadline: Option<String>,
    /// How it came: `paper` (default), `email`, `axis`.
    pub channel: Option<String>,
    /// The incoming register; by default the unit's register of incoming documents of this year (its secret
    /// register for a secret document).
    pub register_id: Option<i64>,
    pub note: Option<String>,
    /// Register even though the same document (sender, number and notation, date) is already there.
    #[serde(default)]
    pub confirm_duplicate: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct RegisterArrivalInput {
    pub register_id: Option<i64>,
    #[serde(default)]
    pub confirm_duplicate: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    /// Required: why.
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PresentInput {
    /// The leader to present to; absent: any leader of the unit.
    pub leader_id: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// Ý kiến chỉ đạo.
    pub direction: String,
    /// Who leads (chủ trì).
    pub lead: Option<i64>,
    /// Who co-handles (phối hợp).
    #[serde(default)]
    pub co: Vec<i64>,
    /// Who is informed (để biết).
    #[serde(default)]
    pub info: Vec<i64>,
    /// Hạn xử lý (`YYYY-MM-DD`); also the document's deadline.
    pub deadline: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// What was done (required for a progress report, optional when completing).
    pub report: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForwardInput {
    /// A colleague of one of the forwarder's units.
    pub person_id: i64,
    /// `lead` hands the lead over; `co` or `info` adds a helper or a reader.
    pub role: String,
    pub note: Option<String>,
}

fn opt_name(
    field: &'static str,
    label: &str,
    raw: Option<&str>,
    max: usize,
) -> AppResult<Option<String>> {
    Ok(Name::parse_opt(field, label, raw, max)?.map(Name::into_string))
}

fn opt_count(field: &'static str, label: &str, v: Option<i64>) -> AppResult<Option<i64>> {
    match v {
        Some(n) if !(1..=100_000).contains(&n) => Err(AppError::Invalid {
            field: field.into(),
            message: format!("{label} phải từ 1 đến 100000."),
        }),
        other => Ok(other),
    }
}

/// Whether a register's period (`2026` or `2025-2030`) covers the year.
fn covers(period: &str, year: i32) -> bool {
    match period.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (a.parse::<i32>().unwrap_or(0), b.parse::<i32>().unwrap_or(0));
            a <= year && year <= b
        }
        None => period.parse::<i32>().is_ok_and(|y| y == year),
    }
}

/// The register a document is numbered in: the one named (it must fit), or the unit's active register of this
/// kind for this year, secret documents in a secret register; with `series`, a register of that series first.
pub(crate) async fn pick_register(
    tx: &mut dyn ReadTx,
    unit_id: i64,
    kind: RegisterKind,
    secret: bool,
    series: Option<&str>,
    named: Option<i64>,
) -> AppResult<Register> {
    let secret_label = if secret { " mật" } else { "" };
    if let Some(id) = named {
        let r = tx
            .register(id)
            .await?
            .filter(|r| r.unit_id == unit_id)
            .ok_or_else(|| AppError::Invalid {
                field: "register_id".into(),
                message: format!("Sổ số {id} không phải sổ của đơn vị này."),
            })?;
        if r.kind != kind || r.secret != secret || !r.active {
            return Err(AppError::Invalid {
                field: "register_id".into(),
                message: format!(
                    "Sổ \"{}\" không dùng được ở đây: cần {}{secret_label} đang mở.",
                    r.name,
                    kind.label().to_lowercase()
                ),
            });
        }
        if !r.series.is_empty() && Some(r.series.as_str()) != series {
            return Err(AppError::Invalid {
                field: "register_id".into(),
                message: format!("Sổ \"{}\" chỉ đánh số loại văn bản {}.", r.name, r.series),
            });
        }
        return Ok(r);
    }
    let year = current_local_year();
    let candidates: Vec<Register> = tx
        .registers_of_unit(unit_id)
        .await?
        .into_iter()
        .filter(|r| r.active && r.kind == kind && r.secret == secret && covers(&r.period, year))
        .collect();
    let by_series = series.and_then(|s| candidates.iter().find(|r| r.series == s));
    by_series
        .or_else(|| candidates.iter().find(|r| r.series.is_empty()))
        .cloned()
        .ok_or_else(|| {
            AppError::Conflict(format!(
                "Đơn vị chưa có {}{secret_label} đang mở cho năm {year}; quản trị đơn vị cần lập sổ trước.",
                kind.label().to_lowercase()
            ))
        })
}

/// Tells the sender how the document stands at this recipient: the sender's recipient row for an internal
/// copy, a status packet queued for the axis for a document that came over it.
pub(crate) async fn feedback(
    tx: &mut Box<dyn WriteTx>,
    actor: &Actor,
    copy: &Document,
    status: RecipientStatus,
    note: Option<&str>,
) -> AppResult<()> {
    if let Some(code) = crate::exchange::queue::code_of(status)
        && tx.exchange_link(copy.id).await?.is_some()
    {
        let unit = tx.unit(copy.unit_id).await?;
        let staff = crate::exchange::queue::staff_of(actor, unit.as_ref());
        crate::exchange::queue::status(tx, copy, code, note, Some(&staff), now_ms()).await?;
    }
    if copy.source_id.is_none() {
        return Ok(());
    }
    if let Some(r) = tx.recipient_of_copy(copy.id).await?
        && status.rank() > r.status.rank()
    {
        tx.set_recipient_status(r.id, status, None, note, now_ms())
            .await?;
    }
    Ok(())
}

/// Refuses a duplicate unless confirmed; compares only with documents at or below `max_secrecy`.
#[allow(clippy::too_many_arguments)]
async fn check_duplicates(
    tx: &mut dyn ReadTx,
    unit_id: i64,
    self_id: Option<i64>,
    author: Option<&str>,
    notation: Option<&str>,
    doc_date: Option<&str>,
    max_secrecy: i64,
    confirmed: bool,
) -> AppResult<Vec<i64>> {
    let (Some(a), Some(n)) = (author, notation) else {
        return Ok(vec![]);
    };
    let (ka, kn) = duplicate_key(a, n);
    let ids: Vec<i64> = tx
        .find_duplicates(unit_id, &ka, &kn, doc_date, max_secrecy)
        .await?
        .iter()
        .filter(|d| {
            Some(d.id) != self_id && d.state != DocState::Rejected && d.state != DocState::Received
        })
        .map(|d| d.id)
        .collect();
    if !ids.is_empty() && !confirmed {
        return Err(AppError::Duplicate {
            message: format!(
                "Văn bản số {n} của {a} có vẻ đã được vào sổ (văn bản {}). Kiểm tra lại; nếu đúng là văn bản khác, xác nhận để vẫn vào sổ.",
                ids.iter()
                    .map(|i| format!("số {i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ids,
        });
    }
    Ok(ids)
}

/// Gives the arrival number in `reg` to the document (state and register fields set by the caller's save).
async fn give_arrival_number(
    tx: &mut Box<dyn WriteTx>,
    actor: &Actor,
    reg: &Register,
    d: &mut Document,
    now: i64,
) -> AppResult<i64> {
    let g = actor.clerk_grant(reg.unit_id, reg.secret).ok_or_else(|| {
        AppError::Forbidden("Chỉ văn thư của đơn vị được vào sổ văn bản đến.".into())
    })?;
    let n = tx
        .take_number(&g, reg.id, actor.person_id, now)
        .await?
        .ok_or_else(|| AppError::Conflict(format!("Sổ \"{}\" đã khóa.", reg.name)))?;
    tx.use_number(reg.id, n, d.id, None).await?;
    d.register_id = Some(reg.id);
    d.reg_number = Some(n);
    d.registered_at = Some(now);
    Ok(n)
}

fn require_clerk(actor: &Actor, d: &Document) -> AppResult<()> {
    if has_role(actor, d.unit_id, Role::Clerk) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Chỉ văn thư của đơn vị được làm việc này.".into(),
        ))
    }
}

/// Whether `person_id` may be given the document: active, member of the unit or a unit below it, cleared.
async fn check_handler(
    tx: &mut dyn ReadTx,
    d: &Document,
    person_id: i64,
) -> AppResult<vanthu_store::Person> {
    let bad = |m: String| AppError::Invalid {
        field: "person_id".into(),
        message: m,
    };
    let p = tx
        .person(person_id)
        .await?
        .filter(|p| p.active)
        .ok_or_else(|| {
            bad(format!(
                "Không có người dùng đang hoạt động số {person_id}."
            ))
        })?;
    let mut inside = false;
    for m in tx.memberships(person_id).await? {
        if tx.ancestry(m.unit_id).await?.contains(&d.unit_id) {
            inside = true;
            break;
        }
    }
    if !inside {
        return Err(bad(format!(
            "{} không thuộc đơn vị giữ văn bản (hoặc đơn vị trực thuộc).",
            p.full_name
        )));
    }
    if !p.clearance.may_read(d.secrecy) {
        return Err(bad(format!(
            "{} chưa được phép đọc tài liệu {}.",
            p.full_name,
            d.secrecy.map(Secrecy::label).unwrap_or("")
        )));
    }
    Ok(p)
}

impl App {
    /// `POST /api/v1/incoming`: the clerk registers a received document with its files and gives it its
    /// arrival number, in one transaction.
    pub async fn register_incoming(
        &self,
        actor: &Actor,
        input: &IncomingInput,
        uploads: Vec<Upload>,
    ) -> AppResult<DocumentView> {
        let subject = Name::parse("subject", "Trích yếu", &input.subject, 2000)?.into_string();
        let author = Name::parse("author", "Cơ quan ban hành", &input.author, 300)?.into_string();
        let notation = opt_name("notation", "Số, ký hiệu", input.notation.as_deref(), 100)?;
        let doc_date = input
            .doc_date
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_date("doc_date", "Ngày văn bản", s))
            .transpose()?;
        let deadline = input
            .deadline
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_date("deadline", "Hạn xử lý", s))
            .transpose()?;
        if let (Some(dd), Some(dl)) = (&doc_date, &deadline)
            && dl < dd
        {
            return Err(AppError::Invalid {
                field: "deadline".into(),
                message: "Hạn xử lý không thể trước ngày văn bản.".into(),
            });
        }
        if doc_date
            .as_deref()
            .is_some_and(|d| d > today_local().as_str())
        {
            return Err(AppError::Invalid {
                field: "doc_date".into(),
                message: "Ngày văn bản ở tương lai; kiểm tra lại.".into(),
            });
        }
        let urgency = match input.urgency.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(u) => Urgency::parse(u)?,
            None => Urgency::Normal,
        };
        let secrecy = parse_secrecy(input.secrecy.as_deref())?;
        let channel = match input.channel.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(c) => Channel::parse(c)?,
            None => Channel::Paper,
        };
        if channel == Channel::Internal {
            return Err(AppError::Invalid {
                field: "channel".into(),
                message: "Văn bản từ đơn vị trong hệ thống đến tự động; hãy vào sổ văn bản đó trong hàng đợi.".into(),
            });
        }
        let author_code = opt_name(
            "author_code",
            "Mã định danh",
            input.author_code.as_deref(),
            64,
        )?;
        let signer = opt_name("signer", "Người ký", input.signer.as_deref(), 200)?;
        let note = opt_name("note", "Ghi chú", input.note.as_deref(), 2000)?;
        let pages = opt_count("pages", "Số trang", input.pages)?;
        if !actor.clearance.may_read(secrecy) {
            return Err(AppError::Forbidden(
                "Bạn chưa được phép đọc tài liệu ở độ mật này nên không vào sổ được.".into(),
            ));
        }
        if secrecy.is_some() && channel == Channel::Axis {
            return Err(AppError::Invalid {
                field: "channel".into(),
                message:
                    "Văn bản mật không được gửi, nhận qua trục liên thông; kiểm tra lại nguồn đến."
                        .into(),
            });
        }
        if !has_role(actor, input.unit_id, Role::Clerk) {
            return Err(AppError::Forbidden(
                "Chỉ văn thư của đơn vị được vào sổ văn bản đến.".into(),
            ));
        }
        let checked = check_uploads(&uploads)?;
        let stored = self.store_blobs(&uploads).await?;

        let mut tx = self.store.write().await?;
        let unit = load_unit(&mut *tx, input.unit_id).await?;
        if !unit.active {
            return Err(AppError::Conflict(format!(
                "Đơn vị \"{}\" đã ngừng hoạt động.",
                unit.name
            )));
        }
        let doc_type = match input
            .doc_type
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(doc_type_code)
            .transpose()?
        {
            Some(code) => Some(
                tx.document_type(code)
                    .await?
                    .filter(|t| t.active)
                    .ok_or_else(|| AppError::Invalid {
                        field: "doc_type".into(),
                        message: format!("Không có loại văn bản đang dùng mã \"{code}\"."),
                    })?
                    .code,
            ),
            None => None,
        };
        // The unit's incoming flow: its default deadline, and the version the document keeps.
        let flow =
            crate::app::flows::flow_in_force(&mut *tx, unit.id, Direction::Incoming, None).await?;
        let deadline = match (&deadline, &flow) {
            (None, Some((_, def))) => def.deadline_days.map(date_after_today),
            _ => deadline,
        };
        let reg = pick_register(
            &mut *tx,
            unit.id,
            RegisterKind::Incoming,
            secrecy.is_some(),
            None,
            input.register_id,
        )
        .await?;
        let dups = check_duplicates(
            &mut *tx,
            unit.id,
            None,
            Some(&author),
            notation.as_deref(),
            doc_date.as_deref(),
            actor.clearance.level(),
            input.confirm_duplicate,
        )
        .await?;
        let now = now_ms();
        let id = tx
            .insert_document(
                &NewDocument {
                    unit_id: unit.id,
                    direction: Direction::Incoming,
                    state: DocState::Received,
                    doc_type,
                    subject,
                    notation,
                    doc_date,
                    author: Some(author),
                    author_code,
                    signer,
                    pages,
                    copies: None,
                    urgency,
                    secrecy,
                    deadline,
                    channel: Some(channel),
                    received_at: Some(now),
                    signer_id: None,
                    review_plan: None,
                    flow_version_id: flow.as_ref().map(|(id, _)| *id),
                    source_id: None,
                    reply_to_id: None,
                    replaces_id: None,
                    note,
                    created_by: actor.person_id,
                },
                now,
            )
            .await?;
        for ((u, c), sha) in uploads.iter().zip(&checked).zip(&stored) {
            tx.insert_file(
                id,
                &NewFile {
                    kind: u.kind,
                    name: c.name.clone(),
                    media_type: c.media_type.into(),
                    size: u.bytes.len() as i64,
                    sha256: sha.clone(),
                    version: 1,
                    frozen: true,
                    uploaded_by: actor.person_id,
                },
                now,
            )
            .await?;
        }
        let mut d = tx
            .lock_document(id)
            .await?
            .ok_or_else(|| AppError::Internal("document vanished".into()))?;
        d.state = step(&d, Action::Register)?;
        let n = give_arrival_number(&mut tx, actor, &reg, &mut d, now).await?;
        tx.update_document(&d, now).await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "document.register",
            "document",
            id,
            format!(
                "Vào sổ \"{}\", số đến {n}: {}{}",
                reg.name,
                doc_title(&d),
                if dups.is_empty() {
                    String::new()
                } else {
                    format!(" (đã xác nhận không trùng với văn bản {dups:?})")
                }
            ),
            serde_json::json!({"register_id": reg.id, "number": n, "files": stored, "duplicates": dups}),
        )
        .await?;
        tx.commit().await?;
        Ok(document_view(&d))
    }

    /// The clerk registers a document that arrived from another unit of the installation.
    pub async fn register_arrival(
        &self,
        actor: &Actor,
        id: i64,
        input: &RegisterArrivalInput,
    ) -> AppResult<DocumentView> {
        let mut tx = self.store.write().await?;
        let (mut d, _) = see_for_update(&mut tx, actor, id).await?;
        require_clerk(actor, &d)?;
        let next = step(&d, Action::Register)?;
        if d.flow_version_id.is_none()
            && let Some((fv, def)) =
                crate::app::flows::flow_in_force(&mut *tx, d.unit_id, Direction::Incoming, None)
                    .await?
        {
            d.flow_version_id = Some(fv);
            if d.deadline.is_none() {
                d.deadline = def.deadline_days.map(date_after_today);
            }
        }
        let reg = pick_register(
            &mut *tx,
            d.unit_id,
            RegisterKind::Incoming,
            d.secrecy.is_some(),
            None,
            input.register_id,
        )
        .await?;
        let dups = check_duplicates(
            &mut *tx,
            d.unit_id,
            Some(d.id),
            d.author.as_deref(),
            d.notation.as_deref(),
            d.doc_date.as_deref(),
            actor.clearance.level(),
            input.confirm_duplicate,
        )
        .await?;
        let now = now_ms();
        d.state = next;
        let n = give_arrival_number(&mut tx, actor, &reg, &mut d, now).await?;
        tx.update_document(&d, now).await?;
        feedback(&mut tx, actor, &d, RecipientStatus::Accepted, None).await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "document.register",
            "document",
            id,
            format!("Vào sổ \"{}\", số đến {n}: {}", reg.name, doc_title(&d)),
            serde_json::json!({"register_id": reg.id, "number": n, "duplicates": dups}),
        )
        .await?;
        tx.commit().await?;
        Ok(document_view(&d))
    }

    /// The clerk refuses a document that arrived (wrong addressee, invalid), with a reason the sender sees.
    pub async fn reject_incoming(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
    ) -> AppResult<DocumentView> {
        let reason = parse_text("reason", "Lý do từ chối", reason, 1000)?;
        let mut tx = self.store.write().await?;
        let (mut d, _) = see_for_update(&mut tx, actor, id).await?;
        require_clerk(actor, &d)?;
        d.state = step(&d, Action::Reject)?;
        d.reason = Some(reason.clone());
        let now = now_ms();
        tx.update_document(&d, now).await?;
        feedback(&mut tx, actor, &d, RecipientStatus::Rejected, Some(&reason)).await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "document.reject",
            "document",
            id,
            format!("Từ chối tiếp nhận: {reason}"),
            serde_json::json!({"reason": reason}),
        )
        .await?;
        tx.commit().await?;
        Ok(document_view(&d))
    }

    /// The clerk presents a registered document to a leader of the unit (or to its leaders).
    pub async fn present(
        &self,
        actor: &Actor,
        id: i64,
        input: &PresentInput,
    ) -> AppResult<DocumentView> {
        let note = opt_name("note", "Ghi chú", input.note.as_deref(), 1000)?;
        let mut tx = self.store.write().await?;
        let (mut d, _) = see_for_update(&mut tx, actor, id).await?;
        require_clerk(actor, &d)?;
        d.state = step(&d, Action::Present)?;
        let to = match input.leader_id {
            Some(pid) => {
                let p = check_handler(&mut *tx, &d, pid).await?;
                let leads = tx
                    .memberships(pid)
                    .await?
                    .iter()
                    .any(|m| m.unit_id == d.unit_id && m.roles.contains(&Role::Leader));
                if !leads {
                    return Err(AppError::Invalid {
                        field: "leader_id".into(),
                        message: format!("{} không phải lãnh đạo của đơn vị.", p.full_name),
                    });
                }
                Some(p)
            }
            // The flow may name the one person documents are presented to.
            None => match d.flow_version_id {
                Some(v) => match tx.flow_version(v).await? {
                    Some(fv) => {
                        let def: vanthu_domain::flow::FlowDef =
                            serde_json::from_str(&fv.definition)
                                .map_err(|e| AppError::Internal(e.to_string()))?;
                        match &def.present_to {
                            Some(a) => {
                                let people = crate::app::flows::resolve(
                                    &mut *tx,
                                    d.unit_id,
                                    &a.target("present_to")?,
                                )
                                .await?;
                                match people.as_slice() {
                                    [one] => tx.person(*one).await?,
                                    _ => None,
                                }
                            }
                            None => None,
                        }
                    }
                    None => None,
                },
                None => None,
            },
        };
        d.presented_to = to.as_ref().map(|p| p.id);
        let now = now_ms();
        tx.update_document(&d, now).await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "document.present",
            "document",
            id,
            format!(
                "Trình {}{}",
                to.as_ref()
                    .map(|p| p.full_name.clone())
                    .unwrap_or_else(|| "lãnh đạo đơn vị".into()),
                note.as_ref().map(|n| format!(": {n}")).unwrap_or_default()
            ),
            serde_json::json!({"leader_id": d.presented_to}),
        )
        .await?;
        tx.commit().await?;
        Ok(document_view(&d))
    }

    /// The leader writes a direction and names who leads, co-handles and is informed, with a deadline.
    pub async fn assign(
        &self,
        actor: &Actor,
        id: i64,
        input: &AssignInput,
    ) -> AppResult<DocumentView> {
        let direction = parse_text("direction", "Ý kiến chỉ đạo", &input.direction, 4000)?;
        let deadline = input
            .deadline
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_date("deadline", "Hạn xử lý", s))
            .transpose()?;
        if input.lead.is_none() && input.co.is_empty() && input.info.is_empty() {
            return Err(AppError::Invalid {
                field: "lead".into(),
                message: "Cần giao ít nhất một người (chủ trì, phối hợp hoặc để biết).".into(),
            });
        }
        let mut seen_ids = std::collections::HashSet::new();
        for p in input.lead.iter().chain(&input.co).chain(&input.info) {
            if !seen_ids.insert(*p) {
                return Err(AppError::Invalid {
                    field: "co".into(),
                    message: format!(
                        "Người dùng số {p} được giao hai lần trong một lần phân công."
                    ),
                });
            }
        }
        let mut tx = self.store.write().await?;
        let (mut d, _) = see_for_update(&mut tx, actor, id).await?;
        let now = now_ms();
        // Presented to another leader: only that leader directs, or whoever they delegated to for now.
        let mut on_behalf = None;
        if d.state == DocState::Presented
            && let Some(p) = d.presented_to
            && p != actor.person_id
        {
            let to = person_ref(&mut *tx, p).await?;
            if !(tx.delegated(p, actor.person_id, now).await?
                && leads(&mut *tx, p, d.unit_id).await?)
            {
                return Err(AppError::Forbidden(format!(
                    "Văn bản đã được trình {}; chỉ người đó (hoặc người được ủy quyền) cho ý kiến chỉ đạo.",
                    to.full_name
                )));
            }
            on_behalf = Some(to);
        }
        if on_behalf.is_none() && !has_role(actor, d.unit_id, Role::Leader) {
            return Err(AppError::Forbidden(
                "Chỉ lãnh đạo của đơn vị được chỉ đạo, phân công xử lý văn bản.".into(),
            ));
        }
        d.state = step(&d, Action::Assign)?;
        if d.state == DocState::Assigned && d.presented_to.is_none() {
            d.presented_to = Some(actor.person_id);
        }
        let existing = tx.assignments(id).await?;
        let mut names = Vec::new();
        let targets = input
            .lead
            .iter()
            .map(|p| (*p, AssignmentRole::Lead))
            .chain(input.co.iter().map(|p| (*p, AssignmentRole::Co)))
            .chain(input.info.iter().map(|p| (*p, AssignmentRole::Info)));
        for (pid, role) in targets {
            let p = check_handler(&mut *tx, &d, pid).await?;
            if role == AssignmentRole::Lead {
                for mut old in existing
                    .iter()
                    .filter(|a| {
                        a.role == AssignmentRole::Lead
                            && a.person_id != pid
                            && matches!(a.state.as_str(), "pending" | "processing")
                    })
                    .cloned()
                {
                    old.state = "forwarded".into();
                    old.done_at = Some(now);
                    tx.update_assignment(&old).await?;
                }
            }
            if existing.iter().any(|a| {
                a.person_id == pid
                    && a.role == role
                    && matches!(a.state.as_str(), "pending" | "processing")
            }) {
                continue;
            }
            tx.insert_assignment(
                id,
                pid,
                role,
                deadline.as_deref(),
                Some(&direction),
                actor.person_id,
                now,
            )
            .await?;
            names.push(format!("{} ({})", p.full_name, role.label().to_lowercase()));
        }
        d.direction_note = Some(direction.clone());
        if deadline.is_some() {
            d.deadline = deadline.clone();
        }
        tx.update_document(&d, now).await?;
        feedback(&mut tx, actor, &d, RecipientStatus::Assigned, None).await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "document.assign",
            "document",
            id,
            format!(
                "Chỉ đạo: {}. Giao: {}{}{}",
                excerpt(&direction, 300),
                names.join(", "),
                deadline
                    .as_deref()
                    .map(|dl| format!("; hạn {}", date_vn(dl)))
                    .unwrap_or_default(),
                on_behalf
                    .as_ref()
                    .map(|p| format!(" (được ủy quyền, thay {})", p.full_name))
                    .unwrap_or_default()
            ),
            serde_json::json!({"lead": input.lead, "co": input.co, "info": input.info, "deadline": deadline, "on_behalf_of": on_behalf.as_ref().map(|p| p.id)}),
        )
        .await?;
        tx.commit().await?;
        Ok(document_view(&d))
    }

    /// A handler reports progress (the document is then being processed).
    pub async fn progress(
        &self,
        actor: &Actor,
        id: i64,
        input: &ReportInput,
    ) -> AppResult<DocumentView> {
        let report = parse_text(
            "report",
            "Nội dung báo cáo",
            input.report.as_deref().unwrap_or(""),
            4000,
        )?;
        self.handler_step(actor, id, Some(report), false).await
    }

    /// A handler finishes their part; when the lead finishes, the document is done.
    pub async fn complete(
        &self,
        actor: &Actor,
        id: i64,
        input: &ReportInput,
    ) -> AppResult<DocumentView> {
        let report = match input.report.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(r) => Some(parse_text("report", "Kết quả xử lý", r, 4000)?),
            None => None,
        };
        self.handler_step(actor, id, report, true).await
    }

    async fn handler_step(
        &self,
        actor: &Actor,
        id: i64,
        report: Option<String>,
        complete: bool,
    ) -> AppResult<DocumentView> {
        let mut tx = self.store.write().await?;
        let (mut d, _) = see_for_update(&mut tx, actor, id).await?;
        let mine: Vec<vanthu_store::Assignment> = tx
            .assignments(id)
            .await?
            .into_iter()
            .filter(|a| a.person_id == actor.person_id)
            .collect();
        let open: Vec<&vanthu_store::Assignment> = mine
            .iter()
            .filter(|a| matches!(a.state.as_str(), "pending" | "processing"))
            .collect();
        let Some(a) = open
            .iter()
            .min_by_key(|a| match a.role {
                AssignmentRole::Lead => 0,
                AssignmentRole::Co => 1,
                AssignmentRole::Info => 2,
            })
            .copied()
            .cloned()
        else {
            return Err(if mine.is_empty() {
                AppError::Forbidden("Bạn không được giao xử lý văn bản này.".into())
            } else {
                AppError::Conflict("Phần việc của bạn với văn bản này đã xong.".into())
            });
        };
        let now = now_ms();
        let mut a = a;
        a.report = report.clone().or(a.report);
        let lead_done = complete && a.role == AssignmentRole::Lead;
        if complete {
            a.state = "done".into();
            a.done_at = Some(now);
        } else {
            a.state = "processing".into();
        }
        tx.update_assignment(&a).await?;
        let before = d.state;
        if lead_done {
            d.state = step(&d, Action::Complete)?;
            // The lead closes the document: the others' parts close with it.
            for mut other in tx.assignments(id).await? {
                if other.id != a.id && matches!(other.state.as_str(), "pending" | "processing") {
                    other.state = "done".into();
                    other.done_at = Some(now);
                    tx.update_assignment(&other).await?;
                }
            }
        } else if a.role != AssignmentRole::Info && d.state == DocState::Assigned {
            d.state = step(&d, Action::Progress)?;
        } else if !matches!(d.state, DocState::Assigned | DocState::Processing) {
            return Err(AppError::Conflict(format!(
                "Văn bản đang ở trạng thái \"{}\".",
                d.state.label()
            )));
        }
        if d.state != before {
            tx.update_document(&d, now).await?;
            let status = if d.state == DocState::Done {
                RecipientStatus::Done
            } else {
                RecipientStatus::Processing
            };
            feedback(&mut tx, actor, &d, status, None).await?;
        }
        let what = match (complete, a.role) {
            (true, AssignmentRole::Lead) => "Hoàn thành xử lý (chủ trì)",
            (true, AssignmentRole::Co) => "Hoàn thành phần phối hợp",
            (true, AssignmentRole::Info) => "Đã xem (để biết)",
            (false, _) => "Báo cáo tiến độ",
        };
        record(
            &mut tx,
            Some(actor.person_id),
            if complete {
                "document.complete"
            } else {
                "document.progress"
            },
            "document",
            id,
            match &report {
                Some(r) => format!("{what}: {}", excerpt(r, 300)),
                None => what.to_string(),
            },
            serde_json::json!({"assignment_id": a.id, "role": a.role.code()}),
        )
        .await?;
        tx.commit().await?;
        Ok(document_view(&d))
    }

    /// A handler forwards within their department: to a colleague who shares one of their units.
    pub async fn forward(
        &self,
        actor: &Actor,
        id: i64,
        input: &ForwardInput,
    ) -> AppResult<DocumentView> {
        let role = AssignmentRole::parse(&input.role)?;
        let note = opt_name("note", "Ghi chú", input.note.as_deref(), 1000)?;
        if input.person_id == actor.person_id {
            return Err(AppError::Invalid {
                field: "person_id".into(),
                message: "Không thể chuyển cho chính mình.".into(),
            });
        }
        let mut tx = self.store.write().await?;
        let (d, _) = see_for_update(&mut tx, actor, id).await?;
        if !matches!(d.state, DocState::Assigned | DocState::Processing) {
            return Err(AppError::Conflict(format!(
                "Không thể chuyển văn bản đang ở trạng thái \"{}\".",
                d.state.label()
            )));
        }
        let all = tx.assignments(id).await?;
        // Handing over the lead needs one's lead assignment; adding a helper, any open one (the lead first).
        let Some(mine) = all
            .iter()
            .filter(|a| {
                a.person_id == actor.person_id
                    && a.role != AssignmentRole::Info
                    && matches!(a.state.as_str(), "pending" | "processing")
            })
            .min_by_key(|a| (a.role != AssignmentRole::Lead, a.id))
            .cloned()
        else {
            return Err(AppError::Forbidden(
                "Chỉ người đang chủ trì hoặc phối hợp xử lý được chuyển văn bản.".into(),
            ));
        };
        if role == AssignmentRole::Lead && mine.role != AssignmentRole::Lead {
            return Err(AppError::Forbidden(
                "Chỉ người chủ trì được chuyển quyền chủ trì.".into(),
            ));
        }
        let p = check_handler(&mut *tx, &d, input.person_id).await?;
        let theirs = tx.memberships(p.id).await?;
        if !theirs.iter().any(|m| actor.member_of(m.unit_id)) {
            return Err(AppError::Invalid {
                field: "person_id".into(),
                message: format!("{} không cùng phòng, ban với bạn.", p.full_name),
            });
        }
        if all.iter().any(|a| {
            a.person_id == p.id
                && a.role == role
                && matches!(a.state.as_str(), "pending" | "processing")
        }) {
            return Err(AppError::Conflict(format!(
                "{} đã được giao văn bản này với vai trò {}.",
                p.full_name,
                role.label().to_lowercase()
            )));
        }
        let now = now_ms();
        if role == AssignmentRole::Lead {
            let mut m = mine.clone();
            m.state = "forwarded".into();
            m.done_at = Some(now);
            tx.update_assignment(&m).await?;
        }
        tx.insert_assignment(
            id,
            p.id,
            role,
            mine.deadline.as_deref(),
            note.as_deref().or(mine.note.as_deref()),
            actor.person_id,
            now,
        )
        .await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "document.forward",
            "document",
            id,
            format!(
                "Chuyển cho {} ({}){}",
                p.full_name,
                role.label().to_lowercase(),
                note.as_ref().map(|n| format!(": {n}")).unwrap_or_default()
            ),
            serde_json::json!({"person_id": p.id, "role": role.code()}),
        )
        .await?;
        tx.commit().await?;
        Ok(document_view(&d))
    }
}

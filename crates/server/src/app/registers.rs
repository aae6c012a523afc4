//! Registers (sổ văn bản) of a unit and the numbers taken in them: gap-free, never reused, an unused number
//! cancelled with a reason. Secret documents have their own registers, seen only by people cleared for them.

use super::units::load_unit;
use super::views::iso;
use super::{App, record};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vanthu_domain::access::Actor;
use vanthu_domain::numbering::{
    NotationStyle, RegisterKind, notation, number_and_notation, parse_abbreviation, parse_period,
};
use vanthu_domain::{Clearance, Name, Secrecy, Side};
use vanthu_store::{ReadTx, Register, RegisterEntry, RegisterFields, now_ms};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    /// `incoming`, `outgoing` or `internal`.
    pub kind: String,
    /// A year (`2026`) or a Party term (`2025-2030`).
    pub period: String,
    /// A register of secret documents (its own number series).
    #[serde(default)]
    pub secret: bool,
    /// A document type abbreviation with its own series (Party: one series per type), or absent for one series.
    pub series: Option<String>,
    /// Defaults to the kind, the period and the secrecy, e.g. "Sổ văn bản đi năm 2026".
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TakeNumberInput {
    /// Abbreviation of the document type (`QĐ`, `CV`…); for a register with its own series, that series.
    /// Without it (and outside such a register), only the number is given.
    pub type_abbr: Option<String>,
    /// Instead of `type_abbr`: the code of a document type (`quyet_dinh`, `cong_van`…), whose abbreviation
    /// for the unit's side is used (State công văn has none: its notation is the body and the drafting unit).
    pub doc_type: Option<String>,
    /// Further groups of the notation: State công văn the drafting unit (`VP`), Party suffixes (`nb`).
    #[serde(default)]
    pub extra: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelInput {
    /// Why the number is not used (required).
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterView {
    pub id: i64,
    pub unit_id: i64,
    pub kind: String,
    pub kind_label: String,
    pub period: String,
    pub secret: bool,
    pub series: Option<String>,
    pub name: String,
    /// The number the next document will get.
    pub next_number: i64,
    pub active: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryView {
    pub register_id: i64,
    pub number: i64,
    /// The number as written (`05`).
    pub number_text: String,
    /// Number and notation (`05/QĐ-UBND`, `15671-CV/VPTW`), when a type was given.
    pub notation: Option<String>,
    /// As printed on the document (`Số: 05/QĐ-UBND`, `Số 15671-CV/VPTW`).
    pub display: Option<String>,
    /// `reserved` or `cancelled`.
    pub status: String,
    pub reason: Option<String>,
    pub taken_by: i64,
    pub taken_at: String,
    pub cancelled_by: Option<i64>,
    pub cancelled_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterDetail {
    pub register: RegisterView,
    /// Newest first.
    pub entries: Vec<EntryView>,
}

fn register_view(r: &Register) -> RegisterView {
    RegisterView {
        id: r.id,
        unit_id: r.unit_id,
        kind: r.kind.code().into(),
        kind_label: r.kind.label().into(),
        period: r.period.clone(),
        secret: r.secret,
        series: (!r.series.is_empty()).then(|| r.series.clone()),
        name: r.name.clone(),
        next_number: r.next_number,
        active: r.active,
        created_at: iso(r.created_at),
    }
}

fn entry_view(e: &RegisterEntry, style: NotationStyle) -> EntryView {
    EntryView {
        register_id: e.register_id,
        number: e.number,
        number_text: vanthu_domain::numbering::number_text(e.number),
        display: e.notation.as_ref().map(|n| match style {
            NotationStyle::State => format!("Số: {n}"),
            NotationStyle::Party => format!("Số {n}"),
        }),
        notation: e.notation.clone(),
        status: e.status.clone(),
        reason: e.reason.clone(),
        taken_by: e.taken_by,
        taken_at: iso(e.taken_at),
        cancelled_by: e.cancelled_by,
        cancelled_at: e.cancelled_at.map(iso),
    }
}

/// The abbreviation of the unit's name used in notations; refused with a clear message when the unit has none.
pub(crate) fn notation_body(unit: &vanthu_store::Unit) -> AppResult<String> {
    match &unit.short_name {
        Some(b) => parse_abbreviation("short_name", b).map_err(|_| AppError::Conflict(format!(
            "Tên viết tắt \"{b}\" của đơn vị \"{}\" không dùng được trong ký hiệu; hãy sửa tên viết tắt.",
            unit.name
        ))),
        None => Err(AppError::Conflict(format!(
            "Đơn vị \"{}\" chưa có tên viết tắt để ghép ký hiệu văn bản; quản trị đơn vị cần khai báo trước.",
            unit.name
        ))),
    }
}

pub(crate) fn style_of(side: Side) -> NotationStyle {
    match side {
        Side::Party => NotationStyle::Party,
        Side::State => NotationStyle::State,
    }
}

/// Whether the person may read secret documents (and so see and use secret registers).
pub fn may_see_secret(actor: &Actor) -> bool {
    actor.clearance >= Clearance(Some(Secrecy::Mat))
}

/// Members of the unit and administrators whose scope covers it see its registers; secret ones only when
/// cleared. Anything else is answered as if the register did not exist.
pub(crate) async fn visible_register(
    tx: &mut dyn ReadTx,
    actor: &Actor,
    id: i64,
) -> AppResult<Register> {
    let not_found = || AppError::NotFound(format!("Không tìm thấy sổ số {id}."));
    let r = tx.register(id).await?.ok_or_else(not_found)?;
    let sees_unit = actor.member_of(r.unit_id) || actor.in_scope(&tx.ancestry(r.unit_id).await?);
    if !sees_unit || (r.secret && !may_see_secret(actor)) {
        return Err(not_found());
    }
    Ok(r)
}

impl App {
    pub async fn list_registers(
        &self,
        actor: &Actor,
        unit_id: i64,
    ) -> AppResult<Vec<RegisterView>> {
        let mut r = self.store.read().await?;
        load_unit(&mut *r, unit_id).await?;
        if !(actor.member_of(unit_id) || actor.in_scope(&r.ancestry(unit_id).await?)) {
            return Err(AppError::Forbidden(
                "Chỉ người của đơn vị và quản trị đơn vị được xem sổ của đơn vị.".into(),
            ));
        }
        let secret_ok = may_see_secret(actor);
        Ok(r.registers_of_unit(unit_id)
            .await?
            .iter()
            .filter(|g| secret_ok || !g.secret)
            .map(register_view)
            .collect())
    }

    pub async fn create_register(
        &self,
        actor: &Actor,
        unit_id: i64,
        input: &RegisterInput,
    ) -> AppResult<RegisterView> {
        let kind = RegisterKind::parse(&input.kind)?;
        let period = parse_period(&input.period)?;
        let series = match input
            .series
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => parse_abbreviation("series", s)?,
            None => String::new(),
        };
        let name = match input.name.as_deref() {
            Some(n) => Name::parse("name", "Tên sổ", n, 200)?.into_string(),
            None => {
                let secret = if input.secret { " (mật)" } else { "" };
                let typ = if series.is_empty() {
                    String::new()
                } else {
                    format!(" {series}")
                };
                format!("{}{typ}{secret} {period}", kind.label())
            }
        };
        if input.secret && !may_see_secret(actor) {
            return Err(AppError::Forbidden(
                "Chỉ người được đọc tài liệu mật mới được lập sổ văn bản mật.".into(),
            ));
        }
        let mut tx = self.store.write().await?;
        let unit = load_unit(&mut *tx, unit_id).await?;
        if !unit.active {
            return Err(AppError::Conflict(format!(
                "Đơn vị \"{}\" đã ngừng hoạt động.",
                unit.name
            )));
        }
        let g = actor
            .admin_grant(&tx.ancestry(unit_id).await?)
            .ok_or_else(AppError::forbidden_admin)?;
        let f = RegisterFields {
            kind,
            period,
            secret: input.secret,
            series,
            name,
        };
        let id = tx.insert_register(&g, &f, now_ms()).await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "register.create",
            "register",
            id,
            format!("Lập \"{}\" của {}", f.name, unit.name),
            serde_json::json!({"unit_id": unit_id, "kind": kind.code(), "period": f.period, "secret": f.secret, "series": f.series}),
        )
        .await?;
        let r = tx
            .register(id)
            .await?
            .ok_or_else(|| AppError::Internal("register vanished".into()))?;
        tx.commit().await?;
        Ok(register_view(&r))
    }

    pub async fn register_detail(
        &self,
        actor: &Actor,
        id: i64,
        limit: i64,
        offset: i64,
    ) -> AppResult<RegisterDetail> {
        let mut r = self.store.read().await?;
        let reg = visible_register(&mut *r, actor, id).await?;
        let unit = load_unit(&mut *r, reg.unit_id).await?;
        let style = style_of(unit.side);
        let entries = r.register_entries(id, limit, offset).await?;
        // The notation of a document above the reader's clearance is not shown.
        let hidden: std::collections::HashSet<i64> = r
            .register_documents(id)
            .await?
            .iter()
            .filter(|d| !actor.clearance.may_read(d.secrecy))
            .filter_map(|d| d.reg_number)
            .collect();
        Ok(RegisterDetail {
            register: register_view(&reg),
            entries: entries
                .iter()
                .map(|e| {
                    let mut v = entry_view(e, style);
                    if hidden.contains(&e.number) {
                        v.notation = None;
                        v.display = None;
                    }
                    v
                })
                .collect(),
        })
    }

    /// A clerk takes the next number of a register (and, given the type, its number and notation).
    pub async fn take_number(
        &self,
        actor: &Actor,
        register_id: i64,
        input: &TakeNumberInput,
    ) -> AppResult<EntryView> {
        let mut tx = self.store.write().await?;
        let reg = visible_register(&mut *tx, actor, register_id).await?;
        let g = actor.clerk_grant(reg.unit_id, reg.secret).ok_or_else(|| {
            AppError::Forbidden("Chỉ văn thư của đơn vị được lấy số trong sổ này.".into())
        })?;
        if !reg.active {
            return Err(AppError::Conflict(format!("Sổ \"{}\" đã khóa.", reg.name)));
        }
        let unit = load_unit(&mut *tx, reg.unit_id).await?;
        let style = style_of(unit.side);
        let given = input
            .type_abbr
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let doc_type = input
            .doc_type
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let type_abbr = match (given, doc_type) {
            (Some(_), Some(_)) => {
                return Err(AppError::Invalid {
                    field: "doc_type".into(),
                    message: "Chỉ ghi một trong hai: doc_type (mã loại văn bản) hoặc type_abbr (chữ viết tắt).".into(),
                });
            }
            (Some(t), None) => Some(parse_abbreviation("type_abbr", t)?),
            (None, Some(code)) => {
                let t = tx
                    .document_type(code)
                    .await?
                    .filter(|t| t.active)
                    .ok_or_else(|| AppError::Invalid {
                        field: "doc_type".into(),
                        message: format!("Không có loại văn bản đang dùng mã \"{code}\"."),
                    })?;
                match style {
                    NotationStyle::State => t.state_abbr,
                    NotationStyle::Party => t.party_abbr,
                }
            }
            (None, None) => (!reg.series.is_empty()).then(|| reg.series.clone()),
        };
        if !reg.series.is_empty() && type_abbr.as_deref() != Some(reg.series.as_str()) {
            return Err(AppError::Invalid {
                field: "type_abbr".into(),
                message: format!("Sổ này chỉ đánh số loại văn bản {}.", reg.series),
            });
        }
        let extra = input
            .extra
            .iter()
            .map(|e| parse_abbreviation("extra", e))
            .collect::<Result<Vec<_>, _>>()?;
        let needs_body = !(type_abbr.is_none() && extra.is_empty() && doc_type.is_none());
        let body = if needs_body {
            Some(notation_body(&unit)?)
        } else {
            None
        };
        let now = now_ms();
        let n = tx
            .take_number(&g, register_id, actor.person_id, now)
            .await?
            .ok_or_else(|| {
                AppError::Conflict("Không lấy được số: sổ đã khóa hoặc không thuộc đơn vị.".into())
            })?;
        let notation_text = body.map(|b| {
            let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
            number_and_notation(style, n, &notation(style, type_abbr.as_deref(), &b, &extra)).0
        });
        if let Some(t) = &notation_text {
            tx.set_entry_notation(register_id, n, t).await?;
        }
        record(
            &mut tx,
            Some(actor.person_id),
            "register.take",
            "register",
            register_id,
            format!(
                "Lấy số {} trong \"{}\"",
                notation_text.clone().unwrap_or_else(|| n.to_string()),
                reg.name
            ),
            serde_json::json!({"number": n, "notation": notation_text}),
        )
        .await?;
        let e = tx
            .register_entry(register_id, n)
            .await?
            .ok_or_else(|| AppError::Internal("entry vanished".into()))?;
        tx.commit().await?;
        Ok(entry_view(&e, style))
    }

    /// A clerk cancels a reserved number that will not be used; it is never given again.
    pub async fn cancel_number(
        &self,
        actor: &Actor,
        register_id: i64,
        number: i64,
        reason: &str,
    ) -> AppResult<EntryView> {
        let reason = Name::parse("reason", "Lý do hủy số", reason, 500)?.into_string();
        let mut tx = self.store.write().await?;
        let reg = visible_register(&mut *tx, actor, register_id).await?;
        let g = actor.clerk_grant(reg.unit_id, reg.secret).ok_or_else(|| {
            AppError::Forbidden("Chỉ văn thư của đơn vị được hủy số trong sổ này.".into())
        })?;
        let entry = tx
            .register_entry(register_id, number)
            .await?
            .ok_or_else(|| {
                AppError::NotFound(format!(
                    "Số {number} chưa được cấp trong sổ \"{}\".",
                    reg.name
                ))
            })?;
        if !tx
            .cancel_number(&g, register_id, number, &reason, actor.person_id, now_ms())
            .await?
        {
            return Err(AppError::Conflict(format!(
                "Số {number} đang ở trạng thái \"{}\", không hủy được.",
                if entry.status == "cancelled" {
                    "đã hủy"
                } else {
                    "đã dùng"
                }
            )));
        }
        record(
            &mut tx,
            Some(actor.person_id),
            "register.cancel",
            "register",
            register_id,
            format!("Hủy số {number} trong \"{}\": {reason}", reg.name),
            serde_json::json!({"number": number, "reason": reason}),
        )
        .await?;
        let e = tx
            .register_entry(register_id, number)
            .await?
            .ok_or_else(|| AppError::Internal("entry vanished".into()))?;
        let unit = load_unit(&mut *tx, reg.unit_id).await?;
        tx.commit().await?;
        Ok(entry_view(&e, style_of(unit.side)))
    }
}

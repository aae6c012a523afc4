//! Units of the organisation: create, edit, move, deactivate and reactivate.

use super::views::{EventView, UnitView};
use super::{App, parse_date, record};
use crate::error::{AppError, AppResult};
use serde::Deserialize;
use utoipa::ToSchema;
use vanthu_domain::access::Actor;
use vanthu_domain::{CodeFormat, IdentifierCode, Name, Side, UnitKey, UnitKind};
use vanthu_store::{Placement, ReadTx, Unit, UnitFields, WriteTx, now_ms};

/// Deserialises a field that may be absent (unchanged) or `null` (cleared).
pub(crate) fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A new unit.
#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UnitInput {
    /// Internal key (mã nội bộ): lowercase ASCII, digits, `.`, `-`, `_`.
    pub key: String,
    /// Identifier code; validated as `NNN.NN.NN.LNN` unless `code_format` is `other`.
    pub code: Option<String>,
    /// `axis` (default) or `other`.
    pub code_format: Option<String>,
    pub old_code: Option<String>,
    pub name: String,
    /// Abbreviation used in notations (e.g. `VPTW`, `UBND`).
    pub short_name: Option<String>,
    /// `agency`, `department`, `commune`, `ward`, `special_zone`.
    pub kind: String,
    /// `party` or `state`.
    pub side: String,
    /// The parent unit; absent for a top-level unit (system administrators only).
    pub parent_id: Option<i64>,
    /// `YYYY-MM-DD`.
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
}

/// Changes to a unit: absent fields stay as they are, `null` clears an optional field.
#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    pub key: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub code: Option<Option<String>>,
    pub code_format: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub old_code: Option<Option<String>>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub short_name: Option<Option<String>>,
    pub kind: Option<String>,
    pub side: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub valid_from: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub valid_to: Option<Option<String>>,
}

/// Validates raw values into stored fields.
pub(crate) fn validate_fields(i: &UnitInput) -> AppResult<UnitFields> {
    let code_format = CodeFormat::parse(i.code_format.as_deref().unwrap_or(""))?;
    let code = match i.code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(c) => Some(
            IdentifierCode::parse("code", c, code_format)?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let old_code = match i
        .old_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(c) => Some(
            IdentifierCode::parse("old_code", c, code_format)?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    if code.is_some() && code == old_code {
        return Err(AppError::Invalid {
            field: "old_code".into(),
            message: "Mã cũ phải khác mã hiện hành.".into(),
        });
    }
    let valid_from = parse_date("valid_from", i.valid_from.as_deref())?;
    let valid_to = parse_date("valid_to", i.valid_to.as_deref())?;
    if let (Some(f), Some(t)) = (&valid_from, &valid_to)
        && f > t
    {
        return Err(AppError::Invalid {
            field: "valid_to".into(),
            message: "Ngày hết hiệu lực phải sau ngày bắt đầu.".into(),
        });
    }
    let short_name = Name::parse_opt("short_name", "Tên viết tắt", i.short_name.as_deref(), 32)?;
    Ok(UnitFields {
        key: UnitKey::parse(&i.key)?.as_str().to_string(),
        code,
        code_format,
        old_code,
        name: Name::parse("name", "Tên đơn vị", &i.name, 255)?.into_string(),
        short_name: short_name.map(Name::into_string),
        kind: UnitKind::parse(&i.kind)?,
        side: Side::parse(&i.side)?,
        valid_from,
        valid_to,
    })
}

/// A code must not be any other unit's current or old code.
async fn check_codes_free(
    tx: &mut dyn ReadTx,
    f: &UnitFields,
    own_id: Option<i64>,
) -> AppResult<()> {
    for c in [&f.code, &f.old_code].into_iter().flatten() {
        if let Some(u) = tx.unit_by_code(c).await?
            && Some(u.id) != own_id
        {
            return Err(AppError::Conflict(format!(
                "Mã định danh {c} đã được dùng cho đơn vị \"{}\".",
                u.name
            )));
        }
    }
    Ok(())
}

pub(crate) async fn load_unit(tx: &mut dyn ReadTx, id: i64) -> AppResult<Unit> {
    tx.unit(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Không tìm thấy đơn vị số {id}.")))
}

fn diff(before: &UnitFields, after: &UnitFields) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    let mut put = |k: &str, a: String, b: String| {
        if a != b {
            m.insert(k.into(), serde_json::json!({"from": a, "to": b}));
        }
    };
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    put("key", before.key.clone(), after.key.clone());
    put("code", o(&before.code), o(&after.code));
    put(
        "code_format",
        before.code_format.as_str().into(),
        after.code_format.as_str().into(),
    );
    put("old_code", o(&before.old_code), o(&after.old_code));
    put("name", before.name.clone(), after.name.clone());
    put("short_name", o(&before.short_name), o(&after.short_name));
    put("kind", before.kind.code().into(), after.kind.code().into());
    put("side", before.side.code().into(), after.side.code().into());
    put("valid_from", o(&before.valid_from), o(&after.valid_from));
    put("valid_to", o(&before.valid_to), o(&after.valid_to));
    serde_json::Value::Object(m)
}

impl App {
    pub async fn list_units(
        &self,
        actor: &Actor,
        include_inactive: bool,
    ) -> AppResult<Vec<UnitView>> {
        Ok(self
            .cached_units(actor, include_inactive)
            .await?
            .views
            .as_ref()
            .clone())
    }

    /// The unit list as the API's JSON body (`{"items": [...]}`), served from a short-lived cache.
    pub async fn units_json(
        &self,
        actor: &Actor,
        include_inactive: bool,
    ) -> AppResult<axum::body::Bytes> {
        Ok(self.cached_units(actor, include_inactive).await?.json)
    }

    async fn cached_units(
        &self,
        _actor: &Actor,
        include_inactive: bool,
    ) -> AppResult<super::cache::CachedUnits> {
        let generation = self.store.generation();
        if let Some(c) = self.caches.units(include_inactive, generation) {
            return Ok(c);
        }
        let units = self.store.read().await?.units(include_inactive).await?;
        let views: Vec<UnitView> = units.iter().map(UnitView::from).collect();
        let json = serde_json::to_vec(&serde_json::json!({ "items": &views }))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let c = super::cache::CachedUnits {
            generation,
            at: std::time::Instant::now(),
            views: std::sync::Arc::new(views),
            json: json.into(),
        };
        self.caches.put_units(include_inactive, c.clone());
        Ok(c)
    }

    pub async fn get_unit(&self, _actor: &Actor, id: i64) -> AppResult<UnitView> {
        let mut r = self.store.read().await?;
        Ok(UnitView::from(&load_unit(&mut *r, id).await?))
    }

    /// Creates a unit in an open transaction (shared by the API and the importer).
    pub(crate) async fn create_unit_in(
        &self,
        tx: &mut Box<dyn WriteTx>,
        actor: &Actor,
        f: &UnitFields,
        parent_id: Option<i64>,
    ) -> AppResult<i64> {
        tx.lock_organisation().await?;
        check_codes_free(&mut **tx, f, None).await?;
        let now = now_ms();
        let id = match parent_id {
            None => {
                let g = actor.system_grant().ok_or_else(|| {
                    AppError::Forbidden("Chỉ quản trị hệ thống được tạo đơn vị cấp cao nhất; hãy chọn đơn vị cấp trên.".into())
                })?;
                tx.insert_unit(Placement::Root(&g), f, now).await?
            }
            Some(pid) => {
                let parent = load_unit(&mut **tx, pid)
                    .await
                    .map_err(|_| AppError::Invalid {
                        field: "parent_id".into(),
                        message: format!("Không tìm thấy đơn vị cấp trên số {pid}."),
                    })?;
                if !parent.active {
                    return Err(AppError::Conflict(format!(
                        "Đơn vị cấp trên \"{}\" đã ngừng hoạt động.",
                        parent.name
                    )));
                }
                let g = actor
                    .admin_grant(&tx.ancestry(pid).await?)
                    .ok_or_else(AppError::forbidden_admin)?;
                tx.insert_unit(Placement::Under(&g), f, now).await?
            }
        };
        record(
            tx,
            Some(actor.person_id),
            "unit.create",
            "unit",
            id,
            format!("Tạo đơn vị \"{}\"", f.name),
            serde_json::json!({"key": f.key, "code": f.code, "parent_id": parent_id}),
        )
        .await?;
        Ok(id)
    }

    pub async fn create_unit(&self, actor: &Actor, input: &UnitInput) -> AppResult<UnitView> {
        let f = validate_fields(input)?;
        let mut tx = self.store.write().await?;
        let id = self
            .create_unit_in(&mut tx, actor, &f, input.parent_id)
            .await?;
        let u = load_unit(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(UnitView::from(&u))
    }

    pub(crate) async fn update_unit_in(
        &self,
        tx: &mut Box<dyn WriteTx>,
        actor: &Actor,
        id: i64,
        f: &UnitFields,
    ) -> AppResult<bool> {
        tx.lock_organisation().await?;
        let before = load_unit(&mut **tx, id).await?;
        let g = actor
            .admin_grant_for_change(&tx.ancestry(id).await?)
            .ok_or_else(AppError::forbidden_change)?;
        let changes = diff(&before.fields(), f);
        if changes.as_object().is_some_and(|m| m.is_empty()) {
            return Ok(false);
        }
        check_codes_free(&mut **tx, f, Some(id)).await?;
        tx.update_unit(&g, f, now_ms()).await?;
        record(
            tx,
            Some(actor.person_id),
            "unit.update",
            "unit",
            id,
            format!("Sửa thông tin đơn vị \"{}\"", f.name),
            changes,
        )
        .await?;
        Ok(true)
    }

    pub async fn update_unit(&self, actor: &Actor, id: i64, p: &UnitPatch) -> AppResult<UnitView> {
        let mut tx = self.store.write().await?;
        tx.lock_organisation().await?;
        let cur = load_unit(&mut *tx, id).await?;
        let pick = |new: &Option<Option<String>>, old: &Option<String>| match new {
            Some(v) => v.clone(),
            None => old.clone(),
        };
        let input = UnitInput {
            key: p.key.clone().unwrap_or(cur.key.clone()),
            code: pick(&p.code, &cur.code),
            code_format: Some(
                p.code_format
                    .clone()
                    .unwrap_or(cur.code_format.as_str().into()),
            ),
            old_code: pick(&p.old_code, &cur.old_code),
            name: p.name.clone().unwrap_or(cur.name.clone()),
            short_name: pick(&p.short_name, &cur.short_name),
            kind: p.kind.clone().unwrap_or(cur.kind.code().into()),
            side: p.side.clone().unwrap_or(cur.side.code().into()),
            parent_id: cur.parent_id,
            valid_from: pick(&p.valid_from, &cur.valid_from),
            valid_to: pick(&p.valid_to, &cur.valid_to),
        };
        // Check the permission before reporting validation problems about a unit the actor cannot manage.
        actor
            .admin_grant_for_change(&tx.ancestry(id).await?)
            .ok_or_else(AppError::forbidden_change)?;
        let f = validate_fields(&input)?;
        self.update_unit_in(&mut tx, actor, id, &f).await?;
        let u = load_unit(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(UnitView::from(&u))
    }

    pub(crate) async fn move_unit_in(
        &self,
        tx: &mut Box<dyn WriteTx>,
        actor: &Actor,
        id: i64,
        new_parent: Option<i64>,
    ) -> AppResult<bool> {
        tx.lock_organisation().await?;
        let unit = load_unit(&mut **tx, id).await?;
        let g = actor
            .admin_grant_for_change(&tx.ancestry(id).await?)
            .ok_or_else(AppError::forbidden_change)?;
        if unit.parent_id == new_parent {
            return Ok(false);
        }
        let now = now_ms();
        let (to_name, details) = match new_parent {
            None => {
                let sg = actor.system_grant().ok_or_else(|| {
                    AppError::Forbidden(
                        "Chỉ quản trị hệ thống được đưa đơn vị lên cấp cao nhất.".into(),
                    )
                })?;
                tx.move_unit(&g, Placement::Root(&sg), now).await?;
                (
                    "cấp cao nhất".to_string(),
                    serde_json::json!({"from": unit.parent_id, "to": null}),
                )
            }
            Some(pid) => {
                let parent = load_unit(&mut **tx, pid)
                    .await
                    .map_err(|_| AppError::Invalid {
                        field: "parent_id".into(),
                        message: format!("Không tìm thấy đơn vị cấp trên số {pid}."),
                    })?;
                let anc = tx.ancestry(pid).await?;
                if anc.contains(&id) {
                    return Err(AppError::Invalid {
                        field: "parent_id".into(),
                        message: "Không thể chuyển một đơn vị vào chính nó hoặc vào đơn vị cấp dưới của nó.".into(),
                    });
                }
                if !parent.active {
                    return Err(AppError::Conflict(format!(
                        "Đơn vị cấp trên \"{}\" đã ngừng hoạt động.",
                        parent.name
                    )));
                }
                let pg = actor.admin_grant(&anc).ok_or_else(|| {
                    AppError::Forbidden(format!(
                        "Bạn không có quyền quản trị đơn vị đích \"{}\".",
                        parent.name
                    ))
                })?;
                tx.move_unit(&g, Placement::Under(&pg), now).await?;
                (
                    format!("\"{}\"", parent.name),
                    serde_json::json!({"from": unit.parent_id, "to": pid}),
                )
            }
        };
        record(
            tx,
            Some(actor.person_id),
            "unit.move",
            "unit",
            id,
            format!("Chuyển đơn vị \"{}\" về {to_name}", unit.name),
            details,
        )
        .await?;
        Ok(true)
    }

    pub async fn move_unit(
        &self,
        actor: &Actor,
        id: i64,
        new_parent: Option<i64>,
    ) -> AppResult<UnitView> {
        let mut tx = self.store.write().await?;
        self.move_unit_in(&mut tx, actor, id, new_parent).await?;
        let u = load_unit(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(UnitView::from(&u))
    }

    pub async fn set_unit_active(
        &self,
        actor: &Actor,
        id: i64,
        active: bool,
    ) -> AppResult<UnitView> {
        let mut tx = self.store.write().await?;
        self.set_unit_active_in(&mut tx, actor, id, active, "")
            .await?;
        let u = load_unit(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(UnitView::from(&u))
    }

    /// Starts or stops a unit inside an open transaction (shared with the importer, which passes a `note`
    /// for the history, e.g. " (nhập từ tệp)").
    pub(crate) async fn set_unit_active_in(
        &self,
        tx: &mut Box<dyn WriteTx>,
        actor: &Actor,
        id: i64,
        active: bool,
        note: &str,
    ) -> AppResult<()> {
        tx.lock_organisation().await?;
        let unit = load_unit(&mut **tx, id).await?;
        let g = actor
            .admin_grant_for_change(&tx.ancestry(id).await?)
            .ok_or_else(AppError::forbidden_change)?;
        if unit.active == active {
            return Err(AppError::Conflict(if active {
                format!("Đơn vị \"{}\" đang hoạt động.", unit.name)
            } else {
                format!("Đơn vị \"{}\" đã ngừng hoạt động từ trước.", unit.name)
            }));
        }
        if !active {
            let n = tx.count_active_children(id).await?;
            if n > 0 {
                return Err(AppError::Conflict(format!(
                    "Đơn vị \"{}\" còn {n} đơn vị cấp dưới đang hoạt động; hãy chuyển hoặc ngừng hoạt động các đơn vị đó trước.",
                    unit.name
                )));
            }
        } else if let Some(pid) = unit.parent_id {
            let parent = load_unit(&mut **tx, pid).await?;
            if !parent.active {
                return Err(AppError::Conflict(format!(
                    "Đơn vị cấp trên \"{}\" đang ngừng hoạt động.",
                    parent.name
                )));
            }
        }
        tx.set_unit_active(&g, active, now_ms()).await?;
        let (action, verb) = if active {
            ("unit.activate", "Cho hoạt động lại")
        } else {
            ("unit.deactivate", "Ngừng hoạt động")
        };
        let details = if note.is_empty() {
            serde_json::json!({})
        } else {
            serde_json::json!({"source": "import"})
        };
        record(
            tx,
            Some(actor.person_id),
            action,
            "unit",
            id,
            format!("{verb} đơn vị \"{}\"{note}", unit.name),
            details,
        )
        .await
    }

    /// History of a unit or a person, for administrators whose scope covers it.
    pub async fn history(&self, actor: &Actor, entity: &str, id: i64) -> AppResult<Vec<EventView>> {
        let mut r = self.store.read().await?;
        let allowed = match entity {
            "unit" => {
                load_unit(&mut *r, id).await?;
                actor.in_scope(&r.ancestry(id).await?)
            }
            "person" => {
                r.person(id).await?.ok_or_else(|| {
                    AppError::NotFound(format!("Không tìm thấy người dùng số {id}."))
                })?;
                if actor.person_id == id || actor.is_system_admin() {
                    true
                } else {
                    let mut all = true;
                    let ms = r.memberships(id).await?;
                    for m in &ms {
                        all &= actor.in_scope(&r.ancestry(m.unit_id).await?);
                    }
                    all && !ms.is_empty()
                }
            }
            "register" => {
                super::registers::visible_register(&mut *r, actor, id).await?;
                true
            }
            other => {
                return Err(AppError::Invalid {
                    field: "entity".into(),
                    message: format!(
                        "Loại đối tượng \"{other}\" không hợp lệ: dùng unit, person hoặc register."
                    ),
                });
            }
        };
        if !allowed {
            return Err(AppError::Forbidden(
                "Bạn không có quyền xem lịch sử của đối tượng này.".into(),
            ));
        }
        let events = r.events_for(entity, id, 500).await?;
        let mut out = Vec::with_capacity(events.len());
        for e in &events {
            let name = match e.actor_id {
                Some(a) => r.person(a).await?.map(|p| p.full_name),
                None => None,
            };
            out.push(EventView::build(e, name));
        }
        Ok(out)
    }
}

//! Processing flows per unit, versioned: system templates following NĐ 30, copied into a unit and edited
//! there; every edit is a new version; documents keep the version they started with; export and import as a file.

use super::units::load_unit;
use super::views::iso;
use super::{App, record};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vanthu_domain::Name;
use vanthu_domain::access::{Actor, AdminGrant};
use vanthu_domain::document::Direction;
use vanthu_domain::flow::{FLOW_FILE_FORMAT, FlowDef, FlowFile, Target};
use vanthu_store::{Flow, FlowVersion, ReadTx, now_ms};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowInput {
    /// `incoming`, `outgoing` or `internal`; with `template_id`, taken from the template.
    pub kind: Option<String>,
    /// Defaults to the template's name.
    pub name: Option<String>,
    /// A system template to copy.
    pub template_id: Option<i64>,
    /// The definition, when not copying a template.
    pub definition: Option<FlowDef>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowUpdate {
    pub name: String,
    /// A stopped flow is no longer used for new documents.
    pub active: bool,
    pub definition: FlowDef,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlowView {
    pub id: i64,
    /// Absent for a system template.
    pub unit_id: Option<i64>,
    pub kind: String,
    pub kind_label: String,
    pub name: String,
    pub current_version: i64,
    pub active: bool,
    pub template_id: Option<i64>,
    pub definition: FlowDef,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlowVersionView {
    pub id: i64,
    pub version: i64,
    pub definition: FlowDef,
    pub created_by: Option<i64>,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlowDetail {
    pub flow: FlowView,
    /// Oldest first.
    pub versions: Vec<FlowVersionView>,
}

fn parse_def(v: &FlowVersion) -> AppResult<FlowDef> {
    serde_json::from_str(&v.definition)
        .map_err(|e| AppError::Internal(format!("flow version {} unreadable: {e}", v.id)))
}

async fn view(tx: &mut dyn ReadTx, f: &Flow) -> AppResult<FlowView> {
    let versions = tx.flow_versions(f.id).await?;
    let cur = versions
        .iter()
        .find(|v| v.version == f.current_version)
        .ok_or_else(|| AppError::Internal(format!("flow {} has no current version", f.id)))?;
    Ok(FlowView {
        id: f.id,
        unit_id: f.unit_id,
        kind: f.kind.code().into(),
        kind_label: f.kind.label().into(),
        name: f.name.clone(),
        current_version: f.current_version,
        active: f.active,
        template_id: f.template_id,
        definition: parse_def(cur)?,
        created_at: iso(f.created_at),
    })
}

/// The unit's flow of this kind in force (the newest active one): its current version's id and definition.
pub(crate) async fn flow_in_force(
    tx: &mut dyn ReadTx,
    unit_id: i64,
    kind: Direction,
    named: Option<i64>,
) -> AppResult<Option<(i64, FlowDef)>> {
    let flows = tx.flows(Some(unit_id)).await?;
    let f = match named {
        Some(id) => Some(
            flows
                .into_iter()
                .find(|f| f.id == id && f.kind == kind && f.active)
                .ok_or_else(|| AppError::Invalid {
                    field: "flow_id".into(),
                    message: format!(
                        "Luồng số {id} không phải luồng {} đang dùng của đơn vị.",
                        kind.label().to_lowercase()
                    ),
                })?,
        ),
        None => flows.into_iter().rev().find(|f| f.kind == kind && f.active),
    };
    let Some(f) = f else { return Ok(None) };
    let v = tx
        .flow_versions(f.id)
        .await?
        .into_iter()
        .find(|v| v.version == f.current_version)
        .ok_or_else(|| AppError::Internal(format!("flow {} has no current version", f.id)))?;
    Ok(Some((v.id, parse_def(&v)?)))
}

/// The people a flow step names in a unit, now: active holders of the role (in the unit or the units right
/// below), or the persons named.
pub(crate) async fn resolve(
    tx: &mut dyn ReadTx,
    unit_id: i64,
    target: &Target,
) -> AppResult<Vec<i64>> {
    Ok(match target {
        Target::Person(p) => vec![*p],
        Target::Group(g) => g.clone(),
        Target::Role { role, below } => {
            let units: Vec<i64> = if *below {
                tx.units(false)
                    .await?
                    .into_iter()
                    .filter(|u| u.parent_id == Some(unit_id))
                    .map(|u| u.id)
                    .collect()
            } else {
                vec![unit_id]
            };
            let mut out = Vec::new();
            for u in units {
                for m in tx.memberships_of_unit(u).await? {
                    if m.roles.contains(role)
                        && !out.contains(&m.person_id)
                        && tx.person(m.person_id).await?.is_some_and(|p| p.active)
                    {
                        out.push(m.person_id);
                    }
                }
            }
            out
        }
    })
}

/// The people a definition names by id (a person or a group) must be active and work in the unit or a unit
/// below it: a flow file from another installation cannot route documents to strangers.
async fn check_named_people(
    tx: &mut dyn vanthu_store::ReadTx,
    unit_id: i64,
    def: &vanthu_domain::flow::FlowDef,
) -> AppResult<()> {
    let named = def
        .steps
        .iter()
        .map(|s| &s.assignee)
        .chain(def.signer.iter())
        .chain(def.present_to.iter());
    let mut ids: Vec<i64> = Vec::new();
    for a in named {
        ids.extend(a.person);
        ids.extend(a.group.iter().flatten());
    }
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        let mut inside = false;
        if tx.person(id).await?.is_some_and(|p| p.active) {
            for m in tx.memberships(id).await? {
                if tx.ancestry(m.unit_id).await?.contains(&unit_id) {
                    inside = true;
                    break;
                }
            }
        }
        if !inside {
            return Err(AppError::Invalid {
                field: "definition".into(),
                message: format!(
                    "Người dùng số {id} được ghi trong luồng không phải người đang làm việc ở đơn vị này hay đơn vị cấp dưới."
                ),
            });
        }
    }
    Ok(())
}

/// The grant to change a unit's flows (copy a template, edit, import): an administrator of the unit.
fn flow_grant(actor: &Actor, ancestry: &[i64]) -> AppResult<AdminGrant> {
    actor
        .admin_grant(ancestry)
        .ok_or_else(AppError::forbidden_admin)
}

impl App {
    /// Whether the person may change the unit's flows: the check of [`App::create_flow`],
    /// [`App::update_flow`] and [`App::import_flow`], for pages that offer their forms only to those who may
    /// use them.
    pub async fn may_change_flows(&self, actor: &Actor, unit_id: i64) -> AppResult<bool> {
        let mut r = self.store.read().await?;
        load_unit(&mut *r, unit_id).await?;
        Ok(flow_grant(actor, &r.ancestry(unit_id).await?).is_ok())
    }

    /// The system templates (NĐ 30), for anyone signed in.
    pub async fn flow_templates(&self) -> AppResult<Vec<FlowView>> {
        let mut r = self.store.read().await?;
        let mut out = Vec::new();
        for f in r.flows(None).await? {
            out.push(view(&mut *r, &f).await?);
        }
        Ok(out)
    }

    pub async fn unit_flows(&self, actor: &Actor, unit_id: i64) -> AppResult<Vec<FlowView>> {
        let mut r = self.store.read().await?;
        load_unit(&mut *r, unit_id).await?;
        if !(actor.member_of(unit_id) || actor.in_scope(&r.ancestry(unit_id).await?)) {
            return Err(AppError::Forbidden(
                "Chỉ người của đơn vị và quản trị đơn vị được xem luồng xử lý của đơn vị.".into(),
            ));
        }
        let mut out = Vec::new();
        for f in r.flows(Some(unit_id)).await? {
            out.push(view(&mut *r, &f).await?);
        }
        Ok(out)
    }

    pub async fn flow_detail(&self, actor: &Actor, id: i64) -> AppResult<FlowDetail> {
        let mut r = self.store.read().await?;
        let not_found = || AppError::NotFound(format!("Không tìm thấy luồng xử lý số {id}."));
        let f = r.flow(id).await?.ok_or_else(not_found)?;
        if let Some(u) = f.unit_id
            && !(actor.member_of(u) || actor.in_scope(&r.ancestry(u).await?))
        {
            return Err(not_found());
        }
        let flow = view(&mut *r, &f).await?;
        let mut versions = Vec::new();
        for v in r.flow_versions(id).await? {
            versions.push(FlowVersionView {
                id: v.id,
                version: v.version,
                definition: parse_def(&v)?,
                created_by: v.created_by,
                created_at: iso(v.created_at),
            });
        }
        Ok(FlowDetail { flow, versions })
    }

    /// A unit administrator gives the unit a flow: a copy of a template, or a definition of its own.
    pub async fn create_flow(
        &self,
        actor: &Actor,
        unit_id: i64,
        input: &FlowInput,
    ) -> AppResult<FlowView> {
        let mut tx = self.store.write().await?;
        let unit = load_unit(&mut *tx, unit_id).await?;
        let g = flow_grant(actor, &tx.ancestry(unit_id).await?)?;
        let (kind, name, def, template_id) = match (input.template_id, &input.definition) {
            (Some(t), None) => {
                let tf = tx
                    .flow(t)
                    .await?
                    .filter(|f| f.unit_id.is_none())
                    .ok_or_else(|| AppError::Invalid {
                        field: "template_id".into(),
                        message: format!("Không có luồng mẫu số {t}."),
                    })?;
                let tv = view(&mut *tx, &tf).await?;
                (
                    tf.kind,
                    input.name.clone().unwrap_or(tf.name),
                    tv.definition,
                    Some(t),
                )
            }
            (None, Some(d)) => {
                let kind = Direction::parse(input.kind.as_deref().unwrap_or(""))?;
                let name = input.name.clone().ok_or_else(|| AppError::Invalid {
                    field: "name".into(),
                    message: "Cần đặt tên luồng.".into(),
                })?;
                (kind, name, d.clone(), None)
            }
            _ => {
                return Err(AppError::Invalid {
                    field: "template_id".into(),
                    message: "Ghi một trong hai: template_id (chép luồng mẫu) hoặc definition (luồng tự định nghĩa).".into(),
                });
            }
        };
        let name = Name::parse("name", "Tên luồng", &name, 200)?.into_string();
        def.validate(kind)?;
        check_named_people(&mut *tx, unit_id, &def).await?;
        let json = serde_json::to_string(&def).expect("definition serialises");
        let now = now_ms();
        let id = tx
            .insert_flow(&g, kind, &name, template_id, &json, actor.person_id, now)
            .await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "flow.create",
            "flow",
            id,
            format!(
                "Lập luồng \"{name}\" ({}) cho {}",
                kind.label().to_lowercase(),
                unit.name
            ),
            serde_json::json!({"unit_id": unit_id, "template_id": template_id}),
        )
        .await?;
        let f = tx
            .flow(id)
            .await?
            .ok_or_else(|| AppError::Internal("flow vanished".into()))?;
        let v = view(&mut *tx, &f).await?;
        tx.commit().await?;
        Ok(v)
    }

    /// Edits a unit's flow: a new version; documents already started keep theirs, other units are untouched.
    pub async fn update_flow(
        &self,
        actor: &Actor,
        id: i64,
        input: &FlowUpdate,
    ) -> AppResult<FlowView> {
        let mut tx = self.store.write().await?;
        let not_found = || AppError::NotFound(format!("Không tìm thấy luồng xử lý số {id}."));
        let f = tx.flow(id).await?.ok_or_else(not_found)?;
        let Some(unit_id) = f.unit_id else {
            return Err(AppError::Forbidden(
                "Luồng mẫu của hệ thống không sửa được; hãy chép vào đơn vị rồi sửa ở đó.".into(),
            ));
        };
        let g = flow_grant(actor, &tx.ancestry(unit_id).await?)?;
        let name = Name::parse("name", "Tên luồng", &input.name, 200)?.into_string();
        input.definition.validate(f.kind)?;
        check_named_people(&mut *tx, unit_id, &input.definition).await?;
        let json = serde_json::to_string(&input.definition).expect("definition serialises");
        let v = tx
            .add_flow_version(
                &g,
                id,
                &name,
                input.active,
                &json,
                actor.person_id,
                now_ms(),
            )
            .await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "flow.update",
            "flow",
            id,
            format!(
                "Sửa luồng \"{name}\": phiên bản {v}{}",
                if input.active { "" } else { " (ngừng dùng)" }
            ),
            serde_json::json!({"version": v, "active": input.active}),
        )
        .await?;
        let f = tx.flow(id).await?.ok_or_else(not_found)?;
        let out = view(&mut *tx, &f).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The flow as a file another unit or installation can import.
    pub async fn export_flow(&self, actor: &Actor, id: i64) -> AppResult<(String, Vec<u8>)> {
        let d = self.flow_detail(actor, id).await?;
        let file = FlowFile {
            format: FLOW_FILE_FORMAT.into(),
            format_version: 1,
            kind: d.flow.kind.clone(),
            name: d.flow.name.clone(),
            definition: d.flow.definition,
        };
        let bytes = serde_json::to_vec_pretty(&file).expect("flow file serialises");
        Ok((format!("luong-{}-{}.json", d.flow.kind, d.flow.id), bytes))
    }

    /// Imports a flow file into a unit (as a new flow of that unit). People named by id must exist there.
    pub async fn import_flow(
        &self,
        actor: &Actor,
        unit_id: i64,
        bytes: &[u8],
    ) -> AppResult<FlowView> {
        {
            // Who may import first: someone who may not is told so, whatever the file holds.
            let mut r = self.store.read().await?;
            load_unit(&mut *r, unit_id).await?;
            flow_grant(actor, &r.ancestry(unit_id).await?)?;
        }
        let file: FlowFile = serde_json::from_slice(bytes).map_err(|e| AppError::Invalid {
            field: "file".into(),
            message: format!(
                "Tệp luồng không đọc được ({}).",
                crate::error::vietnamese_detail(&e.to_string())
            ),
        })?;
        if file.format != FLOW_FILE_FORMAT || file.format_version != 1 {
            return Err(AppError::Invalid {
                field: "format".into(),
                message: format!(
                    "Không phải tệp luồng vanthu phiên bản 1 (format \"{}\").",
                    file.format
                ),
            });
        }
        self.create_flow(
            actor,
            unit_id,
            &FlowInput {
                kind: Some(file.kind),
                name: Some(file.name),
                template_id: None,
                definition: Some(file.definition),
            },
        )
        .await
    }
}

//! People: accounts, their memberships in units with roles and positions, and their clearance.

use super::auth::hash_password;
use super::units::{double_option, load_unit};
use super::views::PersonView;
use super::{App, record};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use vanthu_domain::access::{Actor, AdminGrant, PersonGrant, TargetMembership, TargetPerson};
use vanthu_domain::org::{check_password, parse_roles};
use vanthu_domain::{Clearance, Name, Role, Username};
use vanthu_store::{
    Membership, MembershipFields, PeopleFilter, Person, PersonFields, Placement, ReadTx, WriteTx,
    now_ms,
};

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MembershipInput {
    pub unit_id: i64,
    /// Position (chức vụ) in this unit, e.g. "Chánh Văn phòng".
    pub position: Option<String>,
    /// Role codes: `clerk`, `leader`, `specialist`, `unit_admin`.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The person's main unit (recorded with each sign-in).
    #[serde(default)]
    pub is_primary: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `none` (default), `mat`, `toi_mat`, `tuyet_mat`.
    pub clearance: Option<String>,
    #[serde(default)]
    pub system_admin: bool,
    /// Initial password; the person must change it at first sign-in. Without it the account cannot sign in
    /// until an administrator sets one.
    pub password: Option<String>,
    #[serde(default)]
    pub memberships: Vec<MembershipInput>,
}

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    pub clearance: Option<String>,
    pub system_admin: Option<bool>,
    /// When present, replaces all memberships.
    pub memberships: Option<Vec<MembershipInput>>,
}

fn validate_email(raw: Option<&str>) -> AppResult<Option<String>> {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let ok = s.len() <= 254
        && !s.chars().any(|c| {
            c.is_whitespace() || c.is_control() || vanthu_domain::text::is_bidi_control(c)
        })
        && s.split_once('@').is_some_and(|(a, b)| {
            !a.is_empty() && b.contains('.') && !b.starts_with('.') && !b.ends_with('.')
        });
    if !ok {
        return Err(AppError::Invalid {
            field: "email".into(),
            message: format!("Địa chỉ thư điện tử \"{s}\" không hợp lệ."),
        });
    }
    Ok(Some(s.to_lowercase()))
}

fn validate_phone(raw: Option<&str>) -> AppResult<Option<String>> {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let ok = s.len() <= 32
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '.' | '-' | '(' | ')'));
    if !ok {
        return Err(AppError::Invalid {
            field: "phone".into(),
            message: format!("Số điện thoại \"{s}\" không hợp lệ."),
        });
    }
    Ok(Some(s.to_string()))
}

/// A validated membership: the unit and its fields.
pub(crate) fn validate_membership(m: &MembershipInput) -> AppResult<MembershipFields> {
    let roles = parse_roles(&m.roles.join(";"))?;
    if roles.contains(&Role::SystemAdmin) {
        return Err(AppError::Invalid {
            field: "roles".into(),
            message: "Vai trò quản trị hệ thống thuộc về người dùng, không thuộc về đơn vị: dùng trường system_admin.".into(),
        });
    }
    let position = Name::parse_opt("position", "Chức vụ", m.position.as_deref(), 128)?;
    Ok(MembershipFields {
        position: position.map(Name::into_string),
        roles,
        is_primary: m.is_primary,
    })
}

fn validate_memberships(ms: &[MembershipInput]) -> AppResult<Vec<(i64, MembershipFields)>> {
    let mut out: Vec<(i64, MembershipFields)> = Vec::new();
    for m in ms {
        if out.iter().any(|(u, _)| *u == m.unit_id) {
            return Err(AppError::Invalid {
                field: "memberships".into(),
                message: format!("Đơn vị số {} được khai báo hai lần.", m.unit_id),
            });
        }
        out.push((m.unit_id, validate_membership(m)?));
    }
    if out.iter().filter(|(_, f)| f.is_primary).count() > 1 {
        return Err(AppError::Invalid {
            field: "memberships".into(),
            message: "Chỉ được chọn một đơn vị chính.".into(),
        });
    }
    if !out.is_empty() && !out.iter().any(|(_, f)| f.is_primary) {
        out[0].1.is_primary = true;
    }
    Ok(out)
}

/// Only a system administrator may grant the system administrator flag or a clearance above their own.
fn check_grantable(
    actor: &Actor,
    clearance: Clearance,
    system_admin: bool,
    before: Option<&Person>,
) -> AppResult<()> {
    if actor.is_system_admin() {
        return Ok(());
    }
    if system_admin != before.is_some_and(|p| p.system_admin) {
        return Err(AppError::Forbidden(
            "Chỉ quản trị hệ thống được cấp hoặc thu hồi quyền quản trị hệ thống.".into(),
        ));
    }
    let unchanged = before.is_some_and(|p| p.clearance == clearance);
    if !unchanged && clearance > actor.clearance {
        return Err(AppError::Forbidden(format!(
            "Bạn chỉ được cấp mức đọc tài liệu mật đến \"{}\".",
            actor.clearance.label()
        )));
    }
    Ok(())
}

/// What the access rules need to know about a person, read in the current transaction.
pub(crate) async fn target_person(tx: &mut dyn ReadTx, person_id: i64) -> AppResult<TargetPerson> {
    let p = load_person(tx, person_id).await?;
    let ms = tx.memberships(person_id).await?;
    let mut memberships = Vec::with_capacity(ms.len());
    for m in &ms {
        memberships.push(TargetMembership {
            ancestry: tx.ancestry(m.unit_id).await?,
            unit_admin: m.roles.contains(&Role::UnitAdmin),
        });
    }
    Ok(TargetPerson {
        person_id,
        system_admin: p.system_admin,
        clearance: p.clearance,
        memberships,
    })
}

pub(crate) async fn person_grant(
    tx: &mut dyn ReadTx,
    actor: &Actor,
    person_id: i64,
) -> AppResult<PersonGrant> {
    let target = target_person(tx, person_id).await?;
    actor.person_grant(&target).ok_or_else(|| {
        AppError::Forbidden(
            "Bạn không có quyền quản trị tài khoản này: người dùng thuộc đơn vị ngoài phạm vi của bạn, \
             là quản trị hệ thống, là quản trị cùng cấp hoặc cấp trên của bạn, hoặc được đọc tài liệu mật ở mức cao hơn bạn."
                .into(),
        )
    })
}

async fn load_person(tx: &mut dyn ReadTx, id: i64) -> AppResult<Person> {
    tx.person(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Không tìm thấy người dùng số {id}.")))
}

async fn view(tx: &mut dyn ReadTx, actor: &Actor, p: &Person) -> AppResult<PersonView> {
    let ms = tx.memberships(p.id).await?;
    let mut names = HashMap::new();
    // Clearance is shown to the person, to system administrators, and to unit administrators whose scope
    // covers every unit of the person.
    let mut show_clearance = actor.is_system_admin() || actor.person_id == p.id;
    let mut in_scope = actor.is_any_admin() && !ms.is_empty();
    for m in &ms {
        if let Some(u) = tx.unit(m.unit_id).await? {
            names.insert(u.id, u.name);
        }
        if in_scope && !show_clearance {
            in_scope = actor.in_scope(&tx.ancestry(m.unit_id).await?);
        }
    }
    show_clearance |= in_scope;
    Ok(PersonView::build(
        p,
        &ms,
        |id| names.get(&id).cloned().unwrap_or_default(),
        show_clearance,
    ))
}

/// The grant to write a person's membership in a unit. Making someone an administrator of a unit, or
/// taking that role away, is for those above the unit (as is any change of the unit itself).
pub(crate) fn membership_grant(
    actor: &Actor,
    ancestry: &[i64],
    unit_name: &str,
    admin_role_changes: bool,
) -> AppResult<AdminGrant> {
    let grant = if admin_role_changes {
        actor.admin_grant_for_change(ancestry)
    } else {
        actor.admin_grant(ancestry)
    };
    grant.ok_or_else(|| {
        AppError::Forbidden(if admin_role_changes {
            format!(
                "Chỉ cấp trên của đơn vị \"{unit_name}\" (hoặc quản trị hệ thống) được giao hay thu hồi vai trò quản trị đơn vị đó."
            )
        } else {
            format!("Bạn không có quyền quản trị đơn vị \"{unit_name}\".")
        })
    })
}

/// Writes the wanted memberships of a person: every unit touched must be administered by the actor.
async fn apply_memberships(
    tx: &mut Box<dyn WriteTx>,
    actor: &Actor,
    person_id: i64,
    current: &[Membership],
    wanted: &[(i64, MembershipFields)],
) -> AppResult<serde_json::Value> {
    let mut changes = Vec::new();
    for m in current {
        if !wanted.iter().any(|(u, _)| *u == m.unit_id) {
            let name = load_unit(&mut **tx, m.unit_id).await?.name;
            let admin = m.roles.contains(&Role::UnitAdmin);
            let g = membership_grant(actor, &tx.ancestry(m.unit_id).await?, &name, admin)?;
            tx.remove_membership(person_id, &g).await?;
            changes.push(serde_json::json!({"unit_id": m.unit_id, "change": "removed"}));
        }
    }
    for (unit_id, f) in wanted {
        let unit = load_unit(&mut **tx, *unit_id)
            .await
            .map_err(|_| AppError::Invalid {
                field: "memberships".into(),
                message: format!("Không tìm thấy đơn vị số {unit_id}."),
            })?;
        let before = current.iter().find(|m| m.unit_id == *unit_id);
        let same = before.is_some_and(|m| {
            m.position == f.position && m.roles == f.roles && m.is_primary == f.is_primary
        });
        if same {
            continue;
        }
        if !unit.active {
            return Err(AppError::Conflict(format!(
                "Đơn vị \"{}\" đã ngừng hoạt động.",
                unit.name
            )));
        }
        let was_admin = before.is_some_and(|m| m.roles.contains(&Role::UnitAdmin));
        let admin_changes = was_admin != f.roles.contains(&Role::UnitAdmin);
        let g = membership_grant(
            actor,
            &tx.ancestry(*unit_id).await?,
            &unit.name,
            admin_changes,
        )?;
        tx.put_membership(person_id, &g, f).await?;
        changes.push(serde_json::json!({
            "unit_id": unit_id,
            "position": f.position,
            "roles": f.roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
            "is_primary": f.is_primary,
        }));
    }
    Ok(serde_json::Value::Array(changes))
}

impl App {
    pub async fn list_people(
        &self,
        actor: &Actor,
        filter: &PeopleFilter,
    ) -> AppResult<(Vec<PersonView>, i64)> {
        let mut r = self.store.read().await?;
        let people = r.people(filter).await?;
        let total = r.count_people(filter).await?;
        let mut out = Vec::with_capacity(people.len());
        for p in &people {
            out.push(view(&mut *r, actor, p).await?);
        }
        Ok((out, total))
    }

    pub async fn get_person(&self, actor: &Actor, id: i64) -> AppResult<PersonView> {
        let mut r = self.store.read().await?;
        let p = load_person(&mut *r, id).await?;
        view(&mut *r, actor, &p).await
    }

    /// Validated fields of a new person, before any write.
    pub(crate) async fn validate_person(
        &self,
        input: &PersonInput,
    ) -> AppResult<(
        Username,
        PersonFields,
        Vec<(i64, MembershipFields)>,
        Option<String>,
    )> {
        let username = Username::parse(&input.username)?;
        let fields = PersonFields {
            full_name: Name::parse("full_name", "Họ và tên", &input.full_name, 128)?.into_string(),
            email: validate_email(input.email.as_deref())?,
            phone: validate_phone(input.phone.as_deref())?,
            clearance: Clearance::parse(input.clearance.as_deref().unwrap_or(""))?,
            system_admin: input.system_admin,
        };
        let ms = validate_memberships(&input.memberships)?;
        let hash = match input.password.as_deref().filter(|p| !p.is_empty()) {
            Some(pw) => {
                check_password(pw)?;
                Some(hash_password(pw).await?)
            }
            None => None,
        };
        Ok((username, fields, ms, hash))
    }

    /// Creates a person in an open transaction (shared by the API and the importer).
    pub(crate) async fn create_person_in(
        &self,
        tx: &mut Box<dyn WriteTx>,
        actor: &Actor,
        username: &Username,
        fields: &PersonFields,
        ms: &[(i64, MembershipFields)],
        password_hash: Option<&str>,
    ) -> AppResult<i64> {
        check_grantable(actor, fields.clearance, fields.system_admin, None)?;
        if tx.person_by_username(username.as_str()).await?.is_some() {
            return Err(AppError::Conflict(format!(
                "Tên đăng nhập \"{}\" đã tồn tại.",
                username.as_str()
            )));
        }
        let now = now_ms();
        let id = match ms.first() {
            None => {
                let g = actor.system_grant().ok_or_else(|| AppError::Invalid {
                    field: "memberships".into(),
                    message: "Người dùng phải thuộc ít nhất một đơn vị.".into(),
                })?;
                tx.insert_person(
                    Placement::Root(&g),
                    username.as_str(),
                    fields,
                    password_hash,
                    password_hash.is_some(),
                    now,
                )
                .await?
            }
            Some((unit_id, _)) => {
                load_unit(&mut **tx, *unit_id)
                    .await
                    .map_err(|_| AppError::Invalid {
                        field: "memberships".into(),
                        message: format!("Không tìm thấy đơn vị số {unit_id}."),
                    })?;
                let g = actor
                    .admin_grant(&tx.ancestry(*unit_id).await?)
                    .ok_or_else(AppError::forbidden_admin)?;
                tx.insert_person(
                    Placement::Under(&g),
                    username.as_str(),
                    fields,
                    password_hash,
                    password_hash.is_some(),
                    now,
                )
                .await?
            }
        };
        let mchanges = apply_memberships(tx, actor, id, &[], ms).await?;
        record(
            tx,
            Some(actor.person_id),
            "person.create",
            "person",
            id,
            format!("Tạo tài khoản {} ({})", username.as_str(), fields.full_name),
            serde_json::json!({"username": username.as_str(), "clearance": fields.clearance.code(), "system_admin": fields.system_admin, "memberships": mchanges}),
        )
        .await?;
        Ok(id)
    }

    pub async fn create_person(&self, actor: &Actor, input: &PersonInput) -> AppResult<PersonView> {
        if !actor.is_any_admin() {
            return Err(AppError::Forbidden(
                "Chỉ quản trị đơn vị hoặc quản trị hệ thống được tạo tài khoản.".into(),
            ));
        }
        let (username, fields, ms, hash) = self.validate_person(input).await?;
        let mut tx = self.store.write().await?;
        // Person and tree checks below must still hold at commit.
        tx.lock_organisation().await?;
        let id = self
            .create_person_in(&mut tx, actor, &username, &fields, &ms, hash.as_deref())
            .await?;
        let p = load_person(&mut *tx, id).await?;
        let v = view(&mut *tx, actor, &p).await?;
        tx.commit().await?;
        Ok(v)
    }

    pub(crate) async fn update_person_in(
        &self,
        tx: &mut Box<dyn WriteTx>,
        actor: &Actor,
        id: i64,
        fields: &PersonFields,
        memberships: Option<&[(i64, MembershipFields)]>,
    ) -> AppResult<bool> {
        let before = load_person(&mut **tx, id).await?;
        let g = person_grant(&mut **tx, actor, id).await?;
        check_grantable(actor, fields.clearance, fields.system_admin, Some(&before))?;
        let mut details = serde_json::Map::new();
        let old = PersonFields {
            full_name: before.full_name.clone(),
            email: before.email.clone(),
            phone: before.phone.clone(),
            clearance: before.clearance,
            system_admin: before.system_admin,
        };
        if &old != fields {
            if old.full_name != fields.full_name {
                details.insert(
                    "full_name".into(),
                    serde_json::json!({"from": old.full_name, "to": fields.full_name}),
                );
            }
            if old.email != fields.email {
                details.insert(
                    "email".into(),
                    serde_json::json!({"from": old.email, "to": fields.email}),
                );
            }
            if old.phone != fields.phone {
                details.insert(
                    "phone".into(),
                    serde_json::json!({"from": old.phone, "to": fields.phone}),
                );
            }
            if old.clearance != fields.clearance {
                details.insert("clearance".into(), serde_json::json!({"from": old.clearance.code(), "to": fields.clearance.code()}));
            }
            if old.system_admin != fields.system_admin {
                details.insert(
                    "system_admin".into(),
                    serde_json::json!({"from": old.system_admin, "to": fields.system_admin}),
                );
            }
            tx.update_person(&g, fields, now_ms()).await?;
        }
        if let Some(wanted) = memberships {
            if wanted.is_empty() && !actor.is_system_admin() {
                return Err(AppError::Invalid {
                    field: "memberships".into(),
                    message: "Người dùng phải thuộc ít nhất một đơn vị.".into(),
                });
            }
            let current = tx.memberships(id).await?;
            let ch = apply_memberships(tx, actor, id, &current, wanted).await?;
            if ch.as_array().is_some_and(|a| !a.is_empty()) {
                details.insert("memberships".into(), ch);
            }
        }
        if details.is_empty() {
            return Ok(false);
        }
        record(
            tx,
            Some(actor.person_id),
            "person.update",
            "person",
            id,
            format!("Sửa thông tin người dùng {}", before.username),
            serde_json::Value::Object(details),
        )
        .await?;
        Ok(true)
    }

    pub async fn update_person(
        &self,
        actor: &Actor,
        id: i64,
        patch: &PersonPatch,
    ) -> AppResult<PersonView> {
        let mut tx = self.store.write().await?;
        // Person and tree checks below must still hold at commit.
        tx.lock_organisation().await?;
        let cur = load_person(&mut *tx, id).await?;
        person_grant(&mut *tx, actor, id).await?;
        let pick = |new: &Option<Option<String>>, old: &Option<String>| match new {
            Some(v) => v.clone(),
            None => old.clone(),
        };
        let fields = PersonFields {
            full_name: match &patch.full_name {
                Some(n) => Name::parse("full_name", "Họ và tên", n, 128)?.into_string(),
                None => cur.full_name.clone(),
            },
            email: validate_email(pick(&patch.email, &cur.email).as_deref())?,
            phone: validate_phone(pick(&patch.phone, &cur.phone).as_deref())?,
            clearance: match &patch.clearance {
                Some(c) => Clearance::parse(c)?,
                None => cur.clearance,
            },
            system_admin: patch.system_admin.unwrap_or(cur.system_admin),
        };
        let ms = patch
            .memberships
            .as_deref()
            .map(validate_memberships)
            .transpose()?;
        self.update_person_in(&mut tx, actor, id, &fields, ms.as_deref())
            .await?;
        let p = load_person(&mut *tx, id).await?;
        let v = view(&mut *tx, actor, &p).await?;
        tx.commit().await?;
        Ok(v)
    }

    pub async fn set_person_active(
        &self,
        actor: &Actor,
        id: i64,
        active: bool,
    ) -> AppResult<PersonView> {
        let mut tx = self.store.write().await?;
        // Person and tree checks below must still hold at commit.
        tx.lock_organisation().await?;
        let p = load_person(&mut *tx, id).await?;
        let g = person_grant(&mut *tx, actor, id).await?;
        if id == actor.person_id && !active {
            return Err(AppError::Conflict(
                "Bạn không thể tự ngừng hoạt động tài khoản của mình.".into(),
            ));
        }
        if p.active == active {
            return Err(AppError::Conflict(if active {
                format!("Tài khoản {} đang hoạt động.", p.username)
            } else {
                format!("Tài khoản {} đã ngừng hoạt động từ trước.", p.username)
            }));
        }
        let now = now_ms();
        tx.set_person_active(&g, active, now).await?;
        if !active {
            tx.revoke_person_tokens(id, now).await?;
        }
        let (action, verb) = if active {
            ("person.activate", "Cho hoạt động lại")
        } else {
            ("person.deactivate", "Ngừng hoạt động")
        };
        record(
            &mut tx,
            Some(actor.person_id),
            action,
            "person",
            id,
            format!("{verb} tài khoản {}", p.username),
            serde_json::json!({}),
        )
        .await?;
        let p = load_person(&mut *tx, id).await?;
        let v = view(&mut *tx, actor, &p).await?;
        tx.commit().await?;
        Ok(v)
    }

    /// An administrator sets a new password; the person must change it at next sign-in, and every session
    /// of theirs is revoked.
    pub async fn reset_password(&self, actor: &Actor, id: i64, password: &str) -> AppResult<()> {
        if id == actor.person_id {
            return Err(AppError::Forbidden(
                "Không thể tự đặt lại mật khẩu của mình: hãy dùng chức năng đổi mật khẩu (cần mật khẩu hiện tại).".into(),
            ));
        }
        check_password(password)?;
        let hash = hash_password(password).await?;
        let mut tx = self.store.write().await?;
        // Person and tree checks below must still hold at commit.
        tx.lock_organisation().await?;
        let p = load_person(&mut *tx, id).await?;
        let g = person_grant(&mut *tx, actor, id).await?;
        let now = now_ms();
        tx.set_password(&g, &hash, true, now).await?;
        tx.revoke_person_tokens(id, now).await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "person.password_reset",
            "person",
            id,
            format!("Đặt lại mật khẩu cho {}", p.username),
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl App {
    /// Creates a system administrator from the command line (no membership needed), the way a fresh
    /// installation gets its first account. The password is not marked for change.
    pub async fn create_system_admin(&self, input: &PersonInput) -> AppResult<PersonView> {
        let actor = App::installation_actor();
        if input.password.as_deref().is_none_or(str::is_empty) {
            return Err(AppError::Invalid {
                field: "password".into(),
                message: "Cần mật khẩu cho tài khoản quản trị hệ thống.".into(),
            });
        }
        let (username, fields, ms, hash) = self.validate_person(input).await?;
        let mut tx = self.store.write().await?;
        // Person and tree checks below must still hold at commit.
        tx.lock_organisation().await?;
        let id = self
            .create_person_in(&mut tx, &actor, &username, &fields, &ms, hash.as_deref())
            .await?;
        if let (Some(h), Some(g)) = (hash.as_deref(), actor.system_person_grant(id)) {
            tx.set_password(&g, h, false, now_ms()).await?;
        }
        let p = load_person(&mut *tx, id).await?;
        let v = view(&mut *tx, &actor, &p).await?;
        tx.commit().await?;
        Ok(v)
    }
}

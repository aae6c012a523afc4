//! The unit tree, a unit's page with its administration forms, and the creation of units.

use super::registers::{
    RegisterForm, RegisterRow, cleared_for_secret, register_kinds, unit_registers,
};
use super::tree::{Tree, TreeRow, UnitOption};
use super::{
    FormData, HistoryRow, Layout, Notice, OrPage, Posted, WebError, WebPath, WebQuery, WebUser,
    history_rows, local_iso, parse_id, render, see_other, status_of,
};
use crate::App;
use crate::app::units::{UnitInput, UnitPatch};
use crate::app::views::UnitView;
use crate::error::AppError;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use vanthu_domain::{Side, UnitKind};
use vanthu_store::PeopleFilter;

/// A code and its Vietnamese label, for selects.
pub struct Choice {
    pub code: &'static str,
    pub label: &'static str,
}

pub fn kinds() -> Vec<Choice> {
    UnitKind::ALL
        .iter()
        .map(|k| Choice {
            code: k.code(),
            label: k.label(),
        })
        .collect()
}

pub fn sides() -> Vec<Choice> {
    Side::ALL
        .iter()
        .map(|k| Choice {
            code: k.code(),
            label: k.label(),
        })
        .collect()
}

/// What the unit form shows: the stored values or what the person typed.
#[derive(Debug, Clone, Default)]
pub struct UnitForm {
    pub key: String,
    pub code: String,
    pub code_format: String,
    pub old_code: String,
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub side: String,
    pub parent_id: i64,
    pub valid_from: String,
    pub valid_to: String,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl UnitForm {
    fn from_view(u: &UnitView) -> UnitForm {
        UnitForm {
            key: u.key.clone(),
            code: u.code.clone().unwrap_or_default(),
            code_format: u.code_format.clone(),
            old_code: u.old_code.clone().unwrap_or_default(),
            name: u.name.clone(),
            short_name: u.short_name.clone().unwrap_or_default(),
            kind: u.kind.clone(),
            side: u.side.clone(),
            parent_id: u.parent_id.unwrap_or(0),
            valid_from: u.valid_from.clone().unwrap_or_default(),
            valid_to: u.valid_to.clone().unwrap_or_default(),
        }
    }

    fn from_form(f: &FormData) -> UnitForm {
        UnitForm {
            key: f.get("key").trim().to_string(),
            code: f.get("code").trim().to_string(),
            code_format: f.get("code_format").to_string(),
            old_code: f.get("old_code").trim().to_string(),
            name: f.get("name").to_string(),
            short_name: f.get("short_name").to_string(),
            kind: f.get("kind").to_string(),
            side: f.get("side").to_string(),
            parent_id: f.get("parent_id").parse().unwrap_or(0),
            valid_from: f.get("valid_from").trim().to_string(),
            valid_to: f.get("valid_to").trim().to_string(),
        }
    }

    fn input(&self) -> UnitInput {
        UnitInput {
            key: self.key.clone(),
            code: opt(&self.code),
            code_format: opt(&self.code_format),
            old_code: opt(&self.old_code),
            name: self.name.clone(),
            short_name: opt(&self.short_name),
            kind: self.kind.clone(),
            side: self.side.clone(),
            parent_id: (self.parent_id > 0).then_some(self.parent_id),
            valid_from: opt(&self.valid_from),
            valid_to: opt(&self.valid_to),
        }
    }

    fn patch(&self) -> UnitPatch {
        UnitPatch {
            key: Some(self.key.clone()),
            code: Some(opt(&self.code)),
            code_format: opt(&self.code_format),
            old_code: Some(opt(&self.old_code)),
            name: Some(self.name.clone()),
            short_name: Some(opt(&self.short_name)),
            kind: Some(self.kind.clone()),
            side: Some(self.side.clone()),
            valid_from: Some(opt(&self.valid_from)),
            valid_to: Some(opt(&self.valid_to)),
        }
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    inactive: Option<String>,
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsTpl {
    layout: Layout,
    rows: Vec<TreeRow>,
    show_inactive: bool,
    can_create: bool,
}

pub async fn list(
    State(app): State<App>,
    user: WebUser,
    notice: Notice,
    WebQuery(q): WebQuery<ListQuery>,
) -> Result<Response, WebError> {
    let show_inactive = q.inactive.as_deref().is_some_and(|v| v == "1" || v == "on");
    let units = app
        .list_units(&user.actor, show_inactive)
        .await
        .or_page(&user)?;
    let tree = Tree::new(units);
    Ok(render(
        StatusCode::OK,
        &UnitsTpl {
            layout: Layout::new(&user, "units").notice(notice),
            rows: tree.rows(),
            show_inactive,
            can_create: user.actor.is_any_admin(),
        },
    ))
}

/// A member of a unit as the unit page lists them.
pub struct MemberRow {
    pub id: i64,
    pub full_name: String,
    pub username: String,
    pub position: String,
    pub roles: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitTpl {
    layout: Layout,
    unit: UnitView,
    parents: Vec<UnitView>,
    children: Vec<UnitView>,
    members: Vec<MemberRow>,
    admin: bool,
    form: UnitForm,
    kinds: Vec<Choice>,
    sides: Vec<Choice>,
    move_options: Vec<UnitOption>,
    sysadmin: bool,
    history: Vec<HistoryRow>,
    created_at: String,
    updated_at: String,
    /// The registers the person sees, or `None` when the unit's registers are not theirs to see.
    registers: Option<Vec<RegisterRow>>,
    register_form: RegisterForm,
    register_kinds: Vec<Choice>,
    /// Whether the person may open a secret register.
    may_secret: bool,
    /// How many processing flows the unit has, or `None` when they are not the person's to see.
    flow_count: Option<usize>,
    /// Which form the error belongs to: `edit`, `move`, `state`, `register`.
    failed: String,
}

/// What the forms of the unit page show when one failed: what the person typed.
#[derive(Default)]
pub struct Forms {
    pub unit: Option<UnitForm>,
    pub register: Option<RegisterForm>,
}

async fn unit_page(
    app: &App,
    user: &WebUser,
    id: i64,
    layout: Layout,
    forms: Forms,
    failed: &str,
    status: StatusCode,
) -> Result<Response, WebError> {
    let unit = app.get_unit(&user.actor, id).await.or_page(user)?;
    let registers = unit_registers(app, user, id).await?;
    let flow_count = match app.unit_flows(&user.actor, id).await {
        Ok(f) => Some(f.len()),
        Err(AppError::Forbidden(_)) => None,
        Err(e) => return Err(WebError::new(user, e)),
    };
    let tree = Tree::new(app.list_units(&user.actor, true).await.or_page(user)?);
    let admin = tree.in_scope(&user.actor, id);
    let parents = tree
        .ancestry(id)
        .into_iter()
        .skip(1)
        .rev()
        .filter_map(|a| tree.get(a).cloned())
        .collect();
    let (people, _) = app
        .list_people(
            &user.actor,
            &PeopleFilter {
                unit_id: Some(id),
                include_inactive: admin,
                query: None,
                limit: 500,
                offset: 0,
            },
        )
        .await
        .or_page(user)?;
    let members = people
        .into_iter()
        .map(|p| {
            let m = p.memberships.iter().find(|m| m.unit_id == id);
            MemberRow {
                id: p.id,
                position: m.and_then(|m| m.position.clone()).unwrap_or_default(),
                roles: m.map(|m| m.role_labels.join(", ")).unwrap_or_default(),
                full_name: p.full_name,
                username: p.username,
                active: p.active,
            }
        })
        .collect();
    let history = if admin {
        history_rows(
            app.history(&user.actor, "unit", id)
                .await
                .unwrap_or_default(),
        )
    } else {
        Vec::new()
    };
    let move_options = if admin {
        tree.admin_options(&user.actor, Some(id))
    } else {
        Vec::new()
    };
    let t = UnitTpl {
        layout,
        children: tree.children_of(id),
        parents,
        members,
        admin,
        form: forms.unit.unwrap_or_else(|| UnitForm::from_view(&unit)),
        registers,
        register_form: forms.register.unwrap_or_default(),
        register_kinds: register_kinds(),
        may_secret: cleared_for_secret(&user.actor),
        flow_count,
        kinds: kinds(),
        sides: sides(),
        move_options,
        sysadmin: user.actor.is_system_admin(),
        history,
        created_at: local_iso(&unit.created_at),
        updated_at: local_iso(&unit.updated_at),
        unit,
        failed: failed.to_string(),
    };
    Ok(render(status, &t))
}

pub async fn show(
    State(app): State<App>,
    user: WebUser,
    notice: Notice,
    WebPath(id): WebPath<String>,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &user)?;
    let layout = Layout::new(&user, "units").notice(notice);
    unit_page(
        &app,
        &user,
        id,
        layout,
        Forms::default(),
        "",
        StatusCode::OK,
    )
    .await
}

/// Shows the unit page again with the error next to the form that failed.
pub async fn failed(
    app: &App,
    user: &WebUser,
    id: i64,
    e: AppError,
    forms: Forms,
    which: &str,
) -> Result<Response, WebError> {
    if matches!(e, AppError::NotFound(_)) {
        return Err(WebError::new(user, e));
    }
    let layout = Layout::new(user, "units").error(&e);
    unit_page(app, user, id, layout, forms, which, status_of(&e)).await
}

pub async fn update(
    State(app): State<App>,
    WebPath(id): WebPath<String>,
    p: Posted,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &p.user)?;
    let form = UnitForm::from_form(&p.form);
    match app.update_unit(&p.user.actor, id, &form.patch()).await {
        Ok(_) => Ok(see_other(&format!("/units/{id}?notice=saved"))),
        Err(e) => {
            let forms = Forms {
                unit: Some(form),
                ..Forms::default()
            };
            failed(&app, &p.user, id, e, forms, "edit").await
        }
    }
}

pub async fn move_unit(
    State(app): State<App>,
    WebPath(id): WebPath<String>,
    p: Posted,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &p.user)?;
    let parent = p
        .form
        .get("parent_id")
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0);
    match app.move_unit(&p.user.actor, id, parent).await {
        Ok(_) => Ok(see_other(&format!("/units/{id}?notice=moved"))),
        Err(e) => failed(&app, &p.user, id, e, Forms::default(), "move").await,
    }
}

async fn set_active(app: App, id: String, p: Posted, active: bool) -> Result<Response, WebError> {
    let id = parse_id(&id, &p.user)?;
    match app.set_unit_active(&p.user.actor, id, active).await {
        Ok(_) => Ok(see_other(&format!(
            "/units/{id}?notice={}",
            if active { "activated" } else { "deactivated" }
        ))),
        Err(e) => failed(&app, &p.user, id, e, Forms::default(), "state").await,
    }
}

pub async fn deactivate(
    State(app): State<App>,
    WebPath(id): WebPath<String>,
    p: Posted,
) -> Result<Response, WebError> {
    set_active(app, id, p, false).await
}

pub async fn activate(
    State(app): State<App>,
    WebPath(id): WebPath<String>,
    p: Posted,
) -> Result<Response, WebError> {
    set_active(app, id, p, true).await
}

#[derive(Template)]
#[template(path = "unit_new.html")]
struct NewUnitTpl {
    layout: Layout,
    form: UnitForm,
    kinds: Vec<Choice>,
    sides: Vec<Choice>,
    parents: Vec<UnitOption>,
    sysadmin: bool,
}

#[derive(Deserialize)]
pub struct NewQuery {
    parent: Option<String>,
}

async fn new_page(
    app: &App,
    user: &WebUser,
    form: UnitForm,
    layout: Layout,
    status: StatusCode,
) -> Result<Response, WebError> {
    if !user.actor.is_any_admin() {
        return Err(WebError::new(user, AppError::forbidden_admin()));
    }
    let tree = Tree::new(app.list_units(&user.actor, false).await.or_page(user)?);
    Ok(render(
        status,
        &NewUnitTpl {
            layout,
            form,
            kinds: kinds(),
            sides: sides(),
            parents: tree.admin_options(&user.actor, None),
            sysadmin: user.actor.is_system_admin(),
        },
    ))
}

pub async fn new_form(
    State(app): State<App>,
    user: WebUser,
    WebQuery(q): WebQuery<NewQuery>,
) -> Result<Response, WebError> {
    let parent_id = q.parent.and_then(|p| p.parse().ok()).unwrap_or(0);
    let mut form = UnitForm {
        parent_id,
        code_format: "axis".into(),
        ..UnitForm::default()
    };
    // A new unit takes its parent's side by default.
    if parent_id > 0
        && let Ok(parent) = app.get_unit(&user.actor, parent_id).await
    {
        form.side = parent.side;
        form.kind = "department".into();
    }
    let layout = Layout::new(&user, "units");
    new_page(&app, &user, form, layout, StatusCode::OK).await
}

pub async fn create(State(app): State<App>, p: Posted) -> Result<Response, WebError> {
    let form = UnitForm::from_form(&p.form);
    match app.create_unit(&p.user.actor, &form.input()).await {
        Ok(u) => Ok(see_other(&format!("/units/{}?notice=created", u.id))),
        Err(e) => {
            let layout = Layout::new(&p.user, "units").error(&e);
            new_page(&app, &p.user, form, layout, status_of(&e)).await
        }
    }
}

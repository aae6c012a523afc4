//! The list of people, a person's page with the administration forms, and the creation of accounts.

use super::tree::{Tree, UnitOption};
use super::units::Choice;
use super::{
    FormData, HistoryRow, Layout, Notice, OrPage, Posted, WebError, WebPath, WebQuery, WebUser,
    history_rows, local_iso, parse_id, render, see_other, status_of,
};
use crate::App;
use crate::app::people::{MembershipInput, PersonInput, PersonPatch, person_grant};
use crate::app::views::PersonView;
use crate::error::AppError;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use vanthu_domain::{Clearance, Role};
use vanthu_store::PeopleFilter;

const PAGE: i64 = 50;

fn roles() -> Vec<Choice> {
    Role::ALL
        .iter()
        .filter(|r| **r != Role::SystemAdmin)
        .map(|r| Choice {
            code: r.code(),
            label: r.label(),
        })
        .collect()
}

fn clearances() -> Vec<Choice> {
    Clearance::all()
        .iter()
        .map(|c| Choice {
            code: c.code(),
            label: c.label(),
        })
        .collect()
}

/// One membership row of the person form.
#[derive(Debug, Clone, Default)]
pub struct MemberForm {
    pub idx: usize,
    pub unit_id: i64,
    pub position: String,
    pub roles: Vec<String>,
    pub primary: bool,
}

impl MemberForm {
    pub fn has(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// What the person form shows: the stored values or what the person typed.
#[derive(Debug, Clone, Default)]
pub struct PersonForm {
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub phone: String,
    pub clearance: String,
    pub system_admin: bool,
    pub memberships: Vec<MemberForm>,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl PersonForm {
    fn from_view(p: &PersonView) -> PersonForm {
        let mut f = PersonForm {
            username: p.username.clone(),
            full_name: p.full_name.clone(),
            email: p.email.clone().unwrap_or_default(),
            phone: p.phone.clone().unwrap_or_default(),
            clearance: p.clearance.clone().unwrap_or_else(|| "none".into()),
            system_admin: p.system_admin,
            memberships: p
                .memberships
                .iter()
                .enumerate()
                .map(|(i, m)| MemberForm {
                    idx: i,
                    unit_id: m.unit_id,
                    position: m.position.clone().unwrap_or_default(),
                    roles: m.roles.clone(),
                    primary: m.is_primary,
                })
                .collect(),
        };
        f.add_blank_row();
        f
    }

    fn from_form(f: &FormData) -> PersonForm {
        let primary = f.get("primary").parse::<usize>().ok();
        // Every row the form carries (`m{i}.unit`), however many: none is dropped on the way.
        let mut idx: Vec<usize> =
            f.0.iter()
                .filter_map(|(k, _)| k.strip_prefix('m')?.strip_suffix(".unit"))
                .filter_map(|i| i.parse::<usize>().ok().filter(|n| n.to_string() == i))
                .collect();
        idx.sort_unstable();
        idx.dedup();
        let rows = idx
            .into_iter()
            .map(|i| MemberForm {
                idx: i,
                unit_id: f.get(&format!("m{i}.unit")).parse().unwrap_or(0),
                position: f.get(&format!("m{i}.position")).to_string(),
                roles: f.all(&format!("m{i}.roles")),
                primary: primary == Some(i),
            })
            .collect();
        PersonForm {
            username: f.get("username").trim().to_string(),
            full_name: f.get("full_name").to_string(),
            email: f.get("email").trim().to_string(),
            phone: f.get("phone").trim().to_string(),
            clearance: f.get("clearance").to_string(),
            system_admin: f.has("system_admin"),
            memberships: rows,
        }
    }

    /// A blank row to add a membership, renumbered so that indexes stay unique.
    fn add_blank_row(&mut self) {
        for (i, m) in self.memberships.iter_mut().enumerate() {
            m.idx = i;
        }
        if self.memberships.iter().all(|m| m.unit_id > 0) {
            self.memberships.push(MemberForm {
                idx: self.memberships.len(),
                ..MemberForm::default()
            });
        }
    }

    /// Rows that name a unit; a row without a unit is left out (that is how a membership is removed).
    fn membership_inputs(&self) -> Vec<MembershipInput> {
        self.memberships
            .iter()
            .filter(|m| m.unit_id > 0)
            .map(|m| MembershipInput {
                unit_id: m.unit_id,
                position: opt(&m.position),
                roles: m.roles.clone(),
                is_primary: m.primary,
            })
            .collect()
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    unit: Option<String>,
    inactive: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeopleTpl {
    layout: Layout,
    people: Vec<PersonView>,
    total: i64,
    q: String,
    unit: i64,
    show_inactive: bool,
    limit: i64,
    first: i64,
    last: i64,
    prev: Option<String>,
    next: Option<String>,
    units: Vec<UnitOption>,
    can_create: bool,
}

pub async fn list(
    State(app): State<App>,
    user: WebUser,
    notice: Notice,
    WebQuery(q): WebQuery<ListQuery>,
) -> Result<Response, WebError> {
    let query = q.q.as_deref().map(str::trim).unwrap_or("").to_string();
    let unit = q
        .unit
        .and_then(|u| u.parse::<i64>().ok())
        .filter(|u| *u > 0);
    let show_inactive = q.inactive.as_deref().is_some_and(|v| v == "1" || v == "on");
    let limit = q
        .limit
        .and_then(|l| l.parse::<i64>().ok())
        .unwrap_or(PAGE)
        .clamp(1, 500);
    let offset = q
        .offset
        .and_then(|o| o.parse::<i64>().ok())
        .unwrap_or(0)
        .max(0);
    let (people, total) = app
        .list_people(
            &user.actor,
            &PeopleFilter {
                unit_id: unit,
                include_inactive: show_inactive,
                query: (!query.is_empty()).then(|| query.clone()),
                limit,
                offset,
            },
        )
        .await
        .or_page(&user)?;
    let tree = Tree::new(app.list_units(&user.actor, false).await.or_page(&user)?);
    let link = |off: i64| {
        let mut s = format!("/people?offset={off}&limit={limit}");
        if !query.is_empty() {
            s.push_str(&format!("&q={}", super::encode_query(&query)));
        }
        if let Some(u) = unit {
            s.push_str(&format!("&unit={u}"));
        }
        if show_inactive {
            s.push_str("&inactive=1");
        }
        s
    };
    let shown = people.len() as i64;
    Ok(render(
        StatusCode::OK,
        &PeopleTpl {
            layout: Layout::new(&user, "people").notice(notice),
            prev: (offset > 0).then(|| link((offset - limit).max(0))),
            next: (offset + shown < total).then(|| link(offset + limit)),
            first: if shown > 0 { offset + 1 } else { 0 },
            last: offset + shown,
            people,
            total,
            q: query,
            unit: unit.unwrap_or(0),
            show_inactive,
            limit,
            units: tree.all_options(),
            can_create: user.actor.is_any_admin(),
        },
    ))
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonTpl {
    layout: Layout,
    person: PersonView,
    admin: bool,
    sysadmin: bool,
    is_self: bool,
    form: PersonForm,
    clearances: Vec<Choice>,
    roles: Vec<Choice>,
    units: Vec<UnitOption>,
    history: Vec<HistoryRow>,
    clearance_label: String,
    created_at: String,
    updated_at: String,
    failed: String,
}

async fn person_page(
    app: &App,
    user: &WebUser,
    id: i64,
    layout: Layout,
    form: Option<PersonForm>,
    failed: &str,
    status: StatusCode,
) -> Result<Response, WebError> {
    let person = app.get_person(&user.actor, id).await.or_page(user)?;
    let tree = Tree::new(app.list_units(&user.actor, true).await.or_page(user)?);
    // The forms show when the use cases would accept them: the same rule, read from the store.
    let admin = {
        let mut r = app
            .store
            .read()
            .await
            .map_err(|e| WebError::new(user, e.into()))?;
        match person_grant(&mut *r, &user.actor, id).await {
            Ok(_) => true,
            Err(AppError::Forbidden(_)) => false,
            Err(e) => return Err(WebError::new(user, e)),
        }
    };
    let is_self = user.actor.person_id == id;
    let history = if admin || is_self {
        history_rows(
            app.history(&user.actor, "person", id)
                .await
                .unwrap_or_default(),
        )
    } else {
        Vec::new()
    };
    let mut form = form.unwrap_or_else(|| PersonForm::from_view(&person));
    form.add_blank_row();
    let clearance_label = person
        .clearance
        .as_deref()
        .and_then(|c| Clearance::parse(c).ok())
        .map(|c| c.label().to_string())
        .unwrap_or_default();
    let t = PersonTpl {
        layout,
        admin,
        sysadmin: user.actor.is_system_admin(),
        is_self,
        form,
        clearances: clearances(),
        roles: roles(),
        units: if admin {
            tree.admin_options(&user.actor, None)
        } else {
            Vec::new()
        },
        history,
        clearance_label,
        created_at: local_iso(&person.created_at),
        updated_at: local_iso(&person.updated_at),
        person,
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
    let layout = Layout::new(&user, "people").notice(notice);
    person_page(&app, &user, id, layout, None, "", StatusCode::OK).await
}

async fn failed(
    app: &App,
    user: &WebUser,
    id: i64,
    e: AppError,
    form: Option<PersonForm>,
    which: &str,
) -> Result<Response, WebError> {
    if matches!(e, AppError::NotFound(_)) {
        return Err(WebError::new(user, e));
    }
    let layout = Layout::new(user, "people").error(&e);
    person_page(app, user, id, layout, form, which, status_of(&e)).await
}

pub async fn update(
    State(app): State<App>,
    WebPath(id): WebPath<String>,
    p: Posted,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &p.user)?;
    let mut form = PersonForm::from_form(&p.form);
    let patch = PersonPatch {
        full_name: Some(form.full_name.clone()),
        email: Some(opt(&form.email)),
        phone: Some(opt(&form.phone)),
        clearance: Some(form.clearance.clone()),
        // Only system administrators see the flag; for others it stays as it is.
        system_admin: p.user.actor.is_system_admin().then_some(form.system_admin),
        memberships: Some(form.membership_inputs()),
    };
    match app.update_person(&p.user.actor, id, &patch).await {
        Ok(_) => Ok(see_other(&format!("/people/{id}?notice=saved"))),
        Err(e) => {
            if let Ok(cur) = app.get_person(&p.user.actor, id).await {
                form.username = cur.username;
                if !p.user.actor.is_system_admin() {
                    form.system_admin = cur.system_admin;
                }
            }
            failed(&app, &p.user, id, e, Some(form), "edit").await
        }
    }
}

pub async fn reset_password(
    State(app): State<App>,
    WebPath(id): WebPath<String>,
    p: Posted,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &p.user)?;
    match app
        .reset_password(&p.user.actor, id, p.form.get("password"))
        .await
    {
        Ok(()) => Ok(see_other(&format!("/people/{id}?notice=password_reset"))),
        Err(e) => failed(&app, &p.user, id, e, None, "password").await,
    }
}

async fn set_active(app: App, id: String, p: Posted, active: bool) -> Result<Response, WebError> {
    let id = parse_id(&id, &p.user)?;
    match app.set_person_active(&p.user.actor, id, active).await {
        Ok(_) => Ok(see_other(&format!(
            "/people/{id}?notice={}",
            if active { "activated" } else { "deactivated" }
        ))),
        Err(e) => failed(&app, &p.user, id, e, None, "state").await,
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
#[template(path = "person_new.html")]
struct NewPersonTpl {
    layout: Layout,
    form: PersonForm,
    clearances: Vec<Choice>,
    roles: Vec<Choice>,
    units: Vec<UnitOption>,
    sysadmin: bool,
}

#[derive(Deserialize)]
pub struct NewQuery {
    unit: Option<String>,
}

async fn new_page(
    app: &App,
    user: &WebUser,
    mut form: PersonForm,
    layout: Layout,
    status: StatusCode,
) -> Result<Response, WebError> {
    if !user.actor.is_any_admin() {
        return Err(WebError::new(user, AppError::Forbidden(String::new())));
    }
    let tree = Tree::new(app.list_units(&user.actor, false).await.or_page(user)?);
    form.add_blank_row();
    Ok(render(
        status,
        &NewPersonTpl {
            layout,
            form,
            clearances: clearances(),
            roles: roles(),
            units: tree.admin_options(&user.actor, None),
            sysadmin: user.actor.is_system_admin(),
        },
    ))
}

pub async fn new_form(
    State(app): State<App>,
    user: WebUser,
    WebQuery(q): WebQuery<NewQuery>,
) -> Result<Response, WebError> {
    let unit_id = q.unit.and_then(|u| u.parse().ok()).unwrap_or(0);
    let form = PersonForm {
        clearance: "none".into(),
        memberships: vec![MemberForm {
            idx: 0,
            unit_id,
            primary: true,
            ..MemberForm::default()
        }],
        ..PersonForm::default()
    };
    let layout = Layout::new(&user, "people");
    new_page(&app, &user, form, layout, StatusCode::OK).await
}

pub async fn create(State(app): State<App>, p: Posted) -> Result<Response, WebError> {
    let form = PersonForm::from_form(&p.form);
    let input = PersonInput {
        username: form.username.clone(),
        full_name: form.full_name.clone(),
        email: opt(&form.email),
        phone: opt(&form.phone),
        clearance: opt(&form.clearance),
        system_admin: form.system_admin,
        password: Some(p.form.get("password").to_string()).filter(|s| !s.is_empty()),
        memberships: form.membership_inputs(),
    };
    match app.create_person(&p.user.actor, &input).await {
        Ok(v) => Ok(see_other(&format!("/people/{}?notice=created", v.id))),
        Err(e) => {
            let layout = Layout::new(&p.user, "people").error(&e);
            new_page(&app, &p.user, form, layout, status_of(&e)).await
        }
    }
}

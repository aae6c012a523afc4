//! Registers (sổ văn bản): the section of a unit's page with the form that opens one, a register's page with
//! its numbers, and the clerk's forms that take the next number and cancel an unused one.

use super::units::{Choice, Forms, failed as unit_failed};
use super::{
    FormData, HistoryRow, Layout, Notice, OrPage, Posted, WebError, WebPath, WebQuery, WebUser,
    history_rows, local_iso, parse_id, render, see_other, status_of,
};
use crate::App;
use crate::app::registers::{EntryView, RegisterInput, RegisterView, TakeNumberInput};
use crate::app::views::UnitView;
use crate::error::AppError;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use std::collections::HashMap;
use vanthu_domain::access::Actor;
use vanthu_domain::numbering::{RegisterKind, number_text};

/// Numbers shown on one page of a register.
const PAGE: i64 = 50;

/// The kinds of register, for the select of the form that opens one.
pub fn register_kinds() -> Vec<Choice> {
    [
        RegisterKind::Incoming,
        RegisterKind::Outgoing,
        RegisterKind::Internal,
    ]
    .iter()
    .map(|k| Choice {
        code: k.code(),
        label: k.label(),
    })
    .collect()
}

pub use crate::app::registers::may_see_secret as cleared_for_secret;

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A register as the unit page lists it.
pub struct RegisterRow {
    pub id: i64,
    pub name: String,
    pub kind_label: String,
    pub period: String,
    pub secret: bool,
    pub series: String,
    pub next: String,
    pub active: bool,
}

impl From<&RegisterView> for RegisterRow {
    fn from(r: &RegisterView) -> RegisterRow {
        RegisterRow {
            id: r.id,
            name: r.name.clone(),
            kind_label: r.kind_label.clone(),
            period: r.period.clone(),
            secret: r.secret,
            series: r.series.clone().unwrap_or_default(),
            next: number_text(r.next_number),
            active: r.active,
        }
    }
}

/// What the form that opens a register shows: defaults or what the person typed.
#[derive(Debug, Clone)]
pub struct RegisterForm {
    pub kind: String,
    pub period: String,
    pub secret: bool,
    pub series: String,
    pub name: String,
}

impl Default for RegisterForm {
    fn default() -> RegisterForm {
        RegisterForm {
            kind: RegisterKind::Outgoing.code().into(),
            period: crate::app::views::current_local_year().to_string(),
            secret: false,
            series: String::new(),
            name: String::new(),
        }
    }
}

impl RegisterForm {
    fn from_form(f: &FormData) -> RegisterForm {
        RegisterForm {
            kind: f.get("kind").to_string(),
            period: f.get("period").trim().to_string(),
            secret: f.has("secret"),
            series: f.get("series").trim().to_string(),
            name: f.get("name").to_string(),
        }
    }

    fn input(&self) -> RegisterInput {
        RegisterInput {
            kind: self.kind.clone(),
            period: self.period.clone(),
            secret: self.secret,
            series: opt(&self.series),
            name: opt(&self.name),
        }
    }
}

/// The registers of a unit the person may see, or `None` when they may not see the unit's registers at all.
pub async fn unit_registers(
    app: &App,
    user: &WebUser,
    unit_id: i64,
) -> Result<Option<Vec<RegisterRow>>, WebError> {
    match app.list_registers(&user.actor, unit_id).await {
        Ok(l) => Ok(Some(l.iter().map(RegisterRow::from).collect())),
        Err(AppError::Forbidden(_)) => Ok(None),
        Err(e) => Err(WebError::new(user, e)),
    }
}

/// `POST /units/{id}/registers`: an administrator of the unit opens a register.
pub async fn create(
    State(app): State<App>,
    WebPath(id): WebPath<String>,
    p: Posted,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &p.user)?;
    let form = RegisterForm::from_form(&p.form);
    match app.create_register(&p.user.actor, id, &form.input()).await {
        Ok(r) => Ok(see_other(&format!("/registers/{}?notice=created", r.id))),
        Err(e) => {
            let forms = Forms {
                register: Some(form),
                ..Forms::default()
            };
            unit_failed(&app, &p.user, id, e, forms, "register").await
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// A register's page.

/// A number of the register as its page shows it.
pub struct EntryRow {
    pub number: i64,
    pub number_text: String,
    pub notation: String,
    pub reserved: bool,
    pub status_label: &'static str,
    pub reason: String,
    pub taken_by: String,
    pub taken_at: String,
    pub cancelled_by: String,
    pub cancelled_at: String,
}

fn status_label(status: &str) -> &'static str {
    match status {
        "reserved" => "Đã cấp",
        "cancelled" => "Đã hủy",
        _ => "Đã dùng",
    }
}

/// What the form "Lấy số" shows.
#[derive(Debug, Clone, Default)]
pub struct TakeForm {
    pub doc_type: String,
    pub type_abbr: String,
    pub extra: String,
}

impl TakeForm {
    fn from_form(f: &FormData) -> TakeForm {
        TakeForm {
            doc_type: f.get("doc_type").trim().to_string(),
            type_abbr: f.get("type_abbr").trim().to_string(),
            extra: f.get("extra").trim().to_string(),
        }
    }

    /// The further groups of the notation, typed separated by spaces or commas.
    fn input(&self) -> TakeNumberInput {
        TakeNumberInput {
            doc_type: opt(&self.doc_type),
            type_abbr: opt(&self.type_abbr),
            extra: self
                .extra
                .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }
}

/// What the register page shows besides the register: the outcome of the person's last action, or which
/// form failed and what was typed in it.
#[derive(Debug, Clone, Default)]
struct PageState {
    /// "Đã lấy số: Số: 05/QĐ-UBND" after the person took a number.
    done: String,
    /// `take` or `cancel`, or empty.
    which: &'static str,
    take: TakeForm,
    /// The number whose cancellation failed, and the reason typed.
    number: i64,
    reason: String,
}

#[derive(Deserialize)]
pub struct RegisterQuery {
    offset: Option<String>,
    taken: Option<String>,
    cancelled: Option<String>,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterTpl {
    layout: Layout,
    reg: RegisterView,
    unit: UnitView,
    entries: Vec<EntryRow>,
    can_number: bool,
    /// Clerks and leaders of the unit print the book.
    can_print: bool,
    next: String,
    total: i64,
    first: i64,
    last: i64,
    offset: i64,
    prev_link: Option<String>,
    next_link: Option<String>,
    created_at: String,
    /// "Đã lấy số: Số: 05/QĐ-UBND" after the person took a number.
    done: String,
    failed: &'static str,
    take: TakeForm,
    /// Document types in use: code and "Name (abbreviation on this unit's side)".
    doc_types: Vec<(String, String)>,
    cancel_number: i64,
    cancel_reason: String,
    history: Vec<HistoryRow>,
}

/// Names of the people who took or cancelled numbers, by id.
async fn names(app: &App, actor: &Actor, entries: &[EntryView]) -> HashMap<i64, String> {
    let mut out = HashMap::new();
    for id in entries
        .iter()
        .flat_map(|e| std::iter::once(e.taken_by).chain(e.cancelled_by))
    {
        if out.contains_key(&id) {
            continue;
        }
        let name = app
            .get_person(actor, id)
            .await
            .map(|p| p.full_name)
            .unwrap_or_else(|_| format!("Người dùng số {id}"));
        out.insert(id, name);
    }
    out
}

/// One entry of the register, for the message after taking or cancelling a number: the person's own.
async fn own_entry(app: &App, user: &WebUser, reg: &RegisterView, n: i64) -> Option<EntryView> {
    if !(1..reg.next_number).contains(&n) {
        return None;
    }
    let d = app
        .register_detail(&user.actor, reg.id, 1, reg.next_number - 1 - n)
        .await
        .ok()?;
    d.entries.into_iter().find(|e| e.number == n)
}

fn shown_number(e: &EntryView) -> String {
    e.display.clone().unwrap_or_else(|| e.number_text.clone())
}

async fn register_page(
    app: &App,
    user: &WebUser,
    id: i64,
    offset: i64,
    layout: Layout,
    state: PageState,
    status: StatusCode,
) -> Result<Response, WebError> {
    let d = app
        .register_detail(&user.actor, id, PAGE, offset)
        .await
        .or_page(user)?;
    let unit = app
        .get_unit(&user.actor, d.register.unit_id)
        .await
        .or_page(user)?;
    let history = history_rows(
        app.history(&user.actor, "register", id)
            .await
            .or_page(user)?,
    );
    let who = names(app, &user.actor, &d.entries).await;
    let name = |id: Option<i64>| {
        id.map(|i| who.get(&i).cloned().unwrap_or_default())
            .unwrap_or_default()
    };
    let entries: Vec<EntryRow> = d
        .entries
        .iter()
        .map(|e| EntryRow {
            number: e.number,
            number_text: e.number_text.clone(),
            notation: e.notation.clone().unwrap_or_default(),
            reserved: e.status == "reserved",
            status_label: status_label(&e.status),
            reason: e.reason.clone().unwrap_or_default(),
            taken_by: name(Some(e.taken_by)),
            taken_at: local_iso(&e.taken_at),
            cancelled_by: name(e.cancelled_by),
            cancelled_at: e.cancelled_at.as_deref().map(local_iso).unwrap_or_default(),
        })
        .collect();
    let reg = d.register;
    let total = (reg.next_number - 1).max(0);
    let shown = entries.len() as i64;
    let link = |off: i64| format!("/registers/{id}?offset={off}");
    let party = unit.side == "party";
    let doc_types = app
        .list_document_types(false)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|t| {
            let abbr = if party { t.party_abbr } else { t.state_abbr };
            let label = match abbr {
                Some(a) => format!("{} ({a})", t.name),
                None => t.name,
            };
            (t.code, label)
        })
        .collect();
    let t = RegisterTpl {
        layout,
        can_number: user.actor.clerk_grant(reg.unit_id, reg.secret).is_some() && reg.active,
        can_print: crate::app::documents::has_role(
            &user.actor,
            reg.unit_id,
            vanthu_domain::Role::Clerk,
        ) || crate::app::documents::has_role(
            &user.actor,
            reg.unit_id,
            vanthu_domain::Role::Leader,
        ),
        next: number_text(reg.next_number),
        total,
        first: if shown > 0 { offset + 1 } else { 0 },
        last: offset + shown,
        offset,
        prev_link: (offset > 0).then(|| link((offset - PAGE).max(0))),
        next_link: (offset + shown < total).then(|| link(offset + PAGE)),
        created_at: local_iso(&reg.created_at),
        entries,
        unit,
        reg,
        done: state.done,
        failed: state.which,
        take: state.take,
        doc_types,
        cancel_number: state.number,
        cancel_reason: state.reason,
        history,
    };
    Ok(render(status, &t))
}

fn parse_offset(raw: &str) -> i64 {
    raw.trim().parse::<i64>().unwrap_or(0).max(0)
}

/// `GET /registers/{id}`.
pub async fn show(
    State(app): State<App>,
    user: WebUser,
    notice: Notice,
    WebPath(id): WebPath<String>,
    WebQuery(q): WebQuery<RegisterQuery>,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &user)?;
    let offset = q.offset.as_deref().map(parse_offset).unwrap_or(0);
    let wanted = |v: &Option<String>| v.as_deref().and_then(|v| v.parse::<i64>().ok());
    let mut done = String::new();
    if let Some(n) = wanted(&q.taken).or(wanted(&q.cancelled)) {
        let reg = app
            .register_detail(&user.actor, id, 1, 0)
            .await
            .or_page(&user)?
            .register;
        let me = user.actor.person_id;
        if let Some(e) = own_entry(&app, &user, &reg, n).await {
            if q.taken.is_some() && e.taken_by == me {
                done = format!("Đã lấy số: {}", shown_number(&e));
            } else if q.cancelled.is_some() && e.cancelled_by == Some(me) {
                let n = e.notation.clone().unwrap_or_else(|| e.number_text.clone());
                done = format!("Đã hủy số {n}.");
            }
        }
    }
    let layout = Layout::new(&user, "units").notice(notice);
    register_page(
        &app,
        &user,
        id,
        offset,
        layout,
        PageState {
            done,
            ..PageState::default()
        },
        StatusCode::OK,
    )
    .await
}

/// Shows the register page again with the error next to the form that failed; an unknown register (or one
/// the person may not see) is an error page.
async fn failed(
    app: &App,
    user: &WebUser,
    id: i64,
    offset: i64,
    e: AppError,
    state: PageState,
) -> Result<Response, WebError> {
    if matches!(e, AppError::NotFound(_)) {
        return Err(WebError::new(user, e));
    }
    let layout = Layout::new(user, "units").error(&e);
    let status = status_of(&e);
    register_page(app, user, id, offset, layout, state, status).await
}

/// `POST /registers/{id}/numbers`: a clerk takes the next number.
pub async fn take(
    State(app): State<App>,
    WebPath(id): WebPath<String>,
    p: Posted,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &p.user)?;
    let form = TakeForm::from_form(&p.form);
    match app.take_number(&p.user.actor, id, &form.input()).await {
        Ok(e) => Ok(see_other(&format!("/registers/{id}?taken={}", e.number))),
        Err(e) => {
            let state = PageState {
                which: "take",
                take: form,
                ..PageState::default()
            };
            failed(&app, &p.user, id, 0, e, state).await
        }
    }
}

/// `POST /registers/{id}/numbers/{number}/cancel`: a clerk cancels a number that will not be used.
pub async fn cancel(
    State(app): State<App>,
    WebPath((id, number)): WebPath<(String, String)>,
    p: Posted,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &p.user)?;
    let number = parse_id(&number, &p.user)?;
    let reason = p.form.get("reason").to_string();
    let offset = parse_offset(p.form.get("offset"));
    match app.cancel_number(&p.user.actor, id, number, &reason).await {
        Ok(e) => Ok(see_other(&format!(
            "/registers/{id}?cancelled={}&offset={offset}",
            e.number
        ))),
        Err(e) => {
            let state = PageState {
                which: "cancel",
                number,
                reason,
                ..PageState::default()
            };
            failed(&app, &p.user, id, offset, e, state).await
        }
    }
}

#[derive(Deserialize)]
pub struct BookQuery {
    format: Option<String>,
}

/// The register book as PDF or XLSX (clerks and leaders of the unit).
pub async fn book(
    State(app): State<App>,
    user: WebUser,
    WebPath(id): WebPath<String>,
    WebQuery(q): WebQuery<BookQuery>,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &user)?;
    let format =
        crate::app::documents::books::BookFormat::parse(q.format.as_deref()).or_page(&user)?;
    let book = app
        .register_book(&user.actor, id, format)
        .await
        .or_page(&user)?;
    Ok(crate::api::documents::book_response(book))
}

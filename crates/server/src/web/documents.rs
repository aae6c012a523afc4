//! Documents in the web interface: the person's queues, the documents of a unit, a document's page with the
//! forms of what the reader may do now, registering an incoming document and drafting an outgoing one, and
//! file downloads.
//!
//! Forms that carry files are sent as `multipart/form-data`; their CSRF token travels in the same `_csrf` field
//! as in every other form and is checked before anything is done.

use super::tree::{Tree, UnitOption};
use super::{
    ErrorKind, FormData, Layout, OrPage, Posted, WebError, WebPath, WebQuery, WebUser,
    csrf_refused, encode_query, local_iso, parse_id, render, same_secret, see_other, status_of,
};
use crate::App;
use crate::app::documents::incoming::{
    AssignInput, ForwardInput, IncomingInput, PresentInput, RegisterArrivalInput, ReportInput,
};
use crate::app::documents::outgoing::{
    IssueInput, OutgoingInput, RecipientInput, ReviewInput, ReviewStepInput,
};
use crate::app::documents::{
    DocumentDetail, DocumentView, ListQuery, Queue, RecipientView, Upload, check_uploads,
};
use crate::app::registers::RegisterView;
use crate::error::AppError;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use vanthu_domain::access::Actor;
use vanthu_domain::document::{Channel, Direction, DocState, FileKind, Urgency, date_vn};
use vanthu_domain::numbering::{NotationStyle, RegisterKind};
use vanthu_domain::{Role, Secrecy};
use vanthu_store::{Membership, PeopleFilter, Person};

/// Documents shown on one page of a list.
const PAGE: i64 = 50;

// ---------------------------------------------------------------------------------------------------------
// Shared pieces.

/// A code and its Vietnamese label, for selects.
pub struct Opt {
    pub code: String,
    pub label: String,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The page number of `?page=` (from 1).
fn page_number(raw: Option<&str>) -> i64 {
    raw.and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
        .min(1_000_000)
}

/// The local date (`dd/mm/yyyy`) of an RFC 3339 time of a view.
fn day_of(time: &str) -> String {
    local_iso(time)
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string()
}

fn not_found(u: &WebUser) -> WebError {
    WebError::new(u, AppError::NotFound(String::new())).kind(ErrorKind::NotFound)
}

fn urgencies() -> Vec<Opt> {
    Urgency::ALL
        .iter()
        .map(|u| Opt {
            code: u.code().into(),
            label: u.label().into(),
        })
        .collect()
}

/// The secrecy levels the person may read (and so may register or draft).
fn secrecies(actor: &Actor) -> Vec<Opt> {
    Secrecy::ALL
        .iter()
        .filter(|s| actor.clearance.may_read(Some(**s)))
        .map(|s| Opt {
            code: s.code().into(),
            label: s.label().into(),
        })
        .collect()
}

async fn doc_types(app: &App) -> Vec<Opt> {
    app.list_document_types(false)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|t| Opt {
            code: t.code,
            label: t.name,
        })
        .collect()
}

/// Names of every unit, by id.
async fn unit_names(app: &App, actor: &Actor) -> HashMap<i64, String> {
    app.list_units(actor, true)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect()
}

/// Units where the person holds one of `roles`, as select options.
fn units_with(actor: &Actor, roles: &[Role], names: &HashMap<i64, String>) -> Vec<UnitOption> {
    let mut out: Vec<UnitOption> = Vec::new();
    for m in &actor.memberships {
        if m.roles.iter().any(|r| roles.contains(r)) && !out.iter().any(|o| o.id == m.unit_id) {
            out.push(UnitOption {
                id: m.unit_id,
                label: names
                    .get(&m.unit_id)
                    .cloned()
                    .unwrap_or_else(|| format!("Đơn vị số {}", m.unit_id)),
            });
        }
    }
    out
}

const DRAFTERS: &[Role] = &[Role::Specialist, Role::Leader, Role::Clerk];

/// A register offered in a select: its name, kind and period.
pub struct RegisterOpt {
    pub id: i64,
    pub label: String,
    /// The register the app takes when none is named.
    pub default: bool,
}

/// The registers of one unit in the select of the registration form.
pub struct RegisterGroup {
    pub unit: String,
    pub options: Vec<RegisterOpt>,
}

/// Whether a register's period (`2026`, or a term `2025-2030`) covers `year`.
fn period_covers(period: &str, year: i32) -> bool {
    match period.split_once('-') {
        Some((a, b)) => {
            matches!((a.parse::<i32>(), b.parse::<i32>()), (Ok(a), Ok(b)) if a <= year && year <= b)
        }
        None => period.parse::<i32>() == Ok(year),
    }
}

/// The unit's registers that may number a document of `kind` today, among those the app shows the person (secret
/// ones only to people cleared for them): open, of a period that covers this year, secret or not as `secret` says
/// (either when `None`), with one series for every type or the type's own (`series`). In the app's order.
async fn open_registers(
    app: &App,
    actor: &Actor,
    unit_id: i64,
    kind: RegisterKind,
    secret: Option<bool>,
    series: Option<&str>,
) -> Vec<RegisterView> {
    let year = crate::app::views::current_local_year();
    app.list_registers(actor, unit_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| {
            r.active
                && r.kind == kind.code()
                && secret.is_none_or(|s| s == r.secret)
                && period_covers(&r.period, year)
                && r.series.as_deref().is_none_or(|s| Some(s) == series)
        })
        .collect()
}

/// "Sổ văn bản đến 2026 (sổ văn bản đến, năm 2026, mật)".
fn register_label(r: &RegisterView) -> String {
    let mut s = format!(
        "{} ({}, {} {}",
        r.name,
        r.kind_label.to_lowercase(),
        if r.period.contains('-') {
            "nhiệm kỳ"
        } else {
            "năm"
        },
        r.period
    );
    if r.secret {
        s.push_str(", mật");
    }
    if let Some(series) = &r.series {
        s.push_str(&format!(", riêng loại {series}"));
    }
    s.push(')');
    s
}

/// The abbreviation of the document's type in its unit's notation style (`QĐ`), which decides the series.
async fn type_abbr(app: &App, unit_id: i64, doc_type: Option<&str>) -> Option<String> {
    let code = doc_type?;
    let mut r = app.store.read().await.ok()?;
    let unit = r.unit(unit_id).await.ok()??;
    let t = r.document_type(code).await.ok()??;
    match crate::app::registers::style_of(unit.side) {
        NotationStyle::State => t.state_abbr,
        NotationStyle::Party => t.party_abbr,
    }
}

/// The registers the document page offers for registering an arrived document (`register`) or issuing a draft
/// (`issue`), the app's default marked; none when only one fits (the app takes it).
async fn register_choices(
    app: &App,
    actor: &Actor,
    d: &DocumentView,
    action: &str,
) -> Vec<RegisterOpt> {
    let secret = Some(d.secrecy.is_some());
    let (regs, series) = match action {
        "register" => (
            open_registers(app, actor, d.unit_id, RegisterKind::Incoming, secret, None).await,
            None,
        ),
        "issue" => {
            let kind = if d.direction == Direction::Internal.code() {
                RegisterKind::Internal
            } else {
                RegisterKind::Outgoing
            };
            let series = type_abbr(app, d.unit_id, d.doc_type.as_deref()).await;
            (
                open_registers(app, actor, d.unit_id, kind, secret, series.as_deref()).await,
                series,
            )
        }
        _ => return Vec::new(),
    };
    if regs.len() < 2 {
        return Vec::new();
    }
    // As the app chooses: the type's own series first, else the first register for every type.
    let default = regs
        .iter()
        .find(|r| r.series.is_some() && r.series == series)
        .or_else(|| regs.iter().find(|r| r.series.is_none()))
        .map(|r| r.id);
    regs.iter()
        .map(|r| RegisterOpt {
            id: r.id,
            label: register_label(r),
            default: Some(r.id) == default,
        })
        .collect()
}

/// A person in a select or a list of checkboxes.
pub struct PersonOpt {
    pub id: i64,
    pub name: String,
    /// Position and unit.
    pub detail: String,
}

/// Active people of the units, optionally only those with `role` there, without `exclude`, by name. Each person
/// once, described by their membership in the first of `units` where they fit. Two store reads whatever the
/// number of units: the memberships (of the one unit, or all of them) and the active people.
async fn people_in(
    app: &App,
    units: &[i64],
    role: Option<Role>,
    exclude: Option<i64>,
    unit_names: &HashMap<i64, String>,
) -> Result<Vec<PersonOpt>, AppError> {
    if units.is_empty() {
        return Ok(Vec::new());
    }
    let mut r = app.store.read().await?;
    let (memberships, people) = match units {
        [one] => (
            r.memberships_of_unit(*one).await?,
            r.people(&PeopleFilter {
                unit_id: Some(*one),
                include_inactive: false,
                limit: i64::MAX,
                ..PeopleFilter::default()
            })
            .await?,
        ),
        _ => (
            r.all_memberships().await?,
            r.people(&PeopleFilter {
                include_inactive: false,
                limit: i64::MAX,
                ..PeopleFilter::default()
            })
            .await?,
        ),
    };
    drop(r);
    let mut people: HashMap<i64, Person> = people.into_iter().map(|p| (p.id, p)).collect();
    // The place of each unit in `units` (its first place, should a unit be named twice).
    let mut place: HashMap<i64, usize> = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        place.entry(*u).or_insert(i);
    }
    // For each person, the membership in the first unit where they fit.
    let mut best: HashMap<i64, (usize, Membership)> = HashMap::new();
    for m in memberships {
        let Some(&at) = place.get(&m.unit_id) else {
            continue;
        };
        if role.is_some_and(|x| !m.roles.contains(&x))
            || Some(m.person_id) == exclude
            || !people.contains_key(&m.person_id)
            || best.get(&m.person_id).is_some_and(|(b, _)| *b <= at)
        {
            continue;
        }
        best.insert(m.person_id, (at, m));
    }
    let mut chosen: Vec<(usize, Membership)> = best.into_values().collect();
    chosen.sort_by_key(|(at, m)| (*at, m.person_id));
    let mut out: Vec<PersonOpt> = chosen
        .into_iter()
        .filter_map(|(_, m)| {
            let p = people.remove(&m.person_id)?;
            let unit = unit_names.get(&m.unit_id).cloned().unwrap_or_default();
            Some(PersonOpt {
                id: p.id,
                name: p.full_name,
                detail: match m.position {
                    Some(pos) if !pos.is_empty() => format!("{pos}, {unit}"),
                    _ => unit,
                },
            })
        })
        .collect();
    let key = |p: &PersonOpt| {
        let given = p.name.rsplit(' ').next().unwrap_or("").to_string();
        (
            vanthu_domain::text::fold_ascii(&given).to_lowercase(),
            vanthu_domain::text::fold_ascii(&p.name).to_lowercase(),
        )
    };
    out.sort_by_key(key);
    Ok(out)
}

/// The unit and every active unit below it.
fn subtree(tree: &Tree, unit_id: i64) -> Vec<i64> {
    tree.units
        .iter()
        .filter(|u| u.active && tree.ancestry(u.id).contains(&unit_id))
        .map(|u| u.id)
        .collect()
}

/// Full names of people, by id (an unknown id reads "Người dùng số N").
async fn person_names(app: &App, ids: impl IntoIterator<Item = i64>) -> HashMap<i64, String> {
    let mut out = HashMap::new();
    let Ok(mut r) = app.store.read().await else {
        return out;
    };
    for id in ids {
        if out.contains_key(&id) {
            continue;
        }
        let name = match r.person(id).await {
            Ok(Some(p)) => p.full_name,
            _ => format!("Người dùng số {id}"),
        };
        out.insert(id, name);
    }
    out
}

/// A document as the lists show it (never its content).
pub struct DocRow {
    pub id: i64,
    pub incoming: bool,
    pub urgent: bool,
    pub urgency_label: String,
    pub secrecy_label: String,
    /// Số đến of an incoming document, or the number given at issue.
    pub reg_number: String,
    pub notation: String,
    pub subject: String,
    /// The sender of an incoming document, the issuing unit of the others.
    pub from: String,
    pub date: String,
    pub deadline: String,
    pub overdue: bool,
    pub state: String,
    pub state_label: String,
    pub direction_label: String,
}

fn doc_row(d: &DocumentView, units: &HashMap<i64, String>) -> DocRow {
    let incoming = d.direction == Direction::Incoming.code();
    let unit = units.get(&d.unit_id).cloned().unwrap_or_default();
    DocRow {
        id: d.id,
        incoming,
        urgent: d.urgency != Urgency::Normal.code(),
        urgency_label: d.urgency_label.clone(),
        secrecy_label: d.secrecy_label.clone().unwrap_or_default(),
        reg_number: d.reg_number.map(|n| n.to_string()).unwrap_or_default(),
        notation: d.notation.clone().unwrap_or_default(),
        subject: d.subject.clone(),
        from: if incoming {
            d.author.clone().unwrap_or_default()
        } else {
            unit
        },
        date: match (&d.doc_date, &d.received_at) {
            (Some(dd), _) => date_vn(dd),
            (None, Some(r)) => day_of(r),
            _ => day_of(&d.created_at),
        },
        deadline: d.deadline.as_deref().map(date_vn).unwrap_or_default(),
        overdue: d.overdue,
        state: d.state.clone(),
        state_label: d.state_label.clone(),
        direction_label: d.direction_label.clone(),
    }
}

/// Where a list stands: "51–100 of 130" and the links to the pages around.
pub struct Pager {
    pub total: i64,
    /// The total is a lower bound (a long list counted up to a cap).
    pub more: bool,
    pub first: i64,
    pub last: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
}

fn pager(total: i64, page: i64, shown: usize, link: impl Fn(i64) -> String) -> Pager {
    let offset = (page - 1) * PAGE;
    let shown = shown as i64;
    Pager {
        total,
        more: false,
        first: if shown > 0 { offset + 1 } else { 0 },
        last: offset + shown,
        prev: (page > 1).then(|| link(page - 1)),
        next: (offset + shown < total).then(|| link(page + 1)),
    }
}

/// One of the person's queues with how many documents wait in it.
pub struct QueueLink {
    pub code: &'static str,
    pub label: &'static str,
    pub count: i64,
}

/// The queues of the person's roles with their counts (none when they cannot be counted).
pub async fn queue_links(app: &App, actor: &Actor) -> Vec<QueueLink> {
    app.queue_counts(actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(q, n)| QueueLink {
            code: q.code(),
            label: q.label(),
            count: n,
        })
        .collect()
}

/// What the home page shows about documents.
pub struct HomeDocs {
    pub queues: Vec<QueueLink>,
    /// Clerk somewhere: may register incoming documents.
    pub can_register: bool,
    /// Specialist, leader or clerk somewhere: may draft.
    pub can_draft: bool,
    /// Clerk or leader somewhere: may list the documents of a unit.
    pub can_list: bool,
    /// Late registrations, deadlines, units with nobody to receive.
    pub alerts: Vec<crate::app::documents::alerts::AlertView>,
}

pub async fn home_docs(app: &App, actor: &Actor) -> HomeDocs {
    let has = |roles: &[Role]| {
        actor
            .memberships
            .iter()
            .any(|m| m.roles.iter().any(|r| roles.contains(r)))
    };
    HomeDocs {
        queues: queue_links(app, actor).await,
        can_register: has(&[Role::Clerk]),
        can_draft: has(DRAFTERS),
        can_list: has(&[Role::Clerk, Role::Leader]),
        alerts: app.alerts(actor).await.unwrap_or_default(),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Queues and lists.

#[derive(Deserialize)]
pub struct PageQuery {
    q: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "doc_queue.html")]
struct QueueTpl {
    layout: Layout,
    code: &'static str,
    label: &'static str,
    /// The person holds a role that has this queue.
    has_queue: bool,
    rows: Vec<DocRow>,
    q: String,
    pager: Pager,
    home: HomeDocs,
}

/// `GET /documents/queues/{queue}`: one of the person's queues, newest first, 50 a page, with a search.
pub async fn queue(
    State(app): State<App>,
    user: WebUser,
    WebPath(code): WebPath<String>,
    WebQuery(params): WebQuery<PageQuery>,
) -> Result<Response, WebError> {
    let Ok(queue) = Queue::parse(&code) else {
        return Err(not_found(&user));
    };
    let q = params.q.as_deref().unwrap_or("").trim().to_string();
    let page = page_number(params.page.as_deref());
    let list = app
        .queue(&user.actor, queue, Some(&q), PAGE, (page - 1) * PAGE)
        .await
        .or_page(&user)?;
    let names = unit_names(&app, &user.actor).await;
    let rows: Vec<DocRow> = list.items.iter().map(|d| doc_row(d, &names)).collect();
    let base = format!("/documents/queues/{}", queue.code());
    let pager = pager(list.total, page, rows.len(), |p| {
        format!("{base}?q={}&page={p}", encode_query(&q))
    });
    let home = home_docs(&app, &user.actor).await;
    let t = QueueTpl {
        layout: Layout::new(&user, "documents"),
        code: queue.code(),
        label: queue.label(),
        has_queue: queue.filter(&user.actor).is_some(),
        rows,
        q,
        pager,
        home,
    };
    Ok(render(StatusCode::OK, &t))
}

#[derive(Deserialize)]
pub struct ListParams {
    unit_id: Option<String>,
    direction: Option<String>,
    state: Option<String>,
    q: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "doc_list.html")]
struct ListTpl {
    layout: Layout,
    /// No queue is the current one.
    code: &'static str,
    home: HomeDocs,
    units: Vec<UnitOption>,
    unit_id: i64,
    directions: Vec<Opt>,
    states: Vec<Opt>,
    direction: String,
    state: String,
    q: String,
    rows: Vec<DocRow>,
    pager: Pager,
}

/// `GET /documents`: the person's queues and, for clerks and leaders, every document of their unit with
/// filters.
pub async fn list(
    State(app): State<App>,
    user: WebUser,
    WebQuery(params): WebQuery<ListParams>,
) -> Result<Response, WebError> {
    let names = unit_names(&app, &user.actor).await;
    let units = units_with(&user.actor, &[Role::Clerk, Role::Leader], &names);
    let unit_id = params
        .unit_id
        .as_deref()
        .and_then(|u| u.trim().parse::<i64>().ok())
        .or_else(|| units.first().map(|u| u.id))
        .unwrap_or(0);
    let direction = params.direction.unwrap_or_default().trim().to_string();
    let state = params.state.unwrap_or_default().trim().to_string();
    let q = params.q.unwrap_or_default().trim().to_string();
    let page = page_number(params.page.as_deref());
    let mut layout = Layout::new(&user, "documents");
    let mut status = StatusCode::OK;
    let mut rows = Vec::new();
    let mut total = 0;
    let mut more = false;
    if unit_id > 0 {
        let query = ListQuery {
            unit_id,
            direction: opt(&direction),
            state: opt(&state),
            q: opt(&q),
            limit: PAGE,
            offset: (page - 1) * PAGE,
        };
        match app.unit_documents(&user.actor, &query).await {
            Ok(p) => {
                total = p.total;
                more = !p.total_exact;
                rows = p.items.iter().map(|d| doc_row(d, &names)).collect();
            }
            Err(e) => {
                status = status_of(&e);
                layout = layout.error(&e);
            }
        }
    }
    let mut pager = pager(total, page, rows.len(), |p| {
        format!(
            "/documents?unit_id={unit_id}&direction={}&state={}&q={}&page={p}",
            encode_query(&direction),
            encode_query(&state),
            encode_query(&q)
        )
    });
    pager.more = more;
    let t = ListTpl {
        layout,
        code: "",
        home: home_docs(&app, &user.actor).await,
        units,
        unit_id,
        directions: Direction::ALL
            .iter()
            .map(|d| Opt {
                code: d.code().into(),
                label: d.label().into(),
            })
            .collect(),
        states: DocState::ALL
            .iter()
            .map(|d| Opt {
                code: d.code().into(),
                label: d.label().into(),
            })
            .collect(),
        direction,
        state,
        q,
        rows,
        pager,
    };
    Ok(render(status, &t))
}

// ---------------------------------------------------------------------------------------------------------
// A document's page.

/// One line of the metadata table.
pub struct Fact {
    pub label: &'static str,
    pub value: String,
    /// A link for the value, or empty.
    pub href: String,
    /// `overdue` to show the value in red, or empty.
    pub class: &'static str,
}

pub struct FileRow {
    pub id: i64,
    pub kind_label: String,
    pub name: String,
    pub version: i64,
    pub size: String,
    pub sha256: String,
    pub sha_short: String,
    pub frozen: bool,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

fn size_text(n: i64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.0} KB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MB", n as f64 / 1024.0 / 1024.0).replace('.', ",")
    }
}

pub struct AssignRow {
    pub person: String,
    pub role_label: String,
    pub state: String,
    pub state_label: String,
    pub deadline: String,
    pub note: String,
    pub report: String,
    pub assigned_by: String,
    pub assigned_at: String,
    pub done_at: String,
}

pub struct ReviewRow {
    pub step: i64,
    pub mode_label: &'static str,
    pub person: String,
    pub decision: String,
    pub decision_label: String,
    pub comment: String,
    pub decided_at: String,
}

pub struct ReviewRound {
    pub round: i64,
    pub rows: Vec<ReviewRow>,
}

pub struct RecipientRow {
    pub name: String,
    pub code: String,
    pub channel_label: &'static str,
    pub status: String,
    pub status_label: String,
    pub note: String,
    pub updated_at: String,
}

pub struct CommentRow {
    pub person: String,
    pub body: String,
    pub at: String,
}

pub struct EventRow {
    pub at: String,
    pub actor: String,
    pub summary: String,
}

fn mode_label(mode: &str) -> &'static str {
    match mode {
        "all" => "Tất cả cùng đồng ý",
        "any" => "Một người đồng ý là đủ",
        "sign" => "Ký duyệt",
        _ => "Khác",
    }
}

fn recipient_channel_label(c: &str) -> &'static str {
    match c {
        "internal" => "Trong hệ thống",
        "axis" => "Trục liên thông",
        "paper" => "Bản giấy",
        _ => "Khác",
    }
}

/// The message after an action succeeded (`?done=`).
fn done_message(done: &str) -> &'static str {
    match done {
        "registered" | "register" => "Đã vào sổ văn bản đến.",
        "drafted" => "Đã lưu dự thảo. Kiểm tra lại rồi trình duyệt.",
        "edited" => "Đã lưu thay đổi của dự thảo. Kiểm tra lại rồi trình duyệt.",
        "reject" => "Đã từ chối tiếp nhận văn bản; nơi gửi được báo lý do.",
        "present" => "Đã trình văn bản.",
        "assign" => "Đã ghi ý kiến chỉ đạo và giao xử lý.",
        "progress" => "Đã ghi báo cáo tiến độ.",
        "complete" => "Đã ghi nhận hoàn thành phần việc của bạn.",
        "forward" => "Đã chuyển văn bản.",
        "submit" => "Đã trình duyệt dự thảo.",
        "withdraw" => "Đã rút lại dự thảo.",
        "approve" => "Đã ghi ý kiến đồng ý.",
        "returned" => "Đã trả lại dự thảo cho người soạn.",
        "return" => "Đã trả lại dự thảo cho người soạn để sửa thể thức.",
        "issue" => "Đã cấp số và ban hành văn bản.",
        "revoke" => "Đã thu hồi văn bản.",
        "comment" => "Đã gửi ý kiến.",
        "resend" => "Đã xếp gói tin vào hàng đợi gửi lại qua trục liên thông.",
        "attach" => "Đã thêm tệp.",
        _ => "",
    }
}

/// What the document page shows besides the document: the outcome of the last action, or the form that failed
/// with what was typed in it.
#[derive(Default)]
struct PageState {
    done: &'static str,
    /// The action whose form failed, or empty.
    failed: String,
    typed: FormData,
    /// Earlier documents a registration looks like (duplicate warning).
    duplicates: Vec<i64>,
}

#[derive(Template)]
#[template(path = "doc_show.html")]
struct ShowTpl {
    layout: Layout,
    d: DocumentView,
    unit_name: String,
    title: String,
    facts: Vec<Fact>,
    files: Vec<FileRow>,
    assignments: Vec<AssignRow>,
    rounds: Vec<ReviewRound>,
    recipients: Vec<RecipientRow>,
    packets: Vec<crate::app::exchange::PacketView>,
    arrival: Option<crate::app::exchange::ArrivalView>,
    comments: Vec<CommentRow>,
    replies: Vec<DocRow>,
    history: Vec<EventRow>,
    actions: Vec<String>,
    done: &'static str,
    failed: String,
    typed: FormData,
    duplicates: Vec<i64>,
    leaders: Vec<PersonOpt>,
    handlers: Vec<PersonOpt>,
    colleagues: Vec<PersonOpt>,
    file_kinds: Vec<Opt>,
    /// Registers to choose from when registering or issuing, when more than one fits (else empty).
    registers: Vec<RegisterOpt>,
    /// Incoming documents can be answered with a draft.
    can_reply: bool,
}

impl ShowTpl {
    fn can(&self, action: &str) -> bool {
        self.actions.iter().any(|a| a == action)
    }

    /// Whether the form of `action` failed: its error is shown next to it.
    fn failed_on(&self, action: &str) -> bool {
        self.failed == action
    }

    /// What was typed in a field of the form that failed ("" for the other forms).
    fn val(&self, action: &str, name: &str) -> &str {
        if self.failed == action {
            self.typed.get(name)
        } else {
            ""
        }
    }

    /// Actions of the side column (commenting has its own place, editing a draft its own page).
    fn side_actions(&self) -> bool {
        self.actions.iter().any(|a| a != "comment" && a != "edit")
    }

    /// The deadline the assignment form proposes: what was typed, or the document's.
    fn assign_deadline(&self) -> String {
        if self.failed == "assign" {
            self.typed.get("deadline").to_string()
        } else {
            self.d.deadline.clone().unwrap_or_default()
        }
    }

    /// Whether a register is the one selected in the form of `action`: the one chosen when the form failed, else
    /// the app's default.
    fn register_chosen(&self, action: &str, r: &RegisterOpt) -> bool {
        if self.failed == action && self.typed.has("register_id") {
            self.typed.get("register_id").trim() == r.id.to_string()
        } else {
            r.default
        }
    }

    /// Whether a checkbox or an option with value `id` was chosen in the form that failed.
    fn chose(&self, action: &str, name: &str, id: &i64) -> bool {
        self.failed == action && self.typed.all(name).iter().any(|v| *v == id.to_string())
    }
}

async fn doc_page(
    app: &App,
    user: &WebUser,
    id: i64,
    layout: Layout,
    state: PageState,
    status: StatusCode,
) -> Result<Response, WebError> {
    let actor = &user.actor;
    let detail = app.document_detail(actor, id).await.or_page(user)?;
    let events = app.document_history(actor, id).await.or_page(user)?;
    let d = detail.document;
    let incoming = d.direction == Direction::Incoming.code();
    let mut ids: Vec<i64> = vec![d.created_by];
    ids.extend(d.presented_to);
    ids.extend(d.signer_id);
    ids.extend(detail.files.iter().map(|f| f.uploaded_by));
    let who = person_names(app, ids).await;
    let name = |i: i64| who.get(&i).cloned().unwrap_or_default();
    let register_name = match d.register_id {
        Some(rid) => match app.store.read().await {
            Ok(mut r) => r
                .register(rid)
                .await
                .ok()
                .flatten()
                .map(|x| x.name)
                .unwrap_or_else(|| format!("Sổ số {rid}")),
            Err(_) => format!("Sổ số {rid}"),
        },
        None => String::new(),
    };

    let mut facts = Vec::new();
    let mut fact =
        |label: &'static str, value: Option<String>, href: String, class: &'static str| {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                facts.push(Fact {
                    label,
                    value,
                    href,
                    class,
                });
            }
        };
    let none = String::new;
    fact("Loại", Some(d.direction_label.clone()), none(), "");
    fact("Trạng thái", Some(d.state_label.clone()), none(), "");
    fact(
        "Đơn vị giữ văn bản",
        Some(detail.unit_name.clone()),
        format!("/units/{}", d.unit_id),
        "",
    );
    fact(
        "Loại văn bản",
        detail.doc_type_name.clone().or(d.doc_type.clone()),
        none(),
        "",
    );
    fact("Trích yếu nội dung", Some(d.subject.clone()), none(), "");
    if incoming {
        fact("Số đến", d.reg_number.map(|n| n.to_string()), none(), "num");
    }
    fact("Số, ký hiệu", d.notation.clone(), none(), "");
    fact(
        "Ngày văn bản",
        d.doc_date.as_deref().map(date_vn),
        none(),
        "",
    );
    fact("Cơ quan ban hành", d.author.clone(), none(), "");
    fact(
        "Mã định danh cơ quan ban hành",
        d.author_code.clone(),
        none(),
        "",
    );
    fact("Người ký", d.signer.clone(), none(), "");
    fact(
        "Người có thẩm quyền ký",
        d.signer_id.filter(|_| !incoming).map(name),
        none(),
        "",
    );
    fact("Số trang", d.pages.map(|n| n.to_string()), none(), "");
    fact("Số lượng bản", d.copies.map(|n| n.to_string()), none(), "");
    fact("Độ khẩn", Some(d.urgency_label.clone()), none(), "");
    fact(
        "Độ mật",
        Some(
            d.secrecy_label
                .clone()
                .unwrap_or_else(|| "Không mật".to_string()),
        ),
        none(),
        "",
    );
    fact(
        if incoming {
            "Hạn xử lý"
        } else {
            "Hạn trả lời"
        },
        d.deadline.as_deref().map(|dl| {
            if d.overdue {
                format!("{} (quá hạn)", date_vn(dl))
            } else {
                date_vn(dl)
            }
        }),
        none(),
        if d.overdue { "overdue" } else { "" },
    );
    fact(
        "Nguồn đến",
        d.channel.as_deref().map(|c| {
            Channel::parse(c)
                .map(|c| c.label().to_string())
                .unwrap_or_else(|_| c.to_string())
        }),
        none(),
        "",
    );
    fact(
        "Sổ văn bản",
        Some(register_name),
        d.register_id
            .map(|r| format!("/registers/{r}"))
            .unwrap_or_default(),
        "",
    );
    if !incoming {
        fact("Số", d.reg_number.map(|n| n.to_string()), none(), "num");
    }
    fact(
        "Ngày đến",
        d.received_at.as_deref().map(local_iso),
        none(),
        "",
    );
    fact(
        "Vào sổ lúc",
        d.registered_at.as_deref().map(local_iso),
        none(),
        "",
    );
    fact(
        "Ban hành lúc",
        d.issued_at.as_deref().map(local_iso),
        none(),
        "",
    );
    fact(
        "Trình",
        match (incoming, d.presented_to) {
            (true, Some(p)) => Some(name(p)),
            (true, None) if d.state == DocState::Presented.code() => {
                Some("Lãnh đạo đơn vị".to_string())
            }
            _ => None,
        },
        none(),
        "",
    );
    fact("Ý kiến chỉ đạo", d.direction_note.clone(), none(), "pre");
    fact(
        "Bản sao của",
        d.source_id
            .map(|s| format!("Văn bản số {s} của nơi gửi (chuyển trong hệ thống)")),
        none(),
        "",
    );
    fact(
        "Trả lời văn bản",
        d.reply_to_id.map(|r| format!("Văn bản số {r}")),
        d.reply_to_id
            .map(|r| format!("/documents/{r}"))
            .unwrap_or_default(),
        "",
    );
    fact(
        "Thay thế văn bản",
        d.replaces_id.map(|r| format!("Văn bản số {r}")),
        d.replaces_id
            .map(|r| format!("/documents/{r}"))
            .unwrap_or_default(),
        "",
    );
    fact(
        match d.state.as_str() {
            "rejected" => "Lý do từ chối",
            "revoked" => "Lý do thu hồi",
            _ => "Lý do trả lại",
        },
        d.reason.clone(),
        none(),
        "pre",
    );
    fact("Ghi chú", d.note.clone(), none(), "pre");
    fact("Người tạo", Some(name(d.created_by)), none(), "");
    fact("Tạo lúc", Some(local_iso(&d.created_at)), none(), "");
    fact("Cập nhật lúc", Some(local_iso(&d.updated_at)), none(), "");
    fact(
        "Mã văn bản trong hệ thống",
        Some(d.id.to_string()),
        none(),
        "",
    );

    let files = detail
        .files
        .iter()
        .map(|f| FileRow {
            id: f.id,
            kind_label: f.kind_label.clone(),
            name: f.name.clone(),
            version: f.version,
            size: size_text(f.size),
            sha256: f.sha256.clone(),
            sha_short: f.sha256.chars().take(12).collect(),
            frozen: f.frozen,
            uploaded_by: name(f.uploaded_by),
            uploaded_at: local_iso(&f.uploaded_at),
        })
        .collect();
    let assignments = detail
        .assignments
        .iter()
        .map(|a| AssignRow {
            person: a.person.full_name.clone(),
            role_label: a.role_label.clone(),
            state: a.state.clone(),
            state_label: a.state_label.clone(),
            deadline: a.deadline.as_deref().map(date_vn).unwrap_or_default(),
            note: a.note.clone().unwrap_or_default(),
            report: a.report.clone().unwrap_or_default(),
            assigned_by: a.assigned_by.full_name.clone(),
            assigned_at: local_iso(&a.assigned_at),
            done_at: a.done_at.as_deref().map(local_iso).unwrap_or_default(),
        })
        .collect();
    // Only the round under review still waits; a decision left pending in a round that ended was never asked.
    let open_round = (d.state == DocState::InReview.code())
        .then(|| detail.reviews.iter().map(|r| r.round).max())
        .flatten();
    let mut by_round: BTreeMap<i64, Vec<ReviewRow>> = BTreeMap::new();
    for r in &detail.reviews {
        let unasked = r.decision == "pending" && Some(r.round) != open_round;
        by_round.entry(r.round).or_default().push(ReviewRow {
            step: r.step + 1,
            mode_label: mode_label(&r.mode),
            person: r.person.full_name.clone(),
            decision: if unasked {
                "unasked".into()
            } else {
                r.decision.clone()
            },
            decision_label: if unasked {
                "Không đến lượt".into()
            } else {
                r.decision_label.clone()
            },
            comment: r.comment.clone().unwrap_or_default(),
            decided_at: r.decided_at.as_deref().map(local_iso).unwrap_or_default(),
        });
    }
    let rounds = by_round
        .into_iter()
        .rev()
        .map(|(round, mut rows)| {
            rows.sort_by_key(|r| r.step);
            ReviewRound { round, rows }
        })
        .collect();
    let recipients = detail
        .recipients
        .iter()
        .map(|r| RecipientRow {
            name: r.name.clone(),
            code: r.code.clone().unwrap_or_default(),
            channel_label: recipient_channel_label(&r.channel),
            status: r.status.clone(),
            status_label: r.status_label.clone(),
            note: r.note.clone().unwrap_or_default(),
            updated_at: local_iso(&r.updated_at),
        })
        .collect();
    let comments = detail
        .comments
        .iter()
        .map(|c| CommentRow {
            person: c.person.full_name.clone(),
            body: c.body.clone(),
            at: local_iso(&c.at),
        })
        .collect();
    let units = unit_names(app, actor).await;
    let replies = detail.replies.iter().map(|r| doc_row(r, &units)).collect();
    let history = events
        .into_iter()
        .map(|e| EventRow {
            at: e.at_local,
            actor: e.actor.map(|p| p.full_name).unwrap_or_default(),
            summary: e.summary,
        })
        .collect();

    // The people the forms offer: leaders to present to, handlers of the unit and the units below it,
    // colleagues to forward to.
    let can = |a: &str| detail.actions.iter().any(|x| x == a);
    let mut leaders = Vec::new();
    let mut handlers = Vec::new();
    let mut colleagues = Vec::new();
    if can("present") || can("assign") || can("forward") {
        let tree = Tree::new(app.list_units(actor, false).await.or_page(user)?);
        let below = subtree(&tree, d.unit_id);
        if can("present") {
            leaders = people_in(app, &[d.unit_id], Some(Role::Leader), None, &units)
                .await
                .or_page(user)?;
        }
        if can("assign") {
            handlers = people_in(app, &below, None, None, &units)
                .await
                .or_page(user)?;
        }
        if can("forward") {
            let mine: Vec<i64> = actor
                .memberships
                .iter()
                .map(|m| m.unit_id)
                .filter(|u| below.contains(u))
                .collect();
            colleagues = people_in(app, &mine, None, Some(actor.person_id), &units)
                .await
                .or_page(user)?;
        }
    }
    let registers = if can("register") {
        register_choices(app, actor, &d, "register").await
    } else if can("issue") {
        register_choices(app, actor, &d, "issue").await
    } else {
        Vec::new()
    };
    let title = match (&d.notation, d.reg_number, incoming) {
        (_, Some(n), true) => format!("Văn bản đến số {n}"),
        (Some(n), _, _) => format!("{} số {n}", d.direction_label),
        _ => d.direction_label.clone(),
    };
    let can_reply = incoming
        && !matches!(d.state.as_str(), "received" | "rejected" | "revoked")
        && actor
            .memberships
            .iter()
            .any(|m| m.unit_id == d.unit_id && m.roles.iter().any(|r| DRAFTERS.contains(r)));
    let t = ShowTpl {
        layout,
        unit_name: detail.unit_name,
        title,
        facts,
        files,
        assignments,
        rounds,
        recipients,
        packets: detail.exchange,
        arrival: detail.arrival,
        comments,
        replies,
        history,
        actions: detail.actions,
        done: state.done,
        failed: state.failed,
        typed: state.typed,
        duplicates: state.duplicates,
        leaders,
        handlers,
        colleagues,
        file_kinds: FileKind::ALL
            .iter()
            .map(|k| Opt {
                code: k.code().into(),
                label: k.label().into(),
            })
            .collect(),
        registers,
        can_reply,
        d,
    };
    Ok(render(status, &t))
}

#[derive(Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

/// `GET /documents/{id}`; a document the person may not see is an unknown page (404).
pub async fn show(
    State(app): State<App>,
    user: WebUser,
    WebPath(id): WebPath<String>,
    WebQuery(q): WebQuery<ShowQuery>,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &user)?;
    let state = PageState {
        done: done_message(q.done.as_deref().unwrap_or("")),
        ..PageState::default()
    };
    doc_page(
        &app,
        &user,
        id,
        Layout::new(&user, "documents"),
        state,
        StatusCode::OK,
    )
    .await
}

/// Shows the document page again with the error next to the form that failed; a document the person may not
/// see is an error page.
async fn failed(
    app: &App,
    user: &WebUser,
    id: i64,
    e: AppError,
    action: &str,
    typed: FormData,
) -> Result<Response, WebError> {
    if matches!(e, AppError::NotFound(_)) {
        return Err(WebError::new(user, e));
    }
    let duplicates = match &e {
        AppError::Duplicate { ids, .. } => ids.clone(),
        _ => vec![],
    };
    let status = status_of(&e);
    // A duplicate is explained next to the registration form, with links to the earlier documents.
    let layout = if duplicates.is_empty() {
        Layout::new(user, "documents").error(&e)
    } else {
        Layout::new(user, "documents")
    };
    let state = PageState {
        done: "",
        failed: action.to_string(),
        typed,
        duplicates,
    };
    doc_page(app, user, id, layout, state, status).await
}

fn id_of(f: &FormData, name: &str) -> Option<i64> {
    f.get(name).trim().parse::<i64>().ok().filter(|i| *i > 0)
}

fn ids_of(f: &FormData, name: &str) -> Vec<i64> {
    f.all(name)
        .iter()
        .filter_map(|v| v.trim().parse::<i64>().ok())
        .collect()
}

fn required_person(f: &FormData, name: &str, message: &str) -> Result<i64, AppError> {
    id_of(f, name).ok_or_else(|| AppError::Invalid {
        field: name.into(),
        message: message.into(),
    })
}

/// Further groups of a notation typed separated by spaces or commas.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// `POST /documents/{id}/{action}`: one of the actions the document page offers.
pub async fn act(
    State(app): State<App>,
    WebPath((id, action)): WebPath<(String, String)>,
    p: Posted,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &p.user)?;
    let f = &p.form;
    let a = &p.user.actor;
    let mut done = action.clone();
    let result: Result<(), AppError> = match action.as_str() {
        "register" => app
            .register_arrival(
                a,
                id,
                &RegisterArrivalInput {
                    register_id: id_of(f, "register_id"),
                    confirm_duplicate: f.has("confirm_duplicate"),
                },
            )
            .await
            .map(drop),
        "reject" => app.reject_incoming(a, id, f.get("reason")).await.map(drop),
        "present" => app
            .present(
                a,
                id,
                &PresentInput {
                    leader_id: id_of(f, "leader_id"),
                    note: opt(f.get("note")),
                },
            )
            .await
            .map(drop),
        "assign" => app
            .assign(
                a,
                id,
                &AssignInput {
                    direction: f.get("direction").to_string(),
                    lead: id_of(f, "lead"),
                    co: ids_of(f, "co"),
                    info: ids_of(f, "info"),
                    deadline: opt(f.get("deadline")),
                },
            )
            .await
            .map(drop),
        "progress" | "complete" => {
            let input = ReportInput {
                report: opt(f.get("report")),
            };
            if action == "progress" {
                app.progress(a, id, &input).await.map(drop)
            } else {
                app.complete(a, id, &input).await.map(drop)
            }
        }
        "forward" => match required_person(f, "person_id", "Chọn người nhận văn bản chuyển.")
        {
            Ok(person_id) => app
                .forward(
                    a,
                    id,
                    &ForwardInput {
                        person_id,
                        role: f.get("role").to_string(),
                        note: opt(f.get("note")),
                    },
                )
                .await
                .map(drop),
            Err(e) => Err(e),
        },
        "submit" => app.submit(a, id).await.map(drop),
        "withdraw" => app.withdraw(a, id).await.map(drop),
        "review" => {
            let decision = f.get("decision").to_string();
            done = if decision == "return" {
                "returned".into()
            } else {
                "approve".into()
            };
            app.review(
                a,
                id,
                &ReviewInput {
                    decision,
                    comment: opt(f.get("comment")),
                },
            )
            .await
            .map(drop)
        }
        "return" => app.return_draft(a, id, f.get("reason")).await.map(drop),
        "issue" => app
            .issue(
                a,
                id,
                &IssueInput {
                    register_id: id_of(f, "register_id"),
                    extra: words(f.get("extra")),
                },
            )
            .await
            .map(drop),
        "revoke" => app.revoke(a, id, f.get("reason")).await.map(drop),
        "comment" => app.comment(a, id, f.get("body")).await.map(drop),
        // Sends again a packet of this document that the axis refused.
        "resend" => match id_of(f, "packet_id") {
            Some(pid) => match app.document_detail(a, id).await {
                Ok(detail) if detail.exchange.iter().any(|x| x.id == pid) => {
                    app.exchange_retry(a, pid).await.map(drop)
                }
                Ok(_) => Err(AppError::NotFound(format!(
                    "Văn bản không có gói tin số {pid}."
                ))),
                Err(e) => Err(e),
            },
            None => Err(AppError::Invalid {
                field: "packet_id".into(),
                message: "Chọn gói tin cần gửi lại.".into(),
            }),
        },
        _ => return Err(not_found(&p.user)),
    };
    match result {
        Ok(()) => {
            let anchor = if action == "comment" { "#comments" } else { "" };
            Ok(see_other(&format!("/documents/{id}?done={done}{anchor}")))
        }
        Err(e) => failed(&app, &p.user, id, e, &action, p.form).await,
    }
}

// ---------------------------------------------------------------------------------------------------------
// Forms with files.

/// A file part of a form as sent: the name of its field, the file's name and its bytes.
struct Sent {
    field: String,
    name: String,
    bytes: axum::body::Bytes,
}

/// Reads a `multipart/form-data` form: its text fields and its files (a file input left empty is skipped),
/// then checks its CSRF token. A body that is not such a form, too large or without the right token is
/// answered with a page.
async fn read_multipart(
    user: &WebUser,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<(FormData, Vec<Sent>), Response> {
    let bad = |user: &WebUser| {
        WebError::new(user, AppError::BadRequest(String::new()))
            .kind(ErrorKind::BadForm)
            .into_response()
    };
    let too_large = |user: &WebUser| {
        WebError::new(
            user,
            AppError::TooLarge(format!(
                "Nội dung gửi lên lớn hơn giới hạn {} MB; mỗi tệp tối đa {} MB.",
                crate::server::BODY_LIMIT / 1024 / 1024,
                crate::app::documents::MAX_FILE_BYTES / 1024 / 1024
            )),
        )
        .into_response()
    };
    let mut mp = mp.map_err(|_| bad(user))?;
    let mut fields = Vec::new();
    let mut files = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large(user)),
            Err(_) => return Err(bad(user)),
        };
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        too_large(user)
                    } else {
                        bad(user)
                    }
                })?;
                if file_name.is_empty() && bytes.is_empty() {
                    continue;
                }
                if files.len() >= crate::app::documents::MAX_FILES {
                    return Err(WebError::new(
                        user,
                        AppError::Invalid {
                            field: "file".into(),
                            message: format!(
                                "Tối đa {} tệp mỗi lần gửi.",
                                crate::app::documents::MAX_FILES
                            ),
                        },
                    )
                    .into_response());
                }
                files.push(Sent {
                    field: name,
                    name: file_name,
                    bytes,
                });
            }
            None => {
                let v = field.text().await.map_err(|_| bad(user))?;
                fields.push((name, v));
            }
        }
    }
    let form = FormData(fields);
    if !same_secret(form.get("_csrf"), &user.csrf) {
        return Err(csrf_refused(Some(user)));
    }
    Ok((form, files))
}

/// The uploads of a form: fields `main`, `appendix`, `source`, or `file` with its kind in the field `kind`.
fn uploads(form: &FormData, sent: Vec<Sent>) -> Vec<Upload> {
    sent.into_iter()
        .map(|s| Upload {
            kind: match s.field.as_str() {
                "main" => FileKind::Main,
                "source" => FileKind::Source,
                "file" => FileKind::parse(form.get("kind")).unwrap_or(FileKind::Appendix),
                _ => FileKind::Appendix,
            },
            name: s.name,
            bytes: s.bytes,
        })
        .collect()
}

/// `POST /documents/{id}/files`: adds files to a document.
pub async fn attach(
    State(app): State<App>,
    user: WebUser,
    WebPath(id): WebPath<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &user)?;
    let (form, sent) = match read_multipart(&user, mp).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let up = uploads(&form, sent);
    match app.attach(&user.actor, id, up).await {
        Ok(_) => Ok(see_other(&format!("/documents/{id}?done=attach#files"))),
        Err(e) => failed(&app, &user, id, e, "attach", form).await,
    }
}

/// `GET /documents/{id}/files/{file_id}`: downloads a file of a document the person sees.
pub async fn download(
    State(app): State<App>,
    user: WebUser,
    WebPath((id, file_id)): WebPath<(String, String)>,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &user)?;
    let file_id = parse_id(&file_id, &user)?;
    let (f, bytes) = app
        .document_file(&user.actor, id, file_id)
        .await
        .or_page(&user)?;
    Ok(crate::api::documents::file_response(&f, bytes))
}

// ---------------------------------------------------------------------------------------------------------
// Registering an incoming document.

/// What the registration form shows: blanks or what the clerk typed.
#[derive(Debug, Clone, Default)]
pub struct IncomingForm {
    pub unit_id: i64,
    pub doc_type: String,
    pub subject: String,
    pub notation: String,
    pub doc_date: String,
    pub author: String,
    pub author_code: String,
    pub signer: String,
    pub pages: String,
    pub urgency: String,
    pub secrecy: String,
    pub deadline: String,
    pub channel: String,
    pub note: String,
    /// The register chosen, or 0 for the app's default (the unit's register of the year for the secrecy).
    pub register_id: i64,
    pub confirm_duplicate: bool,
}

impl IncomingForm {
    fn from_form(f: &FormData) -> IncomingForm {
        IncomingForm {
            unit_id: f.get("unit_id").trim().parse().unwrap_or(0),
            doc_type: f.get("doc_type").trim().to_string(),
            subject: f.get("subject").to_string(),
            notation: f.get("notation").trim().to_string(),
            doc_date: f.get("doc_date").trim().to_string(),
            author: f.get("author").to_string(),
            author_code: f.get("author_code").trim().to_string(),
            signer: f.get("signer").to_string(),
            pages: f.get("pages").trim().to_string(),
            urgency: f.get("urgency").to_string(),
            secrecy: f.get("secrecy").to_string(),
            deadline: f.get("deadline").trim().to_string(),
            channel: f.get("channel").to_string(),
            note: f.get("note").to_string(),
            register_id: f.get("register_id").trim().parse().unwrap_or(0),
            confirm_duplicate: f.has("confirm_duplicate"),
        }
    }

    fn input(&self) -> Result<IncomingInput, AppError> {
        Ok(IncomingInput {
            unit_id: self.unit_id,
            doc_type: opt(&self.doc_type),
            subject: self.subject.clone(),
            notation: opt(&self.notation),
            doc_date: opt(&self.doc_date),
            author: self.author.clone(),
            author_code: opt(&self.author_code),
            signer: opt(&self.signer),
            pages: count("pages", "Số trang", &self.pages)?,
            urgency: opt(&self.urgency),
            secrecy: opt(&self.secrecy),
            deadline: opt(&self.deadline),
            channel: opt(&self.channel),
            register_id: (self.register_id > 0).then_some(self.register_id),
            note: opt(&self.note),
            confirm_duplicate: self.confirm_duplicate,
        })
    }
}

/// An optional whole number typed in a form.
fn count(field: &str, label: &str, raw: &str) -> Result<Option<i64>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<i64>().map(Some).map_err(|_| AppError::Invalid {
        field: field.into(),
        message: format!("{label} phải là một số nguyên."),
    })
}

#[derive(Template)]
#[template(path = "doc_incoming_new.html")]
struct IncomingTpl {
    layout: Layout,
    form: IncomingForm,
    units: Vec<UnitOption>,
    doc_types: Vec<Opt>,
    urgencies: Vec<Opt>,
    secrecies: Vec<Opt>,
    channels: Vec<Opt>,
    /// Registers to choose from, by unit: only units where more than one register fits a document of the same
    /// secrecy (elsewhere the app takes the one there is).
    register_groups: Vec<RegisterGroup>,
    /// Earlier documents this one looks like (duplicate warning).
    duplicates: Vec<i64>,
    /// The form came back after files were chosen: they must be chosen again.
    had_files: bool,
    error_field: String,
}

async fn incoming_page(
    app: &App,
    user: &WebUser,
    mut form: IncomingForm,
    error: Option<AppError>,
    had_files: bool,
) -> Result<Response, WebError> {
    let names = unit_names(app, &user.actor).await;
    let units = units_with(&user.actor, &[Role::Clerk], &names);
    if units.is_empty() {
        return Err(WebError::new(
            user,
            AppError::Forbidden("Chỉ văn thư của đơn vị được vào sổ văn bản đến.".into()),
        ));
    }
    if form.unit_id == 0 {
        form.unit_id = units[0].id;
    }
    let mut layout = Layout::new(user, "documents");
    let mut status = StatusCode::OK;
    let mut duplicates = Vec::new();
    let mut error_field = String::new();
    if let Some(e) = &error {
        status = status_of(e);
        error_field = e.field().unwrap_or("").to_string();
        match e {
            // Explained above the form, with links to the earlier documents.
            AppError::Duplicate { ids, .. } => duplicates = ids.clone(),
            _ => layout = layout.error(e),
        }
    }
    let mut register_groups = Vec::new();
    for u in &units {
        let regs = open_registers(app, &user.actor, u.id, RegisterKind::Incoming, None, None).await;
        let choice = [false, true]
            .iter()
            .any(|s| regs.iter().filter(|r| r.secret == *s).count() > 1);
        if choice {
            register_groups.push(RegisterGroup {
                unit: u.label.clone(),
                options: regs
                    .iter()
                    .map(|r| RegisterOpt {
                        id: r.id,
                        label: register_label(r),
                        default: false,
                    })
                    .collect(),
            });
        }
    }
    let t = IncomingTpl {
        layout,
        form,
        units,
        register_groups,
        doc_types: doc_types(app).await,
        urgencies: urgencies(),
        secrecies: secrecies(&user.actor),
        channels: [Channel::Paper, Channel::Email, Channel::Axis]
            .iter()
            .map(|c| Opt {
                code: c.code().into(),
                label: c.label().into(),
            })
            .collect(),
        duplicates,
        had_files,
        error_field,
    };
    Ok(render(status, &t))
}

/// `GET /documents/incoming/new`: the clerk's form to register a received document.
pub async fn incoming_form(State(app): State<App>, user: WebUser) -> Result<Response, WebError> {
    let form = IncomingForm {
        urgency: Urgency::Normal.code().into(),
        channel: Channel::Paper.code().into(),
        ..IncomingForm::default()
    };
    incoming_page(&app, &user, form, None, false).await
}

/// `POST /documents/incoming/new`: registers the document with its files and gives its arrival number.
pub async fn incoming_create(
    State(app): State<App>,
    user: WebUser,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let (f, sent) = match read_multipart(&user, mp).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let form = IncomingForm::from_form(&f);
    let had_files = !sent.is_empty();
    let result = match form.input() {
        Ok(input) => {
            app.register_incoming(&user.actor, &input, uploads(&f, sent))
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(d) => Ok(see_other(&format!("/documents/{}?done=registered", d.id))),
        Err(e) => incoming_page(&app, &user, form, Some(e), had_files).await,
    }
}

// ---------------------------------------------------------------------------------------------------------
// Drafting an outgoing or internal document, and editing a draft.

/// Review steps the draft form offers at least (more when a draft's chain has more).
const FORM_STEPS: usize = 2;
/// Review steps read from a form at most (the use case refuses more than 10 with its own message).
const MAX_FORM_STEPS: usize = 20;

/// One review step of the draft form: how it decides (`all`, `any`) and who reviews.
#[derive(Debug, Clone, Default)]
pub struct StepForm {
    pub mode: String,
    pub people: Vec<i64>,
    /// Days the step has, as typed (empty: no limit).
    pub days: String,
}

/// What the draft form shows: blanks, a draft as it is, or what the drafter typed.
#[derive(Debug, Clone, Default)]
pub struct DraftForm {
    pub unit_id: i64,
    pub internal: bool,
    pub doc_type: String,
    pub subject: String,
    pub urgency: String,
    pub secrecy: String,
    pub signer_id: i64,
    /// Review steps in order (fields `step1_mode`, `step1`, `step2_mode`, `step2`…).
    pub steps: Vec<StepForm>,
    pub to_units: Vec<i64>,
    /// Outside recipients, one a line: `Tên | mã định danh | giấy`.
    pub outside: String,
    pub deadline: String,
    pub pages: String,
    pub copies: String,
    pub note: String,
    pub reply_to: String,
    /// The issued document the draft replaces: not offered on the form, kept as it is when a draft is edited.
    pub replaces: String,
}

impl DraftForm {
    fn from_form(f: &FormData) -> DraftForm {
        let mut steps = Vec::new();
        for n in 1..=MAX_FORM_STEPS {
            let (mode, people) = (format!("step{n}_mode"), format!("step{n}"));
            if !f.has(&mode) && !f.has(&people) {
                break;
            }
            steps.push(StepForm {
                mode: f.get(&mode).to_string(),
                people: ids_of(f, &people),
                days: f.get(&format!("step{n}_days")).trim().to_string(),
            });
        }
        DraftForm {
            unit_id: f.get("unit_id").trim().parse().unwrap_or(0),
            internal: f.has("internal"),
            doc_type: f.get("doc_type").trim().to_string(),
            subject: f.get("subject").to_string(),
            urgency: f.get("urgency").to_string(),
            secrecy: f.get("secrecy").to_string(),
            signer_id: f.get("signer_id").trim().parse().unwrap_or(0),
            steps,
            to_units: ids_of(f, "to_unit"),
            outside: f.get("outside").to_string(),
            deadline: f.get("deadline").trim().to_string(),
            pages: f.get("pages").trim().to_string(),
            copies: f.get("copies").trim().to_string(),
            note: f.get("note").to_string(),
            reply_to: f.get("reply_to").trim().to_string(),
            replaces: f.get("replaces").trim().to_string(),
        }
    }

    /// The form filled with a draft as it is: its metadata, its review chain and its recipients (outside ones
    /// written back in the form's `Tên | mã định danh | giấy` lines).
    fn of_draft(
        d: &DocumentView,
        plan: Vec<ReviewStepInput>,
        recipients: &[RecipientView],
    ) -> DraftForm {
        let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        let mut outside = String::new();
        for r in recipients.iter().filter(|r| r.unit_id.is_none()) {
            let code = r.code.as_deref().unwrap_or("");
            let line = match (r.channel.as_str(), code.is_empty()) {
                ("paper", true) => r.name.clone(),
                ("paper", false) => format!("{} | {code} | giấy", r.name),
                (_, true) => r.name.clone(),
                (_, false) => format!("{} | {code}", r.name),
            };
            outside.push_str(&line);
            outside.push('\n');
        }
        DraftForm {
            unit_id: d.unit_id,
            internal: d.direction == Direction::Internal.code(),
            doc_type: d.doc_type.clone().unwrap_or_default(),
            subject: d.subject.clone(),
            urgency: d.urgency.clone(),
            secrecy: d.secrecy.clone().unwrap_or_default(),
            signer_id: d.signer_id.unwrap_or(0),
            steps: plan
                .into_iter()
                .map(|s| StepForm {
                    mode: s.mode,
                    people: s.people,
                    days: s.days.map(|d| d.to_string()).unwrap_or_default(),
                })
                .collect(),
            to_units: recipients.iter().filter_map(|r| r.unit_id).collect(),
            outside,
            deadline: d.deadline.clone().unwrap_or_default(),
            pages: number(d.pages),
            copies: number(d.copies),
            note: d.note.clone().unwrap_or_default(),
            reply_to: number(d.reply_to_id),
            replaces: number(d.replaces_id),
        }
    }

    fn input(&self) -> Result<OutgoingInput, AppError> {
        if self.signer_id <= 0 {
            return Err(AppError::Invalid {
                field: "signer_id".into(),
                message: "Chọn người có thẩm quyền ký.".into(),
            });
        }
        let mut reviewers = Vec::new();
        for (i, s) in self.steps.iter().enumerate() {
            if s.people.is_empty() {
                continue;
            }
            let days = match s.days.as_str() {
                "" => None,
                t => Some(t.parse::<i64>().map_err(|_| AppError::Invalid {
                    field: "reviewers".into(),
                    message: format!(
                        "Thời hạn của bước duyệt {} phải là một số ngày, ví dụ 2 (đang là \"{t}\").",
                        i + 1
                    ),
                })?),
            };
            reviewers.push(ReviewStepInput {
                mode: if s.mode.is_empty() {
                    "all".into()
                } else {
                    s.mode.clone()
                },
                people: s.people.clone(),
                days,
            });
        }
        let mut recipients: Vec<RecipientInput> = self
            .to_units
            .iter()
            .map(|u| RecipientInput {
                unit_id: Some(*u),
                name: None,
                code: None,
                channel: None,
            })
            .collect();
        for (i, line) in self.outside.lines().enumerate() {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let name = parts.first().copied().unwrap_or("");
            if name.is_empty() {
                if parts.iter().any(|p| !p.is_empty()) {
                    return Err(AppError::Invalid {
                        field: "outside".into(),
                        message: format!("Dòng {} của nơi nhận bên ngoài thiếu tên.", i + 1),
                    });
                }
                continue;
            }
            let channel = match parts
                .get(2)
                .map(|c| vanthu_domain::text::fold_ascii(c).to_lowercase())
            {
                None => None,
                Some(c) if c.is_empty() => None,
                Some(c) if c == "giay" || c == "paper" || c == "ban giay" => {
                    Some("paper".to_string())
                }
                Some(c) if c == "truc" || c == "axis" || c == "truc lien thong" => {
                    Some("axis".to_string())
                }
                Some(_) => {
                    return Err(AppError::Invalid {
                        field: "outside".into(),
                        message: format!(
                            "Dòng {} của nơi nhận bên ngoài: cách gửi ghi \"giấy\" hoặc \"trục\".",
                            i + 1
                        ),
                    });
                }
            };
            recipients.push(RecipientInput {
                unit_id: None,
                name: Some(name.to_string()),
                code: parts.get(1).and_then(|c| opt(c)),
                channel,
            });
        }
        Ok(OutgoingInput {
            unit_id: self.unit_id,
            internal: self.internal,
            doc_type: self.doc_type.clone(),
            subject: self.subject.clone(),
            urgency: opt(&self.urgency),
            secrecy: opt(&self.secrecy),
            signer_id: Some(self.signer_id),
            flow_id: None,
            reviewers,
            recipients,
            reply_to_id: id_of_text(&self.reply_to),
            replaces_id: id_of_text(&self.replaces),
            deadline: opt(&self.deadline),
            pages: count("pages", "Số trang", &self.pages)?,
            copies: count("copies", "Số lượng bản", &self.copies)?,
            note: opt(&self.note),
        })
    }
}

fn id_of_text(s: &str) -> Option<i64> {
    s.trim().parse::<i64>().ok().filter(|i| *i > 0)
}

/// A person or a unit offered with a checkbox.
pub struct Pick {
    pub id: i64,
    pub name: String,
    pub detail: String,
    pub checked: bool,
}

/// One review step of the draft form.
pub struct StepView {
    pub n: i64,
    /// One approval is enough (otherwise every person chosen approves).
    pub any: bool,
    pub people: Vec<Pick>,
    /// Days the step has, as typed or stored.
    pub days: String,
}

#[derive(Template)]
#[template(path = "doc_draft_new.html")]
struct DraftTpl {
    layout: Layout,
    form: DraftForm,
    /// The draft being edited, or 0 for a new draft.
    edit_id: i64,
    /// Units where the person may draft.
    units: Vec<UnitOption>,
    unit_name: String,
    doc_types: Vec<Opt>,
    urgencies: Vec<Opt>,
    secrecies: Vec<Opt>,
    signers: Vec<PersonOpt>,
    steps: Vec<StepView>,
    /// Units of the installation that may receive it (indented), without the drafting unit.
    targets: Vec<Pick>,
    had_files: bool,
    error_field: String,
}

impl DraftTpl {
    /// Where the form is sent.
    fn action(&self) -> String {
        if self.edit_id > 0 {
            format!("/documents/{}/edit", self.edit_id)
        } else {
            "/documents/outgoing/new".into()
        }
    }
}

/// The draft form: a new draft of one of the person's units, or (`edit`) the draft with that id, whose unit and
/// kind stay as they are.
async fn draft_page(
    app: &App,
    user: &WebUser,
    mut form: DraftForm,
    error: Option<AppError>,
    had_files: bool,
    edit: Option<i64>,
) -> Result<Response, WebError> {
    let actor = &user.actor;
    let names = unit_names(app, actor).await;
    let units = units_with(actor, DRAFTERS, &names);
    let Some(first) = units.first() else {
        return Err(WebError::new(
            user,
            AppError::Forbidden(
                "Chỉ chuyên viên, lãnh đạo và văn thư của đơn vị được soạn văn bản.".into(),
            ),
        ));
    };
    if edit.is_none() && !units.iter().any(|u| u.id == form.unit_id) {
        form.unit_id = first.id;
    }
    let unit_id = form.unit_id;
    let tree = Tree::new(app.list_units(actor, false).await.or_page(user)?);
    let below = subtree(&tree, unit_id);
    let signers = people_in(app, &[unit_id], Some(Role::Leader), None, &names)
        .await
        .or_page(user)?;
    let reviewers = people_in(app, &below, None, Some(actor.person_id), &names)
        .await
        .or_page(user)?;
    let targets = tree
        .all_options()
        .into_iter()
        .filter(|o| o.id != unit_id && tree.get(o.id).is_some_and(|u| u.active))
        .map(|o| Pick {
            checked: form.to_units.contains(&o.id),
            id: o.id,
            name: o.label,
            detail: String::new(),
        })
        .collect();
    let blank = StepForm::default();
    let steps = (0..form.steps.len().max(FORM_STEPS))
        .map(|i| {
            let s = form.steps.get(i).unwrap_or(&blank);
            StepView {
                n: i as i64 + 1,
                any: s.mode == "any",
                days: s.days.clone(),
                people: reviewers
                    .iter()
                    .map(|p| Pick {
                        id: p.id,
                        name: p.name.clone(),
                        detail: p.detail.clone(),
                        checked: s.people.contains(&p.id),
                    })
                    .collect(),
            }
        })
        .collect();
    let mut layout = Layout::new(user, "documents");
    let mut status = StatusCode::OK;
    let mut error_field = String::new();
    if let Some(e) = &error {
        status = status_of(e);
        layout = layout.error(e);
        error_field = e.field().unwrap_or("").to_string();
    }
    let t = DraftTpl {
        layout,
        unit_name: names.get(&unit_id).cloned().unwrap_or_default(),
        form,
        edit_id: edit.unwrap_or(0),
        units,
        doc_types: doc_types(app).await,
        urgencies: urgencies(),
        secrecies: secrecies(actor),
        signers,
        steps,
        targets,
        had_files,
        error_field,
    };
    Ok(render(status, &t))
}

#[derive(Deserialize)]
pub struct DraftQuery {
    unit_id: Option<String>,
    reply_to: Option<String>,
}

/// `GET /documents/outgoing/new?unit_id=&reply_to=`: the form to draft a document of one of the person's
/// units (the unit decides who may sign and review).
pub async fn draft_form(
    State(app): State<App>,
    user: WebUser,
    WebQuery(q): WebQuery<DraftQuery>,
) -> Result<Response, WebError> {
    let form = DraftForm {
        unit_id: q
            .unit_id
            .as_deref()
            .and_then(|u| u.trim().parse().ok())
            .unwrap_or(0),
        urgency: Urgency::Normal.code().into(),
        steps: vec![
            StepForm {
                mode: "all".into(),
                ..StepForm::default()
            };
            FORM_STEPS
        ],
        reply_to: q
            .reply_to
            .as_deref()
            .and_then(id_of_text)
            .map(|i| i.to_string())
            .unwrap_or_default(),
        ..DraftForm::default()
    };
    draft_page(&app, &user, form, None, false, None).await
}

/// `POST /documents/outgoing/new`: saves the draft with its files.
pub async fn draft_create(
    State(app): State<App>,
    user: WebUser,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let (f, sent) = match read_multipart(&user, mp).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let form = DraftForm::from_form(&f);
    let had_files = !sent.is_empty();
    let result = match form.input() {
        Ok(input) => {
            app.create_draft(&user.actor, &input, uploads(&f, sent))
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(d) => Ok(see_other(&format!("/documents/{}?done=drafted", d.id))),
        Err(e) => draft_page(&app, &user, form, Some(e), had_files, None).await,
    }
}

/// Whether the app lets the person edit the document now (its allowed actions say `edit`).
fn may_edit(detail: &DocumentDetail) -> bool {
    detail.actions.iter().any(|a| a == "edit")
}

/// Why the person may not edit the document, once the app's allowed actions said so.
fn edit_refused(detail: &DocumentDetail) -> AppError {
    let d = &detail.document;
    if d.state == DocState::Draft.code() {
        AppError::Forbidden("Chỉ người soạn được sửa dự thảo này.".into())
    } else if detail.actions.iter().any(|a| a == "withdraw") {
        AppError::Conflict(format!(
            "Dự thảo đang ở trạng thái \"{}\": hãy rút lại dự thảo trước khi sửa.",
            d.state_label
        ))
    } else {
        AppError::Conflict(format!(
            "Chỉ sửa được dự thảo chưa trình duyệt; văn bản đang ở trạng thái \"{}\".",
            d.state_label
        ))
    }
}

/// The review chain a draft keeps until it is submitted (read once the app has let the person edit it).
async fn review_plan(app: &App, id: i64) -> Result<Vec<ReviewStepInput>, AppError> {
    let d = app.store.read().await?.document(id).await?;
    match d.and_then(|d| d.review_plan) {
        Some(plan) => serde_json::from_str(&plan).map_err(|e| AppError::Internal(e.to_string())),
        None => Ok(Vec::new()),
    }
}

/// `GET /documents/{id}/edit`: the draft form filled with the draft as it is, for its drafter while it is a
/// draft; anyone else gets the error page.
pub async fn edit_form(
    State(app): State<App>,
    user: WebUser,
    WebPath(id): WebPath<String>,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &user)?;
    let detail = app.document_detail(&user.actor, id).await.or_page(&user)?;
    if !may_edit(&detail) {
        return Err(WebError::new(&user, edit_refused(&detail)));
    }
    let plan = review_plan(&app, id).await.or_page(&user)?;
    let form = DraftForm::of_draft(&detail.document, plan, &detail.recipients);
    draft_page(&app, &user, form, None, false, Some(id)).await
}

/// `POST /documents/{id}/edit`: saves the draft's metadata, chain and recipients through the same use case as
/// `PUT /api/v1/outgoing/{id}`, then adds the files sent (a new main file is the next version). The files are
/// checked before anything is saved, so bad input changes nothing; the form comes back with what was typed.
pub async fn edit_save(
    State(app): State<App>,
    user: WebUser,
    WebPath(id): WebPath<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &user)?;
    let (f, sent) = match read_multipart(&user, mp).await {
        Ok(x) => x,
        Err(r) => return Ok(r),
    };
    let form = DraftForm::from_form(&f);
    let had_files = !sent.is_empty();
    let files = uploads(&f, sent);
    let result = match (form.input(), check_uploads(&files)) {
        (Ok(input), Ok(_)) => app.update_draft(&user.actor, id, &input).await.map(drop),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    if let Err(e) = result {
        // The form again while the person may still edit the draft; otherwise only the error.
        return match app.document_detail(&user.actor, id).await {
            Ok(detail) if may_edit(&detail) => {
                draft_page(&app, &user, form, Some(e), had_files, Some(id)).await
            }
            Ok(detail) if e.status() == 422 => Err(WebError::new(&user, edit_refused(&detail))),
            Ok(_) => Err(WebError::new(&user, e)),
            Err(unseen) => Err(WebError::new(&user, unseen)),
        };
    }
    if !files.is_empty()
        && let Err(e) = app.attach(&user.actor, id, files).await
    {
        // The draft is saved; the files are not: the document page says both, the file form open.
        let state = PageState {
            done: done_message("edited"),
            failed: "attach".into(),
            typed: f,
            duplicates: Vec::new(),
        };
        let layout = Layout::new(&user, "documents").error(&e);
        return doc_page(&app, &user, id, layout, state, status_of(&e)).await;
    }
    Ok(see_other(&format!("/documents/{id}?done=edited")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_recipients_are_read_line_by_line() {
        let f = DraftForm {
            signer_id: 3,
            outside: "Bộ Nội vụ | 000.00.00.G10\n\n  Báo Nhân Dân | | giấy \n".into(),
            to_units: vec![7],
            ..DraftForm::default()
        };
        let i = f.input().unwrap();
        assert_eq!(i.recipients.len(), 3);
        assert_eq!(i.recipients[0].unit_id, Some(7));
        assert_eq!(i.recipients[1].name.as_deref(), Some("Bộ Nội vụ"));
        assert_eq!(i.recipients[1].code.as_deref(), Some("000.00.00.G10"));
        assert_eq!(i.recipients[1].channel, None);
        assert_eq!(i.recipients[2].code, None);
        assert_eq!(i.recipients[2].channel.as_deref(), Some("paper"));
        let bad = DraftForm {
            signer_id: 3,
            outside: "X | 1 | bồ câu".into(),
            ..DraftForm::default()
        };
        assert!(bad.input().is_err());
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(size_text(500), "500 B");
        assert_eq!(size_text(2048), "2 KB");
        assert_eq!(size_text(3 * 1024 * 1024 + 200_000), "3,2 MB");
    }
}

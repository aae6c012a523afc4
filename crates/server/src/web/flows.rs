//! A unit's processing flows (luồng xử lý): the list with the system templates to copy and the form that
//! imports a flow file, a flow's page with its definition in words, its versions, the export file and the
//! form that saves a new version. The use cases decide who may do what; the pages only leave out the forms
//! of those who may not use them.

use super::{
    ErrorKind, FormData, Layout, Notice, OrPage, Posted, WebError, WebPath, WebUser, csrf_refused,
    local_iso, parse_id, render, same_secret, see_other, status_of,
};
use crate::App;
use crate::app::flows::{FlowDetail, FlowInput, FlowUpdate, FlowView};
use crate::app::views::UnitView;
use crate::error::AppError;
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::{HashMap, HashSet};
use vanthu_domain::Role;
use vanthu_domain::access::Actor;
use vanthu_domain::document::StepMode;
use vanthu_domain::flow::{Assignee, FlowDef, FlowStep};
use vanthu_store::PeopleFilter;

/// Blank step rows the edit form offers after the flow's steps.
const BLANK_ROWS: usize = 2;
/// Most step rows a posted form is read for (the flow itself takes at most 10 steps).
const MAX_ROWS: usize = 30;
/// Largest flow file taken by the import form.
const MAX_FILE: usize = 1024 * 1024;

/// The roles a step, the signer or the presentation may go to: those that receive documents.
const ROLES: [Role; 3] = [Role::Leader, Role::Specialist, Role::Clerk];

// ---------------------------------------------------------------------------------------------------------
// Definitions in words.

/// Names of the people flows name, by id.
#[derive(Default)]
struct Names(HashMap<i64, String>);

impl Names {
    async fn add(&mut self, app: &App, actor: &Actor, ids: Vec<i64>) {
        for id in ids {
            if self.0.contains_key(&id) {
                continue;
            }
            let name = app
                .get_person(actor, id)
                .await
                .map(|p| p.full_name)
                .unwrap_or_else(|_| format!("Người dùng số {id}"));
            self.0.insert(id, name);
        }
    }

    fn of(&self, id: i64) -> String {
        self.0
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("Người dùng số {id}"))
    }
}

fn assignee_people(a: &Assignee) -> Vec<i64> {
    a.person
        .into_iter()
        .chain(a.group.iter().flatten().copied())
        .collect()
}

/// Everyone a definition names by id.
fn def_people(d: &FlowDef) -> Vec<i64> {
    d.present_to
        .iter()
        .chain(d.signer.iter())
        .chain(d.steps.iter().map(|s| &s.assignee))
        .flat_map(assignee_people)
        .collect()
}

fn role_label(code: &str) -> String {
    Role::parse(code)
        .map(|r| r.label().to_string())
        .unwrap_or_else(|_| code.to_string())
}

/// "Lãnh đạo đơn vị", "Lãnh đạo các đơn vị cấp dưới", a person's name, "Nhóm: A, B".
fn who_text(a: &Assignee, names: &Names) -> String {
    match (&a.role, a.person, &a.group) {
        (Some(r), _, _) if a.below => format!("{} các đơn vị cấp dưới", role_label(r)),
        (Some(r), _, _) => format!("{} đơn vị", role_label(r)),
        (None, Some(p), _) => names.of(p),
        (None, None, Some(g)) => format!(
            "Nhóm: {}",
            g.iter()
                .map(|p| names.of(*p))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (None, None, None) => "Chưa xác định".into(),
    }
}

fn mode_text(m: StepMode) -> &'static str {
    match m {
        StepMode::All => "Tất cả cùng đồng ý",
        StepMode::Any => "Một người đồng ý là đủ",
    }
}

fn days_text(d: Option<i64>) -> String {
    d.map(|n| format!("{n} ngày")).unwrap_or_default()
}

/// A step as the flow page shows it.
pub struct StepText {
    pub name: String,
    pub who: String,
    pub mode: &'static str,
    pub days: String,
}

/// A definition in words.
pub struct DefText {
    pub incoming: bool,
    pub present_to: String,
    pub deadline: String,
    pub steps: Vec<StepText>,
    pub signer: String,
}

impl DefText {
    fn new(kind: &str, d: &FlowDef, names: &Names) -> DefText {
        DefText {
            incoming: kind == "incoming",
            present_to: d
                .present_to
                .as_ref()
                .map(|a| who_text(a, names))
                .unwrap_or_else(|| "Không chỉ định (lãnh đạo đơn vị phân công)".into()),
            deadline: d
                .deadline_days
                .map(|n| format!("{n} ngày kể từ khi văn bản đến"))
                .unwrap_or_else(|| "Không đặt".into()),
            steps: d
                .steps
                .iter()
                .map(|s| StepText {
                    name: s.name.clone(),
                    who: who_text(&s.assignee, names),
                    mode: mode_text(s.mode),
                    days: days_text(s.deadline_days),
                })
                .collect(),
            signer: d
                .signer
                .as_ref()
                .map(|a| who_text(a, names))
                .unwrap_or_else(|| "Chưa xác định".into()),
        }
    }

    /// One line: "Trình Lãnh đạo đơn vị; hạn xử lý 7 ngày" or "Thẩm định nội dung (…) → ký: Lãnh đạo đơn vị".
    fn summary(&self) -> String {
        if self.incoming {
            return format!(
                "Trình: {}; hạn xử lý mặc định: {}",
                self.present_to, self.deadline
            );
        }
        let steps = self
            .steps
            .iter()
            .map(|s| {
                let days = if s.days.is_empty() {
                    String::new()
                } else {
                    format!(", {}", s.days)
                };
                format!("{} ({}{days})", s.name, s.who)
            })
            .collect::<Vec<_>>();
        if steps.is_empty() {
            format!("Không có bước duyệt; ký: {}", self.signer)
        } else {
            format!("{} → ký: {}", steps.join(" → "), self.signer)
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// The list of a unit's flows.

/// A flow of the unit as the list shows it.
pub struct FlowRow {
    pub id: i64,
    pub name: String,
    pub kind_label: String,
    pub active: bool,
    /// The flow new documents of its kind follow: the newest active one.
    pub in_force: bool,
    pub version: i64,
    pub updated_at: String,
    pub updated_by: String,
    pub summary: String,
}

/// A system template as the list shows it.
pub struct TemplateRow {
    pub id: i64,
    pub name: String,
    pub kind_label: String,
    pub summary: String,
}

/// Ids of the flows in force: per kind, the newest active flow (as [`crate::app::flows`] picks it).
fn in_force(flows: &[FlowView]) -> HashSet<i64> {
    let mut by_kind: HashMap<&str, i64> = HashMap::new();
    for f in flows.iter().filter(|f| f.active) {
        by_kind.insert(&f.kind, f.id);
    }
    by_kind.into_values().collect()
}

#[derive(Template)]
#[template(path = "flows.html")]
struct FlowsTpl {
    layout: Layout,
    unit: UnitView,
    flows: Vec<FlowRow>,
    templates: Vec<TemplateRow>,
    can_change: bool,
    /// Which form failed: `copy` or `import`, and its message.
    failed: &'static str,
    error: String,
}

async fn list_page(
    app: &App,
    user: &WebUser,
    unit_id: i64,
    layout: Layout,
    failed: (&'static str, String),
    status: StatusCode,
) -> Result<Response, WebError> {
    let unit = app.get_unit(&user.actor, unit_id).await.or_page(user)?;
    let flows = app.unit_flows(&user.actor, unit_id).await.or_page(user)?;
    let templates = app.flow_templates().await.or_page(user)?;
    let can_change = app
        .may_change_flows(&user.actor, unit_id)
        .await
        .or_page(user)?;
    let mut details = Vec::with_capacity(flows.len());
    for f in &flows {
        details.push(app.flow_detail(&user.actor, f.id).await.or_page(user)?);
    }
    let mut names = Names::default();
    let named: Vec<i64> = details
        .iter()
        .flat_map(|d| {
            let by = d.versions.iter().filter_map(|v| v.created_by);
            by.chain(def_people(&d.flow.definition))
        })
        .collect();
    names.add(app, &user.actor, named).await;
    let force = in_force(&flows);
    let rows = details
        .into_iter()
        .map(|d| {
            let current = d
                .versions
                .iter()
                .find(|v| v.version == d.flow.current_version);
            let f = d.flow;
            FlowRow {
                id: f.id,
                summary: DefText::new(&f.kind, &f.definition, &names).summary(),
                kind_label: f.kind_label,
                active: f.active,
                in_force: force.contains(&f.id),
                version: f.current_version,
                updated_at: current
                    .map(|v| local_iso(&v.created_at))
                    .unwrap_or_default(),
                updated_by: current
                    .and_then(|v| v.created_by)
                    .map(|p| names.of(p))
                    .unwrap_or_default(),
                name: f.name,
            }
        })
        .collect();
    let templates = templates
        .into_iter()
        .map(|t| TemplateRow {
            id: t.id,
            summary: DefText::new(&t.kind, &t.definition, &names).summary(),
            name: t.name,
            kind_label: t.kind_label,
        })
        .collect();
    let (which, error) = failed;
    Ok(render(
        status,
        &FlowsTpl {
            layout,
            unit,
            flows: rows,
            templates,
            can_change,
            failed: which,
            error,
        },
    ))
}

/// `GET /units/{id}/flows`.
pub async fn list(
    State(app): State<App>,
    user: WebUser,
    notice: Notice,
    WebPath(id): WebPath<String>,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &user)?;
    let layout = Layout::new(&user, "units").notice(notice);
    list_page(&app, &user, id, layout, ("", String::new()), StatusCode::OK).await
}

/// Shows the list again with the error next to the form that failed; a refusal or an unknown unit is an
/// error page.
async fn list_failed(
    app: &App,
    user: &WebUser,
    unit_id: i64,
    e: AppError,
    which: &'static str,
) -> Result<Response, WebError> {
    if matches!(e, AppError::NotFound(_) | AppError::Forbidden(_)) {
        return Err(WebError::new(user, e));
    }
    let layout = Layout::new(user, "units");
    let status = status_of(&e);
    let failed = (which, e.to_string());
    list_page(app, user, unit_id, layout, failed, status).await
}

/// The error of a form that does not even read as input for the use case: who may not change the unit's
/// flows hears that first, as the use case would have answered.
async fn refused_first(app: &App, user: &WebUser, unit_id: i64, e: AppError) -> AppError {
    match app.may_change_flows(&user.actor, unit_id).await {
        Ok(true) => e,
        Ok(false) => AppError::forbidden_admin(),
        Err(other) => other,
    }
}

/// `POST /units/{id}/flows`: an administrator copies a system template into the unit.
pub async fn copy(
    State(app): State<App>,
    WebPath(id): WebPath<String>,
    p: Posted,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &p.user)?;
    let template_id = p.form.get("template_id").trim().parse::<i64>().ok();
    let input = FlowInput {
        kind: None,
        name: None,
        template_id,
        definition: None,
    };
    let result = match template_id {
        Some(_) => app.create_flow(&p.user.actor, id, &input).await,
        None => {
            let e = AppError::Invalid {
                field: "template_id".into(),
                message: "Chọn luồng mẫu để sao chép.".into(),
            };
            Err(refused_first(&app, &p.user, id, e).await)
        }
    };
    match result {
        Ok(f) => Ok(see_other(&format!(
            "/units/{id}/flows/{}?notice=created",
            f.id
        ))),
        Err(e) => list_failed(&app, &p.user, id, e, "copy").await,
    }
}

/// `POST /units/{id}/flows/import`: an administrator imports a `vanthu-flow` file into the unit.
pub async fn import(
    State(app): State<App>,
    user: WebUser,
    WebPath(id): WebPath<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &user)?;
    let bad = |user: &WebUser| {
        WebError::new(user, AppError::BadRequest(String::new())).kind(ErrorKind::BadForm)
    };
    let too_large = |user: &WebUser| {
        WebError::new(
            user,
            AppError::TooLarge(format!("Tệp luồng lớn hơn {} MB.", MAX_FILE / 1024 / 1024)),
        )
    };
    let mut mp = mp.map_err(|_| bad(&user))?;
    let (mut csrf, mut bytes) = (String::new(), Vec::new());
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large(&user)),
            Err(_) => return Err(bad(&user)),
        };
        match field.name().unwrap_or("") {
            "file" => {
                bytes = field
                    .bytes()
                    .await
                    .map_err(|e| {
                        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                            too_large(&user)
                        } else {
                            bad(&user)
                        }
                    })?
                    .to_vec();
            }
            "_csrf" => csrf = field.text().await.map_err(|_| bad(&user))?,
            _ => {}
        }
    }
    if !same_secret(&csrf, &user.csrf) {
        return Ok(csrf_refused(Some(&user)));
    }
    let result = if bytes.len() > MAX_FILE {
        Err(AppError::TooLarge(format!(
            "Tệp luồng lớn hơn {} MB.",
            MAX_FILE / 1024 / 1024
        )))
    } else if bytes.is_empty() {
        let e = AppError::Invalid {
            field: "file".into(),
            message: "Chưa chọn tệp luồng để nhập, hoặc tệp rỗng.".into(),
        };
        Err(refused_first(&app, &user, id, e).await)
    } else {
        app.import_flow(&user.actor, id, &bytes).await
    };
    match result {
        Ok(f) => Ok(see_other(&format!(
            "/units/{id}/flows/{}?notice=created",
            f.id
        ))),
        Err(e) => list_failed(&app, &user, id, e, "import").await,
    }
}

// ---------------------------------------------------------------------------------------------------------
// The edit form.

/// Who a step (or the signer, or the presentation) goes to, as the form holds it.
#[derive(Debug, Clone, Default)]
struct AssigneeForm {
    /// `role`, `below`, `person`, `group`, or empty for none.
    who: String,
    role: String,
    person: String,
    group: Vec<String>,
}

impl AssigneeForm {
    fn of(a: Option<&Assignee>) -> AssigneeForm {
        let Some(a) = a else {
            return AssigneeForm::default();
        };
        let who = match (&a.role, a.person, &a.group) {
            (Some(_), _, _) if a.below => "below",
            (Some(_), _, _) => "role",
            (None, Some(_), _) => "person",
            (None, None, Some(_)) => "group",
            (None, None, None) => "",
        };
        AssigneeForm {
            who: who.into(),
            role: a.role.clone().unwrap_or_default(),
            person: a.person.map(|p| p.to_string()).unwrap_or_default(),
            group: a.group.iter().flatten().map(i64::to_string).collect(),
        }
    }

    fn blank() -> AssigneeForm {
        AssigneeForm {
            who: "role".into(),
            role: Role::Leader.code().into(),
            ..AssigneeForm::default()
        }
    }

    fn from_form(f: &FormData, prefix: &str) -> AssigneeForm {
        AssigneeForm {
            who: f.get(&format!("{prefix}_who")).trim().to_string(),
            role: f.get(&format!("{prefix}_role")).trim().to_string(),
            person: f.get(&format!("{prefix}_person")).trim().to_string(),
            group: f
                .all(&format!("{prefix}_group"))
                .into_iter()
                .map(|g| g.trim().to_string())
                .filter(|g| !g.is_empty())
                .collect(),
        }
    }

    /// The assignee the form names (`None` when nobody is chosen); the rules are the use case's.
    fn assignee(&self, field: &str, what: &str) -> Result<Option<Assignee>, AppError> {
        let invalid = |message: String| AppError::Invalid {
            field: field.into(),
            message,
        };
        let id = |s: &str| {
            s.parse::<i64>()
                .map_err(|_| invalid(format!("Chọn người cho {what}.")))
        };
        let none = Assignee {
            role: None,
            below: false,
            person: None,
            group: None,
        };
        Ok(Some(match self.who.as_str() {
            "" => return Ok(None),
            "role" | "below" => {
                if self.role.is_empty() {
                    return Err(invalid(format!("Chọn vai trò cho {what}.")));
                }
                Assignee {
                    role: Some(self.role.clone()),
                    below: self.who == "below",
                    ..none
                }
            }
            "person" => Assignee {
                person: Some(id(&self.person)?),
                ..none
            },
            "group" => Assignee {
                group: Some(
                    self.group
                        .iter()
                        .map(|g| id(g))
                        .collect::<Result<Vec<_>, _>>()?,
                ),
                ..none
            },
            other => {
                return Err(invalid(format!(
                    "Cách chọn người \"{other}\" của {what} không hợp lệ."
                )));
            }
        }))
    }

    fn people(&self) -> Vec<i64> {
        std::iter::once(&self.person)
            .chain(&self.group)
            .filter_map(|p| p.parse().ok())
            .collect()
    }
}

/// A step row of the form.
#[derive(Debug, Clone)]
struct StepForm {
    name: String,
    who: AssigneeForm,
    mode: String,
    days: String,
}

impl StepForm {
    fn blank() -> StepForm {
        StepForm {
            name: String::new(),
            who: AssigneeForm::blank(),
            mode: StepMode::Any.code().into(),
            days: String::new(),
        }
    }
}

/// What the edit form shows: the current version or what the person typed.
#[derive(Debug, Clone)]
struct FlowForm {
    name: String,
    active: bool,
    steps: Vec<StepForm>,
    signer: AssigneeForm,
    present: AssigneeForm,
    deadline_days: String,
}

fn days_field(d: Option<i64>) -> String {
    d.map(|n| n.to_string()).unwrap_or_default()
}

/// Days typed in a form: empty for none.
fn parse_days(raw: &str, field: &str, what: &str) -> Result<Option<i64>, AppError> {
    match raw.trim() {
        "" => Ok(None),
        t => t.parse::<i64>().map(Some).map_err(|_| AppError::Invalid {
            field: field.into(),
            message: format!("{what} phải là một số ngày, ví dụ 2 (đang là \"{t}\")."),
        }),
    }
}

impl FlowForm {
    fn of(f: &FlowView) -> FlowForm {
        let d = &f.definition;
        let mut steps: Vec<StepForm> = d
            .steps
            .iter()
            .map(|s| StepForm {
                name: s.name.clone(),
                who: AssigneeForm::of(Some(&s.assignee)),
                mode: s.mode.code().into(),
                days: days_field(s.deadline_days),
            })
            .collect();
        if f.kind != "incoming" {
            steps.extend(std::iter::repeat_with(StepForm::blank).take(BLANK_ROWS));
        }
        FlowForm {
            name: f.name.clone(),
            active: f.active,
            steps,
            signer: AssigneeForm::of(d.signer.as_ref()),
            present: AssigneeForm::of(d.present_to.as_ref()),
            deadline_days: days_field(d.deadline_days),
        }
    }

    fn from_form(f: &FormData) -> FlowForm {
        let rows = f
            .get("rows")
            .trim()
            .parse::<usize>()
            .unwrap_or(0)
            .min(MAX_ROWS);
        FlowForm {
            name: f.get("name").to_string(),
            active: f.has("active"),
            steps: (1..=rows)
                .map(|n| StepForm {
                    name: f.get(&format!("step{n}_name")).to_string(),
                    who: AssigneeForm::from_form(f, &format!("step{n}")),
                    mode: f.get(&format!("step{n}_mode")).trim().to_string(),
                    days: f.get(&format!("step{n}_days")).trim().to_string(),
                })
                .collect(),
            signer: AssigneeForm::from_form(f, "signer"),
            present: AssigneeForm::from_form(f, "present"),
            deadline_days: f.get("deadline_days").trim().to_string(),
        }
    }

    /// The new version the form asks for; rows without a name are left out.
    fn update(&self) -> Result<FlowUpdate, AppError> {
        let mut steps = Vec::new();
        for (i, s) in self.steps.iter().enumerate() {
            if s.name.trim().is_empty() {
                continue;
            }
            let what = format!("bước {}", i + 1);
            let assignee = s.who.assignee("steps", &what)?.unwrap_or(Assignee {
                role: None,
                below: false,
                person: None,
                group: None,
            });
            steps.push(FlowStep {
                name: s.name.trim().to_string(),
                assignee,
                mode: StepMode::parse(&s.mode)?,
                deadline_days: parse_days(
                    &s.days,
                    "steps",
                    &format!("Thời hạn của bước {}", i + 1),
                )?,
            });
        }
        Ok(FlowUpdate {
            name: self.name.clone(),
            active: self.active,
            definition: FlowDef {
                present_to: self.present.assignee("present_to", "nơi trình")?,
                deadline_days: parse_days(
                    &self.deadline_days,
                    "deadline_days",
                    "Hạn xử lý mặc định",
                )?,
                steps,
                signer: self.signer.assignee("signer", "người ký")?,
            },
        })
    }

    fn people(&self) -> Vec<i64> {
        self.steps
            .iter()
            .flat_map(|s| s.who.people())
            .chain(self.signer.people())
            .chain(self.present.people())
            .collect()
    }
}

/// An option of a select.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Options under a heading (the people of one unit).
pub struct OptGroup {
    pub label: String,
    pub opts: Vec<Opt>,
}

/// The selects of one assignee.
pub struct AssigneeView {
    /// Prefix of the fields' names: `step2`, `signer`, `present`.
    pub prefix: String,
    pub who: Vec<Opt>,
    pub roles: Vec<Opt>,
    pub person: Vec<OptGroup>,
    pub group: Vec<OptGroup>,
    pub invalid: bool,
}

impl AssigneeView {
    /// Whether someone of the group list is ticked (the list is then shown open).
    pub fn group_chosen(&self) -> bool {
        self.group.iter().flat_map(|g| &g.opts).any(|o| o.selected)
    }
}

pub struct StepView {
    pub n: usize,
    pub name: String,
    pub who: AssigneeView,
    pub modes: Vec<Opt>,
    pub days: String,
}

/// What the edit form renders.
pub struct EditView {
    pub name: String,
    pub active: bool,
    pub rows: usize,
    pub steps: Vec<StepView>,
    pub show_steps: bool,
    pub signer: AssigneeView,
    pub show_signer: bool,
    pub present: AssigneeView,
    pub show_present: bool,
    pub deadline_days: String,
}

/// The people the form's person selects offer: the unit's, those of the units right below it, and anyone
/// else the flow names.
async fn people_pool(
    app: &App,
    user: &WebUser,
    unit: &UnitView,
    named: &[i64],
) -> Result<Vec<(String, Vec<(i64, String)>)>, WebError> {
    let mut units = vec![unit.clone()];
    units.extend(
        app.list_units(&user.actor, false)
            .await
            .or_page(user)?
            .into_iter()
            .filter(|u| u.parent_id == Some(unit.id)),
    );
    let mut pool = Vec::new();
    let mut seen = HashSet::new();
    for u in units {
        let (people, _) = app
            .list_people(
                &user.actor,
                &PeopleFilter {
                    unit_id: Some(u.id),
                    include_inactive: false,
                    query: None,
                    limit: 500,
                    offset: 0,
                },
            )
            .await
            .or_page(user)?;
        let people: Vec<(i64, String)> = people
            .into_iter()
            .filter(|p| seen.insert(p.id))
            .map(|p| {
                let roles = p
                    .memberships
                    .iter()
                    .find(|m| m.unit_id == u.id)
                    .map(|m| m.role_labels.join(", "))
                    .unwrap_or_default();
                let label = if roles.is_empty() {
                    p.full_name
                } else {
                    format!("{} — {roles}", p.full_name)
                };
                (p.id, label)
            })
            .collect();
        if !people.is_empty() {
            pool.push((u.name, people));
        }
    }
    let others: Vec<i64> = named.iter().copied().filter(|p| seen.insert(*p)).collect();
    if !others.is_empty() {
        let mut names = Names::default();
        names.add(app, &user.actor, others.clone()).await;
        pool.push((
            "Người khác được nêu trong luồng".into(),
            others.into_iter().map(|p| (p, names.of(p))).collect(),
        ));
    }
    Ok(pool)
}

fn opts(choices: &[(&str, &str)], chosen: &str) -> Vec<Opt> {
    choices
        .iter()
        .map(|(v, l)| Opt {
            value: v.to_string(),
            label: l.to_string(),
            selected: *v == chosen,
        })
        .collect()
}

const WHO_STEP: [(&str, &str); 4] = [
    ("role", "Vai trò trong đơn vị"),
    ("below", "Vai trò ở các đơn vị cấp dưới"),
    ("person", "Một người"),
    ("group", "Nhóm người"),
];

fn assignee_view(
    a: &AssigneeForm,
    prefix: String,
    who: &[(&str, &str)],
    pool: &[(String, Vec<(i64, String)>)],
    invalid: bool,
) -> AssigneeView {
    let roles = ROLES
        .iter()
        .map(|r| Opt {
            value: r.code().into(),
            label: r.label().into(),
            selected: a.role == r.code(),
        })
        .collect();
    let groups = |chosen: &dyn Fn(&str) -> bool| {
        pool.iter()
            .map(|(label, people)| OptGroup {
                label: label.clone(),
                opts: people
                    .iter()
                    .map(|(id, name)| {
                        let v = id.to_string();
                        Opt {
                            selected: chosen(&v),
                            value: v,
                            label: name.clone(),
                        }
                    })
                    .collect(),
            })
            .collect()
    };
    AssigneeView {
        who: opts(who, &a.who),
        roles,
        person: groups(&|v| a.who == "person" && a.person == v),
        group: groups(&|v| a.who == "group" && a.group.iter().any(|g| g == v)),
        prefix,
        invalid,
    }
}

fn edit_view(
    form: &FlowForm,
    kind: &str,
    pool: &[(String, Vec<(i64, String)>)],
    error_field: &str,
) -> EditView {
    let incoming = kind == "incoming";
    let modes = |m: &str| {
        opts(
            &[
                ("all", "Tất cả cùng đồng ý"),
                ("any", "Một người đồng ý là đủ"),
            ],
            m,
        )
    };
    let steps = form
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| StepView {
            n: i + 1,
            name: s.name.clone(),
            who: assignee_view(
                &s.who,
                format!("step{}", i + 1),
                &WHO_STEP,
                pool,
                error_field == "steps",
            ),
            modes: modes(&s.mode),
            days: s.days.clone(),
        })
        .collect();
    let none_signer = [
        ("", "— Không có người ký —"),
        WHO_STEP[0],
        WHO_STEP[1],
        WHO_STEP[2],
    ];
    let none_present = [
        ("", "— Không chỉ định (trình lãnh đạo đơn vị) —"),
        WHO_STEP[0],
        WHO_STEP[1],
        WHO_STEP[2],
        WHO_STEP[3],
    ];
    EditView {
        name: form.name.clone(),
        active: form.active,
        rows: form.steps.len(),
        steps,
        show_steps: !incoming || form.steps.iter().any(|s| !s.name.trim().is_empty()),
        signer: assignee_view(
            &form.signer,
            "signer".into(),
            &none_signer,
            pool,
            error_field == "signer",
        ),
        show_signer: !incoming || !form.signer.who.is_empty(),
        present: assignee_view(
            &form.present,
            "present".into(),
            &none_present,
            pool,
            error_field == "present_to",
        ),
        show_present: incoming || !form.present.who.is_empty() || !form.deadline_days.is_empty(),
        deadline_days: form.deadline_days.clone(),
    }
}

// ---------------------------------------------------------------------------------------------------------
// A flow's page.

pub struct VersionRow {
    pub version: i64,
    pub at: String,
    pub by: String,
    pub summary: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "flow.html")]
struct FlowTpl {
    layout: Layout,
    unit: UnitView,
    flow: FlowView,
    in_force: bool,
    def: DefText,
    versions: Vec<VersionRow>,
    can_change: bool,
    created_at: String,
    form: EditView,
    /// The message of the edit that failed, and the field it names.
    error: String,
    error_field: String,
}

/// A flow of the unit the person may read; a flow of another unit (or a template) is not found here.
async fn flow_of(
    app: &App,
    user: &WebUser,
    unit_id: i64,
    flow_id: i64,
) -> Result<FlowDetail, WebError> {
    let d = app.flow_detail(&user.actor, flow_id).await.or_page(user)?;
    if d.flow.unit_id != Some(unit_id) {
        return Err(WebError::new(
            user,
            AppError::NotFound(format!("Đơn vị không có luồng xử lý số {flow_id}.")),
        ));
    }
    Ok(d)
}

fn ids(user: &WebUser, raw: &(String, String)) -> Result<(i64, i64), WebError> {
    Ok((parse_id(&raw.0, user)?, parse_id(&raw.1, user)?))
}

#[allow(clippy::too_many_arguments)]
async fn flow_page(
    app: &App,
    user: &WebUser,
    unit_id: i64,
    d: FlowDetail,
    layout: Layout,
    form: Option<FlowForm>,
    error: Option<AppError>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let unit = app.get_unit(&user.actor, unit_id).await.or_page(user)?;
    let flows = app.unit_flows(&user.actor, unit_id).await.or_page(user)?;
    let can_change = app
        .may_change_flows(&user.actor, unit_id)
        .await
        .or_page(user)?;
    let named: Vec<i64> = d
        .versions
        .iter()
        .filter_map(|v| v.created_by)
        .chain(d.versions.iter().flat_map(|v| def_people(&v.definition)))
        .collect();
    let mut names = Names::default();
    names.add(app, &user.actor, named).await;
    let flow = d.flow;
    let kind = flow.kind.clone();
    let def = DefText::new(&kind, &flow.definition, &names);
    let versions = d
        .versions
        .iter()
        .rev()
        .map(|v| VersionRow {
            version: v.version,
            at: local_iso(&v.created_at),
            by: v
                .created_by
                .map(|p| names.of(p))
                .unwrap_or_else(|| "Hệ thống".into()),
            summary: DefText::new(&kind, &v.definition, &names).summary(),
            current: v.version == flow.current_version,
        })
        .collect();
    let form = form.unwrap_or_else(|| FlowForm::of(&flow));
    let edit = if can_change {
        let pool = people_pool(app, user, &unit, &form.people()).await?;
        let field = error.as_ref().and_then(|e| e.field()).unwrap_or("");
        edit_view(&form, &kind, &pool, field)
    } else {
        edit_view(&form, &kind, &[], "")
    };
    let t = FlowTpl {
        layout,
        unit,
        in_force: in_force(&flows).contains(&flow.id),
        created_at: local_iso(&flow.created_at),
        flow,
        def,
        versions,
        can_change,
        form: edit,
        error: error.as_ref().map(|e| e.to_string()).unwrap_or_default(),
        error_field: error
            .as_ref()
            .and_then(|e| e.field())
            .unwrap_or("")
            .to_string(),
    };
    Ok(render(status, &t))
}

/// `GET /units/{id}/flows/{flow_id}`.
pub async fn show(
    State(app): State<App>,
    user: WebUser,
    notice: Notice,
    WebPath(raw): WebPath<(String, String)>,
) -> Result<Response, WebError> {
    let (unit_id, flow_id) = ids(&user, &raw)?;
    let d = flow_of(&app, &user, unit_id, flow_id).await?;
    let layout = Layout::new(&user, "units").notice(notice);
    flow_page(&app, &user, unit_id, d, layout, None, None, StatusCode::OK).await
}

/// `POST /units/{id}/flows/{flow_id}/edit`: saves the form as a new version.
pub async fn save(
    State(app): State<App>,
    WebPath(raw): WebPath<(String, String)>,
    p: Posted,
) -> Result<Response, WebError> {
    let (unit_id, flow_id) = ids(&p.user, &raw)?;
    let d = flow_of(&app, &p.user, unit_id, flow_id).await?;
    let form = FlowForm::from_form(&p.form);
    let result = match form.update() {
        Ok(input) => app.update_flow(&p.user.actor, flow_id, &input).await,
        Err(e) => Err(refused_first(&app, &p.user, unit_id, e).await),
    };
    match result {
        Ok(_) => Ok(see_other(&format!(
            "/units/{unit_id}/flows/{flow_id}?notice=saved"
        ))),
        Err(e @ (AppError::NotFound(_) | AppError::Forbidden(_))) => Err(WebError::new(&p.user, e)),
        Err(e) => {
            let status = status_of(&e);
            let layout = Layout::new(&p.user, "units");
            flow_page(
                &app,
                &p.user,
                unit_id,
                d,
                layout,
                Some(form),
                Some(e),
                status,
            )
            .await
        }
    }
}

/// `GET /units/{id}/flows/{flow_id}/export`: the flow as a `vanthu-flow` file.
pub async fn export(
    State(app): State<App>,
    user: WebUser,
    WebPath(raw): WebPath<(String, String)>,
) -> Result<Response, WebError> {
    let (unit_id, flow_id) = ids(&user, &raw)?;
    flow_of(&app, &user, unit_id, flow_id).await?;
    let (name, bytes) = app.export_flow(&user.actor, flow_id).await.or_page(&user)?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

//! The units file: one row per unit, upserted by its internal key, parents before children whatever the
//! order of the file.

use super::table::{self, Row};
use super::{
    Column, Format, ImportOptions, ImportReport, RejectedRow, finish, non_empty, parse_bool,
    require_admin, yes_no,
};
use crate::App;
use crate::app::units::{UnitInput, load_unit, validate_fields};
use crate::error::{AppError, AppResult};
use std::collections::{HashMap, VecDeque};
use vanthu_domain::access::Actor;
use vanthu_domain::text::fold_ascii;
use vanthu_domain::{CodeFormat, UnitKey};
use vanthu_store::{Unit, WriteTx};

const KEY: usize = 0;
const CODE: usize = 1;
const CODE_FORMAT: usize = 2;
const OLD_CODE: usize = 3;
const NAME: usize = 4;
const SHORT_NAME: usize = 5;
const KIND: usize = 6;
const SIDE: usize = 7;
const PARENT: usize = 8;
const VALID_FROM: usize = 9;
const VALID_TO: usize = 10;
const ACTIVE: usize = 11;

const fn col(label: &'static str, english: &'static str, required: bool) -> Column {
    Column {
        label,
        english,
        required,
    }
}

/// The columns of the units file, in the order export writes them.
pub(crate) const UNIT_COLUMNS: &[Column] = &[
    col("Mã nội bộ", "key", true),
    col("Mã định danh", "code", false),
    col("Dạng mã", "code_format", false),
    col("Mã cũ", "old_code", false),
    col("Tên đơn vị", "name", true),
    col("Tên viết tắt", "short_name", false),
    col("Loại", "kind", true),
    col("Khối", "side", true),
    col("Mã nội bộ đơn vị cấp trên", "parent_key", false),
    col("Hiệu lực từ", "valid_from", false),
    col("Hiệu lực đến", "valid_to", false),
    col("Hoạt động", "active", false),
];

const WHAT: &str = "tệp danh sách đơn vị";

fn code_format_label(f: CodeFormat) -> &'static str {
    match f {
        CodeFormat::Axis => "Trục liên thông",
        CodeFormat::Other => "Khác",
    }
}

/// The code of a `Dạng mã` cell: the labels export writes, or what `CodeFormat::parse` accepts, with or
/// without diacritics. Anything else is passed on as written, for the validation to report.
fn code_format_code(raw: &str) -> String {
    let t = raw.trim();
    let folded = fold_ascii(t);
    [CodeFormat::Axis, CodeFormat::Other]
        .into_iter()
        .find(|f| fold_ascii(code_format_label(*f)) == folded)
        .map(Ok)
        .unwrap_or_else(|| CodeFormat::parse(t).or_else(|_| CodeFormat::parse(&folded)))
        .map(|f| f.as_str().to_string())
        .unwrap_or_else(|_| t.to_string())
}

/// Where the file puts a unit.
#[derive(Clone, PartialEq)]
enum ParentRef {
    /// No parent column: an existing unit stays where it is, a new one is top-level.
    Absent,
    /// An empty cell: top-level.
    Root,
    Key(String),
}

struct Parsed<'a> {
    row: &'a Row,
    key: String,
    parent: ParentRef,
    active: Option<bool>,
}

/// What happened to a row.
enum Outcome {
    Created,
    Updated,
    Unchanged,
    Rejected(String),
}

/// An error of one row; `Fatal` aborts the whole import (something was already written for the row).
enum RowError {
    Reject(AppError),
    Fatal(AppError),
}

impl From<AppError> for RowError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Internal(_) => RowError::Fatal(e),
            other => RowError::Reject(other),
        }
    }
}

impl From<vanthu_store::StoreError> for RowError {
    fn from(e: vanthu_store::StoreError) -> Self {
        RowError::Fatal(e.into())
    }
}

/// The file and the stored units before the import, to check that a unit to stop keeps no active sub-unit.
struct Plan<'a> {
    /// Stored units by key: id, parent, active.
    stored: HashMap<String, (i64, Option<i64>, bool)>,
    /// Active stored units by parent, with their key.
    stored_active_children: HashMap<i64, Vec<String>>,
    /// Rows of the file (that passed the first checks) by the key of the parent they will have.
    file_children: HashMap<String, Vec<&'a Parsed<'a>>>,
    /// Keys of the rows of the file (that passed the first checks).
    in_file: std::collections::HashSet<&'a str>,
}

impl<'a> Plan<'a> {
    fn new(parsed: &'a [Option<Parsed<'a>>], units: &[Unit]) -> Plan<'a> {
        let stored: HashMap<String, (i64, Option<i64>, bool)> = units
            .iter()
            .map(|u| (u.key.clone(), (u.id, u.parent_id, u.active)))
            .collect();
        let key_of: HashMap<i64, &str> = units.iter().map(|u| (u.id, u.key.as_str())).collect();
        let mut stored_active_children: HashMap<i64, Vec<String>> = HashMap::new();
        for u in units.iter().filter(|u| u.active) {
            if let Some(p) = u.parent_id {
                stored_active_children
                    .entry(p)
                    .or_default()
                    .push(u.key.clone());
            }
        }
        let mut file_children: HashMap<String, Vec<&'a Parsed<'a>>> = HashMap::new();
        for p in parsed.iter().flatten() {
            let parent = match &p.parent {
                ParentRef::Key(k) => Some(k.clone()),
                ParentRef::Absent => stored
                    .get(&p.key)
                    .and_then(|(_, parent, _)| *parent)
                    .and_then(|id| key_of.get(&id))
                    .map(|k| k.to_string()),
                ParentRef::Root => None,
            };
            if let Some(k) = parent {
                file_children.entry(k).or_default().push(p);
            }
        }
        Plan {
            stored,
            stored_active_children,
            file_children,
            in_file: parsed.iter().flatten().map(|p| p.key.as_str()).collect(),
        }
    }

    /// The key of a sub-unit that would still be active under `key` after the import, if any.
    fn active_child_left(&self, key: &str, id: Option<i64>) -> Option<String> {
        for p in self.file_children.get(key).into_iter().flatten() {
            let stays_active = p
                .active
                .unwrap_or_else(|| self.stored.get(&p.key).is_none_or(|s| s.2));
            if stays_active {
                return Some(p.key.clone());
            }
        }
        // Stored sub-units the file does not mention stay where they are.
        self.stored_active_children
            .get(&id?)
            .into_iter()
            .flatten()
            .find(|k| !self.in_file.contains(k.as_str()))
            .cloned()
    }
}

/// Checks everything `App::move_unit_in` checks, before anything of the row is written.
async fn precheck_move(
    tx: &mut Box<dyn WriteTx>,
    actor: &Actor,
    id: i64,
    new_parent: Option<i64>,
) -> AppResult<()> {
    match new_parent {
        None => {
            actor.system_grant().ok_or_else(|| {
                AppError::Forbidden(
                    "Chỉ quản trị hệ thống được đưa đơn vị lên cấp cao nhất.".into(),
                )
            })?;
        }
        Some(pid) => {
            let parent = load_unit(&mut **tx, pid).await?;
            let anc = tx.ancestry(pid).await?;
            if anc.contains(&id) {
                return Err(AppError::Invalid {
                    field: "parent_key".into(),
                    message:
                        "Không thể chuyển một đơn vị vào chính nó hoặc vào đơn vị cấp dưới của nó."
                            .into(),
                });
            }
            if !parent.active {
                return Err(AppError::Conflict(format!(
                    "Đơn vị cấp trên \"{}\" đã ngừng hoạt động.",
                    parent.name
                )));
            }
            actor.admin_grant(&anc).ok_or_else(|| {
                AppError::Forbidden(format!(
                    "Bạn không có quyền quản trị đơn vị đích \"{}\".",
                    parent.name
                ))
            })?;
        }
    }
    Ok(())
}

/// The raw values of a row, an absent column taking the stored value of an existing unit.
fn input_of(p: &Parsed<'_>, idx: &[Option<usize>], existing: Option<&Unit>) -> UnitInput {
    let r = p.row;
    let text = |c: usize, cur: Option<&Option<String>>| -> Option<String> {
        match r.get(idx, c) {
            Some(v) => non_empty(v),
            None => cur.cloned().flatten(),
        }
    };
    UnitInput {
        key: p.key.clone(),
        code: text(CODE, existing.map(|u| &u.code)),
        code_format: match r.get(idx, CODE_FORMAT) {
            Some(v) => Some(code_format_code(v)),
            None => existing.map(|u| u.code_format.as_str().to_string()),
        },
        old_code: text(OLD_CODE, existing.map(|u| &u.old_code)),
        name: r.get(idx, NAME).unwrap_or_default().to_string(),
        short_name: text(SHORT_NAME, existing.map(|u| &u.short_name)),
        kind: r.get(idx, KIND).unwrap_or_default().to_string(),
        side: r.get(idx, SIDE).unwrap_or_default().to_string(),
        parent_id: None,
        valid_from: text(VALID_FROM, existing.map(|u| &u.valid_from)),
        valid_to: text(VALID_TO, existing.map(|u| &u.valid_to)),
    }
}

impl App {
    /// Loads a units file. See the module documentation of `io` for the rules.
    pub async fn import_units(
        &self,
        actor: &Actor,
        format: Format,
        bytes: &[u8],
        dry_run: bool,
    ) -> AppResult<ImportReport> {
        let opts = ImportOptions {
            dry_run,
            strict: false,
        };
        self.import_units_with(actor, format, bytes, opts).await
    }

    /// Loads a units file, a dry run or a strict import as `opts` say.
    pub async fn import_units_with(
        &self,
        actor: &Actor,
        format: Format,
        bytes: &[u8],
        opts: ImportOptions,
    ) -> AppResult<ImportReport> {
        require_admin(actor)?;
        let t = table::read(format, bytes)?;
        let idx = table::map_columns(&t, UNIT_COLUMNS, WHAT)?;

        let n = t.rows.len();
        let mut outcome: Vec<Option<Outcome>> = (0..n).map(|_| None).collect();
        // First checks, without the database: keys, parent keys, the active flag, duplicates.
        let mut parsed: Vec<Option<Parsed<'_>>> = Vec::with_capacity(n);
        for (i, row) in t.rows.iter().enumerate() {
            let raw_key = row.get(&idx, KEY).unwrap_or_default();
            let res = (|| -> AppResult<Parsed<'_>> {
                let key = UnitKey::parse(raw_key)?.as_str().to_string();
                let parent = match row.get(&idx, PARENT) {
                    None => ParentRef::Absent,
                    Some("") => ParentRef::Root,
                    Some(v) => {
                        let k = UnitKey::parse(v).map_err(|e| AppError::Invalid {
                            field: "parent_key".into(),
                            message: format!("Mã nội bộ đơn vị cấp trên: {}", e.message),
                        })?;
                        ParentRef::Key(k.as_str().to_string())
                    }
                };
                if parent == ParentRef::Key(key.clone()) {
                    return Err(AppError::Invalid {
                        field: "parent_key".into(),
                        message: "Đơn vị không thể là cấp trên của chính nó.".into(),
                    });
                }
                let active = parse_bool(
                    UNIT_COLUMNS[ACTIVE].label,
                    row.get(&idx, ACTIVE).unwrap_or(""),
                )?;
                Ok(Parsed {
                    row,
                    key,
                    parent,
                    active,
                })
            })();
            match res {
                Ok(p) => parsed.push(Some(p)),
                Err(e) => {
                    outcome[i] = Some(Outcome::Rejected(e.to_string()));
                    parsed.push(None);
                }
            }
        }
        // Keys of rows rejected so far (first row number), so that children name the parent's row.
        let mut failed_keys: HashMap<String, usize> = HashMap::new();
        let mut rows_of_key: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in parsed.iter().enumerate() {
            if let Some(p) = p {
                rows_of_key.entry(p.key.clone()).or_default().push(i);
            }
        }
        for (key, rows) in &rows_of_key {
            if rows.len() > 1 {
                let numbers: Vec<String> =
                    rows.iter().map(|i| t.rows[*i].number.to_string()).collect();
                for i in rows {
                    outcome[*i] = Some(Outcome::Rejected(format!(
                        "Mã nội bộ \"{key}\" xuất hiện nhiều lần trong tệp (dòng {}); mỗi đơn vị chỉ ghi một dòng.",
                        numbers.join(", ")
                    )));
                    parsed[*i] = None;
                }
                failed_keys.insert(key.clone(), t.rows[rows[0]].number);
            }
        }

        // Parents before children: a breadth-first walk from the rows whose parent is not in the file.
        let by_key: HashMap<String, usize> = parsed
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.as_ref().map(|p| (p.key.clone(), i)))
            .collect();
        let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut queue: VecDeque<usize> = VecDeque::new();
        for (i, p) in parsed.iter().enumerate() {
            let Some(p) = p else { continue };
            match &p.parent {
                ParentRef::Key(k) if by_key.contains_key(k) => {
                    children.entry(by_key[k]).or_default().push(i)
                }
                _ => queue.push_back(i),
            }
        }
        let mut order = Vec::with_capacity(n);
        while let Some(i) = queue.pop_front() {
            order.push(i);
            if let Some(c) = children.get(&i) {
                queue.extend(c.iter().copied());
            }
        }
        if order.len() < by_key.len() {
            let mut in_order = vec![false; n];
            for i in &order {
                in_order[*i] = true;
            }
            for (i, p) in parsed.iter_mut().enumerate() {
                if p.is_some() && !in_order[i] {
                    outcome[i] = Some(Outcome::Rejected(
                        "Các đơn vị cấp trên ghi trong tệp tạo thành vòng lặp (một đơn vị nằm dưới chính nó)."
                            .into(),
                    ));
                    *p = None;
                }
            }
        }

        let mut tx = self.store.write().await?;
        // Person and tree checks below must still hold at commit.
        tx.lock_organisation().await?;
        let stored = tx.units(true).await?;
        let plan = Plan::new(&parsed, &stored);
        // Units created or found for each key of the file, or the row number that failed.
        let mut done: HashMap<String, Result<i64, usize>> = HashMap::new();
        // Units to stop once everything else is in place, children first.
        let mut to_stop: Vec<(usize, i64)> = Vec::new();
        for &i in &order {
            let p = parsed[i].as_ref().expect("ordered rows are parsed");
            let parent: Result<Option<Option<i64>>, String> = match &p.parent {
                ParentRef::Absent => Ok(None),
                ParentRef::Root => Ok(Some(None)),
                ParentRef::Key(k) => {
                    match done.get(k).or(failed_keys.get(k).map(|n| Err(*n)).as_ref()) {
                        Some(Ok(id)) => Ok(Some(Some(*id))),
                        Some(Err(n)) => Err(format!(
                            "Đơn vị cấp trên \"{k}\" (dòng {n}) bị từ chối nên đơn vị này cũng không được nhập."
                        )),
                        None => match tx.unit_by_key(k).await? {
                            Some(u) => Ok(Some(Some(u.id))),
                            None => Err(format!(
                                "Không tìm thấy đơn vị cấp trên có mã nội bộ \"{k}\" (không có trong tệp, cũng không có trong hệ thống)."
                            )),
                        },
                    }
                }
            };
            let res = match parent {
                Err(reason) => Err(RowError::Reject(AppError::Conflict(reason))),
                Ok(parent) => {
                    self.import_unit_row(&mut tx, actor, p, &idx, parent, &plan)
                        .await
                }
            };
            match res {
                Ok((id, o, stop)) => {
                    if stop {
                        to_stop.push((i, id));
                    }
                    outcome[i] = Some(o);
                    done.insert(p.key.clone(), Ok(id));
                }
                Err(RowError::Reject(e)) => {
                    outcome[i] = Some(Outcome::Rejected(e.to_string()));
                    done.insert(p.key.clone(), Err(p.row.number));
                }
                Err(RowError::Fatal(e)) => return Err(e),
            }
        }
        for (i, id) in to_stop.into_iter().rev() {
            let n = tx.count_active_children(id).await?;
            if n > 0 {
                outcome[i] = Some(Outcome::Rejected(format!(
                    "Không ngừng hoạt động được: đơn vị còn {n} đơn vị cấp dưới đang hoạt động. Các thay đổi khác của dòng này vẫn được lưu."
                )));
                continue;
            }
            self.set_unit_active_in(&mut tx, actor, id, false, " (nhập từ tệp)")
                .await?;
            if matches!(outcome[i], Some(Outcome::Unchanged)) {
                outcome[i] = Some(Outcome::Updated);
            }
        }

        let mut report = ImportReport {
            dry_run: opts.dry_run,
            ..Default::default()
        };
        for (i, o) in outcome.into_iter().enumerate() {
            match o {
                Some(Outcome::Created) => report.created += 1,
                Some(Outcome::Updated) => report.updated += 1,
                Some(Outcome::Unchanged) => report.unchanged += 1,
                Some(Outcome::Rejected(reason)) => report.rejected.push(RejectedRow {
                    row: t.rows[i].number,
                    key: t.rows[i].get(&idx, KEY).unwrap_or_default().to_string(),
                    reason,
                }),
                None => {
                    return Err(AppError::Internal(format!(
                        "import: row {} left without an outcome",
                        t.rows[i].number
                    )));
                }
            }
        }
        finish(tx, &mut report, opts).await?;
        Ok(report)
    }

    /// Applies one row; answers the unit, what happened, and whether it must be stopped at the end.
    async fn import_unit_row(
        &self,
        tx: &mut Box<dyn WriteTx>,
        actor: &Actor,
        p: &Parsed<'_>,
        idx: &[Option<usize>],
        parent: Option<Option<i64>>,
        plan: &Plan<'_>,
    ) -> Result<(i64, Outcome, bool), RowError> {
        let existing = tx.unit_by_key(&p.key).await?;
        match existing {
            Some(u) => {
                let anc = tx.ancestry(u.id).await?;
                actor
                    .admin_grant(&anc)
                    .ok_or_else(AppError::forbidden_admin)?;
                let f = validate_fields(&input_of(p, idx, Some(&u)))?;
                let new_parent = parent.unwrap_or(u.parent_id);
                let moving = new_parent != u.parent_id;
                let starting = p.active == Some(true) && !u.active;
                let stopping = p.active == Some(false) && u.active;
                // A row as stored needs no right to change the unit (the unit an administrator was given
                // is in their exports, but only their superiors change it).
                if f == u.fields() && !moving && !starting && !stopping {
                    return Ok((u.id, Outcome::Unchanged, false));
                }
                actor
                    .admin_grant_for_change(&anc)
                    .ok_or_else(AppError::forbidden_change)?;
                if moving {
                    precheck_move(tx, actor, u.id, new_parent).await?;
                }
                if starting && let Some(pid) = new_parent {
                    let parent = load_unit(&mut **tx, pid).await?;
                    if !parent.active {
                        return Err(RowError::Reject(AppError::Conflict(format!(
                            "Đơn vị cấp trên \"{}\" đang ngừng hoạt động.",
                            parent.name
                        ))));
                    }
                }
                if stopping && let Some(child) = plan.active_child_left(&p.key, Some(u.id)) {
                    return Err(RowError::Reject(AppError::Conflict(format!(
                        "Đơn vị \"{}\" còn đơn vị cấp dưới đang hoạt động (\"{child}\"); hãy ngừng hoạt động các đơn vị đó trước.",
                        u.name
                    ))));
                }
                // From here the row writes: the checks above cover every refusal of what follows.
                let updated = self.update_unit_in(tx, actor, u.id, &f).await?;
                let after_write = |e: AppError| {
                    if updated {
                        RowError::Fatal(e)
                    } else {
                        RowError::from(e)
                    }
                };
                let moved = if moving {
                    self.move_unit_in(tx, actor, u.id, new_parent)
                        .await
                        .map_err(after_write)?
                } else {
                    false
                };
                if starting {
                    self.set_unit_active_in(tx, actor, u.id, true, " (nhập từ tệp)")
                        .await
                        .map_err(|e| {
                            if updated || moved {
                                RowError::Fatal(e)
                            } else {
                                e.into()
                            }
                        })?;
                }
                let o = if updated || moved || starting {
                    Outcome::Updated
                } else {
                    Outcome::Unchanged
                };
                Ok((u.id, o, stopping))
            }
            None => {
                let parent_id = parent.flatten();
                match parent_id {
                    None => {
                        actor.system_grant().ok_or_else(|| {
                            AppError::Forbidden("Chỉ quản trị hệ thống được tạo đơn vị cấp cao nhất; hãy ghi mã nội bộ đơn vị cấp trên.".into())
                        })?;
                    }
                    Some(pid) => {
                        actor
                            .admin_grant(&tx.ancestry(pid).await?)
                            .ok_or_else(AppError::forbidden_admin)?;
                    }
                }
                let f = validate_fields(&input_of(p, idx, None))?;
                let stopping = p.active == Some(false);
                if stopping && let Some(child) = plan.active_child_left(&p.key, None) {
                    return Err(RowError::Reject(AppError::Conflict(format!(
                        "Đơn vị \"{}\" còn đơn vị cấp dưới đang hoạt động (\"{child}\"); hãy ngừng hoạt động các đơn vị đó trước.",
                        f.name
                    ))));
                }
                let id = self.create_unit_in(tx, actor, &f, parent_id).await?;
                Ok((id, Outcome::Created, stopping))
            }
        }
    }

    /// Writes the units the actor administers (every unit for a system administrator, inactive ones too),
    /// parents before children.
    pub async fn export_units(&self, actor: &Actor, format: Format) -> AppResult<Vec<u8>> {
        require_admin(actor)?;
        let units = self.store.read().await?.units(true).await?;
        let rows = unit_rows(actor, &units);
        table::write(format, "Đơn vị", UNIT_COLUMNS, &rows)
    }
}

/// The ancestry of a unit (itself first) from a loaded list.
pub(crate) fn ancestry_of(parents: &HashMap<i64, Option<i64>>, id: i64) -> Vec<i64> {
    let mut out = vec![id];
    let mut cur = parents.get(&id).copied().flatten();
    while let Some(p) = cur {
        if out.contains(&p) {
            break;
        }
        out.push(p);
        cur = parents.get(&p).copied().flatten();
    }
    out
}

fn unit_rows(actor: &Actor, units: &[Unit]) -> Vec<Vec<String>> {
    let parents: HashMap<i64, Option<i64>> = units.iter().map(|u| (u.id, u.parent_id)).collect();
    let keys: HashMap<i64, &str> = units.iter().map(|u| (u.id, u.key.as_str())).collect();
    let visible: Vec<&Unit> = units
        .iter()
        .filter(|u| actor.in_scope(&ancestry_of(&parents, u.id)))
        .collect();
    let shown: std::collections::HashSet<i64> = visible.iter().map(|u| u.id).collect();
    // Depth-first, siblings in the stored order (by name).
    let mut kids: HashMap<Option<i64>, Vec<&Unit>> = HashMap::new();
    for u in &visible {
        let p = u.parent_id.filter(|p| shown.contains(p));
        kids.entry(p).or_default().push(u);
    }
    let mut out = Vec::with_capacity(visible.len());
    let mut stack: Vec<&Unit> = kids.get(&None).cloned().unwrap_or_default();
    stack.reverse();
    while let Some(u) = stack.pop() {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        out.push(vec![
            u.key.clone(),
            o(&u.code),
            code_format_label(u.code_format).to_string(),
            o(&u.old_code),
            u.name.clone(),
            o(&u.short_name),
            u.kind.label().to_string(),
            u.side.label().to_string(),
            u.parent_id
                .and_then(|p| keys.get(&p))
                .map(|k| k.to_string())
                .unwrap_or_default(),
            o(&u.valid_from),
            o(&u.valid_to),
            yes_no(u.active),
        ]);
        if let Some(c) = kids.get(&Some(u.id)) {
            stack.extend(c.iter().rev());
        }
    }
    out
}

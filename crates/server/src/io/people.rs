//! The people file: one row per membership, the rows of one username making one account with its complete
//! list of memberships.

use super::table::{self, Row};
use super::units::ancestry_of;
use super::{
    Column, Format, GeneratedPassword, ImportOptions, ImportReport, RejectedRow, finish, non_empty,
    parse_bool, require_admin, yes_no,
};
use crate::App;
use crate::app::auth::hash_password;
use crate::app::people::{
    MembershipInput, PersonInput, membership_grant, person_grant, validate_membership,
};
use crate::app::units::load_unit;
use crate::error::{AppError, AppResult};
use std::collections::HashMap;
use vanthu_domain::access::Actor;
use vanthu_domain::org::check_password;
use vanthu_domain::{Clearance, Name, Role, UnitKey, Username};
use vanthu_store::{
    Membership, MembershipFields, PeopleFilter, Person, PersonFields, ReadTx, WriteTx,
};

const USERNAME: usize = 0;
const FULL_NAME: usize = 1;
const EMAIL: usize = 2;
const PHONE: usize = 3;
const CLEARANCE: usize = 4;
const SYSTEM_ADMIN: usize = 5;
const UNIT: usize = 6;
const POSITION: usize = 7;
const ROLES: usize = 8;
const PRIMARY: usize = 9;
const PASSWORD: usize = 10;

const fn col(label: &'static str, english: &'static str, required: bool) -> Column {
    Column {
        label,
        english,
        required,
    }
}

/// The columns of the people file; export writes all but the last (passwords are never exported).
pub(crate) const PEOPLE_COLUMNS: &[Column] = &[
    col("Tên đăng nhập", "username", true),
    col("Họ và tên", "full_name", true),
    col("Thư điện tử", "email", false),
    col("Điện thoại", "phone", false),
    col("Mức đọc tài liệu mật", "clearance", false),
    col("Quản trị hệ thống", "system_admin", false),
    col("Mã nội bộ đơn vị", "unit_key", false),
    col("Chức vụ", "position", false),
    col("Vai trò", "roles", false),
    col("Đơn vị chính", "is_primary", false),
    col("Mật khẩu", "password", false),
];

const WHAT: &str = "tệp danh sách người dùng";

/// The most accounts one file may create (each new account's password is hashed, which takes a while).
pub const MAX_NEW_ACCOUNTS: usize = 5_000;

fn too_many_accounts() -> AppError {
    let n = table::group_thousands(MAX_NEW_ACCOUNTS);
    AppError::BadRequest(format!(
        "Tệp tạo quá {n} tài khoản mới; hãy chia thành nhiều tệp, mỗi tệp tạo không quá {n} tài khoản. \
         Không có thay đổi nào được lưu."
    ))
}

/// A generated password: 14 characters from four classes, without look-alike characters.
pub(crate) fn generate_password() -> String {
    use rand::Rng;
    use rand::seq::SliceRandom;
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    const SYMBOLS: &[u8] = b"#%*!?_";
    let mut r = rand::rng();
    let mut pick = |set: &[u8]| set[r.random_range(0..set.len())];
    let mut v = vec![pick(LOWER), pick(UPPER), pick(DIGITS), pick(SYMBOLS)];
    let all: Vec<u8> = [LOWER, UPPER, DIGITS, SYMBOLS].concat();
    while v.len() < 14 {
        v.push(pick(&all));
    }
    v.shuffle(&mut rand::rng());
    String::from_utf8(v).unwrap_or_default()
}

/// Hashes passwords a few at a time (argon2 takes memory and a processor each), leaving half of the
/// processors to sign-ins meanwhile.
async fn hash_all(passwords: Vec<String>) -> AppResult<Vec<String>> {
    let width = (std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        / 2)
    .clamp(1, 8);
    let mut out = Vec::with_capacity(passwords.len());
    for chunk in passwords.chunks(width) {
        let mut set = tokio::task::JoinSet::new();
        for (i, pw) in chunk.iter().enumerate() {
            let pw = pw.clone();
            set.spawn(async move { (i, hash_password(&pw).await) });
        }
        let mut hashes = vec![String::new(); chunk.len()];
        while let Some(r) = set.join_next().await {
            let (i, h) = r.map_err(|e| AppError::Internal(e.to_string()))?;
            hashes[i] = h?;
        }
        out.extend(hashes);
    }
    Ok(out)
}

/// The person-level values of one row; `None` where the file has no such column.
#[derive(PartialEq, Clone)]
struct PersonCells {
    full_name: String,
    email: Option<Option<String>>,
    phone: Option<Option<String>>,
    clearance: Option<Clearance>,
    /// `None` also for an empty cell: keep as stored (a new account is no system administrator).
    system_admin: Option<bool>,
    password: Option<String>,
}

/// The membership of one row, when the row names a unit.
struct MembershipCells {
    unit_key: String,
    position: Option<Option<String>>,
    roles: Option<Vec<Role>>,
    primary: Option<bool>,
}

struct PersonRow<'a> {
    row: &'a Row,
    cells: PersonCells,
    membership: Option<MembershipCells>,
}

fn parse_row<'a>(row: &'a Row, idx: &[Option<usize>]) -> AppResult<PersonRow<'a>> {
    let opt_text = |c: usize| row.get(idx, c).map(non_empty);
    let full_name = Name::parse(
        "full_name",
        "Họ và tên",
        row.get(idx, FULL_NAME).unwrap_or(""),
        128,
    )?
    .into_string();
    let clearance = row.get(idx, CLEARANCE).map(Clearance::parse).transpose()?;
    let system_admin = parse_bool(
        PEOPLE_COLUMNS[SYSTEM_ADMIN].label,
        row.get(idx, SYSTEM_ADMIN).unwrap_or(""),
    )?;
    let password = idx[PASSWORD]
        .and_then(|i| row.cells.get(i))
        .filter(|p| !p.is_empty())
        .cloned();
    let unit = row.get(idx, UNIT).unwrap_or("");
    let membership = if unit.is_empty() {
        let filled = [POSITION, ROLES]
            .into_iter()
            .find(|c| row.get(idx, *c).is_some_and(|v| !v.is_empty()));
        if let Some(c) = filled {
            return Err(AppError::Invalid {
                field: "unit_key".into(),
                message: format!(
                    "Cột \"{}\" có giá trị nhưng dòng không ghi \"{}\".",
                    PEOPLE_COLUMNS[c].label, PEOPLE_COLUMNS[UNIT].label
                ),
            });
        }
        None
    } else {
        let unit_key = UnitKey::parse(unit)
            .map_err(|e| AppError::Invalid {
                field: "unit_key".into(),
                message: format!("Mã nội bộ đơn vị: {}", e.message),
            })?
            .as_str()
            .to_string();
        let position = opt_text(POSITION);
        let roles = row.get(idx, ROLES).map(|r| {
            r.split([';', ',', '|'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        });
        // The same checks as the API, on the values given (stored values fill absent columns later).
        let fields = validate_membership(&MembershipInput {
            unit_id: 0,
            position: position.clone().flatten(),
            roles: roles.clone().unwrap_or_default(),
            is_primary: false,
        })?;
        let primary = parse_bool(
            PEOPLE_COLUMNS[PRIMARY].label,
            row.get(idx, PRIMARY).unwrap_or(""),
        )?;
        Some(MembershipCells {
            unit_key,
            position: position.map(|_| fields.position.clone()),
            roles: roles.map(|_| fields.roles.clone()),
            primary,
        })
    };
    let cells = PersonCells {
        full_name,
        email: opt_text(EMAIL),
        phone: opt_text(PHONE),
        clearance,
        system_admin,
        password,
    };
    Ok(PersonRow {
        row,
        cells,
        membership,
    })
}

/// A row read, or the row and why it cannot be read.
type RowResult<'a> = Result<PersonRow<'a>, (&'a Row, String)>;

/// Why a person's rows were refused: the reason, and the row it is about when there is one.
struct GroupError {
    row: Option<usize>,
    error: AppError,
}

impl From<AppError> for GroupError {
    fn from(error: AppError) -> Self {
        GroupError { row: None, error }
    }
}

impl From<vanthu_store::StoreError> for GroupError {
    fn from(e: vanthu_store::StoreError) -> Self {
        GroupError {
            row: None,
            error: e.into(),
        }
    }
}

fn at(row: &Row) -> impl Fn(AppError) -> GroupError + '_ {
    move |error| GroupError {
        row: Some(row.number),
        error,
    }
}

/// What `App::create_person_in` and `App::update_person_in` check of the clearance and the system
/// administrator flag, checked before anything is written.
fn grantable(actor: &Actor, fields: &PersonFields, before: Option<&Person>) -> AppResult<()> {
    if actor.is_system_admin() {
        return Ok(());
    }
    if fields.system_admin != before.is_some_and(|p| p.system_admin) {
        return Err(AppError::Forbidden(
            "Chỉ quản trị hệ thống được cấp hoặc thu hồi quyền quản trị hệ thống.".into(),
        ));
    }
    let unchanged = before.is_some_and(|p| p.clearance == fields.clearance);
    if !unchanged && fields.clearance > actor.clearance {
        return Err(AppError::Forbidden(format!(
            "Bạn chỉ được cấp mức đọc tài liệu mật đến \"{}\".",
            actor.clearance.label()
        )));
    }
    Ok(())
}

/// The error of an account whose writes had begun: the whole import is abandoned.
fn aborted(username: &Username, row: usize, e: AppError) -> AppError {
    let say = |m: String| {
        format!(
            "Không ghi được tài khoản \"{}\" (dòng {row}): {m} Việc nhập đã bị hủy, không có thay đổi nào được lưu.",
            username.as_str()
        )
    };
    match e {
        AppError::Invalid { field, message } => AppError::Invalid {
            field,
            message: say(message),
        },
        AppError::BadRequest(m) => AppError::BadRequest(say(m)),
        AppError::Forbidden(m) => AppError::Forbidden(say(m)),
        AppError::NotFound(m) => AppError::Conflict(say(m)),
        AppError::Conflict(m) => AppError::Conflict(say(m)),
        AppError::TooLarge(m) => AppError::TooLarge(say(m)),
        other => other,
    }
}

/// One account of the file, checked and resolved against the database, ready to write.
enum Plan {
    Create {
        fields: PersonFields,
        memberships: Vec<(i64, MembershipFields)>,
        password: Option<String>,
        generated: bool,
    },
    Update {
        id: i64,
        fields: PersonFields,
        memberships: Option<Vec<(i64, MembershipFields)>>,
    },
    /// The account is already as in the file.
    Unchanged,
}

enum Outcome {
    Created,
    Updated,
    Unchanged,
}

impl App {
    /// The person's values, those the file leaves out taken from the stored account, validated like the API.
    async fn person_fields(
        &self,
        username: &Username,
        c: &PersonCells,
        before: Option<&Person>,
    ) -> AppResult<PersonFields> {
        let keep = |v: &Option<Option<String>>, cur: Option<&Option<String>>| match v {
            Some(v) => v.clone(),
            None => cur.cloned().flatten(),
        };
        let input = PersonInput {
            username: username.as_str().to_string(),
            full_name: c.full_name.clone(),
            email: keep(&c.email, before.map(|p| &p.email)),
            phone: keep(&c.phone, before.map(|p| &p.phone)),
            clearance: Some(
                c.clearance
                    .or(before.map(|p| p.clearance))
                    .unwrap_or_default()
                    .code()
                    .to_string(),
            ),
            system_admin: c
                .system_admin
                .or(before.map(|p| p.system_admin))
                .unwrap_or(false),
            password: None,
            memberships: vec![],
        };
        let (_, fields, _, _) = self.validate_person(&input).await?;
        Ok(fields)
    }

    /// Checks the rows of one account against the database and the actor's permissions, without writing:
    /// every refusal of the writes that follow is checked here, so that a write that fails afterwards is an
    /// error of the whole import.
    async fn plan_person(
        &self,
        tx: &mut dyn ReadTx,
        actor: &Actor,
        username: &Username,
        rows: &[PersonRow<'_>],
        has_unit_column: bool,
    ) -> Result<Plan, GroupError> {
        let first = &rows[0];
        // The person's own values must be written the same way on each of their rows.
        for r in &rows[1..] {
            if r.cells != first.cells {
                let c = &r.cells;
                let f = &first.cells;
                let column = if c.full_name != f.full_name {
                    FULL_NAME
                } else if c.email != f.email {
                    EMAIL
                } else if c.phone != f.phone {
                    PHONE
                } else if c.clearance != f.clearance {
                    CLEARANCE
                } else if c.system_admin != f.system_admin {
                    SYSTEM_ADMIN
                } else {
                    PASSWORD
                };
                return Err(at(r.row)(AppError::Invalid {
                    field: "file".into(),
                    message: format!(
                        "Cột \"{}\" của tài khoản \"{}\" ghi khác với dòng {}; các dòng của cùng một người phải ghi giống nhau.",
                        PEOPLE_COLUMNS[column].label,
                        username.as_str(),
                        first.row.number
                    ),
                }));
            }
        }
        // Units named twice, several main units.
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for r in rows {
            if let Some(m) = &r.membership
                && let Some(prev) = seen.insert(&m.unit_key, r.row.number)
            {
                return Err(at(r.row)(AppError::Invalid {
                    field: "unit_key".into(),
                    message: format!(
                        "Đơn vị \"{}\" đã được ghi cho tài khoản \"{}\" ở dòng {prev}.",
                        m.unit_key,
                        username.as_str()
                    ),
                }));
            }
        }
        let primaries: Vec<&PersonRow> = rows
            .iter()
            .filter(|r| {
                r.membership
                    .as_ref()
                    .is_some_and(|m| m.primary == Some(true))
            })
            .collect();
        if primaries.len() > 1 {
            return Err(at(primaries[1].row)(AppError::Invalid {
                field: "is_primary".into(),
                message: format!(
                    "Tài khoản \"{}\" đã có đơn vị chính ở dòng {}; chỉ được chọn một đơn vị chính.",
                    username.as_str(),
                    primaries[0].row.number
                ),
            }));
        }

        let before = tx.person_by_username(username.as_str()).await?;
        let current: Vec<Membership> = match &before {
            Some(p) => tx.memberships(p.id).await?,
            None => vec![],
        };
        let fields = self
            .person_fields(username, &first.cells, before.as_ref())
            .await
            .map_err(at(first.row))?;
        grantable(actor, &fields, before.as_ref())?;

        // The memberships, when the file has the unit column.
        let memberships = if has_unit_column {
            let mut out: Vec<(i64, MembershipFields)> = Vec::new();
            for r in rows {
                let Some(m) = &r.membership else { continue };
                let here = at(r.row);
                let unit = tx.unit_by_key(&m.unit_key).await?.ok_or_else(|| {
                    here(AppError::Invalid {
                        field: "unit_key".into(),
                        message: format!("Không tìm thấy đơn vị có mã nội bộ \"{}\".", m.unit_key),
                    })
                })?;
                let cur = current.iter().find(|c| c.unit_id == unit.id);
                let f = MembershipFields {
                    position: match &m.position {
                        Some(p) => p.clone(),
                        None => cur.and_then(|c| c.position.clone()),
                    },
                    roles: match &m.roles {
                        Some(r) => r.clone(),
                        None => cur.map(|c| c.roles.clone()).unwrap_or_default(),
                    },
                    is_primary: m.primary.or(cur.map(|c| c.is_primary)).unwrap_or(false),
                };
                let was_admin = cur.is_some_and(|c| c.roles.contains(&Role::UnitAdmin));
                let admin_changes = was_admin != f.roles.contains(&Role::UnitAdmin);
                membership_grant(
                    actor,
                    &tx.ancestry(unit.id).await?,
                    &unit.name,
                    admin_changes,
                )
                .map_err(&here)?;
                out.push((unit.id, f));
            }
            // Several main units can come from stored values; the file's choice wins, else the first.
            let chosen = rows
                .iter()
                .filter_map(|r| r.membership.as_ref())
                .position(|m| m.primary == Some(true));
            if let Some(c) = chosen {
                for (i, (_, f)) in out.iter_mut().enumerate() {
                    f.is_primary = i == c;
                }
            } else if out.iter().filter(|(_, f)| f.is_primary).count() != 1 {
                for (i, (_, f)) in out.iter_mut().enumerate() {
                    f.is_primary = i == 0;
                }
            }
            // A membership that changes needs an active unit.
            for (r, (unit_id, f)) in rows.iter().filter(|r| r.membership.is_some()).zip(&out) {
                let same = current.iter().any(|c| {
                    c.unit_id == *unit_id
                        && c.position == f.position
                        && c.roles == f.roles
                        && c.is_primary == f.is_primary
                });
                if !same {
                    let unit = load_unit(&mut *tx, *unit_id).await?;
                    if !unit.active {
                        return Err(at(r.row)(AppError::Conflict(format!(
                            "Đơn vị \"{}\" đã ngừng hoạt động.",
                            unit.name
                        ))));
                    }
                }
            }
            // Memberships the file leaves out are removed: their units must be administered too.
            for c in &current {
                let admin = c.roles.contains(&Role::UnitAdmin);
                let grant = if admin {
                    actor.admin_grant_for_change(&tx.ancestry(c.unit_id).await?)
                } else {
                    actor.admin_grant(&tx.ancestry(c.unit_id).await?)
                };
                if !out.iter().any(|(u, _)| *u == c.unit_id) && grant.is_none() {
                    let name = load_unit(&mut *tx, c.unit_id).await?.name;
                    return Err(GroupError::from(AppError::Forbidden(format!(
                        "Tài khoản \"{}\" thuộc đơn vị \"{name}\" mà bạn không quản trị; tệp phải ghi cả đơn vị đó.",
                        username.as_str()
                    ))));
                }
            }
            Some(out)
        } else {
            None
        };
        let no_unit = match (&memberships, &before) {
            (Some(ms), _) => ms.is_empty(),
            (None, Some(_)) => false,
            (None, None) => true,
        };
        if no_unit && !actor.is_system_admin() {
            return Err(GroupError::from(AppError::Invalid {
                field: "unit_key".into(),
                message: "Người dùng phải thuộc ít nhất một đơn vị.".into(),
            }));
        }

        match before {
            Some(p) => {
                let same_fields = fields
                    == PersonFields {
                        full_name: p.full_name.clone(),
                        email: p.email.clone(),
                        phone: p.phone.clone(),
                        clearance: p.clearance,
                        system_admin: p.system_admin,
                    };
                let same_memberships = memberships.as_ref().is_none_or(|ms| {
                    ms.len() == current.len()
                        && ms.iter().all(|(u, f)| {
                            current.iter().any(|c| {
                                c.unit_id == *u
                                    && c.position == f.position
                                    && c.roles == f.roles
                                    && c.is_primary == f.is_primary
                            })
                        })
                });
                // An account as stored needs no right to change it, only to see it (as export does): a unit
                // administrator's own account and their peers' are in their exports.
                if same_fields && same_memberships {
                    let mut visible = actor.is_system_admin() || !current.is_empty();
                    for c in &current {
                        if !visible {
                            break;
                        }
                        visible = actor.in_scope(&tx.ancestry(c.unit_id).await?);
                    }
                    if visible {
                        return Ok(Plan::Unchanged);
                    }
                }
                person_grant(&mut *tx, actor, p.id).await?;
                Ok(Plan::Update {
                    id: p.id,
                    fields,
                    memberships,
                })
            }
            None => {
                let (password, generated) = match &first.cells.password {
                    Some(pw) => {
                        check_password(pw).map_err(|e| at(first.row)(e.into()))?;
                        (Some(pw.clone()), false)
                    }
                    None => (None, true),
                };
                Ok(Plan::Create {
                    fields,
                    memberships: memberships.unwrap_or_default(),
                    password,
                    generated,
                })
            }
        }
    }

    /// Loads a people file. See the module documentation of `io` for the rules.
    pub async fn import_people(
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
        self.import_people_with(actor, format, bytes, opts).await
    }

    /// Loads a people file, a dry run or a strict import as `opts` say.
    ///
    /// Every account is planned (checked, permissions included) before anything is written; passwords are
    /// hashed only for the new accounts that pass, before the write transaction opens. Once an account's
    /// writes have begun, any error aborts the whole import: nothing is saved.
    pub async fn import_people_with(
        &self,
        actor: &Actor,
        format: Format,
        bytes: &[u8],
        opts: ImportOptions,
    ) -> AppResult<ImportReport> {
        require_admin(actor)?;
        let t = table::read(format, bytes)?;
        let idx = table::map_columns(&t, PEOPLE_COLUMNS, WHAT)?;
        let has_unit_column = idx[UNIT].is_some();
        let mut rejected: Vec<RejectedRow> = Vec::new();
        let reject = |rejected: &mut Vec<RejectedRow>, row: &Row, reason: String| {
            rejected.push(RejectedRow {
                row: row.number,
                key: row.get(&idx, USERNAME).unwrap_or_default().to_string(),
                reason,
            })
        };

        // Rows grouped by username, in the order of their first row; a row that cannot be read refuses
        // the whole account.
        let mut order: Vec<Username> = Vec::new();
        let mut groups: HashMap<String, Vec<RowResult<'_>>> = HashMap::new();
        for row in &t.rows {
            let username = match Username::parse(row.get(&idx, USERNAME).unwrap_or("")) {
                Ok(u) => u,
                Err(e) => {
                    reject(&mut rejected, row, e.message);
                    continue;
                }
            };
            let parsed = parse_row(row, &idx).map_err(|e| (row, e.to_string()));
            let g = groups.entry(username.as_str().to_string()).or_default();
            if g.is_empty() {
                order.push(username);
            }
            g.push(parsed);
        }
        let mut ready: Vec<(Username, Vec<PersonRow<'_>>)> = Vec::new();
        for username in order {
            let g = groups.remove(username.as_str()).unwrap_or_default();
            if let Some(n) = g
                .iter()
                .find_map(|r| r.as_ref().err().map(|(row, _)| row.number))
            {
                for r in g {
                    let (row, why) = match r {
                        Ok(pr) => (
                            pr.row,
                            format!(
                                "Tài khoản \"{}\" không được nhập vì dòng {n} có lỗi.",
                                username.as_str()
                            ),
                        ),
                        Err((row, why)) => (row, why),
                    };
                    reject(&mut rejected, row, why);
                }
                continue;
            }
            ready.push((username, g.into_iter().flatten().collect()));
        }

        // Passwords of the new accounts that pass every check, hashed before the write transaction opens
        // (a read transaction does not hold the write lock).
        let mut hashes: HashMap<String, (String, String)> = HashMap::new();
        if !opts.dry_run {
            let mut wanted: Vec<(String, String)> = Vec::new();
            {
                let mut r = self.store.read().await?;
                for (u, rows) in &ready {
                    match self
                        .plan_person(&mut *r, actor, u, rows, has_unit_column)
                        .await
                    {
                        Ok(Plan::Create { password, .. }) => {
                            if wanted.len() == MAX_NEW_ACCOUNTS {
                                return Err(too_many_accounts());
                            }
                            let pw = password.unwrap_or_else(generate_password);
                            wanted.push((u.as_str().to_string(), pw));
                        }
                        Ok(Plan::Update { .. } | Plan::Unchanged) => {}
                        Err(GroupError {
                            error: e @ AppError::Internal(_),
                            ..
                        }) => return Err(e),
                        // Reported by the pass below, which decides.
                        Err(_) => {}
                    }
                }
            }
            let hashed = hash_all(wanted.iter().map(|(_, p)| p.clone()).collect()).await?;
            for ((u, pw), h) in wanted.into_iter().zip(hashed) {
                hashes.insert(u, (pw, h));
            }
        }

        let mut report = ImportReport {
            dry_run: opts.dry_run,
            ..Default::default()
        };
        let mut tx = self.store.write().await?;
        // Person and tree checks below must still hold at commit.
        tx.lock_organisation().await?;
        let mut new_accounts = 0usize;
        for (username, rows) in &ready {
            // The plan again, inside the transaction: what it reads is what the writes see.
            let plan = match self
                .plan_person(&mut *tx, actor, username, rows, has_unit_column)
                .await
            {
                Ok(plan) => plan,
                Err(GroupError {
                    error: e @ AppError::Internal(_),
                    ..
                }) => return Err(e),
                Err(GroupError { row, error }) => {
                    let reason = error.to_string();
                    for r in rows {
                        let why = match row {
                            Some(n) if n != r.row.number => format!(
                                "Tài khoản \"{}\" không được nhập vì dòng {n} bị từ chối: {reason}",
                                username.as_str()
                            ),
                            _ => reason.clone(),
                        };
                        reject(&mut rejected, r.row, why);
                    }
                    continue;
                }
            };
            if matches!(plan, Plan::Create { .. }) {
                new_accounts += 1;
                if new_accounts > MAX_NEW_ACCOUNTS {
                    return Err(too_many_accounts());
                }
            }
            // From here the account is written: an error leaves it half-written, so the import stops and
            // the transaction is rolled back.
            match self
                .apply_person(&mut tx, actor, username, plan, &hashes, &mut report)
                .await
            {
                Ok(Outcome::Created) => report.created += 1,
                Ok(Outcome::Updated) => report.updated += 1,
                Ok(Outcome::Unchanged) => report.unchanged += 1,
                Err(e) => return Err(aborted(username, rows[0].row.number, e)),
            }
        }
        rejected.sort_by_key(|r| r.row);
        report.rejected = rejected;
        finish(tx, &mut report, opts).await?;
        Ok(report)
    }

    async fn apply_person(
        &self,
        tx: &mut Box<dyn WriteTx>,
        actor: &Actor,
        username: &Username,
        plan: Plan,
        hashes: &HashMap<String, (String, String)>,
        report: &mut ImportReport,
    ) -> AppResult<Outcome> {
        match plan {
            Plan::Create {
                fields,
                memberships,
                password,
                generated,
            } => {
                let (shown, hash) = if report.dry_run {
                    (String::new(), None)
                } else if let Some((pw, h)) = hashes.get(username.as_str()) {
                    (pw.clone(), Some(h.clone()))
                } else {
                    // The account appeared after the passwords were prepared: hash now.
                    let pw = password.unwrap_or_else(generate_password);
                    let h = hash_password(&pw).await?;
                    (pw, Some(h))
                };
                self.create_person_in(tx, actor, username, &fields, &memberships, hash.as_deref())
                    .await?;
                if generated {
                    report.generated_passwords.push(GeneratedPassword {
                        username: username.as_str().to_string(),
                        password: shown,
                    });
                }
                Ok(Outcome::Created)
            }
            Plan::Unchanged => Ok(Outcome::Unchanged),
            Plan::Update {
                id,
                fields,
                memberships,
            } => {
                let changed = self
                    .update_person_in(tx, actor, id, &fields, memberships.as_deref())
                    .await?;
                Ok(if changed {
                    Outcome::Updated
                } else {
                    Outcome::Unchanged
                })
            }
        }
    }

    /// Writes the active accounts the actor administers, one row per membership (one row without a unit for
    /// an account in no unit), ordered by username.
    pub async fn export_people(&self, actor: &Actor, format: Format) -> AppResult<Vec<u8>> {
        require_admin(actor)?;
        let mut r = self.store.read().await?;
        let units = r.units(true).await?;
        let mut people = r
            .people(&PeopleFilter {
                include_inactive: false,
                limit: i64::MAX,
                ..Default::default()
            })
            .await?;
        let all = r.all_memberships().await?;
        drop(r);
        people.sort_by(|a, b| a.username.cmp(&b.username));
        let parents: HashMap<i64, Option<i64>> =
            units.iter().map(|u| (u.id, u.parent_id)).collect();
        let keys: HashMap<i64, &str> = units.iter().map(|u| (u.id, u.key.as_str())).collect();
        let mut by_person: HashMap<i64, Vec<&Membership>> = HashMap::new();
        for m in &all {
            by_person.entry(m.person_id).or_default().push(m);
        }
        let mut rows = Vec::new();
        for p in &people {
            let mut ms = by_person.remove(&p.id).unwrap_or_default();
            let manageable = actor.is_system_admin()
                || (!ms.is_empty()
                    && ms
                        .iter()
                        .all(|m| actor.in_scope(&ancestry_of(&parents, m.unit_id))));
            if !manageable {
                continue;
            }
            ms.sort_by_key(|m| (!m.is_primary, keys.get(&m.unit_id).copied().unwrap_or("")));
            let person = [
                p.username.clone(),
                p.full_name.clone(),
                p.email.clone().unwrap_or_default(),
                p.phone.clone().unwrap_or_default(),
                p.clearance.label().to_string(),
                yes_no(p.system_admin),
            ];
            if ms.is_empty() {
                let mut row = person.to_vec();
                row.extend([String::new(), String::new(), String::new(), String::new()]);
                rows.push(row);
            }
            for m in ms {
                let mut row = person.to_vec();
                row.extend([
                    keys.get(&m.unit_id).copied().unwrap_or("").to_string(),
                    m.position.clone().unwrap_or_default(),
                    m.roles
                        .iter()
                        .map(|r| r.label())
                        .collect::<Vec<_>>()
                        .join("; "),
                    yes_no(m.is_primary),
                ]);
                rows.push(row);
            }
        }
        table::write(format, "Người dùng", &PEOPLE_COLUMNS[..PASSWORD], &rows)
    }
}

//! Demo data: a realistic organisation after the 2025 restructuring (central Party bodies, three merged
//! provincial Party committees with departments and communes, one provincial People's Committee) and
//! people in every role. Identifier codes are well-formed but illustrative, not the real assigned codes.

use crate::App;
use crate::app::auth::hash_password;
use crate::app::people::MembershipInput;
use crate::app::units::{UnitInput, validate_fields};
use crate::error::AppResult;
use vanthu_domain::numbering::RegisterKind;
use vanthu_domain::{Clearance, Role, Secrecy, Username};
use vanthu_store::{MembershipFields, PersonFields, RegisterFields};

/// The demo password when `VANTHU_DEMO_PASSWORD` is not set.
pub const DEFAULT_DEMO_PASSWORD: &str = "VanThu@2025";

/// One account the demo created, for printing.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub full_name: String,
    pub unit: String,
    pub roles: String,
}

struct U {
    key: &'static str,
    parent: Option<&'static str>,
    code: Option<&'static str>,
    name: &'static str,
    short: &'static str,
    kind: &'static str,
    side: &'static str,
    /// Position of the leader, or empty for units that get no people.
    leader: &'static str,
    /// Whether the unit receives documents itself (gets a clerk and an administrator).
    receives: bool,
}

// A row of the table below; positional so that the table reads like one.
#[allow(clippy::too_many_arguments)]
const fn u(
    key: &'static str,
    parent: Option<&'static str>,
    code: Option<&'static str>,
    name: &'static str,
    short: &'static str,
    kind: &'static str,
    side: &'static str,
    leader: &'static str,
    receives: bool,
) -> U {
    U {
        key,
        parent,
        code,
        name,
        short,
        kind,
        side,
        leader,
        receives,
    }
}

#[rustfmt::skip]
const UNITS: &[U] = &[
    // Central Party bodies.
    u("vptw", None, Some("000.00.00.D01"), "Văn phòng Trung ương Đảng", "VPTW", "agency", "party", "Chánh Văn phòng", true),
    u("vptw.cds", Some("vptw"), None, "Cục Chuyển đổi số - Cơ yếu", "CĐS", "department", "party", "Cục trưởng", false),
    u("vptw.hc", Some("vptw"), None, "Cục Hành chính - Lưu trữ", "HCLT", "department", "party", "Cục trưởng", false),
    u("vptw.th", Some("vptw"), None, "Vụ Tổng hợp", "TH", "department", "party", "Vụ trưởng", false),
    u("btctw", None, Some("000.00.00.D02"), "Ban Tổ chức Trung ương", "BTCTW", "agency", "party", "Trưởng ban", true),
    u("ubkttw", None, Some("000.00.00.D03"), "Ủy ban Kiểm tra Trung ương", "UBKTTW", "agency", "party", "Chủ nhiệm", true),
    u("btgdvtw", None, Some("000.00.00.D04"), "Ban Tuyên giáo và Dân vận Trung ương", "BTGDVTW", "agency", "party", "Trưởng ban", true),
    u("bcscltw", None, Some("000.00.00.D05"), "Ban Chính sách, chiến lược Trung ương", "BCSCLTW", "agency", "party", "Trưởng ban", true),
    u("bnctw", None, Some("000.00.00.D06"), "Ban Nội chính Trung ương", "BNCTW", "agency", "party", "Trưởng ban", true),
    // Tỉnh ủy Ninh Bình (Ninh Bình, Hà Nam and Nam Định merged in 2025).
    u("tu.ninhbinh", None, Some("000.00.00.D40"), "Tỉnh ủy Ninh Bình", "TU", "agency", "party", "Bí thư Tỉnh ủy", true),
    u("tu.ninhbinh.vp", Some("tu.ninhbinh"), Some("000.00.01.D40"), "Văn phòng Tỉnh ủy Ninh Bình", "VPTU", "agency", "party", "Chánh Văn phòng", true),
    u("tu.ninhbinh.btc", Some("tu.ninhbinh"), Some("000.00.02.D40"), "Ban Tổ chức Tỉnh ủy Ninh Bình", "BTCTU", "agency", "party", "Trưởng ban", true),
    u("tu.ninhbinh.ubkt", Some("tu.ninhbinh"), Some("000.00.03.D40"), "Ủy ban Kiểm tra Tỉnh ủy Ninh Bình", "UBKTTU", "agency", "party", "Chủ nhiệm", true),
    u("tu.ninhbinh.btgdv", Some("tu.ninhbinh"), Some("000.00.04.D40"), "Ban Tuyên giáo và Dân vận Tỉnh ủy Ninh Bình", "BTGDVTU", "agency", "party", "Trưởng ban", true),
    u("tu.ninhbinh.vp.th", Some("tu.ninhbinh.vp"), None, "Phòng Tổng hợp", "TH", "department", "party", "Trưởng phòng", false),
    u("tu.ninhbinh.vp.hctv", Some("tu.ninhbinh.vp"), None, "Phòng Hành chính - Tài vụ", "HCTV", "department", "party", "Trưởng phòng", false),
    u("tu.ninhbinh.hoalu", Some("tu.ninhbinh"), Some("001.00.10.D40"), "Đảng ủy phường Hoa Lư", "ĐU", "ward", "party", "Bí thư Đảng ủy", true),
    u("tu.ninhbinh.namdinh", Some("tu.ninhbinh"), Some("002.00.10.D40"), "Đảng ủy phường Nam Định", "ĐU", "ward", "party", "Bí thư Đảng ủy", true),
    u("tu.ninhbinh.giavien", Some("tu.ninhbinh"), Some("003.00.10.D40"), "Đảng ủy xã Gia Viễn", "ĐU", "commune", "party", "Bí thư Đảng ủy", true),
    // Tỉnh ủy Lào Cai (Lào Cai and Yên Bái merged in 2025).
    u("tu.laocai", None, Some("000.00.00.D10"), "Tỉnh ủy Lào Cai", "TU", "agency", "party", "Bí thư Tỉnh ủy", true),
    u("tu.laocai.vp", Some("tu.laocai"), Some("000.00.01.D10"), "Văn phòng Tỉnh ủy Lào Cai", "VPTU", "agency", "party", "Chánh Văn phòng", true),
    u("tu.laocai.btc", Some("tu.laocai"), Some("000.00.02.D10"), "Ban Tổ chức Tỉnh ủy Lào Cai", "BTCTU", "agency", "party", "Trưởng ban", true),
    u("tu.laocai.ubkt", Some("tu.laocai"), Some("000.00.03.D10"), "Ủy ban Kiểm tra Tỉnh ủy Lào Cai", "UBKTTU", "agency", "party", "Chủ nhiệm", true),
    u("tu.laocai.btgdv", Some("tu.laocai"), Some("000.00.04.D10"), "Ban Tuyên giáo và Dân vận Tỉnh ủy Lào Cai", "BTGDVTU", "agency", "party", "Trưởng ban", true),
    u("tu.laocai.yenbai", Some("tu.laocai"), Some("001.00.10.D10"), "Đảng ủy phường Yên Bái", "ĐU", "ward", "party", "Bí thư Đảng ủy", true),
    u("tu.laocai.laocai", Some("tu.laocai"), Some("002.00.10.D10"), "Đảng ủy phường Lào Cai", "ĐU", "ward", "party", "Bí thư Đảng ủy", true),
    u("tu.laocai.bacha", Some("tu.laocai"), Some("003.00.10.D10"), "Đảng ủy xã Bắc Hà", "ĐU", "commune", "party", "Bí thư Đảng ủy", true),
    // Tỉnh ủy Tuyên Quang (Tuyên Quang and Hà Giang merged in 2025).
    u("tu.tuyenquang", None, Some("000.00.00.D08"), "Tỉnh ủy Tuyên Quang", "TU", "agency", "party", "Bí thư Tỉnh ủy", true),
    u("tu.tuyenquang.vp", Some("tu.tuyenquang"), Some("000.00.01.D08"), "Văn phòng Tỉnh ủy Tuyên Quang", "VPTU", "agency", "party", "Chánh Văn phòng", true),
    u("tu.tuyenquang.btc", Some("tu.tuyenquang"), Some("000.00.02.D08"), "Ban Tổ chức Tỉnh ủy Tuyên Quang", "BTCTU", "agency", "party", "Trưởng ban", true),
    u("tu.tuyenquang.minhxuan", Some("tu.tuyenquang"), Some("001.00.10.D08"), "Đảng ủy phường Minh Xuân", "ĐU", "ward", "party", "Bí thư Đảng ủy", true),
    u("tu.tuyenquang.hagiang1", Some("tu.tuyenquang"), Some("002.00.10.D08"), "Đảng ủy phường Hà Giang 1", "ĐU", "ward", "party", "Bí thư Đảng ủy", true),
    u("tu.tuyenquang.dongvan", Some("tu.tuyenquang"), Some("003.00.10.D08"), "Đảng ủy xã Đồng Văn", "ĐU", "commune", "party", "Bí thư Đảng ủy", true),
    // The State side of Ninh Bình.
    u("ubnd.ninhbinh", None, Some("000.00.00.H40"), "Ủy ban nhân dân tỉnh Ninh Bình", "UBND", "agency", "state", "Chủ tịch", true),
    u("ubnd.ninhbinh.vp", Some("ubnd.ninhbinh"), Some("000.00.01.H40"), "Văn phòng Ủy ban nhân dân tỉnh", "VP", "agency", "state", "Chánh Văn phòng", true),
    u("ubnd.ninhbinh.snv", Some("ubnd.ninhbinh"), Some("000.00.02.H40"), "Sở Nội vụ tỉnh Ninh Bình", "SNV", "agency", "state", "Giám đốc", true),
    u("ubnd.ninhbinh.hoalu", Some("ubnd.ninhbinh"), Some("001.00.10.H40"), "Ủy ban nhân dân phường Hoa Lư", "UBND", "ward", "state", "Chủ tịch", true),
];

const SURNAMES: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
];
const MIDDLE: &[&str] = &[
    "Văn", "Thị", "Minh", "Đức", "Thu", "Quang", "Thanh", "Ngọc", "Hữu", "Thúy",
];
const GIVEN: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Lan", "Linh", "Long",
    "Mai", "Nam", "Phương", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Yến", "Khánh", "Việt",
    "Thắng",
];

fn person_name(i: usize) -> String {
    format!(
        "{} {} {}",
        SURNAMES[i % SURNAMES.len()],
        MIDDLE[(i / 3 + i) % MIDDLE.len()],
        GIVEN[(i * 7 + 3) % GIVEN.len()]
    )
}

/// Whether the installation has no organisation yet.
pub async fn is_empty(app: &App) -> AppResult<bool> {
    Ok(app.store.read().await?.units(true).await?.is_empty())
}

/// Creates the demo organisation and accounts in one transaction, all with `password`.
pub async fn seed(app: &App, password: &str) -> AppResult<Vec<DemoAccount>> {
    vanthu_domain::org::check_password(password)?;
    // One hash for every demo account keeps start-up fast; real accounts each get their own salt.
    let hash = hash_password(password).await?;
    let actor = App::installation_actor();
    let mut tx = app.store.write().await?;
    let mut ids = std::collections::HashMap::new();
    for unit in UNITS {
        let f = validate_fields(&UnitInput {
            key: unit.key.into(),
            code: unit.code.map(Into::into),
            code_format: None,
            old_code: None,
            name: unit.name.into(),
            short_name: Some(unit.short.into()),
            kind: unit.kind.into(),
            side: unit.side.into(),
            parent_id: None,
            valid_from: Some("2025-07-01".into()),
            valid_to: None,
        })?;
        let parent = unit.parent.map(|p| ids[p]);
        let id = app.create_unit_in(&mut tx, &actor, &f, parent).await?;
        ids.insert(unit.key, id);
    }

    let mut accounts = Vec::new();
    let mut n = 0usize;
    let mut add = |username: String, unit: &U, role: Role, position: &str, clearance: Clearance| {
        n += 1;
        (
            username,
            person_name(n * 5 + unit.key.len()),
            unit.key,
            role,
            position.to_string(),
            clearance,
        )
    };
    let mut wanted = vec![(
        "admin".to_string(),
        "Quản trị hệ thống".to_string(),
        "vptw.cds",
        Role::UnitAdmin,
        "Quản trị hệ thống".to_string(),
        Clearance(Some(Secrecy::TuyetMat)),
    )];
    for unit in UNITS {
        let central =
            unit.parent.is_none() && !unit.key.starts_with("tu.") && !unit.key.starts_with("ubnd.");
        let top = if central {
            Secrecy::TuyetMat
        } else {
            Secrecy::ToiMat
        };
        let base = unit.key.to_string();
        wanted.push(add(
            format!("{base}.lanhdao"),
            unit,
            Role::Leader,
            unit.leader,
            Clearance(Some(top)),
        ));
        wanted.push(add(
            format!("{base}.chuyenvien"),
            unit,
            Role::Specialist,
            "Chuyên viên",
            Clearance::NONE,
        ));
        if unit.receives {
            wanted.push(add(
                format!("{base}.vanthu"),
                unit,
                Role::Clerk,
                "Văn thư",
                Clearance(Some(Secrecy::Mat)),
            ));
            wanted.push(add(
                format!("{base}.quantri"),
                unit,
                Role::UnitAdmin,
                "Quản trị đơn vị",
                Clearance(Some(Secrecy::Mat)),
            ));
        }
    }
    for (username, full_name, unit_key, role, position, clearance) in wanted {
        let system_admin = username == "admin";
        let fields = PersonFields {
            full_name: full_name.clone(),
            email: None,
            phone: None,
            clearance,
            system_admin,
        };
        let m = MembershipInput {
            unit_id: ids[unit_key],
            position: Some(position),
            roles: vec![role.code().into()],
            is_primary: true,
        };
        let mf: MembershipFields = crate::app::people::validate_membership(&m)?;
        let u = Username::parse(&username)?;
        let id = app
            .create_person_in(
                &mut tx,
                &actor,
                &u,
                &fields,
                &[(m.unit_id, mf)],
                Some(&hash),
            )
            .await?;
        // Demo accounts need not change the shared password at first sign-in.
        let g = actor
            .system_person_grant(id)
            .expect("installation actor administers everyone");
        tx.set_password(&g, &hash, false, vanthu_store::now_ms())
            .await?;
        let unit_name = UNITS
            .iter()
            .find(|x| x.key == unit_key)
            .map(|x| x.name)
            .unwrap_or_default();
        accounts.push(DemoAccount {
            username,
            full_name,
            unit: unit_name.into(),
            roles: if system_admin {
                format!("{}, {}", Role::SystemAdmin.label(), role.label())
            } else {
                role.label().into()
            },
        });
    }
    // Registers of every unit that receives documents: incoming per year; outgoing per year (State) or per
    // Party term; secret documents in registers of their own.
    let year = crate::app::views::current_local_year().to_string();
    for unit in UNITS.iter().filter(|u| u.receives) {
        let g = actor
            .admin_grant(&tx.ancestry(ids[unit.key]).await?)
            .expect("installation actor administers everything");
        // Party outgoing documents are numbered per term: the provincial and commune congresses of 2025, the
        // XIV National Congress of January 2026 for the central bodies.
        let central = !unit.key.starts_with("tu.") && !unit.key.starts_with("ubnd.");
        let outgoing_period = match (unit.side, central) {
            ("party", true) => "2026-2031".to_string(),
            ("party", false) => "2025-2030".to_string(),
            _ => year.clone(),
        };
        for (kind, period) in [
            (RegisterKind::Incoming, &year),
            (RegisterKind::Outgoing, &outgoing_period),
            (RegisterKind::Internal, &year),
        ] {
            for secret in [false, true] {
                let f = RegisterFields {
                    kind,
                    period: period.clone(),
                    secret,
                    series: String::new(),
                    name: format!(
                        "{}{} {period}",
                        kind.label(),
                        if secret { " (mật)" } else { "" }
                    ),
                };
                tx.insert_register(&g, &f, vanthu_store::now_ms()).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(accounts)
}

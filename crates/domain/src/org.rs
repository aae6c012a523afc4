//! Organisation vocabulary: unit kinds, sides, roles, secrecy and clearance, keys and usernames.

use crate::Invalid;
use crate::text::fold_ascii;
use serde::{Deserialize, Serialize};

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident, $field:literal, $what:literal { $($(#[$vm:meta])* $var:ident = $code:literal, $label:literal, [$($alias:literal),*];)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $code)] $var,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),*];

            /// The stable code used in the API, the database and files.
            pub fn code(self) -> &'static str {
                match self { $($name::$var => $code,)* }
            }

            /// The Vietnamese label shown to users.
            pub fn label(self) -> &'static str {
                match self { $($name::$var => $label,)* }
            }

            /// Accepts the code, the Vietnamese label (with or without diacritics) or a known alias.
            pub fn parse(raw: &str) -> Result<$name, Invalid> {
                // Stored values are codes: answer them without folding.
                let trimmed = raw.trim();
                $( if trimmed == $code { return Ok($name::$var); } )*
                let folded = fold_ascii(raw.trim()).replace([' ', '-'], "_");
                $(
                    if folded == $code || folded == fold_ascii($label).replace([' ', '-'], "_") $(|| folded == $alias)* {
                        return Ok($name::$var);
                    }
                )*
                let allowed: Vec<String> = $name::ALL.iter().map(|v| format!("{} ({})", v.code(), v.label())).collect();
                Err(Invalid::new($field, format!("{} \"{}\" không hợp lệ; dùng một trong: {}.", $what, raw.trim(), allowed.join(", "))))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

pub(crate) use code_enum;

code_enum!(
    /// What a unit is: an agency (cơ quan) that sends and receives documents in its own name, an internal
    /// department (phòng, ban), or a commune-level unit.
    UnitKind, "kind", "Loại đơn vị" {
        Agency = "agency", "Cơ quan", ["co_quan_to_chuc"];
        Department = "department", "Phòng, ban", ["phong_ban", "phong", "ban"];
        Commune = "commune", "Xã", ["cap_xa"];
        Ward = "ward", "Phường", [];
        SpecialZone = "special_zone", "Đặc khu", [];
    }
);

code_enum!(
    /// The Party side or the State side of the political system.
    Side, "side", "Khối" {
        Party = "party", "Đảng", ["khoi_dang"];
        State = "state", "Nhà nước", ["chinh_quyen", "khoi_nha_nuoc"];
    }
);

code_enum!(
    /// What a person may do in a unit.
    Role, "roles", "Vai trò" {
        Clerk = "clerk", "Văn thư", [];
        Leader = "leader", "Lãnh đạo", [];
        Specialist = "specialist", "Chuyên viên", [];
        UnitAdmin = "unit_admin", "Quản trị đơn vị", [];
        SystemAdmin = "system_admin", "Quản trị hệ thống", [];
    }
);

code_enum!(
    /// Secrecy levels of State secrets (Luật Bảo vệ bí mật nhà nước), from lowest to highest.
    Secrecy, "secrecy", "Độ mật" {
        Mat = "mat", "Mật", [];
        ToiMat = "toi_mat", "Tối mật", [];
        TuyetMat = "tuyet_mat", "Tuyệt mật", [];
    }
);

/// The highest secrecy level a person may read; `None` reads only ordinary documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Clearance(pub Option<Secrecy>);

impl Clearance {
    pub const NONE: Clearance = Clearance(None);

    pub fn code(self) -> &'static str {
        self.0.map(Secrecy::code).unwrap_or("none")
    }

    pub fn label(self) -> &'static str {
        self.0.map(Secrecy::label).unwrap_or("Không")
    }

    pub fn parse(raw: &str) -> Result<Clearance, Invalid> {
        match raw.trim() {
            "none" => return Ok(Clearance(None)),
            "mat" => return Ok(Clearance(Some(Secrecy::Mat))),
            "toi_mat" => return Ok(Clearance(Some(Secrecy::ToiMat))),
            "tuyet_mat" => return Ok(Clearance(Some(Secrecy::TuyetMat))),
            _ => {}
        }
        let f = fold_ascii(raw.trim());
        if f.is_empty() || f == "none" || f == "khong" || f == "thuong" {
            return Ok(Clearance(None));
        }
        Secrecy::parse(raw).map(|s| Clearance(Some(s))).map_err(|_| {
            Invalid::new(
                "clearance",
                format!(
                    "Mức được đọc tài liệu mật \"{}\" không hợp lệ; dùng none (Không), mat (Mật), toi_mat (Tối mật) hoặc tuyet_mat (Tuyệt mật).",
                    raw.trim()
                ),
            )
        })
    }

    /// Whether a document of this secrecy (None = ordinary) may be read.
    pub fn may_read(self, secrecy: Option<Secrecy>) -> bool {
        secrecy <= self.0
    }

    pub fn all() -> [Clearance; 4] {
        [
            Clearance(None),
            Clearance(Some(Secrecy::Mat)),
            Clearance(Some(Secrecy::ToiMat)),
            Clearance(Some(Secrecy::TuyetMat)),
        ]
    }
}

/// A stable internal key of a unit (mã nội bộ), used in imports and exports: lowercase ASCII letters, digits,
/// `.`, `-`, `_`; 1 to 64 characters, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnitKey(String);

impl UnitKey {
    pub fn parse(raw: &str) -> Result<UnitKey, Invalid> {
        let s = raw.trim().to_lowercase();
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && s.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_')
            });
        if ok {
            Ok(UnitKey(s))
        } else {
            Err(Invalid::new(
                "key",
                format!(
                    "Mã nội bộ \"{}\" không hợp lệ: dùng 1–64 chữ cái không dấu, chữ số và các ký tự . - _ (ví dụ: vptw.vp).",
                    raw.trim()
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A sign-in name: 3 to 64 lowercase ASCII letters, digits, `.`, `-`, `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, Invalid> {
        let s = raw.trim().to_lowercase();
        let ok = (3..=64).contains(&s.len())
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && s.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_')
            });
        if ok {
            Ok(Username(s))
        } else {
            Err(Invalid::new(
                "username",
                format!(
                    "Tên đăng nhập \"{}\" không hợp lệ: dùng 3–64 chữ cái không dấu, chữ số và các ký tự . - _",
                    raw.trim()
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks a new password: 8 to 128 characters, not only one kind of character.
pub fn check_password(pw: &str) -> Result<(), Invalid> {
    let n = pw.chars().count();
    if n < 8 {
        return Err(Invalid::new(
            "password",
            "Mật khẩu phải có ít nhất 8 ký tự.",
        ));
    }
    if n > 128 {
        return Err(Invalid::new("password", "Mật khẩu dài quá 128 ký tự."));
    }
    let classes = [
        pw.chars().any(|c| c.is_lowercase()),
        pw.chars().any(|c| c.is_uppercase()),
        pw.chars().any(|c| c.is_ascii_digit()),
        pw.chars().any(|c| !c.is_alphanumeric()),
    ];
    if classes.iter().filter(|b| **b).count() < 2 {
        return Err(Invalid::new(
            "password",
            "Mật khẩu phải kết hợp ít nhất hai loại ký tự (chữ thường, chữ hoa, chữ số, ký hiệu).",
        ));
    }
    Ok(())
}

/// Parses a list of roles separated by `;`, `,` or `|`, without duplicates.
pub fn parse_roles(raw: &str) -> Result<Vec<Role>, Invalid> {
    let mut out = Vec::new();
    for part in raw.split([';', ',', '|']) {
        if part.trim().is_empty() {
            continue;
        }
        let r = Role::parse(part)?;
        if !out.contains(&r) {
            out.push(r);
        }
    }
    out.sort();
    Ok(out)
}

pub fn roles_to_string(roles: &[Role]) -> String {
    roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_accept_codes_labels_and_unaccented_labels() {
        assert_eq!(Role::parse("clerk").unwrap(), Role::Clerk);
        assert_eq!(Role::parse("Văn thư").unwrap(), Role::Clerk);
        assert_eq!(Role::parse("van thu").unwrap(), Role::Clerk);
        assert_eq!(Role::parse("Quản trị đơn vị").unwrap(), Role::UnitAdmin);
        assert_eq!(UnitKind::parse("Phòng, ban").unwrap(), UnitKind::Department);
        assert_eq!(UnitKind::parse("castle").unwrap_err().field, "kind");
        assert_eq!(UnitKind::parse("phong_ban").unwrap(), UnitKind::Department);
        assert_eq!(Side::parse("Đảng").unwrap(), Side::Party);
        let e = Role::parse("boss").unwrap_err();
        assert!(e.message.contains("Văn thư"));
    }

    #[test]
    fn clearance_orders_levels() {
        let c = Clearance::parse("Tối mật").unwrap();
        assert!(c.may_read(None));
        assert!(c.may_read(Some(Secrecy::Mat)));
        assert!(c.may_read(Some(Secrecy::ToiMat)));
        assert!(!c.may_read(Some(Secrecy::TuyetMat)));
        assert!(!Clearance::NONE.may_read(Some(Secrecy::Mat)));
        assert_eq!(Clearance::parse("").unwrap(), Clearance::NONE);
        assert!(Clearance::parse("secret-ish").is_err());
    }

    #[test]
    fn keys_and_usernames() {
        assert_eq!(UnitKey::parse(" VPTW.VP ").unwrap().as_str(), "vptw.vp");
        assert!(UnitKey::parse("văn phòng").is_err());
        assert!(UnitKey::parse(".x").is_err());
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("nguyễn").is_err());
        assert_eq!(Username::parse("Admin").unwrap().as_str(), "admin");
    }

    #[test]
    fn passwords_and_roles() {
        assert!(check_password("short1").is_err());
        assert!(check_password("alllowercase").is_err());
        assert!(check_password("Vanthu@2025").is_ok());
        assert_eq!(
            parse_roles("leader; văn thư;clerk").unwrap(),
            vec![Role::Clerk, Role::Leader]
        );
        assert!(parse_roles("leader;king").is_err());
    }
}

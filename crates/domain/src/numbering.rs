//! Registers and the number and notation (*số, ký hiệu*) of documents.
//!
//! State form (NĐ 30/2020 Phụ lục I §I.3): `Số: 15/QĐ-UBND`, công văn `Số: 05/BNV-VP` — number with a leading zero
//! below 10, "/" before the notation, "-" between abbreviation groups. Party form (HD 36-HD/VPTW):
//! `Số 15671-CV/VPTW`, `135-BC/VPTW/nb` — "-" after the number, "/" between groups, no colon after "Số".

use crate::Invalid;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotationStyle {
    State,
    Party,
}

impl NotationStyle {
    pub fn code(self) -> &'static str {
        match self {
            NotationStyle::State => "state",
            NotationStyle::Party => "party",
        }
    }

    pub fn parse(s: &str) -> Result<NotationStyle, Invalid> {
        match s.trim() {
            "state" | "nha_nuoc" => Ok(NotationStyle::State),
            "party" | "dang" => Ok(NotationStyle::Party),
            other => Err(Invalid::new(
                "style",
                format!(
                    "Kiểu số, ký hiệu \"{other}\" không hợp lệ: dùng state (Nhà nước) hoặc party (Đảng)."
                ),
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegisterKind {
    /// Sổ đăng ký văn bản đến: arrival numbers (số đến).
    Incoming,
    /// Sổ đăng ký văn bản đi.
    Outgoing,
    /// Văn bản nội bộ.
    Internal,
}

impl RegisterKind {
    pub fn code(self) -> &'static str {
        match self {
            RegisterKind::Incoming => "incoming",
            RegisterKind::Outgoing => "outgoing",
            RegisterKind::Internal => "internal",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RegisterKind::Incoming => "Sổ văn bản đến",
            RegisterKind::Outgoing => "Sổ văn bản đi",
            RegisterKind::Internal => "Sổ văn bản nội bộ",
        }
    }

    pub fn parse(s: &str) -> Result<RegisterKind, Invalid> {
        match s.trim() {
            "incoming" | "den" => Ok(RegisterKind::Incoming),
            "outgoing" | "di" => Ok(RegisterKind::Outgoing),
            "internal" | "noi_bo" => Ok(RegisterKind::Internal),
            other => Err(Invalid::new(
                "kind",
                format!(
                    "Loại sổ \"{other}\" không hợp lệ: dùng incoming (đến), outgoing (đi) hoặc internal (nội bộ)."
                ),
            )),
        }
    }
}

/// The period a register numbers within: a calendar year (`2026`, State documents and every incoming register)
/// or a Party term (`2025-2030`, numbers run on across the years of the term).
pub fn parse_period(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    let year = |y: &str| {
        y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) && ("1945"..="2200").contains(&y)
    };
    let ok = match s.split_once('-') {
        None => year(s),
        Some((a, b)) => year(a) && year(b) && a < b,
    };
    if ok {
        Ok(s.to_string())
    } else {
        Err(Invalid::new(
            "period",
            format!(
                "Kỳ đánh số \"{s}\" không hợp lệ: dùng một năm (2026) hoặc một nhiệm kỳ (2025-2030)."
            ),
        ))
    }
}

/// An abbreviation in a notation (`QĐ`, `UBND`, `CTr`, `nb`): letters (with Vietnamese ones) and digits only.
pub fn parse_abbreviation(field: &'static str, raw: &str) -> Result<String, Invalid> {
    let s = crate::text::normalize(raw);
    if s.is_empty() || s.chars().count() > 20 || !s.chars().all(|c| c.is_alphanumeric()) {
        return Err(Invalid::new(
            field,
            format!(
                "Chữ viết tắt \"{s}\" không hợp lệ: chỉ gồm chữ và số, tối đa 20 ký tự, không có dấu cách, \"/\" hay \"-\"."
            ),
        ));
    }
    Ok(s)
}

/// The notation (*ký hiệu*) of a document.
///
/// State: type and body joined by "-" (`QĐ-UBND`); a công văn has no type, so the body and the drafting unit
/// (`BNV-VP`). Party: type and body joined by "/" (`CV/VPTW`), with any further groups (`BC/VPTW/nb`).
pub fn notation(
    style: NotationStyle,
    type_abbr: Option<&str>,
    body: &str,
    extra: &[&str],
) -> String {
    let sep = match style {
        NotationStyle::State => "-",
        NotationStyle::Party => "/",
    };
    type_abbr
        .into_iter()
        .chain(std::iter::once(body))
        .chain(extra.iter().copied())
        .collect::<Vec<_>>()
        .join(sep)
}

/// The number as written: two digits at least (`05`).
pub fn number_text(n: i64) -> String {
    format!("{n:02}")
}

/// The number and notation as printed on the document: `Số: 15/QĐ-UBND` or `Số 15671-CV/VPTW`.
pub fn number_and_notation(style: NotationStyle, n: i64, notation: &str) -> (String, String) {
    match style {
        NotationStyle::State => {
            let s = format!("{}/{notation}", number_text(n));
            let shown = format!("Số: {s}");
            (s, shown)
        }
        NotationStyle::Party => {
            let s = format!("{}-{notation}", number_text(n));
            let shown = format!("Số {s}");
            (s, shown)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_and_party_forms() {
        let n = notation(NotationStyle::State, Some("QĐ"), "UBND", &[]);
        assert_eq!(
            number_and_notation(NotationStyle::State, 15, &n),
            ("15/QĐ-UBND".into(), "Số: 15/QĐ-UBND".into())
        );
        let cv = notation(NotationStyle::State, None, "BNV", &["VP"]);
        assert_eq!(
            number_and_notation(NotationStyle::State, 5, &cv).0,
            "05/BNV-VP"
        );
        let p = notation(NotationStyle::Party, Some("CV"), "VPTW", &[]);
        assert_eq!(
            number_and_notation(NotationStyle::Party, 15671, &p),
            ("15671-CV/VPTW".into(), "Số 15671-CV/VPTW".into())
        );
        let nb = notation(NotationStyle::Party, Some("BC"), "VPTW", &["nb"]);
        assert_eq!(
            number_and_notation(NotationStyle::Party, 135, &nb).0,
            "135-BC/VPTW/nb"
        );
    }

    #[test]
    fn periods_and_abbreviations() {
        assert_eq!(parse_period("2026").unwrap(), "2026");
        assert_eq!(parse_period("2025-2030").unwrap(), "2025-2030");
        for bad in ["26", "2030-2025", "2026-", "năm 2026", "1800"] {
            assert!(parse_period(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_abbreviation("a", "QĐ").unwrap(), "QĐ");
        assert_eq!(parse_abbreviation("a", "CTr").unwrap(), "CTr");
        for bad in ["", "Q Đ", "QĐ-UBND", "a/b"] {
            assert!(parse_abbreviation("a", bad).is_err(), "{bad}");
        }
    }
}

//! Identifier codes (mã định danh) of agencies.
//!
//! The national axis uses the 13-character form `NNN.NN.NN.LNN` (cấp 4 . cấp 3 . cấp 2 . cấp 1, the last
//! part one capital letter and two digits), e.g. `000.00.00.G22`. Other forms (SaaS system ids, enterprise
//! codes) are kept as registered strings when the administrator says so explicitly.

use crate::Invalid;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum CodeFormat {
    /// The 13-character `NNN.NN.NN.LNN` form of the national axis, validated strictly.
    #[default]
    Axis,
    /// Any other registered identifier (e.g. `vxp.saas.03`), kept as given.
    Other,
}

impl CodeFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            CodeFormat::Axis => "axis",
            CodeFormat::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<CodeFormat, Invalid> {
        match s {
            "axis" => return Ok(CodeFormat::Axis),
            "other" => return Ok(CodeFormat::Other),
            _ => {}
        }
        match s.trim().to_lowercase().as_str() {
            "" | "axis" | "truc" | "trục" | "qd20" => Ok(CodeFormat::Axis),
            "other" | "khac" | "khác" => Ok(CodeFormat::Other),
            other => Err(Invalid::new(
                "code_format",
                format!(
                    "Dạng mã định danh \"{other}\" không hợp lệ: dùng \"axis\" hoặc \"other\"."
                ),
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdentifierCode(String);

impl IdentifierCode {
    pub fn parse(
        field: &'static str,
        raw: &str,
        format: CodeFormat,
    ) -> Result<IdentifierCode, Invalid> {
        let s = raw.trim();
        match format {
            CodeFormat::Axis => parse_axis(field, s).map(IdentifierCode),
            CodeFormat::Other => {
                if s.is_empty() || s.len() > 64 {
                    return Err(Invalid::new(
                        field,
                        "Mã định danh phải có từ 1 đến 64 ký tự.",
                    ));
                }
                if !s
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
                {
                    return Err(Invalid::new(
                        field,
                        format!(
                            "Mã định danh \"{s}\" chỉ được gồm chữ cái không dấu, chữ số và các ký tự . - _ :"
                        ),
                    ));
                }
                Ok(IdentifierCode(s.to_string()))
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn parse_axis(field: &'static str, s: &str) -> Result<String, Invalid> {
    let bad = |why: &str| {
        Invalid::new(
            field,
            format!(
                "Mã định danh \"{s}\" không đúng dạng NNN.NN.NN.LNN của Trục liên thông (13 ký tự, ví dụ 000.00.00.G22): {why}"
            ),
        )
    };
    if s.chars().count() != 13 {
        return Err(bad(&format!("có {} ký tự thay vì 13", s.chars().count())));
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return Err(bad("phải gồm 4 phần ngăn cách bởi dấu chấm"));
    }
    let lens = [3usize, 2, 2, 3];
    for (i, (p, want)) in parts.iter().zip(lens).enumerate() {
        if p.len() != want {
            return Err(bad(&format!("phần thứ {} phải có {want} ký tự", i + 1)));
        }
    }
    for (i, p) in parts[..3].iter().enumerate() {
        if !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(&format!("phần thứ {} chỉ gồm chữ số", i + 1)));
        }
    }
    let last = parts[3].as_bytes();
    if !last[0].is_ascii_uppercase() || !last[1].is_ascii_digit() || !last[2].is_ascii_digit() {
        return Err(bad("phần cuối phải là một chữ cái in hoa và hai chữ số"));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_codes() {
        for ok in ["000.00.00.G22", "002.00.20.H13", "000.01.01.H08"] {
            assert_eq!(
                IdentifierCode::parse("code", ok, CodeFormat::Axis)
                    .unwrap()
                    .as_str(),
                ok
            );
        }
        for bad in [
            "28.22.H17",
            "01.02.G22",
            "000.00.00.g22",
            "000.00.00.GG2",
            "000.0A.00.G22",
            "000-00-00-G22",
            "0000.0.00.G22",
            "",
            "000.00.00.G22 x",
        ] {
            let e = IdentifierCode::parse("code", bad, CodeFormat::Axis).unwrap_err();
            assert!(e.message.contains("NNN.NN.NN.LNN"), "{bad}: {}", e.message);
        }
    }

    #[test]
    fn other_codes() {
        assert!(IdentifierCode::parse("code", "vxp.saas.03", CodeFormat::Other).is_ok());
        assert!(IdentifierCode::parse("code", "H37.DN.001", CodeFormat::Other).is_ok());
        assert!(IdentifierCode::parse("code", "có dấu", CodeFormat::Other).is_err());
        assert!(IdentifierCode::parse("code", "", CodeFormat::Other).is_err());
    }
}

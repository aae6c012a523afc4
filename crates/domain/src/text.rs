//! Vietnamese text at the boundary: NFC normalisation and bounded, printable names.

use crate::Invalid;
use unicode_normalization::UnicodeNormalization;

/// Normalises text to NFC and trims surrounding whitespace; inner runs of whitespace become one space.
pub fn normalize(s: &str) -> String {
    let nfc: String = s.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Characters that reorder text on screen (bidirectional overrides and isolates): never needed in
/// Vietnamese, and able to make a name or an address look like another.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A human-readable name (unit name, person's name, position): NFC, non-empty, bounded, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub fn parse(
        field: &'static str,
        label: &str,
        raw: &str,
        max_chars: usize,
    ) -> Result<Name, Invalid> {
        if raw
            .chars()
            .any(|c| (c.is_control() && !c.is_whitespace()) || is_bidi_control(c) || c == '\0')
        {
            return Err(Invalid::new(
                field,
                format!("{label} chứa ký tự điều khiển không hợp lệ."),
            ));
        }
        let s = normalize(raw);
        if s.is_empty() {
            return Err(Invalid::new(field, format!("{label} không được để trống.")));
        }
        let n = s.chars().count();
        if n > max_chars {
            return Err(Invalid::new(
                field,
                format!("{label} dài {n} ký tự, tối đa {max_chars} ký tự."),
            ));
        }
        Ok(Name(s))
    }

    /// Like [`Name::parse`] but an empty or missing value gives `None`.
    pub fn parse_opt(
        field: &'static str,
        label: &str,
        raw: Option<&str>,
        max_chars: usize,
    ) -> Result<Option<Name>, Invalid> {
        match raw {
            None => Ok(None),
            Some(r) if normalize(r).is_empty() => Ok(None),
            Some(r) => Name::parse(field, label, r, max_chars).map(Some),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A multi-line text (direction, comment, report): NFC, lines kept, each line's spaces squeezed, no control
/// characters, not empty, bounded.
pub fn parse_text(
    field: &'static str,
    label: &str,
    raw: &str,
    max_chars: usize,
) -> Result<String, Invalid> {
    if raw
        .chars()
        .any(|c| (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || is_bidi_control(c))
    {
        return Err(Invalid::new(
            field,
            format!("{label} chứa ký tự điều khiển không hợp lệ."),
        ));
    }
    let nfc: String = raw
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .nfc()
        .collect();
    let lines: Vec<String> = nfc.lines().map(normalize).collect();
    let mut out: Vec<&str> = Vec::new();
    for l in &lines {
        // At most one empty line in a row.
        if l.is_empty() && out.last().is_none_or(|p| p.is_empty()) {
            continue;
        }
        out.push(l);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    let s = out.join("\n");
    if s.is_empty() {
        return Err(Invalid::new(field, format!("{label} không được để trống.")));
    }
    let n = s.chars().count();
    if n > max_chars {
        return Err(Invalid::new(
            field,
            format!("{label} dài {n} ký tự, tối đa {max_chars} ký tự."),
        ));
    }
    Ok(s)
}

/// Folds Vietnamese to ASCII for slugs, usernames and sorting keys ("Đảng ủy" -> "dang uy").
pub fn fold_ascii(s: &str) -> String {
    deunicode::deunicode(&s.nfc().collect::<String>()).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfc_and_whitespace() {
        // "Nghị định" written in decomposed form (NFD) becomes the precomposed form.
        let nfd = "  Nghi\u{0323} \t đi\u{0323}nh  ";
        assert_eq!(normalize(nfd), "Nghị định");
    }

    #[test]
    fn texts_keep_lines() {
        let t = parse_text(
            "t",
            "Ý kiến",
            "  Giao  phòng A\r\n\r\n\r\n chủ trì  \n\n",
            100,
        )
        .unwrap();
        assert_eq!(t, "Giao phòng A\n\nchủ trì");
        assert!(parse_text("t", "Ý kiến", " \n ", 100).is_err());
        assert!(parse_text("t", "Ý kiến", "a\u{0}", 100).is_err());
    }

    #[test]
    fn names_are_bounded() {
        assert!(Name::parse("name", "Tên", "   ", 10).is_err());
        assert!(Name::parse("name", "Tên", "Văn phòng", 5).is_err());
        assert!(Name::parse("name", "Tên", "a\u{0007}b", 10).is_err());
        assert!(Name::parse("name", "Tên", "a\u{202E}b", 10).is_err());
        assert!(Name::parse("name", "Tên", "a\u{0}b", 10).is_err());
        assert_eq!(
            Name::parse("name", "Tên", " Văn  phòng ", 20)
                .unwrap()
                .as_str(),
            "Văn phòng"
        );
        assert_eq!(Name::parse_opt("x", "X", Some("  "), 5).unwrap(), None);
    }

    #[test]
    fn folding() {
        assert_eq!(fold_ascii("Đảng ủy xã Gia Viễn"), "dang uy xa gia vien");
    }
}

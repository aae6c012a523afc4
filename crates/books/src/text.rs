//! Input text clean-up shared by the PDF and XLSX writers.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Normalises cell text for printing.
///
/// * Unicode NFC (precomposed Vietnamese letters);
/// * `\r\n`, `\r`, U+2028 and U+2029 become `\n` (a line break inside the cell);
/// * tab, no-break and other typographic spaces become a plain space;
/// * every other control or invisible format character (C0/C1 controls,
///   zero-width spaces, bidi marks, BOM, soft hyphen) is removed;
/// * leading and trailing whitespace of the whole cell and trailing spaces of
///   each line are trimmed.
pub fn sanitize(input: &str) -> String {
    let nfc: std::borrow::Cow<'_, str> = match is_nfc_quick(input.chars()) {
        IsNormalized::Yes => input.into(),
        _ => input.nfc().collect::<String>().into(),
    };
    let mut out = String::with_capacity(nfc.len());
    let mut chars = nfc.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                push_newline(&mut out);
            }
            '\n' | '\u{2028}' | '\u{2029}' => push_newline(&mut out),
            '\t' | '\u{a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => {
                out.push(' ')
            }
            '\u{ad}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    let trimmed = out.trim();
    if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_owned()
    }
}

fn push_newline(out: &mut String) {
    let keep = out.trim_end_matches(' ').len();
    out.truncate(keep);
    out.push('\n');
}

/// Whether `period` is a "2025-2030" style term (nhiệm kỳ) rather than a year.
pub(crate) fn is_term(period: &str) -> bool {
    let b = period.as_bytes();
    b.len() == 9 && b[4] == b'-' && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
}

/// Cuts `s` to at most `max_chars` characters, ending with "…" when cut.
pub(crate) fn truncate_chars(s: &str, max_chars: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max_chars.saturating_sub(1)) {
        Some((idx, _)) if s[idx..].chars().count() > 1 => {
            let mut t = s[..idx].to_owned();
            t.push('…');
            t.into()
        }
        _ => s.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfc_and_controls() {
        // "Quyết" written with combining marks (NFD).
        let nfd = "Quye\u{302}\u{301}t \u{0}đi\u{323}nh\u{7}";
        assert_eq!(sanitize(nfd), "Quyết định");
        assert_eq!(sanitize("  a\r\nb\rc\u{2028}d  "), "a\nb\nc\nd");
        assert_eq!(sanitize("a\tb\u{a0}c\u{200b}d\u{feff}"), "a b cd");
        assert_eq!(sanitize("dòng 1   \ndòng 2"), "dòng 1\ndòng 2");
        assert_eq!(sanitize("\u{1b}[31mđỏ"), "[31mđỏ");
    }

    #[test]
    fn terms() {
        assert!(is_term("2025-2030"));
        assert!(!is_term("2026"));
        assert!(!is_term("2025–2030"));
    }

    #[test]
    fn truncation() {
        assert_eq!(truncate_chars("abc", 3), "abc");
        assert_eq!(truncate_chars("abcd", 3), "ab…");
        assert_eq!(truncate_chars("Ủy ban", 2), "Ủ…");
        assert_eq!(truncate_chars("", 2), "");
    }
}

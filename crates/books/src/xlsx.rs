//! XLSX rendering with rust_xlsxwriter: one sheet, title rows, header, data.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};

use crate::columns::{Align, Column};
use crate::text::{is_term, sanitize, truncate_chars};
use crate::{BookError, BookMeta, EMPTY_BOOK_TEXT};

/// Excel's limit on the characters of one cell.
const CELL_MAX_CHARS: usize = 32_767;
/// Excel's row limit (1,048,576) minus the title and header rows.
const MAX_DATA_ROWS: usize = 1_048_576 - 16;
const FONT: &str = "Times New Roman";

/// Makes a valid sheet name: no `[]:*?/\`, no leading/trailing apostrophe,
/// at most 31 characters.
pub(crate) fn sheet_name(name: &str) -> String {
    let cleaned: String = sanitize(name)
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\n' => ' ',
            c => c,
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let cleaned = cleaned.trim_matches('\'').trim();
    let cut: String = cleaned.chars().take(31).collect();
    let cut = cut.trim_end().to_owned();
    if cut.is_empty() {
        "Sổ đăng ký".to_owned()
    } else {
        cut
    }
}

/// Escapes "&" for an Excel header/footer string and caps its length.
fn header_text(s: &str, max_chars: usize) -> String {
    truncate_chars(&sanitize(s).replace('\n', " "), max_chars).replace('&', "&&")
}

pub(crate) fn render<R>(
    meta: &BookMeta,
    columns: &[Column; 10],
    sheet: &str,
    rows: &[R],
    cells: fn(&R) -> [&str; 10],
) -> Result<Vec<u8>, BookError> {
    if rows.len() > MAX_DATA_ROWS {
        return Err(BookError::TooManyRows {
            rows: rows.len(),
            max: MAX_DATA_ROWS,
        });
    }
    let last_col = (columns.len() - 1) as u16;

    let base = Format::new().set_font_name(FONT).set_font_size(12);
    let agency_parent = base.clone().set_align(FormatAlign::Center);
    let agency = agency_parent.clone().set_bold();
    let secret = base
        .clone()
        .set_bold()
        .set_font_size(14)
        .set_font_color(Color::RGB(0xCC0000))
        .set_border(FormatBorder::Medium)
        .set_border_color(Color::RGB(0xCC0000))
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let title = base
        .clone()
        .set_bold()
        .set_font_size(16)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let subtitle = base.clone().set_italic().set_align(FormatAlign::Center);
    let header = base
        .clone()
        .set_bold()
        .set_font_size(11)
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xE6E6E6))
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let number = header.clone().unset_bold().set_italic().set_font_size(10);
    let cell = base
        .clone()
        .set_font_size(11)
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    let cell_left = cell.clone().set_align(FormatAlign::Left);
    let cell_center = cell.clone().set_align(FormatAlign::Center);
    let empty = cell.clone().set_italic().set_align(FormatAlign::Center);

    let mut workbook = Workbook::new();
    workbook.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(sanitize(&meta.title))
            .set_subject(sanitize(&meta.register_name))
            .set_company(sanitize(&meta.agency)),
    );
    let ws = workbook.add_worksheet();
    ws.set_name(sheet_name(sheet))?;

    for (i, c) in columns.iter().enumerate() {
        ws.set_column_width(i as u16, c.xlsx_width)?;
    }

    // Title block.
    let mut r: u32 = 0;
    if let Some(parent) = meta
        .parent_agency
        .as_deref()
        .map(sanitize)
        .filter(|s| !s.is_empty())
    {
        ws.merge_range(r, 0, r, 3, &parent, &agency_parent)?;
        r += 1;
    }
    ws.merge_range(r, 0, r, 3, &sanitize(&meta.agency), &agency)?;
    if meta.secret {
        ws.merge_range(0, last_col - 1, 1, last_col, "MẬT", &secret)?;
    }
    r += 2;
    ws.merge_range(r, 0, r, last_col, &sanitize(&meta.title), &title)?;
    ws.set_row_height(r, 24)?;
    r += 1;
    let register_name = sanitize(&meta.register_name);
    if !register_name.is_empty() {
        ws.merge_range(r, 0, r, last_col, &register_name, &subtitle)?;
        r += 1;
    }
    let period = sanitize(&meta.period);
    let mut info = Vec::new();
    if !period.is_empty() {
        info.push(if is_term(&period) {
            format!("Nhiệm kỳ: {period}")
        } else {
            format!("Năm: {period}")
        });
    }
    if meta.from_date.is_some() || meta.to_date.is_some() {
        info.push(format!(
            "Từ ngày {} đến ngày {}",
            meta.from_date
                .as_deref()
                .map(sanitize)
                .unwrap_or_else(|| "…".into()),
            meta.to_date
                .as_deref()
                .map(sanitize)
                .unwrap_or_else(|| "…".into())
        ));
    }
    if meta.from_number.is_some() || meta.to_number.is_some() {
        let n = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_else(|| "…".into());
        info.push(format!(
            "Từ số {} đến số {}",
            n(meta.from_number),
            n(meta.to_number)
        ));
    }
    if let Some(v) = meta
        .volume
        .as_deref()
        .map(sanitize)
        .filter(|s| !s.is_empty())
    {
        info.push(format!("Quyển số: {v}"));
    }
    if !info.is_empty() {
        ws.merge_range(r, 0, r, last_col, &info.join(" – "), &subtitle)?;
        r += 1;
    }
    r += 1;

    // Header rows.
    let header_row = r;
    for (i, c) in columns.iter().enumerate() {
        ws.write_string_with_format(r, i as u16, c.title, &header)?;
        ws.write_string_with_format(r + 1, i as u16, format!("({})", i + 1), &number)?;
    }
    ws.set_row_height(r, 45)?;
    r += 2;
    ws.set_freeze_panes(r, 0)?;
    ws.set_repeat_rows(header_row, header_row + 1)?;

    // Data.
    if rows.is_empty() {
        ws.merge_range(r, 0, r, last_col, EMPTY_BOOK_TEXT, &empty)?;
        ws.set_row_height(r, 30)?;
    }
    for row in rows {
        for (i, text) in cells(row).iter().enumerate() {
            let text = sanitize(text);
            let text = truncate_chars(&text, CELL_MAX_CHARS);
            let fmt = match columns[i].align {
                Align::Left => &cell_left,
                Align::Center => &cell_center,
            };
            ws.write_string_with_format(r, i as u16, text.as_ref(), fmt)?;
        }
        r += 1;
    }

    // Print setup: A4 landscape, fit to one page wide, repeated header rows.
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_print_center_horizontally(true)
        .set_margins(0.79, 0.39, 0.5, 0.6, 0.3, 0.3);
    // Excel caps the footer at 255 characters including the codes.
    let mut name = header_text(&meta.register_name, 50);
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        // "&9" followed by a digit would be read as a bigger font size.
        name.insert(0, ' ');
    }
    let printed = header_text(&meta.printed_at, 25);
    ws.set_footer(format!(
        "&L&\"{FONT},Regular\"&9{name}&C&\"{FONT},Regular\"&9Ngày in: {printed}&R&\"{FONT},Regular\"&9Trang &P/&N"
    ));
    if meta.secret {
        ws.set_header(format!("&R&\"{FONT},Bold\"&14&KCC0000MẬT"));
    }

    Ok(workbook.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid() {
        assert_eq!(
            sheet_name("Sổ đăng ký văn bản đến"),
            "Sổ đăng ký văn bản đến"
        );
        assert_eq!(sheet_name("a/b:c*d?[e]\\f"), "a b c d e f");
        let long = sheet_name(&"Sổ đăng ký văn bản đi ".repeat(3));
        assert!(long.chars().count() <= 31);
        assert_eq!(sheet_name("''"), "Sổ đăng ký");
        assert_eq!(header_text("A & B", 10), "A && B");
    }
}

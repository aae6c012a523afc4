//! Files as tables of text cells: reading CSV and XLSX, mapping the header row to known columns, writing.

use super::{Column, Format, header_key};
use crate::error::{AppError, AppResult};

/// The most data rows a file may have.
pub const MAX_ROWS: usize = 100_000;

/// The most columns a file may use (A to BL); the files have a dozen.
pub const MAX_COLUMNS: usize = 64;

/// A file as read: the header row and the data rows (blank rows left out).
pub(crate) struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

pub(crate) struct Row {
    /// Row number in the spreadsheet; the header is row 1.
    pub number: usize,
    pub cells: Vec<String>,
}

impl Row {
    /// The cell of a known column: `None` when the file has no such column, `Some("")` for an empty cell.
    pub fn get<'a>(&'a self, idx: &[Option<usize>], col: usize) -> Option<&'a str> {
        idx[col].map(|i| self.cells.get(i).map(|s| s.trim()).unwrap_or(""))
    }
}

fn too_many() -> AppError {
    AppError::BadRequest(format!(
        "Tệp có quá {} dòng dữ liệu; hãy chia thành nhiều tệp nhỏ hơn.",
        group_thousands(MAX_ROWS)
    ))
}

pub(crate) fn group_thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Reads a whole file; a file that cannot be read is a `BadRequest` in Vietnamese.
pub(crate) fn read(format: Format, bytes: &[u8]) -> AppResult<Table> {
    let t = match format {
        Format::Csv => read_csv(bytes)?,
        Format::Xlsx => read_xlsx(bytes)?,
    };
    if t.headers.iter().all(|h| h.trim().is_empty()) {
        return Err(AppError::BadRequest(
            "Tệp không có dòng tiêu đề: dòng đầu tiên phải ghi tên các cột.".into(),
        ));
    }
    Ok(t)
}

/// `,`, `;` or tab, whichever occurs most in the header line outside quotes (`,` on a tie).
fn detect_delimiter(text: &str) -> u8 {
    let (mut comma, mut semi, mut tab) = (0, 0, 0);
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            ',' if !quoted => comma += 1,
            ';' if !quoted => semi += 1,
            '\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if tab > comma && tab > semi {
        b'\t'
    } else if semi > comma {
        b';'
    } else {
        b','
    }
}

/// Undoes the quote that export puts before a value Excel would take for a formula.
fn unescape_csv(s: &str) -> String {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => s.to_string(),
    }
}

/// Puts a quote before a value Excel would take for a formula (CSV injection).
fn escape_csv(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn read_csv(bytes: &[u8]) -> AppResult<Table> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(AppError::BadRequest(
            "Tệp CSV được mã hóa UTF-16; hãy lưu lại bằng \"CSV UTF-8 (phân cách bằng dấu phẩy)\"."
                .into(),
        ));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(body).map_err(|e| {
        let line = body[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        AppError::BadRequest(format!(
            "Tệp CSV không phải văn bản UTF-8 (lỗi mã hóa ở dòng {line}). Trong Excel hãy chọn \
             Lưu thành \"CSV UTF-8 (phân cách bằng dấu phẩy)\", hoặc dùng tệp .xlsx."
        ))
    })?;
    if text.trim().is_empty() {
        return Err(AppError::BadRequest(
            "Tệp rỗng: cần dòng tiêu đề và các dòng dữ liệu.".into(),
        ));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(detect_delimiter(text))
        .from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    // Lines taken by line breaks inside quoted values, which a spreadsheet shows within one row.
    let mut inner_breaks = 0usize;
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            tracing::debug!(error = %e, line, "unreadable CSV file");
            AppError::BadRequest(format!(
                "Không đọc được tệp CSV ở dòng {line}: hãy kiểm tra dấu ngoặc kép và dấu phân cách của \
                 dòng này, rồi lưu lại tệp dưới dạng \"CSV UTF-8 (phân cách bằng dấu phẩy)\"."
            ))
        })?;
        // The reader places a record after blank lines at the first blank line: step over them.
        let (mut line, mut at) = rec
            .position()
            .map(|p| (p.line() as usize, p.byte() as usize))
            .unwrap_or((1, 0));
        let raw = text.as_bytes();
        while at < raw.len() && matches!(raw[at], b'\n' | b'\r') {
            if raw[at] == b'\n' {
                line += 1;
            }
            at += 1;
        }
        let number = line.saturating_sub(inner_breaks).max(1);
        inner_breaks += rec.iter().map(|f| f.matches('\n').count()).sum::<usize>();
        // Columns beyond the last one a file may use must be empty; they are left out.
        if let Some(c) = rec
            .iter()
            .skip(MAX_COLUMNS)
            .position(|c| !c.trim().is_empty())
        {
            return Err(AppError::BadRequest(format!(
                "Dòng {number} có dữ liệu ở cột {}, ngoài {MAX_COLUMNS} cột đầu tiên (A đến {}); hãy xóa \
                 dữ liệu thừa ở các cột đó.",
                column_letter(MAX_COLUMNS + c),
                column_letter(MAX_COLUMNS - 1)
            )));
        }
        let cells: Vec<String> = rec.iter().take(MAX_COLUMNS).map(unescape_csv).collect();
        if headers.is_none() {
            headers = Some(cells);
            continue;
        }
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(too_many());
        }
        rows.push(Row { number, cells });
    }
    Ok(Table {
        headers: headers.unwrap_or_default(),
        rows,
    })
}

/// The text of a cell as a spreadsheet shows it.
fn cell_text(d: &calamine::DataRef<'_>) -> String {
    use calamine::DataRef;
    match d {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        DataRef::Bool(b) => if *b { "Có" } else { "Không" }.into(),
        DataRef::DateTime(dt) => {
            let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
            if dt.is_datetime() && (hh, mm, ss) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
            }
        }
        DataRef::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).to_string(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => format!("#{e:?}"),
    }
}

/// The most cells, empty ones included, read from a sheet before it is refused.
const MAX_CELLS: usize = (MAX_ROWS + 1) * MAX_COLUMNS;

/// The most text, in bytes, read from a sheet before it is refused.
const MAX_TEXT_BYTES: usize = 128 * 1024 * 1024;

fn too_wide(row: u32, col: u32) -> AppError {
    AppError::BadRequest(format!(
        "Trang tính có dữ liệu ở ô {}{}, ngoài {MAX_COLUMNS} cột đầu tiên (A đến {}); hãy xóa dữ liệu thừa \
         ở các cột đó.",
        column_letter(col as usize),
        row as u64 + 1,
        column_letter(MAX_COLUMNS - 1)
    ))
}

fn too_much() -> AppError {
    AppError::BadRequest(
        "Trang tính có quá nhiều ô dữ liệu; hãy chia thành nhiều tệp nhỏ hơn.".into(),
    )
}

/// Reads the first sheet cell by cell, as the XML stores it: the cells are kept sparse and their positions
/// checked as they come, so that a small file naming a far-away cell (`XFD1048576`) is refused without
/// making room for every cell in between.
fn read_xlsx(bytes: &[u8]) -> AppResult<Table> {
    use calamine::Reader;
    use std::collections::BTreeMap;
    let not_workbook = || {
        AppError::BadRequest(
            "Tệp không phải bảng tính Excel (.xlsx) hợp lệ; hãy lưu lại bằng Excel hoặc LibreOffice \
             dưới dạng \"Sổ làm việc Excel (.xlsx)\", hoặc dùng tệp CSV UTF-8."
                .into(),
        )
    };
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|_| not_workbook())?;
    let Some(name) = wb.sheet_names().into_iter().next() else {
        return Err(AppError::BadRequest(
            "Bảng tính không có trang tính nào.".into(),
        ));
    };
    let mut reader = wb
        .worksheet_cells_reader(&name)
        .map_err(|_| not_workbook())?;
    // Non-empty cells by row (0-based), each with its column; the declared dimension is not trusted.
    let mut by_row: BTreeMap<u32, Vec<(u32, String)>> = BTreeMap::new();
    let (mut first_row, mut last_row, mut width) = (u32::MAX, 0u32, 0usize);
    let (mut cells_seen, mut text_bytes) = (0usize, 0usize);
    while let Some(cell) = reader.next_cell().map_err(|_| not_workbook())? {
        cells_seen += 1;
        if cells_seen > MAX_CELLS {
            return Err(too_much());
        }
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        let (row, col) = cell.get_position();
        if col as usize >= MAX_COLUMNS {
            return Err(too_wide(row, col));
        }
        first_row = first_row.min(row);
        last_row = last_row.max(row);
        if (last_row - first_row) as usize > MAX_ROWS {
            return Err(too_many());
        }
        text_bytes += text.len();
        if text_bytes > MAX_TEXT_BYTES {
            return Err(too_much());
        }
        width = width.max(col as usize + 1);
        by_row.entry(row).or_default().push((col, text));
    }
    drop(reader);
    if by_row.is_empty() {
        return Err(AppError::BadRequest(
            "Trang tính đầu tiên trống: cần dòng tiêu đề và các dòng dữ liệu.".into(),
        ));
    }
    let dense = |cells: Vec<(u32, String)>| {
        let n = cells
            .iter()
            .map(|(c, _)| *c as usize + 1)
            .max()
            .unwrap_or(0);
        let mut out = vec![String::new(); n];
        for (c, t) in cells {
            out[c as usize] = t;
        }
        out
    };
    let mut rows_it = by_row.into_iter();
    let mut headers = rows_it.next().map(|(_, c)| dense(c)).unwrap_or_default();
    // As wide as the data, so that a filled column without a header is noticed.
    headers.resize(width, String::new());
    let mut rows = Vec::new();
    for (r, cells) in rows_it {
        let cells = dense(cells);
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push(Row {
            number: r as usize + 1,
            cells,
        });
    }
    Ok(Table { headers, rows })
}

/// Spreadsheet column name of a 0-based index: A, B, …, Z, AA, …
fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Maps each known column to its index in the file. An unknown, repeated or unnamed-but-filled column, or a
/// missing required one, refuses the file.
pub(crate) fn map_columns(t: &Table, cols: &[Column], what: &str) -> AppResult<Vec<Option<usize>>> {
    let refuse = |message: String| AppError::Invalid {
        field: "file".into(),
        message,
    };
    let mut idx: Vec<Option<usize>> = vec![None; cols.len()];
    for (i, h) in t.headers.iter().enumerate() {
        let k = header_key(h);
        if k.is_empty() {
            if t.rows
                .iter()
                .any(|r| r.cells.get(i).is_some_and(|c| !c.trim().is_empty()))
            {
                return Err(refuse(format!(
                    "Cột {} có dữ liệu nhưng không có tên ở dòng tiêu đề.",
                    column_letter(i)
                )));
            }
            continue;
        }
        let Some(c) = cols
            .iter()
            .position(|c| header_key(c.label) == k || header_key(c.english) == k)
        else {
            let known: Vec<&str> = cols.iter().map(|c| c.label).collect();
            return Err(refuse(format!(
                "Cột \"{}\" (cột {}) không thuộc {what}; các cột được dùng: {}.",
                h.trim(),
                column_letter(i),
                known.join(", ")
            )));
        };
        if let Some(prev) = idx[c] {
            return Err(refuse(format!(
                "Cột \"{}\" xuất hiện hai lần (cột {} và cột {}).",
                cols[c].label,
                column_letter(prev),
                column_letter(i)
            )));
        }
        idx[c] = Some(i);
    }
    let missing: Vec<&str> = cols
        .iter()
        .zip(&idx)
        .filter(|(c, i)| c.required && i.is_none())
        .map(|(c, _)| c.label)
        .collect();
    if !missing.is_empty() {
        return Err(refuse(format!(
            "Tệp thiếu cột bắt buộc: {}.",
            missing.join(", ")
        )));
    }
    Ok(idx)
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

/// Writes a table with the columns' Vietnamese headers.
pub(crate) fn write(
    format: Format,
    sheet: &str,
    cols: &[Column],
    rows: &[Vec<String>],
) -> AppResult<Vec<u8>> {
    match format {
        Format::Csv => {
            let mut buf = b"\xEF\xBB\xBF".to_vec();
            {
                let mut w = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(&mut buf);
                let io = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
                w.write_record(cols.iter().map(|c| c.label)).map_err(io)?;
                for r in rows {
                    w.write_record(r.iter().map(|v| escape_csv(v)))
                        .map_err(io)?;
                }
                w.flush()
                    .map_err(|e| AppError::Internal(format!("csv: {e}")))?;
            }
            Ok(buf)
        }
        Format::Xlsx => {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            ws.set_name(sheet).map_err(xlsx_err)?;
            let bold = rust_xlsxwriter::Format::new().set_bold();
            // Text format for whole columns, so that codes and phone numbers typed later stay text.
            let text = rust_xlsxwriter::Format::new().set_num_format("@");
            for (c, col) in cols.iter().enumerate() {
                let c16 = c as u16;
                let widest = rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .map(|v| v.chars().count())
                    .chain([col.label.chars().count()])
                    .max()
                    .unwrap_or(10);
                ws.set_column_width(c16, (widest + 2).clamp(10, 60) as f64)
                    .map_err(xlsx_err)?;
                ws.set_column_format(c16, &text).map_err(xlsx_err)?;
                ws.write_string_with_format(0, c16, col.label, &bold)
                    .map_err(xlsx_err)?;
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    if !v.is_empty() {
                        ws.write_string_with_format((r + 1) as u32, c as u16, v, &text)
                            .map_err(xlsx_err)?;
                    }
                }
            }
            ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
            if !cols.is_empty() {
                ws.autofilter(0, 0, rows.len() as u32, (cols.len() - 1) as u16)
                    .map_err(xlsx_err)?;
            }
            wb.save_to_buffer().map_err(xlsx_err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_are_numbered_like_a_spreadsheet() {
        let text = "\u{feff}a;b\r\n1;\"x\ny\"\r\n\r\n2;z\n";
        let t = read(Format::Csv, text.as_bytes()).unwrap();
        assert_eq!(t.headers, vec!["a", "b"]);
        let nums: Vec<usize> = t.rows.iter().map(|r| r.number).collect();
        // The blank line is row 3 in a spreadsheet; the line break inside the quotes is not a row.
        assert_eq!(nums, vec![2, 4]);
        assert_eq!(t.rows[0].cells[1], "x\ny");
    }

    #[test]
    fn csv_refuses_other_encodings() {
        let latin1 = b"a,b\n\xe0,1\n";
        assert!(matches!(
            read(Format::Csv, latin1),
            Err(AppError::BadRequest(m)) if m.contains("UTF-8") && m.contains("dòng 2")
        ));
        assert!(read(Format::Csv, b"\xff\xfea\x00").is_err());
        assert!(read(Format::Csv, b"").is_err());
    }

    #[test]
    fn xlsx_round_trip_and_garbage() {
        let cols = [
            Column {
                label: "Mã nội bộ",
                english: "key",
                required: true,
            },
            Column {
                label: "Tên",
                english: "name",
                required: false,
            },
        ];
        let rows = vec![
            vec!["a.b".to_string(), "=Văn phòng".to_string()],
            vec!["c".to_string(), String::new()],
        ];
        for f in [Format::Xlsx, Format::Csv] {
            let bytes = write(f, "Đơn vị", &cols, &rows).unwrap();
            assert_eq!(Format::detect(&bytes), f);
            let t = read(f, &bytes).unwrap();
            assert_eq!(t.headers, vec!["Mã nội bộ", "Tên"]);
            assert_eq!(t.rows.len(), 2);
            assert_eq!(t.rows[0].number, 2);
            assert_eq!(t.rows[0].cells[1], "=Văn phòng");
            let idx = map_columns(&t, &cols, "tệp").unwrap();
            assert_eq!(t.rows[1].get(&idx, 0), Some("c"));
        }
        assert!(matches!(
            read(Format::Xlsx, b"PK\x03\x04garbage"),
            Err(AppError::BadRequest(_))
        ));
    }

    fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (r, c, v) in cells {
            ws.write_string(*r, *c, *v).unwrap();
        }
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn sparse_sheets_are_read_cell_by_cell_and_bounded() {
        // A header in the last cell of the sheet is refused without making room for the cells in between.
        let far = workbook(&[(0, 0, "Mã nội bộ"), (1_048_575, 16_383, "x")]);
        let e = read(Format::Xlsx, &far).err().unwrap().to_string();
        assert!(e.contains("XFD1048576") && e.contains("64 cột"), "{e}");
        let wide = workbook(&[(0, 0, "a"), (5, 64, "x")]);
        let e = read(Format::Xlsx, &wide).err().unwrap().to_string();
        assert!(e.contains("BM6"), "{e}");
        let tall = workbook(&[(0, 0, "a"), (MAX_ROWS as u32 + 1, 0, "x")]);
        let e = read(Format::Xlsx, &tall).err().unwrap().to_string();
        assert!(e.contains("100 000"), "{e}");
        // The last row and column allowed are read; rows keep their spreadsheet numbers.
        let edge = workbook(&[(2, 1, "a"), (4, 1, "b"), (MAX_ROWS as u32 + 2, 63, "c")]);
        let t = read(Format::Xlsx, &edge).unwrap();
        assert_eq!(t.headers.len(), 64);
        assert_eq!(t.headers[1], "a");
        let nums: Vec<usize> = t.rows.iter().map(|r| r.number).collect();
        assert_eq!(nums, vec![5, MAX_ROWS + 3]);
        assert_eq!(t.rows[1].cells[63], "c");
        let empty = workbook(&[]);
        assert!(read(Format::Xlsx, &empty).is_err());
    }

    #[test]
    fn csv_columns_are_bounded() {
        let mut text = "a,b\n1,2".to_string();
        text.push_str(&",".repeat(100));
        text.push('\n');
        let t = read(Format::Csv, text.as_bytes()).unwrap();
        assert_eq!(t.rows[0].cells.len(), MAX_COLUMNS);
        let text = format!("a,b\n1,2{}x\n", ",".repeat(70));
        let e = read(Format::Csv, text.as_bytes())
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("Dòng 2") && e.contains("cột BT"), "{e}");
    }

    #[test]
    fn headers_match_loosely_and_unknown_ones_refuse() {
        let cols = [
            Column {
                label: "Mã nội bộ đơn vị cấp trên",
                english: "parent_key",
                required: true,
            },
            Column {
                label: "Tên đơn vị",
                english: "name",
                required: false,
            },
        ];
        let t = read(Format::Csv, b"MA NOI BO DON VI CAP TREN,name\nx,y\n").unwrap();
        assert_eq!(
            map_columns(&t, &cols, "tệp").unwrap(),
            vec![Some(0), Some(1)]
        );
        let t = read(Format::Csv, b"parent key,Tuoi\nx,1\n").unwrap();
        let e = map_columns(&t, &cols, "tệp").unwrap_err().to_string();
        assert!(e.contains("Tuoi") && e.contains("cột B"), "{e}");
        let t = read(Format::Csv, b"name\nx\n").unwrap();
        let e = map_columns(&t, &cols, "tệp").unwrap_err().to_string();
        assert!(e.contains("thiếu cột bắt buộc"), "{e}");
        assert_eq!(column_letter(27), "AB");
    }
}

//! XLSX output checks: read back with calamine, print setup from the sheet XML.

mod common;

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use vanthu_books::{
    EMPTY_BOOK_TEXT, INCOMING_COLUMNS, IncomingRow, OUTGOING_COLUMNS, incoming_xlsx, outgoing_xlsx,
    sanitize,
};

/// The single sheet: its name and its cells as strings (empty for blanks).
fn read_sheet(bytes: &[u8]) -> (String, Vec<Vec<String>>) {
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("calamine opens the XLSX");
    let names = wb.sheet_names();
    assert_eq!(names.len(), 1, "one sheet: {names:?}");
    let name = names[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    assert_eq!(range.start(), Some((0, 0)));
    let rows = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => panic!("unexpected cell {other:?}"),
                })
                .collect()
        })
        .collect();
    (name, rows)
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// Index of the header row (first cell = first column title).
fn header_index(rows: &[Vec<String>], first_title: &str) -> usize {
    rows.iter()
        .position(|r| r[0] == first_title)
        .expect("header row present")
}

#[test]
fn incoming_xlsx_reads_back() {
    let mut rows = common::incoming_rows(30);
    rows[5].type_and_subject = common::long_subject(2_000);
    rows[6].author = "Bo\u{323}\u{302} Ta\u{300}i chi\u{301}nh\u{7}".into();
    rows[6].note = "dòng 1\r\ndòng 2".into();
    let bytes = incoming_xlsx(&common::meta_incoming(true), &rows).unwrap();
    let (name, cells) = read_sheet(&bytes);
    assert_eq!(name, "Sổ đăng ký văn bản đến");

    let h = header_index(&cells, "Ngày đến");
    let top: Vec<&str> = cells[..h].iter().flatten().map(String::as_str).collect();
    for want in [
        "ỦY BAN NHÂN DÂN TỈNH NINH BÌNH",
        "VĂN PHÒNG UBND TỈNH",
        "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
        "Sổ văn bản đến năm 2026",
        "MẬT",
    ] {
        assert!(top.contains(&want), "title rows lack {want:?}: {top:?}");
    }
    assert!(
        top.contains(
            &"Năm: 2026 – Từ ngày 02/01/2026 đến ngày … – Từ số 1 đến số … – Quyển số: 01"
        )
    );

    let titles: Vec<&str> = INCOMING_COLUMNS.iter().map(|c| c.title).collect();
    assert_eq!(cells[h], titles);
    assert_eq!(cells[h][5], "Tên loại và trích yếu nội dung");
    let numbers: Vec<String> = (1..=10).map(|i| format!("({i})")).collect();
    assert_eq!(cells[h + 1], numbers);

    assert_eq!(cells.len(), h + 2 + rows.len());
    for (i, row) in rows.iter().enumerate() {
        let want: Vec<String> = row.cells().iter().map(|c| sanitize(c)).collect();
        assert_eq!(cells[h + 2 + i], want, "row {i}");
    }
    assert_eq!(cells[h + 2][6], "Đặng Thị Ngọc Hường");
    assert_eq!(cells[h + 2][9], "Hỏa tốc");
    assert!(cells[h + 2][5].starts_with("Quyết định về việc phê duyệt"));
    assert_eq!(
        cells[h + 2 + 5][5].chars().count(),
        common::long_subject(2_000).chars().count()
    );
    assert_eq!(cells[h + 2 + 6][2], "Bộ Tài chính");
    assert_eq!(cells[h + 2 + 6][9], "dòng 1\ndòng 2");

    // Print setup and frozen header.
    let sheet = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    let first_data = h + 3; // 1-based row number of the first data row
    assert!(
        sheet.contains(&format!(r#"<pane ySplit="{}" topLeftCell="A{first_data}" activePane="bottomLeft" state="frozen"/>"#, h + 2)),
        "{sheet}"
    );
    assert!(sheet.contains(r#"paperSize="9""#));
    assert!(sheet.contains(r#"orientation="landscape""#));
    assert!(sheet.contains(r#"fitToHeight="0""#));
    assert!(sheet.contains(r#"<pageSetUpPr fitToPage="1"/>"#));
    assert!(sheet.contains("Trang &amp;P/&amp;N"));
    assert!(sheet.contains("MẬT"), "secret mark in the page header");
    let workbook = zip_entry(&bytes, "xl/workbook.xml");
    assert!(
        workbook.contains(&format!(
            "_xlnm.Print_Titles\" localSheetId=\"0\">'Sổ đăng ký văn bản đến'!${}:${}<",
            h + 1,
            h + 2
        )),
        "{workbook}"
    );
    let styles = zip_entry(&bytes, "xl/styles.xml");
    assert!(styles.contains(r#"wrapText="1""#));
    assert!(styles.contains("Times New Roman"));
}

#[test]
fn outgoing_xlsx_reads_back() {
    let rows = common::outgoing_rows(12);
    let bytes = outgoing_xlsx(&common::meta_outgoing(), &rows).unwrap();
    let (name, cells) = read_sheet(&bytes);
    assert_eq!(name, "Sổ đăng ký văn bản đi");
    let h = header_index(&cells, "Số, ký hiệu văn bản");
    let top: Vec<&str> = cells[..h].iter().flatten().map(String::as_str).collect();
    assert!(top.contains(&"SỔ ĐĂNG KÝ VĂN BẢN ĐI"));
    assert!(top.contains(&"Nhiệm kỳ: 2025-2030"));
    assert!(!cells.iter().flatten().any(|c| c == "MẬT"));
    let titles: Vec<&str> = OUTGOING_COLUMNS.iter().map(|c| c.title).collect();
    assert_eq!(cells[h], titles);
    for (i, row) in rows.iter().enumerate() {
        let want: Vec<String> = row.cells().iter().map(|c| sanitize(c)).collect();
        assert_eq!(cells[h + 2 + i], want);
    }
    assert_eq!(
        cells[h + 2][4],
        "- Các sở, ban, ngành;\n- UBND các huyện, thành phố;\n- Lưu: VT."
    );
    let sheet = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(!sheet.contains("MẬT"));
}

#[test]
fn empty_xlsx_says_so() {
    let bytes = incoming_xlsx(&common::meta_incoming(false), &[]).unwrap();
    let (_, cells) = read_sheet(&bytes);
    let h = header_index(&cells, "Ngày đến");
    assert_eq!(cells.len(), h + 3);
    assert_eq!(cells[h + 2][0], EMPTY_BOOK_TEXT);
}

#[test]
fn xlsx_cell_limit_is_respected() {
    let rows = vec![IncomingRow {
        type_and_subject: "Đ".repeat(40_000),
        ..Default::default()
    }];
    let bytes = incoming_xlsx(&common::meta_incoming(false), &rows).unwrap();
    let (_, cells) = read_sheet(&bytes);
    let h = header_index(&cells, "Ngày đến");
    let subject = &cells[h + 2][5];
    assert_eq!(subject.chars().count(), 32_767);
    assert!(subject.ends_with('…'));
}

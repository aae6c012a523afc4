//! Column definitions of the registers (NĐ 30/2020 Phụ lục IV).

/// Horizontal alignment of a column's data cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left aligned (free text).
    Left,
    /// Centred (dates, numbers, short codes).
    Center,
}

/// One column of a register.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Vietnamese column title as printed in the header row.
    pub title: &'static str,
    /// Relative width in the PDF (scaled to the table width).
    pub pdf_weight: f32,
    /// Column width in the XLSX sheet (Excel character units).
    pub xlsx_width: f64,
    /// Alignment of the data cells.
    pub align: Align,
}

const fn col(title: &'static str, pdf_weight: f32, xlsx_width: f64, align: Align) -> Column {
    Column {
        title,
        pdf_weight,
        xlsx_width,
        align,
    }
}

/// Columns (1)…(10) of the Sổ đăng ký văn bản đến.
pub const INCOMING_COLUMNS: [Column; 10] = [
    col("Ngày đến", 58.0, 11.0, Align::Center),
    col("Số đến", 42.0, 8.0, Align::Center),
    col("Tác giả", 100.0, 22.0, Align::Left),
    col("Số, ký hiệu văn bản", 90.0, 17.0, Align::Center),
    col("Ngày tháng văn bản", 58.0, 11.0, Align::Center),
    col("Tên loại và trích yếu nội dung", 188.0, 45.0, Align::Left),
    col("Đơn vị hoặc người nhận", 86.0, 18.0, Align::Left),
    col("Ngày chuyển", 58.0, 11.0, Align::Center),
    col("Ký nhận", 45.0, 10.0, Align::Center),
    col("Ghi chú", 46.0, 12.0, Align::Left),
];

/// Columns (1)…(10) of the Sổ đăng ký văn bản đi.
pub const OUTGOING_COLUMNS: [Column; 10] = [
    col("Số, ký hiệu văn bản", 90.0, 17.0, Align::Center),
    col("Ngày tháng văn bản", 58.0, 11.0, Align::Center),
    col("Tên loại và trích yếu nội dung", 188.0, 45.0, Align::Left),
    col("Người ký", 80.0, 18.0, Align::Left),
    col("Nơi nhận văn bản", 100.0, 22.0, Align::Left),
    col("Đơn vị, người nhận bản lưu", 80.0, 16.0, Align::Left),
    col("Số lượng bản", 42.0, 8.0, Align::Center),
    col("Ngày chuyển", 58.0, 11.0, Align::Center),
    col("Ký nhận", 45.0, 10.0, Align::Center),
    col("Ghi chú", 46.0, 12.0, Align::Left),
];

//! Printable register books (sổ đăng ký văn bản) as PDF and XLSX.
//!
//! NĐ 30/2020/NĐ-CP Phụ lục IV prescribes the registers that a clerical office
//! keeps; when registration is done in the system the register must be printed
//! with all columns of the template and bound (Điều 16.2.b, 22.3.b). This crate
//! renders the two main registers:
//!
//! * Sổ đăng ký văn bản đến (incoming documents, 10 columns): [`incoming_pdf`],
//!   [`incoming_xlsx`];
//! * Sổ đăng ký văn bản đi (outgoing documents, 10 columns): [`outgoing_pdf`],
//!   [`outgoing_xlsx`].
//!
//! The PDF is A4 landscape with a cover page, a table whose header is repeated
//! on every page and whose cells wrap their text. It embeds a subset of
//! Liberation Serif (SIL OFL 1.1, see `fonts/LICENSE-OFL-1.1.txt`) as a
//! CIDFontType2 font with a ToUnicode map, so copied or extracted text is the
//! exact Vietnamese input (NFC).
//!
//! All input text is normalised to NFC and stripped of control characters
//! (a newline inside a cell is kept as a line break).
//!
//! ```
//! use vanthu_books::{BookMeta, IncomingRow, incoming_pdf, incoming_xlsx};
//!
//! let meta = BookMeta {
//!     parent_agency: Some("UBND TỈNH NINH BÌNH".into()),
//!     agency: "VĂN PHÒNG UBND TỈNH".into(),
//!     title: "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN".into(),
//!     register_name: "Sổ văn bản đến năm 2026".into(),
//!     period: "2026".into(),
//!     printed_at: "22/11/2026 10:15".into(),
//!     ..Default::default()
//! };
//! let rows = vec![IncomingRow {
//!     arrival_date: "05/01/2026".into(),
//!     arrival_number: "15".into(),
//!     author: "Bộ Nội vụ".into(),
//!     number_notation: "15/QĐ-BNV".into(),
//!     doc_date: "02/01/2026".into(),
//!     type_and_subject: "Quyết định về việc phê duyệt kế hoạch".into(),
//!     ..Default::default()
//! }];
//! let pdf = incoming_pdf(&meta, &rows)?;
//! assert!(pdf.starts_with(b"%PDF"));
//! let xlsx = incoming_xlsx(&meta, &rows)?;
//! assert!(xlsx.starts_with(b"PK"));
//! # Ok::<(), vanthu_books::BookError>(())
//! ```

mod columns;
mod font;
mod pdf;
mod text;
mod xlsx;

pub use columns::{INCOMING_COLUMNS, OUTGOING_COLUMNS};
pub use text::sanitize;

/// Header data of a register book (cover page, title rows, footer).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookMeta {
    /// Tên cơ quan, tổ chức chủ quản, e.g. "UBND TỈNH NINH BÌNH"; may be absent.
    pub parent_agency: Option<String>,
    /// Tên cơ quan, tổ chức, e.g. "VĂN PHÒNG UBND TỈNH".
    pub agency: String,
    /// Book title, e.g. "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" / "SỔ ĐĂNG KÝ VĂN BẢN ĐI".
    pub title: String,
    /// Register name, e.g. "Sổ văn bản đến năm 2026"; printed in every footer.
    pub register_name: String,
    /// A year ("2026") or a Party term ("2025-2030").
    pub period: String,
    /// Secret register: "MẬT" is shown on the cover and on every page.
    pub secret: bool,
    /// First registered number in this book, when known.
    pub from_number: Option<i64>,
    /// Last registered number in this book, when known.
    pub to_number: Option<i64>,
    /// First registration date in this book ("dd/mm/yyyy"), when known.
    pub from_date: Option<String>,
    /// Last registration date in this book ("dd/mm/yyyy"), when known.
    pub to_date: Option<String>,
    /// Print time shown in the footer, e.g. "22/11/2026 10:15".
    pub printed_at: String,
    /// Quyển số (volume number of the bound book), when known; the cover shows
    /// dots otherwise.
    pub volume: Option<String>,
}

/// One line of the Sổ đăng ký văn bản đến (10 columns).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncomingRow {
    /// (1) Ngày đến, "dd/mm/yyyy".
    pub arrival_date: String,
    /// (2) Số đến, e.g. "15" or "15/M".
    pub arrival_number: String,
    /// (3) Tác giả (cơ quan ban hành).
    pub author: String,
    /// (4) Số, ký hiệu văn bản, e.g. "15/QĐ-UBND".
    pub number_notation: String,
    /// (5) Ngày tháng văn bản.
    pub doc_date: String,
    /// (6) Tên loại và trích yếu nội dung (may be long; wraps).
    pub type_and_subject: String,
    /// (7) Đơn vị hoặc người nhận.
    pub recipient: String,
    /// (8) Ngày chuyển.
    pub transfer_date: String,
    /// (9) Ký nhận (usually empty: signed on paper).
    pub signature: String,
    /// (10) Ghi chú.
    pub note: String,
}

/// One line of the Sổ đăng ký văn bản đi (10 columns).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutgoingRow {
    /// (1) Số, ký hiệu văn bản.
    pub number_notation: String,
    /// (2) Ngày tháng văn bản.
    pub doc_date: String,
    /// (3) Tên loại và trích yếu nội dung.
    pub type_and_subject: String,
    /// (4) Người ký.
    pub signer: String,
    /// (5) Nơi nhận văn bản.
    pub recipients: String,
    /// (6) Đơn vị, người nhận bản lưu.
    pub archive_holder: String,
    /// (7) Số lượng bản.
    pub copies: String,
    /// (8) Ngày chuyển.
    pub transfer_date: String,
    /// (9) Ký nhận.
    pub signature: String,
    /// (10) Ghi chú.
    pub note: String,
}

impl IncomingRow {
    /// The ten cells in column order (1)…(10).
    pub fn cells(&self) -> [&str; 10] {
        [
            &self.arrival_date,
            &self.arrival_number,
            &self.author,
            &self.number_notation,
            &self.doc_date,
            &self.type_and_subject,
            &self.recipient,
            &self.transfer_date,
            &self.signature,
            &self.note,
        ]
    }
}

impl OutgoingRow {
    /// The ten cells in column order (1)…(10).
    pub fn cells(&self) -> [&str; 10] {
        [
            &self.number_notation,
            &self.doc_date,
            &self.type_and_subject,
            &self.signer,
            &self.recipients,
            &self.archive_holder,
            &self.copies,
            &self.transfer_date,
            &self.signature,
            &self.note,
        ]
    }
}

/// Errors of the register renderers (Display messages are in Vietnamese).
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    /// The embedded font could not be read.
    #[error("Không đọc được phông chữ nhúng {0}")]
    Font(&'static str),
    /// The embedded font could not be subset.
    #[error("Không tạo được tập con phông chữ {font}: {reason}")]
    FontSubset {
        /// Font name.
        font: &'static str,
        /// Reason given by the subsetter.
        reason: String,
    },
    /// The book has more rows than the output format can hold.
    #[error("Sổ có quá nhiều dòng ({rows}); tối đa {max} dòng")]
    TooManyRows {
        /// Rows requested.
        rows: usize,
        /// Maximum supported.
        max: usize,
    },
    /// The XLSX writer failed.
    #[error("Lỗi khi tạo tệp Excel: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// A one-page A4 document with a title and paragraphs, Vietnamese rendered with the embedded font (the demo's
/// sample files).
pub fn note_pdf(title: &str, paragraphs: &[&str]) -> Result<Vec<u8>, BookError> {
    pdf::render_note(title, paragraphs)
}

/// Renders the Sổ đăng ký văn bản đến as a PDF (A4 landscape).
pub fn incoming_pdf(meta: &BookMeta, rows: &[IncomingRow]) -> Result<Vec<u8>, BookError> {
    pdf::render(meta, &INCOMING_COLUMNS, rows, IncomingRow::cells)
}

/// Renders the Sổ đăng ký văn bản đi as a PDF (A4 landscape).
pub fn outgoing_pdf(meta: &BookMeta, rows: &[OutgoingRow]) -> Result<Vec<u8>, BookError> {
    pdf::render(meta, &OUTGOING_COLUMNS, rows, OutgoingRow::cells)
}

/// Renders the Sổ đăng ký văn bản đến as an XLSX workbook (one sheet).
pub fn incoming_xlsx(meta: &BookMeta, rows: &[IncomingRow]) -> Result<Vec<u8>, BookError> {
    xlsx::render(
        meta,
        &INCOMING_COLUMNS,
        "Sổ đăng ký văn bản đến",
        rows,
        IncomingRow::cells,
    )
}

/// Renders the Sổ đăng ký văn bản đi as an XLSX workbook (one sheet).
pub fn outgoing_xlsx(meta: &BookMeta, rows: &[OutgoingRow]) -> Result<Vec<u8>, BookError> {
    xlsx::render(
        meta,
        &OUTGOING_COLUMNS,
        "Sổ đăng ký văn bản đi",
        rows,
        OutgoingRow::cells,
    )
}

/// Text shown in place of the table when the book has no rows.
pub const EMPTY_BOOK_TEXT: &str = "Sổ chưa có văn bản nào.";

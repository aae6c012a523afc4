//! Loading and exporting the organisation in one go: units and people as CSV or XLSX files.
//!
//! A file is read as a whole first (encoding, delimiter, header row); a file that cannot be read is refused
//! and nothing is written. Then every row is checked and applied in one transaction: rows that break a rule
//! or a permission are reported with their spreadsheet row number (the header is row 1) and the others are
//! kept. A dry run does the same work and rolls the transaction back. A strict import
//! ([`ImportOptions::strict`]) rolls the transaction back when any row is rejected, so that a file is
//! loaded entirely or not at all.
//!
//! Export writes exactly what import reads, so exporting and importing the same file changes nothing.
//!
//! Rules common to both files:
//! - Headers match case-insensitively, with or without diacritics; English snake_case names are accepted
//!   too. An unknown or repeated column, or a missing required one, refuses the file.
//! - A column the file does not have leaves the stored value as it is; an empty cell clears an optional
//!   text value (an empty yes/no cell keeps the stored value).
//! - Only administrators import or export, and only within their subtree: rows outside it are rejected
//!   with the permission message. A row that changes nothing only needs the unit or account to be in that
//!   subtree (as in exports); a row that changes something needs the same right as the API.
//! - A file has at most [`MAX_ROWS`] data rows and [`MAX_COLUMNS`] columns; a workbook is read cell by
//!   cell, so that a small file naming a far-away cell is refused without filling memory.
//!
//! Units (`Mã nội bộ` is the key): parents may come after their children; a row whose parent is rejected
//! or unknown is rejected; `Hoạt động` = `Không` stops a unit once everything else is in place.
//!
//! People (`Tên đăng nhập` is the key): one row per membership; the rows of one username must agree on
//! the person's own columns, and list all of the person's memberships. `Mật khẩu` is only used for new
//! accounts; a new account without one gets a generated password. Counts are of accounts. Every account is
//! checked before anything of it is written, passwords are hashed only for the new accounts that pass and
//! before the write transaction opens, and a file creates at most [`MAX_NEW_ACCOUNTS`] accounts. A write
//! that fails once an account's writes have begun abandons the whole import.

mod people;
mod table;
mod units;

use crate::error::{AppError, AppResult};
use serde::Serialize;
use utoipa::ToSchema;
use vanthu_domain::access::Actor;
use vanthu_domain::text::fold_ascii;
use vanthu_store::WriteTx;

pub use people::MAX_NEW_ACCOUNTS;
pub use table::{MAX_COLUMNS, MAX_ROWS};

/// The MIME type of an XLSX workbook.
pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The MIME type of the CSV files written by export.
pub const CSV_MIME: &str = "text/csv; charset=utf-8";

/// A file format of imports and exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// UTF-8 text (a BOM is accepted and written), `,` or `;` between values.
    Csv,
    /// An Excel workbook (Office Open XML); the first sheet is read.
    Xlsx,
}

impl Format {
    /// Guesses the format of file contents: a ZIP archive (`PK\x03\x04`) is a workbook, anything else CSV.
    pub fn detect(bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }

    /// The format named by a file name's extension (`units.csv`, `Nguoi dung.XLSX`) or by a bare
    /// extension or format name (`csv`, `.xlsx`).
    pub fn from_extension(name: &str) -> Option<Format> {
        let ext = name.rsplit('.').next().unwrap_or(name);
        match ext.trim().to_ascii_lowercase().as_str() {
            "csv" | "txt" => Some(Format::Csv),
            "xlsx" | "xlsm" => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// The format announced by an HTTP `Content-Type`, if it names one.
    pub fn from_content_type(ct: &str) -> Option<Format> {
        let essence = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "text/csv" | "application/csv" | "text/comma-separated-values" => Some(Format::Csv),
            XLSX_MIME => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// `csv` or `xlsx`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// The `Content-Type` of an exported file.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => CSV_MIME,
            Format::Xlsx => XLSX_MIME,
        }
    }
}

/// How an import runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Check every row and report as if importing, but save nothing.
    pub dry_run: bool,
    /// Save nothing when any row is rejected (the report says so in `refused`).
    pub strict: bool,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize, ToSchema, Default, PartialEq)]
pub struct ImportReport {
    /// Nothing was written: the transaction was rolled back.
    pub dry_run: bool,
    /// A strict import found rejected rows: nothing was written, the counts say what would have been done.
    pub refused: bool,
    /// Units, or accounts, created.
    pub created: usize,
    /// Units, or accounts, whose fields, place, state or memberships changed.
    pub updated: usize,
    /// Units, or accounts, already as in the file.
    pub unchanged: usize,
    /// Rows that were not applied, with the reason.
    pub rejected: Vec<RejectedRow>,
    /// Passwords generated for new accounts without one in the file; they must be changed at first
    /// sign-in. In a dry run, or when a strict import is refused, the accounts are listed with an empty
    /// password.
    pub generated_passwords: Vec<GeneratedPassword>,
}

/// A row that was not applied.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct RejectedRow {
    /// Row number in the spreadsheet; the header is row 1.
    pub row: usize,
    /// The unit's internal key or the account's username, as written in the row.
    pub key: String,
    /// Why, in Vietnamese.
    pub reason: String,
}

/// A password generated for a new account.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct GeneratedPassword {
    pub username: String,
    pub password: String,
}

impl ImportReport {
    /// The report as Vietnamese text, for the command line.
    pub fn to_text(&self, what: &str) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        if self.dry_run {
            let _ = writeln!(s, "CHẠY THỬ: không có thay đổi nào được lưu.");
        } else if self.refused {
            let _ = writeln!(
                s,
                "KHÔNG LƯU: có dòng bị từ chối nên không có thay đổi nào được lưu (nhập nghiêm ngặt)."
            );
        }
        let _ = writeln!(
            s,
            "{what}: {} tạo mới, {} cập nhật, {} không đổi, {} dòng bị từ chối.",
            self.created,
            self.updated,
            self.unchanged,
            self.rejected.len()
        );
        for r in &self.rejected {
            let _ = writeln!(s, "  Dòng {} ({}): {}", r.row, r.key, r.reason);
        }
        if !self.generated_passwords.is_empty() {
            if self.dry_run || self.refused {
                let _ = writeln!(
                    s,
                    "Các tài khoản sau sẽ được cấp mật khẩu ngẫu nhiên khi nhập thật:"
                );
            } else {
                let _ = writeln!(
                    s,
                    "Mật khẩu được tạo (người dùng phải đổi ở lần đăng nhập đầu tiên; hãy chuyển riêng cho từng người):"
                );
            }
            for g in &self.generated_passwords {
                let _ = writeln!(s, "  {}\t{}", g.username, g.password);
            }
        }
        s
    }
}

/// Only administrators import or export (shared with the web pages of import and export).
pub fn require_admin(actor: &Actor) -> AppResult<()> {
    if actor.is_any_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Chỉ quản trị đơn vị hoặc quản trị hệ thống được nhập hoặc xuất dữ liệu tổ chức."
                .into(),
        ))
    }
}

/// Ends an import's transaction: commits it, unless this is a dry run or a strict import with rejected rows
/// (then the transaction is dropped, which rolls it back, and `report.refused` is set for the latter).
async fn finish(
    tx: Box<dyn WriteTx>,
    report: &mut ImportReport,
    opts: ImportOptions,
) -> AppResult<()> {
    // A statement that failed in the database leaves some engines' transaction unusable: make sure it is
    // still sound before committing.
    let mut tx = tx;
    tx.ancestry(0).await?;
    if opts.strict && !report.rejected.is_empty() {
        report.refused = true;
        for g in &mut report.generated_passwords {
            g.password.clear();
        }
        return Ok(());
    }
    if !opts.dry_run {
        tx.commit().await?;
    }
    Ok(())
}

/// A column of a file: the Vietnamese header written by export and the English alias also accepted.
pub(crate) struct Column {
    pub label: &'static str,
    pub english: &'static str,
    pub required: bool,
}

/// A header cell in a comparable form: ASCII-folded, lowercase, `_`/`-`/spaces collapsed to one space.
fn header_key(s: &str) -> String {
    fold_ascii(s.trim().trim_start_matches('\u{feff}'))
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses a yes/no cell; empty is `None`.
fn parse_bool(label: &str, raw: &str) -> AppResult<Option<bool>> {
    let f = fold_ascii(raw.trim());
    match f.as_str() {
        "" => Ok(None),
        "co" | "x" | "yes" | "y" | "true" | "1" | "dung" => Ok(Some(true)),
        "khong" | "no" | "n" | "false" | "0" | "sai" => Ok(Some(false)),
        _ => Err(AppError::Invalid {
            field: "file".into(),
            message: format!(
                "Giá trị \"{}\" của cột \"{label}\" không hợp lệ: dùng Có hoặc Không.",
                raw.trim()
            ),
        }),
    }
}

fn yes_no(b: bool) -> String {
    if b { "Có" } else { "Không" }.to_string()
}

/// `None` for an empty cell.
fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

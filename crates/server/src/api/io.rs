//! Loading and exporting the organisation as CSV or XLSX files.

use super::{ApiError, ApiQuery, Authed, ErrorBody};
use crate::App;
use crate::error::AppError;
use crate::io::{Format, ImportOptions, ImportReport};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Check every row and report as if importing, but save nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Save nothing if any row is rejected: the file is loaded entirely or not at all. The report then has
    /// `refused` set (and still lists what would have been done).
    #[serde(default)]
    pub strict: bool,
}

impl ImportQuery {
    fn options(&self) -> ImportOptions {
        ImportOptions {
            dry_run: self.dry_run,
            strict: self.strict,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// `csv` (default; UTF-8 with BOM, comma-separated) or `xlsx`.
    pub format: Option<String>,
}

/// The uploaded file: the raw request body, up to the server's body limit.
async fn file_body(body: Body) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, crate::server::BODY_LIMIT)
        .await
        .map_err(|_| {
            ApiError(AppError::TooLarge(format!(
                "Tệp quá lớn hoặc không nhận được trọn vẹn; tối đa {} MB.",
                crate::server::BODY_LIMIT / 1024 / 1024
            )))
        })
}

/// The format the `Content-Type` names, else the one the contents show.
fn body_format(headers: &HeaderMap, bytes: &[u8]) -> Format {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(Format::from_content_type)
        .unwrap_or_else(|| Format::detect(bytes))
}

fn export_format(q: &ExportQuery) -> Result<Format, ApiError> {
    match q.format.as_deref().map(str::trim) {
        None | Some("") => Ok(Format::Csv),
        Some(f) => match f.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            _ => Err(ApiError(AppError::BadRequest(format!(
                "Định dạng \"{f}\" không hợp lệ: dùng csv hoặc xlsx."
            )))),
        },
    }
}

/// The answer of an import, success or error (a refused sign-in or query too): never stored by a cache, since a report can carry generated
/// passwords.
fn import_answer(r: Result<ImportReport, ApiError>) -> Response {
    let mut resp = match r {
        Ok(report) => Json(report).into_response(),
        Err(e) => e.into_response(),
    };
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// A file to download, named `STEM-YYYYMMDD.EXT` after the date in Việt Nam.
fn attachment(format: Format, stem: &str, bytes: Vec<u8>) -> Response {
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+7))
        .date();
    let name = format!(
        "{stem}-{:04}{:02}{:02}.{}",
        today.year(),
        u8::from(today.month()),
        today.day(),
        format.extension()
    );
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Loads units from a CSV or XLSX file (the raw request body): creates new units and updates existing ones
/// by internal key, in one transaction; rows that break a rule are reported and left out (with `strict=true`,
/// nothing is saved when any row is rejected). The answer is never cached.
#[utoipa::path(post, path = "/api/v1/import/units", tag = "units", params(ImportQuery),
    request_body(description = "Tệp danh sách đơn vị: CSV UTF-8 (phân cách bằng , hoặc ;) hoặc XLSX. Không có Content-Type phù hợp thì nhận dạng theo nội dung.",
        content((String = "text/csv"), ([u8] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = ImportReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_units(
    State(app): State<App>,
    a: Result<Authed, ApiError>,
    q: Result<ApiQuery<ImportQuery>, ApiError>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    import_answer(
        async {
            let (a, ApiQuery(q)) = (a?, q?);
            let bytes = file_body(body).await?;
            let format = body_format(&headers, &bytes);
            Ok(app
                .import_units_with(&a.actor, format, &bytes, q.options())
                .await?)
        }
        .await,
    )
}

/// Loads people from a CSV or XLSX file (one row per membership): creates accounts (with a generated
/// password when the file gives none) and updates existing ones by username, in one transaction (with
/// `strict=true`, nothing is saved when any row is rejected). At most 5 000 new accounts per file. The answer,
/// which can carry generated passwords, is never cached.
#[utoipa::path(post, path = "/api/v1/import/people", tag = "people", params(ImportQuery),
    request_body(description = "Tệp danh sách người dùng: CSV UTF-8 (phân cách bằng , hoặc ;) hoặc XLSX. Không có Content-Type phù hợp thì nhận dạng theo nội dung.",
        content((String = "text/csv"), ([u8] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = ImportReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_people(
    State(app): State<App>,
    a: Result<Authed, ApiError>,
    q: Result<ApiQuery<ImportQuery>, ApiError>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    import_answer(
        async {
            let (a, ApiQuery(q)) = (a?, q?);
            let bytes = file_body(body).await?;
            let format = body_format(&headers, &bytes);
            Ok(app
                .import_people_with(&a.actor, format, &bytes, q.options())
                .await?)
        }
        .await,
    )
}

/// The units the caller administers, as a file that the import reads back.
#[utoipa::path(get, path = "/api/v1/export/units", tag = "units", params(ExportQuery),
    responses((status = 200, description = "Tệp danh sách đơn vị",
            content((String = "text/csv"), ([u8] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
            headers(("Content-Disposition" = String, description = "attachment; filename=\"don-vi-YYYYMMDD.csv\""))),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn export_units(
    State(app): State<App>,
    a: Authed,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = export_format(&q)?;
    let bytes = app.export_units(&a.actor, format).await?;
    Ok(attachment(format, "don-vi", bytes))
}

/// The active accounts the caller administers, one row per membership, as a file that the import reads
/// back (passwords are never exported).
#[utoipa::path(get, path = "/api/v1/export/people", tag = "people", params(ExportQuery),
    responses((status = 200, description = "Tệp danh sách người dùng",
            content((String = "text/csv"), ([u8] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
            headers(("Content-Disposition" = String, description = "attachment; filename=\"nguoi-dung-YYYYMMDD.csv\""))),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn export_people(
    State(app): State<App>,
    a: Authed,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = export_format(&q)?;
    let bytes = app.export_people(&a.actor, format).await?;
    Ok(attachment(format, "nguoi-dung", bytes))
}

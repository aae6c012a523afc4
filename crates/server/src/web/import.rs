//! Loading units and people from a CSV or XLSX file (with a dry run), and downloading the exports.

use super::{
    ErrorKind, Layout, OrPage, WebError, WebPath, WebUser, csrf_refused, render, same_secret,
    status_of,
};
use crate::App;
use crate::error::AppError;
use crate::io::{Format, ImportReport};
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "import.html")]
struct ImportTpl {
    layout: Layout,
    what: String,
    dry_run: bool,
    file_name: String,
    missing_file: bool,
    report: Option<ImportReport>,
}

pub async fn page(user: WebUser) -> Result<Response, WebError> {
    crate::io::require_admin(&user.actor).or_page(&user)?;
    Ok(render(
        StatusCode::OK,
        &ImportTpl {
            layout: Layout::new(&user, "import"),
            what: "units".into(),
            dry_run: true,
            file_name: String::new(),
            missing_file: false,
            report: None,
        },
    ))
}

pub async fn upload(
    State(app): State<App>,
    user: WebUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    crate::io::require_admin(&user.actor).or_page(&user)?;
    // Not a file upload form (wrong type, broken body): the page says so, in Vietnamese.
    let bad_upload = |user: &WebUser| {
        WebError::new(user, AppError::BadRequest(String::new())).kind(ErrorKind::BadForm)
    };
    let mut mp = multipart.map_err(|_| bad_upload(&user))?;
    let (mut csrf, mut what, mut dry_run) = (String::new(), String::new(), false);
    let (mut file_name, mut bytes, mut content_type) = (String::new(), Vec::new(), String::new());
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Err(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    WebError::new(&user, AppError::TooLarge(String::new()))
                } else {
                    bad_upload(&user)
                });
            }
        };
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" => {
                file_name = field.file_name().unwrap_or("").to_string();
                content_type = field.content_type().unwrap_or("").to_string();
                bytes = field.bytes().await.map_err(|_| bad_upload(&user))?.to_vec();
            }
            other => {
                let v = field.text().await.map_err(|_| bad_upload(&user))?;
                match other {
                    "_csrf" => csrf = v,
                    "what" => what = v,
                    "dry_run" => dry_run = true,
                    _ => {}
                }
            }
        }
    }
    if !same_secret(&csrf, &user.csrf) {
        return Ok(csrf_refused(Some(&user)));
    }
    let what = if what == "people" { "people" } else { "units" }.to_string();
    let layout = Layout::new(&user, "import");
    let mut t = ImportTpl {
        layout,
        what: what.clone(),
        dry_run,
        file_name: file_name.clone(),
        missing_file: bytes.is_empty(),
        report: None,
    };
    if bytes.is_empty() {
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &t));
    }
    let format = Format::from_extension(&file_name)
        .or_else(|| Format::from_content_type(&content_type))
        .unwrap_or_else(|| Format::detect(&bytes));
    let result = if what == "people" {
        app.import_people(&user.actor, format, &bytes, dry_run)
            .await
    } else {
        app.import_units(&user.actor, format, &bytes, dry_run).await
    };
    match result {
        Ok(report) => {
            t.report = Some(report);
            Ok(render(StatusCode::OK, &t))
        }
        Err(e) => {
            t.layout = t.layout.error(&e);
            Ok(render(status_of(&e), &t))
        }
    }
}

/// `units.csv`, `units.xlsx`, `people.csv` or `people.xlsx`.
pub async fn export(
    State(app): State<App>,
    user: WebUser,
    WebPath(file): WebPath<String>,
) -> Result<Response, WebError> {
    crate::io::require_admin(&user.actor).or_page(&user)?;
    let (what, ext) = file.split_once('.').unwrap_or((file.as_str(), ""));
    let Some(format) = Format::from_extension(ext).filter(|_| ext == "csv" || ext == "xlsx") else {
        return Err(WebError::new(&user, AppError::NotFound(String::new())));
    };
    let (bytes, base) = match what {
        "units" => (
            app.export_units(&user.actor, format).await.or_page(&user)?,
            "don-vi",
        ),
        "people" => (
            app.export_people(&user.actor, format)
                .await
                .or_page(&user)?,
            "nguoi-dung",
        ),
        _ => return Err(WebError::new(&user, AppError::NotFound(String::new()))),
    };
    let disposition = format!("attachment; filename=\"{base}.{}\"", format.extension());
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

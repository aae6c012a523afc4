//! The server-rendered web interface in Vietnamese: a session cookie, a CSRF token in every form, thin
//! handlers that parse the form, call the use case on [`App`] and render an askama template.

mod auth;
mod documents;
mod exchange;
mod flows;
mod import;
mod people;
mod registers;
mod tree;
mod units;

use crate::App;
use crate::error::AppError;
use askama::Template;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use rand::RngCore;
use vanthu_domain::access::Actor;
use vanthu_store::TokenKind;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "vanthu_session";
/// Name of the double-submit cookie that protects the sign-in form.
pub const LOGIN_CSRF_COOKIE: &str = "vanthu_login_csrf";

const CSS: &str = include_str!("../../static/app.css");

/// The pages, their form handlers and the style sheet.
pub fn router() -> Router<App> {
    Router::new()
        .route("/", get(auth::home))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", get(auth::logout_form).post(auth::logout))
        .route(
            "/me/password",
            get(auth::password_form).post(auth::change_password),
        )
        .route("/units", get(units::list))
        .route("/units/new", get(units::new_form).post(units::create))
        .route("/units/{id}", get(units::show))
        .route("/units/{id}/edit", post(units::update))
        .route("/units/{id}/move", post(units::move_unit))
        .route("/units/{id}/deactivate", post(units::deactivate))
        .route("/units/{id}/activate", post(units::activate))
        .route("/units/{id}/registers", post(registers::create))
        .route("/units/{id}/flows", get(flows::list).post(flows::copy))
        .route("/units/{id}/flows/import", post(flows::import))
        .route("/units/{id}/flows/{flow_id}", get(flows::show))
        .route("/units/{id}/flows/{flow_id}/edit", post(flows::save))
        .route("/units/{id}/flows/{flow_id}/export", get(flows::export))
        .route("/registers/{id}", get(registers::show))
        .route("/registers/{id}/book", get(registers::book))
        .route("/registers/{id}/numbers", post(registers::take))
        .route(
            "/registers/{id}/numbers/{number}/cancel",
            post(registers::cancel),
        )
        .route("/people", get(people::list))
        .route("/people/new", get(people::new_form).post(people::create))
        .route("/people/{id}", get(people::show))
        .route("/people/{id}/edit", post(people::update))
        .route("/people/{id}/password", post(people::reset_password))
        .route("/people/{id}/deactivate", post(people::deactivate))
        .route("/people/{id}/activate", post(people::activate))
        .route(
            "/admin/import",
            get(import::page)
                .post(import::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::server::BODY_LIMIT,
                )),
        )
        .route("/admin/export/{file}", get(import::export))
        .route("/admin/exchange", get(exchange::page))
        .route("/admin/exchange/outbox/{id}/retry", post(exchange::retry))
        .route("/admin/exchange/inbox/{id}/package", get(exchange::package))
        .route("/documents", get(documents::list))
        .route("/documents/queues/{queue}", get(documents::queue))
        .route(
            "/documents/incoming/new",
            get(documents::incoming_form)
                .post(documents::incoming_create)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::server::BODY_LIMIT,
                )),
        )
        .route(
            "/documents/outgoing/new",
            get(documents::draft_form)
                .post(documents::draft_create)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::server::BODY_LIMIT,
                )),
        )
        .route("/documents/{id}", get(documents::show))
        .route(
            "/documents/{id}/edit",
            get(documents::edit_form).post(documents::edit_save).layer(
                axum::extract::DefaultBodyLimit::max(crate::server::BODY_LIMIT),
            ),
        )
        .route(
            "/documents/{id}/files",
            post(documents::attach).layer(axum::extract::DefaultBodyLimit::max(
                crate::server::BODY_LIMIT,
            )),
        )
        .route("/documents/{id}/files/{file_id}", get(documents::download))
        .route("/documents/{id}/{action}", post(documents::act))
        .layer(axum::middleware::from_fn(guard))
        .route("/static/app.css", get(css))
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        CSS,
    )
        .into_response()
}

/// Refuses a cross-site POST (an `Origin` that is not this host) and adds the security headers of pages.
async fn guard(req: Request, next: Next) -> Response {
    if req.method() == Method::POST && !same_origin(req.headers()) {
        return error_page(
            None,
            StatusCode::FORBIDDEN,
            ErrorKind::CrossSite,
            String::new(),
        );
    }
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    let set = |h: &mut HeaderMap, k: header::HeaderName, v: &'static str| {
        h.entry(k).or_insert(HeaderValue::from_static(v));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, header::CACHE_CONTROL, "no-store");
    resp
}

/// Whether the request's `Origin` (when present) names the host it was sent to.
fn same_origin(h: &HeaderMap) -> bool {
    let Some(origin) = h.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let Some(host) = h.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some((_, rest)) = origin.split_once("://") else {
        return false;
    };
    rest.trim_end_matches('/').eq_ignore_ascii_case(host)
}

// ---------------------------------------------------------------------------------------------------------
// Sessions, cookies and CSRF.

/// The signed-in person of a page request.
pub struct WebUser {
    pub actor: Actor,
    pub token: String,
    pub csrf: String,
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_string())
}

fn random_value() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Compares two secrets in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len()
        && !a.is_empty()
        && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn cookie_header(
    app: &App,
    name: &str,
    value: &str,
    path: &str,
    max_age: i64,
    same_site: &str,
) -> HeaderValue {
    let secure = if app.auth.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite={same_site}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn session_cookie(app: &App, token: &str, max_age: i64) -> HeaderValue {
    cookie_header(app, SESSION_COOKIE, token, "/", max_age, "Lax")
}

fn clear_session_cookie(app: &App) -> HeaderValue {
    session_cookie(app, "", 0)
}

/// Percent-encodes a path for a query value.
fn encode_query(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A local path to return to after signing in; anything else falls back to the home page.
fn safe_next(next: &str) -> Option<&str> {
    (next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
        && next.len() < 512)
        .then_some(next)
}

/// Why a page could not be reached: sign in (again) or a refused request.
pub enum Rejection {
    SignIn {
        next: Option<String>,
        clear: bool,
        app: App,
    },
    Page(Response),
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Rejection::SignIn { next, clear, app } => {
                let to = match next.as_deref().and_then(safe_next) {
                    Some(n) if n != "/" => format!("/login?next={}", encode_query(n)),
                    _ => "/login".to_string(),
                };
                let mut r = Redirect::to(&to).into_response();
                if clear {
                    r.headers_mut()
                        .insert(header::SET_COOKIE, clear_session_cookie(&app));
                }
                r
            }
            Rejection::Page(r) => r,
        }
    }
}

/// Pages a person whose password was set by an administrator may still open: changing it and signing out
/// (the style sheet is served outside the session check).
const OPEN_WHILE_MUST_CHANGE: &[&str] = &["/me/password", "/logout"];

/// The person signed in with the session cookie of a request, whatever their password state.
async fn session_user(parts: &Parts, app: &App) -> Result<WebUser, Rejection> {
    let next = (parts.method == Method::GET).then(|| {
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default()
    });
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
        return Err(Rejection::SignIn {
            next,
            clear: false,
            app: app.clone(),
        });
    };
    match app.authenticate(&token, TokenKind::Web).await {
        Ok((actor, csrf)) => Ok(WebUser {
            actor,
            token,
            csrf: csrf.unwrap_or_default(),
        }),
        Err(AppError::Unauthenticated { .. }) => Err(Rejection::SignIn {
            next,
            clear: true,
            app: app.clone(),
        }),
        Err(e) => Err(Rejection::Page(WebError::bare(e).into_response())),
    }
}

/// The frame of an error page for whoever is signed in, if anyone.
async fn layout_of(parts: &Parts, app: &App) -> Option<Layout> {
    session_user(parts, app)
        .await
        .ok()
        .map(|u| Layout::new(&u, ""))
}

impl FromRequestParts<App> for WebUser {
    type Rejection = Rejection;

    /// The signed-in person; while their password must be changed, every page but changing it and signing
    /// out sends them to the change (reading) or is refused (any other request).
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let user = session_user(parts, app).await?;
        if user.actor.must_change_password && !OPEN_WHILE_MUST_CHANGE.contains(&parts.uri.path()) {
            return Err(Rejection::Page(
                if parts.method == Method::GET || parts.method == Method::HEAD {
                    see_other("/me/password")
                } else {
                    error_page(
                        Some(Layout::new(&user, "")),
                        StatusCode::FORBIDDEN,
                        ErrorKind::MustChangePassword,
                        String::new(),
                    )
                },
            ));
        }
        Ok(user)
    }
}

/// A path parameter; an address that cannot be read (bad percent-encoding) is answered with a page.
pub struct WebPath<T>(pub T);

impl<T> FromRequestParts<App> for WebPath<T>
where
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, app).await {
            Ok(axum::extract::Path(v)) => Ok(WebPath(v)),
            Err(e) => Err(bad_address(parts, app, e.status()).await),
        }
    }
}

/// The query of a page; a query that cannot be read (a field given twice, bad encoding) is answered with a
/// page.
pub struct WebQuery<T>(pub T);

impl<T> FromRequestParts<App> for WebQuery<T>
where
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, app).await {
            Ok(axum::extract::Query(v)) => Ok(WebQuery(v)),
            Err(e) => Err(bad_address(parts, app, e.status()).await),
        }
    }
}

/// The page for an address whose path or query cannot be read (400), in the frame of the signed-in person.
async fn bad_address(parts: &Parts, app: &App, status: StatusCode) -> Response {
    if status.is_server_error() {
        tracing::error!(path = %parts.uri.path(), "path parameters of a page could not be extracted");
        return WebError::bare(AppError::Internal(String::new())).into_response();
    }
    error_page(
        layout_of(parts, app).await,
        StatusCode::BAD_REQUEST,
        ErrorKind::BadAddress,
        String::new(),
    )
}

/// The page for a form body that cannot be read: wrong type, too large or malformed.
fn bad_form(
    layout: Option<Layout>,
    rejection: &axum::extract::rejection::FormRejection,
) -> Response {
    let status = rejection.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return error_page(layout, status, ErrorKind::App, String::new());
    }
    let status = if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        status
    } else {
        StatusCode::BAD_REQUEST
    };
    error_page(layout, status, ErrorKind::BadForm, String::new())
}

/// The fields of a submitted form, in order; repeated names (checkboxes) are kept.
#[derive(Debug, Default, Clone)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// A form posted by a signed-in person, with its CSRF token checked.
pub struct Posted {
    pub user: WebUser,
    pub form: FormData,
}

impl FromRequest<App> for Posted {
    type Rejection = Rejection;

    async fn from_request(req: Request, app: &App) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = WebUser::from_request_parts(&mut parts, app).await?;
        let req = Request::from_parts(parts, body);
        let form = match axum::Form::<Vec<(String, String)>>::from_request(req, app).await {
            Ok(axum::Form(pairs)) => FormData(pairs),
            Err(e) => return Err(Rejection::Page(bad_form(Some(Layout::new(&user, "")), &e))),
        };
        if !same_secret(form.get("_csrf"), &user.csrf) {
            return Err(Rejection::Page(csrf_refused(Some(&user))));
        }
        Ok(Posted { user, form })
    }
}

fn csrf_refused(user: Option<&WebUser>) -> Response {
    error_page(
        user.map(|u| Layout::new(u, "")),
        StatusCode::FORBIDDEN,
        ErrorKind::Csrf,
        String::new(),
    )
}

/// A short notice code carried in the query after a redirect (`?notice=saved`).
pub struct Notice(pub String);

const NOTICES: &[&str] = &[
    "saved",
    "created",
    "moved",
    "deactivated",
    "activated",
    "password_reset",
    "password_changed",
    "logged_out",
    "unchanged",
    "requeued",
];

impl<S: Send + Sync> FromRequestParts<S> for Notice {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let n = q
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "notice")
            .map(|(_, v)| v)
            .filter(|v| NOTICES.contains(v))
            .unwrap_or("");
        Ok(Notice(n.to_string()))
    }
}

// ---------------------------------------------------------------------------------------------------------
// Layout, pages, errors.

/// What the frame of every page needs: who is signed in, the CSRF token, the current section, a notice and
/// an error message.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub user: Option<NavUser>,
    pub csrf: String,
    pub section: &'static str,
    pub notice: String,
    pub error: String,
}

#[derive(Debug, Clone)]
pub struct NavUser {
    pub name: String,
    pub username: String,
    pub admin: bool,
    pub sysadmin: bool,
    /// The password must be changed first: the frame offers only that and signing out.
    pub must_change: bool,
}

impl Layout {
    pub fn new(u: &WebUser, section: &'static str) -> Layout {
        Layout {
            user: Some(NavUser {
                name: u.actor.full_name.clone(),
                username: u.actor.username.clone(),
                admin: u.actor.is_any_admin(),
                sysadmin: u.actor.is_system_admin(),
                must_change: u.actor.must_change_password,
            }),
            csrf: u.csrf.clone(),
            section,
            notice: String::new(),
            error: String::new(),
        }
    }

    pub fn notice(mut self, n: Notice) -> Layout {
        self.notice = n.0;
        self
    }

    pub fn error(mut self, e: &AppError) -> Layout {
        self.error = e.to_string();
        self
    }
}

/// Renders a template with a status code; a template that fails to render is logged and answered 500.
pub fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><meta charset=utf-8><p>Lỗi hệ thống khi hiển thị trang.</p>"),
            )
                .into_response()
        }
    }
}

pub fn status_of(e: &AppError) -> StatusCode {
    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Which error page to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// An error of the use case; its message is shown.
    App,
    Csrf,
    CrossSite,
    BadForm,
    /// The path or query of the address cannot be read.
    BadAddress,
    NotFound,
    /// The page does not take this method (a form sent to a page that is only read).
    MethodNotAllowed,
    /// The password set by an administrator must be changed first.
    MustChangePassword,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTpl {
    layout: Layout,
    status: u16,
    kind: ErrorKind,
    message: String,
}

impl ErrorTpl {
    fn is(&self, k: &str) -> bool {
        matches!(
            (k, self.kind),
            ("app", ErrorKind::App)
                | ("csrf", ErrorKind::Csrf)
                | ("cross_site", ErrorKind::CrossSite)
                | ("bad_form", ErrorKind::BadForm)
                | ("bad_address", ErrorKind::BadAddress)
                | ("not_found", ErrorKind::NotFound)
                | ("method", ErrorKind::MethodNotAllowed)
                | ("must_change", ErrorKind::MustChangePassword)
        )
    }
}

fn error_page(
    layout: Option<Layout>,
    status: StatusCode,
    kind: ErrorKind,
    message: String,
) -> Response {
    render(
        status,
        &ErrorTpl {
            layout: layout.unwrap_or_default(),
            status: status.as_u16(),
            kind,
            message,
        },
    )
}

/// Adds the security headers of pages to a response made outside the page router (the server's fallbacks).
fn with_page_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    for (k, v) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        h.insert(k, HeaderValue::from_static(v));
    }
    r
}

/// The HTML page for an unknown address (the server's fallback for paths outside `/api`).
pub fn not_found_page() -> Response {
    with_page_headers(error_page(
        None,
        StatusCode::NOT_FOUND,
        ErrorKind::NotFound,
        String::new(),
    ))
}

/// The HTML page for a request whose body is over the server's limit (the server's guard outside `/api`).
pub fn too_large_page(e: &AppError) -> Response {
    with_page_headers(error_page(
        None,
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::App,
        e.to_string(),
    ))
}

/// The HTML page for a method a page does not take (the server's fallback for paths outside `/api`).
pub fn method_not_allowed_page() -> Response {
    with_page_headers(error_page(
        None,
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::MethodNotAllowed,
        String::new(),
    ))
}

/// An error of a page, shown in the frame of the site (boxed: it travels in every handler's `Result`).
pub struct WebError(Box<WebErrorInner>);

struct WebErrorInner {
    layout: Option<Layout>,
    err: AppError,
    kind: ErrorKind,
}

impl WebError {
    pub fn new(u: &WebUser, err: AppError) -> WebError {
        WebError(Box::new(WebErrorInner {
            layout: Some(Layout::new(u, "")),
            err,
            kind: ErrorKind::App,
        }))
    }

    pub fn bare(err: AppError) -> WebError {
        WebError(Box::new(WebErrorInner {
            layout: None,
            err,
            kind: ErrorKind::App,
        }))
    }

    fn kind(mut self, k: ErrorKind) -> WebError {
        self.0.kind = k;
        self
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let e = *self.0;
        let status = status_of(&e.err);
        error_page(e.layout, status, e.kind, e.err.to_string())
    }
}

/// Attaches the signed-in person to an error so that the error page keeps the site's frame.
pub trait OrPage<T> {
    fn or_page(self, u: &WebUser) -> Result<T, WebError>;
}

impl<T> OrPage<T> for Result<T, AppError> {
    fn or_page(self, u: &WebUser) -> Result<T, WebError> {
        self.map_err(|e| WebError::new(u, e))
    }
}

/// A path id; anything that is not a number is an unknown page.
pub fn parse_id(raw: &str, u: &WebUser) -> Result<i64, WebError> {
    raw.parse::<i64>()
        .map_err(|_| WebError::new(u, AppError::NotFound(String::new())).kind(ErrorKind::NotFound))
}

/// A 303 redirect to `to`.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Formats an RFC 3339 time of a view for people (local time of Việt Nam).
pub fn local_iso(s: &str) -> String {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map(|t| crate::app::views::local_time((t.unix_timestamp_nanos() / 1_000_000) as i64))
        .unwrap_or_else(|_| s.to_string())
}

/// One line of history for the pages.
pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub summary: String,
    pub details: String,
}

pub fn history_rows(events: Vec<crate::app::views::EventView>) -> Vec<HistoryRow> {
    events
        .into_iter()
        .map(|e| HistoryRow {
            at: local_iso(&e.at),
            actor: e.actor.unwrap_or_default(),
            summary: e.summary,
            details: details_text(&e.details),
        })
        .collect()
}

/// `field: before → after` for the changes of an event; other details as compact JSON.
fn details_text(v: &serde_json::Value) -> String {
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "∅".into(),
        other => other.to_string(),
    };
    match v {
        serde_json::Value::Object(m) if m.is_empty() => String::new(),
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| match (v.get("from"), v.get("to")) {
                (Some(a), Some(b)) => format!("{k}: {} → {}", show(a), show(b)),
                _ => format!("{k}: {}", show(v)),
            })
            .collect::<Vec<_>>()
            .join("; "),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

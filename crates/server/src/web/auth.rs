//! Sign-in, sign-out, the home page and the change of one's own password.

use super::{
    FormData, LOGIN_CSRF_COOKIE, Layout, Notice, OrPage, Posted, WebError, WebUser, cookie,
    cookie_header, random_value, render, safe_next, same_secret, see_other, session_cookie,
    status_of,
};
use crate::App;
use crate::app::views::{MembershipOut, PersonView};
use crate::error::AppError;
use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use vanthu_store::{TokenKind, now_ms};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTpl {
    layout: Layout,
    username: String,
    next: String,
    login_csrf: String,
    csrf_failed: bool,
}

/// A valid-looking double-submit value from the cookie, or a new one.
fn login_csrf(headers: &axum::http::HeaderMap) -> (String, bool) {
    match cookie(headers, LOGIN_CSRF_COOKIE).filter(|v| v.len() == 43) {
        Some(v) => (v, false),
        None => (random_value(), true),
    }
}

fn login_page(
    app: &App,
    status: StatusCode,
    layout: Layout,
    username: String,
    next: String,
    token: (String, bool),
) -> Response {
    let csrf_failed = status == StatusCode::FORBIDDEN;
    let mut r = render(
        status,
        &LoginTpl {
            layout,
            username,
            next,
            login_csrf: token.0.clone(),
            csrf_failed,
        },
    );
    if token.1 {
        r.headers_mut().append(
            header::SET_COOKIE,
            cookie_header(app, LOGIN_CSRF_COOKIE, &token.0, "/login", 3600, "Strict"),
        );
    }
    r
}

pub async fn login_form(State(app): State<App>, notice: Notice, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    if let Ok(u) = super::session_user(&parts, &app).await {
        return see_other(if u.actor.must_change_password {
            "/me/password"
        } else {
            "/"
        });
    }
    let next = parts
        .uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "next")
        .map(|(_, v)| percent_decode(v))
        .unwrap_or_default();
    let next = safe_next(&next).unwrap_or("").to_string();
    let layout = Layout {
        notice: notice.0,
        ..Layout::default()
    };
    login_page(
        &app,
        StatusCode::OK,
        layout,
        String::new(),
        next,
        login_csrf(&parts.headers),
    )
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

const BAD_LOGIN_FORM: &str = "Dữ liệu gửi lên không đúng dạng biểu mẫu đăng nhập. Hãy nhập tên đăng nhập, mật khẩu và đăng nhập lại.";

pub async fn login(State(app): State<App>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let ip = crate::server::peer_ip(&parts.extensions);
    let token = login_csrf(&parts.headers);
    let sent_cookie = cookie(&parts.headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    let form = match axum::Form::<Vec<(String, String)>>::from_request(
        Request::from_parts(parts, body),
        &app,
    )
    .await
    {
        Ok(axum::Form(p)) => FormData(p),
        // Not a sign-in form at all: say so rather than blame its token.
        Err(e) => {
            let status = match e.status() {
                s @ (StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE) => s,
                _ => StatusCode::BAD_REQUEST,
            };
            let layout = Layout {
                error: BAD_LOGIN_FORM.to_string(),
                ..Layout::default()
            };
            return login_page(&app, status, layout, String::new(), String::new(), token);
        }
    };
    let username = form.get("username").trim().to_string();
    let next = safe_next(form.get("next")).unwrap_or("").to_string();
    if !same_secret(form.get("_csrf"), &sent_cookie) {
        return login_page(
            &app,
            StatusCode::FORBIDDEN,
            Layout::default(),
            username,
            next,
            token,
        );
    }
    match app
        .login(&username, form.get("password"), TokenKind::Web, ip)
        .await
    {
        Ok(s) => {
            let to = if s.must_change_password {
                "/me/password".to_string()
            } else if next.is_empty() {
                "/".to_string()
            } else {
                next
            };
            let max_age = ((s.expires_at - now_ms()) / 1000).max(0);
            let mut r = see_other(&to);
            let h = r.headers_mut();
            h.append(header::SET_COOKIE, session_cookie(&app, &s.token, max_age));
            // The sign-in form's token is spent.
            h.append(
                header::SET_COOKIE,
                cookie_header(&app, LOGIN_CSRF_COOKIE, "", "/login", 0, "Strict"),
            );
            r
        }
        Err(e) => {
            let status = status_of(&e);
            let retry = match &e {
                AppError::Locked { retry_after } => Some(*retry_after),
                _ => None,
            };
            let layout = Layout::default().error(&e);
            let mut r = login_page(&app, status, layout, username, next, token);
            if let Some(s) = retry
                && let Ok(v) = HeaderValue::from_str(&s.to_string())
            {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
    }
}

#[derive(Template)]
#[template(path = "logout.html")]
struct LogoutTpl {
    layout: Layout,
}

/// A page with the sign-out button, for someone who typed the address.
pub async fn logout_form(user: WebUser) -> Response {
    render(
        StatusCode::OK,
        &LogoutTpl {
            layout: Layout::new(&user, ""),
        },
    )
}

pub async fn logout(State(app): State<App>, p: Posted) -> Result<Response, WebError> {
    app.logout(&p.user.actor, &p.user.token)
        .await
        .or_page(&p.user)?;
    let mut r = see_other("/login?notice=logged_out");
    r.headers_mut()
        .insert(header::SET_COOKIE, super::clear_session_cookie(&app));
    Ok(r)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTpl {
    layout: Layout,
    person: PersonView,
    memberships: Vec<MembershipOut>,
    clearance: String,
    admin: bool,
    sysadmin: bool,
    /// The person's queues of documents with their counts.
    docs: super::documents::HomeDocs,
}

pub async fn home(
    State(app): State<App>,
    user: WebUser,
    notice: Notice,
) -> Result<Response, WebError> {
    let person = app
        .get_person(&user.actor, user.actor.person_id)
        .await
        .or_page(&user)?;
    Ok(render(
        StatusCode::OK,
        &HomeTpl {
            layout: Layout::new(&user, "home").notice(notice),
            memberships: person.memberships.clone(),
            person,
            clearance: user.actor.clearance.label().to_string(),
            admin: user.actor.is_any_admin(),
            sysadmin: user.actor.is_system_admin(),
            docs: super::documents::home_docs(&app, &user.actor).await,
        },
    ))
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordTpl {
    layout: Layout,
    must_change: bool,
    error_field: String,
}

pub async fn password_form(user: WebUser, notice: Notice) -> Response {
    render(
        StatusCode::OK,
        &PasswordTpl {
            layout: Layout::new(&user, "password").notice(notice),
            must_change: user.actor.must_change_password,
            error_field: String::new(),
        },
    )
}

/// Changes one's own password. Every session ends with it, this one too: the person signs in again with the
/// new password (a sign-in they make themselves, not one made for them).
pub async fn change_password(State(app): State<App>, p: Posted) -> Response {
    let Posted { user, form } = p;
    let current = form.get("current_password");
    let new = form.get("new_password");
    let result = if new != form.get("confirm_password") {
        Err(AppError::Invalid {
            field: "confirm_password".into(),
            message: String::new(),
        })
    } else {
        app.change_own_password(&user.actor, current, new).await
    };
    match result {
        Ok(()) => {
            let mut r = see_other("/login?notice=password_changed");
            r.headers_mut()
                .insert(header::SET_COOKIE, super::clear_session_cookie(&app));
            r
        }
        Err(e) => {
            let field = e.field().unwrap_or("").to_string();
            let mut layout = Layout::new(&user, "password").error(&e);
            if field == "confirm_password" {
                layout.error = String::new();
            }
            render(
                status_of(&e),
                &PasswordTpl {
                    layout,
                    must_change: user.actor.must_change_password,
                    error_field: field,
                },
            )
        }
    }
}

use super::{ApiError, ApiJson, ApiQuery, Authed, ErrorBody};
use crate::App;
use crate::app::views::PersonView;
use crate::error::AppError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, extract::FromRequestParts};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vanthu_store::TokenKind;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Bearer token for `Authorization: Bearer …`.
    pub token: String,
    /// Expiry, RFC 3339.
    pub expires_at: String,
    /// The password was set by an administrator and should be changed.
    pub must_change_password: bool,
}

/// The peer address, when the server knows it.
pub struct Peer(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Peer(crate::server::peer_ip(&parts.extensions)))
    }
}

/// Signs in with a local account and returns a bearer token. Repeated failures make the account wait, then
/// lock it for a while (answer 429 with `Retry-After`).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", security(()), request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(app): State<App>,
    peer: Peer,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let s = app
        .login(&req.username, &req.password, TokenKind::Api, peer.0)
        .await?;
    Ok(Json(LoginResponse {
        token: s.token,
        expires_at: crate::app::views::iso(s.expires_at),
        must_change_password: s.must_change_password,
    }))
}

/// Revokes the token of this request.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "Đã thu hồi"), (status = 401, body = ErrorBody)))]
pub async fn logout(State(app): State<App>, a: Authed) -> Result<StatusCode, ApiError> {
    app.logout(&a.actor, &a.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub person: PersonView,
    /// Every role held anywhere, including `system_admin`.
    pub roles: Vec<String>,
    /// Whether the person administers any unit.
    pub admin: bool,
}

/// The signed-in person, their units and roles.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(State(app): State<App>, a: Authed) -> Result<Json<Me>, ApiError> {
    let person = app.get_person(&a.actor, a.actor.person_id).await?;
    Ok(Json(Me {
        person,
        roles: a
            .actor
            .all_roles()
            .iter()
            .map(|r| r.code().to_string())
            .collect(),
        admin: a.actor.is_any_admin(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    /// At least 8 characters of two kinds or more.
    pub new_password: String,
}

/// Changes one's own password; every session and token of the person is revoked.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = ChangePassword,
    responses((status = 204, description = "Đã đổi"), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(app): State<App>,
    a: Authed,
    ApiJson(req): ApiJson<ChangePassword>,
) -> Result<StatusCode, ApiError> {
    app.change_own_password(&a.actor, &req.current_password, &req.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// Start, RFC 3339 (default: 30 days ago).
    pub from: Option<String>,
    /// End, RFC 3339, exclusive (default: now).
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginEventView {
    pub id: i64,
    pub at: String,
    pub username: String,
    pub person_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub success: bool,
    /// `ok`, `bad_password`, `unknown_user`, `locked`, `inactive`.
    pub reason: String,
    pub channel: String,
    pub ip: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginEvents {
    pub items: Vec<LoginEventView>,
}

fn parse_time(field: &str, s: Option<&str>, default: i64) -> Result<i64, AppError> {
    match s {
        None => Ok(default),
        Some(s) => time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
            .map_err(|_| AppError::Invalid { field: field.into(), message: format!("Thời điểm \"{s}\" không hợp lệ: dùng dạng RFC 3339, ví dụ 2025-07-01T00:00:00+07:00.") }),
    }
}

/// Every sign-in attempt in a period, with its unit (system administrators only).
#[utoipa::path(get, path = "/api/v1/login-events", tag = "auth", params(Period),
    responses((status = 200, body = LoginEvents), (status = 403, body = ErrorBody)))]
pub async fn login_events(
    State(app): State<App>,
    a: Authed,
    ApiQuery(p): ApiQuery<Period>,
) -> Result<Json<LoginEvents>, ApiError> {
    if !a.actor.is_system_admin() {
        return Err(AppError::Forbidden(
            "Chỉ quản trị hệ thống được xem nhật ký đăng nhập.".into(),
        )
        .into());
    }
    let now = vanthu_store::now_ms();
    let from = parse_time("from", p.from.as_deref(), now - 30 * 86_400_000)?;
    let to = parse_time("to", p.to.as_deref(), now + 1)?;
    let events = app.store.read().await?.login_events(from, to).await?;
    Ok(Json(LoginEvents {
        items: events
            .into_iter()
            .map(|e| LoginEventView {
                id: e.id,
                at: crate::app::views::iso(e.at),
                username: e.username,
                person_id: e.person_id,
                unit_id: e.unit_id,
                success: e.success,
                reason: e.reason,
                channel: e.channel,
                ip: e.ip,
            })
            .collect(),
    }))
}

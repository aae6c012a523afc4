//! Extractors that turn every malformed request into the API's JSON error, and the bearer authentication.

use super::ErrorBody;
use crate::App;
use crate::error::AppError;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use vanthu_domain::access::Actor;
use vanthu_store::TokenKind;

/// An [`AppError`] answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<vanthu_store::StoreError> for ApiError {
    fn from(e: vanthu_store::StoreError) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            error: e.code().into(),
            message: e.to_string(),
            field: e.field().map(Into::into),
            duplicates: match &e {
                AppError::Duplicate { ids, .. } => Some(ids.clone()),
                _ => None,
            },
        };
        let mut resp = (status, axum::Json(body)).into_response();
        if let AppError::Locked { retry_after } = e
            && let Ok(v) = retry_after.to_string().parse()
        {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}

/// A JSON body; malformed JSON, a wrong content type, unknown fields and wrong types get clear errors.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(r) => Err(ApiError(json_rejection(r))),
        }
    }
}

fn json_rejection(r: JsonRejection) -> AppError {
    match r {
        JsonRejection::JsonDataError(e) => AppError::Invalid {
            field: "body".into(),
            message: format!(
                "Dữ liệu gửi lên không đúng cấu trúc yêu cầu ({}).",
                crate::error::vietnamese_detail(&e.body_text())
            ),
        },
        JsonRejection::JsonSyntaxError(e) => AppError::BadRequest(format!(
            "Nội dung gửi lên không phải JSON hợp lệ hoặc không phải văn bản UTF-8 ({}).",
            crate::error::vietnamese_detail(&e.body_text())
        )),
        JsonRejection::MissingJsonContentType(_) => {
            AppError::BadRequest("Cần tiêu đề Content-Type: application/json.".into())
        }
        JsonRejection::BytesRejection(_) => {
            AppError::TooLarge("Nội dung gửi lên quá lớn hoặc không đọc được.".into())
        }
        other => AppError::BadRequest(format!(
            "Yêu cầu không hợp lệ: {}.",
            crate::error::vietnamese_detail(&other.body_text())
        )),
    }
}

/// A path parameter; a value of the wrong type is a 400 with a JSON body.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(r) => Err(ApiError(path_rejection(r))),
        }
    }
}

fn path_rejection(r: PathRejection) -> AppError {
    AppError::BadRequest(format!(
        "Tham số trên đường dẫn không hợp lệ ({}).",
        crate::error::vietnamese_detail(&r.body_text())
    ))
}

/// Query parameters; unknown or ill-typed values are a 400 with a JSON body.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(r) => Err(ApiError(query_rejection(r))),
        }
    }
}

fn query_rejection(r: QueryRejection) -> AppError {
    AppError::BadRequest(format!(
        "Tham số truy vấn không hợp lệ ({}).",
        crate::error::vietnamese_detail(&r.body_text())
    ))
}

/// The person behind the bearer token of the request.
pub struct Authed {
    pub actor: Actor,
    pub token: String,
}

impl FromRequestParts<App> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let Some(token) = header.and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        }) else {
            return Err(ApiError(AppError::Unauthenticated {
                code: "unauthenticated",
                message: "Thiếu mã truy cập: gửi tiêu đề Authorization: Bearer <token> lấy từ POST /api/v1/auth/login.".into(),
            }));
        };
        let token = token.trim().to_string();
        let (actor, _) = app.authenticate(&token, TokenKind::Api).await?;
        // Until a password set by an administrator is changed, only that change is allowed.
        const ALLOWED: [&str; 3] = ["/api/v1/me", "/api/v1/me/password", "/api/v1/auth/logout"];
        if actor.must_change_password && !ALLOWED.contains(&parts.uri.path()) {
            return Err(ApiError(AppError::PasswordChangeRequired));
        }
        Ok(Authed { actor, token })
    }
}

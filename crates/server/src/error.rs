//! The one error type of the application layer, with its HTTP status and a Vietnamese message.

use vanthu_domain::Invalid;
use vanthu_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input that breaks a rule; `field` names the input in error.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// A request that cannot be read at all (malformed JSON, unknown fields, wrong encoding).
    #[error("{0}")]
    BadRequest(String),
    #[error("{message}")]
    Unauthenticated { code: &'static str, message: String },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The request is valid but clashes with what is stored (duplicate, wrong state).
    #[error("{0}")]
    Conflict(String),
    #[error(
        "Tài khoản tạm thời bị khóa do đăng nhập sai nhiều lần; thử lại sau {retry_after} giây."
    )]
    Locked { retry_after: i64 },
    #[error("{0}")]
    TooLarge(String),
    #[error(
        "Lỗi hệ thống; thao tác không được thực hiện. Vui lòng thử lại hoặc báo quản trị hệ thống."
    )]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid { .. } => 422,
            AppError::BadRequest(_) => 400,
            AppError::Unauthenticated { .. } => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::TooLarge(_) => 413,
            AppError::Locked { .. } => 429,
            AppError::Internal(_) => 500,
        }
    }

    /// The stable machine-readable code of the `error` field.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid { .. } => "invalid",
            AppError::BadRequest(_) => "bad_request",
            AppError::Unauthenticated { code, .. } => code,
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::TooLarge(_) => "too_large",
            AppError::Locked { .. } => "locked",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    pub fn unauthenticated() -> AppError {
        AppError::Unauthenticated {
            code: "unauthenticated",
            message: "Cần đăng nhập để thực hiện thao tác này.".into(),
        }
    }

    pub fn forbidden_admin() -> AppError {
        AppError::Forbidden("Bạn không có quyền quản trị đơn vị này.".into())
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::Invalid {
            field: e.field.to_string(),
            message: e.message,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate(col) => AppError::Conflict(match col {
                "key" => "Mã nội bộ đã được dùng cho đơn vị khác.".into(),
                "code" | "old_code" => "Mã định danh đã được dùng cho đơn vị khác.".into(),
                "username" => "Tên đăng nhập đã tồn tại.".into(),
                other => format!("Giá trị đã tồn tại ({other})."),
            }),
            StoreError::NotFound => AppError::NotFound("Không tìm thấy đối tượng.".into()),
            other => {
                tracing::error!(error = %other, "storage error");
                AppError::Internal(other.to_string())
            }
        }
    }
}

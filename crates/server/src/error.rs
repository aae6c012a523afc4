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
    #[error(
        "Mật khẩu do quản trị đặt cần được đổi trước khi làm việc: hãy đổi mật khẩu (POST /api/v1/me/password hoặc trang Đổi mật khẩu)."
    )]
    PasswordChangeRequired,
    #[error("{0}")]
    NotFound(String),
    /// The request is valid but clashes with what is stored (duplicate, wrong state).
    #[error("{0}")]
    Conflict(String),
    /// The same document seems to be there already: the ids of the earlier copies.
    #[error("{message}")]
    Duplicate { message: String, ids: Vec<i64> },
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
            AppError::Forbidden(_) | AppError::PasswordChangeRequired => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) | AppError::Duplicate { .. } => 409,
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
            AppError::PasswordChangeRequired => "password_change_required",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Duplicate { .. } => "duplicate",
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

    pub fn forbidden_change() -> AppError {
        AppError::Forbidden(
            "Bạn không có quyền thay đổi đơn vị này: đơn vị bạn được giao quản trị và các đơn vị ngoài phạm vi do cấp trên hoặc quản trị hệ thống thay đổi.".into(),
        )
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
                "register" => {
                    "Đơn vị đã có sổ cùng loại, cùng kỳ, cùng độ mật và cùng loại văn bản.".into()
                }
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

/// Turns the English detail of a rejected request (serde, axum) into Vietnamese, keeping the names of the
/// fields and values it quotes. The English text itself never reaches the user.
pub fn vietnamese_detail(english: &str) -> String {
    // axum puts its own explanation before serde's message: drop it.
    let mut serde_part = english;
    while let Some((head, rest)) = serde_part.split_once(": ") {
        if head.starts_with("Failed to")
            || head.starts_with("Invalid URL")
            || head.starts_with("Wrong number")
        {
            serde_part = rest;
        } else {
            break;
        }
    }
    let (msg, position) = match serde_part.rsplit_once(" at line ") {
        Some((m, pos)) => {
            let mut nums = pos.split(" column ");
            let line = nums.next().unwrap_or("").trim();
            let col = nums.next().unwrap_or("").trim();
            (m, format!(" (dòng {line}, cột {col})"))
        }
        None => (serde_part, String::new()),
    };
    let quoted: Vec<&str> = msg.split('`').skip(1).step_by(2).collect();
    let first = quoted.first().copied().unwrap_or("");
    let text = if msg.starts_with("unknown field") {
        let allowed = quoted
            .iter()
            .skip(1)
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        if allowed.is_empty() {
            format!("trường \"{first}\" không được hỗ trợ")
        } else {
            format!("trường \"{first}\" không được hỗ trợ; các trường dùng được: {allowed}")
        }
    } else if msg.starts_with("missing field") {
        format!("thiếu trường bắt buộc \"{first}\"")
    } else if msg.starts_with("duplicate field") {
        format!("trường \"{first}\" xuất hiện hai lần")
    } else if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        let want = msg.rsplit_once("expected ").map(|(_, w)| w).unwrap_or("");
        let want = if want.contains("i64") || want.contains("u64") || want.contains("integer") {
            "một số nguyên"
        } else if want.contains("bool") {
            "true hoặc false"
        } else if want.contains("sequence") {
            "một danh sách"
        } else if want.contains("string") || want.contains("str") {
            "một chuỗi ký tự"
        } else if want.contains("map") || want.contains("struct") {
            "một đối tượng JSON"
        } else {
            "giá trị đúng kiểu"
        };
        format!("sai kiểu dữ liệu, cần {want}")
    } else if msg.starts_with("Cannot parse") {
        format!("\"{first}\" không phải giá trị hợp lệ (cần một số nguyên)")
    } else if msg.contains("invalid digit")
        || msg.contains("number too large")
        || msg.contains("cannot parse integer")
    {
        "cần một số nguyên hợp lệ".to_string()
    } else if msg.starts_with("EOF") {
        "nội dung JSON bị cắt cụt".to_string()
    } else if msg.contains("UTF-8") || msg.contains("unicode") || msg.contains("escape") {
        "có ký tự không hợp lệ (cần văn bản UTF-8)".to_string()
    } else {
        "sai cú pháp".to_string()
    };
    format!("{text}{position}")
}

#[cfg(test)]
mod tests {
    use super::vietnamese_detail;

    #[test]
    fn english_details_become_vietnamese() {
        assert_eq!(
            vietnamese_detail(
                "Failed to deserialize the JSON body into the target type: unknown field `nam`, expected one of `key`, `name` at line 1 column 7"
            ),
            "trường \"nam\" không được hỗ trợ; các trường dùng được: key, name (dòng 1, cột 7)"
        );
        assert_eq!(
            vietnamese_detail("missing field `name` at line 1 column 2"),
            "thiếu trường bắt buộc \"name\" (dòng 1, cột 2)"
        );
        assert_eq!(
            vietnamese_detail("invalid type: integer `12`, expected a string at line 1 column 9"),
            "sai kiểu dữ liệu, cần một chuỗi ký tự (dòng 1, cột 9)"
        );
        assert_eq!(
            vietnamese_detail("Invalid URL: Cannot parse `abc` to a `i64`"),
            "\"abc\" không phải giá trị hợp lệ (cần một số nguyên)"
        );
        assert_eq!(
            vietnamese_detail("Failed to deserialize query string: invalid digit found in string"),
            "cần một số nguyên hợp lệ"
        );
        assert_eq!(
            vietnamese_detail("EOF while parsing an object at line 1 column 8"),
            "nội dung JSON bị cắt cụt (dòng 1, cột 8)"
        );
        for s in [
            "expected value at line 1 column 1",
            "trailing characters at line 1 column 3",
        ] {
            assert!(!vietnamese_detail(s).contains("expected"), "{s}");
        }
    }
}

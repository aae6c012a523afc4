//! The answer codes of the axis (`ErrorCode` of every JSON answer) and the refusals the server answers with.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// `ErrorCode` values. 0–23 follow the codes of the provincial LGSP axes (standards.md §5.2); 16, 17 and 24–28
/// are this axis's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// 0 — thành công.
    Ok,
    /// 10 — tệp không hợp lệ: body empty, `hash-file` does not match the bytes received.
    InvalidFile,
    /// 15 — sai mã hệ thống hoặc chữ ký: unknown `systemid`, wrong HMAC (secret), a signed header changed or
    /// missing, a parameter used but not signed, a sign-header key unprefixed or repeated, signed `systemid` ≠
    /// `XroadVnpt-systemid`, `from` ≠ `systemid`.
    Auth,
    /// 16 — thời điểm yêu cầu (`XroadVnpt-timestamp`) sai dạng hoặc lệch quá cửa sổ cho phép, hoặc yêu cầu đã được
    /// sử dụng (replay).
    Timestamp,
    /// 17 — hệ thống gọi đã bị khóa.
    SystemDisabled,
    /// 18 — đơn vị nhận không tồn tại (the codes are listed) or the package names no recipient.
    UnknownRecipient,
    /// 19 — đơn vị gửi (edXML `From/OrganId`) không đăng ký ở hệ thống gọi, hoặc đã bị khóa.
    SenderNotRegistered,
    /// 20 — lỗi hệ thống của trục (database, disk): retry later.
    System,
    /// 21 — lỗi xử lý tệp: the body could not be received completely.
    FileProcessing,
    /// 22 — gói tin không đúng chuẩn edXML (not XML, not an edXML envelope, no `From`, a repeated routing
    /// element, a `messagetype` that does not match the package).
    NotEdxml,
    /// 23 — đơn vị nhận đã bị khóa (the codes are listed).
    RecipientDisabled,
    /// 24 — gói tin hoặc nội dung yêu cầu vượt quá kích thước cho phép (HTTP 413).
    TooLarge,
    /// 25 — `docId` không tồn tại hoặc không thuộc hệ thống gọi.
    UnknownDoc,
    /// 26 — tham số thiếu hoặc không hợp lệ (`messagetype`, `servicetype`, `status`, `pageSize`…).
    BadParameter,
    /// 27 — thao tác không tồn tại (HTTP 404) hoặc phương thức HTTP không được hỗ trợ (HTTP 405).
    UnknownOperation,
    /// 28 — mã đơn vị đã thuộc một hệ thống khác, hoặc là mã chính của hệ thống (không xóa được), hoặc (đăng ký
    /// đóng) chưa được quản trị viên thêm cho hệ thống gọi.
    AgencyConflict,
}

impl ErrorCode {
    /// Every code, for documentation and tests.
    pub const ALL: [ErrorCode; 16] = [
        ErrorCode::Ok,
        ErrorCode::InvalidFile,
        ErrorCode::Auth,
        ErrorCode::Timestamp,
        ErrorCode::SystemDisabled,
        ErrorCode::UnknownRecipient,
        ErrorCode::SenderNotRegistered,
        ErrorCode::System,
        ErrorCode::FileProcessing,
        ErrorCode::NotEdxml,
        ErrorCode::RecipientDisabled,
        ErrorCode::TooLarge,
        ErrorCode::UnknownDoc,
        ErrorCode::BadParameter,
        ErrorCode::UnknownOperation,
        ErrorCode::AgencyConflict,
    ];

    /// The code as sent in `ErrorCode`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorCode::Ok => "0",
            ErrorCode::InvalidFile => "10",
            ErrorCode::Auth => "15",
            ErrorCode::Timestamp => "16",
            ErrorCode::SystemDisabled => "17",
            ErrorCode::UnknownRecipient => "18",
            ErrorCode::SenderNotRegistered => "19",
            ErrorCode::System => "20",
            ErrorCode::FileProcessing => "21",
            ErrorCode::NotEdxml => "22",
            ErrorCode::RecipientDisabled => "23",
            ErrorCode::TooLarge => "24",
            ErrorCode::UnknownDoc => "25",
            ErrorCode::BadParameter => "26",
            ErrorCode::UnknownOperation => "27",
            ErrorCode::AgencyConflict => "28",
        }
    }

    /// The code named by an `ErrorCode` string.
    pub fn from_code(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.code() == code.trim())
    }

    /// A short Vietnamese name of the code.
    pub fn title(self) -> &'static str {
        match self {
            ErrorCode::Ok => "Thành công",
            ErrorCode::InvalidFile => "Tệp không hợp lệ",
            ErrorCode::Auth => "Sai mã hệ thống, khóa bí mật hoặc chữ ký yêu cầu",
            ErrorCode::Timestamp => "Thời điểm yêu cầu không hợp lệ",
            ErrorCode::SystemDisabled => "Hệ thống đã bị khóa",
            ErrorCode::UnknownRecipient => "Đơn vị nhận không tồn tại",
            ErrorCode::SenderNotRegistered => "Đơn vị gửi không đăng ký",
            ErrorCode::System => "Lỗi hệ thống của trục",
            ErrorCode::FileProcessing => "Lỗi xử lý tệp",
            ErrorCode::NotEdxml => "Gói tin không đúng chuẩn edXML",
            ErrorCode::RecipientDisabled => "Đơn vị nhận đã bị khóa",
            ErrorCode::TooLarge => "Vượt quá kích thước cho phép",
            ErrorCode::UnknownDoc => "Gói tin không tồn tại",
            ErrorCode::BadParameter => "Tham số không hợp lệ",
            ErrorCode::UnknownOperation => "Thao tác không được hỗ trợ",
            ErrorCode::AgencyConflict => "Mã đơn vị xung đột",
        }
    }

    /// The HTTP status the server answers with (the SDK only reads the JSON body; other clients get a hint).
    pub fn http_status(self) -> StatusCode {
        match self {
            ErrorCode::Ok => StatusCode::OK,
            ErrorCode::InvalidFile
            | ErrorCode::NotEdxml
            | ErrorCode::BadParameter
            | ErrorCode::FileProcessing => StatusCode::BAD_REQUEST,
            ErrorCode::Auth | ErrorCode::Timestamp => StatusCode::UNAUTHORIZED,
            ErrorCode::SystemDisabled
            | ErrorCode::SenderNotRegistered
            | ErrorCode::RecipientDisabled => StatusCode::FORBIDDEN,
            ErrorCode::UnknownRecipient | ErrorCode::UnknownDoc | ErrorCode::UnknownOperation => {
                StatusCode::NOT_FOUND
            }
            ErrorCode::AgencyConflict => StatusCode::CONFLICT,
            ErrorCode::System => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }
}

/// A refused request: the JSON answer `{"status":"FAIL","ErrorCode":…,"ErrorDesc":…}`.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub code: ErrorCode,
    /// Vietnamese, for the caller.
    pub desc: String,
    /// Overrides the code's HTTP status (405 for a wrong method).
    pub http: Option<StatusCode>,
}

impl Refusal {
    pub fn new(code: ErrorCode, desc: impl Into<String>) -> Refusal {
        Refusal {
            code,
            desc: desc.into(),
            http: None,
        }
    }

    /// A system error: logged with its cause, answered without it.
    pub fn system(cause: impl std::fmt::Display) -> Refusal {
        tracing::error!(error = %cause, "axis system error");
        Refusal::new(
            ErrorCode::System,
            "Lỗi hệ thống của trục liên thông; vui lòng gửi lại sau.",
        )
    }

    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({
            "status": "FAIL",
            "ErrorCode": self.code.code(),
            "ErrorDesc": self.desc,
        })
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = self.http.unwrap_or_else(|| self.code.http_status());
        (status, axum::Json(self.body())).into_response()
    }
}

impl From<crate::store::StoreError> for Refusal {
    fn from(e: crate::store::StoreError) -> Refusal {
        Refusal::system(e)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; the value names the column (`key`, `code`, `username`…).
    #[error("giá trị đã tồn tại: {0}")]
    Duplicate(&'static str),
    #[error("không tìm thấy")]
    NotFound,
    #[error("cấu hình cơ sở dữ liệu: {0}")]
    Config(String),
    #[error("nâng cấp cơ sở dữ liệu: {0}")]
    Migration(String),
    #[error("dữ liệu lưu trữ không hợp lệ: {0}")]
    Corrupt(String),
    #[error("lỗi cơ sở dữ liệu: {0}")]
    Db(sqlx::Error),
    /// The write was committed together with others (group commit) and that commit failed: nothing of it
    /// was kept.
    #[error("không lưu được (cả nhóm giao dịch ghi cùng lúc bị hủy): {0}")]
    Batch(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e
            && d.is_unique_violation()
        {
            // PostgreSQL names the constraint (units_code_key); SQLite names the column (units.code).
            let text = format!("{} {}", d.constraint().unwrap_or(""), d.message());
            for (needle, col) in [
                ("registers", "register"),
                ("document_types", "document_type"),
                ("old_code", "old_code"),
                ("username", "username"),
                ("code", "code"),
                ("key", "key"),
                ("token", "token"),
                ("pkey", "id"),
                ("PRIMARY", "id"),
            ] {
                if text.contains(needle) {
                    return StoreError::Duplicate(col);
                }
            }
            return StoreError::Duplicate("id");
        }
        if let sqlx::Error::RowNotFound = e {
            return StoreError::NotFound;
        }
        StoreError::Db(e)
    }
}

//! Documents: registering incoming documents, drafting, reviewing and issuing outgoing ones, handling, queues,
//! files and history.

use super::{ApiError, ApiJson, ApiPath, ApiQuery, Authed, ErrorBody};
use crate::App;
use crate::app::documents::incoming::{
    AssignInput, ForwardInput, IncomingInput, PresentInput, ReasonInput, RegisterArrivalInput,
    ReportInput,
};
use crate::app::documents::outgoing::{IssueInput, IssuedView, OutgoingInput, ReviewInput};
use crate::app::documents::{
    CommentView, DocEventView, DocumentDetail, DocumentPage, DocumentView, FileView, ListQuery,
    Queue, Upload,
};
use crate::error::AppError;
use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vanthu_domain::document::FileKind;

/// A document's metadata with its files: either `application/json` (metadata only), or
/// `multipart/form-data` with a part `metadata` (the same JSON) and file parts named `main` (the document
/// itself, PDF or scan), `appendix` and `source`.
pub struct DocForm<T> {
    pub input: T,
    pub uploads: Vec<Upload>,
}

fn bad(m: impl Into<String>) -> ApiError {
    ApiError(AppError::BadRequest(m.into()))
}

impl<S, T> FromRequest<S> for DocForm<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            });
        if !multipart {
            let ApiJson(input) = ApiJson::<T>::from_request(req, state).await?;
            return Ok(DocForm {
                input,
                uploads: vec![],
            });
        }
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|_| bad("Nội dung multipart/form-data không đọc được (thiếu boundary?)."))?;
        let mut input = None;
        let mut uploads = Vec::new();
        loop {
            let field = match mp.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(ApiError(AppError::TooLarge(format!(
                        "Nội dung gửi lên quá lớn; tối đa {} MB mỗi lần.",
                        crate::server::BODY_LIMIT / 1024 / 1024
                    ))));
                }
                Err(_) => return Err(bad("Nội dung multipart/form-data bị hỏng hoặc bị cắt cụt.")),
            };
            let name = field.name().unwrap_or("").to_string();
            let kind = match name.as_str() {
                "metadata" => {
                    if input.is_some() {
                        return Err(bad("Phần \"metadata\" xuất hiện hai lần."));
                    }
                    let bytes = field
                        .bytes()
                        .await
                        .map_err(|_| bad("Không đọc được phần \"metadata\"."))?;
                    input = Some(serde_json::from_slice::<T>(&bytes).map_err(|e| {
                        ApiError(AppError::Invalid {
                            field: "metadata".into(),
                            message: format!(
                                "Phần \"metadata\" không đúng cấu trúc yêu cầu ({}).",
                                crate::error::vietnamese_detail(&e.to_string())
                            ),
                        })
                    })?);
                    continue;
                }
                "main" => FileKind::Main,
                "appendix" => FileKind::Appendix,
                "source" => FileKind::Source,
                other => {
                    return Err(bad(format!(
                        "Phần \"{other}\" không được hỗ trợ; dùng metadata, main, appendix, source."
                    )));
                }
            };
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError(AppError::TooLarge(format!(
                        "Nội dung gửi lên quá lớn; tối đa {} MB mỗi lần.",
                        crate::server::BODY_LIMIT / 1024 / 1024
                    )))
                } else {
                    bad(format!("Không đọc được tệp \"{file_name}\"."))
                }
            })?;
            if uploads.len() >= crate::app::documents::MAX_FILES {
                return Err(bad(format!(
                    "Tối đa {} tệp mỗi lần gửi.",
                    crate::app::documents::MAX_FILES
                )));
            }
            uploads.push(Upload {
                name: file_name,
                kind,
                bytes,
            });
        }
        let input =
            input.ok_or_else(|| bad("Thiếu phần \"metadata\" (JSON thông tin văn bản)."))?;
        Ok(DocForm { input, uploads })
    }
}

/// A multipart request: the `metadata` part is the JSON object of the operation; files in parts `main`,
/// `appendix`, `source`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DocMultipart {
    /// The JSON metadata.
    metadata: String,
    /// The document itself (PDF or scan).
    #[schema(value_type = Option<String>, format = Binary)]
    main: Option<Vec<u8>>,
    #[schema(value_type = Option<String>, format = Binary)]
    appendix: Option<Vec<u8>>,
    #[schema(value_type = Option<String>, format = Binary)]
    source: Option<Vec<u8>>,
}

/// Registers a received document (a clerk of the unit): metadata and files, arrival number in the unit's
/// incoming register, in one step. Answers 409 `duplicate` with the ids of a document that looks the same
/// (sender, number and notation, date) unless `confirm_duplicate` is set.
#[utoipa::path(post, path = "/api/v1/incoming", tag = "documents",
    request_body(content((IncomingInput = "application/json"), (DocMultipart = "multipart/form-data"))),
    responses((status = 201, body = DocumentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register_incoming(
    State(app): State<App>,
    a: Authed,
    form: DocForm<IncomingInput>,
) -> Result<(StatusCode, Json<DocumentView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(
            app.register_incoming(&a.actor, &form.input, form.uploads)
                .await?,
        ),
    ))
}

/// Registers a document that arrived from another unit of the installation (gives its arrival number); the
/// sender sees "accepted".
#[utoipa::path(post, path = "/api/v1/incoming/{id}/register", tag = "documents", params(("id" = i64, Path)),
    request_body = RegisterArrivalInput,
    responses((status = 200, body = DocumentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn register_arrival(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<RegisterArrivalInput>,
) -> Result<Json<DocumentView>, ApiError> {
    Ok(Json(app.register_arrival(&a.actor, id, &input).await?))
}

/// Refuses a document that arrived (wrong addressee, invalid), with a reason the sender sees.
#[utoipa::path(post, path = "/api/v1/incoming/{id}/reject", tag = "documents", params(("id" = i64, Path)),
    request_body = ReasonInput,
    responses((status = 200, body = DocumentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn reject_incoming(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> Result<Json<DocumentView>, ApiError> {
    Ok(Json(
        app.reject_incoming(&a.actor, id, &input.reason).await?,
    ))
}

/// Presents a registered document to a leader of the unit (or to its leaders).
#[utoipa::path(post, path = "/api/v1/incoming/{id}/present", tag = "documents", params(("id" = i64, Path)),
    request_body = PresentInput,
    responses((status = 200, body = DocumentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn present(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<PresentInput>,
) -> Result<Json<DocumentView>, ApiError> {
    Ok(Json(app.present(&a.actor, id, &input).await?))
}

/// The leader's direction: who leads, co-handles and is informed, with a deadline.
#[utoipa::path(post, path = "/api/v1/incoming/{id}/assign", tag = "documents", params(("id" = i64, Path)),
    request_body = AssignInput,
    responses((status = 200, body = DocumentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AssignInput>,
) -> Result<Json<DocumentView>, ApiError> {
    Ok(Json(app.assign(&a.actor, id, &input).await?))
}

/// A handler reports progress.
#[utoipa::path(post, path = "/api/v1/incoming/{id}/progress", tag = "documents", params(("id" = i64, Path)),
    request_body = ReportInput,
    responses((status = 200, body = DocumentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn progress(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReportInput>,
) -> Result<Json<DocumentView>, ApiError> {
    Ok(Json(app.progress(&a.actor, id, &input).await?))
}

/// A handler finishes their part; the lead handler finishing makes the document done.
#[utoipa::path(post, path = "/api/v1/incoming/{id}/complete", tag = "documents", params(("id" = i64, Path)),
    request_body = ReportInput,
    responses((status = 200, body = DocumentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn complete(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReportInput>,
) -> Result<Json<DocumentView>, ApiError> {
    Ok(Json(app.complete(&a.actor, id, &input).await?))
}

/// A handler forwards to a colleague of their department (hands over the lead, or adds a helper or a reader).
#[utoipa::path(post, path = "/api/v1/incoming/{id}/forward", tag = "documents", params(("id" = i64, Path)),
    request_body = ForwardInput,
    responses((status = 200, body = DocumentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn forward(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ForwardInput>,
) -> Result<Json<DocumentView>, ApiError> {
    Ok(Json(app.forward(&a.actor, id, &input).await?))
}

/// Drafts an outgoing (or, with `internal`, an internal) document with its files.
#[utoipa::path(post, path = "/api/v1/outgoing", tag = "documents",
    request_body(content((OutgoingInput = "application/json"), (DocMultipart = "multipart/form-data"))),
    responses((status = 201, body = DocumentView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_draft(
    State(app): State<App>,
    a: Authed,
    form: DocForm<OutgoingInput>,
) -> Result<(StatusCode, Json<DocumentView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(
            app.create_draft(&a.actor, &form.input, form.uploads)
                .await?,
        ),
    ))
}

/// The drafter changes a draft (metadata, review chain, recipients). New file versions: `POST …/files`.
#[utoipa::path(put, path = "/api/v1/outgoing/{id}", tag = "documents", params(("id" = i64, Path)),
    request_body = OutgoingInput,
    responses((status = 200, body = DocumentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_draft(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<OutgoingInput>,
) -> Result<Json<DocumentView>, ApiError> {
    Ok(Json(app.update_draft(&a.actor, id, &input).await?))
}

/// The drafter sends the draft into its review chain.
#[utoipa::path(post, path = "/api/v1/outgoing/{id}/submit", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, body = DocumentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn submit(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DocumentView>, ApiError> {
    Ok(Json(app.submit(&a.actor, id).await?))
}

/// The drafter takes back a draft under review; the next submission starts a new round.
#[utoipa::path(post, path = "/api/v1/outgoing/{id}/withdraw", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, body = DocumentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn withdraw(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DocumentView>, ApiError> {
    Ok(Json(app.withdraw(&a.actor, id).await?))
}

/// A reviewer's (or, at the last step, the signer's) decision: `approve` or `return` with a comment.
#[utoipa::path(post, path = "/api/v1/outgoing/{id}/review", tag = "documents", params(("id" = i64, Path)),
    request_body = ReviewInput,
    responses((status = 200, body = DocumentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> Result<Json<DocumentView>, ApiError> {
    Ok(Json(app.review(&a.actor, id, &input).await?))
}

/// The clerk's format check sends an approved draft back to its drafter.
#[utoipa::path(post, path = "/api/v1/outgoing/{id}/return", tag = "documents", params(("id" = i64, Path)),
    request_body = ReasonInput,
    responses((status = 200, body = DocumentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn return_draft(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> Result<Json<DocumentView>, ApiError> {
    Ok(Json(app.return_draft(&a.actor, id, &input.reason).await?))
}

/// Numbers and issues an approved draft (a clerk of the unit); answers the number and notation given. The files
/// are frozen and their hashes kept; recipients inside the installation receive it at once.
#[utoipa::path(post, path = "/api/v1/outgoing/{id}/issue", tag = "documents", params(("id" = i64, Path)),
    request_body = IssueInput,
    responses((status = 200, body = IssuedView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn issue(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<IssueInput>,
) -> Result<Json<IssuedView>, ApiError> {
    Ok(Json(app.issue(&a.actor, id, &input).await?))
}

/// Revokes an issued document (clerk or leader of the issuing unit); its copies at recipients are revoked too.
#[utoipa::path(post, path = "/api/v1/documents/{id}/revoke", tag = "documents", params(("id" = i64, Path)),
    request_body = ReasonInput,
    responses((status = 200, body = DocumentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn revoke(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> Result<Json<DocumentView>, ApiError> {
    Ok(Json(app.revoke(&a.actor, id, &input.reason).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DocumentsQuery {
    /// The unit whose documents are listed (its clerks and leaders).
    pub unit_id: i64,
    /// `incoming`, `outgoing`, `internal`.
    pub direction: Option<String>,
    pub state: Option<String>,
    /// Words of the subject, the notation or the sender; diacritics do not matter.
    pub q: Option<String>,
    /// 1 to 500, default 100.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The documents of a unit, newest first (no file contents). Secret documents only for readers cleared for them.
#[utoipa::path(get, path = "/api/v1/documents", tag = "documents", params(DocumentsQuery),
    responses((status = 200, body = DocumentPage), (status = 403, body = ErrorBody)))]
pub async fn list_documents(
    State(app): State<App>,
    a: Authed,
    ApiQuery(q): ApiQuery<DocumentsQuery>,
) -> Result<Json<DocumentPage>, ApiError> {
    let (limit, offset) = super::page(q.limit, q.offset)?;
    Ok(Json(
        app.unit_documents(
            &a.actor,
            &ListQuery {
                unit_id: q.unit_id,
                direction: q.direction,
                state: q.state,
                q: q.q,
                limit,
                offset,
            },
        )
        .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    pub q: Option<String>,
    /// 1 to 500, default 100.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// One of the reader's queues: `to_register`, `to_present`, `to_issue` (clerks), `to_direct` (leaders),
/// `to_review`, `assigned`, `drafts`, `internal_received`.
#[utoipa::path(get, path = "/api/v1/queues/{queue}", tag = "documents", params(("queue" = String, Path), QueueQuery),
    responses((status = 200, body = DocumentPage), (status = 422, body = ErrorBody)))]
pub async fn queue(
    State(app): State<App>,
    a: Authed,
    ApiPath(queue): ApiPath<String>,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Json<DocumentPage>, ApiError> {
    let (limit, offset) = super::page(q.limit, q.offset)?;
    let queue = Queue::parse(&queue)?;
    Ok(Json(
        app.queue(&a.actor, queue, q.q.as_deref(), limit, offset)
            .await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct QueueCount {
    pub queue: String,
    pub label: String,
    pub count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct QueueCounts {
    /// The queues of the reader's roles, with how many documents wait in each.
    pub items: Vec<QueueCount>,
}

/// How many documents wait in each of the reader's queues.
#[utoipa::path(get, path = "/api/v1/queues", tag = "documents",
    responses((status = 200, body = QueueCounts)))]
pub async fn queue_counts(
    State(app): State<App>,
    a: Authed,
) -> Result<Json<QueueCounts>, ApiError> {
    Ok(Json(QueueCounts {
        items: app
            .queue_counts(&a.actor)
            .await?
            .into_iter()
            .map(|(q, n)| QueueCount {
                queue: q.code().into(),
                label: q.label().into(),
                count: n,
            })
            .collect(),
    }))
}

/// A document with its files, handlers, reviews, recipients (and their status), comments and what the reader
/// may do now.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, body = DocumentDetail)))]
pub async fn get_document(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DocumentDetail>, ApiError> {
    Ok(Json(app.document_detail(&a.actor, id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct DocHistory {
    /// Oldest first.
    pub items: Vec<DocEventView>,
}

/// Every action on the document: who, when, what.
#[utoipa::path(get, path = "/api/v1/documents/{id}/history", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, body = DocHistory)))]
pub async fn document_history(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DocHistory>, ApiError> {
    Ok(Json(DocHistory {
        items: app.document_history(&a.actor, id).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    pub body: String,
}

/// Adds a comment (ý kiến) to a document the reader sees.
#[utoipa::path(post, path = "/api/v1/documents/{id}/comments", tag = "documents", params(("id" = i64, Path)),
    request_body = CommentInput,
    responses((status = 201, body = CommentView), (status = 422, body = ErrorBody)))]
pub async fn add_comment(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<CommentInput>,
) -> Result<(StatusCode, Json<CommentView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.comment(&a.actor, id, &input.body).await?),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct FileList {
    pub items: Vec<FileView>,
}

/// Adds files (multipart parts `main`, `appendix`, `source`; `metadata` is `{}`): a new main file of a draft is
/// its next version. Issued documents' files never change.
#[utoipa::path(post, path = "/api/v1/documents/{id}/files", tag = "documents", params(("id" = i64, Path)),
    request_body(content((DocMultipart = "multipart/form-data"))),
    responses((status = 201, body = FileList), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn attach(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    form: DocForm<serde_json::Map<String, serde_json::Value>>,
) -> Result<(StatusCode, Json<FileList>), ApiError> {
    if !form.input.is_empty() {
        return Err(bad("Phần \"metadata\" của yêu cầu thêm tệp phải là {}."));
    }
    Ok((
        StatusCode::CREATED,
        Json(FileList {
            items: app.attach(&a.actor, id, form.uploads).await?,
        }),
    ))
}

/// Downloads a file of a document the reader sees; its content is checked against its SHA-256 first.
#[utoipa::path(get, path = "/api/v1/documents/{id}/files/{file_id}", tag = "documents",
    params(("id" = i64, Path), ("file_id" = i64, Path)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream")))]
pub async fn download(
    State(app): State<App>,
    a: Authed,
    ApiPath((id, file_id)): ApiPath<(i64, i64)>,
) -> Result<Response, ApiError> {
    let (f, bytes) = app.document_file(&a.actor, id, file_id).await?;
    Ok(file_response(&f, bytes))
}

/// A file answer: its type, a download name in UTF-8 (RFC 6266), never cached by shared caches, never sniffed.
pub fn file_response(f: &vanthu_store::DocFile, bytes: Vec<u8>) -> Response {
    let ascii: String = f
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = f
        .name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    if let Ok(v) = f.media_type.parse() {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = disposition.parse() {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = format!("\"{}\"", f.sha256).parse() {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    resp
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BookQuery {
    /// `pdf` (default) or `xlsx`.
    pub format: Option<String>,
}

/// The register book (sổ đăng ký văn bản đến / đi, NĐ 30 Phụ lục IV) as PDF with an embedded Vietnamese font, or
/// XLSX: every number in order with its document, cancelled numbers with their reason. Clerks and leaders of the
/// unit.
#[utoipa::path(get, path = "/api/v1/registers/{id}/book", tag = "registers", params(("id" = i64, Path), BookQuery),
    responses((status = 200, description = "The book", content_type = "application/pdf"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register_book(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<BookQuery>,
) -> Result<Response, ApiError> {
    let format = crate::app::documents::books::BookFormat::parse(q.format.as_deref())?;
    let book = app.register_book(&a.actor, id, format).await?;
    Ok(book_response(book))
}

/// A book as a download, never cached by shared caches.
pub fn book_response(book: crate::app::documents::books::Book) -> Response {
    let mut resp = book.bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(book.media_type),
    );
    if let Ok(v) = format!("attachment; filename=\"{}\"", book.file_name).parse() {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    resp
}

#[derive(Serialize, ToSchema)]
pub struct AlertList {
    pub items: Vec<crate::app::documents::alerts::AlertView>,
}

/// The reader's alerts: incoming documents not registered in time (clerks), deadlines near or passed (handlers,
/// leaders), units with nobody to receive documents (administrators).
#[utoipa::path(get, path = "/api/v1/alerts", tag = "documents", responses((status = 200, body = AlertList)))]
pub async fn alerts(State(app): State<App>, a: Authed) -> Result<Json<AlertList>, ApiError> {
    Ok(Json(AlertList {
        items: app.alerts(&a.actor).await?,
    }))
}

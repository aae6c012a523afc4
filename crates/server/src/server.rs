//! The HTTP server: API, pages, fallbacks, limits, graceful shutdown.

use crate::App;
use crate::api::{ApiError, ErrorBody};
use crate::error::AppError;
use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use std::net::SocketAddr;
use tower_http::limit::RequestBodyLimitLayer;

/// The address of the client, when the server knows it (recorded with sign-in attempts).
pub fn peer_ip(extensions: &axum::http::Extensions) -> Option<String> {
    extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

/// Largest accepted request body (imports included).
pub const BODY_LIMIT: usize = 32 * 1024 * 1024;

pub fn router(app: App) -> Router {
    Router::new()
        .merge(crate::api::router())
        .merge(crate::web::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(axum::middleware::from_fn(refuse_oversized))
        .with_state(app)
}

/// Refuses a body announced larger than the limit with the API's JSON error or a Vietnamese page (a body
/// sent without its length is cut at the limit by the layer below, and its reader reports it the same way).
async fn refuse_oversized(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let announced = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > BODY_LIMIT as u64) {
        let e = AppError::TooLarge(format!(
            "Nội dung gửi lên lớn hơn giới hạn {} MB.",
            BODY_LIMIT / 1024 / 1024
        ));
        return if is_api(req.uri()) {
            ApiError(e).into_response()
        } else {
            crate::web::too_large_page(&e)
        };
    }
    next.run(req).await
}

/// Whether a path belongs to the JSON API rather than to the pages people read.
fn is_api(uri: &axum::http::Uri) -> bool {
    uri.path() == "/api" || uri.path().starts_with("/api/")
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    // People get a page; programs calling the API get JSON.
    if !is_api(&uri) {
        return crate::web::not_found_page();
    }
    ApiError(AppError::NotFound(format!(
        "Không có trang hoặc địa chỉ API {}.",
        uri.path()
    )))
    .into_response()
}

async fn method_not_allowed(uri: axum::http::Uri) -> axum::response::Response {
    if !is_api(&uri) {
        return crate::web::method_not_allowed_page();
    }
    (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(ErrorBody {
            error: "method_not_allowed".into(),
            message: "Phương thức HTTP này không dùng được cho địa chỉ này.".into(),
            field: None,
            duplicates: None,
        }),
    )
        .into_response()
}

/// Serves until `shutdown` resolves, then finishes requests in flight. Meanwhile, files no document refers to
/// are swept ten minutes after the start and every six hours.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sweeper = tokio::spawn(sweep_blobs(app.clone()));
    let served = axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    sweeper.abort();
    served
}

async fn sweep_blobs(app: App) {
    tokio::time::sleep(std::time::Duration::from_secs(600)).await;
    loop {
        match app.sweep_blobs(crate::app::BLOB_SWEEP_AGE).await {
            Ok(r) if r.removed > 0 || r.temporary_removed > 0 => tracing::info!(
                checked = r.checked,
                removed = r.removed,
                bytes_freed = r.bytes_freed,
                temporary_removed = r.temporary_removed,
                "swept stored files no document refers to"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "sweeping stored files failed"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(6 * 3600)).await;
    }
}

//! The JSON API under `/api/v1`, documented by the OpenAPI document that the same route table generates.

mod auth;
mod doctypes;
pub mod documents;
pub(crate) mod exchange;
mod extract;
mod flows;
mod io;
mod people;
mod registers;
mod units;

pub use extract::{ApiError, ApiJson, ApiPath, ApiQuery, Authed};

use crate::App;
use axum::Json;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "vanthu API",
        description = "API của Hệ thống thông tin điều hành tác nghiệp vanthu. Lỗi trả về dạng {\"error\": mã, \"message\": thông báo tiếng Việt}.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth, &CommonResponses),
    security(("bearer" = [])),
    tags(
        (name = "auth", description = "Đăng nhập, mã truy cập"),
        (name = "units", description = "Cơ cấu tổ chức"),
        (name = "people", description = "Người dùng, vai trò"),
        (name = "registers", description = "Sổ văn bản, cấp số"),
        (name = "documents", description = "Văn bản đến, văn bản đi, văn bản nội bộ"),
        (name = "flows", description = "Luồng xử lý của đơn vị, theo phiên bản"),
        (name = "exchange", description = "Liên thông văn bản qua trục: hàng đợi gửi, gói tin nhận, danh bạ cơ quan"),
        (name = "system", description = "Vận hành")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Documents the answers every operation can give besides its own: 400 for a request that cannot be read,
/// 401 without a valid token (where one is needed), 404 for an unknown id, 413 for a body over the limit,
/// 500 when the database fails.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for op in ops.into_iter().flatten() {
                let public = op
                    .security
                    .as_ref()
                    .is_some_and(|s| s.iter().all(|r| *r == Default::default()));
                let mut add = |code: &str, description: &str| {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| error(description).into());
                };
                add(
                    "400",
                    "Yêu cầu không đọc được (JSON sai, không phải UTF-8, tham số sai kiểu)",
                );
                if !public {
                    add("401", "Thiếu mã truy cập, mã hết hạn hoặc đã bị thu hồi");
                }
                if path.contains("{id}") {
                    add("404", "Không tìm thấy đối tượng");
                }
                add("413", "Nội dung gửi lên quá lớn");
                add("500", "Lỗi hệ thống; không có gì được ghi");
            }
        }
    }
}

/// The error body of every failed API call.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine code: `invalid`, `bad_request`, `unauthenticated`, `bad_credentials`, `token_expired`,
    /// `token_revoked`, `token_invalid`, `account_inactive`, `forbidden`, `password_change_required`,
    /// `not_found`, `conflict`, `duplicate`, `locked`,
    /// `too_large`, `method_not_allowed`, `internal`.
    pub error: String,
    /// What went wrong and what to do, in Vietnamese.
    pub message: String,
    /// The input field in error, for `invalid`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `duplicate`: the ids of the documents already registered that look the same.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicates: Option<Vec<i64>>,
}

/// Checks paging parameters: `limit` 1 to 500 (default 100), `offset` not negative (default 0).
fn page(limit: Option<i64>, offset: Option<i64>) -> Result<(i64, i64), ApiError> {
    let limit = limit.unwrap_or(100);
    let offset = offset.unwrap_or(0);
    if !(1..=500).contains(&limit) || offset < 0 {
        return Err(crate::error::AppError::Invalid {
            field: "limit".into(),
            message: "limit phải từ 1 đến 500 và offset không âm.".into(),
        }
        .into());
    }
    Ok((limit, offset))
}

/// The API routes and their OpenAPI document, built from one table.
pub fn routes() -> (axum::Router<App>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::login_events))
        .routes(routes!(units::list_units, units::create_unit))
        .routes(routes!(units::get_unit, units::update_unit))
        .routes(routes!(units::move_unit))
        .routes(routes!(units::deactivate_unit))
        .routes(routes!(units::activate_unit))
        .routes(routes!(units::unit_history))
        .routes(routes!(people::list_people, people::create_person))
        .routes(routes!(people::get_person, people::update_person))
        .routes(routes!(people::deactivate_person))
        .routes(routes!(people::activate_person))
        .routes(routes!(people::reset_password))
        .routes(routes!(people::person_history))
        .routes(routes!(io::import_units))
        .routes(routes!(io::import_people))
        .routes(routes!(io::export_units))
        .routes(routes!(io::export_people))
        .routes(routes!(
            registers::list_registers,
            registers::create_register
        ))
        .routes(routes!(registers::get_register))
        .routes(routes!(registers::take_number))
        .routes(routes!(registers::cancel_number))
        .routes(routes!(registers::register_history))
        .routes(routes!(
            doctypes::list_document_types,
            doctypes::create_document_type
        ))
        .routes(routes!(doctypes::update_document_type))
        .routes(routes!(documents::register_incoming))
        .routes(routes!(documents::register_arrival))
        .routes(routes!(documents::reject_incoming))
        .routes(routes!(documents::present))
        .routes(routes!(documents::assign))
        .routes(routes!(documents::progress))
        .routes(routes!(documents::complete))
        .routes(routes!(documents::forward))
        .routes(routes!(documents::create_draft))
        .routes(routes!(documents::update_draft))
        .routes(routes!(documents::submit))
        .routes(routes!(documents::review))
        .routes(routes!(documents::withdraw))
        .routes(routes!(documents::return_draft))
        .routes(routes!(documents::issue))
        .routes(routes!(documents::revoke))
        .routes(routes!(documents::list_documents))
        .routes(routes!(documents::queue_counts))
        .routes(routes!(documents::queue))
        .routes(routes!(documents::get_document))
        .routes(routes!(documents::document_history))
        .routes(routes!(documents::add_comment))
        .routes(routes!(documents::attach))
        .routes(routes!(documents::download))
        .routes(routes!(documents::register_book))
        .routes(routes!(documents::alerts))
        .routes(routes!(exchange::outbox))
        .routes(routes!(exchange::retry))
        .routes(routes!(exchange::inbox))
        .routes(routes!(exchange::package))
        .routes(routes!(exchange::agencies))
        .routes(routes!(flows::templates))
        .routes(routes!(flows::unit_flows, flows::create_flow))
        .routes(routes!(flows::get_flow, flows::update_flow))
        .routes(routes!(flows::export_flow))
        .routes(routes!(flows::import_flow))
        .routes(routes!(flows::my_delegations, flows::create_delegation))
        .routes(routes!(flows::revoke_delegation))
        .routes(routes!(healthz))
        .split_for_parts()
}

/// The whole API router, with `/api/v1/openapi.json` serving the document.
pub fn router() -> axum::Router<App> {
    let (router, mut doc) = routes();
    doc.paths.paths.insert(
        "/api/v1/openapi.json".into(),
        utoipa::openapi::path::PathItem::new(
            utoipa::openapi::HttpMethod::Get,
            utoipa::openapi::path::OperationBuilder::new()
                .tag("system")
                .summary(Some("Tài liệu OpenAPI 3 của API này"))
                .security(utoipa::openapi::security::SecurityRequirement::default())
                .response(
                    "200",
                    utoipa::openapi::ResponseBuilder::new()
                        .description("Tài liệu OpenAPI")
                        .build(),
                )
                .build(),
        ),
    );
    let doc = std::sync::Arc::new(doc);
    // Files come through the API too (documents, imports): the whole-request limit of the server applies, not
    // axum's 2 MB default for extractors.
    let router = router.layer(axum::extract::DefaultBodyLimit::max(
        crate::server::BODY_LIMIT,
    ));
    router.route(
        "/api/v1/openapi.json",
        get(move || {
            let doc = doc.clone();
            async move { Json(doc.as_ref().clone()) }
        }),
    )
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when the database answers.
    pub status: String,
    pub database: String,
    pub version: String,
}

/// Liveness and readiness: answers 200 when the database answers, 503 otherwise.
#[utoipa::path(get, path = "/healthz", tag = "system", security(()),
    responses((status = 200, body = Health), (status = 503, body = Health)))]
async fn healthz(
    axum::extract::State(app): axum::extract::State<App>,
) -> (axum::http::StatusCode, Json<Health>) {
    let ok = app.store.ping().await.is_ok();
    let h = Health {
        status: if ok { "ok" } else { "unavailable" }.into(),
        database: app.store.backend().into(),
        version: env!("CARGO_PKG_VERSION").into(),
    };
    let code = if ok {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(h))
}

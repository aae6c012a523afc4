use super::{ApiError, ApiJson, ApiPath, ApiQuery, Authed, ErrorBody};
use crate::App;
use crate::app::doctypes::{DocumentTypeInput, DocumentTypePatch, DocumentTypeView};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TypesQuery {
    /// Include types no longer used.
    #[serde(default)]
    pub include_inactive: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DocumentTypeList {
    pub items: Vec<DocumentTypeView>,
}

/// Document types with their State and Party abbreviations (NĐ 30/2020, HD 36-HD/VPTW, and those added).
#[utoipa::path(get, path = "/api/v1/document-types", tag = "registers", params(TypesQuery),
    responses((status = 200, body = DocumentTypeList)))]
pub async fn list_document_types(
    State(app): State<App>,
    _a: Authed,
    ApiQuery(q): ApiQuery<TypesQuery>,
) -> Result<Json<DocumentTypeList>, ApiError> {
    Ok(Json(DocumentTypeList {
        items: app.list_document_types(q.include_inactive).await?,
    }))
}

/// Adds a document type (system administrators).
#[utoipa::path(post, path = "/api/v1/document-types", tag = "registers", request_body = DocumentTypeInput,
    responses((status = 201, body = DocumentTypeView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_document_type(
    State(app): State<App>,
    a: Authed,
    ApiJson(input): ApiJson<DocumentTypeInput>,
) -> Result<(StatusCode, Json<DocumentTypeView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.create_document_type(&a.actor, &input).await?),
    ))
}

/// Edits a document type: name, abbreviations (`null` clears one), in use or not (system administrators).
#[utoipa::path(patch, path = "/api/v1/document-types/{code}", tag = "registers", params(("code" = String, Path)),
    request_body = DocumentTypePatch,
    responses((status = 200, body = DocumentTypeView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_document_type(
    State(app): State<App>,
    a: Authed,
    ApiPath(code): ApiPath<String>,
    ApiJson(p): ApiJson<DocumentTypePatch>,
) -> Result<Json<DocumentTypeView>, ApiError> {
    Ok(Json(app.update_document_type(&a.actor, &code, &p).await?))
}

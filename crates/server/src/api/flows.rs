//! Processing flows: system templates, each unit's versioned flows, export and import as a file.

use super::{ApiError, ApiJson, ApiPath, Authed, ErrorBody};
use crate::App;
use crate::app::flows::{FlowDetail, FlowInput, FlowUpdate, FlowView};
use crate::error::AppError;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct FlowList {
    pub items: Vec<FlowView>,
}

/// The system's flow templates, following NĐ 30/2020; units copy them and edit their copy.
#[utoipa::path(get, path = "/api/v1/flow-templates", tag = "flows", responses((status = 200, body = FlowList)))]
pub async fn templates(State(app): State<App>, _a: Authed) -> Result<Json<FlowList>, ApiError> {
    Ok(Json(FlowList {
        items: app.flow_templates().await?,
    }))
}

/// A unit's flows (its members and administrators).
#[utoipa::path(get, path = "/api/v1/units/{id}/flows", tag = "flows", params(("id" = i64, Path)),
    responses((status = 200, body = FlowList), (status = 403, body = ErrorBody)))]
pub async fn unit_flows(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<FlowList>, ApiError> {
    Ok(Json(FlowList {
        items: app.unit_flows(&a.actor, id).await?,
    }))
}

/// Gives a unit a flow (its administrators): a copy of a template (`template_id`) or a definition of its own.
/// The newest active flow of each kind is the one new documents follow.
#[utoipa::path(post, path = "/api/v1/units/{id}/flows", tag = "flows", params(("id" = i64, Path)), request_body = FlowInput,
    responses((status = 201, body = FlowView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_flow(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<FlowInput>,
) -> Result<(StatusCode, Json<FlowView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.create_flow(&a.actor, id, &input).await?),
    ))
}

/// A flow with every version.
#[utoipa::path(get, path = "/api/v1/flows/{id}", tag = "flows", params(("id" = i64, Path)),
    responses((status = 200, body = FlowDetail)))]
pub async fn get_flow(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<FlowDetail>, ApiError> {
    Ok(Json(app.flow_detail(&a.actor, id).await?))
}

/// Edits a unit's flow: a new version. Documents already started keep their version; other units' flows are
/// never touched.
#[utoipa::path(put, path = "/api/v1/flows/{id}", tag = "flows", params(("id" = i64, Path)), request_body = FlowUpdate,
    responses((status = 200, body = FlowView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_flow(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<FlowUpdate>,
) -> Result<Json<FlowView>, ApiError> {
    Ok(Json(app.update_flow(&a.actor, id, &input).await?))
}

/// The flow as a JSON file (`format: vanthu-flow`) to import elsewhere.
#[utoipa::path(get, path = "/api/v1/flows/{id}/export", tag = "flows", params(("id" = i64, Path)),
    responses((status = 200, description = "The flow file", content_type = "application/json")))]
pub async fn export_flow(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let (name, bytes) = app.export_flow(&a.actor, id).await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = format!("attachment; filename=\"{name}\"").parse() {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// Imports a flow file (the body, as exported) into a unit, as a new flow of that unit.
#[utoipa::path(post, path = "/api/v1/units/{id}/flows/import", tag = "flows", params(("id" = i64, Path)),
    request_body(content = String, content_type = "application/json", description = "A file made by GET /api/v1/flows/{id}/export"),
    responses((status = 201, body = FlowView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_flow(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    body: Body,
) -> Result<(StatusCode, Json<FlowView>), ApiError> {
    let bytes = axum::body::to_bytes(body, 1024 * 1024)
        .await
        .map_err(|_| ApiError(AppError::TooLarge("Tệp luồng lớn hơn 1 MB.".into())))?;
    Ok((
        StatusCode::CREATED,
        Json(app.import_flow(&a.actor, id, &bytes).await?),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct DelegationList {
    pub items: Vec<crate::app::delegations::DelegationView>,
}

/// Delegations you gave or received.
#[utoipa::path(get, path = "/api/v1/me/delegations", tag = "flows", responses((status = 200, body = DelegationList)))]
pub async fn my_delegations(
    State(app): State<App>,
    a: Authed,
) -> Result<Json<DelegationList>, ApiError> {
    Ok(Json(DelegationList {
        items: app.my_delegations(&a.actor).await?,
    }))
}

/// Lets a colleague of your unit decide in your place, for a period, on drafts waiting for your review or
/// signature; the history says on whose behalf.
#[utoipa::path(post, path = "/api/v1/me/delegations", tag = "flows", request_body = crate::app::delegations::DelegationInput,
    responses((status = 201, body = crate::app::delegations::DelegationView), (status = 422, body = ErrorBody)))]
pub async fn create_delegation(
    State(app): State<App>,
    a: Authed,
    ApiJson(input): ApiJson<crate::app::delegations::DelegationInput>,
) -> Result<(StatusCode, Json<crate::app::delegations::DelegationView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.create_delegation(&a.actor, &input).await?),
    ))
}

/// Ends a delegation you gave.
#[utoipa::path(post, path = "/api/v1/me/delegations/{id}/revoke", tag = "flows", params(("id" = i64, Path)),
    responses((status = 200, body = crate::app::delegations::DelegationView)))]
pub async fn revoke_delegation(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<crate::app::delegations::DelegationView>, ApiError> {
    Ok(Json(app.revoke_delegation(&a.actor, id).await?))
}

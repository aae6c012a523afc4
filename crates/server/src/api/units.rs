use super::{ApiError, ApiJson, ApiPath, ApiQuery, Authed, ErrorBody};
use crate::App;
use crate::app::units::{UnitInput, UnitPatch, double_option};
use crate::app::views::{EventView, UnitView};
use crate::error::AppError;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UnitsQuery {
    /// Include units that stopped operating.
    #[serde(default)]
    pub include_inactive: bool,
}

#[derive(Serialize, ToSchema)]
pub struct UnitList {
    pub items: Vec<UnitView>,
}

#[derive(Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<EventView>,
}

/// The unit tree, as a flat list with parent ids, ordered by name.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", params(UnitsQuery),
    responses((status = 200, body = UnitList), (status = 401, body = ErrorBody)))]
pub async fn list_units(
    State(app): State<App>,
    a: Authed,
    ApiQuery(q): ApiQuery<UnitsQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let body = app.units_json(&a.actor, q.include_inactive).await?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    ))
}

/// Creates a unit under a parent the caller administers (top-level units: system administrators).
#[utoipa::path(post, path = "/api/v1/units", tag = "units", request_body = UnitInput,
    responses((status = 201, body = UnitView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_unit(
    State(app): State<App>,
    a: Authed,
    ApiJson(input): ApiJson<UnitInput>,
) -> Result<(StatusCode, Json<UnitView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.create_unit(&a.actor, &input).await?),
    ))
}

/// One unit.
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = UnitView), (status = 404, body = ErrorBody)))]
pub async fn get_unit(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<UnitView>, ApiError> {
    Ok(Json(app.get_unit(&a.actor, id).await?))
}

/// Edits a unit: absent fields are unchanged, `null` clears an optional field.
#[utoipa::path(patch, path = "/api/v1/units/{id}", tag = "units", params(("id" = i64, Path)), request_body = UnitPatch,
    responses((status = 200, body = UnitView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_unit(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(p): ApiJson<UnitPatch>,
) -> Result<Json<UnitView>, ApiError> {
    Ok(Json(app.update_unit(&a.actor, id, &p).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// The new parent; `null` makes the unit top-level (system administrators only). Required.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, required = true)]
    pub parent_id: Option<Option<i64>>,
}

/// Moves a unit under another parent; never under itself or its own descendants.
#[utoipa::path(post, path = "/api/v1/units/{id}/move", tag = "units", params(("id" = i64, Path)), request_body = MoveRequest,
    responses((status = 200, body = UnitView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_unit(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(m): ApiJson<MoveRequest>,
) -> Result<Json<UnitView>, ApiError> {
    let Some(parent) = m.parent_id else {
        return Err(AppError::Invalid {
            field: "parent_id".into(),
            message: "Cần trường parent_id (mã số đơn vị cấp trên mới, hoặc null).".into(),
        }
        .into());
    };
    Ok(Json(app.move_unit(&a.actor, id, parent).await?))
}

/// Stops a unit (it must have no active sub-units).
#[utoipa::path(post, path = "/api/v1/units/{id}/deactivate", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = UnitView), (status = 409, body = ErrorBody)))]
pub async fn deactivate_unit(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<UnitView>, ApiError> {
    Ok(Json(app.set_unit_active(&a.actor, id, false).await?))
}

/// Brings a stopped unit back.
#[utoipa::path(post, path = "/api/v1/units/{id}/activate", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = UnitView), (status = 409, body = ErrorBody)))]
pub async fn activate_unit(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<UnitView>, ApiError> {
    Ok(Json(app.set_unit_active(&a.actor, id, true).await?))
}

/// The history of a unit (administrators of the unit).
#[utoipa::path(get, path = "/api/v1/units/{id}/history", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = EventList), (status = 403, body = ErrorBody)))]
pub async fn unit_history(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EventList>, ApiError> {
    Ok(Json(EventList {
        items: app.history(&a.actor, "unit", id).await?,
    }))
}

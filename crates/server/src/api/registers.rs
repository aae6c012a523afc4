use super::units::EventList;
use super::{ApiError, ApiJson, ApiPath, ApiQuery, Authed, ErrorBody};
use crate::App;
use crate::app::registers::{
    CancelInput, EntryView, RegisterDetail, RegisterInput, RegisterView, TakeNumberInput,
};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct RegisterList {
    pub items: Vec<RegisterView>,
}

/// The registers (sổ văn bản) of a unit: for its members and administrators; secret ones only when cleared.
#[utoipa::path(get, path = "/api/v1/units/{id}/registers", tag = "registers", params(("id" = i64, Path)),
    responses((status = 200, body = RegisterList), (status = 403, body = ErrorBody)))]
pub async fn list_registers(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RegisterList>, ApiError> {
    Ok(Json(RegisterList {
        items: app.list_registers(&a.actor, id).await?,
    }))
}

/// Opens a register for a unit (its administrators): per year, or per Party term; secret documents apart.
#[utoipa::path(post, path = "/api/v1/units/{id}/registers", tag = "registers", params(("id" = i64, Path)), request_body = RegisterInput,
    responses((status = 201, body = RegisterView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_register(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<RegisterInput>,
) -> Result<(StatusCode, Json<RegisterView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.create_register(&a.actor, id, &input).await?),
    ))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EntriesQuery {
    /// 1 to 500, default 100.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// A register with its numbers, newest first.
#[utoipa::path(get, path = "/api/v1/registers/{id}", tag = "registers", params(("id" = i64, Path), EntriesQuery),
    responses((status = 200, body = RegisterDetail)))]
pub async fn get_register(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<EntriesQuery>,
) -> Result<Json<RegisterDetail>, ApiError> {
    let (limit, offset) = super::page(q.limit, q.offset)?;
    Ok(Json(
        app.register_detail(&a.actor, id, limit, offset).await?,
    ))
}

/// Takes the next number (a clerk of the unit). Numbers are gap-free and never reused, also when many take
/// at once; with `type_abbr`, the answer carries the number and notation (`05/QĐ-UBND`, `15671-CV/VPTW`).
#[utoipa::path(post, path = "/api/v1/registers/{id}/numbers", tag = "registers", params(("id" = i64, Path)), request_body = TakeNumberInput,
    responses((status = 201, body = EntryView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn take_number(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<TakeNumberInput>,
) -> Result<(StatusCode, Json<EntryView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.take_number(&a.actor, id, &input).await?),
    ))
}

/// Cancels a reserved number that will not be used, with the reason; it is never given again.
#[utoipa::path(post, path = "/api/v1/registers/{id}/numbers/{number}/cancel", tag = "registers",
    params(("id" = i64, Path), ("number" = i64, Path)), request_body = CancelInput,
    responses((status = 200, body = EntryView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel_number(
    State(app): State<App>,
    a: Authed,
    ApiPath((id, number)): ApiPath<(i64, i64)>,
    ApiJson(input): ApiJson<CancelInput>,
) -> Result<Json<EntryView>, ApiError> {
    Ok(Json(
        app.cancel_number(&a.actor, id, number, &input.reason)
            .await?,
    ))
}

/// The history of a register: who opened it, who took and cancelled which number, when.
#[utoipa::path(get, path = "/api/v1/registers/{id}/history", tag = "registers", params(("id" = i64, Path)),
    responses((status = 200, body = EventList)))]
pub async fn register_history(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EventList>, ApiError> {
    Ok(Json(EventList {
        items: app.history(&a.actor, "register", id).await?,
    }))
}

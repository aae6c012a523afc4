//! The exchange over the interconnection axis: the installation's outbox and inbox, sending a refused packet
//! again, the raw packages, the directory of agencies.

use super::{ApiError, ApiPath, ApiQuery, Authed, ErrorBody};
use crate::App;
use crate::app::exchange::{AgencyView, InboxView, PacketView};
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// `queued`, `sent`, `failed` or `cancelled`; all when absent.
    pub state: Option<String>,
    /// At most this many, newest first (default 200).
    pub limit: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// `created`, `duplicate`, `also_internal`, `unaddressed`, `invalid`, `status`, `revoked`, `updated`,
    /// `not_found`, `unknown_status`; all when absent.
    pub outcome: Option<String>,
    /// At most this many, newest first (default 200).
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PacketList {
    pub items: Vec<PacketView>,
}

#[derive(Serialize, ToSchema)]
pub struct InboxList {
    pub items: Vec<InboxView>,
}

#[derive(Serialize, ToSchema)]
pub struct AgencyList {
    pub items: Vec<AgencyView>,
}

/// Packets sent or waiting to be sent over the axis (system administrators).
#[utoipa::path(get, path = "/api/v1/exchange/outbox", tag = "exchange", params(OutboxQuery),
    responses((status = 200, body = PacketList), (status = 403, body = ErrorBody)))]
pub async fn outbox(
    State(app): State<App>,
    a: Authed,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> Result<Json<PacketList>, ApiError> {
    Ok(Json(PacketList {
        items: app
            .exchange_outbox(&a.actor, q.state.as_deref(), q.limit.unwrap_or(200))
            .await?,
    }))
}

/// Sends a packet the axis refused again (system administrators, or clerks of the sending unit).
#[utoipa::path(post, path = "/api/v1/exchange/outbox/{id}/retry", tag = "exchange", params(("id" = i64, Path)),
    responses((status = 200, body = PacketView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn retry(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PacketView>, ApiError> {
    Ok(Json(app.exchange_retry(&a.actor, id).await?))
}

/// Packages taken from the axis and what became of them (system administrators).
#[utoipa::path(get, path = "/api/v1/exchange/inbox", tag = "exchange", params(InboxQuery),
    responses((status = 200, body = InboxList), (status = 403, body = ErrorBody)))]
pub async fn inbox(
    State(app): State<App>,
    a: Authed,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> Result<Json<InboxList>, ApiError> {
    Ok(Json(InboxList {
        items: app
            .exchange_inbox(&a.actor, q.outcome.as_deref(), q.limit.unwrap_or(200))
            .await?,
    }))
}

/// A package as it arrived, byte for byte (system administrators): `application/xml`.
#[utoipa::path(get, path = "/api/v1/exchange/inbox/{id}/package", tag = "exchange", params(("id" = i64, Path)),
    responses((status = 200, description = "the .edxml file"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn package(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let (axis_id, bytes) = app.exchange_package(&a.actor, id).await?;
    Ok(package_response(&axis_id, bytes))
}

/// A raw package as a download named after its axis id (for the API and the pages).
pub fn package_response(axis_id: &str, bytes: Vec<u8>) -> Response {
    let name: String = axis_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, "application/xml".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.edxml\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// The directory of agencies on the axis, as last synchronised.
#[utoipa::path(get, path = "/api/v1/exchange/agencies", tag = "exchange",
    responses((status = 200, body = AgencyList)))]
pub async fn agencies(State(app): State<App>, a: Authed) -> Result<Json<AgencyList>, ApiError> {
    Ok(Json(AgencyList {
        items: app.exchange_agencies(&a.actor).await?,
    }))
}

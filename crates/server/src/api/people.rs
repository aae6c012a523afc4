use super::units::EventList;
use super::{ApiError, ApiJson, ApiPath, ApiQuery, Authed, ErrorBody};
use crate::App;
use crate::app::people::{PersonInput, PersonPatch};
use crate::app::views::PersonView;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vanthu_store::PeopleFilter;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PeopleQuery {
    /// Only members of this unit.
    pub unit_id: Option<i64>,
    /// Part of the username or the name.
    pub q: Option<String>,
    #[serde(default)]
    pub include_inactive: bool,
    /// 1 to 500, default 100.
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonList {
    pub items: Vec<PersonView>,
    pub total: i64,
}

/// People, by name, with their memberships.
#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(PeopleQuery),
    responses((status = 200, body = PersonList), (status = 401, body = ErrorBody)))]
pub async fn list_people(
    State(app): State<App>,
    a: Authed,
    ApiQuery(q): ApiQuery<PeopleQuery>,
) -> Result<Json<PersonList>, ApiError> {
    let (limit, offset) = super::page(q.limit, q.offset)?;
    let f = PeopleFilter {
        unit_id: q.unit_id,
        include_inactive: q.include_inactive,
        query: q
            .q
            .map(|s| vanthu_domain::normalize(&s))
            .filter(|s| !s.is_empty()),
        limit,
        offset,
    };
    let (items, total) = app.list_people(&a.actor, &f).await?;
    Ok(Json(PersonList { items, total }))
}

/// Creates an account with its memberships (administrators of every unit named).
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = PersonInput,
    responses((status = 201, body = PersonView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_person(
    State(app): State<App>,
    a: Authed,
    ApiJson(input): ApiJson<PersonInput>,
) -> Result<(StatusCode, Json<PersonView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.create_person(&a.actor, &input).await?),
    ))
}

/// One person.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = PersonView), (status = 404, body = ErrorBody)))]
pub async fn get_person(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PersonView>, ApiError> {
    Ok(Json(app.get_person(&a.actor, id).await?))
}

/// Edits a person; `memberships`, when present, replaces all of them.
#[utoipa::path(patch, path = "/api/v1/people/{id}", tag = "people", params(("id" = i64, Path)), request_body = PersonPatch,
    responses((status = 200, body = PersonView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_person(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(p): ApiJson<PersonPatch>,
) -> Result<Json<PersonView>, ApiError> {
    Ok(Json(app.update_person(&a.actor, id, &p).await?))
}

/// Stops an account; its sessions and tokens are revoked.
#[utoipa::path(post, path = "/api/v1/people/{id}/deactivate", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = PersonView), (status = 409, body = ErrorBody)))]
pub async fn deactivate_person(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PersonView>, ApiError> {
    Ok(Json(app.set_person_active(&a.actor, id, false).await?))
}

/// Brings a stopped account back.
#[utoipa::path(post, path = "/api/v1/people/{id}/activate", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = PersonView), (status = 409, body = ErrorBody)))]
pub async fn activate_person(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PersonView>, ApiError> {
    Ok(Json(app.set_person_active(&a.actor, id, true).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    pub password: String,
}

/// Sets a new password for a person (who must change it at next sign-in).
#[utoipa::path(post, path = "/api/v1/people/{id}/password", tag = "people", params(("id" = i64, Path)), request_body = ResetPassword,
    responses((status = 204, description = "Đã đặt lại"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<ResetPassword>,
) -> Result<StatusCode, ApiError> {
    app.reset_password(&a.actor, id, &r.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The history of a person's account.
#[utoipa::path(get, path = "/api/v1/people/{id}/history", tag = "people", params(("id" = i64, Path)),
    responses((status = 200, body = EventList), (status = 403, body = ErrorBody)))]
pub async fn person_history(
    State(app): State<App>,
    a: Authed,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<EventList>, ApiError> {
    Ok(Json(EventList {
        items: app.history(&a.actor, "person", id).await?,
    }))
}

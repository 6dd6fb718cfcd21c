//! `/providers` and `/backends`: the catalogue and cloud accounts, in the
//! mist.io v1 shapes.

use axum::{extract::State, http::StatusCode, Json};
use domain::inventory::BackendSummary;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    http_error::ApiError,
    rest::{
        answers::{success, Providers, Success},
        extract::{Body, Caller, CreateBackendAction, EditBackendAction, May, Path},
    },
    AppState,
};

/// The providers a backend can be added for.
#[utoipa::path(get, path = "/providers", tag = "backends",
    responses((status = 200, description = "The catalogue", body = Providers)))]
pub async fn providers(Caller(_actor): Caller) -> Json<Providers> {
    Json(Providers {
        supported_providers: domain::providers::CATALOGUE.to_vec(),
    })
}

/// The backends the caller may see (never their secrets).
#[utoipa::path(get, path = "/backends", tag = "backends",
    responses((status = 200, description = "The backends", body = Vec<BackendSummary>)))]
pub async fn list_backends(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<BackendSummary>>, ApiError> {
    Ok(Json(
        service::backends::list(&state.services, &actor).await?,
    ))
}

/// Adds a backend once its credentials work. Bare metal:
/// `{title, provider: "bare_metal", machine_ip, machine_key, machine_user, machine_port?}`.
#[utoipa::path(post, path = "/backends", tag = "backends",
    request_body(description = "mist.io v1's fields; which a provider takes is in the catalogue (`GET /providers`)",
        content((service::backends::NewBackend = "application/json"), (service::backends::NewBackend = "application/x-www-form-urlencoded"))),
    responses((status = 201, description = "The new backend", body = BackendSummary), (status = 400, description = "Bad field, or the provider refused: the body quotes why"), (status = 409, description = "The title is taken"), (status = 502, description = "The provider could not be reached or failed")))]
pub async fn add_backend(
    State(state): State<AppState>,
    May(actor, _): May<CreateBackendAction>,
    Body(body): Body<service::backends::NewBackend>,
) -> Result<(StatusCode, Json<BackendSummary>), ApiError> {
    let backend = service::backends::add(&state.services, &actor, &body).await?;
    Ok((StatusCode::CREATED, Json(backend)))
}

/// Body of `PUT /backends/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RenameBackend {
    /// The new title.
    new_name: Option<String>,
    /// The image a stack template's `"image": "${computed}"` takes on this
    /// backend (empty removes it).
    default_image: Option<String>,
}

/// Renames a backend (`new_name`, mist.io's), and/or sets its default image
/// (`default_image`: what a stack template's `"${computed}"` image takes).
#[utoipa::path(put, path = "/backends/{backend_id}", tag = "backends",
    params(("backend_id" = String, Path, description = "Backend")),
    request_body(description = "`{\"new_name\"}` and/or `{\"default_image\"}`", content((RenameBackend = "application/json"), (RenameBackend = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Renamed", body = Success), (status = 404), (status = 409, description = "The title is taken")))]
pub async fn rename_backend(
    State(state): State<AppState>,
    May(actor, _): May<EditBackendAction>,
    Path(backend_id): Path<String>,
    Body(body): Body<RenameBackend>,
) -> Result<Json<Success>, ApiError> {
    if let Some(image) = &body.default_image {
        service::backends::settings::set_default_image(&state.services, &actor, &backend_id, image)
            .await?;
        if body.new_name.is_none() {
            return Ok(success());
        }
    }
    service::backends::rename(
        &state.services,
        &actor,
        &backend_id,
        body.new_name.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(success())
}

/// Enables or disables a backend: `{"newState": "True"}` (mist.io's
/// server) or `{"new_state": "1"}` (its Python client); `"True"`/`"False"`,
/// `"1"`/`"0"` or `true`/`false`.
#[utoipa::path(post, path = "/backends/{backend_id}", tag = "backends",
    params(("backend_id" = String, Path, description = "Backend")),
    request_body(description = "`{\"newState\"}` (mist.io's server) or its alternative `{\"new_state\"}` (mist.io's Python client): `\"True\"`/`\"False\"`, `\"1\"`/`\"0\"` or `true`/`false`",
        content((service::backends::NewState = "application/json"), (service::backends::NewState = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Done", body = Success), (status = 404)))]
pub async fn toggle_backend(
    State(state): State<AppState>,
    May(actor, _): May<EditBackendAction>,
    Path(backend_id): Path<String>,
    Body(body): Body<service::backends::NewState>,
) -> Result<Json<Success>, ApiError> {
    service::backends::set_enabled(&state.services, &actor, &backend_id, &body).await?;
    Ok(success())
}

/// Deletes a backend (nothing is destroyed at the provider).
#[utoipa::path(delete, path = "/backends/{backend_id}", tag = "backends",
    params(("backend_id" = String, Path, description = "Backend")),
    responses((status = 200, description = "Deleted", body = Success), (status = 404)))]
pub async fn delete_backend(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(backend_id): Path<String>,
) -> Result<Json<Success>, ApiError> {
    service::backends::delete(&state.services, &actor, &backend_id).await?;
    Ok(success())
}

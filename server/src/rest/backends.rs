//! `/providers` and `/backends`: the catalogue and cloud accounts, in the
//! mist.io v1 shapes.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use domain::inventory::BackendSummary;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{
    http_error::ApiError,
    rest::extract::{Body, Caller},
    AppState,
};

/// The providers a backend can be added for.
#[utoipa::path(get, path = "/providers", tag = "backends",
    responses((status = 200, description = "{\"supported_providers\": [{\"provider\", \"title\"}]}"), (status = 401)))]
pub async fn providers(Caller(_actor): Caller) -> Json<Value> {
    Json(json!({ "supported_providers": domain::providers::CATALOGUE }))
}

/// The backends the caller may see (never their secrets).
#[utoipa::path(get, path = "/backends", tag = "backends",
    responses((status = 200, description = "[{\"id\", \"title\", \"provider\", \"region\", \"enabled\", \"state\", \"poll_interval\", \"apikey\", ...}]"), (status = 401), (status = 403)))]
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
    responses((status = 201, description = "The new backend"), (status = 400, description = "Bad field, or the provider refused: the body quotes why"), (status = 409, description = "The title is taken")))]
pub async fn add_backend(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Body(body): Body<service::backends::NewBackend>,
) -> Result<(StatusCode, Json<BackendSummary>), ApiError> {
    let backend = service::backends::add(&state.services, &actor, &body).await?;
    Ok((StatusCode::CREATED, Json(backend)))
}

/// Body of `PUT /backends/{id}`.
#[derive(Debug, Deserialize)]
pub struct RenameBackend {
    new_name: Option<String>,
}

/// Renames a backend.
#[utoipa::path(put, path = "/backends/{backend_id}", tag = "backends",
    params(("backend_id" = String, Path, description = "Backend")),
    responses((status = 200), (status = 400), (status = 404), (status = 409)))]
pub async fn rename_backend(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(backend_id): Path<String>,
    Body(body): Body<RenameBackend>,
) -> Result<Json<Value>, ApiError> {
    service::backends::rename(
        &state.services,
        &actor,
        &backend_id,
        body.new_name.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(Json(json!({"status": "success"})))
}

/// Enables or disables a backend: `{"newState": "True"}` (mist.io's
/// server) or `{"new_state": "1"}` (its Python client); `"True"`/`"False"`,
/// `"1"`/`"0"` or `true`/`false`.
#[utoipa::path(post, path = "/backends/{backend_id}", tag = "backends",
    params(("backend_id" = String, Path, description = "Backend")),
    responses((status = 200), (status = 400), (status = 404)))]
pub async fn toggle_backend(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(backend_id): Path<String>,
    Body(body): Body<service::backends::NewState>,
) -> Result<Json<Value>, ApiError> {
    service::backends::set_enabled(&state.services, &actor, &backend_id, &body).await?;
    Ok(Json(json!({"status": "success"})))
}

/// Deletes a backend (nothing is destroyed at the provider).
#[utoipa::path(delete, path = "/backends/{backend_id}", tag = "backends",
    params(("backend_id" = String, Path, description = "Backend")),
    responses((status = 200), (status = 404)))]
pub async fn delete_backend(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(backend_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    service::backends::delete(&state.services, &actor, &backend_id).await?;
    Ok(Json(json!({"status": "success"})))
}

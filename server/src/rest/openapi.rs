//! The OpenAPI document of the REST API.

use axum::{extract::State, Json};

use crate::AppState;

/// This API's OpenAPI 3 description.
#[utoipa::path(get, path = "/openapi.json", tag = "system",
    responses((status = 200, description = "The OpenAPI document")))]
pub async fn openapi_json(State(state): State<AppState>) -> Json<utoipa::openapi::OpenApi> {
    Json((*state.openapi).clone())
}

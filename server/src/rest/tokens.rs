//! `/tokens`: the caller's API tokens.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{
    http_error::ApiError,
    rest::extract::{Body, Caller},
    AppState,
};

/// Body of `POST /tokens`: `ttl_days` a number or its text, `scope` a
/// scope document or its text (the service reads either).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewToken {
    name: String,
    ttl_days: Option<Value>,
    scope: Option<Value>,
}

/// Creates a token; the response is the only time it is shown. Made with a
/// token that expires, it expires no later; an account holds at most 100.
#[utoipa::path(post, path = "/tokens", tag = "tokens",
    responses((status = 201, description = "{\"id\", \"name\", \"token\", \"expires_at\"}"), (status = 400), (status = 401), (status = 403), (status = 409)))]
pub async fn create_token(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Body(body): Body<NewToken>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let created = service::tokens::create(
        &state.services,
        &actor,
        &body.name,
        body.ttl_days.as_ref(),
        body.scope.as_ref(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": created.id,
            "name": created.name,
            "token": created.token,
            "expires_at": created.expires_at,
        })),
    ))
}

/// The caller's tokens, with their last use (never the token).
#[utoipa::path(get, path = "/tokens", tag = "tokens",
    responses((status = 200, description = "[{\"id\", \"name\", \"created_at\", \"expires_at\", \"last_used_at\", \"scope\"}]"), (status = 401)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<service::tokens::TokenInfo>>, ApiError> {
    Ok(Json(service::tokens::list(&state.services, &actor).await?))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 200), (status = 401), (status = 404)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    service::tokens::revoke(&state.services, &actor, &id).await?;
    Ok(Json(json!({"status": "success"})))
}

//! `/tokens`: the caller's API tokens.

use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use serde_json::Value;
use service::tokens::{CreatedToken, TokenInfo};
use utoipa::ToSchema;

use crate::{
    http_error::ApiError,
    rest::{
        answers::{success, Success},
        extract::{Body, Caller, CreateTokenAction, May, Path},
    },
    AppState,
};

/// Body of `POST /tokens`: `ttl_days` a number or its text, `scope` a
/// scope document or its text (the service reads either).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewToken {
    /// A label.
    name: String,
    /// Lifetime in days (a number, or its text); none for no expiry.
    ttl_days: Option<Value>,
    /// A scope document of its own (or its text), narrower than the owner's.
    scope: Option<Value>,
}

/// Creates a token; the response is the only time it is shown. Made with a
/// token that expires, it expires no later; an account holds at most 100.
#[utoipa::path(post, path = "/tokens", tag = "tokens",
    request_body(description = "`{\"name\", \"ttl_days\"?, \"scope\"?}`",
        content((NewToken = "application/json"), (NewToken = "application/x-www-form-urlencoded"))),
    responses((status = 201, description = "The token: the only time `token` is shown", body = CreatedToken), (status = 409, description = "The account holds 100 live tokens")))]
pub async fn create_token(
    State(state): State<AppState>,
    May(actor, _): May<CreateTokenAction>,
    Body(body): Body<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let created = service::tokens::create(
        &state.services,
        &actor,
        &body.name,
        body.ttl_days.as_ref(),
        body.scope.as_ref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The caller's tokens, with their last use (never the token).
#[utoipa::path(get, path = "/tokens", tag = "tokens",
    responses((status = 200, description = "The caller's tokens", body = Vec<TokenInfo>)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<TokenInfo>>, ApiError> {
    Ok(Json(service::tokens::list(&state.services, &actor).await?))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 200, description = "Revoked", body = Success), (status = 404)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Success>, ApiError> {
    service::tokens::revoke(&state.services, &actor, &id).await?;
    Ok(success())
}

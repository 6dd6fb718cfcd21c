//! `POST /v3/access_token` (OAuth2), `POST /auth` (mist.io), and the master's
//! management of OAuth clients.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use serde_json::{json, Value};
use service::oauth::{self, ClientView, Grant};

use crate::{
    http_error::ApiError,
    rest::extract::{
        Address, Body, CreateOAuthClient, DeleteOAuthClient, Master, ViewOAuthClients,
    },
    AppState,
};

/// Body of `POST /v3/access_token`.
#[derive(Debug, Deserialize)]
pub struct TokenRequest {
    grant_type: String,
    client_id: String,
    client_secret: String,
    username: Option<String>,
    password: Option<String>,
    /// For the password grant of an account with two-factor sign-in: the
    /// authenticator's code or a recovery code.
    code: Option<String>,
}

/// Issues a bearer token (`password` or `client_credentials` grant).
#[utoipa::path(post, path = "/v3/access_token", tag = "auth",
    responses((status = 200, description = "{\"token_type\": \"Bearer\", \"expires_in\": 43200, \"access_token\"}"), (status = 400), (status = 401), (status = 429)))]
pub async fn access_token(
    State(state): State<AppState>,
    Address(address): Address,
    Body(body): Body<TokenRequest>,
) -> Result<Json<oauth::AccessToken>, ApiError> {
    let grant = Grant {
        grant_type: body.grant_type,
        client_id: body.client_id,
        client_secret: body.client_secret,
        username: body.username,
        password: body.password,
        code: body.code,
    };
    Ok(Json(
        oauth::access_token(&state.services, &grant, &address).await?,
    ))
}

/// Body of `POST /auth`.
#[derive(Debug, Deserialize)]
pub struct MistAuth {
    email: String,
    password: String,
    /// For an account with two-factor sign-in: the authenticator's code or
    /// a recovery code.
    code: Option<String>,
}

/// The mist.io sign-in for scripts: an API token for email and password.
#[utoipa::path(post, path = "/auth", tag = "auth",
    responses((status = 200, description = "{\"mist_api_token\", \"user_details\"}"), (status = 401), (status = 429)))]
pub async fn mist_auth(
    State(state): State<AppState>,
    Address(address): Address,
    Body(body): Body<MistAuth>,
) -> Result<Json<Value>, ApiError> {
    let (token, account) =
        oauth::mist_auth(
            &state.services,
            &body.email,
            &body.password,
            body.code.as_deref(),
            &address,
        )
        .await?;
    Ok(Json(json!({
        "mist_api_token": token,
        "user_details": {"email": account.email, "username": account.username, "is_master": account.is_master},
    })))
}

/// Body of `POST /v3/oauth/clients`.
#[derive(Debug, Deserialize)]
pub struct NewClient {
    name: String,
}

/// OAuth clients (master only).
#[utoipa::path(get, path = "/v3/oauth/clients", tag = "auth",
    responses((status = 200, description = "[{\"client_id\", \"name\", \"username\", \"created_at\"}]"), (status = 403)))]
pub async fn list_clients(
    State(state): State<AppState>,
    Master(actor, _): Master<ViewOAuthClients>,
) -> Result<Json<Vec<ClientView>>, ApiError> {
    Ok(Json(oauth::list_clients(&state.services, &actor).await?))
}

/// Creates an OAuth client; the secret is shown once.
#[utoipa::path(post, path = "/v3/oauth/clients", tag = "auth",
    responses((status = 201, description = "{\"client_id\", \"client_secret\", \"username\"}"), (status = 400), (status = 403)))]
pub async fn create_client(
    State(state): State<AppState>,
    Master(actor, _): Master<CreateOAuthClient>,
    Body(body): Body<NewClient>,
) -> Result<(StatusCode, Json<oauth::CreatedClient>), ApiError> {
    let created = oauth::create_client(&state.services, &actor, &body.name).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Deletes an OAuth client and everything issued to it.
#[utoipa::path(delete, path = "/v3/oauth/clients/{client_id}", tag = "auth",
    params(("client_id" = String, Path, description = "Client id")),
    responses((status = 200), (status = 403), (status = 404)))]
pub async fn delete_client(
    State(state): State<AppState>,
    Master(actor, _): Master<DeleteOAuthClient>,
    Path(client_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    oauth::delete_client(&state.services, &actor, &client_id).await?;
    Ok(Json(json!({"status": "success"})))
}

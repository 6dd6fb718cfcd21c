//! `POST /v3/access_token` (OAuth2), `POST /auth` (mist.io), and the master's
//! management of OAuth clients.

use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use service::oauth::{self, ClientView, Grant};
use utoipa::ToSchema;

use crate::{
    http_error::ApiError,
    rest::{
        answers::{success, MistToken, Success, UserDetails},
        extract::{
            Address, Body, CreateOAuthClient, DeleteOAuthClient, Master, Path, ViewOAuthClients,
        },
    },
    AppState,
};

/// Body of `POST /v3/access_token`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// `password` or `client_credentials`.
    #[schema(
        example = "client_credentials",
        pattern = "^(password|client_credentials)$"
    )]
    grant_type: String,
    /// The OAuth client's id, or a stack's id (its agents' credentials).
    client_id: String,
    /// The OAuth client's secret, or the stack's `auth_token`.
    client_secret: String,
    /// The password grant: the user's email.
    username: Option<String>,
    /// The password grant: the user's password.
    password: Option<String>,
    /// For the password grant of an account with two-factor sign-in: the
    /// authenticator's code or a recovery code.
    code: Option<String>,
}

/// Issues a bearer token (`password` or `client_credentials` grant). A
/// stack's agents use `client_credentials` with the stack's id and its
/// `auth_token`: their token may call only that stack's agent routes
/// (`/v3/alm/agent/...`), and dies with the stack.
#[utoipa::path(post, path = "/v3/access_token", tag = "auth", security(()),
    request_body(description = "The OAuth2 token request (Mobingi's shape)",
        content((TokenRequest = "application/json"), (TokenRequest = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "A bearer token", body = oauth::AccessToken), (status = 401, description = "Wrong client, or wrong email or password"), (status = 429, description = "Too many failed sign-ins (`Retry-After`)")))]
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
#[derive(Debug, Deserialize, ToSchema)]
pub struct MistAuth {
    /// The account's email.
    email: String,
    /// Its password.
    password: String,
    /// For an account with two-factor sign-in: the authenticator's code or
    /// a recovery code.
    code: Option<String>,
}

/// The mist.io sign-in for scripts: an API token for email and password.
#[utoipa::path(post, path = "/auth", tag = "auth", security(()),
    request_body(description = "mist.io-compatible sign-in: `{\"email\", \"password\"}`",
        content((MistAuth = "application/json"), (MistAuth = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "An API token (send it as `Token`, or as mist.io's `mist_1 <email>:<token>`)", body = MistToken), (status = 401, description = "Wrong email or password"), (status = 429, description = "Too many failed sign-ins (`Retry-After`)")))]
pub async fn mist_auth(
    State(state): State<AppState>,
    Address(address): Address,
    Body(body): Body<MistAuth>,
) -> Result<Json<MistToken>, ApiError> {
    let (token, account) = oauth::mist_auth(
        &state.services,
        &body.email,
        &body.password,
        body.code.as_deref(),
        &address,
    )
    .await?;
    Ok(Json(MistToken {
        mist_api_token: token,
        user_details: UserDetails {
            email: account.email,
            username: account.username,
            is_master: account.is_master,
        },
    }))
}

/// Body of `POST /v3/oauth/clients`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewClient {
    /// A label.
    name: String,
}

/// OAuth clients (master only).
#[utoipa::path(get, path = "/v3/oauth/clients", tag = "auth",
    responses((status = 200, description = "The clients", body = Vec<ClientView>)))]
pub async fn list_clients(
    State(state): State<AppState>,
    Master(actor, _): Master<ViewOAuthClients>,
) -> Result<Json<Vec<ClientView>>, ApiError> {
    Ok(Json(oauth::list_clients(&state.services, &actor).await?))
}

/// Creates an OAuth client; the secret is shown once.
#[utoipa::path(post, path = "/v3/oauth/clients", tag = "auth",
    request_body(description = "`{\"name\"}`", content((NewClient = "application/json"), (NewClient = "application/x-www-form-urlencoded"))),
    responses((status = 201, description = "The client: the only time `client_secret` is shown", body = oauth::CreatedClient)))]
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
    responses((status = 200, description = "Deleted", body = Success), (status = 404)))]
pub async fn delete_client(
    State(state): State<AppState>,
    Master(actor, _): Master<DeleteOAuthClient>,
    Path(client_id): Path<String>,
) -> Result<Json<Success>, ApiError> {
    oauth::delete_client(&state.services, &actor, &client_id).await?;
    Ok(success())
}

//! `/keys`: SSH keys in the mist.io v1 shapes.

use axum::{extract::State, http::StatusCode, Json};
use domain::inventory::{KeyMachineRef, KeySummary};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    http_error::ApiError,
    rest::{
        answers::{success, Success},
        extract::{Body, Caller, CreateKeyAction, EditKeyAction, May, Path},
    },
    AppState,
};

/// The keys the caller may see, with the machines each opens as
/// `[backend_id, machine_id, last_used, ssh_user, sudo]`.
#[utoipa::path(get, path = "/keys", tag = "keys",
    responses((status = 200, description = "The keys; the default flag both as `default_key` and as mist.io's `isDefault`", body = Vec<KeySummary>)))]
pub async fn list_keys(
    State(state): State<AppState>,
    Caller(actor): Caller,
) -> Result<Json<Vec<KeySummary>>, ApiError> {
    Ok(Json(service::keys::list(&state.services, &actor).await?))
}

/// Body of `PUT /keys`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ImportKey {
    /// The name to store it under: 1 to 64 letters, digits, `.`, `_`, `-`
    /// or `@`.
    #[schema(example = "deploy", pattern = "^[A-Za-z0-9._@-]{1,64}$")]
    id: Option<String>,
    /// The private key, PEM or OpenSSH.
    #[serde(rename = "priv")]
    private: Option<String>,
    /// Its passphrase, when it has one.
    passphrase: Option<String>,
}

/// Imports a private key (RSA, ECDSA or Ed25519; PEM or OpenSSH).
#[utoipa::path(put, path = "/keys", tag = "keys",
    request_body(description = "`{\"id\", \"priv\", \"passphrase\"?}` (mist.io's shape)",
        content((ImportKey = "application/json"), (ImportKey = "application/x-www-form-urlencoded"))),
    responses((status = 201, description = "The stored key", body = KeySummary), (status = 400, description = "Not a usable private key: the body says why"), (status = 409, description = "A key with this id exists")))]
pub async fn import_key(
    State(state): State<AppState>,
    May(actor, _): May<CreateKeyAction>,
    Body(body): Body<ImportKey>,
) -> Result<(StatusCode, Json<KeySummary>), ApiError> {
    let key = service::keys::import(
        &state.services,
        &actor,
        body.id.as_deref().unwrap_or_default(),
        body.private.as_deref().unwrap_or_default(),
        body.passphrase.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(key)))
}

/// Body of `POST /keys/generate` (and of mist.io's `POST /keys`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct GenerateKey {
    /// `ed25519` (the default) or `rsa` (4096 bits).
    #[schema(example = "ed25519", pattern = "^(ed25519|rsa)$")]
    algorithm: Option<String>,
    /// Store the new key under this id (as `PUT /keys` names keys); omit
    /// to only get it back.
    #[schema(example = "deploy", pattern = "^[A-Za-z0-9._@-]{1,64}$")]
    id: Option<String>,
}

/// Generates a key: Ed25519, or RSA 4096 with `"algorithm": "rsa"`. The
/// private part is in the answer (`priv`); with an `id` it is also stored.
/// (The mist.io API overloaded `GET /keys` for this.)
#[utoipa::path(post, path = "/keys/generate", tag = "keys",
    request_body(description = "`{\"algorithm\"?, \"id\"?}`; an empty body generates an Ed25519 key that is not stored",
        content((GenerateKey = "application/json"), (GenerateKey = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "The new key: `priv` (shown this once), `public`, and `key` when it was stored", body = service::keys::GeneratedKey), (status = 409, description = "A key with this id exists")))]
pub async fn generate_key(
    State(state): State<AppState>,
    May(actor, _): May<CreateKeyAction>,
    Body(body): Body<GenerateKey>,
) -> Result<Json<service::keys::GeneratedKey>, ApiError> {
    Ok(Json(
        service::keys::generate(
            &state.services,
            &actor,
            body.algorithm.as_deref(),
            body.id.as_deref(),
        )
        .await?,
    ))
}

/// Generates a key at the path mist.io routed it to (`POST /keys`): the
/// same as `POST /keys/generate`, answering `{"priv": "-----BEGIN ..."}`.
#[utoipa::path(post, path = "/keys", tag = "keys",
    request_body(description = "mist.io-compatible alternative to `POST /keys/generate`, same body",
        content((GenerateKey = "application/json"), (GenerateKey = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "As `POST /keys/generate`", body = service::keys::GeneratedKey), (status = 409, description = "A key with this id exists")))]
pub async fn generate_key_mist(
    state: State<AppState>,
    caller: May<CreateKeyAction>,
    body: Body<GenerateKey>,
) -> Result<Json<service::keys::GeneratedKey>, ApiError> {
    generate_key(state, caller, body).await
}

/// Body of `PUT /keys/{key_id}`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RenameKey {
    /// The new name (as `PUT /keys` names keys).
    #[schema(example = "deploy-2", pattern = "^[A-Za-z0-9._@-]{1,64}$")]
    new_id: Option<String>,
}

/// Renames a key.
#[utoipa::path(put, path = "/keys/{key_id}", tag = "keys",
    params(("key_id" = String, Path, description = "The key's id (its name)")),
    request_body(description = "`{\"new_id\"}`", content((RenameKey = "application/json"), (RenameKey = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "The renamed key", body = KeySummary), (status = 404), (status = 409, description = "A key with the new id exists")))]
pub async fn rename_key(
    State(state): State<AppState>,
    May(actor, _): May<EditKeyAction>,
    Path(key_id): Path<String>,
    Body(body): Body<RenameKey>,
) -> Result<Json<KeySummary>, ApiError> {
    Ok(Json(
        service::keys::rename(
            &state.services,
            &actor,
            &key_id,
            body.new_id.as_deref().unwrap_or_default(),
        )
        .await?,
    ))
}

/// Makes a key the default.
#[utoipa::path(post, path = "/keys/{key_id}", tag = "keys",
    params(("key_id" = String, Path, description = "The key's id")),
    responses((status = 200, description = "Done", body = Success), (status = 404)))]
pub async fn set_default_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(key_id): Path<String>,
) -> Result<Json<Success>, ApiError> {
    service::keys::set_default(&state.services, &actor, &key_id).await?;
    Ok(success())
}

/// Deletes a key and its machine associations.
#[utoipa::path(delete, path = "/keys/{key_id}", tag = "keys",
    params(("key_id" = String, Path, description = "The key's id")),
    responses((status = 200, description = "Deleted", body = Success), (status = 404)))]
pub async fn delete_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(key_id): Path<String>,
) -> Result<Json<Success>, ApiError> {
    service::keys::delete(&state.services, &actor, &key_id).await?;
    Ok(success())
}

/// The public key, OpenSSH format, as a JSON string.
#[utoipa::path(get, path = "/keys/{key_id}/public", tag = "keys",
    params(("key_id" = String, Path, description = "The key's id")),
    responses((status = 200, description = "`\"ssh-ed25519 AAAA...\"`", body = String, content_type = "application/json"), (status = 404)))]
pub async fn public_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(key_id): Path<String>,
) -> Result<Json<String>, ApiError> {
    Ok(Json(
        service::keys::public(&state.services, &actor, &key_id).await?,
    ))
}

/// The private key, as a JSON string: needs `read_private:key`; every read
/// and every refusal is audited.
#[utoipa::path(get, path = "/keys/{key_id}/private", tag = "keys",
    params(("key_id" = String, Path, description = "The key's id")),
    responses((status = 200, description = "`\"-----BEGIN OPENSSH PRIVATE KEY-----...\"`", body = String, content_type = "application/json"), (status = 404)))]
pub async fn private_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(key_id): Path<String>,
) -> Result<Json<String>, ApiError> {
    Ok(Json(
        service::keys::private(&state.services, &actor, &key_id).await?,
    ))
}

/// Associates a key with a machine: the user it logs in as, and sudo
/// (mist.io's body `{"user", "host", "port"}` too); answers the machines the
/// key opens.
#[utoipa::path(put, path = "/backends/{backend_id}/machines/{machine_id}/keys/{key_id}", tag = "keys",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine"), ("key_id" = String, Path, description = "Key")),
    request_body(description = "`{\"ssh_user\"?, \"sudo\"?}`, or mist.io's `{\"user\", \"host\", \"port\"}` (`user` is the mist.io name of `ssh_user`; `host` and `port` must be the machine's own)",
        content((service::keys::AssociationRequest = "application/json"), (service::keys::AssociationRequest = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "The machines the key opens, as mist.io's `[backend_id, machine_id, last_used, ssh_user, sudo]`", body = Vec<KeyMachineRef>), (status = 404)))]
pub async fn associate_key(
    State(state): State<AppState>,
    May(actor, _): May<EditKeyAction>,
    Path((backend_id, machine_id, key_id)): Path<(String, String, String)>,
    Body(body): Body<service::keys::AssociationRequest>,
) -> Result<Json<Vec<KeyMachineRef>>, ApiError> {
    Ok(Json(
        service::keys::associate(
            &state.services,
            &actor,
            &key_id,
            &backend_id,
            &machine_id,
            &body,
        )
        .await?,
    ))
}

/// Removes a key's association with a machine; answers the machines the
/// key still opens.
#[utoipa::path(delete, path = "/backends/{backend_id}/machines/{machine_id}/keys/{key_id}", tag = "keys",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine"), ("key_id" = String, Path, description = "Key")),
    responses((status = 200, description = "The machines the key still opens", body = Vec<KeyMachineRef>), (status = 404)))]
pub async fn disassociate_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((backend_id, machine_id, key_id)): Path<(String, String, String)>,
) -> Result<Json<Vec<KeyMachineRef>>, ApiError> {
    Ok(Json(
        service::keys::disassociate(&state.services, &actor, &key_id, &backend_id, &machine_id)
            .await?,
    ))
}

/// Deploys a key to a machine: appends its public part to the login user's
/// `~/.ssh/authorized_keys` through a key that already opens the machine,
/// proves it by logging in with it, and associates it. Needs `edit:key`
/// and `shell:machine`.
#[utoipa::path(post, path = "/backends/{backend_id}/machines/{machine_id}/keys/{key_id}/deploy", tag = "keys",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine"), ("key_id" = String, Path, description = "Key")),
    responses((status = 200, description = "What the key opens the machine as", body = service::keys::Deployed), (status = 404), (status = 409), (status = 502, description = "The machine could not be reached, or refused the change or the new key")))]
pub async fn deploy_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((backend_id, machine_id, key_id)): Path<(String, String, String)>,
) -> Result<Json<service::keys::Deployed>, ApiError> {
    Ok(Json(
        service::keys::deploy(&state.services, &actor, &key_id, &backend_id, &machine_id).await?,
    ))
}
